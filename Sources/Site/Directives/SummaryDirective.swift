import Common
import CNN
import Explain
import Foundation
import Render

/// The Keras-style summary table; for a graph, with Keras's "Connected to" column.
struct SummaryDirective: Directive {
    static let name = "summary"
    static let summary =
        "The model's layers, output shapes and parameter counts, as Keras's model.summary() prints them."
    static let options: [OptionSpec] = []
    static let example = ""

    let modelName: String
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) { modelName = model.name }

    var caption: String { "The layers of \(modelName), their output shapes and parameter counts." }
    var alt: String { "model summary table" }
    var needsWeights: Bool { false }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let model = context.model, graph = !model.isChain
        let rows = model.layers.enumerated().map { i, layer in
            [
                "\(layer.name) (\(layer.kind))",
                "(None, " + layer.outputShape.map(String.init).joined(separator: ", ") + ")",
                model.parameterCount(layer: i).grouped,
            ] + (graph ? [model.inputNames(of: i).joined(separator: ", ")] : [])
        }
        let total = model.parameters.parameterCount, trainable = model.parameters.trainableCount
        let header =
            [FigureText.t("layer_type"), FigureText.t("output_shape"), FigureText.t("param_count")]
            + (graph ? [FigureText.t("connected_to")] : [])
        var html = FigureLayout.table(header: header, rows: rows, numeric: [2])
        html +=
            "\n<p class=\"viz-totals\">"
            + FigureText.t(
                "model_totals",
                [
                    "total": total.grouped, "trainable": trainable.grouped,
                    "frozen": (total - trainable).grouped, "macs": model.multiplyAccumulates.grouped,
                ]) + "</p>"
        try figure.json(ModelValues(model), name: "summary")
        return (html, [FigureText.t("model", ["name": model.name])])
    }
}
