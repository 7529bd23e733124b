@testable import CNN
import Common
import Foundation
@testable import Render
import Testing
import TestSupport

/// The architecture diagrams of real networks: laid out without an edge through a block,
/// and ResNet-50's bottlenecks collapsed stage by stage as its paper counts them.
@Suite(.serialized) struct ZooDiagramTests {
    static func diagram(_ model: Model) -> ArchitectureDiagram {
        ArchitectureDiagram(
            input: model.inputShape,
            blocks: model.layers.enumerated().map { i, layer in
                .init(
                    name: layer.name, kind: layer.kind, outputShape: layer.outputShape,
                    parameters: model.parameterCount(layer: i), inputs: model.inputs[i])
            })
    }

    @Test("ResNet-50: each stage a projection block and its identical blocks, × 2, × 3, × 5, × 2")
    func resNet50Collapses() throws {
        let fixture = try ZooCoverageTests.Fixture.load("ResNet50-keras")
        let model = try ZooCoverageTests.kerasModel("ResNet50", fixture)
        let diagram = Self.diagram(model)
        let groups = diagram.repeatedGroups
        #expect(groups.map(\.count) == [2, 3, 5, 2])
        let spans = groups.map {
            (model.layers[$0.layers.lowerBound].name, model.layers[$0.layers.upperBound - 1].name)
        }
        #expect(
            spans.map(\.0) == [
                "conv2_block2_1_conv", "conv3_block2_1_conv", "conv4_block2_1_conv", "conv5_block2_1_conv",
            ])
        #expect(spans.map(\.1) == ["conv2_block3_out", "conv3_block4_out", "conv4_block6_out", "conv5_block3_out"])
        #expect(groups.allSatisfy { $0.first.count == 10 })
        // Collapsed: stem and projection blocks drawn, four stacks, the head; every layer in one piece.
        let pieces = diagram.drawing(width: 560, collapsing: true)
        var covered = 0
        for piece in pieces {
            switch piece {
            case .layers(_, let range): covered += range.count
            case .repeated(let group, _, let copy):
                covered += group.layers.count
                #expect(copy.text.components(separatedBy: "<rect").count - 1 == group.first.count)
            }
        }
        #expect(covered == model.layers.count && pieces.count == 9)
        let layout = GraphLayout(inputs: [[]] + diagram.layerInputs.map { $0.map { $0 + 1 } })
        #expect(layout.columnCount == 2 && layout.laneCount == 1 && layout.violations().isEmpty)
    }

    @Test(
        "real graphs lay out with no edge through a block",
        arguments: ["DenseNet121", "InceptionV3", "MobileNetV3Small", "NASNetMobile", "Xception"])
    func layouts(_ name: String) throws {
        let fixture = try ZooCoverageTests.Fixture.load("\(name)-keras")
        let diagram = Self.diagram(try ZooCoverageTests.kerasModel(name, fixture))
        let layout = GraphLayout(inputs: [[]] + diagram.layerInputs.map { $0.map { $0 + 1 } })
        #expect(layout.violations().isEmpty, "\(layout.violations().prefix(5))")
        // Inception and NASNet put their branches side by side.
        if name == "InceptionV3" { #expect(layout.columnCount == 4) }
    }
}
