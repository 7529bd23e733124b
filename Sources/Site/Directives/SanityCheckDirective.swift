import Common
import CNN
import Explain
import Foundation
import Render

/// The model-parameter randomization test (Adebayo et al., 2018).
struct SanityCheckDirective: Directive {
    static let name = "sanity-check"
    static let summary =
        "The cascading model-parameter randomization test (Adebayo et al., 2018): how much a method's maps change as "
        + "the weights are randomized from the top layer down."
    static let options: [OptionSpec] = [
        SharedOption.methods.documented(default: "[vanilla, guided, gradcam]", "The methods tested.").spec,
        images.spec, DirectiveOptions.preprocessSpec, SharedOption.layer.spec,
        seed.spec,
    ]
    static let images = SharedOption.images.documented("The images the correlations are averaged over.")
    static let seed = DirectiveOption("seed", "integer", default: "0", "Seed of the random weights.")
    static let example = "methods: [vanilla, guided, gradcam]\nimages: test[0:4]"
    /// Every map is computed once per randomized layer: SmoothGrad and Integrated
    /// Gradients run 16 passes instead of 50, and the other parameters keep their defaults.
    static let fixedParameters: [String: String] = MethodCatalogue.parameters(of: MethodCatalogue.all)
        .reduce(into: [:]) { $0[$1.name] = $1.defaultText }.merging(["samples": "16", "steps": "16"]) { $1 }

    let methods: [ConfiguredMethod]
    let images: [ImageSelector]
    let seed: Int
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        methods = try options.methods(
            default: ["vanilla", "guided", "gradcam"], model: model, fixed: Self.fixedParameters)
        images = try Self.images.images(options, default: "test[0:4]", classes: model.classes)
        seed = try Self.seed.int(options, default: 0, in: 0...Int(Int32.max))
        location = Self.images.location(in: options)
    }

    var inputFiles: [String] { images.files }
    var caption: String {
        "Spearman rank correlation between each method's maps on the trained model and on models whose layers are "
            + "randomized one by one from the top, averaged over \(images.text). A method that explains the model "
            + "should fall toward 0."
    }
    var alt: String { "rank correlation of maps as layers are randomized" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location)
        let check = SanityCheck(seed: UInt64(seed))
        var layers: [String] = []
        var curves: [[Double]] = []
        for method in methods {
            var sums: [Double] = []
            for image in selected {
                // The class is fixed by the trained model, so every randomized model explains the same logit.
                let k = try method.explain(image, target: .predicted, model: context.model).targetClass
                let steps = try check.run(model: context.model) { model in
                    try method.explain(image, target: .class(k), model: model).map
                }
                layers = steps.map(\.layer)
                if sums.isEmpty { sums = Array(repeating: 0, count: steps.count) }
                for (i, s) in steps.enumerated() { sums[i] += method.isSigned ? s.absoluteCorrelation : s.correlation }
            }
            curves.append([1] + sums.map { $0 / Double(max(selected.count, 1)) })
        }
        let stages = ["trained"] + layers.map { "↓ \($0)" }
        let chart = LineChart(
            series: methods.enumerated().map { i, m in
                LineChart.Series(
                    name: m.title, points: curves[i].enumerated().map { (Double($0.offset), $0.element) },
                    color: FaithfulnessDirective.palette[i % FaithfulnessDirective.palette.count])
            }, xLabel: "layers randomized, from the top (0 = trained)", yLabel: "Spearman correlation",
            yRange: (-0.2, 1))
        let svg = figure.svg(
            chart.svg(width: 480, height: 280), name: "sanity-check", label: "chart (SVG)",
            title: "rank correlation by randomized layer", thumbnail: true)
        let table = FigureLayout.table(
            header: ["method"] + stages,
            rows: methods.enumerated().map { i, m in [m.title] + curves[i].map { String(format: "%.2f", $0) } },
            numeric: Set(1...stages.count))
        try figure.json(
            SanityCheckValues(
                images: selected.map(\.name), stages: stages,
                methods: methods.enumerated().map { i, m in
                    .init(method: m.name, correlation: curves[i])
                }), name: "sanity-check")
        return (svg + "\n" + table, ["\(selected.count) images", "signed maps compared by magnitude", "seed \(seed)"])
    }
}
