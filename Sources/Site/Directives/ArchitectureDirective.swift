import Common
import CNN
import Explain
import Foundation
import Render

/// The architecture diagram.
struct ArchitectureDirective: Directive {
    static let name = "architecture"
    static let summary = "A diagram of the model: each layer a block with its type and output shape."
    static let width = DirectiveOption("width", "integer 240–960", default: "360", "Width of the diagram in pixels.")
    static let options = [width.spec]
    static let example = "width: 360"

    let modelName: String
    let width: Int
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        modelName = model.name
        width = try Self.width.int(options, default: 360, in: 240...960)
    }

    var caption: String {
        "The architecture of \(modelName), from the input at the top to the class scores at the bottom."
    }
    var alt: String { "architecture diagram of \(modelName)" }
    var needsWeights: Bool { false }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let model = context.model
        let diagram = ArchitectureDiagram(
            input: model.inputShape,
            blocks: model.layers.enumerated().map { i, l in
                ArchitectureDiagram.Block(
                    name: l.name, kind: l.kind, outputShape: l.outputShape, parameters: model.parameterCount(layer: i))
            })
        let svg = figure.svg(
            diagram.svg(width: Double(width)), name: "architecture", label: "diagram (SVG)", thumbnail: true)
        try figure.json(ModelValues(model), name: "architecture")
        return (svg, [])
    }
}
