import CNN
import Render

/// Integrated Gradients of the same images from several baselines (Sturmfels, Lundberg &
/// Lee, Distill 2020): for each image and baseline kind, the baselines drawn, the scores
/// that bound the attributions' sum (completeness: `Σ IG = F(x) − mean F(x')`), and the map.
public struct BaselineComparison: Sendable {
    /// One image from one kind of baseline.
    public struct Result: Sendable {
        public let baseline: IGBaseline
        /// The baselines integrated from (one, or `draws` for uniform and data), `[h, w, c]`.
        public let references: [[Float]]
        /// The explained score at each baseline: a logit, or a contrast's difference of two.
        public let referenceScores: [Float]
        public let explanation: Explanation

        /// The mean score at the baselines, which the attributions' sum goes down to.
        public var referenceScore: Float { referenceScores.reduce(0, +) / Float(max(referenceScores.count, 1)) }
        /// What the attributions add up to.
        public var sum: Float { explanation.map.values.reduce(0, +) }
    }

    /// One image: its score and a result per baseline kind, in the order asked.
    public struct Image: Sendable {
        public let score: Float
        public let results: [Result]
    }

    public var kinds: [IGBaseline]
    /// Integrated Gradients' settings; its `baseline` is replaced by each kind in turn.
    public var method: IntegratedGradients

    public init(kinds: [IGBaseline] = IGBaseline.allCases, method: IntegratedGradients = IntegratedGradients()) {
        self.kinds = kinds
        self.method = method
    }

    /// Explains `image` for `target` from each kind of baseline. Every kind explains the
    /// class the first chose, so that the maps of one row answer one question.
    public func run(_ image: ExplainedImage, target: Target, model: Model) throws(ExplainError) -> Image {
        var results: [Result] = [], fixed = target
        for kind in kinds {
            var ig = method
            ig.baseline = kind
            let references = try ig.baselines(for: image, shape: model.inputShape)
            let e = try ig.explain(image, target: fixed, model: model, from: references)
            if results.isEmpty {
                fixed = e.contrastClass.map { .contrast(e.targetClass, $0) } ?? .class(e.targetClass)
            }
            let scores = references.map {
                Self.score(model.logits(Tensor(shape: [1] + model.inputShape, scalars: $0)).scalars, e)
            }
            results.append(Result(baseline: kind, references: references, referenceScores: scores, explanation: e))
        }
        let score = results.first.map { Self.score(model.logits(image.pixels).scalars, $0.explanation) } ?? 0
        return Image(score: score, results: results)
    }

    /// The score `e` explains in `logits`: the target's logit, less the contrast's.
    static func score(_ logits: [Float], _ e: Explanation) -> Float {
        logits[e.targetClass] - (e.contrastClass.map { logits[$0] } ?? 0)
    }
}
