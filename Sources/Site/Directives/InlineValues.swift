import Common
import CNN
import Explain
import Foundation
import Synchronization

/// Numbers a lesson quotes in its prose, computed by the build so they never go stale:
/// `{{test_accuracy}}` in a lesson becomes `98.51%`. Tokens inside code are left alone.
struct InlineValues: Directive {
    static let name = "values"
    static let summary = "Computed numbers for the prose."
    static let options: [OptionSpec] = []
    static let example = ""

    /// The names a lesson can use, with what each means (for the authoring guide).
    static let names: [(name: String, meaning: String)] = [
        ("test_accuracy", "accuracy on the 10,000 test digits, as a percentage"),
        ("test_error_rate", "the share of test digits misclassified, as a percentage"),
        ("misclassified", "how many test digits are misclassified"),
        ("test_loss", "mean cross-entropy on the test set"),
        ("test_images", "the number of test images"),
        ("train_images", "the number of training images"),
        ("parameters", "the model's parameter count"),
        ("multiply_accumulates", "multiply-accumulates of one forward pass"),
        ("epochs", "training epochs"),
        ("model", "the model's name"),
    ]

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {}
    var caption: String { "" }
    var alt: String { "" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let (_, set, evaluation) = try context.heldOut()
        let data = try context.data.get()
        let n = evaluation.predictions.count
        let wrong = zip(evaluation.predictions, set.labels).filter { $0 != $1 }.count
        let values: [String: QuotedValue] = [
            "test_accuracy": .number(evaluation.accuracy * 100, decimals: 2, percent: true),
            "test_error_rate": .number(Double(wrong) / Double(max(n, 1)) * 100, decimals: 2, percent: true),
            "misclassified": .number(Double(wrong)),
            "test_loss": .number(evaluation.loss, decimals: 4),
            "test_images": .number(Double(set.count)),
            "train_images": .number(Double(data.splitNames.contains("train") ? try data.inputs("train").count : 0)),
            "parameters": .number(Double(context.model.parameters.parameterCount)),
            "multiply_accumulates": .number(Double(context.model.multiplyAccumulates)),
            "epochs": .number(Double(context.trainingLog?.count ?? context.model.training.epochs), grouped: false),
            "model": QuotedValue(text: context.model.name),
        ]
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (String(decoding: try encoder.encode(values), as: UTF8.self), [])
    }

    /// The values a values figure computed, as `language` writes them.
    static func decode(_ body: String, language: String) -> [String: String]? {
        guard let values = try? JSONDecoder().decode([String: QuotedValue].self, from: Data(body.utf8)) else {
            return nil
        }
        return values.mapValues { $0.formatted(language: language) }
    }

    /// The `{{name}}` tokens of a Markdown text outside code, with their line and column.
    static func tokens(in text: String, lineOffset: Int) -> [(name: String, line: Int, column: Int)] {
        guard text.contains("{{") else { return [] }
        var result: [(String, Int, Int)] = []
        var inFence = false
        let tick = UInt8(ascii: "`"), tilde = UInt8(ascii: "~"), brace = UInt8(ascii: "{")
        for (i, line) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let bytes = Array(line)
            let start = bytes.firstIndex { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\t") } ?? bytes.count
            if bytes.count >= start + 3, bytes[start] == tick || bytes[start] == tilde,
                bytes[start + 1] == bytes[start], bytes[start + 2] == bytes[start]
            {
                inFence.toggle()
                continue
            }
            if inFence || !bytes.contains(brace) { continue }
            var inCode = false
            var index = 0
            while index < bytes.count {
                if bytes[index] == tick { inCode.toggle() }
                if !inCode, bytes[index] == brace, index + 1 < bytes.count, bytes[index + 1] == brace,
                    let close = HTMLBytes.find(braceClose, in: bytes, from: index + 2)
                {
                    let name = String(decoding: bytes[(index + 2)..<close], as: UTF8.self).trimmingCharacters(
                        in: .whitespaces)
                    let column = String(decoding: bytes[..<index], as: UTF8.self).count + 1
                    result.append((name, i + 1 + lineOffset, column))
                    index = close + 2
                    continue
                }
                index += 1
            }
        }
        return result
    }

    /// Replaces `{{name}}` (or `{{ name }}`) in HTML outside `<code>` and `<pre>` with the
    /// values, escaped as text (or, with `escaping` false, as they are: HTML such as a figure
    /// link). One pass over the page, whatever the number of values: a page quoting hundreds
    /// of them had taken a pass per value.
    static func substitute(_ html: String, values: [String: String], escaping: Bool = true) -> String {
        guard !values.isEmpty, html.contains("{{") else { return html }
        return rewriteTokens(html) { inner in
            let name = String(decoding: inner, as: UTF8.self)
            var value = values[name]
            if value == nil, name.count > 2, name.hasPrefix(" "), name.hasSuffix(" ") {
                value = values[String(name.dropFirst().dropLast())]
            }
            return value.map { escaping ? HTML.escape($0) : $0 }
        }
    }

    /// The names of the `{{name}}` tokens of HTML outside `<code>` and `<pre>`, trimmed.
    static func tokenNames(inHTML html: String) -> [String] {
        guard html.contains("{{") else { return [] }
        var names: [String] = []
        _ = rewriteTokens(html) { inner in
            names.append(String(decoding: inner, as: UTF8.self).trimmingCharacters(in: .whitespaces))
            return nil
        }
        return names
    }

    /// `html` with each `{{…}}` outside `<code>` and `<pre>` replaced by what `replacement`
    /// gives for the bytes between the braces (left as it is for nil), in one pass.
    private static func rewriteTokens(_ html: String, _ replacement: (ArraySlice<UInt8>) -> String?) -> String {
        let bytes = Array(html.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if let end = HTMLBytes.codeEnd(bytes, at: i) {
                out.append(contentsOf: bytes[i..<end])
                i = end
                continue
            }
            if byte == UInt8(ascii: "{"), i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: "{"),
                let close = HTMLBytes.find(braceClose, in: bytes, from: i + 2), close - i < 400,
                let value = replacement(bytes[(i + 2)..<close])
            {
                out.append(contentsOf: value.utf8)
                i = close + 2
                continue
            }
            out.append(byte)
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let braceClose = Array("}}".utf8)

}

/// A value prose quotes: a number (shown with the edition's digits grouping, decimal sign
/// and percent sign) or a text.
struct QuotedValue: Codable, Equatable {
    var number: Double?
    var decimals: Int?
    var percent: Bool?
    var grouped: Bool?
    var text: String?

    static func number(_ value: Double, decimals: Int = 0, percent: Bool = false, grouped: Bool = true) -> QuotedValue {
        QuotedValue(number: value, decimals: decimals, percent: percent ? true : nil, grouped: grouped ? nil : false)
    }

    func formatted(language: String) -> String {
        guard let number else { return text ?? "" }
        return LocaleNumber(language: language).format(
            number, decimals: decimals ?? 0, percent: percent ?? false, grouped: grouped ?? true)
    }
}

/// Numbers as a language writes them: its decimal sign, digit grouping and percent sign
/// (`98.51%`, German `98,51 %`, French `98,51 %`), from the platform's locale data.
struct LocaleNumber: Sendable {
    let decimalSeparator: String
    let groupingSeparator: String
    /// A percentage's pattern, `#` standing for the number (`#%`, `# %`, `%#`).
    let percentPattern: String

    /// Each language's conventions, read from the locale data once per run (a formatter is
    /// slow to make, and a page quotes hundreds of numbers).
    private static let known = Mutex<[String: LocaleNumber]>([:])

    init(language: String) {
        if let known = Self.known.withLock({ $0[language] }) {
            self = known
            return
        }
        self.init(reading: language)
        let made = self
        Self.known.withLock { $0[language] = made }
    }

    private init(reading language: String) {
        let locale = Locale(identifier: language)
        decimalSeparator = locale.decimalSeparator ?? "."
        groupingSeparator = locale.groupingSeparator ?? ","
        let formatter = NumberFormatter()
        formatter.locale = locale
        formatter.numberStyle = .percent
        let fifty = formatter.string(from: 0.5) ?? "50%"
        percentPattern = fifty.contains("50") ? fifty.replacingOccurrences(of: "50", with: "#") : "#%"
    }

    /// `value` with `decimals` digits after the decimal sign (rounded half away from zero,
    /// like `%.*f`), grouped in thousands, as a percentage if asked.
    func format(_ value: Double, decimals: Int, percent: Bool = false, grouped: Bool = true) -> String {
        let plain = String(format: "%.\(decimals)f", value)
        let negative = plain.hasPrefix("-")
        let digits = negative ? String(plain.dropFirst()) : plain
        let parts = digits.split(separator: ".", maxSplits: 1).map(String.init)
        var whole = parts[0]
        if grouped && whole.count > 3 {
            var groups: [String] = []
            while whole.count > 3 {
                groups.insert(String(whole.suffix(3)), at: 0)
                whole.removeLast(3)
            }
            whole = ([whole] + groups).joined(separator: groupingSeparator)
        }
        let number = (negative ? "-" : "") + whole + (parts.count > 1 ? decimalSeparator + parts[1] : "")
        return percent ? percentPattern.replacingOccurrences(of: "#", with: number) : number
    }
}
