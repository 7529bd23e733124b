import Common
import Foundation
import Yams

/// One option a directive accepts, as the directive reference documents it.
public struct OptionSpec: Sendable {
    public let name: String
    /// The type as the reference shows it (`integer`, `image selector`, `one of …`).
    public let type: String
    /// The default, as YAML; nil for a required option.
    public let defaultValue: String?
    public let doc: String

    public init(_ name: String, _ type: String, default defaultValue: String?, _ doc: String) {
        self.name = name
        self.type = type
        self.defaultValue = defaultValue
        self.doc = doc
    }

    /// Options every directive takes.
    public static let common = [
        CommonOption.caption, CommonOption.alt, CommonOption.label, CommonOption.layout, CommonOption.model,
        CommonOption.data,
    ].map(\.spec)
}

/// A directive's YAML options with typed accessors; every error points at the option's
/// line and column in the lesson and names what was expected.
public struct DirectiveOptions {
    public let directive: String
    public let mapping: YAMLMapping
    /// Where the directive's fence is.
    public let location: SourceLocation
    /// The splits of the data the directive selects from, when known before the build
    /// runs (then a selector naming another split is an error at its option).
    var splitNames: [String]?
    /// How many images each split holds, when known before the build runs (then a selector
    /// past a split's end is an error at its option).
    var splitCounts: [String: Int]?
    /// The names of the model's classes, when known before the build runs: `class(cat)`
    /// and `class(180)` select by name.
    var classNames: [String]?
    /// Checks a picture an image selector names (`images/seven.png`), as the build will
    /// read it, at the option's place: set by the build's plan, so `check` finds a missing,
    /// unreadable or escaping file before anything runs.
    var checkPicture: ((_ path: String, _ at: SourceLocation) throws(SourceError) -> Void)?
    /// The spec of the model the directive runs on, as site.yml, the front matter or its
    /// `model:` option names it: errors about the model's layers say which model they searched.
    var modelPath: String?

    /// Parses `body` (the YAML between the fences) and rejects unknown option names.
    init(
        directive: String, body: String, specs: [OptionSpec], file: String, fenceLine: Int, column: Int
    ) throws(SourceError) {
        self.directive = directive
        location = SourceLocation(file: file, line: fenceLine, column: column)
        let value = try YAMLValue.parse(body, file: file, lineOffset: fenceLine)
        if case .scalar(let s) = value.node, s.string.isEmpty {
            mapping = try YAMLValue(node: .mapping(Node.Mapping([])), file: file, lineOffset: fenceLine).mapping()
        } else {
            mapping = try value.mapping()
        }
        let names = (specs + OptionSpec.common).map(\.name)
        for (key, _) in mapping.entries {
            let name = try key.string()
            if !names.contains(name) {
                throw key.error(
                    "unknown option '\(name)' for directive '\(directive)'; expected one of "
                        + "\(names.joined(separator: ", "))",
                    suggestion: nearestName(to: name, in: names))
            }
        }
    }

    public subscript(name: String) -> YAMLValue? { mapping[name] }

    /// Where option `name` is written, or the fence when it is absent.
    public func location(of name: String) -> SourceLocation { mapping[name]?.location ?? location }

    public func error(_ message: String, option: String, suggestion: String? = nil) -> SourceError {
        SourceError(message, at: location(of: option), suggestion: suggestion)
    }

    public func string(_ name: String) throws(SourceError) -> String? { try mapping[name]?.string() }
    public func string(_ name: String, default value: String) throws(SourceError) -> String {
        try string(name) ?? value
    }

    public func int(_ name: String, default value: Int, in range: ClosedRange<Int>) throws(SourceError) -> Int {
        guard let node = mapping[name] else { return value }
        let n = try node.int()
        guard range.contains(n) else {
            throw node.error("\(name) must be between \(range.lowerBound) and \(range.upperBound), found \(n)")
        }
        return n
    }

    public func double(
        _ name: String, default value: Double, in range: ClosedRange<Double>
    ) throws(SourceError) -> Double {
        guard let node = mapping[name] else { return value }
        let x = try node.double()
        guard range.contains(x) else {
            throw node.error("\(name) must be between \(range.lowerBound) and \(range.upperBound), found \(x)")
        }
        return x
    }

    public func bool(_ name: String, default value: Bool) throws(SourceError) -> Bool {
        try mapping[name]?.bool() ?? value
    }

    /// One of `choices`; an unknown value suggests the nearest.
    public func choice(_ name: String, from choices: [String], default value: String) throws(SourceError) -> String {
        guard let node = mapping[name] else { return value }
        let text = try node.string()
        guard choices.contains(text) else {
            throw node.error(
                "unknown \(name) '\(text)'; expected one of \(choices.joined(separator: ", "))",
                suggestion: nearestName(to: text, in: choices))
        }
        return text
    }

    /// A list of strings from `choices`; a single string is a list of one.
    public func choices(_ name: String, from choices: [String], default value: [String]) throws(SourceError) -> [String]
    {
        guard let node = mapping[name] else { return value }
        let items: [YAMLValue] = if case .sequence = node.node { try node.list() } else { [node] }
        guard !items.isEmpty else { throw node.error("\(name) needs at least one value") }
        var result: [String] = []
        for item in items {
            let text = try item.string()
            guard choices.contains(text) else {
                throw item.error(
                    "unknown \(name) value '\(text)'; expected one of \(choices.joined(separator: ", "))",
                    suggestion: nearestName(to: text, in: choices))
            }
            result.append(text)
        }
        return result
    }

    /// A list of integers in `range`; a single integer is a list of one.
    public func ints(_ name: String, default value: [Int], in range: ClosedRange<Int>) throws(SourceError) -> [Int] {
        guard let node = mapping[name] else { return value }
        let items: [YAMLValue] = if case .sequence = node.node { try node.list() } else { [node] }
        guard !items.isEmpty else { throw node.error("\(name) needs at least one value") }
        var result: [Int] = []
        for item in items {
            let n = try item.int()
            guard range.contains(n) else {
                throw item.error(
                    "\(name) value \(n) is out of range; expected \(range.lowerBound)…\(range.upperBound)")
            }
            result.append(n)
        }
        return result
    }
}

/// The options every directive takes.
enum CommonOption {
    static let caption = DirectiveOption(
        "caption", "string", default: nil,
        "The figure's caption (Markdown-free text). A descriptive default is generated.")
    static let alt = DirectiveOption(
        "alt", "string", default: nil, "Alt text for the figure's images. Generated from the options by default.")
    static let label = DirectiveOption(
        "label", "name (letters, digits, - and _)", default: nil,
        "A name prose refers to the figure by: {{fig:name}} in any lesson becomes a link \"Figure N\" to it, and the "
            + "figure's id becomes fig-name.")
    static let layout = DirectiveOption(
        "layout", "body | page | screen", default: "fits its content",
        "How wide the figure may be on a wide screen: body keeps it to the text column, page lets it use the width "
            + "of the page beside the text (the table of contents' column included), screen the whole width left of "
            + "the sidebar. By default a figure wider than the text column takes the page width, and only what is "
            + "wider still scrolls.")
    /// The layout tiers, as Distill names them (`l-body`, `l-page`, `l-screen`).
    static let layouts = ["body", "page", "screen"]
    static let model = DirectiveOption(
        "model", "path", default: "site.yml's model",
        "The model to use, relative to the content folder: a spec (.yml) or a model file (.onnx, .keras, .h5) with its "
            + "optional sidecar (FILE.yml).")
    static let data = DirectiveOption(
        "data", "path", default: "site.yml's data",
        "The dataset images are selected from and the model is evaluated (and trained) on, relative to the content "
            + "folder: MNIST's IDX files, CIFAR-10's binary batches or an image folder (<split>/<class>/*.png|jpg).")
}
