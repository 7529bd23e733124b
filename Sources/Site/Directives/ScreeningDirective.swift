import Common
import CNN
import Explain
import Foundation
import Render

/// Screening every class for shortcuts without a ground truth (`RelevanceScreening`): each
/// class's mean relevance map beside its mean image, the share of its relevance where the
/// other classes have no ink, the share on its strongest 1 % of pixels, and the classes
/// that stand out.
struct ScreeningDirective: Directive {
    static let name = "screening"
    static let summary =
        "Screens every class for shortcuts without a ground truth: per class, the mean of its maps (each scaled to "
        + "add up to 1), the share of its relevance where the other classes have no ink and on its strongest 1 % of "
        + "pixels, and the classes whose share stands out (modified z-score above 3.5)."
    static let methods = MethodCatalogue.all.filter { $0.family != .baseline && $0.family != .attention }
    static let count = DirectiveOption("count", "integer 2–500", default: "50", "Held-out images per class.")
    static let options: [OptionSpec] =
        [
            SharedOption.method.documented(
                type: "a gradient, CAM or perturbation method", default: "lrp-composite",
                "The attribution method whose maps are screened."
            ).spec,
            SharedOption.layer.spec, count.spec, ClassExplanations.target.spec, ClassExplanations.colormap.spec,
            ClassExplanations.scale.spec,
        ] + DirectiveOptions.parameterSpecs(methods)
    static let example = "method: lrp-composite\ncount: 50"

    let method: ConfiguredMethod
    let count: Int
    let target: Target
    let colormap: Colormap
    let scale: Int

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        method = try options.method(from: Self.methods, default: "lrp-composite", model: model)
        count = try Self.count.int(options, default: 50, in: 2...500)
        target = try ClassExplanations.target(options)
        colormap = try ClassExplanations.colormap.colormap(options, default: "viridis")
        scale = try ClassExplanations.scale.int(options, default: 2, in: 1...16)
    }

    var caption: String {
        "\(method.title) screened class by class on the first \(count) held-out images of each: the mean map, the "
            + "mean image, and where the relevance lies."
    }
    var alt: String { "per-class screening of relevance maps" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let collected = try ClassExplanations(context, method: method, target: target, count: count)
        let (h, w) = (context.model.inputShape[0], context.model.inputShape[1])
        var maps = [[Heatmap]](repeating: [], count: context.classes), grays = maps
        var meanPictures: [Int: RGBAImage] = [:]
        for (index, k) in collected.classes.enumerated() {
            maps[k] = collected.explanations[index].map { $0.mapOnInput(height: h, width: w) }
            grays[k] = collected.images[index].map(\.explained.gray)
            meanPictures[k] = collected.meanPictures[index]
        }
        let results = RelevanceScreening().run(maps: maps, images: grays)
        let range = Normalization.minMax.range(of: results.flatMap(\.meanMap.values))
        let names = context.classNames()
        func name(_ k: Int) -> String { names.map { "\($0[k])" } ?? FigureText.t("class_number", ["k": "\(k)"]) }
        var mapCells: [String] = [], pictureCells: [String] = [], outsideCells: [String] = [], peakCells: [String] = []
        var tiles: [RGBAImage] = []
        for r in results {
            let heat = r.meanMap.render(colormap, normalization: .fixed(low: range.low, high: range.high)).image
                .upscaled(by: scale)
            tiles.append(heat)
            mapCells.append(
                figure.image(
                    heat, name: "screening-map",
                    alt: FigureText.t("alt_mean_map", ["method": method.title, "class": name(r.classIndex)]),
                    pixelated: false))
            pictureCells.append(
                figure.image(
                    meanPictures[r.classIndex]!.upscaled(by: scale), name: "screening-picture",
                    alt: FigureText.t("alt_mean_picture", ["split": collected.split, "class": name(r.classIndex)])))
            outsideCells.append(Self.share(r, .outside))
            peakCells.append(Self.share(r, .peak))
        }
        figure.card(Array(tiles.prefix(8)))
        let table = FigureLayout.panels(
            columns: results.map { name($0.classIndex) },
            rows: [
                (FigureText.t("mean_map"), mapCells),
                (context.isDigits ? FigureText.t("mean_digit") : FigureText.t("mean_image"), pictureCells),
                (FigureText.t("screening_outside_row"), outsideCells), (FigureText.t("screening_peak_row"), peakCells),
            ])
        let bar = figure.svg(
            Colorbar(colormap: colormap, low: range.low, high: range.high, label: FigureText.t("mean_value"))
                .horizontalSVG(),
            name: "screening-colorbar", title: FigureText.t("colorbar_named", ["colormap": colormap.name]))
        try figure.json(
            ScreeningValues(method: method, count: count, split: collected.split, results: results), name: "screening")
        let flagged = results.filter { !$0.flagged.isEmpty }.map { r in
            "\(name(r.classIndex)) (\(r.flagged.map { Self.measureName($0) }.joined(separator: ", ")))"
        }
        return (
            FigureLayout.withColorbarBelow(table, colorbar: bar),
            [
                flagged.isEmpty
                    ? FigureText.t("screening_none_flagged")
                    : FigureText.t("screening_flagged", ["classes": flagged.joined(separator: ", ")]),
                FigureText.t("screening_note"), FigureText.t("method", ["name": method.name]),
                FigureText.t("colormap", ["name": colormap.name]),
            ]
        )
    }
}

extension ScreeningDirective {
    /// A class's share as a cell, "⚑" and bold when flagged.
    static func share(_ r: RelevanceScreening.ClassResult, _ measure: RelevanceScreening.Measure) -> String {
        let value = String(format: "%.0f\u{a0}%%", (r.values[measure] ?? 0) * 100)
        return FigureLayout.text(r.flagged.contains(measure) ? "<strong>⚑\u{a0}\(value)</strong>" : value)
    }

    static func measureName(_ measure: RelevanceScreening.Measure) -> String {
        switch measure {
        case .outside: FigureText.t("screening_outside")
        case .peak: FigureText.t("screening_peak")
        }
    }
}

/// The raw values of a `screening` figure: per class its shares, their modified z-scores
/// and flags, and its mean map; the flagged classes.
struct ScreeningValues: Encodable {
    struct Class: Encodable {
        let `class`: Int
        let count: Int
        let outside: Double
        let peak: Double
        let outsideZ: Double
        let peakZ: Double
        let flagged: [String]
        /// The share of the input's pixels where the other classes have no ink.
        let blankElsewhere: Double
        let meanMap: MapValues
    }
    let method: String
    let settings: [String: String]
    let split: String
    let countPerClass: Int
    let flagAbove: Double
    let classes: [Class]
    let flagged: [Int]

    init(method: ConfiguredMethod, count: Int, split: String, results: [RelevanceScreening.ClassResult]) {
        self.method = method.name
        settings = method.settings.values
        self.split = split
        countPerClass = count
        flagAbove = RelevanceScreening.flagAbove
        classes = results.map { r in
            Class(
                class: r.classIndex, count: r.count, outside: r.values[.outside] ?? 0, peak: r.values[.peak] ?? 0,
                outsideZ: r.zScores[.outside] ?? 0, peakZ: r.zScores[.peak] ?? 0, flagged: r.flagged.map(\.rawValue),
                blankElsewhere: Double(r.elsewhereBlank.filter { $0 }.count) / Double(max(r.elsewhereBlank.count, 1)),
                meanMap: MapValues(r.meanMap))
        }
        flagged = results.filter { !$0.flagged.isEmpty }.map(\.classIndex)
    }
}
