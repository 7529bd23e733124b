/// A network's graph placed on a grid for drawing, top to bottom: each node a cell (row,
/// column), each edge a route between cells that passes no other node.
///
/// Rows are longest-path layers, so parallel branches (an inception block's four, a
/// projection shortcut beside the main path, a squeeze-and-excitation gate) start on one
/// row side by side. A node continues the column of the first input no other node has
/// continued, so a network's main path runs straight down column 0, and a merge (Add,
/// Concatenate, Multiply) returns to the leftmost branch it joins. Edges that cannot run
/// through free cells — a residual block's identity shortcut, a dense block's concatenated
/// earlier features — run in lanes right of the columns, one lane per source, tapped by
/// each consumer: the drawings of the ResNet, DenseNet and GoogLeNet papers, upright.
public struct GraphLayout: Sendable, Equatable {
    /// How an edge runs from its source's cell to its target's.
    public enum Route: Sendable, Equatable {
        /// Straight down one column.
        case straight
        /// Across in the gap below the source, then down the target's column (a branch
        /// leaving a node).
        case fanOut
        /// Down the source's column, then across in the gap above the target (a branch
        /// joining a merge).
        case fanIn
        /// Out of the source's right side to lane `n`, down the lane, into the target's
        /// right side.
        case lane(Int)
    }

    public struct Edge: Sendable, Equatable {
        public let source: Int
        public let target: Int
        public let route: Route
    }

    /// Per node, its row and column.
    public let rows: [Int]
    public let columns: [Int]
    /// Every edge, by target, in the order of the target's inputs.
    public let edges: [Edge]
    public let columnCount: Int
    public let laneCount: Int

    /// Lays out nodes `0..<inputs.count` in topological order; `inputs[v]` lists the nodes
    /// node `v` reads, each before `v` (node 0, the model's input, reads none).
    public init(inputs: [[Int]]) {
        let count = inputs.count
        var rows = [Int](repeating: 0, count: count)
        for v in 0..<count { rows[v] = inputs[v].map { rows[$0] + 1 }.max() ?? 0 }
        var grid = Occupancy()
        var columns = [Int](repeating: 0, count: count)
        var continued = [Bool](repeating: false, count: count)
        var edges: [Edge] = []
        var laneEdges: [Int] = []
        for v in 0..<count {
            let row = rows[v]
            // The leftmost input nobody has continued, whose column is free down to this row.
            let open = inputs[v].filter { u in
                !continued[u] && grid.isFree(columns[u], row...row)
                    && grid.isFree(columns[u], rows[u] + 1...row, for: u)
            }
            if let u = open.min(by: { columns[$0] < columns[$1] }) {
                columns[v] = columns[u]
                continued[u] = true
            } else {
                let from = inputs[v].map { rows[$0] + 1 }.min() ?? row
                columns[v] = (0...).first { grid.isFree($0, from...row) }!
            }
            grid.take(columns[v], row...row)
            // Each input's route, reserving the cells it passes; one with no free cells takes a lane.
            let merges = inputs[v].count > 1
            for u in inputs[v] {
                let gap = row - rows[u] > 1, between = rows[u] + 1...max(rows[u] + 1, row - 1)
                let candidates: [Route] =
                    columns[u] == columns[v] ? [.straight] : merges ? [.fanIn, .fanOut] : [.fanOut, .fanIn]
                let route = candidates.first { r in
                    !gap || grid.isFree(r == .fanIn ? columns[u] : columns[v], between, for: u)
                }
                if let route {
                    if gap { grid.take(route == .fanIn ? columns[u] : columns[v], between, for: u) }
                    edges.append(Edge(source: u, target: v, route: route))
                } else {
                    laneEdges.append(edges.count)
                    edges.append(Edge(source: u, target: v, route: .lane(-1)))
                }
            }
        }
        // One lane per source, spanning its row through its last lane target's (a bus the
        // targets tap); a lane is reused once the span before it has ended.
        var spans: [Int: ClosedRange<Int>] = [:]
        for index in laneEdges {
            let source = edges[index].source, end = rows[edges[index].target]
            spans[source] = rows[source]...max(spans[source]?.upperBound ?? end, end)
        }
        var laneEnds: [Int] = []
        var laneOf: [Int: Int] = [:]
        for source in spans.keys.sorted(by: { (rows[$0], $0) < (rows[$1], $1) }) {
            let span = spans[source]!
            if let free = laneEnds.firstIndex(where: { $0 < span.lowerBound }) {
                laneEnds[free] = span.upperBound
                laneOf[source] = free
            } else {
                laneOf[source] = laneEnds.count
                laneEnds.append(span.upperBound)
            }
        }
        for index in laneEdges {
            let edge = edges[index]
            edges[index] = Edge(source: edge.source, target: edge.target, route: .lane(laneOf[edge.source]!))
        }
        self.rows = rows
        self.columns = columns
        self.edges = edges
        columnCount = (columns.max() ?? 0) + 1
        laneCount = laneEnds.count
    }

    /// Which cells are taken, by a node or by an edge from a source (edges from one source
    /// may share cells: a bus).
    private struct Occupancy {
        /// Per column, per row: -2 a node, a source's index an edge from it, absent free.
        var cells: [[Int: Int]] = []

        func isFree(_ column: Int, _ rows: ClosedRange<Int>, for source: Int? = nil) -> Bool {
            guard column < cells.count else { return true }
            return rows.allSatisfy { row in
                guard let owner = cells[column][row] else { return true }
                return source != nil && owner == source
            }
        }

        mutating func take(_ column: Int, _ rows: ClosedRange<Int>, for source: Int? = nil) {
            while cells.count <= column { cells.append([:]) }
            for row in rows { cells[column][row] = source ?? -2 }
        }
    }
}

extension GraphLayout {
    /// What breaks the layout's promise — two nodes in one cell, an edge through a node's
    /// cell, two sources' edges in one cell, two sources' lanes over one row — one line
    /// each; empty when nothing does.
    func violations() -> [String] {
        var problems: [String] = []
        var nodeAt: [[Int]: Int] = [:]
        for v in rows.indices {
            if let other = nodeAt[[rows[v], columns[v]]] { problems.append("nodes \(other) and \(v) share a cell") }
            nodeAt[[rows[v], columns[v]]] = v
        }
        var edgeAt: [[Int]: Int] = [:]
        var laneRows: [Int: [Int: Int]] = [:]
        for edge in edges {
            let (u, v) = (edge.source, edge.target)
            let column: Int
            switch edge.route {
            case .straight, .fanOut: column = columns[v]
            case .fanIn: column = columns[u]
            case .lane(let n):
                for row in rows[u]...rows[v] {
                    if let other = laneRows[n]?[row], other != u {
                        problems.append("lane \(n) row \(row): \(other), \(u)")
                    }
                    laneRows[n, default: [:]][row] = u
                }
                continue
            }
            for row in stride(from: rows[u] + 1, to: rows[v], by: 1) {
                if let node = nodeAt[[row, column]] { problems.append("edge \(u)→\(v) passes node \(node)") }
                if let other = edgeAt[[row, column]], other != u {
                    problems.append("edges from \(other) and \(u) share row \(row), column \(column)")
                }
                edgeAt[[row, column]] = u
            }
        }
        return problems
    }
}
