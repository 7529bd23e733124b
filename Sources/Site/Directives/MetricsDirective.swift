import Common
import CNN
import Explain
import Foundation
import Render

/// Explanation metrics for several methods on the same images: a table of mean ± standard
/// deviation per method and metric, each column's better direction marked and ranked, a
/// chart of the mean curve of each curve metric, the metrics' settings as notes, and every
/// image's score as JSON.
struct MetricsDirective: Directive {
    static let name = "metrics"
    static let summary =
        "Explanation metrics (Quantus's names: faithfulness, robustness, complexity, randomisation, axiomatic) for "
        + "several methods: mean ± std per method and metric, ranked."
    static let metricsOption = DirectiveOption(
        "metrics", "list of \(MetricCatalogue.names.joined(separator: ", "))",
        default: "all (localisation only for a model with a planted shortcut)",
        "The metrics, as columns, named as Quantus names them (README, Measuring explanations, defines each).")
    static let images = SharedOption.images.documented("The images scored; each method explains each once.")
    static let curvesOption = DirectiveOption(
        "curves", "true or false", default: "true",
        "Below the table, a chart per curve metric (PixelFlipping, ROAD and their LeRF orders): each method's curve "
            + "averaged over the images.")
    static let options: [OptionSpec] =
        [
            SharedOption.methods.documented(
                default: "[vanilla, smoothgrad, integrated-gradients, gradcam, random, edge]",
                "The methods, as rows. A name followed by +abs "
                    + "scores its map's magnitude (Quantus's abs=True), +blur its map averaged over 3×3 neighbours: "
                    + "controls for what a metric rewards, as are the random, edge and image baselines."
            ).spec, metricsOption.spec, images.spec, SharedOption.layer.spec, curvesOption.spec,
        ] + DirectiveOptions.parameterSpecs(MethodCatalogue.all)
    static let example =
        "methods: [vanilla, gradcam, random]\nmetrics: [ROAD, Sparseness, RandomLogit]\nimages: test[0:20]"

    let methods: [ConfiguredMethod]
    let metrics: [String]
    let images: [ImageSelector]
    let drawsCurves: Bool
    let location: SourceLocation
    let metricsLocation: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        methods = try options.methods(
            default: ["vanilla", "smoothgrad", "integrated-gradients", "gradcam", "random", "edge"], model: model)
        metrics = try Self.metricsOption.choices(
            options, from: MetricCatalogue.names, default: MetricCatalogue.defaults(for: model).map(\.name))
        // Scores, not pictures: a table may cover the whole test set.
        images = try Self.images.images(options, default: "test[0:100]", classes: model.classes, limit: 10_000)
        drawsCurves = try Self.curvesOption.bool(options, default: true)
        location = Self.images.location(in: options)
        metricsLocation = Self.metricsOption.location(in: options)
    }

    var inputFiles: [String] { images.files }

    /// Localisation metrics score a map against the model's planted mark: on a model without
    /// one their column is empty.
    func problems(model: ModelSpec, others: [ModelSpec]) -> [SourceError] {
        guard model.model.training.shortcut == nil else { return [] }
        let localising = metrics.filter { MetricCatalogue.named($0)?.family == .localisation }
        guard !localising.isEmpty else { return [] }
        let one = localising.count == 1
        return [
            .warning(
                "\(localising.joined(separator: ", ")) score\(one ? "s" : "") a map against a planted mark, and this "
                    + "model has none (its spec's 'training: shortcut:'): the column\(one ? " is" : "s are") empty",
                at: metricsLocation)
        ]
    }

    var caption: String {
        "Explanation metrics of \(methods.map(\.title).joined(separator: ", ")) on \(images.text): mean ± standard "
            + "deviation over the images, the mean's 95 % confidence interval below; ↑ higher is better, ↓ lower; the "
            + "rank in each column follows. Below, the curves behind the curve metrics, averaged over the images."
    }
    var alt: String { "table of explanation metrics" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location)
        let chosen = metrics.compactMap(MetricCatalogue.named)
        let queries = ModelQueries()
        let runs = try methods.map { method in
            try MetricRun(
                model: context.model, images: selected.map(\.explained), method: method.entry,
                settings: method.settings, layer: method.layer, metrics: chosen, queries: queries)
        }
        var out = table(runs, ranking: MetricRanking(runs, metrics: chosen), metrics: chosen)
        if drawsCurves { out += curves(runs, metrics: chosen, figure: figure) }
        try card(selected.first, figure: figure, model: context.model)
        try figure.json(values(runs, images: selected, metrics: chosen), name: "metrics")
        let notes =
            [
                FigureText.t("n_images", ["n": "\(selected.count)"]), FigureText.t("target_predicted"),
                FigureText.t("interval_note"),
            ]
            + chosen.map { "\($0.name): \($0.settings.joined(separator: ", "))" }
        return (out, notes)
    }

    /// The lesson card: what is being scored, the maps of up to four of the methods on the
    /// first image, rather than a table no card can show. A random baseline's map is noise
    /// and is left out. (Not shown in the figure itself.)
    func card(_ image: SelectedImage?, figure: FigureBuilder, model: Model) throws {
        guard let image else { return }
        let shown = methods.filter { $0.entry.name != "random" }.prefix(4)
        HeatmapPanels.card(
            try shown.map { (image, try $0.explain(image, target: .predicted, model: model)) }, figure: figure)
    }

    /// Mean ± std per method and metric, the 95 % interval under it, the rank beside it (≈:
    /// within the best one's interval), the best in bold.
    func table(_ runs: [MetricRun], ranking: MetricRanking, metrics chosen: [any ExplanationMetric]) -> String {
        var out =
            "<div class=\"viz-scroll\"><table class=\"viz-data viz-metrics\">\n<thead><tr>"
            + "<th scope=\"col\">\(FigureText.t("method_column"))</th>"
        for metric in chosen {
            let arrow = metric.higherIsBetter ? "↑" : "↓"
            out += "<th scope=\"col\" class=\"num\">\(HTML.escape(metric.name)) \(arrow)</th>"
        }
        out += "</tr></thead>\n<tbody>\n"
        for (i, method) in methods.enumerated() {
            out += "<tr><th scope=\"row\">\(HTML.escape(method.title))</th>"
            for (j, metric) in chosen.enumerated() {
                let s = runs[i].summaries[metric.name]!
                let text = s.mean.isFinite ? String(format: "%.3f ± %.3f", s.mean, s.std) : "—"
                let tie = ranking.tiedWithBest[i][j] ? "≈" : ""
                let rank = ranking.ranks[i][j].map { "<sup>\($0)\(tie)</sup>" } ?? ""
                let interval =
                    s.ci95.isFinite
                    ? String(format: "<br><small>%.3f – %.3f</small>", s.mean - s.ci95, s.mean + s.ci95) : ""
                let shown = ranking.ranks[i][j] == 1 ? "<strong>\(text)</strong>" : text
                out += "<td class=\"num\">\(shown)\(rank)\(interval)</td>"
            }
            out += "</tr>\n"
        }
        return out + "</tbody></table></div>"
    }

    /// Each curve metric's mean curve per method, one chart per metric.
    func curves(_ runs: [MetricRun], metrics chosen: [any ExplanationMetric], figure: FigureBuilder) -> String {
        var charts: [String] = []
        for metric in chosen {
            guard let curved = metric as? any CurveMetric else { continue }
            let axis = curved.curveAxis
            let chart = LineChart(
                series: methods.enumerated().compactMap { i, method in
                    runs[i].meanCurve(metric.name).map { curve in
                        LineChart.Series(
                            name: method.title, points: Array(zip(axis.values, curve)).map { ($0, $1) },
                            color: FaithfulnessDirective.palette[i % FaithfulnessDirective.palette.count])
                    }
                }, xLabel: Self.axisWords[axis.label] ?? axis.label,
                yLabel: Self.axisWords[axis.yLabel] ?? axis.yLabel,
                yRange: (0, 1), nameWidth: FigureText.drawnWidth)
            let svg = figure.svg(
                chart.svg(width: 480, height: 280), name: "metrics-\(metric.name)",
                label: FigureText.t("chart_svg", ["name": metric.name]),
                title: FigureText.t("metric_curves", ["name": metric.name]))
            let label =
                metric.higherIsBetter
                ? FigureText.t("mean_curve_higher", ["name": HTML.escape(metric.name)])
                : FigureText.t("mean_curve_lower", ["name": HTML.escape(metric.name)])
            charts.append("<div class=\"viz-cell\">\(svg)<span class=\"viz-label\">\(label)</span></div>")
        }
        return charts.isEmpty ? "" : "\n<div class=\"viz-row\">" + charts.joined() + "</div>"
    }

    func values(
        _ runs: [MetricRun], images selected: [SelectedImage], metrics chosen: [any ExplanationMetric]
    ) -> MetricsValues {
        MetricsValues(
            images: selected.map(\.name),
            metrics: chosen.map {
                .init(
                    name: $0.name, family: $0.family.rawValue, higherIsBetter: $0.higherIsBetter,
                    settings: $0.settings)
            },
            methods: zip(methods, runs).map { method, run in
                .init(
                    method: method.name,
                    results: chosen.map { metric in
                        let s = run.summaries[metric.name]!
                        return .init(
                            metric: metric.name, mean: s.mean.isFinite ? s.mean : nil,
                            std: s.std.isFinite ? s.std : nil, ci95: s.ci95.isFinite ? s.ci95 : nil,
                            count: s.count,
                            scores: run.scores[metric.name]!.map { $0.isFinite ? $0 : nil },
                            meanCurve: run.meanCurve(metric.name))
                    })
            })
    }
}

/// The raw values of a `metrics` figure: each image's score per method and metric (null
/// where undefined).
struct MetricsValues: Encodable {
    struct Metric: Encodable {
        let name: String
        let family: String
        let higherIsBetter: Bool
        let settings: [String]
    }
    struct Result: Encodable {
        let metric: String
        let mean: Double?
        let std: Double?
        /// Half the width of the mean's 95 % confidence interval (Student's t).
        let ci95: Double?
        let count: Int
        let scores: [Double?]
        /// For a curve metric, its curve averaged over the images (null for others).
        @ExplicitNull var meanCurve: [Double]?
    }
    struct Method: Encodable {
        let method: String
        let results: [Result]
    }
    let images: [String]
    let metrics: [Metric]
    let methods: [Method]
}

extension MetricsDirective {
    /// The curve metrics' axis titles (the Explain module's words) in the edition's.
    static let axisWords = [
        "fraction of pixels set to black": FigureText.t("fraction_black"),
        "probability of the target": FigureText.t("target_probability"),
        "fraction of pixels removed and imputed": FigureText.t("fraction_imputed"),
        "share still predicted": FigureText.t("share_predicted"),
    ]
}
