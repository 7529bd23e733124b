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
    static let collapse = DirectiveOption(
        "collapse", "one of auto, always, never", default: "auto",
        "List each run of identical blocks once, as the architecture diagram draws it, its rows to unfold; `auto` "
            + "does for a model of more than \(ArchitectureDirective.collapsingFrom) layers.")
    static let options = [collapse.spec]
    static let example = ""

    let modelName: String
    let collapse: String
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        modelName = model.name
        collapse = try Self.collapse.choice(options, from: ["auto", "always", "never"], default: "auto")
    }

    var caption: String { "The layers of \(modelName), their output shapes and parameter counts." }
    var alt: String { "model summary table" }
    var needsWeights: Bool { false }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let model = context.model, graph = !model.isChain
        func row(_ i: Int) -> [String] {
            let layer = model.layers[i]
            return [
                "\(layer.name) (\(layer.kind))",
                "(None, " + layer.outputShape.map(String.init).joined(separator: ", ") + ")",
                model.parameterCount(layer: i).grouped,
            ] + (graph ? [model.inputNames(of: i).joined(separator: ", ")] : [])
        }
        let total = model.parameters.parameterCount, trainable = model.parameters.trainableCount
        let header =
            [FigureText.t("layer_type"), FigureText.t("output_shape"), FigureText.t("param_count")]
            + (graph ? [FigureText.t("connected_to")] : [])
        let collapsing =
            collapse == "always" || (collapse == "auto" && model.layers.count > ArchitectureDirective.collapsingFrom)
        let groups = collapsing ? ArchitectureDirective.diagram(of: model).repeatedGroups : []
        var html: String
        if groups.isEmpty {
            html = FigureLayout.table(header: header, rows: model.layers.indices.map(row), numeric: [2])
        } else {
            html = Self.collapsedTable(
                header: header, groups: groups, layers: model.layers.count, row: row, model: model)
        }
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

    /// The table with each group one row: its count and span, its first copy's rows in a
    /// table to unfold, laid out in the same columns.
    static func collapsedTable(
        header: [String], groups: [RepeatedBlocks.Group], layers: Int, row: (Int) -> [String], model: Model
    ) -> String {
        let numeric = 2
        func cells(_ values: [String]) -> String {
            "<tr>"
                + values.enumerated().map {
                    "<td\($0.offset == numeric ? " class=\"num\"" : "")>\(HTML.escape($0.element))</td>"
                }.joined() + "</tr>\n"
        }
        let columns = "<colgroup>" + String(repeating: "<col>", count: header.count) + "</colgroup>"
        var out = "<div class=\"viz-scroll\"><table class=\"viz-data viz-collapsed\">" + columns + "\n<thead><tr>"
        out += header.enumerated().map {
            "<th scope=\"col\"\($0.offset == numeric ? " class=\"num\"" : "")>\(HTML.escape($0.element))</th>"
        }.joined()
        out += "</tr></thead>\n<tbody>\n"
        var next = 0
        for group in groups {
            for i in next..<group.first.lowerBound { out += cells(row(i)) }
            let parameters = group.first.reduce(0) { $0 + model.parameterCount(layer: $1) }
            let title = FigureText.t(
                "summary_repeat",
                [
                    "count": String(group.count), "layers": String(group.first.count),
                    "first": HTML.escape(model.layers[group.layers.lowerBound].name),
                    "last": HTML.escape(model.layers[group.layers.upperBound - 1].name),
                    "parameters": (parameters * group.count).grouped,
                ])
            out +=
                "<tr class=\"viz-repeat\"><td colspan=\"\(header.count)\"><details><summary>\(title)</summary>\n"
                + "<table class=\"viz-data viz-collapsed\">" + columns + "<tbody>\n"
                + group.first.map { cells(row($0)) }.joined() + "</tbody></table></details></td></tr>\n"
            next = group.layers.upperBound
        }
        for i in next..<layers { out += cells(row(i)) }
        return out + "</tbody></table></div>"
    }
}
