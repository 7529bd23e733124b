import CNN
import Foundation
import Render
import Testing
import TestSupport

/// Readers' own pictures prepared as MNIST's digits were: checked by turning real MNIST
/// digits into the kind of picture a reader brings, and back.
@Suite struct ModelInputImageTests {
    /// MNIST test[0] (a 7), 28×28 in [0, 1].
    let seven = Array(sharedMNIST.test.images.samples(0..<1).scalars)

    /// `digit` drawn 10× larger at (`left`, `top`) on a `width`×`height` page: ink and paper
    /// colours mixed by the digit's value, with seeded paper texture.
    func page(
        _ digit: [Float], width: Int = 400, height: Int = 300, left: Int = 70, top: Int = 12,
        ink: (Float, Float, Float), paper: (Float, Float, Float), texture: Float = 6
    ) -> RGBAImage {
        var image = RGBAImage(width: width, height: height, fill: .black)
        var random = SeededRandom(seed: 11)
        for y in 0..<height {
            for x in 0..<width {
                let (dx, dy) = ((x - left) / 10, (y - top) / 10)
                let v =
                    (0..<28).contains(dx) && (0..<28).contains(dy) && x >= left && y >= top ? digit[dy * 28 + dx] : 0
                let grain = random.uniform(-texture, texture)
                func mix(_ i: Float, _ p: Float) -> UInt8 {
                    UInt8(min(max(p * (1 - v) + i * v + grain, 0), 255).rounded())
                }
                image.setPixel(x, y, RGBA(mix(ink.0, paper.0), mix(ink.1, paper.1), mix(ink.2, paper.2)))
            }
        }
        return image
    }

    func correlation(_ a: [Float], _ b: [Float]) -> Double {
        let (ma, mb) = (a.reduce(0, +) / Float(a.count), b.reduce(0, +) / Float(b.count))
        var (cov, va, vb) = (0.0, 0.0, 0.0)
        for (x, y) in zip(a, b) {
            cov += Double((x - ma) * (y - mb)); va += Double((x - ma) * (x - ma)); vb += Double((y - mb) * (y - mb))
        }
        return cov / (va * vb).squareRoot()
    }

    @Test("a photographed blue-ink 7 on cream paper comes back as MNIST's own digit")
    func photographedDigit() {
        let photo = page(seven, ink: (25, 50, 150), paper: (242, 234, 214))
        let input = ModelInputImage(photo, width: 28, height: 28, preparation: .mnist)
        #expect(input.inverted)
        // MNIST digits are fitted into 20×20 and centred by mass already, so the round trip
        // is close to the identity.
        let r = correlation(input.values, seven)
        #expect(r > 0.93, "correlation with the original \(r)")
        // The paper is MNIST's 0, not inverted cream.
        #expect(input.values.filter { $0 == 0 }.count >= 600)
        #expect(input.values[0] == 0 && input.values[783] == 0)
        // Stretching the 4:3 page to 28×28 instead leaves a grey background and a squashed digit.
        let stretched = ModelInputImage(photo, width: 28, height: 28, preparation: .resize)
        #expect(stretched.values.min()! > 0.02)
        #expect(correlation(stretched.values, seven) < r - 0.2)
    }

    @Test("dark on light and light on dark give the same input")
    func eitherPolarity() {
        let dark = ModelInputImage(
            page(seven, ink: (0, 0, 0), paper: (255, 255, 255), texture: 0), width: 28, height: 28,
            preparation: .mnist)
        let light = ModelInputImage(
            page(seven, ink: (255, 255, 255), paper: (0, 0, 0), texture: 0), width: 28, height: 28,
            preparation: .mnist)
        #expect(dark.inverted && !light.inverted)
        #expect(maxAbsDifference(dark.values, light.values) < 1e-5)
        #expect(correlation(light.values, seven) > 0.95)
    }

    @Test("the ink is fitted into 20×20 keeping its aspect ratio and centred by mass")
    func geometry() {
        // A 60×180 bar in the top-left corner of a 400×300 page.
        var bar = RGBAImage(width: 400, height: 300, fill: .black)
        for y in 10..<190 { for x in 20..<80 { bar.setPixel(x, y, .white) } }
        let input = ModelInputImage(bar, width: 28, height: 28, preparation: .mnist)
        let lit = input.values.indices.filter { input.values[$0] > 0 }
        let xs = lit.map { $0 % 28 }, ys = lit.map { $0 / 28 }
        #expect(ys.max()! - ys.min()! + 1 == 20)
        #expect(xs.max()! - xs.min()! + 1 == 7)
        let mass = lit.reduce(Float(0)) { $0 + input.values[$1] }
        let cx = lit.reduce(Float(0)) { $0 + Float($1 % 28) * input.values[$1] } / mass
        let cy = lit.reduce(Float(0)) { $0 + Float($1 / 28) * input.values[$1] } / mass
        #expect(abs(cx - 14) <= 0.5 && abs(cy - 14) <= 0.5, "centre of mass (\(cx), \(cy))")
        // An empty page is an empty digit.
        let blank = ModelInputImage(
            RGBAImage(width: 50, height: 40, fill: .white), width: 28, height: 28, preparation: .mnist)
        #expect(blank.values.allSatisfy { $0 == 0 })
    }
}
