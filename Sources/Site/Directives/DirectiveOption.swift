import CNN
import Explain
import Common
import Render

/// One option of a directive, declared once: its name, type, default and documentation —
/// what the directive reference shows — and the typed readers that parse it, as
/// ArgumentParser's `@Option` does. A directive lists its options' `spec`s and reads each
/// through the same value, so the name is written once and the two cannot drift apart.
///
///     static let scale = DirectiveOption("scale", "integer 1–16", default: "2", "Display pixels per input pixel.")
///     static let options = [scale.spec, …]
///     scale = try Self.scale.int(options, default: 2, in: 1...16)
struct DirectiveOption: Sendable {
    let spec: OptionSpec
    var name: String { spec.name }

    init(_ name: String, _ type: String, default value: String?, _ doc: String) {
        spec = OptionSpec(name, type, default: value, doc)
    }

    func int(_ options: DirectiveOptions, default value: Int, in range: ClosedRange<Int>) throws(SourceError) -> Int {
        try options.int(name, default: value, in: range)
    }

    func ints(
        _ options: DirectiveOptions, default value: [Int], in range: ClosedRange<Int>
    ) throws(SourceError) -> [Int] {
        try options.ints(name, default: value, in: range)
    }

    func double(
        _ options: DirectiveOptions, default value: Double, in range: ClosedRange<Double>
    ) throws(SourceError) -> Double {
        try options.double(name, default: value, in: range)
    }

    func bool(_ options: DirectiveOptions, default value: Bool) throws(SourceError) -> Bool {
        try options.bool(name, default: value)
    }

    func choice(
        _ options: DirectiveOptions, from choices: [String], default value: String
    ) throws(SourceError) -> String {
        try options.choice(name, from: choices, default: value)
    }

    func choices(
        _ options: DirectiveOptions, from choices: [String], default value: [String]
    ) throws(SourceError) -> [String] {
        try options.choices(name, from: choices, default: value)
    }

    func colormap(_ options: DirectiveOptions, default value: String) throws(SourceError) -> Colormap {
        Colormap.named(try options.choice(name, from: Colormap.names, default: value))!
    }

    func string(_ options: DirectiveOptions) throws(SourceError) -> String? {
        try options.string(name)
    }

    /// The images an option selects, at most `limit` of them (256 for a figure that draws
    /// each; more for one that only scores them).
    func images(
        _ options: DirectiveOptions, default value: String, classes: Int, limit: Int = 256
    ) throws(SourceError) -> [ImageSelector] {
        try options.images(name, default: value, classes: classes, limit: limit)
    }

    func layer(
        _ options: DirectiveOptions, model: Model, requirement: LayerRequirement, default value: String?
    ) throws(SourceError) -> String {
        try options.layer(name, model: model, requirement: requirement, default: value)
    }

    /// Where the option is written, or the directive's fence when it is absent.
    func location(in options: DirectiveOptions) -> SourceLocation { options.location(of: name) }
}

/// Options several directives take, each declared here once; a directive that words one
/// differently (its default, its doc) derives it with `documented`.
enum SharedOption {
    static let images = DirectiveOption("images", "image selector or list", default: "test[0:4]", "The images.")
    static let target = DirectiveOption(
        "target", "predicted, true, a class, or a-b", default: "predicted",
        "Whose score to explain (its pre-softmax logit); a-b explains logit a minus logit b, \"why a and not b\".")
    static let layer = DirectiveOption(
        "layer", "layer name", default: "the last block's output with a spatial grid (a plain CNN's last convolution)",
        "The layer of the CAM methods.")
    static let method = DirectiveOption("method", "a method of the catalogue", default: nil, "The attribution method.")
    static let methods = DirectiveOption(
        "methods",
        "list of \(MethodCatalogue.names.joined(separator: ", ")), each optionally followed by "
            + MapModifier.allCases.map { "+" + $0.rawValue }.joined(separator: " or "),
        default: nil, "The methods.")
}

extension DirectiveOption {
    /// The same option with this directive's wording.
    func documented(type: String? = nil, default value: String? = nil, _ doc: String) -> DirectiveOption {
        DirectiveOption(name, type ?? spec.type, default: value ?? spec.defaultValue, doc)
    }

    func target(_ options: DirectiveOptions, classes: Int) throws(SourceError) -> Target {
        try options.target(name, classes: classes)
    }
}
