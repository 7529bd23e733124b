import Common
import Render

/// Words drawn inside a figure ("input", "colormap viridis", "Class probabilities"), kept as
/// tokens in the computed figure so that one figure, computed and cached once, serves every
/// edition: each page puts in its own language's words when it is written
/// (`Figure.html(…)`), and files for download get the English ones.
///
/// A token is `U+E000 key (U+E001 name U+E003 value)* U+E002`, characters of Unicode's
/// private-use area that no text of ours contains and that HTML and XML escaping leave as
/// they are. A token is text: it is escaped where the text it stands for would be, so its
/// values arrive escaped, and the words put in for it are escaped when they are.
/// A value may itself be a token (`method {name}` with a translated method name).
enum FigureText {
    static let open: Character = "\u{E000}"
    static let separator: Character = "\u{E001}"
    static let close: Character = "\u{E002}"
    static let equals: Character = "\u{E003}"

    /// The words of `figure.<key>`, with `{name}` placeholders filled from `arguments`.
    static func t(_ key: String, _ arguments: KeyValuePairs<String, String> = [:]) -> String {
        var token = String(open) + "figure." + key
        for (name, value) in arguments { token += String(separator) + name + String(equals) + value }
        return token + String(close)
    }

    /// `text` with every token replaced by `strings`' words for it, HTML-escaped. One pass:
    /// a token's text is gathered on a stack, so a value that is a token is resolved before
    /// the token it is in.
    static func resolve(_ text: String, _ strings: InterfaceStrings) -> String {
        guard text.contains(open) else { return text }
        let openBytes = Array(String(open).utf8), closeBytes = Array(String(close).utf8)
        var stack: [[UInt8]] = [[]]
        var copy = text
        copy.withUTF8 { bytes in
            var i = 0, chunk = 0
            // Runs of plain text are copied whole; only the tokens' marks are looked at.
            while i < bytes.count {
                if bytes[i] == openBytes[0], Self.matches(openBytes, bytes, at: i) {
                    stack[stack.count - 1] += bytes[chunk..<i]
                    stack.append([])
                    i += openBytes.count
                    chunk = i
                } else if bytes[i] == closeBytes[0], stack.count > 1, Self.matches(closeBytes, bytes, at: i) {
                    stack[stack.count - 1] += bytes[chunk..<i]
                    let token = String(decoding: stack.removeLast(), as: UTF8.self)
                    stack[stack.count - 1] += words(of: token, strings).utf8
                    i += closeBytes.count
                    chunk = i
                } else {
                    i += 1
                }
            }
            stack[stack.count - 1] += bytes[chunk...]
        }
        // An unclosed token (never written by `t`) is left as it was.
        let joined = stack.dropFirst().reduce(stack[0]) { $0 + openBytes + $1 }
        return String(decoding: joined, as: UTF8.self)
    }

    private static func matches(_ mark: [UInt8], _ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Bool {
        guard i + mark.count <= bytes.count else { return false }
        for k in 0..<mark.count where bytes[i + k] != mark[k] { return false }
        return true
    }

    /// The words of a token's inside (`key`, then `name` U+E003 `value` pairs).
    private static func words(of token: String, _ strings: InterfaceStrings) -> String {
        let parts = token.split(separator: separator, omittingEmptySubsequences: false)
        var arguments: [String: String] = [:]
        for part in parts.dropFirst() {
            guard let mark = part.firstIndex(of: equals) else { continue }
            arguments[String(part[..<mark])] = String(part[part.index(after: mark)...])
        }
        return fill(HTML.escape(strings[String(parts[0])]), arguments)
    }

    /// `template` with its `{name}` placeholders replaced by `arguments` in one pass, so a
    /// value that contains braces is never filled in again.
    private static func fill(_ template: String, _ arguments: [String: String]) -> String {
        guard !arguments.isEmpty, template.contains("{") else { return template }
        var out = ""
        var rest = template[...]
        while let open = rest.firstIndex(of: "{") {
            out += rest[..<open]
            if let close = rest[open...].firstIndex(of: "}"),
                let value = arguments[String(rest[rest.index(after: open)..<close])]
            {
                out += value
                rest = rest[rest.index(after: close)...]
            } else {
                out.append("{")
                rest = rest[rest.index(after: open)...]
            }
        }
        return out + rest
    }

    /// About how wide `text` is drawn at 12 px once its tokens are words: measured in
    /// English, whose words for a chart's names are the longest of the editions'.
    static func drawnWidth(_ text: String) -> Double {
        SVG.estimatedWidth(resolve(text, InterfaceStrings()), size: 12)
    }

    /// The keys used by `t(…)` in `source` (Swift text), for the test that each has words.
    static func keys(inSource source: String) -> Set<String> {
        let pattern = #/(?:FigureText\.|[^\w.])t\(\s*"([A-Za-z0-9_]+)"/#
        return Set(source.matches(of: pattern).map { String($0.output.1) })
    }
}

extension FigureText {
    /// The titles of the methods whose names are words rather than names (Grad-CAM stays Grad-CAM).
    static let methodTitles = [
        "vanilla": t("method_vanilla"), "absolute": t("method_absolute"), "guided": t("method_guided"),
        "deconvnet": t("method_deconvnet"), "guided-gradcam": t("method_guided_gradcam"),
        "input-x-gradient": t("method_input_x_gradient"), "integrated-gradients": t("method_integrated_gradients"),
        "lrp-composite": t("method_lrp_composite"), "occlusion": t("method_occlusion"), "random": t("method_random"),
        "edge": t("method_edge"), "image": t("method_image"),
    ]
}

extension FigureText {
    /// A split's name in the edition's words when it is one of the usual ones.
    static func split(_ name: String) -> String {
        switch name {
        case "test": t("split_test")
        case "train": t("split_train")
        default: name
        }
    }

    /// "Browse the 10,000 test digits".
    static func browse(_ count: Int, split: String, digits: Bool) -> String {
        digits
            ? t("pg_browse_digits", ["count": count.grouped, "split": Self.split(split)])
            : t("pg_browse_images", ["count": count.grouped, "split": Self.split(split)])
    }
}
