import CNN
import Common
import Foundation
import Render

/// Which images a directive shows: `test[3]`, `test[0:8]`, `train[0:4]`,
/// `test.class(7)[0:4]`, `val.class(cat)[0:4]`, `test.misclassified[0:8]`, or a PNG or
/// JPEG path relative to the content folder (`images/my-digit.png`). A split is any of the
/// dataset's (`train`, `test`, `val`, …), checked when the data is read.
public enum ImageSelector: Sendable, Equatable, CustomStringConvertible {
    public enum Filter: Sendable, Equatable {
        case all
        case label(Int)
        /// A class by name (`class(cat)`), as the sidecar or the dataset names classes.
        case className(String)
        case misclassified
    }

    case dataset(String, Filter, Range<Int>)
    /// A PNG or JPEG file, relative to the content folder, and how it becomes model input (nil:
    /// the model's standard, `ImagePreparation.standard(forInput:)`).
    case file(String, ImagePreparation?)

    public var description: String {
        switch self {
        case let .dataset(split, filter, range):
            let f: String =
                switch filter {
                case .all: ""
                case .label(let k): ".class(\(k))"
                case .className(let name): ".class(\(name))"
                case .misclassified: ".misclassified"
                }
            let r = range.count == 1 ? "[\(range.lowerBound)]" : "[\(range.lowerBound):\(range.upperBound)]"
            return split + f + r
        case .file(let path, _): return path
        }
    }

    /// How many images the selector picks.
    public var count: Int {
        if case .dataset(_, _, let range) = self { return range.count }
        return 1
    }

    /// Splits `a[0:2], b[3]` at the commas outside brackets.
    public static func splitList(_ text: String) -> [String] {
        var parts: [String] = [], current = "", depth = 0
        for ch in text {
            if ch == "[" || ch == "(" { depth += 1 } else if ch == "]" || ch == ")" { depth -= 1 }
            if ch == "," && depth == 0 { parts.append(current); current = "" } else { current.append(ch) }
        }
        parts.append(current)
        return parts.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Parses one selector; `classes` bounds `class(k)`. `class(x)` is the class named `x`
    /// when `names` has it, else class number `x`; without `names`, a name that is not a
    /// number is looked up when the data is read.
    public static func parse(
        _ text: String, classes: Int, names: [String]? = nil, limit: Int = 256
    ) -> Result<ImageSelector, SelectorError> {
        let t = text.trimmingCharacters(in: .whitespaces)
        if ImageFile.extensions.contains(t.fileExtension.lowercased()) { return .success(.file(t, nil)) }
        var rest = Substring(t)
        let split = String(rest.prefix { $0.isLetter || $0.isNumber || $0 == "_" || $0 == "-" })
        guard let first = split.first, first.isLetter,
            rest.dropFirst(split.count).first.map({ "[.".contains($0) }) == true
        else {
            return .failure(
                SelectorError(
                    "unknown image selector '\(t)'; expected a split and an index such as test[3], train[0:8] or "
                        + "val.class(cat)[0:4], or a .png or .jpg path",
                    suggestion: nearestName(to: t, in: ["test[0]", "train[0]"])))
        }
        rest = rest.dropFirst(split.count)
        var filter = Filter.all
        if rest.hasPrefix(".misclassified") {
            filter = .misclassified
            rest = rest.dropFirst(".misclassified".count)
        } else if rest.hasPrefix(".class(") {
            rest = rest.dropFirst(".class(".count)
            guard let close = rest.firstIndex(of: ")"),
                case let name = rest[..<close].trimmingCharacters(in: .whitespaces), !name.isEmpty
            else {
                return .failure(
                    SelectorError(
                        "expected a class number or name in '\(t)', as in test.class(7)[0:4] or val.class(cat)[0:4]"))
            }
            if names?.contains(name) == true {
                filter = .className(name)
            } else if let k = Int(name) {
                guard (0..<classes).contains(k) else {
                    return .failure(
                        SelectorError(
                            "class \(k) is out of range in '\(t)'; the model has classes 0…\(classes - 1)"
                                + (names.map { " (\($0.joined(separator: ", ")))" } ?? "")))
                }
                filter = .label(k)
            } else if let names {
                return .failure(
                    SelectorError(
                        "no class '\(name)' in '\(t)'; the classes are \(names.joined(separator: ", "))",
                        suggestion: nearestName(to: name, in: names).map { t.replacingOccurrences(of: name, with: $0) })
                )
            } else {
                filter = .className(name)
            }
            rest = rest[rest.index(after: close)...]
        } else if rest.hasPrefix(".") {
            let word = rest.dropFirst().prefix { $0 != "[" && $0 != "(" }
            return .failure(
                SelectorError(
                    "unknown filter '.\(word)' in '\(t)'; expected .class(k) or .misclassified",
                    suggestion: nearestName(to: String(word), in: ["class", "misclassified"]).map { "\(split).\($0)" }))
        }
        guard rest.hasPrefix("["), rest.hasSuffix("]") else {
            return .failure(
                SelectorError(
                    "expected an index or a range after '\(split)', as in \(split)[3] or \(split)[0:8]; found '\(t)'"))
        }
        let inner = rest.dropFirst().dropLast()
        let parts = inner.split(separator: ":", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard (1...2).contains(parts.count), let a = Int(parts[0]), a >= 0 else {
            return .failure(SelectorError("expected [index] or [start:end] with whole numbers in '\(t)'"))
        }
        if parts.count == 1 { return .success(.dataset(split, filter, a..<(a + 1))) }
        guard let b = Int(parts[1]), b > a else {
            return .failure(SelectorError("the range in '\(t)' is empty; [start:end] needs end > start"))
        }
        guard b - a <= limit else {
            return .failure(SelectorError("'\(t)' selects \(b - a) images; at most \(limit.grouped) per figure"))
        }
        return .success(.dataset(split, filter, a..<b))
    }
}

/// Why a selector was rejected, placed at the option by the caller.
public struct SelectorError: Error, Sendable {
    public let message: String
    public let suggestion: String?
    init(_ message: String, suggestion: String? = nil) {
        self.message = message
        self.suggestion = suggestion
    }
}

extension DirectiveOptions {
    /// The `preprocess` option, beside every `images` option: how PNG files become input.
    static let preprocess = DirectiveOption(
        "preprocess", "one of \(ImagePreparation.allCases.map(\.rawValue).joined(separator: ", "))",
        default: "mnist for 28×28×1 models, else resize",
        "How PNG files become model input. mnist: background to 0, the ink cropped, fitted into 20×20 keeping its "
            + "aspect ratio and centred by mass in 28×28, as MNIST's digits were; resize: the whole picture "
            + "area-averaged "
            + "to the input size. Both invert dark ink on light paper.")
    static let preprocessSpec = preprocess.spec

    /// The `images` option: one selector or a list of them, parsed and checked, PNG files
    /// carrying the `preprocess` option.
    public func images(
        _ name: String = "images", default value: String, classes: Int, limit: Int = 256
    ) throws(SourceError) -> [ImageSelector] {
        let preparation = try mapping[Self.preprocess.name].map { (node) throws(SourceError) in
            try node.choice(ImagePreparation.self)
        }
        return try selectors(name, default: value, classes: classes, limit: limit).map {
            if case .file(let path, _) = $0 { .file(path, preparation) } else { $0 }
        }
    }

    private func selectors(
        _ name: String, default value: String, classes: Int, limit: Int
    ) throws(SourceError) -> [ImageSelector] {
        guard let node = mapping[name] else {
            guard case .success(let s) = ImageSelector.parse(value, classes: classes, names: classNames, limit: limit)
            else {
                return []
            }
            if case .file(let path, _) = s, let checkPicture { try checkPicture(path, location) }
            return [s]
        }
        let items: [YAMLValue] = if case .sequence = node.node { try node.list() } else { [node] }
        guard !items.isEmpty else { throw node.error("\(name) needs at least one image selector") }
        var result: [ImageSelector] = []
        for item in items {
            // `test[0:3], train[5]` on one line: YAML's flow lists cannot hold brackets unquoted.
            for text in ImageSelector.splitList(try item.string()) {
                switch ImageSelector.parse(text, classes: classes, names: classNames, limit: limit) {
                case .success(let s):
                    if case .dataset(let split, _, _) = s, let known = splitNames,
                        !known.contains(split)
                            && !(split == "test" && ImageDataset.evaluationSplit(among: known) != nil)
                    {
                        let suggestion = nearestName(to: split, in: known).map {
                            text.replacingCharacters(in: text.range(of: split)!, with: $0)
                        }
                        throw item.error(
                            "unknown image selector '\(text)': the data has no split '\(split)'; it has "
                                + known.joined(separator: ", "), suggestion: suggestion)
                    }
                    if case .file(let path, _) = s, let checkPicture { try checkPicture(path, item.location) }
                    if case .dataset(let split, .all, let range) = s, let known = splitNames,
                        let name = known.contains(split) ? split : ImageDataset.evaluationSplit(among: known),
                        let count = splitCounts?[name], range.upperBound > count
                    {
                        throw item.error(
                            "image selector '\(text)' is out of range: it selects up to index \(range.upperBound - 1) "
                                + "but only \(count) image\(count == 1 ? "" : "s") match (0…\(count - 1))")
                    }
                    result.append(s)
                case .failure(let e): throw item.error(e.message, suggestion: e.suggestion)
                }
            }
        }
        guard result.reduce(0, { $0 + $1.count }) <= limit else {
            throw node.error("\(name) selects more than \(limit.grouped) images; at most \(limit.grouped) per figure")
        }
        return result
    }
}
