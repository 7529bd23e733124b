import Foundation
import Render
import Testing
import TestSupport

@testable import Site

/// The home page's lesson cards: every lesson a picture, a heatmap or map grid preferred.
@Suite struct CardTests {
    /// The card picture the home page shows for the only lesson, decoded.
    func card(_ body: String) throws -> (path: String, picture: RGBAImage) {
        let files = try builtFiles(lesson(body))
        let index = String(decoding: try #require(files["index.html"]), as: UTF8.self)
        let path = String(try #require(index.firstMatch(of: /<span class="card-image"><img src="([^"]+)"/)?.output.1))
        return (path, try PNG.decode(try #require(files[path]), file: path))
    }

    @Test("with no thumbnail: given, a lesson's card is its first picture, not a chart before it")
    func pictureOverChart() throws {
        let (path, _) = try card(
            "```viz confusion-matrix\n```\n\n```viz samples\nimages: test[0:8]\n```\n")
        #expect(path.hasPrefix("figures/samples-card-"))
    }

    @Test("a lesson without figures shows its title in its card's picture box, not an empty box")
    func wordsCard() throws {
        let files = try builtFiles("---\ntitle: Glossary\nnumbered: false\n---\n\nWords.\n")
        let index = String(decoding: try #require(files["index.html"]), as: UTF8.self)
        #expect(
            index.contains(
                "<span class=\"card-image\"><span class=\"card-words\" aria-hidden=\"true\">Glossary</span></span>"))
        #expect(!index.contains("<span class=\"card-image\"></span>"))
    }

    @Test("a metrics table's card is the maps it scores: overlays over heatmaps, the random baseline left out")
    func metricsCard() throws {
        let (path, picture) = try card(
            "```viz metrics\nmethods: [vanilla, gradcam, random]\nmetrics: [Sparseness]\nimages: test[0:2]\n```\n")
        #expect(path.hasPrefix("figures/metrics-card-"))
        // Two methods: two 84 px tiles (28 × 3) 3 px apart, two rows.
        #expect((picture.width, picture.height) == (2 * 84 + 3, 2 * 84 + 3))
        // Not a blank picture: the overlay row holds more than one colour.
        let colours = Set((0..<84).map { x in picture[x, 42] })
        #expect(colours.count > 4)
    }

    @Test("wide tiles (lines of text) take fewer columns, so a two-row card stays near 16:9")
    func wideTiles() throws {
        let builder = FigureBuilder(kind: "cam", alt: "", idPrefix: "f")
        let tiles = (0..<8).map { RGBAImage(width: 120, height: 30, fill: RGBA(UInt8($0 * 30), 0, 0)) }
        builder.card(tiles, columns: 4)
        let figure = builder.finish(body: "", caption: "", notes: [])
        let file = try #require(figure.files.first { $0.path == figure.thumbnail })
        let picture = try PNG.decode(file.data, file: file.path)
        // One column: the first tile of each row, 4 px apart (120 / 28).
        #expect((picture.width, picture.height) == (120, 2 * 30 + 4))
        #expect(picture[0, 0] == RGBA(0, 0, 0) && picture[0, 40] == RGBA(120, 0, 0))
        // Square tiles keep their columns.
        let square = FigureBuilder(kind: "cam", alt: "", idPrefix: "f")
        square.card((0..<8).map { _ in RGBAImage(width: 28, height: 28, fill: RGBA(9, 9, 9)) }, columns: 4)
        let squareFigure = square.finish(body: "", caption: "", notes: [])
        let squareFile = try #require(squareFigure.files.first { $0.path == squareFigure.thumbnail })
        #expect(try PNG.decode(squareFile.data, file: "card").width == 4 * 28 + 3 * 2)
    }
}
