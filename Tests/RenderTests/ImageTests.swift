import Common
import Foundation
import Render
import Testing
import TestSupport

@Suite struct ImageTests {
    func image(_ w: Int, _ h: Int, seed: UInt8 = 1) -> RGBAImage {
        RGBAImage(
            width: w, height: h, pixels: (0..<(w * h * 4)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ Int(seed)) })
    }

    @Test func pngRoundTripIsExactAndDeterministic() throws {
        let original = image(13, 7)
        let data = PNG.encode(original)
        #expect(Array(data.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        #expect(try PNG.decode(data, file: "x.png") == original)
        #expect(PNG.encode(original) == data)
    }

    @Test("gray and RGB samples encode as 8-bit gray and RGB files that decode to the same values")
    func grayAndRGBSamplesRoundTrip() throws {
        let gray = (0..<(9 * 5)).map { UInt8($0 * 5) }
        let grayFile = PNG.encode(samples: gray, width: 9, height: 5, channels: 1)
        #expect(grayFile[25] == 0, "colour type 0: gray")
        let decodedGray = try PNG.decode(grayFile, file: "g.png")
        #expect(decodedGray.width == 9 && decodedGray.height == 5)
        #expect((0..<45).map { decodedGray.pixels[$0 * 4] } == gray)
        #expect(
            (0..<45).allSatisfy { decodedGray.pixels[$0 * 4 + 1] == gray[$0] && decodedGray.pixels[$0 * 4 + 3] == 255 })
        let rgb = (0..<(4 * 3 * 3)).map { UInt8(($0 * 37) % 256) }
        let rgbFile = PNG.encode(samples: rgb, width: 4, height: 3, channels: 3)
        #expect(rgbFile[25] == 2, "colour type 2: RGB")
        let decodedRGB = try PNG.decode(rgbFile, file: "c.png")
        #expect((0..<12).flatMap { p in (0..<3).map { decodedRGB.pixels[p * 4 + $0] } } == rgb)
    }

    @Test func badPNGsAreClearErrors() throws {
        let data = PNG.encode(image(20, 20))
        #expect(throws: PNGError.self) { try PNG.decode(Data(), file: "e.png") }
        #expect(throws: PNGError.self) { try PNG.decode(Data("not a png".utf8), file: "t.png") }
        #expect(throws: PNGError.self) { try PNG.decode(data.prefix(data.count / 2), file: "h.png") }
        // A header declaring 100000×100000 pixels is rejected before decoding.
        var huge = [UInt8](data)
        for (i, b) in [0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0].enumerated() { huge[16 + i] = UInt8(b) }
        // Fix the IHDR CRC so libpng reads the header rather than rejecting the checksum.
        let crc = crc32(huge[12..<29])
        for i in 0..<4 { huge[29 + i] = UInt8(crc >> (24 - 8 * i) & 0xFF) }
        #expect(throws: PNGError.tooLarge(file: "big.png", width: 100_000, height: 100_000)) {
            try PNG.decode(Data(huge), file: "big.png")
        }
        // 8192×8192 is within the side limit but not the area limit (found by fuzzing: a
        // few hundred bytes asked for 768 MB).
        for (i, b) in [0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20, 0x00].enumerated() { huge[16 + i] = UInt8(b) }
        let crc2 = crc32(huge[12..<29])
        for i in 0..<4 { huge[29 + i] = UInt8(crc2 >> (24 - 8 * i) & 0xFF) }
        #expect(throws: PNGError.tooLarge(file: "big.png", width: 8192, height: 8192)) {
            try PNG.decode(Data(huge), file: "big.png")
        }
        do { _ = try PNG.decode(Data("nope".utf8), file: "t.png") } catch {
            #expect(error.description.hasPrefix("t.png: error: not a readable PNG image: "))
        }
    }

    func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            c ^= UInt32(b)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        }
        return c ^ 0xFFFF_FFFF
    }

    @Test func bilinearResizeMatchesHandComputedPixels() {
        // 2×1 → 4×1 with centres aligned: x' = (x + ½)/2 − ½ → −0.25, 0.25, 0.75, 1.25.
        let up = Heatmap(width: 2, height: 1, values: [0, 1]).resized(width: 4, height: 1)
        #expect(up.values == [0, 0.25, 0.75, 1])
        // 4×4 → 2×2 averages 2×2 blocks' centres: samples at 0.5, 2.5.
        let down = Heatmap(width: 4, height: 4, values: (0..<16).map(Float.init)).resized(width: 2, height: 2)
        #expect(down.values == [2.5, 4.5, 10.5, 12.5])
    }

    @Test func nearestUpscalingKeepsPixelsCrisp() {
        let small = image(2, 2)
        let big = small.upscaled(by: 3)
        #expect(big.width == 6 && big.height == 6)
        #expect(big[5, 5] == small[1, 1])
        #expect(big[2, 0] == small[0, 0] && big[3, 0] == small[1, 0])
    }

    @Test func overlayBlendsPerChannel() {
        let base = RGBAImage(width: 1, height: 1, pixels: [100, 0, 200, 255])
        let top = RGBAImage(width: 1, height: 1, pixels: [200, 255, 0, 255])
        // 0.6·100 + 0.4·200 = 140; 0.4·255 = 102; 0.6·200 = 120
        #expect(base.blended(with: top, alpha: 0.4).pixels == [140, 102, 120, 255])
    }

    @Test func heatmapRendersThroughTheColormap() throws {
        let map = try #require(Colormap.named("gray"))
        let (img, low, high) = Heatmap(width: 3, height: 1, values: [2, 4, 6]).render(map, normalization: .minMax)
        #expect((low, high) == (2, 6))
        #expect(img[0, 0] == map.table[0] && img[1, 0] == map.table[128] && img[2, 0] == map.table[255])
    }

    @Test func gridPlacesImagesWithSpacing() {
        let a = RGBAImage(width: 2, height: 2, fill: .black)
        let grid = ImageGrid(columns: 2, spacing: 1, background: .white).compose([a, a, a])
        #expect((grid.width, grid.height) == (5, 5))
        #expect(grid[2, 0] == .white && grid[3, 0] == .black && grid[0, 3] == .black && grid[3, 3] == .white)
    }

    @Test func resizedModelInputIsLuminanceAreaAveraged() {
        var img = RGBAImage(width: 56, height: 56, fill: .black)
        for y in 0..<56 { for x in 28..<56 { img.setPixel(x, y, .white) } }
        let input = ModelInputImage(img, width: 28, height: 28, preparation: .resize)
        #expect(input.values.count == 784 && !input.inverted)
        #expect(input.values[0] == 0 && abs(input.values[27] - 1) < 1e-6)
        // Transparent pixels are paper: a clear sheet is an empty digit.
        let clear = RGBAImage(width: 28, height: 28, fill: RGBA(255, 255, 255, 0))
        #expect(ModelInputImage(clear, width: 28, height: 28, preparation: .resize).values.allSatisfy { $0 == 0 })
        #expect(ModelInputImage(clear, width: 28, height: 28, preparation: .mnist).values.allSatisfy { $0 == 0 })
    }
}

/// Decoding every PNG flavour authors drop into Content/images/, written by Pillow (and an
/// Adam7 file written by hand; Benchmarks/tools/png_fixtures.py): the same 4×3 picture.
@Suite struct PNGFormatTests {
    let gray: [UInt8] = [0, 64, 128, 255, 255, 128, 64, 0, 10, 20, 30, 40]

    func decode(_ name: String) throws -> RGBAImage {
        try PNG.read(path: PackagePaths.path("Tests/RenderTests/Fixtures/png/\(name).png"))
    }

    @Test func grayscaleFlavours() throws {
        for name in ["gray8", "gray16", "gray-alpha"] {
            let image = try decode(name)
            #expect(image.width == 4 && image.height == 3)
            for (i, g) in gray.enumerated() {
                let p = image[i % 4, i / 4]
                #expect(p.r == g && p.g == g && p.b == g, "\(name) pixel \(i): \(p)")
                #expect(p.a == (name == "gray-alpha" ? 200 : 255))
            }
        }
    }

    @Test func colorFlavours() throws {
        for name in ["rgb", "rgba", "interlaced"] {
            let image = try decode(name)
            for (i, g) in gray.enumerated() {
                #expect(
                    image[i % 4, i / 4] == RGBA(g, 255 - g, g / 2, name == "rgba" ? 200 : 255), "\(name) pixel \(i)")
            }
        }
        // A 16-colour palette holds the 12 colours exactly.
        let palette = try decode("palette")
        #expect((0..<12).allSatisfy { palette[$0 % 4, $0 / 4] == RGBA(gray[$0], 255 - gray[$0], gray[$0] / 2) })
    }

    @Test func modelInputFromAnAuthorsPNG() throws {
        // Luminance of the RGB picture, area-averaged from 4×3 to 28×28, in [0, 1]. Its mean
        // luminance is 0.512: light, so it is taken for dark ink on paper and inverted.
        let input = ModelInputImage(try decode("rgb"), width: 28, height: 28, preparation: .resize)
        #expect(input.values.count == 784 && input.values.allSatisfy { $0 >= 0 && $0 <= 1 })
        #expect(input.inverted)
        // The top-left output pixel lies inside source pixel (0, 0): luminance of (0, 255, 0).
        #expect(abs(input.values[0] - (1 - 0.587)) < 1e-3)
    }
}

/// JPEG files decode through libjpeg-turbo; PNG and JPEG are told apart by their bytes.
@Suite struct JPEGTests {
    static var redBlue: Data { TestImages.redBlueJPEG }

    @Test func decodesColours() throws {
        let image = try JPEG.decode(Self.redBlue, file: "x.jpg")
        #expect(image.width == 16 && image.height == 8)
        let left = Array(image.pixels[0..<4]), right = Array(image.pixels[(15 * 4)..<(16 * 4)])
        #expect(left[0] > 200 && left[2] < 60 && left[3] == 255, "\(left)")
        #expect(right[2] > 200 && right[0] < 60, "\(right)")
    }

    @Test("a CMYK JPEG (print's colour space) is an error that says so, not libjpeg's words")
    func cmykIsAClearError() throws {
        let data = TestImages.cmykJPEG
        #expect {
            try JPEG.decode(data, file: "c.jpg")
        } throws: { error in
            (error as? SourceError)?.description
                == "c.jpg: error: the JPEG is CMYK (a print colour space); save it as RGB or grayscale"
        }
    }

    @Test func damagedJPEGIsAnError() {
        #expect(throws: SourceError.self) { try JPEG.decode(Self.redBlue.prefix(40), file: "x.jpg") }
        #expect(throws: SourceError.self) { try JPEG.decode(Data([0xFF, 0xD8, 0xFF, 0x00]), file: "x.jpg") }
    }
}
