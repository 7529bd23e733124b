import CNN
import Render

/// DeepLIFT with the Rescale rule (Shrikumar et al., 2017, §3.5.1), as Captum's `DeepLift`
/// computes it: the input's difference from a reference `x'` times a multiplier carried
/// down like a gradient, except that each nonlinearity `f` multiplies by its secant
/// `(f(z) − f(z')) / (z − z')` instead of its slope (the slope where `|z − z'| < 1e-10`),
/// and max pooling hands each window's change to the input that won it. Attributions add
/// up to `F(x) − F(x')` exactly (summation-to-delta, the paper's eq. 1).
public struct DeepLIFT: ExplanationMethod {
    /// The reference x' as a constant pixel value (0: a black image, Captum's default).
    public var baseline: Float

    public init(baseline: Float = 0) { self.baseline = baseline }

    public var name: String { "deeplift" }
    /// Below this difference a secant is replaced by the slope (Captum's `eps`).
    static let tolerance: Float = 1e-10

    /// Explains `image` for `target`; input attributions take no layer.
    public func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        let size = model.inputShape.elementCount
        let reference = [Float](repeating: baseline, count: size)
        let values = NodeValues(
            model: model, input: Tensor(shape: [2] + model.inputShape, scalars: image.pixels.scalars + reference))
        let last = model.layers.count - 1, classes = model.classCount
        let logits = Array(values[last][0..<classes])
        let k = try GradientEngine(model: model).resolve(target, logits: logits[...], label: image.label)
        let multipliers = try self.multipliers(values, seed: model.targetSeed(k, subtract: target.subtracted))
        let attribution = (0..<size).map { multipliers[$0] * (image.pixels.scalars[$0] - reference[$0]) }
        return Explanation(
            method: name, layer: nil, targetClass: k, map: model.inputMap(attribution[...]), isSigned: true,
            probabilities: softmax(Tensor(shape: [1, classes], scalars: logits)).scalars,
            contrastClass: target.subtracted)
    }

    /// The multipliers of the input for one image, from `values` of the image and its
    /// reference (a batch of two).
    func multipliers(_ values: NodeValues, seed: [Float]) throws(ExplainError) -> [Float] {
        let model = values.model
        return try model.propagateBack(seed, batch: 1) { (i, m) throws(ExplainError) in
            let layer = model.layers[i], parameters = values.parameters(of: i)
            let both = values.inputs(of: i)
            let inputs = both.map { Array($0[0..<$0.count / 2]) },
                references = both.map { Array($0[($0.count / 2)...]) }
            func gradient(_ g: [Float], at x: [[Float]]) -> [[Float]] {
                layer.inputGradients(
                    at: x, parameters: parameters, outputGradient: g, batch: 1, threads: Parallelism.workers)
            }
            if let affine = layer as? any AffineLayer {
                let part = affine.affinePart
                let z = part.output(of: both, parameters: parameters, batch: 2, threads: Parallelism.workers)
                let dz = Self.rescale(m, activation: layer.activation, z: z)
                return part.inputGradients(
                    at: inputs, parameters: parameters, outputGradient: dz, batch: 1, threads: Parallelism.workers)
            }
            if layer.propagation == .activation {
                return [Self.rescale(m, activation: layer.activation, z: both[0])]
            }
            if layer.propagation == .maximum {
                // Captum's rule: the change max(y, y') − y' goes to the image's winner, the
                // rest (y − max(y, y'), at most 0) to the reference's.
                let y = Array(values[i][0..<m.count]), yRef = Array(values[i][m.count...])
                let top = zip(y, yRef).map { Swift.max($0, $1) }
                let toImage = (0..<m.count).map { m[$0] * (top[$0] - yRef[$0]) }
                let toReference = (0..<m.count).map { m[$0] * (y[$0] - top[$0]) }
                let shared = zip(gradient(toImage, at: inputs)[0], gradient(toReference, at: references)[0]).map(+)
                let slope = gradient(m, at: inputs)[0]
                let x = inputs[0], xRef = references[0]
                return [
                    x.indices.map { j in
                        let delta = x[j] - xRef[j]
                        return abs(delta) < Self.tolerance ? slope[j] : shared[j] / delta
                    }
                ]
            }
            switch layer.propagation {
            case .product, .affine, .activation, .maximum, .normalization:
                throw .unsupportedLayer(method: name, layer: layer.name, kind: layer.kind)
            case .scaling, .routing, .sum:
                return gradient(m, at: inputs)  // linear layers: multipliers are gradients
            }
        }
    }

    /// Multipliers across `activation` from its output's: times the secant between the
    /// image's pre-activations (first half of `z`) and the reference's (second half).
    static func rescale(_ m: [Float], activation: Activation, z: [Float]) -> [Float] {
        if activation == .linear || activation == .softmax { return m }
        let n = m.count, x = Array(z[0..<n]), xRef = Array(z[n...])
        let y = activation.values(x), yRef = activation.values(xRef), slope = activation.derivative(x)
        return (0..<n).map { j in
            let delta = x[j] - xRef[j]
            return m[j] * (abs(delta) < tolerance ? slope[j] : (y[j] - yRef[j]) / delta)
        }
    }

}
