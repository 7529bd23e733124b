import CNN
import Explain
import Render
import Testing
import TestSupport

/// Contrastive targets (`a-b`): every method that reads the target explains the difference
/// of two logits, which for gradients is the difference of their maps.
@Suite struct ContrastTests {
    static let model: Model = {
        let conv = Conv2D(name: "c", inputShape: [6, 6, 1], filters: 3, kernelSize: (3, 3), activation: .relu)
        let flat = Flatten(name: "f", inputShape: conv.outputShape)
        return Model(
            name: "small", inputShape: [6, 6, 1],
            layers: [conv, flat, Dense(name: "d", inputShape: flat.outputShape, units: 3)], seed: 4)
    }()
    static let image = ExplainedImage(pixels: randomTensor([1, 6, 6, 1], seed: 5, low: 0, high: 1), label: 1)

    @Test func parsing() {
        #expect(Target("4-9") == .contrast(4, 9))
        #expect(Target("4-9")?.description == "4-9" && Target("4-9")?.subtracted == 9)
        #expect(Target("4-") == nil && Target("-9") == .class(-9))
    }

    @Test func gradientOfADifferenceIsTheDifferenceOfGradients() throws {
        let vanilla = VanillaGradient()
        let contrast = try vanilla.explain(Self.image, target: .contrast(0, 2), model: Self.model)
        let a = try vanilla.explain(Self.image, target: .class(0), model: Self.model).map.values
        let b = try vanilla.explain(Self.image, target: .class(2), model: Self.model).map.values
        #expect(contrast.targetClass == 0 && contrast.contrastClass == 2)
        #expect(maxAbsDifference(contrast.map.values, zip(a, b).map { $0 - $1 }) < 1e-6)
        // Occlusion's drops are of the logit difference, so its map subtracts the same way.
        let occlusion = Occlusion(patch: 2, stride: 2)
        let oc = try occlusion.explain(Self.image, target: .contrast(0, 2), model: Self.model).map.values
        let oa = try occlusion.explain(Self.image, target: .class(0), model: Self.model).map.values
        let ob = try occlusion.explain(Self.image, target: .class(2), model: Self.model).map.values
        #expect(maxAbsDifference(oc, zip(oa, ob).map { $0 - $1 }) < 1e-5)
    }

    /// Grad-CAM of a contrast weights each channel by the mean of the difference of the
    /// two classes' gradients, computed here from two separate passes.
    @Test func gradCAMOfAContrast() throws {
        let engine = GradientEngine(model: Self.model)
        let a = engine.gradients(Self.image.pixels, classes: [0], at: 0)
        let b = engine.gradients(Self.image.pixels, classes: [1], at: 0)
        let (hw, c) = (16, 3)
        var expected = [Float](repeating: 0, count: hw)
        for k in 0..<c {
            var weight: Float = 0
            for p in 0..<hw { weight += (a.gradients.scalars[p * c + k] - b.gradients.scalars[p * c + k]) / Float(hw) }
            for p in 0..<hw { expected[p] += weight * a.activations.scalars[p * c + k] }
        }
        expected = expected.map { max($0, 0) }
        #expect(expected.contains { $0 > 0 }, "a case where the contrast map is not all zero")
        let e = try GradCAM().explain(Self.image, layer: "c", target: .contrast(0, 1), model: Self.model)
        #expect(maxAbsDifference(e.map.values, expected) < 1e-5 * max(1, expected.max()!))
    }

    @Test func contrastsThatMeanNothingAreErrors() {
        #expect(throws: ExplainError.contrastUnsupported(method: "eigencam")) {
            try EigenCAM().explain(Self.image, layer: "c", target: .contrast(0, 1), model: Self.model)
        }
        #expect(throws: ExplainError.contrastOfOneClass(1)) {
            try VanillaGradient().explain(Self.image, target: .contrast(1, 1), model: Self.model)
        }
        #expect(throws: ExplainError.classOutOfRange(7, classes: 3)) {
            try VanillaGradient().explain(Self.image, target: .contrast(0, 7), model: Self.model)
        }
    }
}
