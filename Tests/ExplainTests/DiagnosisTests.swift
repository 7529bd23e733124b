import CNN
import Render
import Testing
import TestSupport

@testable import Explain

/// The intervention behind a diagnosis, on a linear model whose every answer is known:
/// logit₀ = 2x₀ + 0.5x₁, logit₁ = 0.2x₀ + 0.3x₁ + x₂ + 1.5 on a 2×2 image [1, 1, 0, 0] of
/// label 1. It scores 2.5 against 2.0, a mistake; erasing x₀ (0.5 vs 1.8) or painting x₂
/// (2.5 vs 3.0) turns it, and nothing else does alone.
@Suite struct DiagnosisTests {
    static let model: Model = {
        let flat = Flatten(name: "f", inputShape: [2, 2, 1])
        var model = Model(
            name: "linear", inputShape: [2, 2, 1], layers: [flat, Dense(name: "d", inputShape: [4], units: 2)], seed: 1)
        model.parameters.set("d/kernel", Tensor(shape: [4, 2], scalars: [2, 0.2, 0.5, 0.3, 0, 1, 0, 0]))
        model.parameters.set("d/bias", Tensor(shape: [2], scalars: [0, 1.5]))
        return model
    }()
    static let image = ExplainedImage(pixels: Tensor(shape: [1, 2, 2, 1], scalars: [1, 1, 0, 0]), label: 1)

    /// A method whose map is given.
    struct FixedMap: ExplanationMethod {
        let values: [Float]
        func explain(_ image: ExplainedImage, target: Target, layer: String?, model: Model) -> Explanation {
            Explanation(
                method: "fixed", layer: nil, targetClass: 0, map: Heatmap(width: 2, height: 2, values: values),
                isSigned: true, probabilities: [], contrastClass: target.subtracted)
        }
    }

    func run(_ map: [Float], controls: Int = 0) throws -> Diagnosis.Result {
        try Diagnosis(method: FixedMap(values: map), budget: 4, controls: controls).run(Self.image, model: Self.model)
    }

    @Test func erasingTheMarkedInkTurnsTheDecision() throws {
        let r = try run([1.8, 0.2, 0, 0])
        #expect(r.predicted == 0 && r.rival == 1)
        #expect(r.pixelsNeeded == 1 && r.changed == 1 && r.erased == 1 && r.painted == 0)
        #expect(r.edited.scalars == [0, 1, 0, 0] && r.changedPixels == [0] && r.erasedPixels == [0])
        let after = softmax(Tensor(shape: [1, 2], scalars: [0.5, 1.8])).scalars
        #expect(zip(r.probabilitiesAfter, after).allSatisfy { abs($0 - $1) < 1e-6 })
        let before = softmax(Tensor(shape: [1, 2], scalars: [2.5, 2.0])).scalars
        #expect(abs(r.rivalCurve[0] - before[1]) < 1e-6 && abs(r.rivalCurve[1] - after[1]) < 1e-6)
        #expect(r.verdict == .extraInk)
    }

    @Test func paintingTheMarkedGapTurnsTheDecision() throws {
        let r = try run([0, 0, 1, 0])
        #expect(r.pixelsNeeded == 1 && r.erased == 0 && r.painted == 1)
        #expect(r.edited.scalars == [1, 1, 1, 0])
        #expect(r.verdict == .missingInk)
    }

    @Test func aMapThatMarksNeitherCauseDoesNotLocalizeIt() throws {
        // Pixel 3 (no weight), then pixel 1 (2.0 vs 1.7): still class 0; only the two
        // positive pixels are tried.
        let r = try run([0, 0.5, 0, 0.7])
        #expect(r.pixelsNeeded == nil && r.changed == 2 && r.changedPixels == [3, 1])
        #expect(r.edited.scalars == [1, 0, 0, 1])
        #expect(r.verdict == .notLocalized)
    }

    @Test func theRandomControlDecidesWhetherTheMapBeatsChance() throws {
        let r = try run([1.8, 0.2, 0, 0], controls: 25)
        #expect(r.randomPixelsNeeded.count == 25)
        // A random order turns it at the first of pixels 0 and 2 it reaches (half the orders
        // start with one of them), so the median order needs one or two pixels.
        #expect(r.randomPixelsNeeded.allSatisfy { $0 != nil && (1...3).contains($0!) })
        #expect(r.randomPixelsNeeded.contains(1) && r.randomPixelsNeeded.contains { $0! > 1 })
        #expect(r.verdict == (r.randomMedian! <= 1 ? .noBetterThanRandom : .extraInk))
        #expect(try run([1.8, 0.2, 0, 0], controls: 25).randomPixelsNeeded == r.randomPixelsNeeded, "seeded")
    }
}
