import Foundation

/// A hand-written SVG document: elements appended as text, every string escaped, sizes
/// explicit, system fonts only (no external fonts or requests).
public struct SVG: Sendable {
    public let width: Double
    public let height: Double
    private(set) var body: [String] = []
    private var definitions: [String] = []

    public init(width: Double, height: Double) {
        self.width = width
        self.height = height
    }

    /// The complete document.
    public var text: String {
        var out =
            #"<svg xmlns="http://www.w3.org/2000/svg" width="\#(n(width))" height="\#(n(height))" viewBox="0 0 "#
            + #"\#(n(width)) \#(n(height))" font-family="system-ui, -apple-system, 'Segoe UI', Roboto, "#
            + #"sans-serif" font-size="12">"#
        out += "\n"
        if !definitions.isEmpty { out += "<defs>" + definitions.joined() + "</defs>\n" }
        out += body.joined(separator: "\n")
        return out + "\n</svg>\n"
    }

    public mutating func rect(
        x: Double, y: Double, width: Double, height: Double, fill: String, stroke: String? = nil,
        radius: Double = 0, title: String? = nil
    ) {
        var s = #"<rect x="\#(n(x))" y="\#(n(y))" width="\#(n(width))" height="\#(n(height))" fill="\#(fill)""#
        if let stroke { s += #" stroke="\#(stroke)""# }
        if radius > 0 { s += #" rx="\#(n(radius))""# }
        s += title.map { "><title>\(SVG.escape($0))</title></rect>" } ?? "/>"
        body.append(s)
    }

    public mutating func line(
        x1: Double, y1: Double, x2: Double, y2: Double, stroke: String = "currentColor", width: Double = 1,
        dashed: Bool = false
    ) {
        body.append(
            #"<line x1="\#(n(x1))" y1="\#(n(y1))" x2="\#(n(x2))" y2="\#(n(y2))" stroke="\#(stroke)" "#
                + #"stroke-width="\#(n(width))"\#(dashed ? #" stroke-dasharray="4 3""# : "")/>"#
        )
    }

    public mutating func polyline(_ points: [(Double, Double)], stroke: String, width: Double = 2) {
        let list = points.map { "\(n($0.0)),\(n($0.1))" }.joined(separator: " ")
        body.append(
            #"<polyline points="\#(list)" fill="none" stroke="\#(stroke)" stroke-width="\#(n(width))" "#
                + #"stroke-linejoin="round"/>"#
        )
    }

    public mutating func circle(x: Double, y: Double, radius: Double, fill: String) {
        body.append(#"<circle cx="\#(n(x))" cy="\#(n(y))" r="\#(n(radius))" fill="\#(fill)"/>"#)
    }

    public enum Anchor: String, Sendable { case start, middle, end }

    public mutating func text(
        _ content: String, x: Double, y: Double, anchor: Anchor = .start, size: Double? = nil,
        weight: String? = nil, fill: String = "currentColor", rotate: Double? = nil
    ) {
        var s = #"<text x="\#(n(x))" y="\#(n(y))" text-anchor="\#(anchor.rawValue)" fill="\#(fill)""#
        if let size { s += #" font-size="\#(n(size))""# }
        if let weight { s += #" font-weight="\#(weight)""# }
        if let rotate { s += #" transform="rotate(\#(n(rotate)) \#(n(x)) \#(n(y)))""# }
        body.append(s + ">" + SVG.escape(content) + "</text>")
    }

    /// A horizontal or vertical gradient through `colors`, referenced as `url(#id)`.
    public mutating func gradient(id: String, colors: [RGBA], vertical: Bool) {
        let stops = colors.enumerated().map { i, c in
            #"<stop offset="\#(n(Double(i) / Double(max(colors.count - 1, 1))))" stop-color="\#(c.hex)"/>"#
        }.joined()
        let direction = vertical ? #"x1="0" y1="1" x2="0" y2="0""# : #"x1="0" y1="0" x2="1" y2="0""#
        definitions.append(#"<linearGradient id="\#(id)" \#(direction)>\#(stops)</linearGradient>"#)
    }

    /// Embeds a raster image (as a PNG data URI) at (x, y), drawn pixelated so upscaled
    /// digits stay crisp.
    public mutating func image(_ image: RGBAImage, x: Double, y: Double) {
        let data = PNG.encode(image).base64EncodedString()
        body.append(
            #"<image x="\#(n(x))" y="\#(n(y))" width="\#(image.width)" height="\#(image.height)" "#
                + #"style="image-rendering:pixelated" href="data:image/png;base64,\#(data)"/>"#
        )
    }

    /// Inserts another document's elements translated by (dx, dy).
    public mutating func place(_ other: SVG, dx: Double, dy: Double) {
        definitions += other.definitions
        body.append(#"<g transform="translate(\#(n(dx)) \#(n(dy)))">"# + other.body.joined(separator: "\n") + "</g>")
    }

    /// Escapes text for XML content and attribute values.
    public static func escape(_ s: String) -> String {
        var out = ""
        for ch in s {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(ch)
            }
        }
        return out
    }

    /// A number as SVG wants it: up to two decimals, no trailing zeros.
    func n(_ v: Double) -> String { SVG.number(v) }

    static func number(_ v: Double) -> String {
        guard v.isFinite else { return "0" }
        let r = (v * 100).rounded() / 100
        if abs(r) >= 1e15 { return String(format: "%g", r) }  // beyond what Int prints exactly
        return r == r.rounded()
            ? String(Int(r))
            : String(format: "%.2f", r).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }

    /// About how wide `text` is at font `size` in a sans-serif face: narrow and wide Latin
    /// letters, digits, and full-width CJK characters, so that labels can be laid out
    /// without a font (slightly generous, so that laid-out labels do not touch).
    public static func estimatedWidth(_ text: String, size: Double) -> Double {
        text.unicodeScalars.reduce(0.0) { total, c in
            let em: Double
            switch c {
            case "i", "l", "j", "t", "f", "r", "I", ".", ",", ":", ";", "'", "|", "!", " ", "(", ")", "[", "]":
                em = 0.32
            case "m", "w", "M", "W", "%", "@": em = 0.9
            case "A"..."Z", "×", "±": em = 0.7
            default: em = c.value >= 0x2E80 ? 1.0 : 0.58
            }
            return total + em * size
        }
    }

    /// "Nice" tick values covering [low, high] (1, 2, 5 × 10ⁿ steps).
    public static func ticks(_ low: Double, _ high: Double, count: Int = 5) -> [Double] {
        guard high > low, low.isFinite, high.isFinite else { return [low] }
        let raw = (high - low) / Double(max(count, 1))
        let magnitude = pow(10, floor(log10(raw)))
        // A range narrower than the numbers' own spacing (1e20 ± 1) has no steps to take.
        guard raw.isFinite, magnitude.isFinite, magnitude > 0, low + magnitude > low, high + magnitude > high else {
            return [low, high]
        }
        func values(_ step: Double) -> [Double] {
            var t = ceil(low / step - 1e-9) * step, out: [Double] = []
            while t <= high + step * 1e-9, out.count <= 4 * count + 8 {
                out.append(abs(t) < step * 1e-9 ? 0 : t)
                t += step
            }
            return out
        }
        // The 1-2-5 step whose tick count comes closest to `count`.
        let candidates = [1.0, 2, 5, 10].map { values($0 * magnitude) }
        return candidates.min { abs($0.count - count) < abs($1.count - count) } ?? [low]
    }

    /// A tick label: integers plainly, others with the decimals the step needs.
    public static func label(_ v: Double, step: Double) -> String {
        guard v.isFinite else { return v.isNaN ? "NaN" : v < 0 ? "−∞" : "∞" }
        if abs(v) >= 1e15 || !(step.isFinite && step > 0) { return String(format: "%g", v) }
        if step >= 1 && v == v.rounded() { return String(Int(v)) }
        let decimals = min(20, max(0, Int(-floor(log10(step)))))
        return String(format: "%.\(decimals)f", v)
    }
}
