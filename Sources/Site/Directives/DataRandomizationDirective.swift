import Common
import CNN
import Explain
import Foundation
import Render

/// The data-randomization test (Adebayo et al., 2018): a method's maps on the trained model
/// beside its maps on the same network trained on shuffled labels. A method that explains
/// what the model learned must draw something different for a model that learned nothing
/// about digits; a method whose maps stay alike is showing the input, not the model.
struct DataRandomizationDirective: Directive {
    static let name = "data-randomization"
    static let summary =
        "The data-randomization test (Adebayo et al., 2018): each method's maps on the model and on a copy trained "
        + "on shuffled labels (`against`), side by side, and how alike they are by rank correlation (over all pixels "
        + "and over the ink), SSIM and HOG similarity, beside each measure's noise floor."
    static let options: [OptionSpec] = [
        against.spec,
        SharedOption.methods.documented(default: "[vanilla, guided, integrated-gradients, gradcam]", "The methods.")
            .spec,
        images.spec, shown.spec, DirectiveOptions.preprocessSpec, SharedOption.layer.spec,
        SanityCheckDirective.similarity.spec, seed.spec, colormap.spec, scale.spec,
    ]
    static let against = DirectiveOption(
        "against", "path", default: nil,
        "Required: the spec of the model the maps are compared with, relative to the content folder — for the test, "
            + "the same network trained with `labels: shuffled`. It must take the same input and classes.")
    static let images = SharedOption.images.documented("The images the similarities are averaged over.")
    static let shown = DirectiveOption(
        "shown", "integer 0–4", default: "2",
        "How many of the images are drawn (the first ones), each as a pair of columns: the map on the model and on "
            + "the other; one row per method.")
    static let seed = DirectiveOption(
        "seed", "integer", default: "0", "Seed of the two random networks that give the noise floor.")
    static let colormap = DirectiveOption(
        "colormap", "a colormap name", default: "viridis", "The colormap (maps are shown as magnitudes).")
    static let scale = DirectiveOption("scale", "integer 1–16", default: "3", "Display pixels per input pixel.")
    static let example = "against: models/mnist-shuffled-labels.yml\nmethods: [vanilla, gradcam]\nimages: test[0:20]"

    let other: String
    let otherLocation: SourceLocation
    let methods: [ConfiguredMethod]
    let images: [ImageSelector]
    let shownCount: Int
    let measures: [MapSimilarity]
    let seed: Int
    let panels: HeatmapPanels
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        guard let other = try Self.against.string(options) else {
            throw SourceError(
                "data-randomization needs 'against': the spec of the model trained on shuffled labels",
                at: options.location)
        }
        self.other = other
        otherLocation = Self.against.location(in: options)
        methods = try options.methods(default: ["vanilla", "guided", "integrated-gradients", "gradcam"], model: model)
        images = try Self.images.images(options, default: "test[0:20]", classes: model.classes)
        shownCount = try Self.shown.int(options, default: 2, in: 0...4)
        let names = MapSimilarity.allCases.map(\.rawValue)
        measures = try SanityCheckDirective.similarity.choices(options, from: names, default: names)
            .compactMap(MapSimilarity.init)
        seed = try Self.seed.int(options, default: 0, in: 0...Int(Int32.max))
        panels = HeatmapPanels(
            colormap: try Self.colormap.colormap(options, default: "viridis"), normalization: .minMax, shared: false,
            scale: try Self.scale.int(options, default: 3, in: 1...16), alpha: 0.5)
        location = Self.images.location(in: options)
    }

    var otherModels: [ModelReference] { [ModelReference(path: other, location: otherLocation)] }

    /// The figure calls the other model "the same network trained on shuffled labels": a
    /// model that is not is no control, and the figure would say something false.
    func problems(model: ModelSpec, others: [ModelSpec]) -> [SourceError] {
        guard let against = others.first else { return [] }
        if against.isImported || against.weights != nil {
            return [
                .warning(
                    "\(other) is a model vizsite does not train, so nothing says its labels were shuffled; the figure "
                        + "will call it the network trained on shuffled labels", at: otherLocation)
            ]
        }
        guard against.model.training.labels != .shuffled else { return [] }
        return [
            .warning(
                "\(other) is trained on its real labels, so this is no data-randomization test: the figure will call "
                    + "it the network trained on shuffled labels; give its spec 'training: {labels: shuffled}'",
                at: otherLocation)
        ]
    }
    var inputFiles: [String] { images.files }
    var caption: String {
        "Each method's maps on the trained model and on \(other), the same network trained on shuffled labels, "
            + "and how alike they are over \(images.text). A method that explains the model should tell them apart: "
            + "its similarity should fall to the noise floor, that of two unrelated random networks."
    }
    var alt: String { "maps of the trained model beside maps of a model trained on shuffled labels" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location), model = context.model
        let against = try context.otherModel(other)
        let result = try DataRandomization.run(
            images: selected.map(\.explained),
            methods: methods.map { DataRandomization.Method($0.entry.method($0.settings), layer: $0.layer) },
            measures: measures, model: model, other: against.model, seed: UInt64(seed), keeping: shownCount)
        var body = panelsHTML(Array(zip(selected, result.kept)), figure: figure)
        body += table(result)
        let accuracy = try Self.accuracies(of: against, context: context)
        try figure.json(values(result, images: selected, accuracy: accuracy), name: "data-randomization")
        return (
            body,
            [
                FigureText.t("n_images", ["n": "\(selected.count)"]),
                FigureText.t(
                    "shuffled_fit",
                    [
                        "model": other, "training": String(format: "%.1f%%", accuracy.training * 100),
                        "held_out": String(format: "%.1f%%", accuracy.heldOut * 100),
                    ]),
                FigureText.t("compared_by_magnitude"), FigureText.t("floor_in_parentheses", ["seed": "\(seed)"]),
            ]
        )
    }

    /// The maps drawn: a column pair per image (the model, the other), a row per method,
    /// under a row of the inputs, with one colorbar.
    func panelsHTML(_ shown: [(SelectedImage, [DataRandomization.Pair])], figure: FigureBuilder) -> String {
        guard !shown.isEmpty else { return "" }
        var columns: [String] = [], inputs: [String] = []
        var drawn = Array(repeating: [String](), count: methods.count)
        var cardTiles: [RGBAImage] = []
        for (n, (image, pairs)) in shown.enumerated() {
            columns += [
                FigureText.t("on_trained", ["image": imageHeader(image, explanation: pairs[0].trained)]),
                FigureText.t("shuffled_labels"),
            ]
            let digit = panels.pictures(image: image, map: image.heatmap, normalization: .minMax).digit
            let cell = figure.image(
                digit, name: "data-randomization-input", alt: FigureText.t("alt_input_named", ["image": image.name]))
            inputs += [cell, cell]
            for (m, pair) in pairs.enumerated() {
                let models = [(pair.trained, FigureText.t("trained")), (pair.other, FigureText.t("shuffled_labels"))]
                for (j, (e, which)) in models.enumerated() {
                    let magnitude = Heatmap(width: e.map.width, height: e.map.height, values: e.map.values.map(abs))
                    let p = panels.pictures(
                        image: image, map: magnitude, placement: e.placement, normalization: .minMax)
                    if cardTiles.count < 8 { cardTiles.append(p.overlay) }
                    drawn[m].append(
                        figure.image(
                            p.overlay, name: "data-randomization-\(methods[m].name)",
                            alt: FigureText.t(
                                "alt_method_model_on",
                                ["method": methods[m].title, "model": which, "image": image.name]),
                            thumbnail: n == 0 && m == 0 && j == 0, pixelated: false))
                }
            }
        }
        figure.card(cardTiles, columns: min(4, cardTiles.count))
        let rows = [(FigureText.t("panel_input"), inputs)] + methods.indices.map { (methods[$0].title, drawn[$0]) }
        let bar = figure.svg(
            Colorbar(colormap: panels.colormap, low: 0, high: 1, label: FigureText.t("magnitude_per_map"))
                .horizontalSVG(),
            name: "data-randomization-colorbar",
            title: FigureText.t(
                "colorbar_title", ["colormap": panels.colormap.name, "scale": FigureText.t("magnitude_per_map")]))
        return FigureLayout.withColorbarBelow(
            FigureLayout.panels(columns: columns, rows: rows, corner: FigureText.t("method_column")), colorbar: bar)
    }

    /// Per method and measure, the mean similarity with the mean floor in parentheses.
    func table(_ result: DataRandomization.Result) -> String {
        let means = result.similarities.map { $0.map(SanityCheckDirective.mean) }
        let floorMeans = result.floors.map { $0.map(SanityCheckDirective.mean) }
        return FigureLayout.table(
            header: [FigureText.t("method_column")]
                + measures.map { FigureText.t("with_floor", ["name": SanityCheckDirective.label($0)]) },
            rows: methods.indices.map { m in
                [methods[m].title]
                    + measures.indices.map { i in
                        "\(SanityCheckDirective.format(means[m][i])) (\(SanityCheckDirective.format(floorMeans[m][i])))"
                    }
            },
            numeric: Set(1...measures.count))
    }

    func values(
        _ result: DataRandomization.Result, images: [SelectedImage], accuracy: (training: Double, heldOut: Double)
    ) -> DataRandomizationValues {
        let finite = SanityCheckDirective.finite
        return DataRandomizationValues(
            images: images.map(\.name), against: other, trainingAccuracy: accuracy.training,
            heldOutAccuracy: accuracy.heldOut, seed: seed,
            methods: methods.indices.map { m in
                .init(
                    method: methods[m].name,
                    similarities: measures.indices.map { i in
                        .init(
                            measure: measures[i].rawValue,
                            mean: finite(SanityCheckDirective.mean(result.similarities[m][i])),
                            noiseFloor: finite(SanityCheckDirective.mean(result.floors[m][i])),
                            perImage: result.similarities[m][i].map(finite),
                            noiseFloorPerImage: result.floors[m][i].map(finite))
                    })
            })
    }

    /// How well the other model fits the labels it was trained on (shuffled, for the test:
    /// near 100 % once memorized) and the held-out split's true labels (chance, for the test).
    static func accuracies(
        of other: DirectiveContext.OtherModel, context: DirectiveContext
    ) throws
        -> (training: Double, heldOut: Double)
    {
        let data = try context.data.get()
        let train = other.spec.model.training.trainingSet(try data.inputs("train"))
        // The held-out images alone (the figure's model's evaluation on them is not needed);
        // `heldOut()` only to report a dataset without such a split.
        let heldOut = try data.inputs(data.evaluationSplit ?? context.heldOut().split)
        return (
            Evaluation(model: other.model, data: train).accuracy,
            Evaluation(model: other.model, data: heldOut).accuracy
        )
    }
}

/// data-randomization: the similarities of each method's maps on the two models.
struct DataRandomizationValues: Encodable {
    /// Undefined values (a measure of constant maps) are null.
    struct Similarity: Encodable {
        let measure: String
        let mean: Double?
        let noiseFloor: Double?
        let perImage: [Double?]
        let noiseFloorPerImage: [Double?]
    }
    struct Method: Encodable {
        let method: String
        let similarities: [Similarity]
    }
    let images: [String]
    let against: String
    /// The other model's accuracy on the labels it was trained on, and on the held-out split.
    let trainingAccuracy: Double
    let heldOutAccuracy: Double
    let seed: Int
    let methods: [Method]
}
