import Common
import CNN
import Explain
import Foundation
import Render

/// Options several directives share, read the same way everywhere.
extension DirectiveOptions {
    /// `normalization: minmax | symmetric | percentile`; signed maps default to symmetric.
    public func normalization(signed: Bool) throws(SourceError) -> Normalization {
        switch try PanelOption.normalization.choice(
            self, from: ["minmax", "symmetric", "percentile"],
            default: signed ? "symmetric" : "minmax")
        {
        case "symmetric": return .symmetric
        case "percentile": return .percentile(low: 1, high: 99)
        default: return .minMax
        }
    }

    /// `target: predicted | true | k | a-b` (a contrast: logit a minus logit b).
    public func target(_ name: String, classes: Int) throws(SourceError) -> Target {
        guard let node = mapping[name] else { return .predicted }
        let text = try node.string()
        guard let target = Target(text) else {
            throw node.error(
                "unknown target '\(text)'; expected predicted, true, a class number 0…\(classes - 1), or a contrast "
                    + "a-b such as 4-9",
                suggestion: nearestName(to: text, in: ["predicted", "true"]))
        }
        let named: [Int] =
            switch target {
            case .class(let k): [k]
            case .contrast(let a, let b): [a, b]
            default: []
            }
        for k in named where !(0..<classes).contains(k) {
            throw node.error("class \(k) is out of range; the model has classes 0…\(classes - 1)")
        }
        if case .contrast(let a, let b) = target, a == b {
            throw node.error("the contrast \(a)-\(b) compares a class with itself; name two different classes")
        }
        return target
    }

    /// A layer of `model` that meets `requirement`.
    public func layer(
        _ name: String, model: Model, requirement: LayerRequirement, default value: String?
    ) throws(SourceError) -> String {
        let candidates = model.layers.indices.filter { requirement.admits($0, in: model) }.map { model.layers[$0].name }
        guard let node = mapping[name] else {
            guard let value else { throw error("the model has no \(requirement.noun)", option: name) }
            return value
        }
        let text = try node.string()
        guard candidates.contains(text) else {
            let expected = "expected one of \(candidates.joined(separator: ", "))"
            if let layer = model.layers.first(where: { $0.name == text }) {
                throw node.error(
                    requirement == .convolution
                        ? "layer '\(text)' is not a convolution; \(expected)"
                        : "layer '\(text)' (\(layer.kind)) outputs \(layer.outputShape), not \(requirement.outputs)"
                            + (layer.outputShape.filter { $0 != 1 }.count > 2
                                ? " (a transformer's attention weights are drawn by the attention directive)" : "")
                            + "; " + expected)
            }
            let what = requirement == .convolution ? "convolution layer" : "layer"
            throw node.error(
                "\(modelPath ?? "the model") has no \(what) '\(text)'; \(expected)",
                suggestion: nearestName(to: text, in: candidates))
        }
        return text
    }
}

/// Which layers an option may name.
public enum LayerRequirement: Sendable, Equatable {
    case any
    /// Conv2D layers (filters).
    case convolution
    /// Layers with an image-shaped `[h, w, c]` output (CAMs, at any convolution,
    /// activation, BatchNorm or residual addition).
    case spatial
    /// Layers whose output can be drawn as maps or a row of units: images, a transformer's
    /// tokens or a Swin stage's map (as `spatial`), and vectors. Not attention weights.
    case maps

    func admits(_ index: Int, in model: Model) -> Bool {
        switch self {
        case .any: true
        case .convolution: model.layers[index] is Conv2D
        case .spatial: model.spatialLayout(layer: index) != nil
        case .maps:
            model.spatialLayout(layer: index) != nil || model.layers[index].outputShape.filter { $0 != 1 }.count <= 1
        }
    }

    var noun: String {
        switch self {
        case .any: "layer"
        case .convolution: "convolution layer"
        case .spatial: "layer with an [h, w, c] output"
        case .maps: "layer with maps or units"
        }
    }

    /// What an admitted layer outputs, for errors.
    var outputs: String {
        switch self {
        case .any, .convolution: "anything"
        case .spatial: "an [h, w, c] image or a transformer's tokens"
        case .maps: "an [h, w, c] image, a transformer's tokens or a vector"
        }
    }
}

extension Model {
    var classes: Int { classCount }
    var firstConvolution: String? { layers.first { $0 is Conv2D }?.name }
    var convolutionNames: [String] { layers.filter { $0 is Conv2D }.map(\.name) }
}

/// A catalogue method as a directive configured it: its parameters, resolved, and for CAM
/// methods the layer.
struct ConfiguredMethod: Sendable {
    let entry: MethodEntry
    let settings: MethodSettings
    /// The convolution CAM methods explain at; nil for the others.
    let layer: String?

    var name: String { entry.name }
    /// The method's title in the edition's words (a figure token; names such as Grad-CAM stay).
    var title: String {
        entry.modifiers.reduce(FigureText.methodTitles[entry.base.name] ?? entry.base.title) { title, modifier in
            switch modifier {
            case .abs: FigureText.t("method_modified_abs", ["method": title])
            case .blur: FigureText.t("method_modified_blur", ["method": title])
            }
        }
    }
    var isSigned: Bool { entry.isSigned }
    var isCAM: Bool { entry.needsLayer }

    /// An error at the `target` option when it asks this method for a contrast (a-b) that its
    /// map cannot show: it does not depend on the target class (Eigen-CAM, attention rollout).
    func checkContrast(_ target: Target, options: DirectiveOptions) throws(SourceError) {
        guard target.subtracted != nil, !entry.method(settings).explainsContrasts else { return }
        throw SourceError(
            "\(name) does not depend on the target class, so it cannot explain a contrast (a-b)",
            at: SharedOption.target.location(in: options))
    }

    func explain(_ image: SelectedImage, target: Target, model: Model) throws -> Explanation {
        try entry.explain(image.explained, target: target, layer: layer, settings: settings, model: model)
    }
}

extension DirectiveOptions {
    /// The options of the parameters `entries` take, with this directive's defaults.
    static func parameterSpecs(
        _ entries: [MethodEntry], defaults: [String: String] = [:], excluding: Set<String> = []
    )
        -> [OptionSpec]
    {
        MethodCatalogue.parameters(of: entries).filter { !excluding.contains($0.name) }.map {
            OptionSpec($0.name, $0.typeDescription, default: defaults[$0.name] ?? $0.defaultText, $0.doc)
        }
    }

    /// The parameters of `entries` as written, range-checked; the input's side bounds
    /// pixel sizes (occlusion's patch and stride). Parameters in `fixed` are not options
    /// of this directive and take the given values.
    func methodSettings(
        _ entries: [MethodEntry], model: Model, defaults: [String: String] = [:],
        fixed: [String: String] = [:]
    ) throws(SourceError) -> MethodSettings {
        var settings = MethodSettings()
        let side = min(model.inputShape[0], model.inputShape[1])
        for parameter in MethodCatalogue.parameters(of: entries) {
            if let value = fixed[parameter.name] { settings[parameter.name] = value; continue }
            let fallback = defaults[parameter.name] ?? parameter.defaultText
            switch parameter.kind {
            case .integer(let range):
                let upper =
                    ["patch", "stride"].contains(parameter.name) ? min(range.upperBound, side) : range.upperBound
                settings[parameter.name] = String(
                    try int(parameter.name, default: Int(fallback)!, in: range.lowerBound...upper))
            case .number(let range):
                settings[parameter.name] = MethodParameter.format(
                    try double(parameter.name, default: Double(fallback)!, in: range))
            case .choice(let names):
                settings[parameter.name] = try choice(parameter.name, from: names, default: fallback)
            }
        }
        return settings
    }

    /// One method from `entries` (option `method`), configured.
    func method(
        from entries: [MethodEntry], default name: String, model: Model, defaults: [String: String] = [:]
    )
        throws(SourceError) -> ConfiguredMethod
    {
        let chosen = MethodCatalogue.named(
            try SharedOption.method.choice(self, from: entries.map(\.name), default: name))!
        return try configured([chosen], model: model, defaults: defaults)[0]
    }

    /// Several methods (option `methods`), sharing this directive's parameters and layer.
    func methods(
        default names: [String], model: Model, defaults: [String: String] = [:], fixed: [String: String] = [:]
    )
        throws(SourceError) -> [ConfiguredMethod]
    {
        var chosen: [MethodEntry] = []
        if let node = mapping[SharedOption.methods.name] {
            let items: [YAMLValue] = if case .sequence = node.node { try node.list() } else { [node] }
            guard !items.isEmpty else { throw node.error("methods needs at least one value") }
            for item in items {
                let name = try item.string()
                guard let entry = MethodCatalogue.named(name) else {
                    let problem = MethodCatalogue.problem(with: name)
                    throw item.error(problem.message, suggestion: problem.suggestion)
                }
                chosen.append(entry)
            }
        } else {
            chosen = names.map { MethodCatalogue.named($0)! }
        }
        return try configured(chosen, model: model, defaults: defaults, fixed: fixed)
    }

    /// `entries` with their parameters and, when one of them needs it, the `layer` option.
    /// A model without convolutions is fine for methods that need no layer.
    private func configured(
        _ entries: [MethodEntry], model: Model, defaults: [String: String],
        fixed: [String: String] = [:]
    ) throws(SourceError) -> [ConfiguredMethod] {
        let settings = try methodSettings(entries, model: model, defaults: defaults, fixed: fixed)
        var layer: String?
        if let cam = entries.first(where: \.needsLayer) {
            let (layerOption, methods) = (SharedOption.layer, SharedOption.methods.name)
            guard model.defaultCAMLayer != nil || mapping[layerOption.name] != nil else {
                throw error(
                    "\(cam.name) needs a layer with a spatial grid ([h, w, c], more than one cell), and the model has "
                        + "none",
                    option: mapping[methods] != nil ? methods : SharedOption.method.name)
            }
            layer = try layerOption.layer(self, model: model, requirement: .spatial, default: model.defaultCAMLayer)
        } else if mapping[SharedOption.layer.name] != nil {
            _ = try SharedOption.layer.layer(self, model: model, requirement: .spatial, default: nil)
        }
        return entries.map { entry in
            ConfiguredMethod(entry: entry, settings: entry.settings(settings), layer: entry.needsLayer ? layer : nil)
        }
    }
}

/// How a directive labels an image: its selector, and the label and prediction.
func imageHeader(_ image: SelectedImage, explanation: Explanation? = nil) -> String {
    var text = image.name
    if let e = explanation {
        let predicted = e.probabilities.indices.max { e.probabilities[$0] < e.probabilities[$1] } ?? 0
        if let label = image.label { text += " · " + FigureText.t("label", ["class": image.className(label)]) }
        text += " · " + FigureText.t("predicted", ["class": image.className(predicted)])
        if let b = e.contrastClass {
            text +=
                " · "
                + FigureText.t(
                    "explaining", ["class": "\(image.className(e.targetClass)) − \(image.className(b))"])
        } else if e.targetClass != predicted {
            text += " · " + FigureText.t("explaining", ["class": image.className(e.targetClass)])
        }
    } else if let label = image.label {
        text += " · \(image.className(label))"
    }
    return text
}
