import CCmark
import Foundation

/// GitHub-style pipe tables, which CommonMark (and so libcmark) does not have:
///
///     | selector | images |
///     | --- | ---: |
///     | `test[3]` | test image 3 |
///
/// Each table is cut out of the Markdown before parsing and replaced by a placeholder
/// line; its cells are rendered as inline Markdown with the document's options, so
/// escaping and raw-HTML rules are the same as everywhere else.
struct PipeTables {
    private(set) var tables: [String] = []

    static func placeholder(_ index: Int) -> String { "VIZSITETABLEPLACEHOLDER\(index)X" }

    /// The text with tables replaced by placeholder paragraphs (line count preserved).
    mutating func extract(from text: String, options: Int32) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var i = 0
        var fence: String?
        while i < lines.count {
            let trimmed = lines[i].trimmingCharacters(in: .whitespaces)
            if let f = fence {
                if trimmed.hasPrefix(f) { fence = nil }
                i += 1
                continue
            }
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") {
                fence = String(trimmed.prefix(3))
                i += 1
                continue
            }
            guard i + 1 < lines.count, Self.isRow(lines[i]), let alignments = Self.delimiter(lines[i + 1]),
                  Self.cells(lines[i]).count == alignments.count,
                  i == 0 || lines[i - 1].trimmingCharacters(in: .whitespaces).isEmpty else {
                i += 1
                continue
            }
            var end = i + 2
            while end < lines.count, Self.isRow(lines[end]) { end += 1 }
            tables.append(Self.html(header: Self.cells(lines[i]), alignments: alignments,
                                    rows: lines[(i + 2)..<end].map(Self.cells), options: options))
            lines[i] = Self.placeholder(tables.count - 1)
            for k in (i + 1)..<end { lines[k] = "" }
            i = end
        }
        return lines.joined(separator: "\n")
    }

    /// Puts the tables' HTML where their placeholders were rendered.
    func restore(in html: String) -> String {
        var out = html
        for (index, table) in tables.enumerated() {
            out = out.replacingOccurrences(of: "<p>\(Self.placeholder(index))</p>", with: table)
        }
        return out
    }

    private static func isRow(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        return t.hasPrefix("|") && t.count > 1
    }

    /// The alignments of a delimiter row (`| --- | :---: | ---: |`), or nil.
    private static func delimiter(_ line: String) -> [String?]? {
        guard isRow(line) else { return nil }
        var result: [String?] = []
        for cell in cells(line) {
            let c = cell.trimmingCharacters(in: .whitespaces)
            guard c.count >= 3, c.allSatisfy({ $0 == "-" || $0 == ":" }), c.contains("-") else { return nil }
            result.append(c.hasPrefix(":") && c.hasSuffix(":") ? "center" : c.hasSuffix(":") ? "right" : c.hasPrefix(":") ? "left" : nil)
        }
        return result
    }

    /// The cells of a row, split at pipes that are not escaped or inside code spans.
    private static func cells(_ line: String) -> [String] {
        var t = line.trimmingCharacters(in: .whitespaces)
        if t.hasPrefix("|") { t.removeFirst() }
        if t.hasSuffix("|") && !t.hasSuffix("\\|") { t.removeLast() }
        var cells: [String] = [], current = "", inCode = false, escaped = false
        for ch in t {
            if escaped { current.append(ch); escaped = false; continue }
            if ch == "\\" { escaped = true; current.append(ch); continue }
            if ch == "`" { inCode.toggle() }
            if ch == "|" && !inCode { cells.append(current); current = ""; continue }
            current.append(ch)
        }
        cells.append(current)
        return cells.map { $0.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\\|", with: "|") }
    }

    private static func html(header: [String], alignments: [String?], rows: [[String]], options: Int32) -> String {
        func cell(_ tag: String, _ text: String, _ column: Int) -> String {
            let align = column < alignments.count ? alignments[column].map { " style=\"text-align: \($0)\"" } ?? "" : ""
            return "<\(tag)\(align)>\(inline(text, options: options))</\(tag)>"
        }
        var out = "<div class=\"table-scroll\"><table>\n<thead>\n<tr>"
        out += header.enumerated().map { cell("th", $1, $0) }.joined()
        out += "</tr>\n</thead>\n<tbody>\n"
        for row in rows {
            let padded = (0..<header.count).map { $0 < row.count ? row[$0] : "" }
            out += "<tr>" + padded.enumerated().map { cell("td", $1, $0) }.joined() + "</tr>\n"
        }
        return out + "</tbody>\n</table></div>"
    }

    /// One cell's Markdown as inline HTML (the paragraph wrapper removed).
    private static func inline(_ text: String, options: Int32) -> String {
        guard !text.isEmpty, let raw = text.withCString({ cmark_markdown_to_html($0, strlen($0), options) }) else { return "" }
        defer { free(raw) }
        var html = String(cString: raw).trimmingCharacters(in: .whitespacesAndNewlines)
        if html.hasPrefix("<p>") && html.hasSuffix("</p>") { html = String(html.dropFirst(3).dropLast(4)) }
        return html
    }
}
