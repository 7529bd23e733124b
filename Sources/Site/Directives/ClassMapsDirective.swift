import Common
import CNN
import Explain
import Foundation
import Render

/// One map per class for each image, as shap's `image_plot` draws them: a row per image,
/// a column per class, every map of a row on one scale so the classes compare (symmetric
/// around zero for a signed method: red for, blue against).
struct ClassMapsDirective: Directive {
    static let name = "class-maps"
    static let summary = "One map per class for each image (as shap's image_plot), a shared scale per row."
    static let images = SharedOption.images.documented("The images, as rows.")
    static let classesOption = DirectiveOption(
        "classes", "list of class numbers", default: "all (at most 10)", "The classes, as columns.")
    static let colormap = DirectiveOption(
        "colormap", "a colormap name", default: "RdBu_r for signed methods, else viridis", "The colormap.")
    static let scale = DirectiveOption("scale", "integer 1–16", default: "2", "Display pixels per input pixel.")
    static let options: [OptionSpec] =
        [
            SharedOption.method.documented(default: "vanilla", "The attribution method.").spec, images.spec,
            classesOption.spec, DirectiveOptions.preprocessSpec, SharedOption.layer.spec,
        ] + DirectiveOptions.parameterSpecs(MethodCatalogue.all) + [colormap.spec, scale.spec]
    static let example = "method: input-x-gradient\nimages: test[0:3]"

    let method: ConfiguredMethod
    let images: [ImageSelector]
    let classes: [Int]
    let colormap: Colormap
    let scale: Int
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        // Every method that reads the target; baselines and Eigen-CAM would draw one map per row.
        let entries = MethodCatalogue.all.filter {
            $0.family != .baseline && $0.family != .attention && $0.name != "eigencam"
        }
        method = try options.method(from: entries, default: "vanilla", model: model)
        images = try Self.images.images(options, default: "test[0:3]", classes: model.classes)
        classes = try Self.classesOption.ints(
            options, default: Array(0..<min(model.classes, 10)), in: 0...(model.classes - 1))
        guard !classes.isEmpty, classes.count <= 20 else {
            throw options.error(
                "classes lists 1 to 20 classes, found \(classes.count)", option: Self.classesOption.name)
        }
        let defaultMap = method.entry.isSigned ? "RdBu_r" : "viridis"
        colormap = try Self.colormap.colormap(options, default: defaultMap)
        scale = try Self.scale.int(options, default: 2, in: 1...16)
        location = Self.images.location(in: options)
    }

    var inputFiles: [String] { images.files }
    var caption: String {
        let list = classes.map(String.init).joined(separator: ", ")
        return "\(method.title) for each of the classes \(list) on \(images.text); each row on one scale."
    }
    var alt: String { "attribution maps of every class" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location)
        let signed = method.entry.isSigned
        let panels = HeatmapPanels(
            colormap: colormap, normalization: signed ? .symmetric : .minMax, shared: true, scale: scale, alpha: 0.5)
        var rows: [(header: String, cells: [String])] = [], json: [ExplanationValues] = [], tiles: [RGBAImage] = []
        for image in selected {
            let explanations = try classes.map { try method.explain(image, target: .class($0), model: context.model) }
            // One scale per row: the classes of an image compare; images need not.
            let range = panels.normalization.range(of: explanations.flatMap(\.map.values))
            var cells = [
                figure.image(
                    image.display.upscaled(by: scale), name: "class-maps-input",
                    alt: FigureText.t("alt_input_named", ["image": image.name]))
            ]
            for (k, e) in zip(classes, explanations) {
                let p = panels.pictures(
                    image: image, map: e.map, placement: e.placement,
                    normalization: .fixed(low: range.low, high: range.high))
                // The heatmap alone: the input is the row's first cell, and a diverging map's zero
                // (white) over a digit would wash its colours out.
                if tiles.count < 8 { tiles.append(p.heatmap) }
                cells.append(
                    figure.image(
                        p.heatmap, name: "class-maps-\(k)",
                        alt: FigureText.t(
                            "alt_class_map", ["method": method.title, "class": "\(k)", "image": image.name]),
                        pixelated: false))
                json.append(ExplanationValues(image, e))
            }
            // The header names the label and the prediction; the columns name the classes.
            let p = explanations[0].probabilities
            let predicted = p.indices.max { p[$0] < p[$1] } ?? 0
            rows.append(
                (imageHeader(image) + " · " + FigureText.t("predicted", ["class": image.className(predicted)]), cells))
        }
        figure.card(tiles, columns: min(4, tiles.count))
        try figure.json(ClassMapsValues(method: method.name, classes: classes, maps: json), name: "class-maps")
        let known = context.classNames()
        let names = classes.map { k in known.map { $0[k] } ?? FigureText.t("class_number", ["k": "\(k)"]) }
        let table = FigureLayout.panels(
            columns: [FigureText.t("panel_input")] + names, rows: rows, corner: FigureText.t("image"))
        let bar = figure.svg(
            Colorbar(
                colormap: colormap, low: signed ? -1 : 0, high: 1,
                label: signed ? FigureText.t("per_row_magnitude") : FigureText.t("per_row_largest")
            ).horizontalSVG(),
            name: "class-maps-colorbar",
            title: FigureText.t("colorbar_title", ["colormap": colormap.name, "scale": FigureText.t("per_row_scale")]))
        return (
            FigureLayout.withColorbarBelow(table, colorbar: bar),
            [
                FigureText.t("method", ["name": method.name]),
                FigureText.t(
                    "normalization_per_row", ["name": signed ? FigureText.t("symmetric") : FigureText.t("minmax")]),
                FigureText.t("colormap", ["name": colormap.name]),
            ]
        )
    }
}

/// class-maps: every image's map for each class.
struct ClassMapsValues: Encodable {
    let method: String
    let classes: [Int]
    let maps: [ExplanationValues]
}
