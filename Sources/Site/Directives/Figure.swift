import Common
import Foundation
import Render

/// A file a figure writes into `Output/figures/`.
public struct FigureFile: Codable, Sendable, Equatable {
    /// Path relative to the output root (`figures/cam-3f9a0c1b2d4e.png`).
    public let path: String
    public let data: Data
}

/// A directive's result: the HTML inside its `<figure>`, its caption, and its files.
/// Links inside `body` start with `Figure.root`, which pages replace by their relative
/// path to the output root.
public struct Figure: Codable, Sendable, Equatable {
    public static let root = "@VIZSITE_ROOT@"
    /// Stands for the figure's alt text in `body`: each edition puts its own in, so one
    /// computed figure serves every language.
    public static let altToken = "@VIZSITE_ALT@"

    /// The directive's name, used as a CSS class (`viz-cam`).
    public var kind: String
    public var body: String
    public var caption: String
    /// Short notes shown under the caption: the normalization, the model, the target.
    public var notes: [String]
    public var files: [FigureFile]
    /// Download links: label and path.
    public var links: [FigureLink]
    /// An image of this figure suitable as the lesson's card thumbnail.
    public var thumbnail: String?

    /// The complete `<figure>` element, numbered, for a page `root` away from the output root;
    /// its id is `fig-<label>` when the lesson labels it, else `figure-<number>`. `caption`
    /// (else the directive's) and `alt` are the lesson's; `layout` is the author's tier (class
    /// `l-body`, `l-page` or `l-screen`; none lets the page fit it); `strings` word "Figure 3.".
    func html(
        number: FigureNumber, root: String, label: String? = nil, caption: String? = nil, alt: String = "",
        layout: String? = nil, omittingNotes omitted: Set<String> = [], strings: InterfaceStrings = InterfaceStrings()
    ) -> String {
        let notes = self.notes.filter { !omitted.contains($0) }
        let id = label.map { "fig-\($0)" } ?? "figure-\(number)"
        let tier = layout.map { " l-\($0)" } ?? ""
        var out = "<figure class=\"viz\(tier)\" data-directive=\"\(kind)\" id=\"\(id)\">\n"
        out += body.replacingAll(Figure.root, with: root).replacingAll(Figure.altToken, with: HTML.escape(alt))
        // A group's figure is "(a)" under the group's one numbered caption.
        let numberText = HTML.escape(
            number.letter.map { "(\($0))" } ?? strings.format("figure_caption", ["n": number.description]))
        out += "\n<figcaption><span class=\"viz-number\">\(numberText)</span> \(HTML.escape(caption ?? self.caption))"
        if !notes.isEmpty || !links.isEmpty {
            out += "<span class=\"viz-meta\">"
            out += Self.noteSpans(notes)
            out += links.map { "<a href=\"\(root)\($0.path)\">\(HTML.escape($0.label))</a>" }.joined()
            out += "</span>"
        }
        return FigureText.resolve(out + "</figcaption>\n</figure>", strings)
    }
}

extension Figure {
    /// A caption's notes, each a `<span>` (inside `.viz-meta`).
    static func noteSpans(_ notes: [String]) -> String { notes.map { "<span>\(HTML.escape($0))</span>" }.joined() }
}

public struct FigureLink: Codable, Sendable, Equatable {
    public let label: String
    public let path: String
}

/// Collects a figure's files under content-hashed names and writes the HTML that shows them.
final class FigureBuilder {
    let kind: String
    let alt: String
    private(set) var files: [FigureFile] = []
    private(set) var links: [FigureLink] = []
    private(set) var thumbnail: String?
    /// The caption when the author gave none and it depends on what the run found (the
    /// data's size and kind); nil: the directive's own.
    var caption: String?
    /// Makes SVG ids unique on a page that shows several figures.
    private let idPrefix: String

    init(kind: String, alt: String, idPrefix: String) {
        self.kind = kind
        self.alt = alt
        self.idPrefix = idPrefix
    }

    /// Adds a file named by its content hash and returns its path.
    func add(_ data: Data, name: String, ext: String) -> String {
        let hash = SHA256.hash(data).prefix(12)
        let path = "figures/\(name.slugified)-\(hash).\(ext)"
        if !files.contains(where: { $0.path == path }) { files.append(FigureFile(path: path, data: data)) }
        return path
    }

    /// An `<img>` of `image`, at its size, as a PNG file.
    func image(
        _ image: RGBAImage, name: String, alt: String? = nil, thumbnail isThumbnail: Bool = false,
        pixelated: Bool = true
    ) -> String {
        let path = add(PNG.encode(image), name: name, ext: "png")
        if !hasCard && (thumbnail == nil || isThumbnail) { thumbnail = path }
        let cls = pixelated ? " class=\"pixelated\"" : ""
        return
            "<img src=\"\(Figure.root)\(path)\" width=\"\(image.width)\" height=\"\(image.height)\" "
            + "alt=\"\(HTML.escape(alt ?? self.alt))\" loading=\"lazy\"\(cls)>"
    }

    /// The lesson-card picture of this figure: up to two rows of `columns` tiles (all the
    /// same size), written as a file of its own and not shown on the page.
    func card(_ tiles: [RGBAImage], columns: Int = 4) {
        var chosen = Array(tiles.prefix(columns * 2)), columns = columns
        guard let first = chosen.first, chosen.allSatisfy({ $0.width == first.width && $0.height == first.height })
        else { return }
        // Wide tiles (lines of text) in two rows: fewer columns, so the card stays near 16:9.
        let aspect = Double(first.width) / Double(first.height)
        if chosen.count == 2 * columns, aspect > 1.2 {
            let fewer = max(1, min(columns, Int((2 * 16 / 9 / aspect).rounded())))
            chosen = Array(chosen[0..<fewer] + chosen[columns..<(columns + fewer)])
            columns = fewer
        }
        let grid = ImageGrid(columns: min(columns, chosen.count), spacing: max(2, first.width / 28)).compose(chosen)
        thumbnail = add(PNG.encode(grid), name: "\(kind)-card", ext: "png")
        hasCard = true
    }
    private var hasCard = false
    private var svgCount = 0

    /// An SVG shown inline (so its text follows the page's colors), also written as a file
    /// and linked for download.
    func svg(
        _ svg: SVG, name: String, label: String? = nil, title: String? = nil, thumbnail isThumbnail: Bool = false
    ) -> String {
        // Each SVG of the figure gets its own prefix: several charts of one figure each
        // define a colorbar gradient of the same name, and ids must be unique on the page.
        svgCount += 1
        let prefix = svgCount == 1 ? idPrefix : "\(idPrefix)s\(svgCount)"
        var text = svg.text
        text = text.replacingOccurrences(of: "id=\"", with: "id=\"\(prefix)-")
            .replacingOccurrences(of: "url(#", with: "url(#\(prefix)-")
        // The file for download is in the default language (one file serves every edition).
        let path = add(Data(FigureText.resolve(svg.text, InterfaceStrings()).utf8), name: name, ext: "svg")
        if isThumbnail && !hasCard { thumbnail = path }
        if let label { links.append(FigureLink(label: label, path: path)) }
        let accessible = "<svg role=\"img\" aria-label=\"\(HTML.escape(title ?? alt))\""
        return text.replacingOccurrences(
            of: "<svg ", with: accessible + " ", options: [], range: text.range(of: "<svg "))
    }

    /// A download link under the caption.
    func link(_ label: String, path: String) { links.append(FigureLink(label: label, path: path)) }

    /// The raw values as a JSON file (the schema of `FigureValues.swift`), linked under the caption.
    func json(_ values: some Encodable, name: String) throws {
        links.append(
            FigureLink(
                label: FigureText.t("raw_values"), path: add(try FigureJSON.encode(values), name: name, ext: "json")))
    }

    func finish(body: String, caption: String, notes: [String]) -> Figure {
        Figure(kind: kind, body: body, caption: caption, notes: notes, files: files, links: links, thumbnail: thumbnail)
    }
}

/// HTML layouts shared by the figures.
enum FigureLayout {
    /// A table of panels: a header row (one per column) and labelled rows of cells.
    static func panels(columns: [String], rows: [(header: String, cells: [String])], corner: String = "") -> String {
        // An empty corner is a plain cell: a header with no text names nothing.
        let cornerCell = corner.isEmpty ? "<td></td>" : "<th>\(HTML.escape(corner))</th>"
        var out = "<div class=\"viz-scroll\"><table class=\"viz-panels\">\n<thead><tr>\(cornerCell)"
        out += columns.map { "<th scope=\"col\">\(HTML.escape($0))</th>" }.joined()
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out +=
                "<tr><th scope=\"row\">\(HTML.escape(row.header))</th>" + row.cells.map { "<td>\($0)</td>" }.joined()
                + "</tr>\n"
        }
        return out + "</tbody></table></div>"
    }

    /// Text for a cell of `panels`: small and left-aligned; `wide`, as wide as a short paragraph.
    static func text(_ html: String, wide: Bool = false) -> String {
        "<div class=\"viz-text\(wide ? " wide" : "")\">\(html)</div>"
    }

    /// A wrapping grid of captioned cells.
    static func grid(_ cells: [(html: String, label: String)]) -> String {
        "<div class=\"viz-grid\">"
            + cells.map {
                "<div class=\"viz-cell\">\($0.html)<span class=\"viz-label\">\(HTML.escape($0.label))</span></div>"
            }.joined() + "</div>"
    }

    /// A picture beside its colorbar.
    static func withColorbar(_ picture: String, colorbar: String) -> String {
        "<div class=\"viz-row\">\(picture)<div class=\"viz-colorbar\">\(colorbar)</div></div>"
    }

    /// A picture with a horizontal colorbar under it (panel tables, which fill the width).
    static func withColorbarBelow(_ picture: String, colorbar: String) -> String {
        "<div class=\"viz-stack\">\(picture)<div class=\"viz-colorbar\">\(colorbar)</div></div>"
    }

    /// A plain data table.
    static func table(header: [String], rows: [[String]], numeric: Set<Int> = []) -> String {
        var out = "<div class=\"viz-scroll\"><table class=\"viz-data\">\n<thead><tr>"
        out += header.enumerated().map {
            "<th scope=\"col\"\(numeric.contains($0.offset) ? " class=\"num\"" : "")>\(HTML.escape($0.element))</th>"
        }.joined()
        out += "</tr></thead>\n<tbody>\n"
        for row in rows {
            out +=
                "<tr>"
                + row.enumerated().map {
                    "<td\(numeric.contains($0.offset) ? " class=\"num\"" : "")>\(HTML.escape($0.element))</td>"
                }.joined() + "</tr>\n"
        }
        return out + "</tbody></table></div>"
    }
}
