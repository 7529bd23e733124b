import CNN
import Foundation
@testable import Site
import Testing
import TestSupport

/// `architecture` and `summary` of a graph: shortcuts drawn, repeated blocks collapsed to a
/// stack with the first copy to unfold, in the diagram and in the table alike.
@Suite struct ArchitectureSiteTests {
    /// A stem and three identical residual blocks (convolution, ReLU, convolution, addition of
    /// the block's input), pooling and a dense layer: 15 layers.
    static let residualSpec = """
        name: three-blocks
        input: [28, 28, 1]
        dataset: mnist
        layers:
          - {type: Conv2D, name: stem, filters: 4, kernel_size: 3, strides: 2, padding: same, activation: relu}
          - {type: Conv2D, name: a1, filters: 4, kernel_size: 3, padding: same}
          - {type: ReLU, name: a2}
          - {type: Conv2D, name: a3, filters: 4, kernel_size: 3, padding: same}
          - {type: Add, name: a_add, inputs: [stem, a3]}
          - {type: Conv2D, name: b1, filters: 4, kernel_size: 3, padding: same}
          - {type: ReLU, name: b2}
          - {type: Conv2D, name: b3, filters: 4, kernel_size: 3, padding: same}
          - {type: Add, name: b_add, inputs: [a_add, b3]}
          - {type: Conv2D, name: c1, filters: 4, kernel_size: 3, padding: same}
          - {type: ReLU, name: c2}
          - {type: Conv2D, name: c3, filters: 4, kernel_size: 3, padding: same}
          - {type: Add, name: c_add, inputs: [b_add, c3]}
          - {type: GlobalAveragePooling2D}
          - {type: Dense, name: preds, units: 10, activation: softmax}
        training: {optimizer: adam, learning_rate: 0.003, batch_size: 32, epochs: 1, seed: 1}

        """

    func build(_ lesson: String) throws -> [String: Data] {
        let site = FixtureSite(lessons: ["01-graph.md": "---\ntitle: Graph\n---\n\n" + lesson])
        site.directory.write("Content/models/blocks.yml", Self.residualSpec)
        try SiteBuilder(options: buildOptions(site)).build()
        return FixtureSite.tree(site.output)
    }

    @Test("the diagram draws each shortcut in a lane and the three blocks as one stack to unfold")
    func collapsedDiagram() throws {
        let files = try build(
            "```viz architecture\nmodel: models/blocks.yml\ncollapse: always\n```\n\n"
                + "```viz architecture\nmodel: models/blocks.yml\n```\n")
        let page = String(decoding: files["graph/index.html"]!, as: UTF8.self)
        // Collapsed: one stack for a1 … c_add, its first copy a1 … a_add inside.
        #expect(page.components(separatedBy: "<details class=\"arch-repeat\">").count == 2)
        #expect(page.contains("3 identical blocks, a1 to c_add: unfold the first"))
        #expect(page.contains("The first of 3 identical blocks, a1 to a_add:"))
        #expect(page.contains(">× 3</text>") && page.contains(">4 layers</text>"))
        // Per copy 2 × (3·3·4·4 weights + 4 biases) = 296 parameters; 888 for the three.
        #expect(page.contains(">(14 × 14 × 4), 296 params each</text>"))
        // The copy draws its four layers, and its shortcut comes in from the top at the lane.
        let copy = try #require(page.components(separatedBy: "<p class=\"arch-copy\">").dropFirst().first)
        let copySVG = String(copy[copy.range(of: "<svg")!.lowerBound..<copy.range(of: "</svg>")!.upperBound])
        #expect(copySVG.components(separatedBy: "<rect").count - 1 == 4)
        #expect(copySVG.contains("<title>a_add: Add, output (14 × 14 × 4), 0 parameters</title>"))
        // 15 layers is below `auto`'s 40: the second figure draws every layer, and links the
        // whole diagram for download.
        let figures = page.components(separatedBy: "<figure")
        #expect(!figures[2].contains("arch-repeat") && figures[2].components(separatedBy: "<rect").count - 1 == 16)
        let download = try #require(files.keys.first { $0.hasPrefix("figures/architecture-") && $0.hasSuffix(".svg") })
        let svg = String(decoding: files[download]!, as: UTF8.self)
        #expect(svg.components(separatedBy: "<rect").count - 1 == 16)
        // Each addition's shortcut: out of the source's right side, down the lane, into the Add.
        // Four points: right across, down the lane at one x, left into the Add.
        let lanes = svg.components(separatedBy: "<polyline points=\"").dropFirst().compactMap {
            element -> [[Double]]? in
            let points = element.prefix { $0 != "\"" }.split(separator: " ").map {
                $0.split(separator: ",").compactMap { Double($0) }
            }
            guard points.count == 4, points[0][1] == points[1][1], points[1][0] == points[2][0],
                points[2][1] == points[3][1], points[3][0] < points[2][0]
            else { return nil }
            return points
        }
        // An addition feeds the next block and its shortcut at once: the lanes alternate, so
        // that no line runs on through an Add as if one shortcut skipped two blocks.
        #expect(lanes.count == 3 && Set(lanes.map { $0[1][0] }).count == 2, "\(lanes)")
        #expect(lanes[0][1][0] == lanes[2][1][0] && lanes[0][1][0] != lanes[1][1][0])
    }

    @Test("the summary lists the repeated blocks as one row whose first copy unfolds, in the table's columns")
    func collapsedSummary() throws {
        let files = try build("```viz summary\nmodel: models/blocks.yml\ncollapse: always\n```\n")
        let page = String(decoding: files["graph/index.html"]!, as: UTF8.self)
        #expect(page.components(separatedBy: "<tr class=\"viz-repeat\">").count == 2)
        #expect(
            page.contains(
                "<summary>3 identical blocks of 4 layers, a1 to c_add (888 params): unfold the first</summary>"))
        // Rows: stem, the group's four, pooling and dense; a1 is inside, b1 and c1 are not shown.
        #expect(page.contains("<td>stem (Conv2D)</td>") && page.contains("<td>a_add (Add)</td>"))
        #expect(!page.contains("<td>b1 (Conv2D)</td>") && !page.contains("<td>c_add (Add)</td>"))
        #expect(page.contains("<td>stem, a3</td>"))
    }
}
