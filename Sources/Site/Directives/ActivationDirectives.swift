import Common
import CNN
import Explain
import Foundation
import Render

/// The kernels of a convolution layer.
struct FiltersDirective: Directive {
    static let name = "filters"
    static let summary = "The kernels (filters) of a convolution layer, one small image per filter, signed weights on a diverging colormap."
    static let options: [OptionSpec] = [
        OptionSpec("layer", "convolution layer name", default: "the first convolution", "The layer whose kernels are shown."),
        OptionSpec("channel", "integer", default: "0", "The input channel of the kernels (a layer with several input channels has one kernel slice per channel)."),
        OptionSpec("count", "integer 1–512", default: "all filters", "How many filters to show, from the first."),
        OptionSpec("colormap", "a colormap name", default: "RdBu_r", "The colormap; weights are signed, so a diverging one is best."),
        OptionSpec("scale", "integer 1–32", default: "12", "Display pixels per kernel weight."),
    ]
    static let example = "layer: conv2d_1\ncolormap: RdBu_r"

    let layer: String
    let channel: Int
    let count: Int
    let colormap: Colormap
    let scale: Int

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        let layer = try options.layer(model: model, convolution: true, default: model.firstConvolution)
        self.layer = layer
        let conv = model.layers.first { $0.name == layer } as! Conv2D
        let shape = conv.parameterShapes[0].shape
        channel = try options.int("channel", default: 0, in: 0...(shape[2] - 1))
        count = try options.int("count", default: shape[3], in: 1...shape[3])
        colormap = try options.colormap(default: "RdBu_r")
        scale = try options.int("scale", default: 12, in: 1...32)
    }

    var caption: String { "The \(count) kernels of \(layer)\(channel > 0 ? " for input channel \(channel)" : ""), each weight a cell; red is positive, blue negative, white zero (one shared symmetric scale)." }
    var alt: String { "convolution kernels of \(layer)" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let kernels = try Filters.kernels(of: context.model, layer: layer).prefix(count).map { $0[channel] }
        let range = Normalization.symmetric.range(of: kernels.flatMap(\.values))
        let pictures = kernels.map { $0.render(colormap, normalization: .fixed(low: range.low, high: range.high)).image.upscaled(by: scale) }
        let cells = pictures.enumerated().map { i, picture -> (html: String, label: String) in
            (figure.image(picture, name: "filter-\(layer)", alt: "kernel \(i) of \(layer)"), "\(i)")
        }
        figure.card(pictures, columns: 8)
        let bar = figure.svg(Colorbar(colormap: colormap, low: range.low, high: range.high, label: "weight").svg(height: 140),
                             name: "filters-colorbar", title: "colorbar: kernel weight")
        try figure.json(FiltersValues(layer: layer, inputChannel: channel, kernels: kernels.map(MapValues.init)), name: "filters-\(layer)")
        return (FigureLayout.withColorbar(FigureLayout.grid(cells), colorbar: bar),
                ["colormap \(colormap.name)", String(format: "symmetric, shared: ±%.3g", Double(range.high))])
    }
}

/// A layer's activations for one image.
struct FeatureMapsDirective: Directive {
    static let name = "feature-maps"
    static let summary = "The activations (feature maps) of a layer for one image, one small image per channel."
    static let options: [OptionSpec] = [
        OptionSpec("layer", "layer name", default: "the first convolution", "The layer whose output is shown."),
        OptionSpec("image", "image selector (one image)", default: "test[0]", "The input image."),
        DirectiveOptions.preprocessSpec,
        OptionSpec("count", "integer 1–512", default: "all channels", "How many channels to show, from the first."),
        OptionSpec("colormap", "a colormap name", default: "viridis", "The colormap."),
        OptionSpec("scale", "integer 1–16", default: "3", "Display pixels per activation."),
    ]
    static let example = "layer: conv2d_1\nimage: test[0]\ncount: 16"

    let layer: String
    let image: [ImageSelector]
    let count: Int?
    let colormap: Colormap
    let scale: Int
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        let layer = try options.layer(model: model, convolution: false, default: model.firstConvolution ?? model.layers[0].name)
        self.layer = layer
        image = try options.images("image", default: "test[0]", classes: model.classes)
        let shape = model.layers.first { $0.name == layer }!.outputShape
        let channels = shape.count == 3 ? shape[2] : 1
        if image.count != 1 || image.first.map({ if case .dataset(_, _, let r) = $0 { r.count != 1 } else { false } }) == true {
            throw options.error("feature-maps shows one image; give a single selector such as test[0]", option: "image")
        }
        count = options["count"] == nil ? nil : try options.int("count", default: channels, in: 1...channels)
        colormap = try options.colormap(default: "viridis")
        scale = try options.int("scale", default: 3, in: 1...16)
        location = options.location(of: "image")
    }

    var inputFiles: [String] { image.files }
    var caption: String { "\(count.map { "The first \($0) feature maps" } ?? "The feature maps") of \(layer) for \(image.text), on one shared scale: bright where a filter responds." }
    var alt: String { "feature maps of \(layer)" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(image, at: location)[0]
        var maps = try FeatureMaps.compute(context.model, image: selected.pixels, layer: layer)
        if let count { maps = Array(maps.prefix(count)) }
        let range = Normalization.minMax.range(of: maps.flatMap(\.values))
        let isRow = maps.count == 1 && maps[0].height == 1
        let input = selected.heatmap
        let digit = figure.image(RGBAImage.grayscale(width: input.width, height: input.height, values: input.values).upscaled(by: 4),
                                 name: "feature-input", alt: "input \(selected.name)")
        var cells: [(html: String, label: String)] = []
        if isRow {
            // A flat layer: its units as one strip, 4 pixels each.
            let strip = maps[0].render(colormap, normalization: .fixed(low: range.low, high: range.high)).image.upscaled(by: 4)
            cells.append((figure.image(strip, name: "feature-\(layer)", alt: "activations of \(layer)", thumbnail: true), "\(maps[0].width) units"))
        } else {
            let pictures = maps.map { $0.render(colormap, normalization: .fixed(low: range.low, high: range.high)).image.upscaled(by: scale) }
            cells = pictures.enumerated().map { i, picture in
                (figure.image(picture, name: "feature-\(layer)", alt: "channel \(i) of \(layer)"), "\(i)")
            }
            figure.card(pictures)
        }
        let bar = figure.svg(Colorbar(colormap: colormap, low: range.low, high: range.high, label: "activation").svg(height: 120),
                             name: "feature-colorbar", title: "colorbar: activation")
        try figure.json(FeatureMapsValues(layer: layer, image: selected.name, maps: maps.map(MapValues.init)), name: "feature-maps-\(layer)")
        let body = "<div class=\"viz-row\"><div class=\"viz-cell\">\(digit)<span class=\"viz-label\">\(HTML.escape(imageHeader(selected)))</span></div>"
            + FigureLayout.grid(cells) + "<div class=\"viz-colorbar\">\(bar)</div></div>"
        return (body, ["colormap \(colormap.name)", String(format: "min–max, shared: %.3g … %.3g", Double(range.low), Double(range.high))])
    }
}

/// Activation maximization of filters or classes.
struct MaximizeDirective: Directive {
    static let name = "maximize"
    static let summary = "Activation maximization: inputs synthesized by gradient ascent to excite chosen filters or classes, with L2, total-variation and jitter regularizers."
    static let options: [OptionSpec] = [
        OptionSpec("layer", "layer name", default: "the output layer", "A convolution (its filters) or a dense layer (its units; the output layer's are the classes, pre-softmax)."),
        OptionSpec("units", "integer or list", default: "all classes, or the first 8 filters", "The filters or units to maximize."),
        OptionSpec("steps", "integer 1–2000", default: "256", "Gradient-ascent steps."),
        OptionSpec("learning_rate", "number", default: "0.05", "Step size."),
        OptionSpec("l2", "number ≥ 0", default: "0.001", "L2 decay weight."),
        OptionSpec("tv", "number ≥ 0", default: "0.05", "Total-variation weight (smoothness)."),
        OptionSpec("jitter", "integer 0–8", default: "1", "Random shift in pixels at each step."),
        OptionSpec("seed", "integer", default: "0", "Seed of the starting image and the jitter."),
        OptionSpec("colormap", "a colormap name", default: "gray", "The colormap."),
        OptionSpec("scale", "integer 1–16", default: "3", "Display pixels per input pixel."),
        OptionSpec("variants", "list of none, l2, tv, jitter, all", default: "—",
                   "Compare regularizers on the first unit, side by side: none; L2 decay alone (0.01); total variation alone (0.2); jitter alone (2 pixels); all (this directive's l2, tv and jitter)."),
    ]
    static let example = "layer: preds\nunits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\nsteps: 256"
    static let variantNames = ["none", "l2", "tv", "jitter", "all"]

    let layer: String
    let units: [Int]
    var settings: ActivationMaximization
    let colormap: Colormap
    let scale: Int
    let variants: [String]?

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        let layer = try options.layer(model: model, convolution: false, default: model.layers.last!.name)
        self.layer = layer
        let index = model.layers.firstIndex { $0.name == layer }!
        guard model.layers[index] is Conv2D || model.layers[index] is Dense else {
            let names = model.layers.filter { $0 is Conv2D || $0 is Dense }.map(\.name)
            throw options.error("maximize needs a convolution or dense layer; '\(layer)' is a \(model.layers[index].kind); expected one of \(names.joined(separator: ", "))", option: "layer")
        }
        let available = model.layers[index].outputShape.last!
        units = try options.ints("units", default: Array(0..<min(available, model.layers[index] is Conv2D ? 8 : 10)), in: 0...(available - 1))
        guard units.count <= 64 else { throw options.error("at most 64 units per figure, found \(units.count)", option: "units") }
        settings = ActivationMaximization(
            steps: try options.int("steps", default: 256, in: 1...2000),
            learningRate: Float(try options.double("learning_rate", default: 0.05, in: 1e-6...10)),
            l2: Float(try options.double("l2", default: 0.001, in: 0...10)),
            totalVariation: Float(try options.double("tv", default: 0.05, in: 0...10)),
            jitter: try options.int("jitter", default: 1, in: 0...8),
            seed: UInt64(try options.int("seed", default: 0, in: 0...Int(Int32.max))))
        colormap = try options.colormap(default: "gray")
        scale = try options.int("scale", default: 3, in: 1...16)
        variants = options["variants"] == nil ? nil : try options.choices("variants", from: Self.variantNames, default: [])
    }

    /// The settings of a regularizer variant.
    func settings(for variant: String) -> (ActivationMaximization, String) {
        var s = settings
        switch variant {
        case "none": s.l2 = 0; s.totalVariation = 0; s.jitter = 0
            return (s, "none")
        case "l2": s.l2 = 0.01; s.totalVariation = 0; s.jitter = 0
            return (s, "L2 0.01")
        case "tv": s.l2 = 0; s.totalVariation = 0.2; s.jitter = 0
            return (s, "TV 0.2")
        case "jitter": s.l2 = 0; s.totalVariation = 0; s.jitter = 2
            return (s, "jitter 2")
        default:
            return (s, "L2 \(settings.l2), TV \(settings.totalVariation), jitter \(settings.jitter)")
        }
    }

    var caption: String {
        if let variants {
            return "Unit \(units[0]) of \(layer) maximized with each regularizer setting (\(variants.joined(separator: ", "))), \(settings.steps) steps from the same seeded start."
        }
        return captionForUnits
    }

    var captionForUnits: String { "Inputs that maximize \(layer) unit\(units.count == 1 ? "" : "s") \(units.map(String.init).joined(separator: ", ")) (\(settings.steps) steps, L2 \(settings.l2), TV \(settings.totalVariation), jitter \(settings.jitter)), from the same seeded start." }
    var alt: String { "activation maximization images for \(layer)" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        if let variants { return try runVariants(variants, context: context, figure: figure) }
        let results = try units.map { try settings.maximize(context.model, layer: layer, unit: $0) }
        let pictures = results.map { $0.image.render(colormap, normalization: .fixed(low: 0, high: 1)).image.upscaled(by: scale) }
        let cells = zip(units, results).enumerated().map { i, pair -> (html: String, label: String) in
            let (unit, r) = pair
            return (figure.image(pictures[i], name: "maximize-\(layer)", alt: "input maximizing unit \(unit) of \(layer)"),
                    String(format: "%d · %.3g", unit, Double(r.activation)))
        }
        figure.card(pictures)
        let values = zip(units, results).map { unit, r in
            MaximizeValues.Result(unit: unit, variant: nil, l2: Double(settings.l2), tv: Double(settings.totalVariation),
                                  jitter: settings.jitter, activation: Double(r.activation), image: MapValues(r.image))
        }
        try figure.json(MaximizeValues(layer: layer, steps: settings.steps, seed: Int(settings.seed), results: values),
                        name: "maximize-\(layer)")
        return (FigureLayout.grid(cells), ["label: unit · final activation", "pixel values 0–1"])
    }
}

extension MaximizeDirective {
    func runVariants(_ variants: [String], context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        var cells: [(html: String, label: String)] = [], pictures: [RGBAImage] = [], json: [MaximizeValues.Result] = []
        for variant in variants {
            let (s, label) = settings(for: variant)
            let r = try s.maximize(context.model, layer: layer, unit: units[0])
            let picture = r.image.render(colormap, normalization: .fixed(low: 0, high: 1)).image.upscaled(by: scale)
            pictures.append(picture)
            cells.append((figure.image(picture, name: "maximize-\(layer)", alt: "unit \(units[0]) of \(layer) maximized with \(label)"),
                          String(format: "%@ · %.3g", label, Double(r.activation))))
            json.append(MaximizeValues.Result(unit: units[0], variant: variant, l2: Double(s.l2), tv: Double(s.totalVariation),
                                              jitter: s.jitter, activation: Double(r.activation), image: MapValues(r.image)))
        }
        figure.card(pictures)
        try figure.json(MaximizeValues(layer: layer, steps: settings.steps, seed: Int(settings.seed), results: json),
                        name: "maximize-variants-\(layer)")
        return (FigureLayout.grid(cells), ["label: regularizers · final activation", "pixel values 0–1"])
    }
}

/// Class probabilities as bars beside each digit.
struct PredictionsDirective: Directive {
    static let name = "predictions"
    static let summary = "The model's class probabilities for each image, as bars beside the digit."
    static let options: [OptionSpec] = [
        OptionSpec("images", "image selector or list", default: "test[0:4]", "The images."),
        DirectiveOptions.preprocessSpec,
    ]
    static let example = "images: test.misclassified[0:4]"

    let images: [ImageSelector]
    let location: SourceLocation
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        images = try options.images(default: "test[0:4]", classes: model.classes)
        location = options.location(of: "images")
    }

    var inputFiles: [String] { images.files }
    var caption: String { "Class probabilities (softmax) for \(images.text); the predicted class is highlighted." }
    var alt: String { "class probability bars" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location)
        var cells: [String] = []
        var json: [PredictionValues.Image] = []
        for image in selected {
            let p = softmax(context.model.logits(image.pixels)).scalars
            let predicted = p.indices.max { p[$0] < p[$1] }!
            let h = image.heatmap
            let digit = figure.image(RGBAImage.grayscale(width: h.width, height: h.height, values: h.values).upscaled(by: 4),
                                     name: "prediction-input", alt: "digit \(image.name)")
            let bars = figure.svg(BarChart(labels: (0..<p.count).map(String.init), values: p.map(Double.init), highlight: predicted).svg(width: 220, rowHeight: 16),
                                  name: "predictions", title: "probabilities for \(image.name): predicted \(predicted) at \(String(format: "%.1f%%", p[predicted] * 100))")
            cells.append("<div class=\"viz-prediction\"><div class=\"viz-cell\">\(digit)<span class=\"viz-label\">\(HTML.escape(imageHeader(image)))</span></div>\(bars)</div>")
            json.append(PredictionValues.Image(image: image.name, label: image.label, predicted: predicted,
                                               probabilities: p.map(Double.init)))
        }
        try figure.json(PredictionValues(images: json), name: "predictions")
        return ("<div class=\"viz-predictions\">" + cells.joined() + "</div>", ["softmax of the logits"])
    }
}
