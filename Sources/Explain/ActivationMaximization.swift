import CNN
import Common
import Render

/// Activation maximization (Erhan et al., 2009; as keras-vis's `visualize_activation` and
/// tf-keras-vis's `ActivationMaximization`): gradient ascent on the input from a seeded
/// start, maximizing one unit — a conv filter's mean activation, or a dense unit / class
/// logit — minus regularizers. A dense unit is taken before its ReLU (as keras-vis swaps
/// the last activation for a linear one). A conv filter is taken after it, since before
/// it a first-layer filter's objective is linear and its maximum a flat image; its start
/// image is uniform noise over the whole range, so that some of its positions respond.
///
///     objective(x) = unit(jitter(x)) − l2 · ‖x‖²
///                    − tv · Σ (x[i+1,j] − x[i,j])² + (x[i,j+1] − x[i,j])²
///
/// Each step moves `x` by `learningRate · ∇ / rms(∇)` (the step normalization of the
/// PyTorch anchor and tf-keras-vis), then clips it to [0, 1]. The same seed gives the same image.
/// `x` is a picture, values in [0, 1] per channel; the model is fed it normalized as its
/// sidecar says (pixel / 255 by default, where the two are the same), so a colour model's
/// result is a colour picture in the range its inputs were made from.
public struct ActivationMaximization: Sendable {
    public var steps: Int
    public var learningRate: Float
    public var l2: Float
    public var totalVariation: Float
    /// Largest random shift, in pixels, applied before each forward pass.
    public var jitter: Int
    public var seed: UInt64

    public init(
        steps: Int = 256, learningRate: Float = 0.05, l2: Float = 0.001, totalVariation: Float = 0.05,
        jitter: Int = 1, seed: UInt64 = 0
    ) {
        self.steps = steps
        self.learningRate = learningRate
        self.l2 = l2
        self.totalVariation = totalVariation
        self.jitter = jitter
        self.seed = seed
    }

    /// The result: the image and the unit's value on it (without regularizers).
    public struct Result: Sendable {
        /// The picture's channels averaged: the image of a gray model.
        public let image: Heatmap
        public let activation: Float
        /// The picture, `[h, w, c]` values in [0, 1].
        public let pixels: [Float]
        public let channels: Int

        /// The picture in colour for a three-channel model, nil for a gray one.
        public var colour: RGBAImage? {
            channels == 3 ? RGBAImage(unit: pixels, width: image.width, height: image.height, channels: 3) : nil
        }
    }

    /// Maximizes unit `unit` (filter or class) of `layer`, feeding the model the picture
    /// normalized by `normalization`.
    public func maximize(
        _ model: Model, layer: String, unit: Int, normalization: InputNormalization = .standard
    ) throws(ExplainError) -> Result {
        let index = try model.requireLayer(layer)
        let model = model.withLinearActivation(at: index)
        let shape = model.layers[index].outputShape, units = shape.last!
        guard (0..<units).contains(unit) else { throw .classOutOfRange(unit, classes: units) }
        let input = model.inputShape, (h, w, c) = (input[0], input[1], input[2]), size = h * w * c
        // A map's positions: an image's cells, a transformer's patch tokens (the class token
        // skipped), one for a vector.
        let layout = model.spatialLayout(layer: index), skipped = layout?.skipped ?? 0
        let positions = layout.map { $0.shape[0] * $0.shape[1] } ?? 1
        // d objective / d output: the sum over positions of channel `unit`. (The sum, not
        // the mean, so a filter's gradient per pixel has the scale of a logit's and the
        // regularizer weights mean the same for filters and classes; the mean is reported.)
        var seedGradient = Tensor(shape: [1] + shape)
        for p in 0..<positions { seedGradient.scalars[skipped + p * units + unit] = 1 }

        var random = SeededRandom(seed: seed, stream: 0xAC7)
        // A map's feature starts from noise, a class or dense unit from grey.
        var x = (0..<size).map { _ in layout != nil ? random.nextUnit() : 0.4 + 0.2 * random.nextUnit() }
        let workspace = Workspace(model: model, capacity: 1)
        let threads = Parallelism.workers
        var shifted = [Float](repeating: 0, count: size)
        for _ in 0..<steps {
            let dy = jitter > 0 ? Int(random.next() % UInt64(2 * jitter + 1)) - jitter : 0
            let dx = jitter > 0 ? Int(random.next() % UInt64(2 * jitter + 1)) - jitter : 0
            Self.roll(x, into: &shifted, h: h, w: w, c: c, dy: dy, dx: dx)
            workspace.setInput(Tensor(shape: [1] + input, scalars: normalization.normalize(shifted, channels: c)))
            model.forward(workspace, batch: 1, through: index, threads: threads)
            workspace.setGradient(of: index, seedGradient)
            model.backward(workspace, batch: 1, from: index, to: -1, threads: threads)
            var g = normalization.pullBack(workspace.gradient(of: -1, batch: 1, shape: input).scalars, channels: c)
            Self.roll(g, into: &shifted, h: h, w: w, c: c, dy: -dy, dx: -dx)
            g = shifted
            // Regularizer gradients: −2·l2·x, and the total-variation term's.
            for i in 0..<size { g[i] -= 2 * l2 * x[i] }
            if totalVariation > 0 { addTotalVariationGradient(x, into: &g, h: h, w: w, c: c) }
            let rms = (g.reduce(0) { $0 + $1 * $1 } / Float(size)).squareRoot()
            guard rms > 0 else { break }
            for i in 0..<size { x[i] = min(max(x[i] + learningRate * g[i] / rms, 0), 1) }
        }
        workspace.setInput(Tensor(shape: [1] + input, scalars: normalization.normalize(x, channels: c)))
        model.forward(workspace, batch: 1, through: index, threads: threads)
        let out = workspace.output(of: index, batch: 1, shape: shape).scalars
        let value = (0..<positions).reduce(Float(0)) { $0 + out[skipped + $1 * units + unit] } / Float(positions)
        return Result(
            image: channelSum(x[...], height: h, width: w, channels: c), activation: value, pixels: x, channels: c)
    }

    /// − tv · ∂/∂x Σ (neighbour differences)².
    private func addTotalVariationGradient(_ x: [Float], into g: inout [Float], h: Int, w: Int, c: Int) {
        for y in 0..<h {
            for col in 0..<w {
                for ch in 0..<c {
                    let i = (y * w + col) * c + ch
                    if y + 1 < h {
                        let d = x[i + w * c] - x[i]; g[i] += 2 * totalVariation * d;
                        g[i + w * c] -= 2 * totalVariation * d
                    }
                    if col + 1 < w {
                        let d = x[i + c] - x[i]; g[i] += 2 * totalVariation * d; g[i + c] -= 2 * totalVariation * d
                    }
                }
            }
        }
    }

    /// Shifts an image by (dy, dx) pixels with wrap-around.
    static func roll(_ x: [Float], into out: inout [Float], h: Int, w: Int, c: Int, dy: Int, dx: Int) {
        for y in 0..<h {
            let sy = ((y - dy) % h + h) % h
            for col in 0..<w {
                let sx = ((col - dx) % w + w) % w
                for ch in 0..<c { out[(y * w + col) * c + ch] = x[(sy * w + sx) * c + ch] }
            }
        }
    }
}

extension Model {
    /// The same model with dense layer `index`'s ReLU replaced by the identity (with
    /// `convolutions`, a convolution's too; other layers are returned unchanged), weights
    /// copied.
    func withLinearActivation(at index: Int, convolutions: Bool = false) -> Model {
        var layers = self.layers
        switch layers[index] {
        case let dense as Dense where dense.activation == .relu:
            layers[index] = Dense(
                name: dense.name, inputShape: dense.inputShape, units: dense.units, activation: .linear,
                useBias: dense.useBias)
        case let conv as Conv2D where convolutions && conv.activation == .relu:
            layers[index] = conv.affinePart
        default:
            return self
        }
        var copy = Model(
            name: name, inputShape: inputShape, layers: layers, inputs: inputs, training: training, seed: 0)
        copy.parameters = parameters
        return copy
    }
}
