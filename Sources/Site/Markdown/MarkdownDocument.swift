import Common
import CCmark
import Foundation

/// A fenced block whose info string is `viz NAME`: a directive and its YAML options.
struct DirectiveBlock: Sendable {
    /// The word after `viz`, or "" when missing.
    let name: String
    /// Anything after the name on the info line (must be empty).
    let extra: String
    /// The YAML options between the fences.
    let body: String
    /// Line and column of the opening fence in the lesson file.
    let line: Int
    let column: Int
}

/// A fenced code block whose lines include snippet files (`--8<-- "06-saliency/captum.py:box"`).
struct SnippetBlock: Sendable {
    /// The info string's first word (the language: `python`).
    let language: String
    let body: String
    /// Line and column of the opening fence in the lesson file.
    let line: Int
    let column: Int
}

/// A section heading, with the id its anchor gets.
public struct Heading: Sendable, Equatable {
    public let level: Int
    public let text: String
    public let id: String
}

/// A GitHub-flavoured Markdown document parsed by cmark-gfm (CommonMark with GFM's
/// pipe tables and strikethrough), transformed for the site, rendered to HTML.
///
/// Directive blocks become placeholders (`<!--vizsite:figure:N-->`) that the builder
/// replaces with figures, code blocks that include snippet files become
/// `<!--vizsite:snippet:N-->`; headings get unique ids for the table of contents; relative
/// links to other lessons (`03-filters.md`) and to `images/` are rewritten for the site,
/// table cells included.
final class MarkdownDocument {
    private let parser: OpaquePointer
    private let root: OpaquePointer
    private let options: Int32
    private(set) var directives: [DirectiveBlock] = []
    private(set) var snippets: [SnippetBlock] = []
    /// Python code written in the lesson itself (line, column of its fence): code that
    /// `make check-snippets` cannot run.
    private(set) var inlinePython: [(line: Int, column: Int)] = []
    private(set) var headings: [Heading] = []
    /// The `::: figures` groups, and what is wrong with how they are written (line, column).
    private(set) var groups: [FigureGroupBlock] = []
    private(set) var groupErrors: [(message: String, line: Int, column: Int)] = []
    /// The `::: tabs` sets: each one's tab titles.
    private(set) var tabSets: [[String]] = []
    /// Each `$…$` / `$$…$$` formula as MathML, by placeholder; and the formulas that are not
    /// in the supported subset, with their position in the file.
    private var formulas: [String] = []
    private(set) var mathErrors: [(message: String, line: Int, column: Int, suggestion: String?)] = []
    private var math = MathSpans("", lineOffset: 0)

    static let optionSmart: Int32 = 1 << 10
    static let optionUnsafe: Int32 = 1 << 17
    /// Table cell alignment as `style="text-align: …"` (HTML5) rather than `align`.
    static let optionTableStyles: Int32 = 1 << 15
    /// cmark-gfm's extension registry is process-global and not thread-safe to fill:
    /// a static (initialized once, atomically) does it before any parser runs.
    private static let registered: Void = cmark_gfm_core_extensions_ensure_registered()

    /// The GFM extensions lessons may use.
    static let extensions = ["table", "strikethrough"]

    /// Parses `text`; `lineOffset` is the file line just before the text's first line.
    init(_ text: String, lineOffset: Int, smart: Bool, unsafe: Bool, rewriteURL: (String) -> String?) {
        let options = (smart ? Self.optionSmart : 0) | (unsafe ? Self.optionUnsafe : 0) | Self.optionTableStyles
        self.options = options
        _ = Self.registered
        let parser = cmark_parser_new(options)!
        for name in Self.extensions {
            if let syntax = cmark_find_syntax_extension(name) { cmark_parser_attach_syntax_extension(parser, syntax) }
        }
        // Formulas are taken out before cmark reads the text, and put back as MathML.
        math = MathSpans(text, lineOffset: lineOffset)
        for span in math.spans {
            do {
                formulas.append(try TeXMath.mathML(span.tex, display: span.display))
            } catch {
                formulas.append("")
                // Walk the formula to the failing character: its line and column in the file.
                var line = span.line, column = span.column
                for c in span.tex.prefix(error.offset) {
                    if c == "\n" {
                        line += 1
                        column = 1
                    } else {
                        column += 1
                    }
                }
                mathErrors.append((error.message, line, column, error.suggestion))
            }
        }
        math.text.withCString { cmark_parser_feed(parser, $0, strlen($0)) }
        self.parser = parser
        root = cmark_parser_finish(parser)
        transform(lineOffset: lineOffset, rewriteURL: rewriteURL)
    }

    deinit {
        cmark_node_free(root)
        cmark_parser_free(parser)
    }

    static func placeholder(_ index: Int) -> String { "<!--vizsite:figure:\(index)-->" }
    static func snippetPlaceholder(_ index: Int) -> String { "<!--vizsite:snippet:\(index)-->" }

    /// The document as HTML, heading ids in place.
    func html() -> String {
        guard let raw = cmark_render_html(root, options, cmark_parser_get_syntax_extensions(parser)) else { return "" }
        defer { free(raw) }
        // Wide tables scroll inside the text column instead of widening the page.
        var html = String(cString: raw).replacingAll("<table>", with: "<div class=\"table-scroll\"><table>")
            .replacingAll("</table>", with: "</table></div>")
        for (index, heading) in headings.enumerated() {
            html = html.replacingAll(
                "<h\(heading.level)>\(Self.headingMarker(index))", with: "<h\(heading.level) id=\"\(heading.id)\">")
        }
        html = html.replacingAll("\n" + MathSpans.continuation, with: "")
        // Last first, so placeholder 1 is not found inside placeholder 12.
        for (index, formula) in formulas.enumerated().reversed() {
            let placeholder = MathSpans.placeholder(index)
            // A display formula alone in its paragraph replaces the paragraph.
            html = html.replacingAll("<p>\(placeholder)</p>", with: formula).replacingAll(placeholder, with: formula)
        }
        html = Callouts.render(html)
        html = TabSets.render(html, titles: tabSets)
        return html
    }

    private static func headingMarker(_ index: Int) -> String { "\u{1}H\(index)\u{1}" }

    private func transform(lineOffset: Int, rewriteURL: (String) -> String?) {
        guard let iterator = cmark_iter_new(root) else { return }
        defer { cmark_iter_free(iterator) }
        var usedIDs: Set<String> = []
        var joins: [OpaquePointer] = []
        defer {
            for node in joins {
                cmark_node_unlink(node)
                cmark_node_free(node)
            }
        }
        var group = OpenGroup?.none
        while true {
            let event = cmark_iter_next(iterator)
            if event == CMARK_EVENT_DONE { break }
            guard event == CMARK_EVENT_ENTER, let node = cmark_iter_get_node(iterator) else { continue }
            if cmark_node_parent(node) == root,
                groupBlock(node, group: &group, lineOffset: lineOffset, iterator: iterator)
            {
                continue
            }
            switch cmark_node_get_type(node) {
            case CMARK_NODE_CODE_BLOCK:
                let info = cmark_node_get_fence_info(node).map { String(cString: $0) } ?? ""
                let words = info.split(separator: " ", omittingEmptySubsequences: true)
                let literal = cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
                if words.first != "viz", SnippetInclude.isInclude(literal) {
                    snippets.append(
                        SnippetBlock(
                            language: words.first.map(String.init) ?? "", body: literal,
                            line: Int(cmark_node_get_start_line(node)) + lineOffset,
                            column: Int(cmark_node_get_start_column(node))))
                    replace(node, with: Self.snippetPlaceholder(snippets.count - 1), iterator: iterator)
                    continue
                }
                if let language = words.first, ["python", "py", "python3"].contains(language.lowercased()) {
                    inlinePython.append(
                        (Int(cmark_node_get_start_line(node)) + lineOffset, Int(cmark_node_get_start_column(node))))
                }
                guard words.first == "viz" else { continue }
                directives.append(
                    DirectiveBlock(
                        name: words.count > 1 ? String(words[1]) : "",
                        extra: words.dropFirst(2).joined(separator: " "),
                        body: literal,
                        line: Int(cmark_node_get_start_line(node)) + lineOffset,
                        column: Int(cmark_node_get_start_column(node))))
                replace(node, with: Self.placeholder(directives.count - 1), iterator: iterator)
            case CMARK_NODE_HEADING:
                let given = Self.takeExplicitID(of: node)
                var text = Self.plainText(of: node)
                // A formula in a heading reads as its TeX in the table of contents.
                for (index, span) in math.spans.enumerated().reversed() {
                    text = text.replacingOccurrences(of: MathSpans.placeholder(index), with: span.tex)
                }
                let base = given ?? (text.slugified.isEmpty ? "section" : text.slugified)
                var id = base, n = 2
                while usedIDs.contains(id) { id = "\(base)-\(n)"; n += 1 }
                usedIDs.insert(id)
                let level = Int(cmark_node_get_heading_level(node))
                guard let marker = cmark_node_new(CMARK_NODE_CUSTOM_INLINE) else { continue }
                cmark_node_set_on_enter(marker, Self.headingMarker(headings.count))
                cmark_node_prepend_child(node, marker)
                headings.append(Heading(level: level, text: text, id: id))
            case CMARK_NODE_SOFTBREAK:
                // A line break between two Han characters is no space: Chinese and Japanese
                // put none between words, and a browser would show one.
                if let before = cmark_node_previous(node), let after = cmark_node_next(node),
                    let last = Self.plainText(of: before, whole: true).unicodeScalars.last,
                    let first = Self.plainText(of: after, whole: true).unicodeScalars.first,
                    last.isWrittenWithoutSpaces, first.isWrittenWithoutSpaces
                {
                    joins.append(node)
                }
            case CMARK_NODE_LINK, CMARK_NODE_IMAGE:
                if let url = cmark_node_get_url(node).map({ String(cString: $0) }), let rewritten = rewriteURL(url) {
                    cmark_node_set_url(node, rewritten)
                }
            default:
                continue
            }
        }
        if let open = group {
            groupErrors.append(
                (
                    (open.tabSet == nil ? "this figure group" : "this tab set")
                        + " is never closed: end it with a ':::' line", open.line, open.column
                ))
        }
    }

    /// A `::: figures` group being read: where it opened, its first figure, its caption.
    private struct OpenGroup {
        let label: String?
        let line: Int
        let column: Int
        let firstFigure: Int
        var caption: OpaquePointer?
        /// Something that does not belong in a group was found (reported once).
        var spoilt = false
        /// For a `::: tabs` block: its number among the tab sets.
        var tabSet: Int? = nil
    }

    /// Reads a top-level block for figure groups: a `:::` line opens or closes one, and
    /// inside one only figures and, last, a caption paragraph may stand. True when the
    /// block was a fence and has been replaced (the walk goes on from its replacement).
    private func groupBlock(
        _ node: OpaquePointer, group: inout OpenGroup?, lineOffset: Int, iterator: OpaquePointer
    ) -> Bool {
        let type = cmark_node_get_type(node)
        let line = Int(cmark_node_get_start_line(node)) + lineOffset, column = Int(cmark_node_get_start_column(node))
        func problem(_ message: String) { groupErrors.append((message, line, column)) }
        let fence = type == CMARK_NODE_PARAGRAPH ? FigureGroupBlock.fence(lines: Self.lines(of: node)) : nil
        switch fence {
        case .invalid(let message)?:
            problem(message)
            return false
        case .open?, .openTabs?:
            if let open = group {
                problem("a ':::' block cannot open inside another (the one opened at line \(open.line))")
                return false
            }
            if case .open(let label)? = fence {
                group = OpenGroup(label: label, line: line, column: column, firstFigure: directives.count)
                replace(node, with: FigureGroupBlock.openMarker(groups.count), iterator: iterator)
            } else {
                group = OpenGroup(label: nil, line: line, column: column, firstFigure: 0, tabSet: tabSets.count)
                tabSets.append([])
                replace(node, with: TabSets.openMarker(tabSets.count - 1), iterator: iterator)
            }
            return true
        case .close?, .captionAndClose?:
            guard var open = group else {
                problem("':::' closes a figure group or tab set, and none is open ('::: figures' opens one)")
                return false
            }
            group = nil
            if let set = open.tabSet {
                if !(2...TabSets.most).contains(tabSets[set].count) {
                    groupErrors.append(
                        (
                            "a tab set holds two to \(TabSets.most) tabs, each starting with a heading: its title",
                            open.line, open.column
                        ))
                }
                guard fence == .captionAndClose, let end = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK) else {
                    replace(node, with: TabSets.endMarker(set), iterator: iterator)
                    return true
                }
                // The paragraph is the last tab's; the set ends after it.
                Self.removeLastLine(of: node)
                cmark_node_set_on_enter(end, TabSets.endMarker(set))
                cmark_node_insert_after(node, end)
                cmark_iter_reset(iterator, node, CMARK_EVENT_ENTER)
                return false
            }
            if fence == .captionAndClose {
                if open.caption != nil {
                    problem("a figure group has one caption: the paragraph just before its closing ':::'")
                }
                Self.removeLastLine(of: node)
                open.caption = node
            }
            let count = directives.count - open.firstFigure
            if count < 2 {
                groupErrors.append(("a figure group holds two figures or more", open.line, open.column))
            } else if open.caption == nil {
                problem("a figure group ends with its caption: a paragraph just before the closing ':::'")
            }
            let index = groups.count
            groups.append(
                FigureGroupBlock(
                    label: open.label, line: open.line, column: open.column,
                    figures: open.firstFigure..<directives.count))
            if let caption = open.caption, let wrapper = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK) {
                cmark_node_set_on_enter(wrapper, FigureGroupBlock.captionMarker(index))
                cmark_node_set_on_exit(wrapper, FigureGroupBlock.endMarker(index))
                cmark_node_insert_before(caption, wrapper)
                cmark_node_append_child(wrapper, caption)
            } else {
                // No caption: the group still closes (the error above says what is missing).
                replace(
                    node,
                    with: FigureGroupBlock.captionMarker(index) + "\n<p></p>\n"
                        + FigureGroupBlock.endMarker(index), iterator: iterator)
                return true
            }
            if fence == .captionAndClose {
                cmark_iter_reset(iterator, node, CMARK_EVENT_ENTER)
                return false
            }
            replace(node, with: "", iterator: iterator)
            return true
        case nil:
            break
        }
        guard var open = group else { return false }
        defer { group = open }
        if let set = open.tabSet {
            // A heading starts a tab (its title), out of the table of contents.
            if type == CMARK_NODE_HEADING {
                tabSets[set].append(Self.plainText(of: node))
                replace(node, with: TabSets.tabMarker(set, tabSets[set].count - 1), iterator: iterator)
                return true
            }
            if tabSets[set].isEmpty, !open.spoilt {
                problem("a tab set starts with a heading, its first tab's title (### PyTorch)")
                open.spoilt = true
            }
            return false
        }
        let info = type == CMARK_NODE_CODE_BLOCK ? cmark_node_get_fence_info(node).map { String(cString: $0) } : nil
        let isFigure = info?.split(separator: " ").first == "viz"
        if isFigure, open.caption != nil, !open.spoilt {
            problem("a figure group's caption comes after all its figures")
            open.spoilt = true
        } else if type == CMARK_NODE_PARAGRAPH {
            if open.caption != nil, !open.spoilt {
                problem("a figure group has one caption: the paragraph just before its closing ':::'")
                open.spoilt = true
            }
            open.caption = node
        } else if !isFigure, !open.spoilt {
            problem("a figure group holds figures and, last, their caption; close it with ':::' before this")
            open.spoilt = true
        }
        return false
    }

    /// A paragraph's lines, as written (its inline children's text; line breaks between).
    private static func lines(of paragraph: OpaquePointer) -> [String] {
        var lines = [""]
        var child = cmark_node_first_child(paragraph)
        while let current = child {
            switch cmark_node_get_type(current) {
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK: lines.append("")
            case CMARK_NODE_TEXT:
                lines[lines.count - 1] += cmark_node_get_literal(current).map { String(cString: $0) } ?? ""
            default: lines[lines.count - 1] += "\u{FFFC}"
            }
            child = cmark_node_next(current)
        }
        return lines
    }

    /// Removes a paragraph's last line and the break before it.
    private static func removeLastLine(of paragraph: OpaquePointer) {
        while let last = cmark_node_last_child(paragraph) {
            let type = cmark_node_get_type(last)
            cmark_node_unlink(last)
            cmark_node_free(last)
            if type == CMARK_NODE_SOFTBREAK || type == CMARK_NODE_LINEBREAK { break }
        }
    }

    /// Puts a raw HTML block (`html`) where `node` was, and walks on from it.
    private func replace(_ node: OpaquePointer, with html: String, iterator: OpaquePointer) {
        guard let replacement = cmark_node_new(CMARK_NODE_CUSTOM_BLOCK) else { return }
        cmark_node_set_on_enter(replacement, html)
        cmark_node_replace(node, replacement)
        cmark_node_free(node)
        cmark_iter_reset(iterator, replacement, CMARK_EVENT_ENTER)
    }

    /// A heading's own id, written after its text as `{#id}` (as in Pandoc, kramdown and
    /// Hugo): removed from the text and returned. Translations keep their original's ids
    /// with it, so links to a section work in every edition.
    private static func takeExplicitID(of heading: OpaquePointer) -> String? {
        guard let last = cmark_node_last_child(heading), cmark_node_get_type(last) == CMARK_NODE_TEXT,
            let literal = cmark_node_get_literal(last).map({ String(cString: $0) })
        else { return nil }
        let trimmed = literal.trimmingCharacters(in: .whitespaces)
        guard trimmed.hasSuffix("}"), let open = trimmed.range(of: "{#", options: .backwards) else { return nil }
        let id = String(trimmed[open.upperBound..<trimmed.index(before: trimmed.endIndex)])
        guard !id.isEmpty, !id.contains(where: { $0.isWhitespace || "{}\"'<>&#".contains($0) }) else { return nil }
        let rest = String(trimmed[..<open.lowerBound]).trimmingCharacters(in: .whitespaces)
        cmark_node_set_literal(last, rest)
        return id
    }

    /// The text of a node's descendants (text and inline code), for heading ids and the TOC;
    /// with `whole`, of the node itself when it is text.
    private static func plainText(of node: OpaquePointer, whole: Bool = false) -> String {
        if whole, [CMARK_NODE_TEXT, CMARK_NODE_CODE].contains(cmark_node_get_type(node)) {
            return cmark_node_get_literal(node).map { String(cString: $0) } ?? ""
        }
        var text = ""
        var child = cmark_node_first_child(node)
        while let current = child {
            switch cmark_node_get_type(current) {
            case CMARK_NODE_TEXT, CMARK_NODE_CODE:
                text += cmark_node_get_literal(current).map { String(cString: $0) } ?? ""
            case CMARK_NODE_SOFTBREAK, CMARK_NODE_LINEBREAK:
                text += " "
            default:
                text += plainText(of: current)
            }
            child = cmark_node_next(current)
        }
        return text
    }
}

extension Unicode.Scalar {
    /// Han, kana, Hangul syllables and CJK punctuation: scripts written without spaces
    /// between words (a line break between two of them is not a space).
    var isWrittenWithoutSpaces: Bool {
        switch value {
        case 0x3000...0x303F, 0x3040...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xF900...0xFAFF, 0xFF00...0xFF65,
            0x20000...0x2FA1F:
            true
        default: false
        }
    }
}
