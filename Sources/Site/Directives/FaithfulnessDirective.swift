import Common
import CNN
import Explain
import Foundation
import Render

/// Deletion and insertion curves with their areas, for several methods.
struct FaithfulnessDirective: Directive {
    static let name = "faithfulness"
    static let summary =
        "Deletion and insertion curves (Petsiuk et al., 2018) and their areas under the curve for several methods."
    static let options: [OptionSpec] =
        [
            SharedOption.methods.documented(
                default: "[vanilla, smoothgrad, integrated-gradients, gradcam]", "The methods compared."
            ).spec,
            images.spec, DirectiveOptions.preprocessSpec, SharedOption.layer.spec,
            steps.spec,
        ] + DirectiveOptions.parameterSpecs(MethodCatalogue.all, defaults: parameterDefaults, excluding: ["steps"])
    /// Cheaper than a figure of one method: SmoothGrad 25 samples; Integrated Gradients 32
    /// steps (`steps` here is the curves').
    static let parameterDefaults: [String: String] = ["samples": "25"]
    static let images = SharedOption.images.documented(
        default: "test[0:16]", "The images the curves are averaged over.")
    static let steps = DirectiveOption("steps", "integer 2–112", default: "28", "Points on each curve.")
    static let fixedParameters: [String: String] = ["steps": "32"]
    static let example = "methods: [vanilla, gradcam, occlusion]\nimages: test[0:16]"

    let methods: [ConfiguredMethod]
    let images: [ImageSelector]
    let steps: Int
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        methods = try options.methods(
            default: ["vanilla", "smoothgrad", "integrated-gradients", "gradcam"], model: model,
            defaults: Self.parameterDefaults, fixed: Self.fixedParameters)
        images = try Self.images.images(options, default: "test[0:16]", classes: model.classes)
        steps = try Self.steps.int(options, default: 28, in: 2...112)
        location = Self.images.location(in: options)
    }

    static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
        "#393b79", "#637939",
    ]

    var inputFiles: [String] { images.files }
    var caption: String {
        "Deletion and insertion curves, averaged over \(images.text): the predicted class's probability as pixels are "
            + "removed (or revealed) most-important first."
    }
    var alt: String { "deletion and insertion curves of several attribution methods" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location)
        let faithfulness = Faithfulness(steps: steps)
        var results: [(method: ConfiguredMethod, deletion: [Double], insertion: [Double], dAUC: Double, iAUC: Double)] =
            []
        for method in methods {
            var deletion = [Double](repeating: 0, count: steps + 1), insertion = deletion
            var dAUC = 0.0, iAUC = 0.0
            for image in selected {
                let e = try method.explain(image, target: .predicted, model: context.model)
                // Signed maps rank by magnitude: a strongly negative pixel also matters.
                let map =
                    e.isSigned
                    ? Heatmap(width: e.map.width, height: e.map.height, values: e.map.values.map(abs)) : e.map
                let c = faithfulness.curves(
                    model: context.model, image: image.pixels, map: map, placement: e.placement,
                    targetClass: e.targetClass)
                for s in 0...steps { deletion[s] += Double(c.deletion[s]); insertion[s] += Double(c.insertion[s]) }
                dAUC += Double(c.deletionAUC); iAUC += Double(c.insertionAUC)
            }
            let n = Double(max(selected.count, 1))
            results.append((method, deletion.map { $0 / n }, insertion.map { $0 / n }, dAUC / n, iAUC / n))
        }
        func chart(_ title: String, _ values: (Int) -> [Double]) -> LineChart {
            LineChart(
                series: results.enumerated().map { i, r in
                    LineChart.Series(
                        name: r.method.title,
                        points: values(i).enumerated().map { (Double($0.offset) / Double(steps), $0.element) },
                        color: Self.palette[i % Self.palette.count])
                }, xLabel: title, yLabel: FigureText.t("probability"), yRange: (0, 1),
                nameWidth: FigureText.drawnWidth)
        }
        let deletionSVG = figure.svg(
            chart(FigureText.t("fraction_deleted"), { results[$0].deletion }).svg(width: 330, height: 250),
            name: "faithfulness-deletion", label: FigureText.t("deletion_svg"), title: FigureText.t("deletion_curves"))
        let insertionSVG = figure.svg(
            chart(FigureText.t("fraction_inserted"), { results[$0].insertion }).svg(width: 330, height: 250),
            name: "faithfulness-insertion", label: FigureText.t("insertion_svg"),
            title: FigureText.t("insertion_curves"),
            thumbnail: true)
        let table = FigureLayout.table(
            header: [
                FigureText.t("method_column"), FigureText.t("deletion_auc"), FigureText.t("insertion_auc"),
                FigureText.t("insertion_minus_deletion"),
            ],
            rows: results.map {
                [
                    $0.method.title, String(format: "%.3f", $0.dAUC), String(format: "%.3f", $0.iAUC),
                    String(format: "%+.3f", $0.iAUC - $0.dAUC),
                ]
            },
            numeric: [1, 2, 3])
        try figure.json(
            FaithfulnessValues(
                images: selected.map(\.name), steps: steps,
                methods: results.map {
                    .init(
                        method: $0.method.name, deletion: $0.deletion, insertion: $0.insertion, deletionAuc: $0.dAUC,
                        insertionAuc: $0.iAUC)
                }), name: "faithfulness")
        let body = "<div class=\"viz-row\"><div>\(deletionSVG)</div><div>\(insertionSVG)</div></div>\n" + table
        return (
            body,
            [
                FigureText.t("n_images", ["n": "\(selected.count)"]), FigureText.t("n_steps", ["n": "\(steps)"]),
                FigureText.t("target_predicted"), FigureText.t("ranked_by_magnitude"),
            ]
        )
    }
}
