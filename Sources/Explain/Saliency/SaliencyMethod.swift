import CNN
import Render

/// A method that attributes a class score to the input pixels.
public protocol SaliencyMethod: ExplanationMethod {
    /// The name as the command line spells it.
    var name: String { get }
    /// Whether the map is signed.
    var isSigned: Bool { get }
    /// The attribution map (input height × width, channels summed) for `targetClass`.
    func attribute(_ image: Tensor, targetClass: Int, engine: GradientEngine) -> Heatmap
    /// For methods made of one gradient pass: the map from that pass's input gradient.
    /// Nil for methods that need passes of their own.
    func map(fromInputGradient gradient: Tensor, image: Tensor, shape: [Int]) -> Heatmap?
    /// How the one pass takes ReLUs back (guided backpropagation and deconvnet replace
    /// their gradient).
    var backwardRule: ReLUBackwardRule { get }
    /// Whether `map(fromInputGradient:)` gives the map (one gradient pass suffices).
    var isSinglePass: Bool { get }
}

extension SaliencyMethod {
    /// Explains `image` for `target`.
    public func map(fromInputGradient gradient: Tensor, image: Tensor, shape: [Int]) -> Heatmap? { nil }
    public var backwardRule: ReLUBackwardRule { .gradient }
    public var isSinglePass: Bool { false }

    /// Input attributions take no layer; `layer` is ignored.
    public func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        try explain(image, target: target, model: model)
    }

    public func explain(_ image: ExplainedImage, target: Target, model: Model) throws(ExplainError) -> Explanation {
        let engine = GradientEngine(model: model, target: target)
        if isSinglePass {
            // One forward pass picks the class, its backward pass gives the map.
            let (pass, classes) = try engine.gradients(image.pixels, rule: backwardRule) {
                (_, logits) throws(ExplainError) in
                try engine.resolve(target, logits: logits, label: image.label)
            }
            return Explanation(
                method: name, layer: nil, targetClass: classes[0],
                map: map(fromInputGradient: pass.gradients, image: image.pixels, shape: model.inputShape)!,
                isSigned: isSigned, probabilities: softmax(pass.logits).scalars, contrastClass: target.subtracted)
        }
        let logits = engine.logits(image.pixels)
        let k = try engine.resolve(target, logits: logits.scalars[...], label: image.label)
        return Explanation(
            method: name, layer: nil, targetClass: k,
            map: attribute(image.pixels, targetClass: k, engine: engine),
            isSigned: isSigned, probabilities: softmax(logits).scalars, contrastClass: target.subtracted)
    }

    /// The input gradient of one image as an `h × w` map, channels summed.
    func inputMap(_ values: ArraySlice<Float>, shape: [Int]) -> Heatmap {
        channelSum(values, height: shape[0], width: shape[1], channels: shape[2])
    }
}

/// Vanilla gradient (Simonyan et al., 2014): d logit / d input; with `absolute`, its
/// magnitude, as the original saliency map.
public struct VanillaGradient: SaliencyMethod {
    public var isSinglePass: Bool { true }
    public var absolute: Bool
    public init(absolute: Bool = false) { self.absolute = absolute }

    public var name: String { "saliency" }
    public var isSigned: Bool { !absolute }

    public func attribute(_ image: Tensor, targetClass: Int, engine: GradientEngine) -> Heatmap {
        map(
            fromInputGradient: engine.gradients(image, classes: [targetClass]).gradients, image: image,
            shape: engine.model.inputShape)!
    }

    public func map(fromInputGradient g: Tensor, image: Tensor, shape: [Int]) -> Heatmap? {
        let map = inputMap(g.scalars[...], shape: shape)
        return absolute ? Heatmap(width: map.width, height: map.height, values: map.values.map(abs)) : map
    }
}

/// The input gradient with the ReLUs' backward rule replaced, one pass:
///
/// - `.guided`, guided backpropagation (Springenberg et al., 2015): ReLUs pass back only
///   positive gradients where their input was positive;
/// - `.deconvnet`, Deconvnet (Zeiler & Fergus, 2014), as Captum's `Deconvolution`: every ReLU
///   applied to the signal going back (`max(dy, 0)`, whatever its input was), max pooling
///   routed through its forward maxima. Unlike guided backpropagation, the map ignores which
///   units the image switched on, so it shows what excites the top units' filters more than
///   what this image did to them.
public struct RectifiedGradient: SaliencyMethod {
    public var isSinglePass: Bool { true }
    public let backwardRule: ReLUBackwardRule

    public init(_ rule: ReLUBackwardRule) { backwardRule = rule }

    public var name: String { backwardRule == .deconvnet ? "deconvnet" : "guided" }
    public var isSigned: Bool { true }

    public func attribute(_ image: Tensor, targetClass: Int, engine: GradientEngine) -> Heatmap {
        let g = engine.gradients(image, classes: [targetClass], rule: backwardRule).gradients
        return map(fromInputGradient: g, image: image, shape: engine.model.inputShape)!
    }

    public func map(fromInputGradient g: Tensor, image: Tensor, shape: [Int]) -> Heatmap? {
        inputMap(g.scalars[...], shape: shape)
    }
}

/// Input × gradient (Shrikumar et al., 2016): each pixel times its gradient.
public struct InputTimesGradient: SaliencyMethod {
    public var isSinglePass: Bool { true }
    public init() {}
    public var name: String { "input-x-gradient" }
    public var isSigned: Bool { true }

    public func attribute(_ image: Tensor, targetClass: Int, engine: GradientEngine) -> Heatmap {
        let g = engine.gradients(image, classes: [targetClass]).gradients
        return map(fromInputGradient: g, image: image, shape: engine.model.inputShape)!
    }

    public func map(fromInputGradient g: Tensor, image: Tensor, shape: [Int]) -> Heatmap? {
        inputMap(zip(image.scalars, g.scalars).map(*)[...], shape: shape)
    }
}

/// SmoothGrad (Smilkov et al., 2017): gradients of `samples` copies of the image with
/// Gaussian noise of standard deviation `noise · (max − min)` of the image, combined per
/// input value by `aggregate`. All samples run as one batch.
public struct SmoothGrad: SaliencyMethod {
    /// How the noisy gradients become one map.
    public enum Aggregate: String, Sendable, CaseIterable {
        /// The mean of their magnitudes, as Captum's `NoiseTunnel` over `Saliency(abs=True)`
        /// computes it (noise cannot cancel, so the map is hazier than |∇|).
        case meanOfMagnitudes = "mean-abs"
        /// The magnitude of their mean, as Smilkov et al. average signed gradients and then
        /// draw their absolute value.
        case magnitudeOfMean = "abs-mean"
        /// Their signed mean (Smilkov et al.'s definition, before display).
        case mean
        /// SmoothGrad² (Hooker et al., 2019): the mean of their squares.
        case squared
        /// VarGrad (Adebayo et al., 2018): their variance.
        case variance
    }

    public var samples: Int
    public var noise: Float
    public var aggregate: Aggregate
    public var seed: UInt64

    public init(samples: Int = 50, noise: Float = 0.15, aggregate: Aggregate = .meanOfMagnitudes, seed: UInt64 = 0) {
        self.samples = samples
        self.noise = noise
        self.aggregate = aggregate
        self.seed = seed
    }

    public var name: String { "smoothgrad" }
    public var isSigned: Bool { aggregate == .mean }

    public func attribute(_ image: Tensor, targetClass: Int, engine: GradientEngine) -> Heatmap {
        let size = image.count
        let range = (image.scalars.max() ?? 1) - (image.scalars.min() ?? 0)
        let sigma = noise * (range > 0 ? range : 1)
        var random = SeededRandom(seed: seed, stream: 0x5307)
        var batch = [Float](repeating: 0, count: samples * size)
        for s in 0..<samples {
            for i in 0..<size { batch[s * size + i] = image.scalars[i] + sigma * random.normal() }
        }
        let g = engine.gradients(
            Tensor(shape: [samples] + engine.model.inputShape, scalars: batch),
            classes: Array(repeating: targetClass, count: samples)
        ).gradients
        var sum = [Float](repeating: 0, count: size), sumOfSquares = sum, sumOfMagnitudes = sum
        for s in 0..<samples {
            for i in 0..<size {
                let v = g.scalars[s * size + i]
                sum[i] += v
                sumOfSquares[i] += v * v
                sumOfMagnitudes[i] += abs(v)
            }
        }
        let n = Float(samples)
        let values: [Float] = (0..<size).map { i in
            switch aggregate {
            case .meanOfMagnitudes: sumOfMagnitudes[i] / n
            case .magnitudeOfMean: abs(sum[i] / n)
            case .mean: sum[i] / n
            case .squared: sumOfSquares[i] / n
            case .variance: max(sumOfSquares[i] / n - (sum[i] / n) * (sum[i] / n), 0)
            }
        }
        return inputMap(values[...], shape: engine.model.inputShape)
    }
}
