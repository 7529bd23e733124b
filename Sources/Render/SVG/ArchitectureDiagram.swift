import Common
import Common

/// A model drawn as a column of blocks, one per layer, each showing its type, name and
/// output shape, in the spirit of Keras's `plot_model`; block colors by layer type.
public struct ArchitectureDiagram: Sendable {
    public struct Block: Sendable {
        public let name: String
        public let kind: String
        public let outputShape: [Int]
        public let parameters: Int
        public init(name: String, kind: String, outputShape: [Int], parameters: Int) {
            self.name = name; self.kind = kind; self.outputShape = outputShape; self.parameters = parameters
        }
    }

    public var input: [Int]
    public var blocks: [Block]

    public init(input: [Int], blocks: [Block]) {
        self.input = input
        self.blocks = blocks
    }

    static let colors = [
        "Input": "#e8e8e8", "Conv2D": "#f4b183", "MaxPooling2D": "#9dc3e6", "Dropout": "#d9d9d9",
        "Flatten": "#c9b3e6", "Dense": "#a9d18e",
    ]

    public func svg(width: Double = 340) -> SVG {
        let boxH = 44.0, gap = 22.0
        let all = [Block(name: "input", kind: "Input", outputShape: input, parameters: 0)] + blocks
        var svg = SVG(width: width, height: Double(all.count) * (boxH + gap) - gap + 8)
        for (i, block) in all.enumerated() {
            let y = 4 + Double(i) * (boxH + gap)
            let shape = "(" + block.outputShape.map(String.init).joined(separator: " × ") + ")"
            svg.rect(
                x: 4, y: y, width: width - 8, height: boxH, fill: Self.colors[block.kind] ?? "#eeeeee", stroke: "#666",
                radius: 6,
                title: "\(block.name): \(block.kind), output \(shape), \(block.parameters) parameters")
            svg.text(block.kind, x: 16, y: y + 18, size: 13, weight: "600", fill: "#222")
            svg.text(block.name, x: 16, y: y + 35, size: 11, fill: "#444")
            svg.text(shape, x: width - 16, y: y + 18, anchor: .end, size: 12, fill: "#222")
            if block.parameters > 0 {
                svg.text(
                    "\(block.parameters.grouped) params", x: width - 16, y: y + 35, anchor: .end, size: 11, fill: "#444"
                )
            }
            if i + 1 < all.count {
                let x = width / 2, y0 = y + boxH, y1 = y + boxH + gap
                svg.line(x1: x, y1: y0, x2: x, y2: y1 - 2, stroke: "#666", width: 1.5)
                svg.polyline([(x - 4, y1 - 7), (x, y1 - 2), (x + 4, y1 - 7)], stroke: "#666", width: 1.5)
            }
        }
        return svg
    }
}
