import Common
import CNN
import Explain
import Foundation
import Render

/// Integrated Gradients of the same images from several baselines: for each image a row of
/// the baselines and a row of the maps they give, with each map's sum against the scores
/// that bound it.
struct IGBaselinesDirective: Directive {
    static let name = "ig-baselines"
    static let summary =
        "Integrated Gradients from several baselines (black, max-distance, blur, uniform, data) on the same images: "
        + "each baseline, the map it gives, and what the map adds up to."
    static let images = SharedOption.images.documented("The images, two rows each: the baselines, then the maps.")
    static let baselines = DirectiveOption(
        "baselines", "list of \(IGBaseline.allCases.map(\.rawValue).joined(separator: ", "))", default: "all",
        "The baselines, as columns.")
    static let colormap = DirectiveOption(
        "colormap", "a colormap name", default: "RdBu_r", "The colormap of the signed maps.")
    static let scale = DirectiveOption("scale", "integer 1–16", default: "3", "Display pixels per input pixel.")
    static let entry = MethodCatalogue.named("integrated-gradients")!
    static let options: [OptionSpec] =
        [baselines.spec, images.spec, DirectiveOptions.preprocessSpec, SharedOption.target.spec]
        + DirectiveOptions.parameterSpecs([entry], excluding: ["baseline"]) + [colormap.spec, scale.spec]
    static let example = "baselines: [black, blur, uniform, data]\nimages: test[0:2]\ntarget: 4-9"

    let comparison: BaselineComparison
    let images: [ImageSelector]
    let target: Target
    let colormap: Colormap
    let scale: Int
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        let names = IGBaseline.allCases.map(\.rawValue)
        let kinds = try Self.baselines.choices(options, from: names, default: names).compactMap(IGBaseline.init)
        let settings = try options.methodSettings([Self.entry], model: model, fixed: ["baseline": "black"])
        guard let method = Self.entry.method(settings) as? IntegratedGradients else {
            preconditionFailure("integrated-gradients is IntegratedGradients")
        }
        comparison = BaselineComparison(kinds: kinds, method: method)
        images = try Self.images.images(options, default: "test[0:2]", classes: model.classes)
        target = try SharedOption.target.target(options, classes: model.classes)
        colormap = try Self.colormap.colormap(options, default: "RdBu_r")
        scale = try Self.scale.int(options, default: 3, in: 1...16)
        location = Self.images.location(in: options)
    }

    var inputFiles: [String] { images.files }
    var caption: String {
        "Integrated Gradients on \(images.text) from \(comparison.kinds.count) baselines, target \(target): each "
            + "baseline above the map it gives."
    }
    var alt: String { "Integrated Gradients from several baselines" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location), model = context.model
        var rows: [(header: String, cells: [String])] = [], results: [BaselineComparison.Image] = []
        var cardTiles: [RGBAImage] = []
        for image in selected {
            let result = try comparison.run(image.explained, target: target, model: model)
            results.append(result)
            // One symmetric scale per image: the baselines' maps of one digit compare by colour.
            // A few extreme pixels would leave the rest pale, so it ends at the 99th percentile.
            let magnitudes = result.results.flatMap { $0.explanation.map.values.map(abs) }.sorted()
            let bound = magnitudes.isEmpty ? 0 : magnitudes[min(magnitudes.count - 1, magnitudes.count * 99 / 100)]
            let drawing = HeatmapFigure(
                colormap: colormap, normalization: .fixed(low: -bound, high: bound), scale: scale, alpha: 0.5)
            var pictures: [String] = [], maps: [String] = [], sums: [String] = []
            for r in result.results {
                pictures.append(
                    figure.image(
                        image.picture(of: r.references[0]).upscaled(by: scale),
                        name: "ig-baseline-\(r.baseline.rawValue)",
                        alt: FigureText.t("alt_ig_baseline", ["baseline": r.baseline.rawValue, "image": image.name])))
                let heatmap = drawing.panels(picture: image.display, map: r.explanation.map).heatmap
                if cardTiles.count < 8 { cardTiles.append(heatmap) }
                maps.append(
                    figure.image(
                        heatmap, name: "ig-map-\(r.baseline.rawValue)",
                        alt: FigureText.t("alt_ig_map", ["baseline": r.baseline.rawValue, "image": image.name]),
                        thumbnail: rows.isEmpty && maps.isEmpty, pixelated: false))
                sums.append("\(Self.format(r.sum))\u{a0}·\u{a0}\(Self.format(r.referenceScore))")
            }
            let digit = figure.image(
                image.display.upscaled(by: scale), name: "ig-input",
                alt: FigureText.t("alt_input_named", ["image": image.name]))
            let header = imageHeader(image, explanation: result.results.first?.explanation)
            rows.append((header + " · " + FigureText.t("ig_baseline_row"), [digit] + pictures))
            rows.append((FigureText.t("ig_map_row"), [""] + maps))
            rows.append((FigureText.t("ig_sum_row", ["score": Self.format(result.score)]), [""] + sums))
        }
        figure.card(cardTiles, columns: min(4, max(cardTiles.count, 1)))
        try figure.json(IGBaselineValues(comparison, images: selected, results: results), name: "ig-baselines")
        let table = FigureLayout.panels(
            columns: [FigureText.t("panel_input")] + comparison.kinds.map(\.title),
            rows: rows, corner: FigureText.t("image"))
        let bar = figure.svg(
            Colorbar(colormap: colormap, low: -1, high: 1, label: FigureText.t("per_image_scale")).horizontalSVG(),
            name: "ig-baselines-colorbar",
            title: FigureText.t(
                "colorbar_title", ["colormap": colormap.name, "scale": FigureText.t("per_image_scale")]))
        return (
            FigureLayout.withColorbarBelow(table, colorbar: bar),
            [
                FigureText.t("ig_baselines_note"), FigureText.t("colormap", ["name": colormap.name]),
                FigureText.note(target),
            ]
        )
    }

    /// A score or sum as the figure writes it: two decimals, a true minus sign.
    static func format(_ value: Float) -> String {
        String(format: "%.2f", Double(value)).replacingOccurrences(of: "-", with: "−")
    }
}

extension IGBaseline {
    /// Its column title in the edition's words.
    var title: String {
        switch self {
        case .black: FigureText.t("ig_baseline_black")
        case .maxDistance: FigureText.t("ig_baseline_max_distance")
        case .blur: FigureText.t("ig_baseline_blur")
        case .uniform: FigureText.t("ig_baseline_uniform")
        case .data: FigureText.t("ig_baseline_data")
        }
    }
}

/// The raw values of an `ig-baselines` figure: per image and baseline the map and what it
/// adds up to; per baseline the same over the images.
struct IGBaselineValues: Encodable {
    struct Result: Encodable {
        let baseline: String
        /// The explained score at each baseline drawn, and their mean.
        let referenceScores: [Double]
        let referenceScore: Double
        /// Σ of the map, and how far it is from `score − reference_score` (completeness).
        let sum: Double
        let completenessGap: Double
        /// The share of the map's magnitude on the image's ink (its non-zero pixels), and
        /// the share that is negative.
        let massOnInk: Double
        let negativeShare: Double
        /// The share of the positive mass that lies off the ink: where the absence of ink
        /// raises the score (always 0 from a black baseline).
        let positiveOffInk: Double
        let map: MapValues
    }
    struct Image: Encodable {
        let image: String
        @ExplicitNull var label: Int?
        let target: Int
        @ExplicitNull var contrast: Int?
        let probabilities: [Double]
        /// The explained score at the image: a logit, or a contrast's difference of two.
        let score: Double
        let baselines: [Result]
    }
    struct Summary: Encodable {
        let baseline: String
        let sum: ValueSummary
        let referenceScore: ValueSummary
        let massOnInk: ValueSummary
        let negativeShare: ValueSummary
        let positiveOffInk: ValueSummary
    }
    let steps: Int
    let sigma: Double
    let draws: Int
    let images: [Image]
    let baselines: [Summary]

    init(_ comparison: BaselineComparison, images selected: [SelectedImage], results: [BaselineComparison.Image]) {
        steps = comparison.method.steps
        sigma = Double(comparison.method.sigma)
        draws = comparison.method.draws
        images = zip(selected, results).map { image, result in
            let ink = image.inkMask
            let first = result.results.first?.explanation
            return Image(
                image: image.name, label: image.label, target: first?.targetClass ?? 0, contrast: first?.contrastClass,
                probabilities: first?.probabilities.map(Double.init) ?? [], score: Double(result.score),
                baselines: result.results.map { r in
                    let shares = MapShares(r.explanation.map.values, ink: ink)
                    return Result(
                        baseline: r.baseline.rawValue, referenceScores: r.referenceScores.map(Double.init),
                        referenceScore: Double(r.referenceScore), sum: Double(r.sum),
                        completenessGap: Double(r.sum - (result.score - r.referenceScore)),
                        massOnInk: shares.onInk, negativeShare: shares.negative, positiveOffInk: shares.positiveOffInk,
                        map: MapValues(r.explanation.map))
                })
        }
        let perImage = images
        baselines = comparison.kinds.enumerated().map { k, kind in
            let column = perImage.map { $0.baselines[k] }
            return Summary(
                baseline: kind.rawValue, sum: .init(column.map(\.sum)),
                referenceScore: .init(column.map(\.referenceScore)), massOnInk: .init(column.map(\.massOnInk)),
                negativeShare: .init(column.map(\.negativeShare)), positiveOffInk: .init(column.map(\.positiveOffInk)))
        }
    }
}
