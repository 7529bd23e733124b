import Common
import CNN
import Explain
import Foundation

/// Gradient attributions on the input pixels: vanilla, SmoothGrad, guided backprop,
/// input × gradient, Integrated Gradients.
struct SaliencyDirective: Directive {
    static let name = "saliency"
    static let summary = "A saliency map of the input pixels for each image: which pixels change the class score most."
    static let methods = MethodCatalogue.family(.gradient)
    static let options: [OptionSpec] = [
        OptionSpec("method", "one of \(methods.map(\.name).joined(separator: ", "))", default: "vanilla",
                   "vanilla: the signed gradient; absolute: its magnitude; smoothgrad: averaged over noisy copies; "
                       + "guided: guided backpropagation; input-x-gradient; integrated-gradients."),
    ] + AttributionFigure.optionSpecs + DirectiveOptions.parameterSpecs(methods) + DirectiveOptions.heatmapPanelSpecs
    static let example = "method: smoothgrad\nimages: test[0:4]\nsamples: 50"

    let attribution: AttributionFigure

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        let method = try options.method(from: Self.methods, default: "vanilla", model: model)
        attribution = try AttributionFigure(method, options: options, model: model, signed: method.isSigned,
                                            colormap: method.isSigned ? "RdBu_r" : "viridis")
    }

    var method: ConfiguredMethod { attribution.method }
    var inputFiles: [String] { attribution.images.files }
    var caption: String { "\(method.title) saliency for \(attribution.images.text), target \(attribution.target)." }
    var alt: String { "\(method.title) saliency map" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        try attribution.run(context, figure: figure, name: "saliency-\(method.name)", notes: ["method \(method.name)"])
    }
}

/// Class activation maps on a convolution layer.
struct CAMDirective: Directive {
    static let name = "cam"
    static let summary = "A class activation heatmap (Grad-CAM and its relatives) of a convolution layer for each image."
    static let options: [OptionSpec] = [
        OptionSpec("method", "one of \(MethodCatalogue.family(.cam).map(\.name).joined(separator: ", "))", default: "gradcam",
                   "How channels are weighted."),
        OptionSpec("layer", "convolution layer name", default: "the last convolution", "The layer whose activations are weighted."),
    ] + DirectiveOptions.parameterSpecs(MethodCatalogue.family(.cam)) + AttributionFigure.optionSpecs
        + DirectiveOptions.heatmapPanelSpecs
    static let example = "method: gradcam\nlayer: conv2d_2\nimages: test[0:8]\ntarget: predicted\ncolormap: jet"

    let attribution: AttributionFigure

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        let method = try options.method(from: MethodCatalogue.family(.cam), default: "gradcam", model: model)
        let layer = method.layer!
        attribution = try AttributionFigure(method, options: options, model: model, signed: false, colormap: "jet")
        let shape = model.layers.first { $0.name == layer }!.outputShape
        resolution = "\(shape[1])×\(shape[0])"
    }

    /// The layer's map size, for the notes.
    let resolution: String
    var method: ConfiguredMethod { attribution.method }
    var inputFiles: [String] { attribution.images.files }
    var caption: String { "\(method.title) at \(method.layer!) for \(attribution.images.text), target \(attribution.target)." }
    var alt: String { "\(method.title) heatmap at \(method.layer!)" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        try attribution.run(context, figure: figure, name: "cam-\(method.name)",
                            notes: ["method \(method.name)", "layer \(method.layer!) (\(resolution))"])
    }
}

/// Occlusion sensitivity: the score drop when a patch is hidden.
struct OcclusionDirective: Directive {
    static let name = "occlusion"
    static let summary = "Occlusion sensitivity: how much the class score drops when a patch of the image is hidden."
    static let options: [OptionSpec] = DirectiveOptions.parameterSpecs([MethodCatalogue.named("occlusion")!])
        + AttributionFigure.optionSpecs + DirectiveOptions.heatmapPanelSpecs
    static let example = "patch: 6\nstride: 2\nimages: test[0:4]"

    let attribution: AttributionFigure

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        let method = try options.method(from: [MethodCatalogue.named("occlusion")!], default: "occlusion", model: model)
        attribution = try AttributionFigure(method, options: options, model: model, signed: true, colormap: "RdBu_r")
    }

    var settings: MethodSettings { attribution.method.settings }
    var inputFiles: [String] { attribution.images.files }
    var caption: String {
        let (patch, stride) = (settings.int("patch"), settings.int("stride"))
        return "Occlusion sensitivity (\(patch)×\(patch) patch, stride \(stride)) for \(attribution.images.text), target \(attribution.target)."
    }
    var alt: String { "occlusion sensitivity map" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        try attribution.run(context, figure: figure, name: "occlusion", notes: ["score drop of the logit"])
    }
}

/// What the saliency, cam and occlusion directives share: one method on some images,
/// drawn as panels with a colorbar, the raw maps as JSON.
struct AttributionFigure: Sendable {
    let method: ConfiguredMethod
    let images: [ImageSelector]
    let target: Target
    let panels: HeatmapPanels
    let rows: [String]
    let location: SourceLocation

    /// The options it reads besides the panel options.
    static let optionSpecs: [OptionSpec] = [
        OptionSpec("images", "image selector or list", default: "test[0:4]", "The images to explain."),
        DirectiveOptions.preprocessSpec,
        OptionSpec("target", "predicted, true or a class", default: "predicted", "Whose score to explain (its pre-softmax logit)."),
    ]

    /// Reads `images`, `target`, `panels` and the panel options shared by the three.
    init(_ method: ConfiguredMethod, options: DirectiveOptions, model: Model, signed: Bool, colormap: String) throws(SourceError) {
        self.method = method
        images = try options.images(default: "test[0:4]", classes: model.classes)
        target = try options.target(classes: model.classes)
        panels = try options.heatmapPanels(signed: signed, defaultColormap: colormap, imageCount: images.reduce(0) { $0 + $1.count })
        rows = try options.panels()
        location = options.location(of: "images")
    }

    func run(_ context: DirectiveContext, figure: FigureBuilder, name: String, notes: [String]) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location)
        let explanations = try selected.map { try method.explain($0, target: target, model: context.model) }
        try figure.json(AttributionValues(method: method.name, images: zip(selected, explanations).map(ExplanationValues.init)),
                        name: name)
        let (html, _) = panels.figure(images: selected, explanations: explanations, rows: rows, figure: figure, name: name)
        let placement = explanations.first.map { $0.placement == .identity ? [] : [$0.placement.note] } ?? []
        return (html, panels.notes(extra: notes + ["target \(target)"] + placement))
    }
}

extension [ImageSelector] {
    /// PNG paths among the selectors.
    var files: [String] { compactMap { if case .file(let p, _) = $0 { p } else { nil } } }
    /// The selectors as a reader sees them.
    var text: String { map(\.description).joined(separator: ", ") }
}
