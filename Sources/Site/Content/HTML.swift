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
    /// collapsed. For the search index and meta descriptions.
    public static func plainText(_ html: String) -> String {
        // A formula's TeX source, kept for copying, is not text to read or search twice.
        let html = html.replacing(/<annotation encoding="application\/x-tex">[^<]*<\/annotation>/, with: "")
        var out = ""
        var inTag = false
        for ch in html {
            if ch == "<" { inTag = true; out.append(" "); continue }
            if ch == ">" && inTag { inTag = false; continue }
            if !inTag { out.append(ch) }
        }
        out = out.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&amp;", with: "&")
        return out.split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
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
