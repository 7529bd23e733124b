import Common
import CNN
import Explain
import Foundation
import Render

/// The model-parameter randomization test (Adebayo et al., 2018), with their four
/// similarity measures, the noise floor of each, several seeds, and both orders.
struct SanityCheckDirective: Directive {
    static let name = "sanity-check"
    static let summary =
        "The model-parameter randomization test (Adebayo et al., 2018): how much a method's maps change as the "
        + "weights are randomized from the top layer down, cumulatively or one layer at a time, by rank "
        + "correlation (over all pixels and over the ink), SSIM and HOG similarity, beside each measure's noise floor."
    static let options: [OptionSpec] = [
        SharedOption.methods.documented(default: "[vanilla, guided, gradcam]", "The methods tested.").spec,
        images.spec, DirectiveOptions.preprocessSpec, SharedOption.layer.spec,
        seed.spec, seeds.spec, order.spec, similarity.spec,
    ]
    static let images = SharedOption.images.documented("The images the similarities are averaged over.")
    static let seed = DirectiveOption("seed", "integer", default: "0", "Seed of the random weights.")
    static let seeds = DirectiveOption(
        "seeds", "integer 1–5", default: "1",
        "How many independent randomizations (seeds seed, seed + 1, …) the similarities are averaged over; the raw "
            + "values keep each seed's.")
    static let order = DirectiveOption(
        "order", "cascading or independent", default: "cascading",
        "cascading: each layer re-initialized on top of those above it; independent: one layer at a time.")
    static let similarity = DirectiveOption(
        "similarity", "list of \(MapSimilarity.allCases.map(\.rawValue).joined(separator: ", "))",
        default: "all",
        "The measures, one chart each: Spearman's ρ over all pixels, over the input's ink only, SSIM, and the "
            + "correlation of HOG features (maps compared by magnitude).")
    static let example = "methods: [vanilla, guided, gradcam]\nimages: test[0:4]"
    /// Every map is computed once per randomized layer: SmoothGrad and Integrated
    /// Gradients run 16 passes instead of 50, and the other parameters keep their defaults.
    static let fixedParameters: [String: String] = MethodCatalogue.parameters(of: MethodCatalogue.all)
        .reduce(into: [:]) { $0[$1.name] = $1.defaultText }.merging(["samples": "16", "steps": "16"]) { $1 }

    let methods: [ConfiguredMethod]
    let images: [ImageSelector]
    let seed: Int
    let seedCount: Int
    let checkOrder: SanityCheck.Order
    let measures: [MapSimilarity]
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        methods = try options.methods(
            default: ["vanilla", "guided", "gradcam"], model: model, fixed: Self.fixedParameters)
        images = try Self.images.images(options, default: "test[0:4]", classes: model.classes)
        seed = try Self.seed.int(options, default: 0, in: 0...Int(Int32.max))
        seedCount = try Self.seeds.int(options, default: 1, in: 1...5)
        checkOrder = SanityCheck.Order(
            rawValue: try Self.order.choice(
                options, from: SanityCheck.Order.allCases.map(\.rawValue), default: "cascading"))!
        let names = MapSimilarity.allCases.map(\.rawValue)
        measures = try Self.similarity.choices(options, from: names, default: names).compactMap(MapSimilarity.init)
        location = Self.images.location(in: options)
    }

    var inputFiles: [String] { images.files }
    var caption: String {
        "How alike each method's maps are on the trained model and on models whose layers are re-initialized "
            + (checkOrder == .cascading ? "one after another from the top" : "one at a time")
            + ", averaged over \(images.text)\(seedCount > 1 ? " and \(seedCount) seeds" : ""). A method that explains "
            + "the model should fall toward its noise floor: the similarity of two unrelated random models' maps."
    }
    var alt: String { "similarity of maps as layers are randomized" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location), model = context.model
        let trials = SanityCheck(seed: UInt64(seed), order: checkOrder).trials(model, count: seedCount)
        let layers = trials[0].randomized.map(\.layer)
        let (h, w) = (model.inputShape[0], model.inputShape[1])
        let ink = selected.map { $0.explained.gray.values.map { $0 > 0 } }
        // Maps are placed on the input (a CAM's cells over their receptive fields), so that
        // every measure, and the ink, reads the same pixels.
        let results = try methods.map { method in
            try SanityCheck.curves(
                trials, trained: model, images: selected.count, ink: ink, measures: measures
            ) { m, i, target in
                let e = try method.explain(selected[i], target: target, model: m)
                return (e.mapOnInput(height: h, width: w), e.targetClass)
            }
        }
        let finite = Self.finite, mean = Self.mean
        let stages = ["trained"] + layers.map { (checkOrder == .cascading ? "↓ " : "only ") + $0 }
        let shownStages =
            [FigureText.t("trained")]
            + layers.map {
                checkOrder == .cascading ? "↓ " + $0 : FigureText.t("only_layer", ["layer": $0])
            }
        var charts: [String] = []
        for (i, measure) in measures.enumerated() {
            let chart = LineChart(
                series: methods.enumerated().map { m, method in
                    LineChart.Series(
                        name: method.title,
                        points: stages.indices.map { j in (Double(j), mean(results[m].stages[i].map { $0[j] })) }
                            .filter { $0.1.isFinite },
                        color: FaithfulnessDirective.palette[m % FaithfulnessDirective.palette.count])
                },
                xLabel: checkOrder == .cascading
                    ? FigureText.t("layers_randomized") : FigureText.t("layer_randomized_alone"),
                yLabel: Self.label(measure), yRange: (-0.2, 1), nameWidth: FigureText.drawnWidth)
            let svg = figure.svg(
                chart.svg(width: 480, height: 280), name: "sanity-check-\(measure.rawValue)",
                label: FigureText.t("chart_svg", ["name": Self.label(measure)]),
                title: FigureText.t("by_randomized_layer", ["name": Self.label(measure)]),
                thumbnail: i == 0)
            let label = HTML.escape(Self.label(measure))
            charts.append("<div class=\"viz-cell\">\(svg)<span class=\"viz-label\">\(label)</span></div>")
        }
        let table = FigureLayout.table(
            header: [FigureText.t("method_column"), FigureText.t("measure")] + shownStages
                + [FigureText.t("noise_floor")],
            rows: methods.indices.flatMap { m in
                measures.indices.map { i in
                    [methods[m].title, Self.label(measures[i])]
                        + stages.indices.map { j in Self.format(mean(results[m].stages[i].map { $0[j] })) }
                        + [Self.format(mean(results[m].floors[i]))]
                }
            },
            numeric: Set(2...(stages.count + 2)))
        try figure.json(
            SanityCheckValues(
                images: selected.map(\.name), stages: stages, order: checkOrder.rawValue,
                seeds: (0..<seedCount).map { seed + $0 },
                methods: methods.indices.map { m in
                    .init(
                        method: methods[m].name,
                        similarities: measures.indices.map { i in
                            .init(
                                measure: measures[i].rawValue,
                                mean: stages.indices.map { j in finite(mean(results[m].stages[i].map { $0[j] })) },
                                noiseFloor: finite(mean(results[m].floors[i])),
                                perSeed: results[m].stages[i].map { $0.map(finite) },
                                noiseFloorPerSeed: results[m].floors[i].map(finite))
                        })
                }), name: "sanity-check")
        let notes = [
            FigureText.t("n_images", ["n": "\(selected.count)"]), FigureText.t("compared_by_magnitude"),
            checkOrder == .cascading ? FigureText.t("cascading") : FigureText.t("independent"),
            seedCount > 1
                ? FigureText.t("seeds", ["first": "\(seed)", "last": "\(seed + seedCount - 1)"])
                : FigureText.t("seed", ["n": "\(seed)"]),
        ]
        return ("<div class=\"viz-row\">" + charts.joined() + "</div>\n" + table, notes)
    }

    static func label(_ measure: MapSimilarity) -> String {
        switch measure {
        case .spearman: FigureText.t("spearman_all")
        case .inkSpearman: FigureText.t("spearman_ink")
        case .ssim: "SSIM"
        case .hog: FigureText.t("hog_correlation")
        }
    }

    /// The mean of the finite values (an undefined similarity, NaN, is left out), or NaN.
    static func mean(_ values: [Double]) -> Double {
        let finite = values.filter(\.isFinite)
        return finite.isEmpty ? .nan : finite.reduce(0, +) / Double(finite.count)
    }

    /// JSON's view of a value: nil for NaN.
    static func finite(_ v: Double) -> Double? { v.isFinite ? v : nil }

    static func format(_ value: Double) -> String { value.isFinite ? String(format: "%.2f", value) : "—" }
}
