import CNN
import Explain
import Render
import Testing
import TestSupport

/// A model small enough to explain by hand: a 3×3 one-channel image, a 1×1 convolution
/// with two filters (×1 and ×2, bias 0, linear), flatten, and a dense layer to two classes.
/// logit_c = Σ_{p,k} W[p·2 + k, c] · A[p, k] with A[p, 0] = x_p, A[p, 1] = 2·x_p.
struct HandModel {
    let model: Model
    let image: Tensor
    let dense: [Float]

    init() {
        let conv = Conv2D(name: "conv", inputShape: [3, 3, 1], filters: 2, kernelSize: (1, 1))
        let flat = Flatten(name: "flat", inputShape: conv.outputShape)
        let out = Dense(name: "out", inputShape: flat.outputShape, units: 2, activation: .softmax)
        var model = Model(name: "hand", inputShape: [3, 3, 1], layers: [conv, flat, out], seed: 1)
        model.parameters.set("conv/kernel", Tensor(shape: [1, 1, 1, 2], scalars: [1, 2]))
        model.parameters.set("conv/bias", Tensor(shape: [2], scalars: [0, 0]))
        // W[(p, k), c]: class 0 likes filter 0 at even pixels; class 1 is the negative.
        dense = (0..<18).flatMap { i -> [Float] in
            let p = i / 2, k = i % 2
            let w: Float = k == 0 ? (p % 2 == 0 ? 1 : -0.5) : 0.25
            return [w, -w]
        }
        model.parameters.set("out/kernel", Tensor(shape: [18, 2], scalars: dense))
        model.parameters.set("out/bias", Tensor(shape: [2], scalars: [0.1, -0.1]))
        self.model = model
        image = Tensor(shape: [1, 3, 3, 1], scalars: [0.1, 0.9, 0.2, 0.4, 1.0, 0.3, 0.0, 0.6, 0.5])
    }

    func w(_ p: Int, _ k: Int, _ c: Int) -> Float { dense[(p * 2 + k) * 2 + c] }
    func x(_ p: Int) -> Float { image.scalars[p] }
    func a(_ p: Int, _ k: Int) -> Float { x(p) * Float(k + 1) }
}

@Suite struct HandModelTests {
    let hand = HandModel()

    @Test func gradCAMByHand() throws {
        let e = try GradCAM().explain(
            ExplainedImage(pixels: hand.image), layer: "conv", target: .class(0), model: hand.model)
        // G[p, k] = W[p, k, 0]; w_k = mean_p G; map_p = ReLU(Σ_k w_k A[p, k]).
        let wk = (0..<2).map { k in (0..<9).reduce(Float(0)) { $0 + hand.w($1, k, 0) } / 9 }
        let expected = (0..<9).map { p in max(wk[0] * hand.a(p, 0) + wk[1] * hand.a(p, 1), 0) }
        #expect(e.map.width == 3 && e.map.height == 3)
        #expect(maxAbsDifference(e.map.values, expected) < 1e-6)
        #expect(e.targetClass == 0 && e.layer == "conv")
    }

    @Test func layerCAMByHand() throws {
        let e = try LayerCAM().explain(
            ExplainedImage(pixels: hand.image), layer: "conv", target: .class(0), model: hand.model)
        let expected = (0..<9).map { p in
            max((0..<2).reduce(Float(0)) { $0 + max(hand.w(p, $1, 0), 0) * hand.a(p, $1) }, 0)
        }
        #expect(maxAbsDifference(e.map.values, expected) < 1e-6)
    }

    @Test func gradCAMPlusPlusByHand() throws {
        let e = try GradCAMPlusPlus().explain(
            ExplainedImage(pixels: hand.image), layer: "conv", target: .class(1), model: hand.model)
        let wk = (0..<2).map { k -> Double in
            let sumA = (0..<9).reduce(0.0) { $0 + Double(hand.a($1, k)) }
            return (0..<9).reduce(0.0) { acc, p in
                let g = Double(hand.w(p, k, 1))
                guard g != 0 else { return acc }
                return acc + g * g / (2 * g * g + sumA * g * g * g + 1e-7) * max(g, 0)
            }
        }
        let expected = (0..<9).map { p in Float(max(wk[0] * Double(hand.a(p, 0)) + wk[1] * Double(hand.a(p, 1)), 0)) }
        #expect(maxAbsDifference(e.map.values, expected) < 1e-5)
    }

    @Test func scoreCAMWeightsAreASoftmaxOfMaskedScores() throws {
        let e = try ScoreCAM().explain(
            ExplainedImage(pixels: hand.image), layer: "conv", target: .class(0), model: hand.model)
        // Both channels are x scaled, so both masks are min–max(x) and score the same:
        // weights ½ each, map = ½(A0 + A1) = 1.5·x.
        let expected = (0..<9).map { 1.5 * hand.x($0) }
        #expect(maxAbsDifference(e.map.values, expected) < 1e-5)
    }

    @Test func vanillaAndInputTimesGradientByHand() throws {
        let image = ExplainedImage(pixels: hand.image)
        let g = try VanillaGradient().explain(image, target: .class(0), model: hand.model).map.values
        // d logit0 / d x_p = Σ_k W[p, k, 0] · (k + 1)
        let expected = (0..<9).map { p in hand.w(p, 0, 0) + 2 * hand.w(p, 1, 0) }
        #expect(maxAbsDifference(g, expected) < 1e-6)
        let ixg = try InputTimesGradient().explain(image, target: .class(0), model: hand.model).map.values
        #expect(maxAbsDifference(ixg, (0..<9).map { expected[$0] * hand.x($0) }) < 1e-6)
        let abs = try VanillaGradient(absolute: true).explain(image, target: .class(0), model: hand.model)
        #expect(abs.map.values == expected.map { Swift.abs($0) } && !abs.isSigned)
    }

    @Test func occlusionOfOnePixelRemovesItsContribution() throws {
        let e = try Occlusion(patch: 1, stride: 1, fill: 0).explain(
            ExplainedImage(pixels: hand.image), target: .class(0), model: hand.model)
        let expected = (0..<9).map { p in (hand.w(p, 0, 0) + 2 * hand.w(p, 1, 0)) * hand.x(p) }
        #expect(maxAbsDifference(e.map.values, expected) < 1e-5)
    }

    @Test func integratedGradientsOfALinearModelIsInputTimesGradient() throws {
        let image = ExplainedImage(pixels: hand.image)
        let ig = try IntegratedGradients(steps: 5).explain(image, target: .class(0), model: hand.model).map.values
        let ixg = try InputTimesGradient().explain(image, target: .class(0), model: hand.model).map.values
        #expect(maxAbsDifference(ig, ixg) < 1e-5)
    }

    @Test func targetsResolveAndAreChecked() throws {
        let image = ExplainedImage(pixels: hand.image, label: 1)
        let predicted = try GradCAM().explain(image, layer: "conv", target: .predicted, model: hand.model)
        let probabilities = predicted.probabilities
        #expect(predicted.targetClass == (probabilities[0] > probabilities[1] ? 0 : 1))
        #expect(try GradCAM().explain(image, layer: "conv", target: .trueLabel, model: hand.model).targetClass == 1)
        #expect(throws: ExplainError.classOutOfRange(5, classes: 2)) {
            try GradCAM().explain(image, layer: "conv", target: .class(5), model: hand.model)
        }
        #expect(throws: ExplainError.noLabel) {
            try VanillaGradient().explain(ExplainedImage(pixels: hand.image), target: .trueLabel, model: hand.model)
        }
        #expect(
            throws: ExplainError.unknownLayer("cnov", suggestion: "conv", layers: ["conv", "flat", "out"])
        ) {
            try GradCAM().explain(image, layer: "cnov", target: .predicted, model: hand.model)
        }
        #expect(throws: ExplainError.notSpatial("flat", [18])) {
            try GradCAM().explain(image, layer: "flat", target: .predicted, model: hand.model)
        }
    }

    @Test func guidedBackpropPassesOnlyPositiveGradients() throws {
        // x → Dense(2, ReLU, W = I) → Dense(2, W = [[1, 0], [-1, 0]]): logit0 = h0 − h1.
        let hidden = Dense(name: "h", inputShape: [2], units: 2, activation: .relu)
        let out = Dense(name: "o", inputShape: [2], units: 2)
        var model = Model(name: "g", inputShape: [2], layers: [hidden, out], seed: 1)
        model.parameters.values = [1, 0, 0, 1, 0, 0, 1, 0, -1, 0, 0, 0]
        let engine = GradientEngine(model: model)
        let x = Tensor(shape: [1, 2], scalars: [1, 1])
        #expect(engine.gradients(x, classes: [0]).gradients.scalars == [1, -1])
        #expect(engine.gradients(x, classes: [0], rule: .guided).gradients.scalars == [1, 0])
    }

    @Test func deconvnetPassesPositiveSignalsWhateverTheInput() throws {
        // x → Dense(3, ReLU, W = I) → Dense(2, W = [[1, 0], [-1, 0], [2, 0]]): logit0 = h0 − h1 + 2·h2,
        // with h2 switched off (x2 = −1).
        let hidden = Dense(name: "h", inputShape: [3], units: 3, activation: .relu)
        let out = Dense(name: "o", inputShape: [3], units: 2)
        var model = Model(name: "d", inputShape: [3], layers: [hidden, out], seed: 1)
        model.parameters.values = [1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, -1, 0, 2, 0, 0, 0]
        let engine = GradientEngine(model: model)
        let x = Tensor(shape: [1, 3], scalars: [1, 1, -1])
        #expect(engine.gradients(x, classes: [0]).gradients.scalars == [1, -1, 0])
        #expect(engine.gradients(x, classes: [0], rule: .guided).gradients.scalars == [1, 0, 0])
        // Deconvnet: max(dy, 0) through the ReLU, the switched-off unit included.
        #expect(engine.gradients(x, classes: [0], rule: .deconvnet).gradients.scalars == [1, 0, 2])
    }
}
