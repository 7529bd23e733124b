import Common
import Foundation

/// The works lessons cite: `Content/references.bib`, read as BibTeX.
///
/// Entries are `@type{key, field = {value}, field = "value", field = 2017}`; braces nest,
/// `#` joins strings, `@string{name = …}` defines an abbreviation, `@comment`, `%` lines and
/// text between entries are ignored. Values lose their braces, and the common LaTeX accents
/// (`{\"o}`, `\'e`, `\ss`), `--` and `\&` become the characters they stand for.
public struct Bibliography: Sendable {
    public struct Entry: Sendable, Equatable {
        public let key: String
        /// The entry type, lowercased: `article`, `inproceedings`, `misc` ….
        public let type: String
        /// Field names lowercased; values as text.
        public let fields: [String: String]
        public let location: SourceLocation

        public subscript(_ field: String) -> String? { fields[field] }

        /// The authors (else editors) as (family name, given names), without BibTeX's
        /// `and others`.
        var people: [(family: String, given: String)] {
            Bibliography.people(fields["author"] ?? fields["editor"] ?? "").filter { $0.family != "others" }
        }

        /// Whether the list of authors ends `and others` (et al.).
        var hasMorePeople: Bool {
            Bibliography.people(fields["author"] ?? fields["editor"] ?? "").last?.family == "others"
        }

        var year: String { fields["year"] ?? (fields["date"].map { String($0.prefix(4)) } ?? "n.d.") }

        /// Where the title links: its `url`, else its DOI, else its arXiv id.
        var link: String? {
            if let url = fields["url"], url.hasPrefix("http") { return url }
            if let doi = fields["doi"] { return "https://doi.org/" + doi }
            if let eprint = fields["eprint"],
                (fields["archiveprefix"] ?? fields["eprinttype"] ?? "").lowercased() == "arxiv"
            {
                return "https://arxiv.org/abs/" + eprint
            }
            return nil
        }
    }

    public private(set) var entries: [Entry] = []
    private var index: [String: Int] = [:]

    public subscript(key: String) -> Entry? { index[key].map { entries[$0] } }
    public var keys: [String] { entries.map(\.key) }

    public init() {}

    /// Parses `text`, the file `file`; a malformed entry or a key given twice is an error
    /// at its line and column.
    public init(_ text: String, file: String) throws(SourceError) {
        var parser = BibTeXParser(Array(text.unicodeScalars), file: file)
        for entry in try parser.entries() {
            if let first = index[entry.key] {
                throw SourceError(
                    "citation key '\(entry.key)' is already given at line \(entries[first].location.line)",
                    at: entry.location)
            }
            index[entry.key] = entries.count
            entries.append(entry)
        }
    }

    /// `names` (BibTeX's "Family, Given and Given Family and {Corporate Name}") split.
    static func people(_ names: String) -> [(family: String, given: String)] {
        splitTopLevel(names, on: " and ").compactMap { raw in
            let name = raw.trimmingCharacters(in: .whitespaces)
            guard !name.isEmpty else { return nil }
            if name.hasPrefix("{") && name.hasSuffix("}") { return (plain(name), "") }
            let parts = splitTopLevel(name, on: ",")
            if parts.count >= 2 {
                return (
                    plain(parts[0]).trimmingCharacters(in: .whitespaces),
                    plain(parts.dropFirst().joined(separator: ",")).trimmingCharacters(in: .whitespaces)
                )
            }
            let words = splitTopLevel(name, on: " ").filter { !$0.isEmpty }
            // A lowercase particle (von, van der, de) belongs to the family name.
            var familyStart = words.count - 1
            while familyStart > 0, let first = words[familyStart - 1].first, first.isLowercase { familyStart -= 1 }
            return (
                plain(words[familyStart...].joined(separator: " ")),
                plain(words[..<familyStart].joined(separator: " "))
            )
        }
    }

    /// "Ramprasaath R." → "R. R.", "Pei-Tian" → "P.-T.".
    static func initials(_ given: String) -> String {
        given.split(separator: " ").map { word in
            word.split(separator: "-").compactMap { $0.first.map { "\($0)." } }.joined(separator: "-")
        }.joined(separator: " ")
    }

    /// `text` split on `separator` outside braces.
    static func splitTopLevel(_ text: String, on separator: String) -> [String] {
        var parts: [String] = [], current = "", depth = 0
        var rest = Substring(text)
        while let c = rest.first {
            if depth == 0, rest.hasPrefix(separator) {
                parts.append(current)
                current = ""
                rest = rest.dropFirst(separator.count)
                continue
            }
            if c == "{" { depth += 1 } else if c == "}" { depth = max(0, depth - 1) }
            current.append(c)
            rest = rest.dropFirst()
        }
        return parts + [current]
    }

    /// A BibTeX value as text: accents resolved, braces dropped, dashes and spaces made typographic.
    static func plain(_ value: String) -> String {
        let accents: [Character: [Character: Character]] = [
            "\"": ["a": "ä", "o": "ö", "u": "ü", "e": "ë", "i": "ï", "A": "Ä", "O": "Ö", "U": "Ü"],
            "'": ["a": "á", "e": "é", "i": "í", "o": "ó", "u": "ú", "c": "ć", "n": "ń", "s": "ś", "E": "É"],
            "`": ["a": "à", "e": "è", "i": "ì", "o": "ò", "u": "ù"],
            "^": ["a": "â", "e": "ê", "i": "î", "o": "ô", "u": "û"],
            "~": ["n": "ñ", "a": "ã", "o": "õ", "N": "Ñ"],
            "c": ["c": "ç", "C": "Ç"],
            "v": ["c": "č", "s": "š", "z": "ž", "r": "ř", "e": "ě", "C": "Č", "S": "Š", "Z": "Ž"],
        ]
        let symbols: [String: String] = ["ss": "ß", "o": "ø", "O": "Ø", "ae": "æ", "aa": "å", "l": "ł", "i": "ı"]
        var out = "", chars = Array(value), i = 0
        while i < chars.count {
            let c = chars[i]
            if c == "\\", i + 1 < chars.count {
                let command = chars[i + 1]
                if let table = accents[command] {
                    // \"o, \"{o}, \c{c}, \c c
                    var j = i + 2
                    while j < chars.count, chars[j] == " " || chars[j] == "{" { j += 1 }
                    if j < chars.count, let accented = table[chars[j]] {
                        out.append(accented)
                        i = j + 1
                        if i < chars.count, chars[i] == "}" { i += 1 }
                        continue
                    }
                }
                var j = i + 1
                while j < chars.count, chars[j].isLetter { j += 1 }
                let name = String(chars[(i + 1)..<j])
                if let symbol = symbols[name] {
                    out += symbol
                    i = j
                    if i < chars.count, chars[i] == " " { i += 1 }
                    continue
                }
                if name.isEmpty {  // \& \% \_ \$ \{ …
                    out.append(command)
                    i += 2
                    continue
                }
                out += name  // an unknown command: its name, readable
                i = j
                continue
            }
            if c == "{" || c == "}" {
                i += 1
                continue
            }
            if c == "~" {
                out += "\u{a0}"
            } else if c == "-", i + 2 < chars.count, chars[i + 1] == "-", chars[i + 2] == "-" {
                out += "—"
                i += 3
                continue
            } else if c == "-", i + 1 < chars.count, chars[i + 1] == "-" {
                out += "–"
                i += 2
                continue
            } else if c.isWhitespace {
                if !out.hasSuffix(" ") { out += " " }
            } else {
                out.append(c)
            }
            i += 1
        }
        return out.trimmingCharacters(in: .whitespaces)
    }
}

/// Reads BibTeX entries from a file's characters, tracking lines and columns for errors.
private struct BibTeXParser {
    let text: [Unicode.Scalar]
    let file: String
    var position = 0
    var line = 1
    var column = 1
    var strings: [String: String] = [:]

    init(_ text: [Unicode.Scalar], file: String) {
        self.text = text
        self.file = file
    }

    var location: SourceLocation { SourceLocation(file: file, line: line, column: column) }
    var current: Unicode.Scalar? { position < text.count ? text[position] : nil }

    mutating func advance() {
        if text[position] == "\n" {
            line += 1
            column = 1
        } else {
            column += 1
        }
        position += 1
    }

    mutating func skipSpace() {
        while let c = current, c.properties.isWhitespace { advance() }
    }

    mutating func expect(_ c: Unicode.Scalar, _ what: String) throws(SourceError) {
        skipSpace()
        guard current == c else {
            throw SourceError(
                "expected \(what) here" + (current.map { ", found '\($0)'" } ?? ", found the end of the file"),
                at: location)
        }
        advance()
    }

    mutating func name() -> String {
        var out = ""
        while let c = current, !c.properties.isWhitespace, !"{}(),=#\"".unicodeScalars.contains(c) {
            out.unicodeScalars.append(c)
            advance()
        }
        return out
    }

    mutating func entries() throws(SourceError) -> [Bibliography.Entry] {
        var result: [Bibliography.Entry] = []
        while position < text.count {
            // Text between entries is a comment, and so is a line from '%' (as biber reads it).
            while let c = current, c != "@" {
                if c == "%" {
                    while let d = current, d != "\n" { advance() }
                    continue
                }
                advance()
            }
            guard current == "@" else { break }
            let start = location
            advance()
            let type = name().lowercased()
            guard !type.isEmpty else {
                throw SourceError("expected an entry type after '@' (as in @article)", at: start)
            }
            skipSpace()
            let close: Unicode.Scalar
            switch current {
            case "{": close = "}"
            case "(": close = ")"
            default: throw SourceError("expected '{' after @\(type)", at: location)
            }
            if type == "comment" {
                try skipBalanced()
                continue
            }
            advance()
            if type == "preamble" {
                _ = try value()
                try expect(close, "'\(close)' closing @preamble")
                continue
            }
            if type == "string" {
                skipSpace()
                let key = name().lowercased()
                try expect("=", "'=' after the @string's name")
                strings[key] = try value()
                try expect(close, "'\(close)' closing @string")
                continue
            }
            skipSpace()
            let keyLocation = location
            let key = name()
            guard !key.isEmpty else {
                throw SourceError("@\(type) needs a citation key before its fields", at: keyLocation)
            }
            var fields: [String: String] = [:]
            skipSpace()
            while current == "," {
                advance()
                skipSpace()
                if current == close { break }
                let fieldLocation = location
                let field = name().lowercased()
                guard !field.isEmpty else {
                    throw SourceError("expected a field name (as in title = {…})", at: fieldLocation)
                }
                try expect("=", "'=' after '\(field)'")
                let raw = try value()
                if fields[field] != nil {
                    throw SourceError("field '\(field)' is given twice in '\(key)'", at: fieldLocation)
                }
                fields[field] = Bibliography.plain(raw)
                skipSpace()
            }
            try expect(close, "',' or '\(close)' closing entry '\(key)'")
            result.append(Bibliography.Entry(key: key, type: type, fields: fields, location: keyLocation))
        }
        return result
    }

    /// A field's value: `{…}`, `"…"`, a number or an @string name, joined by `#`.
    mutating func value() throws(SourceError) -> String {
        var out = ""
        while true {
            skipSpace()
            let start = location
            switch current {
            case "{":
                advance()
                out += try until(closing: "}", start: start)
            case "\"":
                advance()
                out += try until(closing: "\"", start: start)
            case let c? where c.properties.numericType != nil:
                out += name()
            case .some:
                let word = name()
                guard !word.isEmpty else { throw SourceError("expected a value: {…}, \"…\" or a number", at: start) }
                guard let defined = strings[word.lowercased()] ?? Self.months[word.lowercased()] else {
                    throw SourceError("'\(word)' is no @string defined above; put a value in braces", at: start)
                }
                out += defined
            case nil:
                throw SourceError("expected a value, found the end of the file", at: start)
            }
            skipSpace()
            guard current == "#" else { return out }
            advance()
        }
    }

    static let months = [
        "jan": "January", "feb": "February", "mar": "March", "apr": "April", "may": "May", "jun": "June",
        "jul": "July", "aug": "August", "sep": "September", "oct": "October", "nov": "November", "dec": "December",
    ]

    /// The text up to `closing` at brace depth 0 (braces inside kept), the closing consumed.
    mutating func until(closing: Unicode.Scalar, start: SourceLocation) throws(SourceError) -> String {
        var out = "", depth = 0
        while let c = current {
            if c == closing && depth == 0 {
                advance()
                return out
            }
            if c == "{" { depth += 1 } else if c == "}" { depth -= 1 }
            guard depth >= 0 else { throw SourceError("this '}' closes no '{'", at: location) }
            out.unicodeScalars.append(c)
            advance()
        }
        throw SourceError("this value is never closed", at: start)
    }

    mutating func skipBalanced() throws(SourceError) {
        let start = location
        var depth = 0
        while let c = current {
            advance()
            if c == "{" || c == "(" { depth += 1 }
            if c == "}" || c == ")" {
                depth -= 1
                if depth == 0 { return }
            }
        }
        throw SourceError("this entry is never closed", at: start)
    }
}
