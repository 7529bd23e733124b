import CNN
import Render

/// Which LRP rule each affine layer gets: Zennit's composites (Kohlbrenner et al., 2020;
/// Montavon et al., 2019), the mixtures used in practice because no single rule suits
/// every depth.
public enum LRPComposite: String, Sendable, CaseIterable {
    /// ε everywhere (with a small ε, equal to input × gradient on a ReLU network).
    case epsilon
    /// z^B on the first convolution, γ on the other convolutions, ε on dense layers.
    case epsilonGammaBox = "epsilon-gamma-box"
    /// z⁺ on convolutions, ε on dense layers.
    case epsilonPlus = "epsilon-plus"
    /// As epsilon-plus, with the flat rule on the first convolution or dense layer.
    case epsilonPlusFlat = "epsilon-plus-flat"
    /// α = 2, β = 1 on convolutions, ε on dense layers.
    case epsilonAlpha2Beta1 = "epsilon-alpha2-beta1"
    /// As epsilon-alpha2-beta1, with the flat rule on the first layer.
    case epsilonAlpha2Beta1Flat = "epsilon-alpha2-beta1-flat"

    /// The rule for layer `index` of `model`, an affine layer.
    func rule(
        for index: Int, in model: Model, epsilon: Float, gamma: Float, inputRange: ClosedRange<Float>
    ) -> LRPRule {
        // A convolution: an affine layer over a window of a grid.
        func convolves(_ layer: any Layer) -> Bool {
            guard layer.propagation == .affine, case .window = layer.gridMapping else { return false }
            return true
        }
        let isConvolution = convolves(model.layers[index])
        let firstConvolution = model.layers.firstIndex(where: convolves)
        let firstAffine = model.layers.firstIndex { $0.propagation == .affine }
        switch self {
        case .epsilon:
            return .epsilon(epsilon)
        case .epsilonGammaBox:
            if index == firstConvolution { return .zBox(low: inputRange.lowerBound, high: inputRange.upperBound) }
            return isConvolution ? .gamma(gamma) : .epsilon(epsilon)
        case .epsilonPlus, .epsilonPlusFlat:
            if self == .epsilonPlusFlat && index == firstAffine { return .flat }
            return isConvolution ? .zPlus : .epsilon(epsilon)
        case .epsilonAlpha2Beta1, .epsilonAlpha2Beta1Flat:
            if self == .epsilonAlpha2Beta1Flat && index == firstAffine { return .flat }
            return isConvolution ? .alphaBeta(alpha: 2, beta: 1) : .epsilon(epsilon)
        }
    }
}

/// Layer-wise relevance propagation (Bach et al., 2015): the target's logit is handed down
/// layer by layer, each affine layer sharing its relevance among its inputs by the
/// composite's rule, so that (up to biases and stabilizers) the map's sum equals the
/// logit. The other layers follow Zennit's layer map: activations, batch normalization and
/// dropout pass relevance through unchanged; additions and average pooling share it in
/// proportion to each input's contribution (the Norm rule); max pooling, flattening and
/// padding route it as the gradient does. Multiplications have no rule and are refused.
public struct LRP: ExplanationMethod {
    public var composite: LRPComposite
    public var epsilon: Float
    public var gamma: Float
    /// The range of input values, for the z^B rule.
    public var inputRange: ClosedRange<Float>

    public init(
        composite: LRPComposite = .epsilonGammaBox, epsilon: Float = 1e-6, gamma: Float = 0.25,
        inputRange: ClosedRange<Float> = 0...1
    ) {
        self.composite = composite
        self.epsilon = epsilon
        self.gamma = gamma
        self.inputRange = inputRange
    }

    public var name: String { composite == .epsilon ? "lrp-epsilon" : "lrp-composite" }
    public var isSigned: Bool { true }

    /// Explains `image` for `target`; input attributions take no layer.
    public func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        let engine = GradientEngine(model: model, target: target)
        let values = NodeValues(model: model, input: image.pixels)
        let logits = values[model.layers.count - 1]
        let k = try engine.resolve(target, logits: logits[...], label: image.label)
        let relevance = try relevance(values, seed: model.targetSeed(k, subtract: target.subtracted))
        return Explanation(
            method: name, layer: nil, targetClass: k, map: model.inputMap(relevance[...]),
            isSigned: true, probabilities: softmax(Tensor(shape: [1, logits.count], scalars: logits)).scalars,
            contrastClass: target.subtracted)
    }

    /// The relevance of each input value (`batch` samples), starting from `seed ⊙ logits`.
    func relevance(_ values: NodeValues, seed: [Float]) throws(ExplainError) -> [Float] {
        let model = values.model, batch = values.batch, logits = values[model.layers.count - 1]
        let start = logits.indices.map { logits[$0] * seed[$0 % seed.count] }
        return try model.propagateBack(start, batch: batch) { (i, r) throws(ExplainError) in
            let layer = model.layers[i], inputs = values.inputs(of: i), parameters = values.parameters(of: i)
            if let affine = layer as? any AffineLayer {
                let rule = composite.rule(
                    for: i, in: model, epsilon: epsilon, gamma: gamma, inputRange: inputRange)
                return [rule.propagate(affine, input: inputs[0], parameters: parameters, relevance: r, batch: batch)]
            }
            switch layer.propagation {
            case .activation, .scaling:
                return [r]
            case .routing, .maximum:
                return layer.inputGradients(
                    at: inputs, parameters: parameters, outputGradient: r, batch: batch, threads: Parallelism.workers)
            case .sum:
                let y = values[i]
                let s = zip(r, y).map { r, y in r / (y + (y >= 0 ? LRPRule.stabilizer : -LRPRule.stabilizer)) }
                let g = layer.inputGradients(
                    at: inputs, parameters: parameters, outputGradient: s, batch: batch, threads: Parallelism.workers)
                return zip(inputs, g).map { x, g in zip(x, g).map(*) }
            case .product, .affine, .normalization:
                // (An affine layer that is not an AffineLayer has no rule either.)
                throw .unsupportedLayer(method: name, layer: layer.name, kind: layer.kind)
            }
        }
    }
}

extension Model {
    /// One image's input attributions (`[h, w, c]`) as an `h × w` map, channels summed.
    func inputMap(_ values: ArraySlice<Float>) -> Heatmap {
        channelSum(values, height: inputShape[0], width: inputShape[1], channels: inputShape[2])
    }
}
