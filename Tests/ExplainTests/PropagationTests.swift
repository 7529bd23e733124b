import CNN
import Testing
import TestSupport

@testable import Explain

/// LRP, DeepLIFT and GradientSHAP: each rule on a case worked by hand, and the whole
/// methods on their defining properties (conservation, summation-to-delta).
@Suite struct PropagationTests {
    /// `z = 3 x₁ − x₂`, one dense layer without bias.
    static let dense = Dense(name: "d", inputShape: [2], units: 1, useBias: false)
    static let kernel: [Float] = [3, -1]

    static func relevance(_ rule: LRPRule, _ x: [Float]) -> [Float] {
        let z = zip(x, kernel).map(*).reduce(0, +)
        return rule.propagate(dense, input: x, parameters: kernel, relevance: [z], batch: 1)
    }

    /// The rules on `x = (1, 2)`, `z = 1`, relevance 1, as Montavon et al. (2019) write them.
    @Test func rulesOnOneLayerByHand() {
        // ε → 0: each input's share of z, x_i w_i / z.
        #expect(maxAbsDifference(Self.relevance(.epsilon(0), [1, 2]), [3, -2]) < 1e-5)
        // z⁺: only the positive contribution 3 counts.
        #expect(maxAbsDifference(Self.relevance(.zPlus, [1, 2]), [1, 0]) < 1e-5)
        // α2β1: 2 × (3 / 3) for x₁, −1 × (−2 / −2) for x₂.
        #expect(maxAbsDifference(Self.relevance(.alphaBeta(alpha: 2, beta: 1), [1, 2]), [2, -1]) < 1e-5)
        // γ = 0.25 where z > 0: weights 3.75 and −1, z_γ = 1.75.
        #expect(maxAbsDifference(Self.relevance(.gamma(0.25), [1, 2]), [3.75 / 1.75, -2 / 1.75]) < 1e-5)
        // Flat: half each, whatever the weights.
        #expect(maxAbsDifference(Self.relevance(.flat, [1, 2]), [0.5, 0.5]) < 1e-5)
        // z^B on [0, 1] at x = (1, 0.5): z = 2.5, denominator 2.5 − 0 − (−1) = 3.5,
        // R = (3, 0.5) · 2.5 / 3.5.
        let s: Float = 2.5 / 3.5
        #expect(maxAbsDifference(Self.relevance(.zBox(low: 0, high: 1), [1, 0.5]), [3 * s, 0.5 * s]) < 1e-5)
    }

    /// A bias-free ReLU network with max pooling and a residual addition.
    static let network: Model = {
        let c1 = Conv2D(
            name: "c1", inputShape: [8, 8, 1], filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu,
            useBias: false)
        let c2 = Conv2D(
            name: "c2", inputShape: c1.outputShape, filters: 4, kernelSize: (3, 3), padding: .same, activation: .relu,
            useBias: false)
        let add = Add(name: "add", inputShapes: [c1.outputShape, c2.outputShape])
        let pool = MaxPool2D(name: "pool", inputShape: add.outputShape, poolSize: (2, 2))
        let flat = Flatten(name: "flat", inputShape: pool.outputShape)
        let d1 = Dense(name: "d1", inputShape: flat.outputShape, units: 6, activation: .relu, useBias: false)
        let d2 = Dense(name: "d2", inputShape: [6], units: 3, useBias: false)
        return Model(
            name: "bias-free", inputShape: [8, 8, 1], layers: [c1, c2, add, pool, flat, d1, d2],
            inputs: [[-1], [0], [0, 1], [2], [3], [4], [5]], seed: 11)
    }()
    static let image = ExplainedImage(pixels: randomTensor([1, 8, 8, 1], seed: 12, low: 0, high: 1))

    /// Without biases, every composite hands the input exactly the logit it started from.
    @Test(arguments: LRPComposite.allCases)
    func lrpConservesRelevanceWithoutBiases(_ composite: LRPComposite) throws {
        let logits = Self.network.logits(Self.image.pixels).scalars
        let k = logits[...].offsetOfMax
        #expect(logits[k] > 0.01, "a positive logit to conserve")
        let e = try LRP(composite: composite).explain(Self.image, target: .class(k), layer: nil, model: Self.network)
        let total = e.map.values.reduce(0, +)
        #expect(abs(total - logits[k]) < 1e-3 * abs(logits[k]), "\(composite): \(total) vs \(logits[k])")
    }

    /// With a tiny ε, LRP-ε on a ReLU network is input × gradient (Ancona et al., 2018).
    @Test func lrpEpsilonIsInputTimesGradient() throws {
        let lrp = try LRP(composite: .epsilon, epsilon: 1e-9).explain(
            Self.image, target: .class(1), layer: nil, model: Self.network)
        let ixg = try InputTimesGradient().explain(Self.image, target: .class(1), model: Self.network)
        #expect(maxAbsDifference(lrp.map.values, ixg.map.values) < 1e-4 * ixg.map.values.map(abs).max()!)
    }

    /// `y = ReLU(2 x₁ − x₂ − 0.5)` against the reference 0: z' = −0.5, so at x = (1, 0.5)
    /// (z = 1) the secant is (1 − 0) / (1 + 0.5) and the attributions are 2/1.5 · 1 and
    /// −1/1.5 · 0.5, summing to y(x) − y(0) = 1, where the gradient would give 2 and −0.5.
    @Test func deepLIFTRescaleByHand() throws {
        let flat = Flatten(name: "f", inputShape: [1, 2, 1])
        let hidden = Dense(name: "h", inputShape: [2], units: 1, activation: .relu)
        var model = Model(
            name: "one-unit", inputShape: [1, 2, 1],
            layers: [flat, hidden, Dense(name: "o", inputShape: [1], units: 1, useBias: false)], seed: 1)
        model.parameters.set("h/kernel", Tensor(shape: [2, 1], scalars: [2, -1]))
        model.parameters.set("h/bias", Tensor(shape: [1], scalars: [-0.5]))
        model.parameters.set("o/kernel", Tensor(shape: [1, 1], scalars: [1]))
        let image = ExplainedImage(pixels: Tensor(shape: [1, 1, 2, 1], scalars: [1, 0.5]))
        let e = try DeepLIFT().explain(image, target: .class(0), layer: nil, model: model)
        #expect(maxAbsDifference(e.map.values, [2 / 1.5, -0.5 / 1.5]) < 1e-6)
    }

    /// Summation-to-delta (Shrikumar et al., 2017, eq. 1) through convolutions, a residual
    /// addition, max pooling and biases, for a class and for a contrast.
    @Test func deepLIFTSumsToTheDifferenceFromTheReference() throws {
        var model = Self.network
        model = Model(
            name: "biased", inputShape: model.inputShape,
            layers: model.layers.map { layer in
                if let c = layer as? Conv2D {
                    return Conv2D(
                        name: c.name, inputShape: c.inputShape, filters: c.filters, kernelSize: c.kernelSize,
                        pads: c.pads, activation: .relu)
                }
                if let d = layer as? Dense {
                    return Dense(name: d.name, inputShape: d.inputShape, units: d.units, activation: d.activation)
                }
                return layer
            }, inputs: model.inputs, seed: 13)
        for entry in model.parameters.entries where entry.key.hasSuffix("bias") {
            model.parameters.set(entry.key, randomTensor(entry.shape, seed: UInt64(entry.offset), low: -0.2, high: 0.2))
        }
        let reference = Tensor(shape: [1, 8, 8, 1], scalars: [Float](repeating: 0.3, count: 64))
        let x = model.logits(Self.image.pixels).scalars, r = model.logits(reference).scalars
        for target in [Target.class(0), .class(2), .contrast(1, 0)] {
            let e = try DeepLIFT(baseline: 0.3).explain(Self.image, target: target, layer: nil, model: model)
            let k = e.targetClass, b = target.subtracted
            let delta = (x[k] - r[k]) - (b.map { x[$0] - r[$0] } ?? 0)
            let total = e.map.values.reduce(0, +)
            #expect(abs(total - delta) < 1e-4 * max(1, abs(delta)), "\(target): \(total) vs \(delta)")
        }
    }

    @Test func methodsWithoutARuleForALayerSayWhich() throws {
        let a = Dense(name: "a", inputShape: [4], units: 4), b = Dense(name: "b", inputShape: [4], units: 4)
        let flat = Flatten(name: "f", inputShape: [2, 2, 1])
        let product = Multiply(name: "gate", inputShapes: [[4], [4]])
        let model = Model(
            name: "gated", inputShape: [2, 2, 1],
            layers: [flat, a, b, product, Dense(name: "o", inputShape: [4], units: 2)],
            inputs: [[-1], [0], [0], [1, 2], [3]], seed: 2)
        let image = ExplainedImage(pixels: randomTensor([1, 2, 2, 1], seed: 3))
        for method in ["lrp-epsilon", "deeplift"] {
            #expect(throws: ExplainError.unsupportedLayer(method: method, layer: "gate", kind: "Multiply")) {
                try MethodCatalogue.named(method)!.explain(image, target: .class(0), model: model)
            }
        }
    }

    /// On a linear model the gradient is the weights everywhere, so GradientSHAP with one
    /// background image is exactly `W ⊙ (x − x')`, whatever α each sample draws.
    @Test func gradientSHAPOnALinearModel() throws {
        let flat = Flatten(name: "f", inputShape: [2, 2, 1])
        var model = Model(
            name: "linear", inputShape: [2, 2, 1], layers: [flat, Dense(name: "d", inputShape: [4], units: 2)],
            seed: 1)
        model.parameters.set("d/kernel", Tensor(shape: [4, 2], scalars: [1, 0, -2, 0, 0.5, 0, 3, 0]))
        let x: [Float] = [0.2, 0.4, 0.6, 0.8], reference: [Float] = [0.1, 0.1, 0.5, 0.5]
        var image = ExplainedImage(pixels: Tensor(shape: [1, 2, 2, 1], scalars: x))
        image.background = BackgroundImages(Tensor(shape: [1, 2, 2, 1], scalars: reference))
        let e = try GradientSHAP(samples: 7).explain(image, target: .class(0), layer: nil, model: model)
        #expect(maxAbsDifference(e.map.values, [1 * 0.1, -2 * 0.3, 0.5 * 0.1, 3 * 0.3]) < 1e-6)
        // With several references, the sum is F(x) minus the mean of the drawn references' F.
        let many = randomTensor([20, 2, 2, 1], seed: 9, low: 0, high: 1)
        image.background = BackgroundImages(many)
        let spread = try GradientSHAP(samples: 400).explain(image, target: .class(0), layer: nil, model: model)
        let f = model.logits(image.pixels).scalars[0]
        let meanReference = (0..<20).map { model.logits(many.samples($0..<($0 + 1))).scalars[0] }.reduce(0, +) / 20
        #expect(abs(spread.map.values.reduce(0, +) - (f - meanReference)) < 0.15)
    }
}

/// HiResCAM and XGradCAM from activations and gradients chosen by hand.
@Suite struct CAMVariantTests {
    /// Two locations, two channels: A = [[1, 2], [3, 0]], G = [[1, −1], [2, 4]].
    static func context() -> CAMContext {
        let model = Model(
            name: "m", inputShape: [1, 2, 2],
            layers: [Conv2D(name: "c", inputShape: [1, 2, 2], filters: 2, kernelSize: (1, 1))], seed: 1)
        return CAMContext(
            activations: [1, 2, 3, 0], gradients: [1, -1, 2, 4], height: 1, width: 2, channels: 2,
            image: Tensor(shape: [1, 1, 2, 2]), targetClass: 0, layer: 0, engine: GradientEngine(model: model))
    }

    @Test func hiResCAMSumsGradientTimesActivation() {
        // Location 0: 1·1 + 2·(−1) = −1 → 0; location 1: 3·2 + 0·4 = 6.
        #expect(HiResCAM().map(Self.context()).values == [0, 6])
    }

    @Test func xGradCAMWeighsGradientsByActivationShares() {
        // Channel 0: (1·1 + 3·2) / 4 = 1.75; channel 1: (2·(−1) + 0) / 2 = −1.
        let w = XGradCAM().weights(Self.context())
        #expect(abs(w[0] - 1.75) < 1e-6 && abs(w[1] + 1) < 1e-6)
        // Map: ReLU(1.75·1 − 2, 1.75·3 − 0) = (0, 5.25).
        #expect(maxAbsDifference(XGradCAM().map(Self.context()).values, [0, 5.25]) < 1e-6)
    }
}
