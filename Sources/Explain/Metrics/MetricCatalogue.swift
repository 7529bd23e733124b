import CNN
import Dispatch
import Render
import Synchronization

/// Every explanation metric vizsite has, by Quantus's name; `vizsite metrics` and the
/// `metrics` directive read it.
public enum MetricCatalogue {
    /// The metrics with their default settings, in table order (family by family).
    public static let all: [any ExplanationMetric] = [
        PixelFlipping(order: .morf), PixelFlipping(order: .lerf), ROAD(order: .morf), ROAD(order: .lerf),
        FaithfulnessCorrelation(), Infidelity(), RegionPerturbation(), IROF(), Sensitivity(.max), Sensitivity(.avg),
        LocalLipschitzEstimate(), RelevanceMassAccuracy(), RelevanceRankAccuracy(), PointingGame(), Sparseness(),
        Complexity(), ModelParameterRandomisation(.cascading), ModelParameterRandomisation(.independent),
        RandomLogit(), Completeness(),
    ]

    /// The metrics a table of `model` shows by default: all of them, the localisation
    /// metrics only when the model has a ground truth (a planted shortcut).
    public static func defaults(for model: Model) -> [any ExplanationMetric] {
        all.filter { $0.family != .localisation || model.training.shortcut != nil }
    }

    public static var names: [String] { all.map(\.name) }

    public static func named(_ name: String) -> (any ExplanationMetric)? { all.first { $0.name == name } }
}

/// One method's maps for a set of images, scored by metrics.
public struct MetricRun: Sendable {
    /// Per metric name: the score of each image, and their summary.
    public let scores: [String: [Double]]
    public let summaries: [String: MetricSummary]
    /// Per curve metric's name (`CurveMetric`): each image's curve, in image order.
    public let curves: [String: [[Double]]]
    /// Per metric name: the seconds it took (the slowest shard's, as shards run side by
    /// side), not counting the method's maps of the unperturbed images.
    public let seconds: [String: Double]

    /// Explains each of `images` with `method` (at `layer` for a CAM method) for `target`,
    /// places the maps on the input, and scores them with each of `metrics`. Runs of several
    /// methods on the same images and model share `queries`.
    public init(
        model: Model, images: [ExplainedImage], method: MethodEntry, settings: MethodSettings = MethodSettings(),
        layer: String?, target: Target = .predicted, metrics: [any ExplanationMetric],
        queries: ModelQueries = ModelQueries()
    ) throws {
        let (h, w) = (model.inputShape[0], model.inputShape[1])
        let layer = method.needsLayer ? layer : nil
        let settings = method.settings(settings)
        // Shards of images run side by side, one per core; each image's numbers do not depend
        // on the others', so the scores are the same in any split.
        let shards = splitRange(images.count, parts: min(Parallelism.workers, max(images.count, 1)))
            .filter { !$0.isEmpty }
        let outcomes = Mutex<[Int: Result<[String: [Double]], any Error>]>([:])
        let timings = Mutex<[String: Double]>([:])
        let shardCurves = Mutex<[Int: [String: [[Double]]]]>([:])
        DispatchQueue.concurrentPerform(iterations: shards.count) { s in
            let result = Result { () throws -> [String: [Double]] in
                try Parallelism.serially {
                    var maps: [Heatmap] = [], targets: [Int] = []
                    for image in images[shards[s]] {
                        let e = try method.explain(
                            image, target: target, layer: layer, settings: settings, model: model)
                        maps.append(e.mapOnInput(height: h, width: w))
                        targets.append(e.targetClass)
                    }
                    // Perturbed copies draw their references from the same training images.
                    let background = images.first?.background
                    let mark = model.training.shortcut.map { $0.mask(height: h, width: w) }
                    let input = MetricInput(
                        model: model, images: images[shards[s]].map(\.pixels), targets: targets, maps: maps,
                        queries: queries,
                        masks: images[shards[s]].map { image in
                            image.label != nil && image.label == model.training.shortcut?.label ? mark : nil
                        },
                        explain: { model, image, k in
                            try method.explain(
                                ExplainedImage(pixels: image, background: background), target: .class(k),
                                layer: layer, settings: settings, model: model
                            ).mapOnInput(height: h, width: w)
                        })
                    var scores: [String: [Double]] = [:], sensitivities: [String: [[Double]]] = [:]
                    for metric in metrics {
                        let start = DispatchTime.now().uptimeNanoseconds
                        defer {
                            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                            timings.withLock { $0[metric.name] = max($0[metric.name] ?? 0, seconds) }
                        }
                        if let sensitivity = metric as? Sensitivity {
                            // Max and avg of the same noisy copies: explain them once.
                            let key = "\(sensitivity.samples) \(sensitivity.radius) \(sensitivity.seed)"
                            let ratios = try sensitivities[key] ?? sensitivity.ratios(input)
                            sensitivities[key] = ratios
                            scores[metric.name] = sensitivity.aggregated(ratios)
                        } else if let curved = metric as? any CurveMetric {
                            let curves = curved.curves(input)
                            scores[metric.name] = curves.map(curved.score)
                            shardCurves.withLock { $0[s, default: [:]][metric.name] = curves }
                        } else {
                            scores[metric.name] = try metric.scores(input)
                        }
                    }
                    return scores
                }
            }
            outcomes.withLock { $0[s] = result }
        }
        var scores: [String: [Double]] = [:], summaries: [String: MetricSummary] = [:]
        for s in shards.indices {
            for (name, values) in try outcomes.withLock({ $0[s]! }).get() { scores[name, default: []] += values }
        }
        for metric in metrics { summaries[metric.name] = MetricSummary(scores[metric.name] ?? []) }
        var curves: [String: [[Double]]] = [:]
        let byShard = shardCurves.withLock { $0 }
        for s in shards.indices {
            for (name, values) in byShard[s] ?? [:] { curves[name, default: []] += values }
        }
        self.curves = curves
        self.scores = scores
        self.summaries = summaries
        self.seconds = timings.withLock { $0 }
    }
}

extension MetricRun {
    /// A curve metric's curve averaged over the images (nil for other metrics).
    public func meanCurve(_ name: String) -> [Double]? {
        guard let all = curves[name], let first = all.first else { return nil }
        return first.indices.map { x in all.reduce(0) { $0 + $1[x] } / Double(all.count) }
    }
}
