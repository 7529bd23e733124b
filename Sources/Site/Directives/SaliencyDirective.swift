import Common
import CNN
import Explain
import Foundation

/// Gradient attributions on the input pixels: vanilla, SmoothGrad, guided backprop,
/// input × gradient, Integrated Gradients.
struct SaliencyDirective: Directive {
    static let name = "saliency"
    static let summary = "A saliency map of the input pixels for each image: which pixels change the class score most."
    static let options: [OptionSpec] = [
        OptionSpec("method", "one of \(AttributionMethod.saliencyNames.joined(separator: ", "))", default: "vanilla",
                   "vanilla: the signed gradient; absolute: its magnitude; smoothgrad: averaged over noisy copies; guided: guided backpropagation; input-x-gradient; integrated-gradients."),
    ] + AttributionFigure.optionSpecs + [
        OptionSpec("samples", "integer 1–500", default: "50", "SmoothGrad: noisy samples."),
        OptionSpec("noise", "number 0–1", default: "0.15", "SmoothGrad: noise level (standard deviation / input range)."),
        OptionSpec("steps", "integer 1–512", default: "50", "Integrated Gradients: integration steps."),
    ] + DirectiveOptions.heatmapPanelSpecs
    static let example = "method: smoothgrad\nimages: test[0:4]\nsamples: 50"

    let attribution: AttributionFigure

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        var method = AttributionMethod(name: try options.choice("method", from: AttributionMethod.saliencyNames, default: "vanilla"))
        method.samples = try options.int("samples", default: 50, in: 1...500)
        method.noise = Float(try options.double("noise", default: 0.15, in: 0...1))
        method.steps = try options.int("steps", default: 50, in: 1...512)
        attribution = try AttributionFigure(method, options: options, model: model, signed: method.isSigned,
                                            colormap: method.isSigned ? "RdBu_r" : "viridis")
    }

    var method: AttributionMethod { attribution.method }
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
        OptionSpec("method", "one of \(AttributionMethod.camNames.joined(separator: ", "))", default: "gradcam", "How channels are weighted."),
        OptionSpec("layer", "convolution layer name", default: "the last convolution", "The layer whose activations are weighted."),
    ] + AttributionFigure.optionSpecs + DirectiveOptions.heatmapPanelSpecs
    static let example = "method: gradcam\nlayer: conv2d_2\nimages: test[0:8]\ntarget: predicted\ncolormap: jet"

    let attribution: AttributionFigure

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        var method = AttributionMethod(name: try options.choice("method", from: AttributionMethod.camNames, default: "gradcam"))
        let layer = try options.layer(model: model, convolution: true, default: model.lastConvolution)
        method.layer = layer
        attribution = try AttributionFigure(method, options: options, model: model, signed: false, colormap: "jet")
        let shape = model.layers.first { $0.name == layer }!.outputShape
        resolution = "\(shape[1])×\(shape[0])"
    }

    /// The layer's map size, for the notes.
    let resolution: String
    var method: AttributionMethod { attribution.method }
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
    static let options: [OptionSpec] = [
        OptionSpec("patch", "integer 1–28", default: "6", "Side of the square patch, in pixels."),
        OptionSpec("stride", "integer 1–28", default: "2", "Step between patch positions."),
        OptionSpec("fill", "number 0–1", default: "0", "The value hidden pixels take."),
    ] + AttributionFigure.optionSpecs + DirectiveOptions.heatmapPanelSpecs
    static let example = "patch: 6\nstride: 2\nimages: test[0:4]"

    let attribution: AttributionFigure

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        var method = AttributionMethod(name: "occlusion")
        let side = min(model.inputShape[0], model.inputShape[1])
        method.occlusion = Occlusion(patch: try options.int("patch", default: 6, in: 1...side),
                                     stride: try options.int("stride", default: 2, in: 1...side),
                                     fill: Float(try options.double("fill", default: 0, in: 0...1)))
        attribution = try AttributionFigure(method, options: options, model: model, signed: true, colormap: "RdBu_r")
    }

    var occlusion: Occlusion { attribution.method.occlusion }
    var inputFiles: [String] { attribution.images.files }
    var caption: String { "Occlusion sensitivity (\(occlusion.patch)×\(occlusion.patch) patch, stride \(occlusion.stride)) for \(attribution.images.text), target \(attribution.target)." }
    var alt: String { "occlusion sensitivity map" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        try attribution.run(context, figure: figure, name: "occlusion", notes: ["score drop of the logit"])
    }
}

/// What the saliency, cam and occlusion directives share: one method on some images,
/// drawn as panels with a colorbar, the raw maps as JSON.
struct AttributionFigure: Sendable {
    let method: AttributionMethod
    let images: [ImageSelector]
    let target: Target
    let panels: HeatmapPanels
    let rows: [String]
    let location: SourceLocation

    /// The options it reads besides the panel options.
    static let optionSpecs: [OptionSpec] = [
        OptionSpec("images", "image selector or list", default: "test[0:4]", "The images to explain."),
        OptionSpec("target", "predicted, true or a class", default: "predicted", "Whose score to explain (its pre-softmax logit)."),
    ]

    /// Reads `images`, `target`, `panels` and the panel options shared by the three.
    init(_ method: AttributionMethod, options: DirectiveOptions, model: Model, signed: Bool, colormap: String) throws(SourceError) {
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
        try figure.json(explanationsJSON(selected, explanations, method: method.name), name: name)
        let (html, _) = panels.figure(images: selected, explanations: explanations, rows: rows, figure: figure, name: name)
        return (html, panels.notes(extra: notes + ["target \(target)"]))
    }
}

extension [ImageSelector] {
    /// PNG paths among the selectors.
    var files: [String] { compactMap { if case .file(let p) = $0 { p } else { nil } } }
    /// The selectors as a reader sees them.
    var text: String { map(\.description).joined(separator: ", ") }
}
