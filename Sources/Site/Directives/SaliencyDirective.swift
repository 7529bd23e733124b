import Common
import CNN
import Explain
import Foundation

/// Attributions on the input pixels from gradients and modified backward passes: vanilla,
/// SmoothGrad, guided backprop, deconvnet, Guided Grad-CAM, input × gradient, Integrated
/// Gradients, DeepLIFT, GradientSHAP, LRP.
struct SaliencyDirective: Directive {
    static let name = "saliency"
    static let summary = "A saliency map of the input pixels for each image: which pixels change the class score most."
    static let methods = MethodCatalogue.family(.gradient)
    static let options: [OptionSpec] =
        [
            SharedOption.method.documented(
                type: "one of \(methods.map(\.name).joined(separator: ", "))", default: "vanilla",
                "vanilla: the signed gradient; absolute: its magnitude; smoothgrad: averaged over noisy copies; "
                    + "guided: guided backpropagation; deconvnet; guided-gradcam: guided backpropagation × Grad-CAM; "
                    + "input-x-gradient; integrated-gradients."
            ).spec,
            SharedOption.layer.documented("Guided Grad-CAM: the layer of its Grad-CAM.").spec,
        ] + AttributionFigure.optionSpecs + DirectiveOptions.parameterSpecs(methods)
        + DirectiveOptions.heatmapPanelSpecs(colormap: "RdBu_r for signed methods, else viridis")
    static let example = "method: smoothgrad\nimages: test[0:4]\nsamples: 50"

    let attribution: AttributionFigure

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        let method = try options.method(from: Self.methods, default: "vanilla", model: model)
        attribution = try AttributionFigure(
            method, options: options, model: model, signed: method.isSigned,
            colormap: method.isSigned ? "RdBu_r" : "viridis")
    }

    var method: ConfiguredMethod { attribution.method }
    var inputFiles: [String] { attribution.images.files }
    var caption: String { "\(method.title) saliency for \(attribution.images.text), target \(attribution.target)." }
    var alt: String { "\(method.title) saliency map" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        try attribution.run(
            context, figure: figure, name: "saliency-\(method.name)",
            notes: [FigureText.t("method", ["name": method.name])])
    }
}
