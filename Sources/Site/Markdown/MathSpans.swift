import Foundation

/// The `$…$` and `$$…$$` of a lesson's Markdown, found before cmark reads it (inside math,
/// `_` and `*` would otherwise become emphasis) and replaced by placeholders cmark passes
/// through as plain letters. Code (fenced, indented, or in backticks) and escaped dollars
/// (`\$`) stay text. Inline math follows Pandoc's rule, so prices do not turn into formulas:
/// the opening `$` has a non-space after it, the closing one a non-space before it and no
/// digit after it.
struct MathSpans {
    struct Span: Equatable {
        let tex: String
        let display: Bool
        /// Where the formula's first character is in the file (1-based).
        let line: Int
        let column: Int
    }

    /// The text with each formula replaced by `placeholder(i)`, line count unchanged.
    private(set) var text = ""
    private(set) var spans: [Span] = []

    static func placeholder(_ index: Int) -> String { "VIZSITEMATH\(index)Q" }
    /// Stands for each further line of a formula, so the line count stays and no blank line
    /// appears (one would end a paragraph or loosen a list); the HTML drops it.
    static let continuation = "VIZSITEMATHC"

    init(_ markdown: String, lineOffset: Int) {
        guard markdown.contains("$") else {
            text = markdown
            return
        }
        let lines = markdown.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0) }
        var out: [String] = []
        var fence: (character: Character, count: Int)?
        var previousBlank = true, inIndentedCode = false
        var lineIndex = 0
        while lineIndex < lines.count {
            let line = lines[lineIndex]
            let trimmed = String(line).trimmingCharacters(in: .whitespaces)
            let indent = line.prefix { $0 == " " }.count
            if let open = fence {
                let run = trimmed.prefix { $0 == open.character }.count
                if run >= open.count && trimmed.dropFirst(run).allSatisfy(\.isWhitespace) { fence = nil }
                out.append(String(line))
                lineIndex += 1
                continue
            }
            if indent < 4, let first = trimmed.first, first == "`" || first == "~" {
                let run = trimmed.prefix { $0 == first }.count
                if run >= 3 {
                    fence = (first, run)
                    out.append(String(line))
                    lineIndex += 1
                    previousBlank = false
                    continue
                }
            }
            let blank = trimmed.isEmpty
            inIndentedCode = !blank && (indent >= 4 || line.first == "\t") && (previousBlank || inIndentedCode)
            if blank || inIndentedCode {
                previousBlank = blank
                out.append(String(line))
                lineIndex += 1
                continue
            }
            previousBlank = false
            // A paragraph's lines, up to a blank line or a fence: inline code and math may span them.
            var end = lineIndex + 1
            while end < lines.count {
                let next = String(lines[end]).trimmingCharacters(in: .whitespaces)
                if next.isEmpty || next.hasPrefix("```") || next.hasPrefix("~~~") { break }
                end += 1
            }
            out += scan(Array(lines[lineIndex..<end]), firstLine: lineOffset + lineIndex + 1)
            lineIndex = end
        }
        text = out.joined(separator: "\n")
    }

    /// One paragraph's lines with their formulas replaced; as many lines as given.
    private mutating func scan(_ lines: [[Character]], firstLine: Int) -> [String] {
        // The paragraph as one array, with where each character came from.
        var chars: [Character] = [], places: [(line: Int, column: Int)] = []
        for (i, line) in lines.enumerated() {
            for (j, c) in line.enumerated() {
                chars.append(c)
                places.append((firstLine + i, j + 1))
            }
            if i < lines.count - 1 {
                chars.append("\n")
                places.append((firstLine + i, line.count + 1))
            }
        }
        var result = ""
        var i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                result.append(c)
                result.append(chars[i + 1])
                i += 2
                continue
            }
            if c == "`" {
                // A code span: a run of backticks up to the next run of the same length.
                let run = chars[i...].prefix { $0 == "`" }.count
                var j = i + run, closed: Int?
                while j < chars.count {
                    if chars[j] == "`" {
                        let other = chars[j...].prefix { $0 == "`" }.count
                        if other == run {
                            closed = j + other
                            break
                        }
                        j += other
                    } else {
                        j += 1
                    }
                }
                let end = closed ?? i + run
                result += String(chars[i..<end])
                i = end
                continue
            }
            if c == "$" {
                let display = i + 1 < chars.count && chars[i + 1] == "$"
                if let close = closing(chars, from: i, display: display) {
                    let start = i + (display ? 2 : 1)
                    let tex = String(chars[start..<close]).trimmingCharacters(in: .whitespacesAndNewlines)
                    let first = chars[start...].firstIndex { !$0.isWhitespace } ?? start
                    spans.append(
                        Span(tex: tex, display: display, line: places[first].line, column: places[first].column))
                    result += Self.placeholder(spans.count - 1)
                    // Keep the line count: the formula's line breaks follow it.
                    result += String(
                        repeating: "\n" + Self.continuation, count: chars[i..<close].filter { $0 == "\n" }.count)
                    i = close + (display ? 2 : 1)
                    continue
                }
            }
            result.append(c)
            i += 1
        }
        return result.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// The index of the `$` (or `$$`) closing the formula opened at `open`, if any.
    private func closing(_ chars: [Character], from open: Int, display: Bool) -> Int? {
        let start = open + (display ? 2 : 1)
        guard start < chars.count else { return nil }
        if !display && (chars[start].isWhitespace || chars[start] == "$") { return nil }
        var j = start
        while j < chars.count {
            if chars[j] == "\\" {
                j += 2
                continue
            }
            if chars[j] == "$" {
                if display {
                    if j + 1 < chars.count, chars[j + 1] == "$", j > start { return j }
                } else if !chars[j - 1].isWhitespace, !(j + 1 < chars.count && chars[j + 1].isNumber) {
                    return j
                } else {
                    // A dollar that cannot close ("$5 and $x$"): this one was no formula.
                    return nil
                }
            }
            // Inline math never holds code; a backtick means this dollar was text.
            if !display && chars[j] == "`" { return nil }
            j += 1
        }
        return nil
    }
}
