import Common
import Foundation

/// A Python box of a lesson is a file beside the lessons (`Content/lessons/06-saliency/captum.py`),
/// which `make check-snippets` runs. A fenced code block shows it with a line in the syntax of
/// MkDocs' snippets extension: `--8<-- "06-saliency/captum.py"` for the whole file, or
/// `--8<-- "06-saliency/captum.py:box"` for the lines between `# --8<-- [start:box]` and
/// `# --8<-- [end:box]`. Paths are relative to the lessons folder, the same in every edition.
struct SnippetInclude: Sendable, Equatable {
    let path: String
    let section: String?
    let location: SourceLocation

    static let marker = "--8<--"

    /// Whether a code block's text includes snippets: a line that starts with the marker.
    static func isInclude(_ body: String) -> Bool {
        body.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix(marker) }
    }

    /// The includes of a code block's text; `fenceLine` is the line of its opening fence.
    static func parse(_ body: String, file: String, fenceLine: Int, column: Int) throws(SourceError) -> [SnippetInclude]
    {
        var includes: [SnippetInclude] = []
        for (i, raw) in body.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            guard !line.isEmpty else { continue }
            let at = SourceLocation(
                file: file, line: fenceLine + 1 + i, column: column + raw.prefix { $0 == " " }.count)
            guard line.hasPrefix(marker) else {
                throw SourceError(
                    "a code block that includes a snippet holds only lines such as "
                        + "--8<-- \"06-saliency/captum.py:box\"; write this code in the file", at: at)
            }
            let quoted = line.dropFirst(marker.count).trimmingCharacters(in: .whitespaces)
            guard quoted.count >= 2, let quote = quoted.first, quote == "\"" || quote == "'", quoted.last == quote
            else {
                throw SourceError(
                    "expected a quoted path after --8<--, such as --8<-- \"06-saliency/captum.py:box\"", at: at)
            }
            let target = String(quoted.dropFirst().dropLast())
            let parts = target.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            let path = parts[0], section = parts.count > 1 ? parts[1] : nil
            guard !path.isEmpty else { throw SourceError("the snippet's path is empty", at: at) }
            if let section, !SnippetSource.isValidName(section) {
                throw SourceError(
                    "section name '\(section)' must be letters, digits, '-' and '_'", at: at)
            }
            includes.append(SnippetInclude(path: path, section: section, location: at))
        }
        return includes
    }
}

/// A snippet file's text and its sections (`# --8<-- [start:name]` … `# --8<-- [end:name]`).
struct SnippetSource: Sendable {
    let lines: [String]
    /// Each section's lines (0-based, markers excluded), by name.
    let sections: [String: Range<Int>]

    static func isValidName(_ name: String) -> Bool {
        !name.isEmpty
            && name.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }
    }

    /// The section a line opens or closes, if it is a marker line.
    static func marker(_ line: String) -> (start: Bool, name: String)? {
        var rest = line.trimmingCharacters(in: .whitespaces)
        guard rest.hasPrefix("#") else { return nil }
        rest = rest.dropFirst().trimmingCharacters(in: .whitespaces)
        guard rest.hasPrefix(SnippetInclude.marker) else { return nil }
        rest = rest.dropFirst(SnippetInclude.marker.count).trimmingCharacters(in: .whitespaces)
        for (word, start) in [("[start:", true), ("[end:", false)] where rest.hasPrefix(word) && rest.hasSuffix("]") {
            return (start, String(rest.dropFirst(word.count).dropLast()))
        }
        return nil
    }

    /// Reads the sections of `text`; `file` names it in errors (a section opened twice, closed
    /// without being opened, or never closed).
    init(_ text: String, file: String) throws(SourceError) {
        lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        var open: [String: Int] = [:], sections: [String: Range<Int>] = [:]
        for (i, line) in lines.enumerated() {
            let at = SourceLocation(file: file, line: i + 1, column: 1)
            if line.trimmingCharacters(in: .whitespaces).hasPrefix("#"),
                line.contains(SnippetInclude.marker), Self.marker(line) == nil
            {
                throw SourceError("expected '# --8<-- [start:name]' or '# --8<-- [end:name]'", at: at)
            }
            guard let (start, name) = Self.marker(line) else { continue }
            guard Self.isValidName(name) else {
                throw SourceError("section name '\(name)' must be letters, digits, '-' and '_'", at: at)
            }
            if start {
                guard open[name] == nil, sections[name] == nil else {
                    throw SourceError("section '\(name)' is opened a second time", at: at)
                }
                open[name] = i + 1
            } else {
                guard let first = open.removeValue(forKey: name) else {
                    throw SourceError(
                        "section '\(name)' ends here but was not started", at: at,
                        suggestion: nearestName(to: name, in: Array(open.keys)))
                }
                sections[name] = first..<i
            }
        }
        if let (name, line) = open.min(by: { $0.value < $1.value }) {
            throw SourceError(
                "section '\(name)' is never ended; add '# --8<-- [end:\(name)]'",
                at: SourceLocation(file: file, line: line, column: 1))
        }
        self.sections = sections
    }

    /// The lines a box shows: the section's (or the whole file's) without marker lines,
    /// blank lines at either end and common indentation.
    func shown(_ range: Range<Int>) -> String {
        var kept = lines[range].filter { Self.marker($0) == nil }
        while kept.first?.trimmingCharacters(in: .whitespaces).isEmpty == true { kept.removeFirst() }
        while kept.last?.trimmingCharacters(in: .whitespaces).isEmpty == true { kept.removeLast() }
        let indent =
            kept.filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
            .map { $0.prefix { $0 == " " }.count }.min() ?? 0
        return kept.map { String($0.dropFirst(min(indent, $0.prefix { $0 == " " }.count))) }
            .joined(separator: "\n")
    }

    /// The lines of `section` (nil: the whole file).
    func range(of section: String?) -> Range<Int>? {
        guard let section else { return 0..<lines.count }
        return sections[section]
    }
}
