import Common
import CNN
import Explain
import Foundation

/// Occlusion sensitivity: the score drop when a patch is hidden.
struct OcclusionDirective: Directive {
    static let name = "occlusion"
    static let summary = "Occlusion sensitivity: how much the class score drops when a patch of the image is hidden."
    static let options: [OptionSpec] =
        DirectiveOptions.parameterSpecs([MethodCatalogue.named("occlusion")!])
        + AttributionFigure.optionSpecs + DirectiveOptions.heatmapPanelSpecs(colormap: "RdBu_r")
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
        return
            "Occlusion sensitivity (\(patch)×\(patch) patch, stride \(stride)) for \(attribution.images.text), target "
            + "\(attribution.target)."
    }
    var alt: String { "occlusion sensitivity map" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        try attribution.run(context, figure: figure, name: "occlusion", notes: [FigureText.t("logit_drop")])
    }
}
