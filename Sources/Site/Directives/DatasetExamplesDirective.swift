import Common
import CNN
import Explain
import Foundation
import Render

/// The images of a split that activate each unit most, with where the unit fires over each
/// (Distill's "dataset examples"): the data's answer to what a filter responds to, beside
/// activation maximization's.
struct DatasetExamplesDirective: Directive {
    static let name = "dataset-examples"
    static let summary =
        "For each unit of a layer, the images of a split that activate it most, with its activation map."
    static let layer = DirectiveOption(
        "layer", "layer name", default: "the last block's output with a spatial grid (a plain CNN's last convolution)",
        "The layer whose units are shown.")
    static let units = DirectiveOption(
        "units", "list of unit numbers", default: "[0, 1, 2, 3]", "The units (channels or dense units), as rows.")
    static let count = DirectiveOption("count", "integer 1–16", default: "6", "Images per unit, the strongest first.")
    static let split = DirectiveOption(
        "split", "a split of the data", default: "test", "The split searched, every image of it.")
    static let score = DirectiveOption(
        "score", "one of max, mean", default: "max",
        "How a channel's map becomes one score: its largest value (the unit's pattern is somewhere in the image) or "
            + "its mean.")
    static let colormap = DirectiveOption("colormap", "a colormap name", default: "inferno", "The colormap.")
    static let scale = DirectiveOption("scale", "integer 1–16", default: "3", "Display pixels per input pixel.")
    static let options = [
        layer.spec, units.spec, count.spec, split.spec, score.spec, colormap.spec, scale.spec,
    ]
    static let example = "layer: conv2d_1\nunits: [0, 5, 9]\ncount: 6"

    let layer: String
    let units: [Int]
    let count: Int
    let split: String
    let score: DatasetExamples.Score
    let colormap: Colormap
    let scale: Int
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        let layer = try Self.layer.layer(
            options, model: model, requirement: .maps, default: model.defaultCAMLayer ?? model.layers[0].name)
        self.layer = layer
        let channels = model.layers.first { $0.name == layer }!.outputShape.last!
        units = try Self.units.ints(options, default: Array(0..<min(4, channels)), in: 0...(channels - 1))
        guard !units.isEmpty, units.count <= 32 else {
            throw options.error("units lists 1 to 32 units, found \(units.count)", option: Self.units.name)
        }
        count = try Self.count.int(options, default: 6, in: 1...16)
        // `test` means the held-out split where there is no test split, as in selectors.
        if let known = options.splitNames {
            let choices = known.contains("test") ? known : known + ["test"]
            split = try Self.split.choice(options, from: choices, default: "test")
        } else {
            split = try Self.split.string(options) ?? "test"
        }
        location = Self.split.location(in: options)
        score = DatasetExamples.Score(rawValue: try Self.score.choice(options, from: ["max", "mean"], default: "max"))!
        colormap = try Self.colormap.colormap(options, default: "inferno")
        scale = try Self.scale.int(options, default: 3, in: 1...16)
    }

    var caption: String {
        "The \(count) \(split) images that activate each of units \(units.map(String.init).joined(separator: ", ")) "
            + "of \(layer) most (by the channel's \(score.rawValue)), the unit's activation over each."
    }
    var alt: String { "the images that activate units of \(layer) most" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let model = context.model, index = model.layerIndex(named: layer)!
        let loaded = try context.data.get()
        guard let splitName = loaded.split(named: split) else {
            throw SourceError(
                "\(loaded.name) has no split '\(split)'; it has \(loaded.splitNames.joined(separator: ", "))",
                at: SourceLocation(file: loaded.name, line: 0, column: 0))
        }
        let pool = try loaded.inputs(splitName)
        let top = DatasetExamples.top(
            model: model, layer: index, units: units, images: pool.images, count: count, score: score)
        let spatial = model.spatialLayout(layer: index) != nil
        let placement = model.mapPlacement(layer: index)
        var rows: [(header: String, cells: [String])] = [], json: [UnitExamples] = [], tiles: [RGBAImage] = []
        for (unit, examples) in zip(units, top) {
            let images = try context.images(
                examples.map { .dataset(split, .all, $0.index..<($0.index + 1)) }, at: location)
            let maps = images.map { DatasetExamples.map(model: model, layer: index, unit: unit, image: $0.pixels) }
            // One scale per unit, from 0: how strongly each image drives it, compared.
            let high = max(maps.flatMap { $0.values }.max() ?? 0, Float.leastNonzeroMagnitude)
            let panels = HeatmapPanels(
                colormap: colormap, normalization: .fixed(low: 0, high: high), shared: true, scale: scale, alpha: 0.6)
            var cells: [String] = []
            for (image, (example, map)) in zip(images, zip(examples, maps)) {
                let picture =
                    spatial
                    ? panels.pictures(image: image, map: map, placement: placement, normalization: panels.normalization)
                        .overlay
                    : image.display.upscaled(by: scale)
                if tiles.count < 8 { tiles.append(picture) }
                let label = "\(image.name) · \(String(format: "%.3g", Double(example.score)))"
                cells.append(
                    figure.image(
                        picture, name: "dataset-examples-\(unit)",
                        alt: FigureText.t(
                            "alt_activates",
                            ["image": image.name, "unit": "\(unit)", "layer": layer, "score": label]),
                        pixelated: false)
                        + "<span class=\"viz-label\">\(HTML.escape(label))</span>")
            }
            rows.append(
                (
                    spatial
                        ? FigureText.t("filter_number", ["k": "\(unit)"])
                        : FigureText.t("unit_number", ["k": "\(unit)"]),
                    cells
                ))
            let values = images.indices.map { i in
                ExampleValues(
                    image: images[i].name, label: images[i].label, score: Double(examples[i].score),
                    footprint: UnitFootprint(maps[i]), placement: spatial ? placement : nil, map: MapValues(maps[i]))
            }
            json.append(UnitExamples(unit: unit, examples: values))
        }
        figure.card(tiles, columns: min(4, max(tiles.count, 1)))
        try figure.json(
            DatasetExamplesValues(
                layer: layer, split: split, score: score.rawValue,
                activeShareRange: extent(json.flatMap { $0.examples.map(\.activeShare) }), units: json),
            name: "dataset-examples-\(layer)")
        let ordinals = (1...count).map { $0 == 1 ? FigureText.t("strongest") : FigureText.t("ordinal", ["n": "\($0)"]) }
        let table = FigureLayout.panels(columns: ordinals, rows: rows, corner: "")
        return (
            table,
            [
                FigureText.t("every_image_searched", ["split": FigureText.split(split), "n": pool.count.grouped]),
                score == .max ? FigureText.t("score_max") : FigureText.t("score_mean"),
                FigureText.t("colormap_unit_range", ["name": colormap.name]),
            ]
        )
    }
}

/// dataset-examples: per unit, the strongest images with their scores and maps, and where
/// the unit fires in each (`UnitFootprint`): `active_share` (the map's share above half its
/// peak), the peak's cell and, for a map laid on the input by receptive fields, the input
/// pixel at the peak cell's centre; per unit and over all units their ranges [min, max].
struct DatasetExamplesValues: Encodable {
    let layer: String
    let split: String
    let score: String
    let activeShareRange: [Double]
    let units: [UnitExamples]
}

struct UnitExamples: Encodable {
    let unit: Int
    let activeShareRange: [Double]
    /// The rows and columns of the input pixels the peaks sit on, [min, max]; null when the
    /// maps are not laid on the input by receptive fields.
    @ExplicitNull var peakInputRows: [Int]?
    @ExplicitNull var peakInputColumns: [Int]?
    let examples: [ExampleValues]

    init(unit: Int, examples: [ExampleValues]) {
        self.unit = unit
        self.examples = examples
        activeShareRange = extent(examples.map(\.activeShare))
        let rows = examples.compactMap { $0.peakInput?.row }, columns = examples.compactMap { $0.peakInput?.column }
        if rows.count == examples.count, let low = rows.min(), let high = rows.max() {
            peakInputRows = [low, high]
            peakInputColumns = [columns.min()!, columns.max()!]
        }
    }

    enum CodingKeys: String, CodingKey {
        case unit, activeShareRange, peakInputRows, peakInputColumns, examples
    }
}

struct ExampleValues: Encodable {
    struct Cell: Encodable, Equatable {
        let row: Int
        let column: Int
    }
    let image: String
    let label: Int?
    let score: Double
    let activeShare: Double
    let peak: Cell
    @ExplicitNull var peakInput: Cell?
    let map: MapValues

    init(image: String, label: Int?, score: Double, footprint: UnitFootprint, placement: MapPlacement?, map: MapValues)
    {
        self.image = image
        self.label = label
        self.score = score
        activeShare = footprint.activeShare
        peak = Cell(row: footprint.peakRow, column: footprint.peakColumn)
        if case .centres(let offsetX, let offsetY, let strideX, let strideY) = placement {
            peakInput = Cell(
                row: Int((offsetY + strideY * Double(footprint.peakRow)).rounded(.down)),
                column: Int((offsetX + strideX * Double(footprint.peakColumn)).rounded(.down)))
        }
        self.map = map
    }

    enum CodingKeys: String, CodingKey {
        case image, label, score, activeShare, peak, peakInput, map
    }
}
