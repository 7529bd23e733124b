import Common
import Foundation

/// How an edition words the Python boxes: `lessons/<language>/snippets.yml` maps the text of a
/// comment, or of a string literal (a plot's title, a check's description), as the file writes
/// it, to the edition's. The file stays one program; each edition shows, and
/// `make check-snippets` runs, its own wording of it.
struct SnippetTranslation: Sendable {
    /// Translations by original text, and where each is given.
    let entries: [String: (text: String, location: SourceLocation)]

    static let fileName = "snippets.yml"

    init() { entries = [:] }

    init(_ text: String, file: String) throws(SourceError) {
        let mapping = try YAMLValue.parse(text, file: file).mapping()
        var entries: [String: (String, SourceLocation)] = [:]
        for (key, value) in mapping.entries {
            entries[try key.string()] = (try value.string(), key.location)
        }
        self.entries = entries
    }

    /// A comment or string literal of Python source: where its text lies.
    struct Word: Equatable {
        enum Kind { case comment, string }
        let kind: Kind
        /// The words' line (0-based) and its text's range in the source.
        let line: Int
        let range: Range<String.Index>
    }

    /// The comments (their text after `#` and one space, to the end of the line) and the
    /// one-line string literals' contents (a docstring's too) of Python `source`.
    static func words(of source: String) -> [Word] {
        var words: [Word] = []
        var i = source.startIndex, line = 0
        func advance() {
            if source[i] == "\n" { line += 1 }
            i = source.index(after: i)
        }
        while i < source.endIndex {
            let c = source[i]
            if c == "#" {
                var start = source.index(after: i)
                if start < source.endIndex, source[start] == " " { start = source.index(after: start) }
                var end = start
                while end < source.endIndex, source[end] != "\n" { end = source.index(after: end) }
                var trimmed = end
                while trimmed > start, source[source.index(before: trimmed)] == " " {
                    trimmed = source.index(before: trimmed)
                }
                words.append(Word(kind: .comment, line: line, range: start..<trimmed))
                i = end
            } else if c == "\"" || c == "'" {
                let triple = source[i...].hasPrefix(String(repeating: c, count: 3))
                let quote = triple ? String(repeating: c, count: 3) : String(c)
                i = source.index(i, offsetBy: quote.count)
                let start = i, startLine = line
                while i < source.endIndex, !source[i...].hasPrefix(quote) {
                    if source[i] == "\\" { advance() }
                    if i < source.endIndex, !triple, source[i] == "\n" { break }
                    if i < source.endIndex { advance() }
                }
                if !triple || !source[start..<i].contains("\n") {
                    words.append(Word(kind: .string, line: startLine, range: start..<i))
                }
                if i < source.endIndex, source[i...].hasPrefix(quote) { i = source.index(i, offsetBy: quote.count) }
            } else {
                advance()
            }
        }
        return words
    }

    /// `source` in this edition's words, the comments (by line) no entry translates, and the
    /// entries used. Section markers and comments without letters are not words to translate.
    func apply(to source: String) -> (text: String, untranslated: [(line: Int, comment: String)], used: Set<String>) {
        var text = "", untranslated: [(Int, String)] = [], used: Set<String> = []
        var last = source.startIndex
        for word in Self.words(of: source) {
            let original = String(source[word.range])
            if let entry = entries[original] {
                text += source[last..<word.range.lowerBound] + entry.text
                last = word.range.upperBound
                used.insert(original)
            } else if word.kind == .comment, !original.hasPrefix(SnippetInclude.marker),
                original.unicodeScalars.contains(where: { CharacterSet.letters.contains($0) })
            {
                untranslated.append((word.line, original))
            }
        }
        text += source[last...]
        return (text, untranslated, used)
    }
}
