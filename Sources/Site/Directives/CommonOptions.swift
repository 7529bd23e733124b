import Common
import CNN
import Explain
import Foundation
import Render

/// Options several directives share, read the same way everywhere.
extension DirectiveOptions {
    public func colormap(default name: String) throws(SourceError) -> Colormap {
        let chosen = try choice("colormap", from: Colormap.names, default: name)
        return Colormap.named(chosen)!
    }

    /// `normalization: minmax | symmetric | percentile`; signed maps default to symmetric.
    public func normalization(signed: Bool) throws(SourceError) -> Normalization {
        switch try choice("normalization", from: ["minmax", "symmetric", "percentile"], default: signed ? "symmetric" : "minmax") {
        case "symmetric": return .symmetric
        case "percentile": return .percentile(low: 1, high: 99)
        default: return .minMax
        }
    }

    /// `target: predicted | true | k`.
    public func target(classes: Int) throws(SourceError) -> Target {
        guard let node = mapping["target"] else { return .predicted }
        let text = try node.string()
        guard let target = Target(text) else {
            throw node.error("unknown target '\(text)'; expected predicted, true, or a class number 0…\(classes - 1)",
                             suggestion: nearestName(to: text, in: ["predicted", "true"]))
        }
        if case .class(let k) = target, !(0..<classes).contains(k) {
            throw node.error("class \(k) is out of range; the model has classes 0…\(classes - 1)")
        }
        return target
    }

    /// A layer of `model`; `convolution` restricts it to Conv2D layers.
    public func layer(_ name: String = "layer", model: Model, convolution: Bool, default value: String?) throws(SourceError) -> String {
        let candidates = model.layers.filter { !convolution || $0 is Conv2D }.map(\.name)
        guard let node = mapping[name] else {
            guard let value else { throw error("the model has no convolution layer", option: name) }
            return value
        }
        let text = try node.string()
        guard candidates.contains(text) else {
            let what = convolution ? "convolution layer" : "layer"
            if convolution, model.layers.contains(where: { $0.name == text }) {
                throw node.error("layer '\(text)' is not a convolution; expected one of \(candidates.joined(separator: ", "))")
            }
            throw node.error("the model has no \(what) '\(text)'; expected one of \(candidates.joined(separator: ", "))",
                             suggestion: nearestName(to: text, in: candidates))
        }
        return text
    }
}

extension Model {
    var classes: Int { classCount }
    var firstConvolution: String? { layers.first { $0 is Conv2D }?.name }
    var convolutionNames: [String] { layers.filter { $0 is Conv2D }.map(\.name) }
}

/// The attribution methods directives can name, with their parameters.
struct AttributionMethod: Sendable {
    static let saliencyNames = ["vanilla", "absolute", "smoothgrad", "guided", "input-x-gradient", "integrated-gradients"]
    static let camNames = CAMMethods.names
    static let occlusionNames = ["occlusion"]
    static var allNames: [String] { saliencyNames + camNames + occlusionNames }

    /// Display names, as the literature writes them.
    static let titles: [String: String] = [
        "vanilla": "Gradient", "absolute": "|Gradient|", "smoothgrad": "SmoothGrad", "guided": "Guided backprop",
        "input-x-gradient": "Input × gradient", "integrated-gradients": "Integrated Gradients",
        "gradcam": "Grad-CAM", "gradcam++": "Grad-CAM++", "scorecam": "Score-CAM", "layercam": "Layer-CAM",
        "eigencam": "Eigen-CAM", "occlusion": "Occlusion",
    ]

    let name: String
    var samples = 50
    var noise: Float = 0.15
    var steps = 50
    var layer: String?
    var occlusion = Occlusion()

    var title: String { Self.titles[name] ?? name }
    var isCAM: Bool { Self.camNames.contains(name) }
    var isSigned: Bool { ["vanilla", "guided", "input-x-gradient", "integrated-gradients"].contains(name) }

    func explain(_ image: SelectedImage, target: Target, model: Model) throws -> Explanation {
        if let cam = CAMMethods.named(name) {
            return try cam.explain(image.explained, layer: layer ?? model.lastConvolution!, target: target, model: model)
        }
        if name == "occlusion" { return try occlusion.explain(image.explained, target: target, model: model) }
        let method: any SaliencyMethod = switch name {
        case "absolute": VanillaGradient(absolute: true)
        case "smoothgrad": SmoothGrad(samples: samples, noise: noise)
        case "guided": GuidedBackprop()
        case "input-x-gradient": InputTimesGradient()
        case "integrated-gradients": IntegratedGradients(steps: steps)
        default: VanillaGradient(absolute: false)
        }
        return try method.explain(image.explained, target: target, model: model)
    }
}

/// How a directive labels an image: its selector, and the label and prediction.
func imageHeader(_ image: SelectedImage, explanation: Explanation? = nil) -> String {
    var text = image.name
    if let e = explanation {
        let predicted = e.probabilities.indices.max { e.probabilities[$0] < e.probabilities[$1] } ?? 0
        if let label = image.label { text += " · label \(label)" }
        text += " · predicted \(predicted)"
        if e.targetClass != predicted { text += " · explaining \(e.targetClass)" }
    } else if let label = image.label {
        text += " · \(label)"
    }
    return text
}
