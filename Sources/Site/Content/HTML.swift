import Foundation

/// Escaping for text that lands in HTML, attributes, JSON and XML.
public enum HTML {
    /// Escapes `& < > " '` so `text` is safe in element content and quoted attributes.
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for ch in text.unicodeScalars {
            switch ch {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out
    }

    /// The text of an HTML fragment: tags removed, the five entities decoded, whitespace
    /// collapsed. For the search index and meta descriptions. A formula's TeX source (its
    /// `<annotation>`, kept for copying) is not text; nor is anything inside the elements
    /// `skipping` names (a page's figures and formulas, for prose only), except that a skipped
    /// inline `<math>` reads as its TeX. One pass over the bytes.
    public static func plainText(_ html: String, skipping: Set<String> = []) -> String {
        let skipped = skipping.union(["annotation"])
        let bytes = Array(html.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte == UInt8(ascii: "<") {
                out.append(UInt8(ascii: " "))
                let name = tagName(bytes, at: i)
                guard let end = tagEnd(bytes, from: i) else { break }
                let tagStart = i
                i = end
                if let name, !name.closing, skipped.contains(name.name), bytes[end - 2] != UInt8(ascii: "/") {
                    let start = i
                    i = skipElement(name.name, bytes, from: i)
                    // An inline formula reads as its TeX (`A^k`), so the sentence around it still does.
                    if name.name == "math",
                        !String(decoding: bytes[tagStart..<start], as: UTF8.self).contains("display=\"block\"")
                    {
                        out += Array(plainText(texSource(bytes[start..<i])).utf8)
                    }
                }
                continue
            }
            if byte == UInt8(ascii: "&"), let (decoded, length) = entity(bytes, at: i) {
                out.append(decoded)
                i += length
                continue
            }
            out.append(byte)
            i += 1
        }
        return String(decoding: out, as: UTF8.self).split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    /// The text of a formula's TeX annotation, as HTML.
    private static func texSource(_ bytes: ArraySlice<UInt8>) -> String {
        let html = String(decoding: bytes, as: UTF8.self)
        guard let open = html.firstRange(of: "<annotation encoding=\"application/x-tex\">"),
            let close = html[open.upperBound...].firstRange(of: "</annotation>")
        else { return "" }
        return String(html[open.upperBound..<close.lowerBound])
    }

    private static let entities: [(text: [UInt8], byte: UInt8)] = [
        ("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&"),
    ].map { (Array($0.0.utf8), UInt8(ascii: $0.1)) }

    private static func entity(_ bytes: [UInt8], at i: Int) -> (UInt8, Int)? {
        for (text, byte) in entities
        where i + text.count <= bytes.count && bytes[i..<(i + text.count)].elementsEqual(text) {
            return (byte, text.count)
        }
        return nil
    }

    /// The lowercased name of the tag that starts at `i` (`<name` or `</name`).
    private static func tagName(_ bytes: [UInt8], at i: Int) -> (name: String, closing: Bool)? {
        var j = i + 1
        let closing = j < bytes.count && bytes[j] == UInt8(ascii: "/")
        if closing { j += 1 }
        let start = j
        while j < bytes.count, (bytes[j] | 0x20) >= UInt8(ascii: "a"),
            (bytes[j] | 0x20) <= UInt8(ascii: "z")
                || (j > start && bytes[j] >= UInt8(ascii: "0") && bytes[j] <= UInt8(ascii: "9"))
        {
            j += 1
        }
        guard j > start else { return nil }
        return (String(decoding: bytes[start..<j], as: UTF8.self).lowercased(), closing)
    }

    /// The index after the `>` that ends the tag starting at `i`.
    private static func tagEnd(_ bytes: [UInt8], from i: Int) -> Int? {
        var j = i + 1
        while j < bytes.count {
            if bytes[j] == UInt8(ascii: ">") { return j + 1 }
            j += 1
        }
        return nil
    }

    /// The index after the end tag that closes the element `name` whose start tag ends at `i`
    /// (nested elements of the same name counted), or the end of the text.
    private static func skipElement(_ name: String, _ bytes: [UInt8], from i: Int) -> Int {
        var depth = 1, j = i
        while j < bytes.count {
            guard bytes[j] == UInt8(ascii: "<") else { j += 1; continue }
            let tag = tagName(bytes, at: j)
            guard let end = tagEnd(bytes, from: j) else { return bytes.count }
            if let tag, tag.name == name {
                if tag.closing { depth -= 1 } else if bytes[end - 2] != UInt8(ascii: "/") { depth += 1 }
                if depth == 0 { return end }
            }
            j = end
        }
        return bytes.count
    }
}

extension String {
    /// A URL- and file-name-safe slug: lowercase letters and digits of any script joined by
    /// hyphens (`Saliency maps` → `saliency-maps`, `类激活图 与 热力图` → `类激活图-与-热力图`).
    /// Latin letters with accents fold to ASCII (`Über CAM` → `uber-cam`, `Straße` →
    /// `strasse`), as Hugo's and Jekyll's slugs do; nothing that is a letter is dropped.
    public var slugified: String {
        var out = ""
        var pendingHyphen = false
        for character in lowercased() {
            guard let kept = Self.slugPart(character) else {
                pendingHyphen = true
                continue
            }
            if pendingHyphen && !out.isEmpty { out.append("-") }
            pendingHyphen = false
            out += kept
        }
        return out
    }

    /// Latin letters that do not decompose into a base letter and marks.
    private static let latinFolds: [Character: String] = [
        "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "d", "ð": "d", "ł": "l", "þ": "th", "ı": "i", "ħ": "h",
    ]

    /// What a character contributes to a slug: an ASCII letter or digit as itself, a Latin
    /// letter with accents as its base letter, a letter or digit of another script as
    /// itself; nil for anything else (spaces, punctuation, symbols), which separates words.
    private static func slugPart(_ character: Character) -> String? {
        if character.isASCII { return character.isLetter || character.isNumber ? String(character) : nil }
        if let folded = latinFolds[character] { return folded }
        let scalars = String(character).decomposedStringWithCanonicalMapping.unicodeScalars
        if let base = scalars.first, base.isASCII, Character(base).isLetter,
            scalars.dropFirst().allSatisfy({ $0.properties.generalCategory == .nonspacingMark })
        {
            return String(Character(base))
        }
        return character.isLetter || character.isNumber ? String(character) : nil
    }

    /// The string as a URL path, with every character outside RFC 3986's unreserved set
    /// and `/` percent-encoded as UTF-8 (`类激活图/` → `%E7%B1%BB…/`): what sitemaps and
    /// absolute addresses need; pages link with the characters as they are.
    public var percentEncodedPath: String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/")
        return addingPercentEncoding(withAllowedCharacters: allowed) ?? self
    }
}
