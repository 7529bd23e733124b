import Common

/// GitHub's alert syntax, which Quarto and Obsidian authors write too: a blockquote whose
/// first line is `[!NOTE]`, `[!TIP]`, `[!IMPORTANT]`, `[!WARNING]` or `[!CAUTION]` becomes a
/// callout box with that kind's title. Plain HTML and CSS, no script; any other blockquote
/// stays one.
///
///     > [!WARNING]
///     > A map that looks right can still be wrong: check it with lesson 9's tests.
enum Callouts {
    static let kinds = ["note", "tip", "important", "warning", "caution"]

    /// Stands for the kind's title in the lesson's HTML; each edition puts its own words in.
    static func titleMarker(_ kind: String) -> String { "@VIZSITE_CALLOUT_\(kind.uppercased())@" }

    /// The interface string that titles a kind (`callout_note`).
    static func titleKey(_ kind: String) -> String { "callout_\(kind)" }

    /// `html` (as cmark renders it) with each alert blockquote made a callout.
    static func render(_ html: String) -> String {
        guard html.contains("<blockquote>\n<p>[!") else { return html }
        var out = "", rest = Substring(html)
        while let open = rest.firstRange(of: "<blockquote>\n<p>[!") {
            out += rest[..<open.lowerBound]
            let after = rest[open.upperBound...]
            guard let close = after.firstIndex(of: "]"),
                case let kind = after[..<close].lowercased(), kinds.contains(kind),
                let body = bodyStart(after[after.index(after: close)...]),
                let end = matchingClose(in: rest[open.upperBound...])
            else {
                out += rest[open]
                rest = rest[open.upperBound...]
                continue
            }
            out += "<div class=\"callout callout-\(kind)\" role=\"note\">\n"
            out += "<p class=\"callout-title\">\(titleMarker(kind))</p>\n"
            out += body.paragraphOpen ? "<p>" : ""
            out += rest[body.index..<end.lowerBound]
            out += "</div>"
            rest = rest[end.upperBound...]
        }
        return out + rest
    }

    /// Where the callout's content starts after `[!KIND]`: the rest of its first paragraph
    /// (the paragraph stays open) or the next block.
    private static func bodyStart(_ text: Substring) -> (index: Substring.Index, paragraphOpen: Bool)? {
        if text.hasPrefix("\n") { return (text.index(after: text.startIndex), true) }
        if text.hasPrefix("</p>\n") { return (text.index(text.startIndex, offsetBy: 5), false) }
        return nil
    }

    /// The `</blockquote>` that closes the blockquote whose content `text` starts, nested
    /// blockquotes counted.
    private static func matchingClose(in text: Substring) -> Range<Substring.Index>? {
        var depth = 1, rest = text
        while let next = rest.firstRange(of: "blockquote>") {
            let start = next.lowerBound
            guard start > rest.startIndex else { rest = rest[next.upperBound...]; continue }
            let before = rest.index(before: start)
            if rest[before] == "<" {
                depth += 1
            } else if rest[before] == "/", before > rest.startIndex, rest[rest.index(before: before)] == "<" {
                depth -= 1
                if depth == 0 { return rest.index(before: before)..<next.upperBound }
            }
            rest = rest[next.upperBound...]
        }
        return nil
    }
}
