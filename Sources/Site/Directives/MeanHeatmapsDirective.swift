import Common
import CNN
import Explain
import Foundation
import Render

/// The mean attribution map of each class, over the first test digits of that class.
struct MeanHeatmapsDirective: Directive {
    static let name = "mean-heatmaps"
    static let summary =
        "Per-class mean heatmaps: one method's maps averaged over the first test digits of each class, beside the mean "
        + "digit."
    static let options: [OptionSpec] =
        [
            SharedOption.method.documented(
                type: "one of \(MethodCatalogue.names.joined(separator: ", "))", default: "gradcam++",
                "The attribution method."
            ).spec,
            SharedOption.layer.spec,
            count.spec, ClassExplanations.target.spec, ClassExplanations.colormap.spec,
            ClassExplanations.scale.spec,
        ] + DirectiveOptions.parameterSpecs(MethodCatalogue.family(.cam))
    static let count = DirectiveOption("count", "integer 1–200", default: "20", "Test digits averaged per class.")
    static let example = "method: gradcam++\ncount: 20"

    let method: ConfiguredMethod
    let count: Int
    let target: Target
    let colormap: Colormap
    let scale: Int

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        method = try options.method(
            from: MethodCatalogue.all, default: "gradcam++", model: model,
            defaults: SanityCheckDirective.fixedParameters)
        count = try Self.count.int(options, default: 20, in: 1...200)
        target = try ClassExplanations.target(options)
        colormap = try ClassExplanations.colormap.colormap(options, default: "viridis")
        scale = try ClassExplanations.scale.int(options, default: 2, in: 1...16)
    }

    var caption: String {
        "\(method.title) averaged over the first \(count) test digits of each class (explaining the "
            + "\(target == .trueLabel ? "true" : "predicted") class), above the mean digit of the class. One shared "
            + "scale."
    }
    var alt: String { "per-class mean heatmaps" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let collected = try ClassExplanations(context, method: method, target: target, count: count)
        let split = collected.split
        figure.caption = caption.replacingOccurrences(
            of: "test digits", with: context.imagesPhrase(2, split: split).drop { $0 != " " }.dropFirst())
        let (h, w) = (context.model.inputShape[0], context.model.inputShape[1])
        let digitsWord = (try? context.data.get().format) == .mnist ? "digit" : "image"
        // The maps' magnitudes, class by class.
        var maps: [Heatmap] = [], labels: [Int] = []
        var placement = MapPlacement.identity
        for (k, explained) in zip(collected.classes, collected.explanations) {
            for e in explained {
                placement = e.placement
                maps.append(method.isSigned ? e.map.magnitude : e.map)
                labels.append(k)
            }
        }
        let (classes, pictureMeans) = (collected.classes, collected.meanPictures)
        let byClass = meanHeatmaps(maps, labels: labels, classes: context.classes)
        let means = classes.map { byClass[$0]! }
        let range = Normalization.minMax.range(of: means.flatMap(\.values))
        let names = context.classNames()
        func name(_ k: Int) -> String { names.map { "\($0[k])" } ?? FigureText.t("class_number", ["k": "\(k)"]) }
        var heatCells: [String] = [], digitCells: [String] = [], tiles: [RGBAImage] = []
        for (k, (mean, picture)) in zip(classes, zip(means, pictureMeans)) {
            let onInput = mean.placed(placement, inputWidth: w, inputHeight: h, width: w, height: h)
            let heat = onInput.render(colormap, normalization: .fixed(low: range.low, high: range.high)).image.upscaled(
                by: scale)
            tiles.append(heat)
            heatCells.append(
                figure.image(
                    heat, name: "mean-heatmap",
                    alt: FigureText.t("alt_mean_map", ["method": method.title, "class": name(k)]),
                    pixelated: false))
            digitCells.append(
                figure.image(
                    picture.upscaled(by: scale), name: "mean-\(digitsWord)",
                    alt: FigureText.t("alt_mean_picture", ["split": split, "class": name(k)])))
        }
        figure.card(Array(tiles.prefix(8)))
        let table = FigureLayout.panels(
            columns: classes.map(name),
            rows: [
                (FigureText.t("mean_map"), heatCells),
                (digitsWord == "digit" ? FigureText.t("mean_digit") : FigureText.t("mean_image"), digitCells),
            ])
        let bar = figure.svg(
            Colorbar(colormap: colormap, low: range.low, high: range.high, label: FigureText.t("mean_value"))
                .horizontalSVG(),
            name: "mean-heatmaps-colorbar", title: FigureText.t("colorbar_named", ["colormap": colormap.name]))
        try figure.json(
            MeanHeatmapsValues(
                method: method.name, countPerClass: count, target: target.description,
                maps: means.map(MapValues.init)), name: "mean-heatmaps")
        return (
            FigureLayout.withColorbarBelow(table, colorbar: bar),
            [
                FigureText.t("method", ["name": method.name]),
                digitsWord == "digit"
                    ? FigureText.t("digits_per_class", ["n": "\(count)"])
                    : FigureText.t("images_per_class", ["n": "\(count)"]),
                FigureText.t("normalization_shared", ["name": FigureText.t("minmax")]),
                FigureText.t("colormap", ["name": colormap.name]), FigureText.note(placement),
            ]
        )
    }
}
