import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
@testable import Render
import Testing

@Suite struct SVGTests {
    /// Parses as XML and returns the root element's name, or nil.
    func parse(_ text: String) -> String? {
        guard let doc = try? XMLDocument(xmlString: text, options: []) else { return nil }
        return doc.rootElement()?.name
    }

    @Test func everyChartIsValidXML() throws {
        let viridis = try #require(Colormap.named("viridis"))
        let charts: [SVG] = [
            Colorbar(colormap: viridis, low: -0.5, high: 2, label: "value <raw> & \"quoted\"").svg(),
            Colorbar(colormap: viridis, low: 0, high: 0).svg(),
            LineChart(
                series: [
                    .init(name: "loss </svg>", points: [(1, 0.5), (2, 0.2), (3, 0.1)], color: "#1f77b4"),
                    .init(name: "accuracy", points: [(1, 0.9), (2, 0.97), (3, 0.98)], color: "#ff7f0e"),
                ],
                xLabel: "epoch", yLabel: "value"
            ).svg(),
            BarChart(labels: (0..<10).map(String.init), values: (0..<10).map { Double($0) / 45 }, highlight: 9).svg(),
            MatrixChart(
                values: [[5, 1], [0, 7]], rowLabels: ["0", "1"], columnLabels: ["0", "1"], colormap: viridis,
                rowTitle: "true", columnTitle: "predicted"
            ).svg(),
            ArchitectureDiagram(
                input: [28, 28, 1],
                blocks: [
                    .init(name: "conv2d_1", kind: "Conv2D", outputShape: [26, 26, 32], parameters: 320),
                    .init(name: "preds", kind: "Dense", outputShape: [10], parameters: 1290),
                ]
            ).svg(),
        ]
        for chart in charts { #expect(parse(chart.text) == "svg", "\(chart.text.prefix(300))") }
    }

    @Test("legend entries stay in three columns when short, and flow without overlapping when long")
    func legendEntriesDoNotOverlap() {
        let short = LineChart.legendLayout([6, 6, 6, 6], width: 408)
        #expect(short.map(\.x) == [0, 136, 272, 0] && short.map(\.row) == [0, 0, 0, 1])
        let names = [
            "Gradient", "Gradient, absolute", "Integrated Gradients", "Integrated Gradients, blurred 3×3", "DeepLIFT",
            "LRP (composite)", "Grad-CAM", "Random", "Edges (Sobel)", "The image itself",
        ]
        let places = LineChart.legendLayout(names.map { SVG.estimatedWidth($0, size: 11) }, width: 408)
        for i in names.indices {
            let end = places[i].x + 24 + SVG.estimatedWidth(names[i], size: 11)
            #expect(end <= 408 || places[i].x == 0, "\(names[i]) runs past the chart")
            for j in names.indices where j > i && places[j].row == places[i].row {
                #expect(places[j].x >= end, "\(names[j]) starts inside \(names[i])")
            }
        }
        // Wider text takes more room: a CJK name is wider than its Latin letters' count suggests.
        #expect(SVG.estimatedWidth("积分梯度", size: 11) > SVG.estimatedWidth("abcd", size: 11))
    }

    @Test func textIsEscaped() {
        #expect(
            SVG.escape(#"<script>"a" & 'b'</script>"#) == "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        )
        var svg = SVG(width: 10, height: 10)
        svg.text("</svg><script>alert(1)</script>", x: 0, y: 0)
        #expect(!svg.text.contains("<script>"))
    }

    @Test func ticksAreNiceNumbers() {
        let t = SVG.ticks(0, 1, count: 5)
        #expect(t.count == 6 && abs(t[1] - 0.2) < 1e-12 && t.first == 0 && abs(t.last! - 1) < 1e-12)
        #expect(SVG.ticks(3, 97, count: 4) == [20, 40, 60, 80])
        #expect(SVG.label(0.25, step: 0.05) == "0.25" && SVG.label(40, step: 20) == "40")
    }

    @Test("huge, infinite and indistinguishable values label and tick without trapping or looping")
    func extremeValues() {
        #expect(SVG.label(1e20, step: 1e19) == "1e+20")
        #expect(SVG.label(-1e20, step: 2e19) == "-1e+20")
        #expect(SVG.label(.infinity, step: 1) == "∞" && SVG.label(-.infinity, step: 1) == "−∞")
        #expect(SVG.label(.nan, step: 1) == "NaN")
        #expect(SVG.label(0.5, step: 0) == "0.5")
        #expect(SVG.number(1e20) == "1e+20" && SVG.number(-3e300) == "-3e+300")
        #expect(SVG.ticks(1e20, 1e20 + 1e4) == [1e20, 1e20 + 1e4])
        #expect(SVG.ticks(-1e20, 1e20).count == 5)
        #expect(SVG.ticks(0, .infinity) == [0])
        let tiny = SVG.ticks(1, 1 + 1e-15)
        #expect(tiny.count <= 28)
    }

    @Test func architectureShowsEveryLayer() {
        let svg = ArchitectureDiagram(
            input: [28, 28, 1],
            blocks: [
                .init(name: "dense_1", kind: "Dense", outputShape: [128], parameters: 1_179_776)
            ]
        ).svg().text
        #expect(
            svg.contains(">dense_1<") && svg.contains(">(128)<") && svg.contains("1,179,776 params")
                && svg.contains(">(28 × 28 × 1)<"))
    }
}
