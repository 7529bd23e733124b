import CNN
import Explain
import Foundation
import Render
import Testing
import TestSupport

/// Where a layer's map lies on the input: receptive-field centres by default, stretched
/// (pytorch-grad-cam) on request, for the display, for deletion ranking and for Score-CAM.
@Suite struct PlacementTests {
    let model = tinyModel(seed: 5)
    let digit = ExplainedImage(pixels: sharedMNIST.test.images.samples(2..<3), label: sharedMNIST.test.labels[2])

    @Test func receptiveFieldCentresFollowTheLayers() {
        // conv 3×3 valid: centres at 1; two of them: 2; 2×2 pooling: 2 + 0.5, stride 2.
        #expect(
            model.receptiveFieldCentres(layer: 0)
                == ReceptiveFieldCentres(offsetX: 1, offsetY: 1, strideX: 1, strideY: 1))
        #expect(
            model.receptiveFieldCentres(layer: 1)
                == ReceptiveFieldCentres(offsetX: 2, offsetY: 2, strideX: 1, strideY: 1))
        #expect(
            model.receptiveFieldCentres(layer: 2)
                == ReceptiveFieldCentres(offsetX: 2.5, offsetY: 2.5, strideX: 2, strideY: 2))
        // `same` padding with stride 2 on 28 pixels pads nothing before (TensorFlow puts the
        // one extra pixel after), so window j covers pixels 2j…2j+2, centred on 2j + 1.
        let same = Conv2D(
            name: "s", inputShape: [28, 28, 1], filters: 2, kernelSize: (3, 3), strides: (2, 2), padding: .same,
            activation: .relu)
        let flat = Flatten(name: "f", inputShape: same.outputShape)
        let m = Model(
            name: "m", inputShape: [28, 28, 1],
            layers: [same, flat, Dense(name: "d", inputShape: flat.outputShape, units: 10)],
            seed: 1)
        #expect(
            m.receptiveFieldCentres(layer: 0) == ReceptiveFieldCentres(offsetX: 1, offsetY: 1, strideX: 2, strideY: 2))
    }

    @Test("receptive-field sizes grow by each window's span times the stride before it")
    func receptiveFieldSizes() {
        // 3×3: 3; two of them: 5; 2×2 pooling after them: 5 + 1 = 6.
        #expect(model.receptiveFieldSize(layer: 0) == (3, 3) && model.receptiveFieldSize(layer: 1) == (5, 5))
        #expect(model.receptiveFieldSize(layer: 2) == (6, 6))
        // A stride-2 3×3 then a 3×3: 3 + 2·2 = 7.
        let first = Conv2D(
            name: "a", inputShape: [28, 28, 1], filters: 2, kernelSize: (3, 3), strides: (2, 2), activation: .relu)
        let second = Conv2D(name: "b", inputShape: first.outputShape, filters: 2, kernelSize: (3, 3), activation: .relu)
        let flat = Flatten(name: "f", inputShape: second.outputShape)
        let m = Model(
            name: "m", inputShape: [28, 28, 1],
            layers: [first, second, flat, Dense(name: "d", inputShape: flat.outputShape, units: 10)], seed: 1)
        #expect(m.receptiveFieldSize(layer: 1) == (7, 7))
    }

    @Test("a unit's footprint: the share of its map above half the peak, and the peak's cell")
    func unitFootprint() {
        // 4×5: peak 8 at row 2, column 3; above 4: 8, 5 and 4.5 — 3 of 20 cells.
        var values = [Float](repeating: 1, count: 20)
        values[2 * 5 + 3] = 8
        values[0] = 5
        values[19] = 4.5
        values[7] = 4
        let footprint = UnitFootprint(Heatmap(width: 5, height: 4, values: values))
        #expect(footprint.activeShare == 3.0 / 20 && footprint.peakRow == 2 && footprint.peakColumn == 3)
        #expect(UnitFootprint(Heatmap(width: 2, height: 1, values: [-1, 0])).activeShare == 0)
    }

    @Test("maps correlate by Pearson's r; several images by the mean over their pairs")
    func correlations() {
        let a = Heatmap(width: 3, height: 1, values: [1, 2, 3])
        let b = Heatmap(width: 3, height: 1, values: [2, 4, 6])
        let c = Heatmap(width: 3, height: 1, values: [3, 2, 1])
        #expect(abs(mapCorrelation(a, b) - 1) < 1e-12 && abs(mapCorrelation(a, c) + 1) < 1e-12)
        // Pairs (a, b) 1, (a, c) −1, (b, c) −1: mean −1/3.
        #expect(abs(meanPairwiseCorrelation([a, b, c]) + 1.0 / 3) < 1e-12)
        #expect(mapCorrelation(a, Heatmap(width: 3, height: 1, values: [5, 5, 5])).isNaN)
    }

    @Test func aPeakSitsAtItsReceptiveFieldCentre() {
        var map = Heatmap(width: 24, height: 24, values: [Float](repeating: 0, count: 576))
        map.values[5 * 24 + 20] = 1  // row 5, column 20
        let placement = MapPlacement.centres(offsetX: 2, offsetY: 2, strideX: 1, strideY: 1)
        let placed = map.placed(placement, inputWidth: 28, inputHeight: 28, width: 28, height: 28)
        let peak = placed.values.indices.max { placed.values[$0] < placed.values[$1] }!
        #expect((peak / 28, peak % 28) == (7, 22))
        #expect(placed.values[peak] == 1)
        // Beyond the outermost centres the edge values hold: the 2-pixel border repeats them.
        #expect(placed[0, 0] == map[0, 0] && placed[27, 27] == map[23, 23])
        // Stretching moves it: column 20 of 24 lands at (20 + 0.5)·28/24 − 0.5 = 23.4, row 5 at 5.9.
        let stretched = map.resized(width: 28, height: 28)
        let moved = stretched.values.indices.max { stretched.values[$0] < stretched.values[$1] }!
        #expect(moved % 28 == 23 && moved / 28 == 6)
        // At display scale 4 the peak's display pixels straddle input pixel 22's centre.
        let big = map.placed(placement, inputWidth: 28, inputHeight: 28, width: 112, height: 112)
        let bigPeak = big.values.indices.filter { big.values[$0] == big.values.max()! }.map { $0 % 112 }
        #expect(bigPeak.allSatisfy { (87...90).contains($0) })
    }

    @Test func alignedCornersResizeAsPyTorchsUpsamplingBilinear2d() {
        let row = Heatmap(width: 2, height: 1, values: [0, 1]).resizedAligningCorners(width: 5, height: 1)
        #expect(row.values == [0, 0.25, 0.5, 0.75, 1])
        let grid = Heatmap(width: 2, height: 2, values: [0, 1, 2, 3]).resizedAligningCorners(width: 3, height: 3)
        #expect(grid.values == [0, 0.5, 1, 1, 1.5, 2, 2, 2.5, 3])
    }

    /// Score-CAM's channel weights computed here from its definition, with the masks made
    /// by `upsample` and min–max scaled.
    func scoreCAMWeights(upsample: (Heatmap) -> Heatmap, target: Int) -> [Float] {
        let a = model.outputs(digit.pixels, threads: 1)[1]  // conv2d_2, [1, 24, 24, 6]
        var logits: [Float] = []
        for k in 0..<6 {
            let channel = Heatmap(width: 24, height: 24, values: (0..<576).map { a.scalars[$0 * 6 + k] })
            let up = upsample(channel).values
            let (lo, hi) = (up.min()!, up.max()!)
            let mask = up.map { hi > lo ? ($0 - lo) / (hi - lo) : 0 }
            let masked = Tensor(shape: [1, 28, 28, 1], scalars: zip(digit.pixels.scalars, mask).map(*))
            logits.append(model.logits(masked).scalars[target])
        }
        let m = logits.max()!
        let e = logits.map { exp($0 - m) }
        return e.map { $0 / e.reduce(0, +) }
    }

    @Test func scoreCAMMasksFollowThePlacement() throws {
        let target = 4
        for upsampling in Upsampling.allCases {
            let e = try ScoreCAM().explain(
                digit, layer: "conv2d_2", target: .class(target), model: model, upsampling: upsampling)
            let weights = scoreCAMWeights(
                upsample: { channel in
                    switch upsampling {
                    case .stretch: channel.resizedAligningCorners(width: 28, height: 28)
                    case .receptiveField:
                        channel.placed(
                            .centres(offsetX: 2, offsetY: 2, strideX: 1, strideY: 1), inputWidth: 28, inputHeight: 28,
                            width: 28, height: 28)
                    }
                }, target: target)
            let a = model.outputs(digit.pixels, threads: 1)[1].scalars
            let expected = (0..<576).map { p in max((0..<6).reduce(Float(0)) { $0 + weights[$1] * a[p * 6 + $1] }, 0) }
            let scale = expected.max()!
            #expect(scale > 0)
            #expect(maxAbsDifference(e.map.values, expected) <= 1e-5 * scale, "\(upsampling)")
            #expect(
                e.placement
                    == (upsampling == .stretch ? .stretch : .centres(offsetX: 2, offsetY: 2, strideX: 1, strideY: 1)))
        }
    }

    @Test func theCatalogueAndDeletionCurvesUseThePlacement() throws {
        let entry = try #require(MethodCatalogue.named("gradcam"))
        let placed = try entry.explain(digit, target: .predicted, layer: "conv2d_2", model: model)
        let stretched = try entry.explain(
            digit, target: .predicted, layer: "conv2d_2",
            settings: MethodSettings(["upsample": "stretch"]), model: model)
        #expect(placed.map == stretched.map)
        #expect(placed.placement != stretched.placement)
        let curves = Faithfulness(steps: 8)
        let a = curves.curves(
            model: model, image: digit.pixels, map: placed.map, placement: placed.placement, targetClass: 1)
        let b = curves.curves(model: model, image: digit.pixels, map: placed.map, placement: .stretch, targetClass: 1)
        #expect(a.deletion != b.deletion)
        // Input-resolution maps are unaffected.
        let saliency = try #require(MethodCatalogue.named("vanilla")).explain(digit, target: .predicted, model: model)
        #expect(saliency.placement == .identity)
    }
}
