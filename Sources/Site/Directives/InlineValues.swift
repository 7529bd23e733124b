import Common
import CNN
import Explain
import Foundation

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
        let values: [String: String] = [
            "test_accuracy": String(format: "%.2f%%", evaluation.accuracy * 100),
            "test_error_rate": String(format: "%.2f%%", Double(wrong) / Double(max(n, 1)) * 100),
            "misclassified": wrong.grouped,
            "test_loss": String(format: "%.4f", evaluation.loss),
            "test_images": set.count.grouped,
            "train_images": (data.splitNames.contains("train") ? try data.inputs("train").count : 0).grouped,
            "parameters": context.model.parameters.count.grouped,
            "multiply_accumulates": context.model.multiplyAccumulates.grouped,
            "epochs": String(context.trainingLog?.count ?? context.model.training.epochs),
            "model": context.model.name,
        ]
        let json = try JSONSerialization.data(withJSONObject: values, options: [.sortedKeys])
        return (String(decoding: json, as: UTF8.self), [])
    }

    /// The `{{name}}` tokens of a Markdown text outside code, with their line and column.
    static func tokens(in text: String, lineOffset: Int) -> [(name: String, line: Int, column: Int)] {
        var result: [(String, Int, Int)] = []
        var inFence = false
        for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { inFence.toggle(); continue }
            if inFence { continue }
            var inCode = false
            var index = line.startIndex
            while index < line.endIndex {
                if line[index] == "`" { inCode.toggle() }
                if !inCode, line[index...].hasPrefix("{{"), let close = line[index...].range(of: "}}") {
                    let name = line[line.index(index, offsetBy: 2)..<close.lowerBound].trimmingCharacters(
                        in: .whitespaces)
                    result.append((name, i + 1 + lineOffset, line.distance(from: line.startIndex, to: index) + 1))
                    index = close.upperBound
                    continue
                }
                index = line.index(after: index)
            }
        }
        return result
    }

    /// Replaces `{{name}}` in HTML outside `<code>` and `<pre>` with the values, escaped as
    /// text (or, with `escaping` false, as they are: HTML such as a figure link).
    static func substitute(_ html: String, values: [String: String], escaping: Bool = true) -> String {
        guard html.contains("{{") else { return html }
        var out = ""
        var rest = Substring(html)
        while let open = rest.range(of: "<code") ?? rest.range(of: "<pre") {
            out += fill(rest[..<open.lowerBound], values, escaping)
            let closing = rest[open.lowerBound...].hasPrefix("<pre") ? "</pre>" : "</code>"
            guard let end = rest[open.lowerBound...].range(of: closing) else {
                out += rest[open.lowerBound...]; return out
            }
            out += rest[open.lowerBound..<end.upperBound]
            rest = rest[end.upperBound...]
        }
        return out + fill(rest, values, escaping)
    }

    private static func fill(_ text: Substring, _ values: [String: String], _ escaping: Bool) -> String {
        var s = String(text)
        for (name, value) in values {
            let shown = escaping ? HTML.escape(value) : value
            s = s.replacingOccurrences(of: "{{\(name)}}", with: shown).replacingOccurrences(
                of: "{{ \(name) }}", with: shown)
        }
        return s
    }
}
