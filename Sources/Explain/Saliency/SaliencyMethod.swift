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
    /// Whether the one pass uses guided backpropagation.
    var isGuided: Bool { get }
    /// Whether `map(fromInputGradient:)` gives the map (one gradient pass suffices).
    var isSinglePass: Bool { get }
}

extension SaliencyMethod {
    /// Explains `image` for `target`.
    public func map(fromInputGradient gradient: Tensor, image: Tensor, shape: [Int]) -> Heatmap? { nil }
    public var isGuided: Bool { false }
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
            let (pass, classes) = try engine.gradients(image.pixels, guided: isGuided) {
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

/// Guided backpropagation (Springenberg et al., 2015): the input gradient with ReLUs
/// passing back only positive gradients where their input was positive.
public struct GuidedBackprop: SaliencyMethod {
    public var isSinglePass: Bool { true }
    public init() {}
    public var name: String { "guided" }
    public var isSigned: Bool { true }

    public var isGuided: Bool { true }

    public func attribute(_ image: Tensor, targetClass: Int, engine: GradientEngine) -> Heatmap {
        let g = engine.gradients(image, classes: [targetClass], guided: true).gradients
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

/// SmoothGrad (Smilkov et al., 2017): the mean gradient over `samples` copies of the image
/// with Gaussian noise of standard deviation `noise · (max − min)` of the image. With
/// `absolute` it averages gradient magnitudes (Captum's NoiseTunnel over Saliency).
/// All samples run as one batch.
public struct SmoothGrad: SaliencyMethod {
    public var samples: Int
    public var noise: Float
    public var absolute: Bool
    public var seed: UInt64

    public init(samples: Int = 50, noise: Float = 0.15, absolute: Bool = true, seed: UInt64 = 0) {
        self.samples = samples
        self.noise = noise
        self.absolute = absolute
        self.seed = seed
    }

    public var name: String { "smoothgrad" }
    public var isSigned: Bool { !absolute }

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
        var mean = [Float](repeating: 0, count: size)
        for s in 0..<samples {
            for i in 0..<size { let v = g.scalars[s * size + i]; mean[i] += absolute ? abs(v) : v }
        }
        return inputMap(mean.map { $0 / Float(samples) }[...], shape: engine.model.inputShape)
    }
}
