import CNN
import Render
import Synchronization

/// GradientSHAP (Lundberg & Lee, 2017), also called expected gradients (Erion et al., 2021,
/// eq. 5), as Captum's `GradientShap` computes it: for each sample a reference `x'` drawn
/// from the image's background (training images) and `α ~ U(0, 1)`, the gradient at
/// `x' + α (x − x')` times `x − x'`, averaged. In expectation it is Integrated Gradients
/// averaged over references from the data, so its sum approaches `F(x) − E[F(x')]`. All
/// samples run as one batch; without a background the reference is a black image.
public struct GradientSHAP: ExplanationMethod {
    public var samples: Int
    public var seed: UInt64

    public init(samples: Int = 50, seed: UInt64 = 0) {
        self.samples = samples
        self.seed = seed
    }

    public var name: String { "gradientshap" }

    /// How many training images the site and the command line take as the background:
    /// evenly spaced over the training split (SHAP's examples use 100).
    public static let backgroundSize = 100

    /// Explains `image` for `target`; input attributions take no layer.
    public func explain(
        _ image: ExplainedImage, target: Target, layer: String?, model: Model
    ) throws(ExplainError) -> Explanation {
        let engine = GradientEngine(model: model, target: target)
        let logits = engine.logits(image.pixels)
        let k = try engine.resolve(target, logits: logits.scalars[...], label: image.label)
        let size = model.inputShape.elementCount
        let background = image.background?.images ?? Tensor(shape: [1] + model.inputShape)
        precondition(background.count / max(background.batchSize, 1) == size, "background images of another shape")
        // The image's own pixels pick the stream, so each image draws its own references.
        var random = SeededRandom(seed: seed ^ image.contentHash, stream: 0x5A4B)
        var points = [Float](repeating: 0, count: samples * size), deltas = points
        let x = image.pixels.scalars
        for s in 0..<samples {
            let r = Int(random.next() % UInt64(background.batchSize)), alpha = random.nextUnit()
            for i in 0..<size {
                let reference = background.scalars[r * size + i]
                deltas[s * size + i] = x[i] - reference
                points[s * size + i] = reference + alpha * (x[i] - reference)
            }
        }
        let g = engine.gradients(
            Tensor(shape: [samples] + model.inputShape, scalars: points), classes: Array(repeating: k, count: samples)
        ).gradients
        var attribution = [Float](repeating: 0, count: size)
        for s in 0..<samples {
            for i in 0..<size { attribution[i] += g.scalars[s * size + i] * deltas[s * size + i] }
        }
        return Explanation(
            method: name, layer: nil, targetClass: k, map: model.inputMap(attribution.map { $0 / Float(samples) }[...]),
            isSigned: true, probabilities: softmax(logits).scalars, contrastClass: target.subtracted)
    }
}

/// Reference images (`[n, h, w, c]`) from a dataset's training split, read on first use
/// and shared by every image explained against them.
public final class BackgroundImages: Sendable {
    private let stored = Mutex<Tensor??>(nil)
    private let load: @Sendable () -> Tensor?

    /// Images `load` reads when first asked for (nil: none could be read).
    public init(_ load: @escaping @Sendable () -> Tensor?) { self.load = load }

    public convenience init(_ images: Tensor) { self.init { images } }

    public var images: Tensor? {
        stored.withLock { stored in
            if let stored { return stored }
            let images = load()
            stored = .some(images)
            return images
        }
    }

    /// `count` images of `set` (`[n, h, w, c]`) evenly spaced from the first.
    public static func evenlySpaced(_ set: Tensor, count: Int) -> Tensor {
        let n = set.batchSize, size = set.count / max(n, 1), taken = min(count, n)
        var scalars: [Float] = []
        scalars.reserveCapacity(taken * size)
        for j in 0..<taken {
            let i = j * n / taken
            scalars += set.scalars[i * size..<(i + 1) * size]
        }
        return Tensor(shape: [taken] + Array(set.shape.dropFirst()), scalars: scalars)
    }
}
