import Common
import Foundation

/// A number of a labelled figure's raw values, quoted in prose so that it cannot go stale:
/// `{{fig:table.methods.lrp.ROAD.mean}}`, `{{fig:sanity.methods[0].ink | 1%}}`,
/// `{{fig:table.methods.lrp.ROAD | ± ci95 3}}`. The figure's label comes first, then a path
/// into its raw values (the JSON linked under it: keys after `.`, array elements as `[n]`,
/// or in an array of objects the one with a field that is `value` as `[value]`, the first
/// whose field `key` is `value` as `[key=value]`),
/// then, after `|` (`\|` in a table cell), how to write it:
///
/// - `3`: three decimals;
/// - `1%`: a percentage with one decimal (0.923 → 92.3%);
/// - `± std 3`, `± ci95 3`: an object's `mean` ± its `std` (or `ci95`), three decimals each;
/// - nothing: a whole number whole, any other with three decimals; a text as it is.
///
/// Each edition writes the number with its language's decimal sign and grouping.
struct ProseValue: Equatable, Sendable {
    enum Step: Equatable, Sendable {
        case key(String)
        case index(Int)
        /// The element of an array of objects whose `key` is `value` (`methods[method=lrp]`), or,
        /// with no key, the one element with some field that is `value` (`methods[lrp]`).
        case match(key: String?, value: String)
    }

    enum Format: Equatable, Sendable {
        case automatic
        case decimals(Int)
        case percent(Int)
        /// `mean` ± the named key, with decimals.
        case spread(String, Int)
    }

    let label: String
    let path: [Step]
    let format: Format

    /// What is wrong with a token or its value, and the token the author may have meant.
    struct Problem: Error, Equatable {
        let message: String
        var suggestion: String? = nil
    }

    /// Parses the text after `fig:`: nil for a label alone (a link to the figure). A name of
    /// `shorthands` in the label's place stands for the label and path it expands to.
    static func parse(_ text: String, shorthands: [String: String] = [:]) throws(Problem) -> ProseValue? {
        // In a Markdown table a cell's `|` is written `\|`.
        let text = text.replacingOccurrences(of: "\\|", with: "|")
        let parts = text.split(separator: "|", maxSplits: 1, omittingEmptySubsequences: false)
        let head = parts[0].trimmingCharacters(in: .whitespaces)
        let labelEnd = head.firstIndex { $0 == "." || $0 == "[" } ?? head.endIndex
        let label = String(head[..<labelEnd])
        if let expansion = shorthands[label] {
            let format = parts.count > 1 ? " |" + parts[1] : ""
            return try parse(expansion + head[labelEnd...] + format)
        }
        if labelEnd == head.endIndex {
            guard parts.count == 1 else {
                throw Problem(
                    message: "'{{fig:\(text)}}' gives a format but no value: write the path to a number "
                        + "of the figure's raw values after its label, as in '{{fig:\(label).path.to.value | 3}}'")
            }
            return nil
        }
        let path = try steps(head[labelEnd...], token: text)
        let format = try parts.count > 1 ? Self.format(parts[1].trimmingCharacters(in: .whitespaces)) : .automatic
        return ProseValue(label: label, path: path, format: format)
    }

    private static func steps(_ text: Substring, token: String) throws(Problem) -> [Step] {
        var steps: [Step] = [], rest = text
        while let first = rest.first {
            if first == "[" {
                guard let close = rest.firstIndex(of: "]") else {
                    throw Problem(message: "'\(token)': '[' without its ']'")
                }
                let inside = rest[rest.index(after: rest.startIndex)..<close]
                if let equals = inside.firstIndex(of: "=") {
                    let key = inside[..<equals].trimmingCharacters(in: .whitespaces)
                    let value = inside[inside.index(after: equals)...].trimmingCharacters(in: .whitespaces)
                    guard !key.isEmpty, !value.isEmpty else {
                        throw Problem(message: "'\(token)': an element is chosen by [key=value]")
                    }
                    steps.append(.match(key: key, value: value))
                } else if let index = Int(inside.trimmingCharacters(in: .whitespaces)) {
                    guard index >= 0 else {
                        throw Problem(message: "'\(token)': an array element is written [n], n a whole number from 0")
                    }
                    steps.append(.index(index))
                } else {
                    let value = inside.trimmingCharacters(in: .whitespaces)
                    guard !value.isEmpty else { throw Problem(message: "'\(token)' has an empty [] in its path") }
                    steps.append(.match(key: nil, value: value))
                }
                rest = rest[rest.index(after: close)...]
            } else if first == "." {
                let body = rest.dropFirst()
                let end = body.firstIndex { $0 == "." || $0 == "[" } ?? body.endIndex
                let key = body[..<end].trimmingCharacters(in: .whitespaces)
                guard !key.isEmpty else { throw Problem(message: "'\(token)' has an empty key in its path") }
                steps.append(Int(key).map(Step.index) ?? .key(key))
                rest = body[end...]
            } else {
                throw Problem(message: "'\(token)': after ']' comes '.' or '['")
            }
        }
        return steps
    }

    private static func format(_ text: String) throws(Problem) -> Format {
        if text.isEmpty { return .automatic }
        if let decimals = Int(text), (0...9).contains(decimals) { return .decimals(decimals) }
        if text.hasSuffix("%"), let decimals = Int(text.dropLast()), (0...9).contains(decimals) {
            return .percent(decimals)
        }
        for sign in ["±", "+-"] where text.hasPrefix(sign) {
            let words = text.dropFirst(sign.count).split(separator: " ")
            if words.count == 2, ["std", "ci95"].contains(words[0]), let decimals = Int(words[1]),
                (0...9).contains(decimals)
            {
                return .spread(String(words[0]), decimals)
            }
        }
        throw Problem(
            message: "unknown format '\(text)'; write a number of decimals ('3'), a percentage ('1%'), "
                + "or a mean with its spread ('± std 3', '± ci95 3')")
    }

    /// The path as the author writes it (`.methods.lrp.ROAD[0]`).
    var pathText: String { Self.text(path[...]) }

    private static func text(_ steps: ArraySlice<Step>) -> String {
        steps.map { step in
            switch step {
            case .key(let key): ".\(key)"
            case .index(let index): "[\(index)]"
            case .match(let key?, let value): "[\(key)=\(value)]"
            case .match(nil, let value): "[\(value)]"
            }
        }.joined()
    }

    /// The value at the path in `json` (a figure's raw values), written for `language`.
    func text(in json: JSONValue, language: String) throws(Problem) -> String {
        let written = try plainText(in: json, language: language)
        guard written.hasPrefix("-") else { return written }
        // A minus sign, not a hyphen, before a negative number (its spread is never negative);
        // none before one that rounds to zero (−0.00).
        let digits = written.dropFirst().prefix { $0 != " " }
        return digits.contains { ("1"..."9").contains($0) } ? "−" + written.dropFirst() : String(written.dropFirst())
    }

    private func plainText(in json: JSONValue, language: String) throws(Problem) -> String {
        let value = try lookUp(json)
        let number = LocaleNumber(language: language)
        func numeric(_ value: JSONValue, _ name: String) throws(Problem) -> Double {
            guard case .number(let n) = value else {
                throw Problem(message: "'\(label)\(name)' is \(Self.describe(value)), not a number")
            }
            return n
        }
        switch format {
        case .automatic:
            if let text = value.string { return text }
            let x = try numeric(value, pathText)
            let whole = x.rounded() == x && abs(x) < 1e15
            return number.format(x, decimals: whole ? 0 : 3)
        case .decimals(let decimals):
            return number.format(try numeric(value, pathText), decimals: decimals)
        case .percent(let decimals):
            return number.format(try numeric(value, pathText) * 100, decimals: decimals, percent: true)
        case .spread(let key, let decimals):
            guard let mean = value["mean"], let spread = value[key] else {
                throw Problem(
                    message: "'\(label)\(pathText)' is \(Self.describe(value)); '± \(key)' needs an object with "
                        + "'mean' and '\(key)'")
            }
            return number.format(try numeric(mean, pathText + ".mean"), decimals: decimals) + " ± "
                + number.format(try numeric(spread, pathText + "." + key), decimals: decimals)
        }
    }

    /// Follows the path, saying where it leaves the JSON and what was there instead.
    private func lookUp(_ json: JSONValue) throws(Problem) -> JSONValue {
        var value = json, walked = ""
        for (i, step) in path.enumerated() {
            switch step {
            case .key(let key):
                guard case .object(let object) = value else {
                    throw Problem(message: "'\(label)\(walked)' is \(Self.describe(value)); it has no key '\(key)'")
                }
                guard let next = object[key] else {
                    let keys = object.keys.sorted()
                    let shown = keys.prefix(12).joined(separator: ", ") + (keys.count > 12 ? ", …" : "")
                    throw Problem(
                        message: "figure '\(label)' has no '\(key)' in its raw values at '\(label)\(walked)', "
                            + "which holds \(shown)",
                        suggestion: nearestName(to: key, in: keys).map {
                            "{{fig:\(label)\(walked).\($0)\(Self.text(path[(i + 1)...]))}}"
                        })
                }
                value = next
                walked += ".\(key)"
            case .index(let index):
                guard case .array(let array) = value else {
                    throw Problem(message: "'\(label)\(walked)' is \(Self.describe(value)), not an array")
                }
                guard index < array.count else {
                    throw Problem(
                        message: "'\(label)\(walked)' has \(array.count) elements; [\(index)] is past its end")
                }
                value = array[index]
                walked += "[\(index)]"
            case .match(let key, let wanted):
                guard case .array(let array) = value else {
                    throw Problem(message: "'\(label)\(walked)' is \(Self.describe(value)), not an array")
                }
                let objects = array.map { element -> [String: JSONValue] in
                    if case .object(let fields) = element { return fields }
                    return [:]
                }
                let matching = objects.indices.filter { i in
                    if let key { return objects[i][key].map(Self.plain) == wanted }
                    return objects[i].values.contains { $0.string == wanted }
                }
                // What the elements could be chosen by: the field asked for, else each one's first text.
                let names = objects.compactMap { object in
                    key.map { object[$0].map(Self.plain) }
                        ?? object.keys.sorted().lazy.compactMap { object[$0]?.string }.first
                }
                let step = key.map { "[\($0)=\(wanted)]" } ?? "[\(wanted)]"
                guard let position = matching.first else {
                    throw Problem(
                        message: "no element of '\(label)\(walked)' "
                            + (key.map { "has \($0) \(wanted)" } ?? "holds '\(wanted)'")
                            + (names.isEmpty ? "" : "; there are \(names.joined(separator: ", "))"),
                        suggestion: nearestName(to: wanted, in: names).map { near in
                            "{{fig:\(label)\(walked)\(key.map { "[\($0)=\(near)]" } ?? "[\(near)]")"
                                + "\(Self.text(path[(i + 1)...]))}}"
                        })
                }
                guard key != nil || matching.count == 1 else {
                    throw Problem(
                        message: "\(matching.count) elements of '\(label)\(walked)' hold '\(wanted)'; "
                            + "name the field, as [field=\(wanted)]")
                }
                value = array[position]
                walked += step
            }
        }
        if value == .null {
            throw Problem(message: "'\(label)\(walked)' is null: the value does not apply to this figure")
        }
        return value
    }

    /// A JSON scalar as `[key=value]` writes it.
    private static func plain(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): text
        case .bool(let flag): flag ? "true" : "false"
        case .number(let n): n.rounded() == n && abs(n) < 1e15 ? String(Int(n)) : "\(n)"
        case .null, .array, .object: ""
        }
    }

    private static func describe(_ value: JSONValue) -> String {
        switch value {
        case .object: "an object"
        case .array: "an array"
        case .string: "a text"
        case .null: "null"
        case .bool: "true or false"
        case .number: "a number"
        }
    }

    /// A figure's raw values (the JSON linked under it as "raw values"), parsed; nil when it has none.
    static func rawValues(of figure: Figure) -> JSONValue? {
        let label = FigureText.t("raw_values")
        guard let link = figure.links.first(where: { $0.label == label && $0.path.hasSuffix(".json") }),
            let file = figure.files.first(where: { $0.path == link.path })
        else { return nil }
        return try? JSONValue.parse(file.data)
    }
}
