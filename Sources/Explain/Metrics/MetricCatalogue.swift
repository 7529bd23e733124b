import CNN
import Render

/// Every explanation metric vizsite has, by Quantus's name; `vizsite metrics` and the
/// `metrics` directive read it.
public enum MetricCatalogue {
    /// The metrics with their default settings, in table order (family by family).
    public static let all: [any ExplanationMetric] = [
        PixelFlipping(order: .morf), PixelFlipping(order: .lerf), ROAD(order: .morf), ROAD(order: .lerf),
        FaithfulnessCorrelation(), Sensitivity(.max), Sensitivity(.avg), Sparseness(), Complexity(), RandomLogit(),
        Completeness(),
    ]

    public static var names: [String] { all.map(\.name) }

    public static func named(_ name: String) -> (any ExplanationMetric)? { all.first { $0.name == name } }
}

/// One method's maps for a set of images, scored by metrics.
public struct MetricRun: Sendable {
    /// Per metric name: the score of each image, and their summary.
    public let scores: [String: [Double]]
    public let summaries: [String: MetricSummary]

    /// Explains each of `images` with `method` (at `layer` for a CAM method) for `target`,
    /// places the maps on the input, and scores them with each of `metrics`.
    public init(
        model: Model, images: [ExplainedImage], method: MethodEntry, settings: MethodSettings = MethodSettings(),
        layer: String?, target: Target = .predicted, metrics: [any ExplanationMetric]
    ) throws {
        let (h, w) = (model.inputShape[0], model.inputShape[1])
        let layer = method.needsLayer ? layer : nil
        let settings = method.settings(settings)
        @Sendable func placed(_ e: Explanation) -> Heatmap {
            e.map.placed(e.placement, inputWidth: w, inputHeight: h, width: w, height: h)
        }
        var maps: [Heatmap] = [], targets: [Int] = []
        for image in images {
            let e = try method.explain(image, target: target, layer: layer, settings: settings, model: model)
            maps.append(placed(e))
            targets.append(e.targetClass)
        }
        let input = MetricInput(
            model: model, images: images.map(\.pixels), targets: targets, maps: maps,
            explain: { model, image, k in
                placed(
                    try method.explain(
                        ExplainedImage(pixels: image), target: .class(k), layer: layer, settings: settings,
                        model: model))
            })
        var scores: [String: [Double]] = [:], summaries: [String: MetricSummary] = [:]
        for metric in metrics {
            let values = try metric.scores(input)
            scores[metric.name] = values
            summaries[metric.name] = MetricSummary(values)
        }
        self.scores = scores
        self.summaries = summaries
    }
}
