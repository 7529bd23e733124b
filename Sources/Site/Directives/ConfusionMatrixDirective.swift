import Common
import CNN
import Explain
import Foundation
import Render

/// The confusion matrix of the test set.
struct ConfusionMatrixDirective: Directive {
    static let name = "confusion-matrix"
    static let summary =
        "The test set's confusion matrix as an annotated heatmap, per-class accuracy, and the most confused pairs."
    static let colormap = DirectiveOption(
        "colormap", "a colormap name", default: "viridis", "The colormap of the cells.")
    static let pairs = DirectiveOption(
        "pairs", "integer 0–20", default: "5", "How many of the most confused pairs to list.")
    static let options = [colormap, pairs].map(\.spec)
    static let example = "pairs: 5"

    let colormap: Colormap
    let pairs: Int
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        colormap = try Self.colormap.colormap(options, default: "viridis")
        pairs = try Self.pairs.int(options, default: 5, in: 0...20)
    }

    var caption: String {
        "Confusion matrix of the 10,000 test digits: rows are true labels, columns predictions; off-diagonal cells are "
            + "errors."
    }
    var alt: String { "confusion matrix heatmap" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let (split, set, evaluation) = try context.heldOut()
        figure.caption =
            "Confusion matrix of the \(context.imagesPhrase(set.count, split: split)): rows are true labels, columns "
            + "predictions; off-diagonal cells are errors."
        let matrix = ConfusionMatrix(labels: set.labels, predictions: evaluation.predictions, classes: context.classes)
        let names = context.classNames()
        let labels = (0..<context.classes).map { names?[$0] ?? String($0) }
        // Log-scaled colors so the few errors show beside the ~1,000 correct per class.
        let chart = MatrixChart(
            values: matrix.counts.map { $0.map(Double.init) }, rowLabels: labels, columnLabels: labels,
            colormap: colormap, rowTitle: FigureText.t("true_label"),
            columnTitle: FigureText.t("predicted_column"), logScale: true)
        var body = figure.svg(
            chart.svg(cell: 34), name: "confusion-matrix", label: FigureText.t("matrix_svg"), thumbnail: true)
        let accuracy = matrix.perClassAccuracy
        body +=
            "\n"
            + FigureLayout.table(
                header: [FigureText.t("class")] + labels,
                rows: [[FigureText.t("accuracy")] + accuracy.map { String(format: "%.1f%%", $0 * 100) }],
                numeric: Set(1...labels.count))
        if pairs > 0 {
            let confused = matrix.mostConfused(pairs)
            body +=
                "\n"
                + FigureLayout.table(
                    header: [FigureText.t("true_label"), FigureText.t("predicted_column"), FigureText.t("count")],
                    rows: confused.map { [labels[$0.trueClass], labels[$0.predicted], "\($0.count)"] }, numeric: [2])
        }
        try figure.json(
            ConfusionValues(
                counts: matrix.counts, perClassAccuracy: accuracy, accuracy: matrix.accuracy,
                mostConfused: matrix.mostConfused(max(pairs, 1)).map {
                    .init(true: $0.trueClass, predicted: $0.predicted, count: $0.count)
                }), name: "confusion-matrix")
        return (
            body,
            [
                FigureText.t("accuracy_value", ["value": String(format: "%.2f%%", matrix.accuracy * 100)]),
                FigureText.t("colormap_log", ["name": colormap.name]),
            ]
        )
    }
}
