import Common

/// A model drawn as its graph, input at the top: each layer a block showing its type,
/// name and output shape, in the spirit of Keras's `plot_model`; block colors by layer
/// type. Branches stand side by side and shortcuts run in lanes at the right
/// (`GraphLayout`); a chain is one column.
///
/// `drawing(width:collapsing:)` cuts the diagram into pieces, each repeated group of
/// blocks (`RepeatedBlocks`) one box with its count and its first copy to unfold.
public struct ArchitectureDiagram: Sendable {
    public struct Block: Sendable {
        public let name: String
        public let kind: String
        public let outputShape: [Int]
        public let parameters: Int
        /// The layers it reads, by index (−1: the model's input); nil: the layer before.
        public let inputs: [Int]?
        public init(name: String, kind: String, outputShape: [Int], parameters: Int, inputs: [Int]? = nil) {
            self.name = name; self.kind = kind; self.outputShape = outputShape; self.parameters = parameters
            self.inputs = inputs
        }
    }

    /// One part of a drawing: layers drawn in full, or a group of identical blocks.
    public enum Piece: Sendable {
        case layers(SVG, Range<Int>)
        /// `count` copies of `layers.first`: the box that stands for them, and the first copy.
        case repeated(RepeatedBlocks.Group, box: SVG, copy: SVG)
    }

    /// The words drawn in the diagram, given as functions of a count so that an edition
    /// can put in its own (their width is not measured: they are never cut).
    public struct Words: Sendable {
        public var parameters: @Sendable (String) -> String
        public var layers: @Sendable (String) -> String
        public var parametersEach: @Sendable (String) -> String
        public init(
            parameters: @escaping @Sendable (String) -> String = { "\($0) params" },
            layers: @escaping @Sendable (String) -> String = { "\($0) layers" },
            parametersEach: @escaping @Sendable (String) -> String = { "\($0) params each" }
        ) {
            self.parameters = parameters
            self.layers = layers
            self.parametersEach = parametersEach
        }
    }

    public var input: [Int]
    public var blocks: [Block]
    public var words: Words

    public init(input: [Int], blocks: [Block], words: Words = Words()) {
        self.input = input
        self.blocks = blocks
        self.words = words
    }

    static let colors = [
        "Input": "#e8e8e8", "Conv2D": "#f4b183", "DepthwiseConv2D": "#f8cbad", "SeparableConv2D": "#f8cbad",
        "MaxPooling2D": "#9dc3e6", "AveragePooling2D": "#9dc3e6", "GlobalAveragePooling2D": "#9dc3e6",
        "Dropout": "#d9d9d9", "Flatten": "#c9b3e6", "Reshape": "#c9b3e6", "Dense": "#a9d18e",
        "BatchNormalization": "#fff2cc", "LayerNormalization": "#fff2cc", "ReLU": "#e2efda", "Activation": "#e2efda",
        "Add": "#9fd8cb", "Concatenate": "#f6c6d8", "Multiply": "#ffd966",
    ]

    /// The layers' inputs (−1 the model's input), a chain's filled in.
    public var layerInputs: [[Int]] { blocks.enumerated().map { i, block in block.inputs ?? [i - 1] } }

    /// Geometry shared by every piece of one drawing.
    struct Frame {
        let layout: GraphLayout
        let boxWidth: Double, boxHeight: Double, gap: Double, columnGap: Double, laneGap: Double
        let width: Double
        var rowHeight: Double { boxHeight + gap }
        func x(column: Int) -> Double { 4 + Double(column) * (boxWidth + columnGap) }
        func lane(_ n: Int) -> Double {
            x(column: layout.columnCount) - columnGap + laneGap * Double(n + 1)
        }
    }

    func frame(width: Double) -> Frame {
        let layout = GraphLayout(inputs: [[]] + layerInputs.map { $0.map { $0 + 1 } })
        let columns = Double(layout.columnCount), laneGap = 10.0, columnGap = 14.0
        let lanes = Double(layout.laneCount) * laneGap + (layout.laneCount > 0 ? 6 : 0)
        let fitted = (width - 8 - lanes - (columns - 1) * columnGap) / columns
        let boxWidth = max(fitted, 132)
        return Frame(
            layout: layout, boxWidth: boxWidth, boxHeight: 44, gap: 22, columnGap: columnGap, laneGap: laneGap,
            width: 8 + columns * boxWidth + (columns - 1) * columnGap + lanes)
    }

    /// The whole diagram, every layer drawn.
    public func svg(width: Double = 340) -> SVG {
        let frame = frame(width: width)
        return draw(nodes: 0..<(blocks.count + 1), frame: frame)
    }

    /// The runs of identical blocks: the same layer types, output shapes, parameter counts
    /// and connections.
    public var repeatedGroups: [RepeatedBlocks.Group] {
        RepeatedBlocks.groups(
            inputs: layerInputs, signatures: blocks.map { "\($0.kind) \($0.outputShape) \($0.parameters)" })
    }

    /// The diagram in pieces; `collapsing` replaces each repeated group by a box.
    public func drawing(width: Double = 340, collapsing: Bool) -> [Piece] {
        let frame = frame(width: width)
        let groups = collapsing ? repeatedGroups : []
        var pieces: [Piece] = [], start = 0
        // Layer i is node i + 1 (node 0 the input).
        func layers(_ range: Range<Int>) {
            guard !range.isEmpty || range.lowerBound == 0 else { return }
            let nodes = (range.lowerBound == 0 ? 0 : range.lowerBound + 1)..<(range.upperBound + 1)
            pieces.append(.layers(draw(nodes: nodes, frame: frame), range))
        }
        for group in groups {
            layers(start..<group.first.lowerBound)
            let copy = draw(nodes: (group.first.lowerBound + 1)..<(group.first.upperBound + 1), frame: frame)
            pieces.append(.repeated(group, box: box(for: group, frame: frame), copy: copy))
            start = group.layers.upperBound
        }
        if start < blocks.count || pieces.isEmpty { layers(start..<blocks.count) }
        return pieces
    }

    /// A node's block: the model's input for node 0, else layer `node − 1`.
    func block(_ node: Int) -> Block {
        node == 0 ? Block(name: "input", kind: "Input", outputShape: input, parameters: 0) : blocks[node - 1]
    }

    static func shape(_ dims: [Int]) -> String { "(" + dims.map(String.init).joined(separator: " × ") + ")" }

    /// Nodes `nodes` (consecutive, their rows consecutive) with the edges between them.
    /// Edges from the node before them come in from the top, edges to nodes after them
    /// leave at the bottom, so that pieces drawn one under the other join up.
    func draw(nodes: Range<Int>, frame: Frame) -> SVG {
        let layout = frame.layout
        let firstRow = layout.rows[nodes.lowerBound]
        let lastRow = nodes.map { layout.rows[$0] }.max() ?? firstRow
        let entering = nodes.lowerBound > 0, leaving = nodes.upperBound < layout.rows.count
        let top = entering ? frame.gap : 4
        let height = top + Double(lastRow - firstRow + 1) * frame.rowHeight - frame.gap + (leaving ? 0 : 4)
        var svg = SVG(width: frame.width, height: height)
        func y(_ node: Int) -> Double { top + Double(layout.rows[node] - firstRow) * frame.rowHeight }
        func center(_ node: Int) -> Double { frame.x(column: layout.columns[node]) + frame.boxWidth / 2 }
        func right(_ node: Int) -> Double { frame.x(column: layout.columns[node]) + frame.boxWidth }
        // Edges first, so that a box covers any edge that passes behind it.
        for edge in layout.edges {
            let (u, v) = (edge.source, edge.target)
            let inside = nodes.contains(u), ending = nodes.contains(v)
            guard inside || ending else { continue }
            if inside && !ending {
                // Leaving: down to the bottom, where the piece below takes it on.
                if case .lane(let n) = edge.route {
                    let from = y(u) + frame.boxHeight / 2
                    svg.polyline(
                        [(right(u), from), (frame.lane(n), from), (frame.lane(n), height)], stroke: "#666", width: 1.5)
                } else {
                    svg.polyline(
                        [(center(u), y(u) + frame.boxHeight), (center(u), height)], stroke: "#666", width: 1.5)
                }
                continue
            }
            let bottom = inside ? y(u) + frame.boxHeight : 0, into = y(v)
            switch edge.route {
            case .straight: arrow(&svg, [(center(u), bottom), (center(v), into)])
            case .fanOut:
                let turn = inside ? bottom + frame.gap / 2 : top / 2
                arrow(&svg, [(center(u), bottom), (center(u), turn), (center(v), turn), (center(v), into)])
            case .fanIn:
                let turn = into - frame.gap / 2
                arrow(&svg, [(center(u), bottom), (center(u), turn), (center(v), turn), (center(v), into)])
            case .lane(let n):
                let x = frame.lane(n), from = inside ? y(u) + frame.boxHeight / 2 : 0, to = y(v) + frame.boxHeight / 2
                arrow(&svg, [(inside ? right(u) : x, from), (x, from), (x, to), (right(v), to)], pointing: .left)
            }
        }
        for node in nodes { drawBlock(&svg, block(node), x: frame.x(column: layout.columns[node]), y: y(node), frame) }
        return svg
    }

    enum Direction { case down, left }

    /// A line through `points` with an arrowhead at the last.
    func arrow(_ svg: inout SVG, _ points: [(Double, Double)], pointing: Direction = .down) {
        svg.polyline(points, stroke: "#666", width: 1.5)
        let (x, y) = points[points.count - 1]
        switch pointing {
        case .down: svg.polyline([(x - 4, y - 6), (x, y - 1), (x + 4, y - 6)], stroke: "#666", width: 1.5)
        case .left: svg.polyline([(x + 6, y - 4), (x + 1, y), (x + 6, y + 4)], stroke: "#666", width: 1.5)
        }
    }

    func drawBlock(_ svg: inout SVG, _ block: Block, x: Double, y: Double, _ frame: Frame) {
        let w = frame.boxWidth, shape = Self.shape(block.outputShape)
        svg.rect(
            x: x, y: y, width: w, height: frame.boxHeight, fill: Self.colors[block.kind] ?? "#eeeeee", stroke: "#666",
            radius: 6, title: "\(block.name): \(block.kind), output \(shape), \(block.parameters.grouped) parameters")
        let wide = w >= 230, kindSize = wide ? 13.0 : 12
        let kindRoom = w - 20 - (wide ? SVG.estimatedWidth(shape, size: 12) + 10 : 0)
        svg.text(
            fitted(block.kind, kindRoom, size: kindSize), x: x + 10, y: y + 18, size: kindSize, weight: "600",
            fill: "#222")
        if wide {
            svg.text(fitted(block.name, w - 110, size: 12), x: x + 12, y: y + 36, size: 12, fill: "#444")
            svg.text(shape, x: x + w - 12, y: y + 18, anchor: .end, size: 12, fill: "#222")
            if block.parameters > 0 {
                svg.text(
                    words.parameters(block.parameters.grouped), x: x + w - 12, y: y + 36, anchor: .end, size: 12,
                    fill: "#444")
            }
        } else {
            svg.text(fitted(shape, w - 20, size: 12), x: x + 10, y: y + 36, size: 12, fill: "#444")
        }
    }

    /// `text`, cut with an ellipsis to fit `width` pixels at `size`.
    func fitted(_ text: String, _ width: Double, size: Double) -> String {
        guard SVG.estimatedWidth(text, size: size) > width else { return text }
        var cut = text
        while !cut.isEmpty && SVG.estimatedWidth(cut + "…", size: size) > width { cut.removeLast() }
        return cut + "…"
    }

    /// The box that stands for a group: a stack of cards as wide as the diagram, with the
    /// count, the layer types of one copy and its output shape; the edges into the first
    /// copy come in at its top, those out of the last leave at its bottom.
    func box(for group: RepeatedBlocks.Group, frame: Frame) -> SVG {
        let layout = frame.layout, nodes = (group.layers.lowerBound + 1)..<(group.layers.upperBound + 1)
        let x = frame.x(column: 0), w = frame.width - 8 - 8, h = 58.0, top = frame.gap
        let leaving = nodes.upperBound < layout.rows.count
        let height = top + h + 8 + (leaving ? 0 : 4)
        var svg = SVG(width: frame.width, height: height)
        func position(_ edge: GraphLayout.Edge) -> Double {
            if case .lane(let n) = edge.route { return frame.lane(n) }
            return frame.x(column: layout.columns[edge.source]) + frame.boxWidth / 2
        }
        let entering = Set(
            layout.edges.filter { !nodes.contains($0.source) && nodes.contains($0.target) }.map(position))
        for across in entering.sorted() { arrow(&svg, [(across, 0), (across, top)]) }
        let exits = Set(layout.edges.filter { nodes.contains($0.source) && !nodes.contains($0.target) }.map(position))
        for across in exits.sorted() {
            svg.polyline([(across, top + h), (across, height)], stroke: "#666", width: 1.5)
        }
        for offset in [8.0, 4.0] {
            svg.rect(x: x + offset, y: top + offset, width: w, height: h, fill: "#f3f3f3", stroke: "#999", radius: 6)
        }
        let layers = blocks[group.first]
        var counts: [(kind: String, count: Int)] = []
        for layer in layers {
            if let i = counts.firstIndex(where: { $0.kind == layer.kind }) {
                counts[i].count += 1
            } else {
                counts.append((layer.kind, 1))
            }
        }
        let kinds = counts.map { $0.count > 1 ? "\($0.kind) ×\($0.count)" : $0.kind }.joined(separator: ", ")
        let parameters = layers.reduce(0) { $0 + $1.parameters }
        svg.rect(
            x: x, y: top, width: w, height: h, fill: "#ffffff", stroke: "#555", radius: 6,
            title: "\(group.count) × \(group.first.count) layers: \(kinds)")
        svg.text("× \(group.count)", x: x + w - 12, y: top + 24, anchor: .end, size: 20, weight: "700", fill: "#222")
        svg.text(words.layers(String(group.first.count)), x: x + 10, y: top + 18, size: 13, weight: "600", fill: "#222")
        svg.text(fitted(kinds, w - 70, size: 12), x: x + 10, y: top + 34, size: 12, fill: "#444")
        let shape = Self.shape(layers.last!.outputShape)
        svg.text(
            parameters > 0 ? shape + ", " + words.parametersEach(parameters.grouped) : shape, x: x + 10, y: top + 50,
            size: 12, fill: "#444")
        return svg
    }
}
