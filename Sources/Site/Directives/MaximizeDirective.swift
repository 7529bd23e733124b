import Common
import CNN
import Explain
import Foundation
import Render

/// Activation maximization of filters or classes.
struct MaximizeDirective: Directive {
    static let name = "maximize"
    static let summary =
        "Activation maximization: inputs synthesized by gradient ascent to excite chosen filters or classes, with L2, "
        + "total-variation and jitter regularizers."
    static let layer = DirectiveOption(
        "layer", "layer name", default: "the class scores (the last dense or convolution layer)",
        "A convolution (its filters) or a dense layer (its units; the output layer's are the classes, pre-softmax).")
    static let units = DirectiveOption(
        "units", "integer or list", default: "all classes, or the first 8 filters",
        "The filters or units to maximize.")
    static let steps = DirectiveOption("steps", "integer 1–2000", default: "256", "Gradient-ascent steps.")
    static let learningRate = DirectiveOption("learning_rate", "number", default: "0.05", "Step size.")
    static let l2 = DirectiveOption("l2", "number ≥ 0", default: "0.001", "L2 decay weight.")
    static let tv = DirectiveOption("tv", "number ≥ 0", default: "0.05", "Total-variation weight (smoothness).")
    static let jitter = DirectiveOption("jitter", "integer 0–8", default: "1", "Random shift in pixels at each step.")
    static let seed = DirectiveOption("seed", "integer", default: "0", "Seed of the starting image and the jitter.")
    static let colormap = DirectiveOption("colormap", "a colormap name", default: "gray", "The colormap.")
    static let scale = DirectiveOption("scale", "integer 1–16", default: "3", "Display pixels per input pixel.")
    static let variants = DirectiveOption(
        "variants", "list of none, l2, tv, jitter, all, fourier, lucid", default: "—",
        "Compare on the first unit, side by side: none; L2 decay alone (0.01); total variation alone (0.2); jitter "
            + "alone (2 pixels); all (this directive's l2, tv and jitter); fourier (Lucid's 1/f Fourier image, Adam, "
            + "no transforms); lucid (Fourier image and transformation robustness, Lucid's defaults).")
    static let parametrization = DirectiveOption(
        "parametrization", "one of pixel, fourier", default: "— (the classic ascent)",
        "Optimize as Lucid does: a sigmoid of pixels, or of a 1/f-scaled Fourier spectrum, by Adam; no L2 or TV.")
    static let transforms = DirectiveOption(
        "transforms", "true or false", default: "false",
        "Lucid's transformation robustness: a random shift (±2 px), scale (0.9–1.1) and rotation (±10°) each step.")
    static let diversity = DirectiveOption(
        "diversity", "integer 1–8", default: "1",
        "Images per unit, optimized together with Lucid's diversity term (their Gram matrices pushed apart).")
    static let diversityWeight = DirectiveOption(
        "diversity_weight", "number ≥ 0", default: "\(defaultDiversityWeight)", "The diversity term's weight.")
    static let defaultDiversityWeight = 1.0
    static let options = [
        layer, units, steps, learningRate, l2, tv, jitter, seed, parametrization, transforms, diversity,
        diversityWeight, colormap, scale, variants,
    ].map(\.spec)
    static let example = "layer: preds\nunits: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]\nsteps: 256"
    static let variantNames = ["none", "l2", "tv", "jitter", "all"] + lucidVariants
    /// The variants Lucid's optimizer runs (the others are the classic ascent's settings).
    static let lucidVariants = ["fourier", "lucid"]

    let layer: String
    let units: [Int]
    var settings: ActivationMaximization
    let colormap: Colormap
    let scale: Int
    let variants: [String]?
    /// Lucid's optimizer, when any of its options is given.
    let lucid: FeatureVisualization?

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        // The class scores: the last layer, or the dense layer before an imported softmax.
        let scores = model.layers.last { $0 is Conv2D || $0 is Dense }?.name ?? model.layers.last!.name
        let layer = try Self.layer.layer(options, model: model, requirement: .any, default: scores)
        self.layer = layer
        let index = model.layers.firstIndex { $0.name == layer }!
        guard model.layers[index] is Conv2D || model.layers[index] is Dense else {
            let names = model.layers.filter { $0 is Conv2D || $0 is Dense }.map(\.name)
            throw options.error(
                "maximize needs a convolution or dense layer; '\(layer)' is \(model.layers[index].kind.withArticle); "
                    + "expected one of \(names.joined(separator: ", "))",
                option: Self.layer.name)
        }
        let available = model.layers[index].outputShape.last!
        units = try Self.units.ints(
            options, default: Array(0..<min(available, model.layers[index] is Conv2D ? 8 : 10)), in: 0...(available - 1)
        )
        guard units.count <= 64 else {
            throw options.error("at most 64 units per figure, found \(units.count)", option: Self.units.name)
        }
        settings = ActivationMaximization(
            steps: try Self.steps.int(options, default: 256, in: 1...2000),
            learningRate: Float(try Self.learningRate.double(options, default: 0.05, in: 1e-6...10)),
            l2: Float(try Self.l2.double(options, default: 0.001, in: 0...10)),
            totalVariation: Float(try Self.tv.double(options, default: 0.05, in: 0...10)),
            jitter: try Self.jitter.int(options, default: 1, in: 0...8),
            seed: UInt64(try Self.seed.int(options, default: 0, in: 0...Int(Int32.max))))
        colormap = try Self.colormap.colormap(options, default: "gray")
        scale = try Self.scale.int(options, default: 3, in: 1...16)
        variants =
            options[Self.variants.name] == nil
            ? nil : try Self.variants.choices(options, from: Self.variantNames, default: [])
        let lucidOptions = [Self.parametrization, Self.transforms, Self.diversity, Self.diversityWeight]
        if lucidOptions.contains(where: { options[$0.name] != nil }) {
            let images = try Self.diversity.int(options, default: 1, in: 1...8)
            if images > 1 && FeatureVisualization.diversityLayer(model, unitLayer: index) == nil {
                throw options.error(
                    "diversity compares images at a convolution, and \(layer) has none before it",
                    option: Self.diversity.name)
            }
            let parametrization = try Self.parametrization.choice(
                options, from: FeatureVisualization.Parametrization.allCases.map(\.rawValue), default: "fourier")
            lucid = FeatureVisualization(
                parametrization: FeatureVisualization.Parametrization(rawValue: parametrization)!,
                transforms: try Self.transforms.bool(options, default: false), images: images,
                diversity: Float(
                    try Self.diversityWeight.double(options, default: Self.defaultDiversityWeight, in: 0...1e6)),
                steps: settings.steps, learningRate: settings.learningRate, seed: settings.seed)
        } else {
            lucid = nil
        }
    }

    /// How the raw values name a Lucid run: `lucid fourier+transforms`, `… diversity 1 ×4`.
    static func describe(_ run: FeatureVisualization) -> String {
        "lucid \(run.parametrization.rawValue)\(run.transforms ? "+transforms" : "")"
            + (run.images > 1 ? " diversity \(MethodParameter.format(Double(run.diversity))) ×\(run.images)" : "")
    }

    /// Lucid's optimizer for a variant (`fourier`, `lucid`), with this directive's steps and seed.
    func lucidSettings(for variant: String) -> FeatureVisualization {
        FeatureVisualization(
            parametrization: .fourier, transforms: variant == "lucid", steps: settings.steps,
            learningRate: settings.learningRate, seed: settings.seed)
    }

    /// The settings of a regularizer variant.
    func settings(for variant: String) -> (ActivationMaximization, String) {
        var s = settings
        switch variant {
        case "none":
            s.l2 = 0; s.totalVariation = 0; s.jitter = 0
            return (s, FigureText.t("no_regularizer"))
        case "l2":
            s.l2 = 0.01; s.totalVariation = 0; s.jitter = 0
            return (s, "L2 0.01")
        case "tv":
            s.l2 = 0; s.totalVariation = 0.2; s.jitter = 0
            return (s, "TV 0.2")
        case "jitter":
            s.l2 = 0; s.totalVariation = 0; s.jitter = 2
            return (s, "jitter 2")
        case "fourier":
            return (s, "Fourier")
        case "lucid":
            return (s, FigureText.t("fourier_transforms"))
        default:
            return (s, "L2 \(settings.l2), TV \(settings.totalVariation), jitter \(settings.jitter)")
        }
    }

    var caption: String {
        if let variants {
            return
                "Unit \(units[0]) of \(layer) maximized with each regularizer setting "
                + "(\(variants.joined(separator: ", "))), \(settings.steps) steps from the same seeded start."
        }
        return captionForUnits
    }

    var captionForUnits: String {
        if let lucid {
            let how =
                (lucid.parametrization == .fourier ? "a 1/f Fourier image" : "a sigmoid of pixels")
                + (lucid.transforms ? " seen through random shifts, scales and rotations" : "")
            let diverse = lucid.images > 1 ? ", \(lucid.images) images each, pushed apart by a diversity term" : ""
            return
                "Inputs that maximize \(layer) unit\(units.count == 1 ? "" : "s") "
                + "\(units.map(String.init).joined(separator: ", ")) as Lucid optimizes them: \(how), Adam, "
                + "\(settings.steps) steps\(diverse)."
        }
        return "Inputs that maximize \(layer) unit\(units.count == 1 ? "" : "s") "
            + "\(units.map(String.init).joined(separator: ", ")) (\(settings.steps) steps, L2 \(settings.l2), TV "
            + "\(settings.totalVariation), jitter \(settings.jitter)), from the same seeded start."
    }
    var alt: String { "activation maximization images for \(layer)" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        if let variants { return try runVariants(variants, context: context, figure: figure) }
        let normalization = context.spec.sidecar.normalization
        // Each unit's images, in order (one per unit unless diversity asks for more).
        let perUnit = try units.map { unit in
            try lucid.map { try $0.visualize(context.model, layer: layer, unit: unit, normalization: normalization) }
                ?? [settings.maximize(context.model, layer: layer, unit: unit, normalization: normalization)]
        }
        let results = perUnit.flatMap { $0 }
        let resultUnits = zip(units, perUnit).flatMap { unit, r in Array(repeating: unit, count: r.count) }
        let pictures = results.map {
            ($0.colour ?? $0.image.render(colormap, normalization: .fixed(low: 0, high: 1)).image).upscaled(by: scale)
        }
        let cells = zip(resultUnits, results).enumerated().map { i, pair -> (html: String, label: String) in
            let (unit, r) = pair
            return (
                figure.image(
                    pictures[i], name: "maximize-\(layer)",
                    alt: FigureText.t("alt_maximizing", ["unit": "\(unit)", "layer": layer])),
                String(format: "%d · %.3g", unit, Double(r.activation))
            )
        }
        figure.card(pictures)
        let values = zip(resultUnits, results).map { unit, r in
            MaximizeValues.Result(
                unit: unit, variant: nil, optimizer: lucid.map(Self.describe) ?? "ascent",
                l2: lucid == nil ? Double(settings.l2) : 0, tv: lucid == nil ? Double(settings.totalVariation) : 0,
                jitter: lucid == nil ? settings.jitter : 0, activation: Double(r.activation), image: MapValues(r.image))
        }
        // Several images per unit: how alike they came out, and how strongly each drives it.
        let diversity =
            perUnit.first.map { $0.count > 1 } == true
            ? zip(units, perUnit).map { unit, images in
                MaximizeValues.Diversity(
                    unit: unit, meanPairwiseCorrelation: meanPairwiseCorrelation(images.map(\.image)),
                    activationRange: [
                        Double(images.map(\.activation).min() ?? 0), Double(images.map(\.activation).max() ?? 0),
                    ])
            } : nil
        try figure.json(
            MaximizeValues(
                layer: layer, steps: settings.steps, seed: Int(settings.seed), results: values, diversity: diversity),
            name: "maximize-\(layer)")
        return (FigureLayout.grid(cells), [FigureText.t("label_unit_activation"), FigureText.t("pixel_values")])
    }
}

extension MaximizeDirective {
    func runVariants(
        _ variants: [String], context: DirectiveContext, figure: FigureBuilder
    ) throws -> (body: String, notes: [String]) {
        var cells: [(html: String, label: String)] = [], pictures: [RGBAImage] = [], json: [MaximizeValues.Result] = []
        for variant in variants {
            let (s, label) = settings(for: variant)
            let normalization = context.spec.sidecar.normalization
            let r =
                Self.lucidVariants.contains(variant)
                ? try lucidSettings(for: variant).visualize(
                    context.model, layer: layer, unit: units[0], normalization: normalization)[0]
                : try s.maximize(context.model, layer: layer, unit: units[0], normalization: normalization)
            let picture = (r.colour ?? r.image.render(colormap, normalization: .fixed(low: 0, high: 1)).image)
                .upscaled(by: scale)
            pictures.append(picture)
            cells.append(
                (
                    figure.image(
                        picture, name: "maximize-\(layer)",
                        alt: FigureText.t(
                            "alt_maximized_with", ["unit": "\(units[0])", "layer": layer, "with": label])),
                    String(format: "%@ · %.3g", label, Double(r.activation))
                ))
            json.append(
                Self.lucidVariants.contains(variant)
                    ? MaximizeValues.Result(
                        unit: units[0], variant: variant, optimizer: Self.describe(lucidSettings(for: variant)), l2: 0,
                        tv: 0, jitter: 0, activation: Double(r.activation), image: MapValues(r.image))
                    : MaximizeValues.Result(
                        unit: units[0], variant: variant, optimizer: "ascent", l2: Double(s.l2),
                        tv: Double(s.totalVariation), jitter: s.jitter, activation: Double(r.activation),
                        image: MapValues(r.image)))
        }
        figure.card(pictures)
        try figure.json(
            MaximizeValues(layer: layer, steps: settings.steps, seed: Int(settings.seed), results: json),
            name: "maximize-variants-\(layer)")
        return (
            FigureLayout.grid(cells), [FigureText.t("label_regularizers_activation"), FigureText.t("pixel_values")]
        )
    }
}
