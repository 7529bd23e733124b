import Foundation

/// A colorbar for a heatmap: the colormap from `low` to `high`, with ticks and a label.
public struct Colorbar: Sendable {
    public var colormap: Colormap
    public var low: Float
    public var high: Float
    public var label: String

    public init(colormap: Colormap, low: Float, high: Float, label: String = "") {
        self.colormap = colormap
        self.low = low
        self.high = high
        self.label = label
    }

    /// A vertical bar `height` tall; about 80 px wide with its labels (12 px type).
    public func svg(height: Double = 200) -> SVG {
        var svg = SVG(width: 84, height: height + 20)
        let id = "cb-\(colormap.name)"
        svg.gradient(id: id, colors: stride(from: 0, through: 255, by: 17).map { colormap.table[$0] }, vertical: true)
        svg.rect(x: 4, y: 10, width: 14, height: height, fill: "url(#\(id))", stroke: "#888")
        let (lo, hi) = (Double(low), Double(high))
        let ticks = SVG.ticks(lo, hi, count: 4)
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        for t in ticks where hi > lo {
            let y = 10 + height * (1 - (t - lo) / (hi - lo))
            svg.line(x1: 18, y1: y, x2: 22, y2: y, stroke: "#888")
            svg.text(SVG.label(t, step: step), x: 25, y: y + 4, size: 12)
        }
        if hi <= lo { svg.text(SVG.label(lo, step: 1), x: 25, y: 14 + height / 2, size: 12) }
        if !label.isEmpty { svg.text(label, x: 76, y: 10 + height / 2, anchor: .middle, size: 12, rotate: 90) }
        return svg
    }

    /// A horizontal bar `width` wide with its ticks below and its label under them: for
    /// under a figure's grid, which it then spans without leaving a tall empty block, and
    /// no wider than the bar (a figure in a group's row is narrow).
    public func horizontalSVG(width: Double = 240) -> SVG {
        let labelWidth = label.isEmpty ? 0 : SVG.estimatedWidth(label, size: 12)
        // A margin of half a tick label each side, so "0.0" and "1.0" are not cut.
        var svg = SVG(width: max(width + 32, labelWidth + 16), height: label.isEmpty ? 36 : 52)
        let id = "cbh-\(colormap.name)"
        svg.gradient(id: id, colors: stride(from: 0, through: 255, by: 17).map { colormap.table[$0] }, vertical: false)
        svg.rect(x: 16, y: 2, width: width, height: 12, fill: "url(#\(id))", stroke: "#888")
        let (lo, hi) = (Double(low), Double(high))
        let ticks = SVG.ticks(lo, hi, count: 4)
        let step = ticks.count > 1 ? ticks[1] - ticks[0] : 1
        for t in ticks where hi > lo {
            let x = 16 + width * (t - lo) / (hi - lo)
            svg.line(x1: x, y1: 14, x2: x, y2: 18, stroke: "#888")
            svg.text(SVG.label(t, step: step), x: x, y: 31, anchor: .middle, size: 12)
        }
        if hi <= lo { svg.text(SVG.label(lo, step: 1), x: 16 + width / 2, y: 31, anchor: .middle, size: 12) }
        if !label.isEmpty { svg.text(label, x: 16, y: 47, size: 12) }
        return svg
    }
}

/// Line series over a shared x axis (training curves, deletion/insertion curves).
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public let name: String
        public let points: [(x: Double, y: Double)]
        public let color: String
        public init(name: String, points: [(x: Double, y: Double)], color: String) {
            self.name = name; self.points = points; self.color = color
        }
    }

    public var series: [Series]
    public var xLabel: String
    public var yLabel: String
    /// A fixed y range (e.g. 0…1 for probabilities); otherwise the data's.
    public var yRange: (Double, Double)?
    /// How wide a series name is drawn at 12 px, for the legend's layout: by default the
    /// name's own estimate; a caller whose names stand for words (translated later) measures
    /// the words.
    public var nameWidth: @Sendable (String) -> Double = { SVG.estimatedWidth($0, size: 12) }

    public init(
        series: [Series], xLabel: String, yLabel: String, yRange: (Double, Double)? = nil,
        nameWidth: (@Sendable (String) -> Double)? = nil
    ) {
        self.series = series; self.xLabel = xLabel; self.yLabel = yLabel; self.yRange = yRange
        if let nameWidth { self.nameWidth = nameWidth }
    }

    public static let palette = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f",
    ]

    public func svg(width: Double = 480, height: Double = 280) -> SVG {
        var svg = SVG(width: width, height: height)
        let (left, right, top, bottom) = (60.0, 16.0, 12.0, 48.0)
        let legend = Self.legendLayout(series.map { nameWidth($0.name) }, width: width - left - right)
        let rows = (legend.map(\.row).max() ?? -1) + 1
        let plotW = width - left - right, plotH = height - top - bottom - Double(rows) * 18
        let xs = series.flatMap { $0.points.map(\.x) }, ys = series.flatMap { $0.points.map(\.y) }
        let (x0, x1) = (xs.min() ?? 0, max(xs.max() ?? 1, (xs.min() ?? 0) + 1e-9))
        var (y0, y1) = yRange ?? (ys.min() ?? 0, ys.max() ?? 1)
        if y1 <= y0 { y0 -= 0.5; y1 += 0.5 }
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * plotH }
        let yTicks = SVG.ticks(y0, y1, count: 5), yStep = yTicks.count > 1 ? yTicks[1] - yTicks[0] : 1
        for t in yTicks {
            svg.line(x1: left, y1: py(t), x2: left + plotW, y2: py(t), stroke: "#8884", width: 1)
            svg.text(SVG.label(t, step: yStep), x: left - 6, y: py(t) + 4, anchor: .end, size: 12)
        }
        let xTicks = SVG.ticks(x0, x1, count: 6), xStep = xTicks.count > 1 ? xTicks[1] - xTicks[0] : 1
        for t in xTicks {
            svg.line(x1: px(t), y1: top + plotH, x2: px(t), y2: top + plotH + 4, stroke: "#888")
            svg.text(SVG.label(t, step: xStep), x: px(t), y: top + plotH + 17, anchor: .middle, size: 12)
        }
        svg.line(x1: left, y1: top + plotH, x2: left + plotW, y2: top + plotH, stroke: "#888")
        svg.line(x1: left, y1: top, x2: left, y2: top + plotH, stroke: "#888")
        svg.text(xLabel, x: left + plotW / 2, y: top + plotH + 35, anchor: .middle, size: 12)
        svg.text(yLabel, x: 14, y: top + plotH / 2, anchor: .middle, size: 12, rotate: -90)
        for s in series {
            svg.polyline(s.points.map { (px($0.x), py($0.y)) }, stroke: s.color)
            // Sparse series (a test score per epoch) get markers, so one point still shows.
            if s.points.count <= 12 {
                for p in s.points { svg.circle(x: px(p.x), y: py(p.y), radius: 3.5, fill: s.color) }
            }
        }
        for (s, place) in zip(series, legend) {
            let lx = left + place.x, ly = height - 10 - Double(rows - 1 - place.row) * 18
            svg.line(x1: lx, y1: ly - 4, x2: lx + 18, y2: ly - 4, stroke: s.color, width: 3)
            svg.text(s.name, x: lx + 24, y: ly, size: 12)
        }
        return svg
    }

    /// Where each legend entry goes, given its name's width: in three aligned columns when
    /// every name fits its column, else flowed left to right, a new row when the next name
    /// would not fit.
    static func legendLayout(_ nameWidths: [Double], width: Double) -> [(x: Double, row: Int)] {
        let entries = nameWidths.map { 24 + $0 }
        if entries.allSatisfy({ $0 + 8 <= width / 3 }) {
            return entries.indices.map { (Double($0 % 3) * width / 3, $0 / 3) }
        }
        var places: [(x: Double, row: Int)] = [], x = 0.0, row = 0
        for entry in entries {
            if x > 0 && x + entry > width { (x, row) = (0, row + 1) }
            places.append((x, row))
            x += entry + 16
        }
        return places
    }
}

/// Horizontal bars, one per label (class probabilities), the highlighted one colored.
public struct BarChart: Sendable {
    public var labels: [String]
    public var values: [Double]
    public var highlight: Int?
    public var maxValue: Double?

    public init(labels: [String], values: [Double], highlight: Int? = nil, maxValue: Double? = 1) {
        self.labels = labels; self.values = values; self.highlight = highlight; self.maxValue = maxValue
    }

    public func svg(width: Double = 240, rowHeight: Double = 20) -> SVG {
        var svg = SVG(width: width, height: rowHeight * Double(labels.count) + 4)
        let top = maxValue ?? max(values.max() ?? 1, 1e-9), barW = width - 24 - 48
        for (i, (label, v)) in zip(labels, values).enumerated() {
            let y = Double(i) * rowHeight + 2
            svg.text(label, x: 16, y: y + rowHeight - 5, anchor: .end, size: 12)
            svg.rect(
                x: 22, y: y + 2, width: max(barW * min(v / top, 1), 0.5), height: rowHeight - 4,
                fill: i == highlight ? "#d62728" : "#8aa4c8", title: "\(label): \(String(format: "%.4f", v))")
            svg.text(
                String(format: v >= 0.995 ? "%.2f" : "%.3f", v), x: 26 + barW * min(v / top, 1), y: y + rowHeight - 5,
                size: 12)
        }
        return svg
    }
}

/// An annotated matrix (a confusion matrix) with a colorbar.
public struct MatrixChart: Sendable {
    public var values: [[Double]]
    public var rowLabels: [String]
    public var columnLabels: [String]
    public var colormap: Colormap
    public var rowTitle: String
    public var columnTitle: String
    /// Colors by log₁₀(1 + value), so a few errors show beside a thousand correct answers;
    /// the cells still print the values themselves.
    public var logScale: Bool
    /// The values the colormap's ends stand for; by default the smallest and largest cell.
    public var range: (low: Double, high: Double)?
    /// How wide a label is drawn at 12 px (a caller whose labels are placeholders for each
    /// edition's words measures the words).
    public var labelWidth: @Sendable (String) -> Double = { SVG.estimatedWidth($0, size: 12) }

    public init(
        values: [[Double]], rowLabels: [String], columnLabels: [String], colormap: Colormap,
        rowTitle: String, columnTitle: String, logScale: Bool = false, range: (low: Double, high: Double)? = nil
    ) {
        self.values = values; self.rowLabels = rowLabels; self.columnLabels = columnLabels
        self.colormap = colormap; self.rowTitle = rowTitle; self.columnTitle = columnTitle
        self.logScale = logScale; self.range = range
    }

    /// Labels wider than a class number (method names) widen the left margin, and column
    /// labels wider than a cell are slanted.
    public func svg(cell: Double = 34) -> SVG {
        let rows = values.count, cols = values.first?.count ?? 0
        let rowWidth = rowLabels.map(labelWidth).max() ?? 0
        let columnWidth = columnLabels.map(labelWidth).max() ?? 0
        let slanted = columnWidth > cell - 4
        let left = max(44.0, rowWidth + 26), top = slanted ? 28 + columnWidth * 0.65 : 36.0
        let labelsRight = slanted ? left + cell * (Double(cols) - 0.5) + 8 + columnWidth * 0.77 : 0
        var svg = SVG(
            width: max(left + cell * Double(cols) + 98, labelsRight), height: top + cell * Double(rows) + 12)
        let scale: (Double) -> Double = logScale ? { log10(1 + max($0, 0)) } : { $0 }
        let flat = values.flatMap { $0 }.filter(\.isFinite).map(scale)
        let (lo, hi) = range.map { (scale($0.low), scale($0.high)) } ?? (flat.min() ?? 0, flat.max() ?? 1)
        for (r, row) in values.enumerated() {
            svg.text(rowLabels[r], x: left - 6, y: top + cell * (Double(r) + 0.5) + 4, anchor: .end, size: 12)
            for (c, v) in row.enumerated() {
                let t = hi > lo ? Float(min(max((scale(v) - lo) / (hi - lo), 0), 1)) : 0
                let color = v.isFinite ? colormap.color(t) : RGBA(128, 128, 128)
                let x = left + cell * Double(c), y = top + cell * Double(r)
                let text = v.isFinite ? SVG.label(v, step: v == v.rounded() ? 1 : 0.01) : "—"
                svg.rect(
                    x: x, y: y, width: cell, height: cell, fill: color.hex,
                    title: "\(rowLabels[r]) → \(columnLabels[c]): \(text)")
                let luminance = 0.299 * Double(color.r) + 0.587 * Double(color.g) + 0.114 * Double(color.b)
                svg.text(
                    text, x: x + cell / 2, y: y + cell / 2 + 4, anchor: .middle, size: 12,
                    fill: luminance > 140 ? "#000" : "#fff")
            }
        }
        for (c, label) in columnLabels.enumerated() {
            let x = left + cell * (Double(c) + 0.5)
            if slanted {
                svg.text(label, x: x + 4, y: top - 6, anchor: .start, size: 12, rotate: -40)
            } else {
                svg.text(label, x: x, y: top - 6, anchor: .middle, size: 12)
            }
        }
        svg.text(columnTitle, x: left + cell * Double(cols) / 2, y: 12, anchor: .middle, size: 12, weight: "600")
        svg.text(
            rowTitle, x: 12, y: top + cell * Double(rows) / 2, anchor: .middle, size: 12, weight: "600", rotate: -90)
        svg.place(
            Colorbar(colormap: colormap, low: Float(lo), high: Float(hi), label: logScale ? "log10(1 + count)" : "")
                .svg(height: cell * Double(rows) - 20),
            dx: left + cell * Double(cols) + 8, dy: top)
        return svg
    }
}
