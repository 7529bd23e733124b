import Common
import CNN
import Explain
import Foundation
import Render

/// The architecture diagram: the model's graph, repeated blocks of a long model collapsed.
struct ArchitectureDirective: Directive {
    static let name = "architecture"
    static let summary =
        "A diagram of the model's graph: each layer a block with its type and output shape, branches side by side, "
        + "shortcuts at the right."
    static let width = DirectiveOption(
        "width", "integer 240–960", default: "360, 560 for a graph",
        "Width of the diagram in pixels; a graph with branches side by side takes at least 132 per branch.")
    static let collapse = DirectiveOption(
        "collapse", "one of auto, always, never", default: "auto",
        "Draw each run of identical blocks (ResNet-50's bottlenecks) once, with its count and the first copy to "
            + "unfold; `auto` does for a model of more than \(collapsingFrom) layers.")
    static let options = [width.spec, collapse.spec]
    static let example = "width: 360"
    /// The layer count above which `auto` collapses.
    static let collapsingFrom = 40

    let modelName: String
    let width: Int
    let collapse: String
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        modelName = model.name
        width = try Self.width.int(options, default: model.isChain ? 360 : 560, in: 240...960)
        collapse = try Self.collapse.choice(options, from: ["auto", "always", "never"], default: "auto")
    }

    var caption: String {
        "The architecture of \(modelName), from the input at the top to the class scores at the bottom."
    }
    var alt: String { "architecture diagram of \(modelName)" }
    var needsWeights: Bool { false }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let model = context.model
        let diagram = Self.diagram(of: model)
        let whole = figure.svg(
            diagram.svg(width: Double(width)), name: "architecture", label: "diagram (SVG)", thumbnail: true)
        try figure.json(ModelValues(model), name: "architecture")
        let collapsing = collapse == "always" || (collapse == "auto" && model.layers.count > Self.collapsingFrom)
        let pieces = diagram.drawing(width: Double(width), collapsing: collapsing)
        guard pieces.contains(where: { if case .repeated = $0 { true } else { false } }) else { return (whole, []) }
        return (Self.html(pieces, model: model), [FigureText.t("arch_collapsed")])
    }

    /// The model as a diagram, its words tokens of the edition's.
    static func diagram(of model: Model) -> ArchitectureDiagram {
        ArchitectureDiagram(
            input: model.inputShape,
            blocks: model.layers.enumerated().map { i, l in
                ArchitectureDiagram.Block(
                    name: l.name, kind: l.kind, outputShape: l.outputShape, parameters: model.parameterCount(layer: i),
                    inputs: model.inputs[i])
            },
            words: ArchitectureDiagram.Words(
                parameters: { FigureText.t("arch_parameters", ["count": $0]) },
                layers: { FigureText.t("arch_layers", ["count": $0]) },
                parametersEach: { FigureText.t("arch_parameters_each", ["count": $0]) }))
    }

    /// The pieces one under the other; each group a `<details>` whose summary is its box
    /// and whose body is its first copy.
    static func html(_ pieces: [ArchitectureDiagram.Piece], model: Model) -> String {
        func named(_ svg: SVG, _ label: String, hidden: Bool = false) -> String {
            let attributes = hidden ? "aria-hidden=\"true\"" : "role=\"img\" aria-label=\"\(label)\""
            return svg.text.replacingOccurrences(
                of: "<svg ", with: "<svg \(attributes) ", range: svg.text.range(of: "<svg "))
        }
        func span(_ range: Range<Int>) -> [String: String] {
            [
                "first": HTML.escape(model.layers[range.lowerBound].name),
                "last": HTML.escape(model.layers[range.upperBound - 1].name),
            ]
        }
        var html = "<div class=\"arch\">\n"
        for piece in pieces {
            switch piece {
            case .layers(let svg, let range):
                let names = range.isEmpty ? [:] : span(range)
                let label =
                    range.isEmpty
                    ? "input" : FigureText.t("arch_piece", ["first": names["first"]!, "last": names["last"]!])
                html += named(svg, label) + "\n"
            case .repeated(let group, let box, let copy):
                let names = span(group.first), all = span(group.layers)
                let unfold = FigureText.t(
                    "arch_unfold", ["count": String(group.count), "first": all["first"]!, "last": all["last"]!])
                let first = FigureText.t(
                    "arch_first_copy", ["count": String(group.count), "first": names["first"]!, "last": names["last"]!])
                html +=
                    "<details class=\"arch-repeat\"><summary><span class=\"arch-sr\">\(unfold)</span>"
                    + named(box, "", hidden: true) + "</summary>\n<p class=\"arch-copy\">\(first)</p>\n"
                    + named(copy, first) + "</details>\n"
            }
        }
        return html + "</div>"
    }
}
