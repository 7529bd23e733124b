import Common
import CNN
import Explain
import Foundation
import Render

/// Several methods side by side: one row per image, one column per method.
struct CompareDirective: Directive {
    static let name = "compare"
    static let summary = "Several attribution methods on the same images: one row per image, one column per method."
    static let options: [OptionSpec] = [
        OptionSpec("methods", "list of \(MethodCatalogue.names.joined(separator: ", "))", default: "[vanilla, smoothgrad, gradcam]",
                   "The methods, as columns."),
        OptionSpec("images", "image selector or list", default: "test[0:4]", "The images, as rows."),
        DirectiveOptions.preprocessSpec,
        OptionSpec("layer", "convolution layer name", default: "the last convolution", "The layer of the CAM methods."),
        OptionSpec("target", "predicted, true or a class", default: "predicted", "Whose score to explain."),
        OptionSpec("overlay", "boolean", default: "true", "Draw each map over the digit (else the heatmap alone)."),
    ] + DirectiveOptions.parameterSpecs(MethodCatalogue.all) + [
        OptionSpec("colormap", "a colormap name", default: "jet", "The colormap (maps are shown as magnitudes)."),
        OptionSpec("scale", "integer 1–16", default: "3", "Display pixels per input pixel."),
    ]
    static let example = "methods: [vanilla, smoothgrad, integrated-gradients, gradcam, scorecam]\nimages: test[0:3]"

    let methods: [ConfiguredMethod]
    let images: [ImageSelector]
    let target: Target
    let overlay: Bool
    let panels: HeatmapPanels
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        methods = try options.methods(default: ["vanilla", "smoothgrad", "gradcam"], model: model)
        images = try options.images(default: "test[0:4]", classes: model.classes)
        target = try options.target(classes: model.classes)
        overlay = try options.bool("overlay", default: true)
        panels = HeatmapPanels(colormap: try options.colormap(default: "jet"), normalization: .minMax, shared: false,
                               scale: try options.int("scale", default: 3, in: 1...16), alpha: 0.5)
        location = options.location(of: "images")
    }

    var inputFiles: [String] { images.files }
    var caption: String { "\(methods.map(\.title).joined(separator: ", ")) compared on \(images.text), target \(target)." }
    var alt: String { "attribution maps of several methods" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location)
        var rows: [(header: String, cells: [String])] = []
        var cardTiles: [RGBAImage] = []
        var json: [CompareValues.Entry] = []
        for (i, image) in selected.enumerated() {
            var cells: [String] = []
            var first: Explanation?
            for method in methods {
                var e = try method.explain(image, target: target, model: context.model)
                first = first ?? e
                // Magnitudes, so signed and unsigned methods read alike in one row.
                let magnitude = Heatmap(width: e.map.width, height: e.map.height, values: e.map.values.map(abs))
                json.append(CompareValues.Entry(method: method.name, explanation: ExplanationValues(image, e)))
                e = e.with(map: magnitude, isSigned: false)
                let p = panels.pictures(image: image, map: e.map, placement: e.placement, normalization: .minMax)
                if cardTiles.count < 8 { cardTiles.append(overlay ? p.overlay : p.heatmap) }
                cells.append(figure.image(overlay ? p.overlay : p.heatmap, name: "compare-\(method.name)",
                                          alt: "\(method.title) for \(image.name)", thumbnail: i == 0 && cells.isEmpty, pixelated: false))
            }
            let digit = panels.pictures(image: image, map: image.heatmap, normalization: .minMax).digit
            rows.append((imageHeader(image, explanation: first), [figure.image(digit, name: "compare-input", alt: "input \(image.name)")] + cells))
        }
        figure.card(cardTiles, columns: min(4, cardTiles.count))
        try figure.json(CompareValues(target: target.description, maps: json), name: "compare")
        let table = FigureLayout.panels(columns: ["input"] + methods.map(\.title), rows: rows, corner: "image")
        let bar = figure.svg(Colorbar(colormap: panels.colormap, low: 0, high: 1, label: "|value|, per map").horizontalSVG(),
                             name: "compare-colorbar", title: "colorbar: \(panels.colormap.name), magnitude normalized per map")
        return (FigureLayout.withColorbarBelow(table, colorbar: bar),
                ["magnitudes, min–max per map", "colormap \(panels.colormap.name)", "target \(target)"])
    }
}

/// Deletion and insertion curves with their areas, for several methods.
struct FaithfulnessDirective: Directive {
    static let name = "faithfulness"
    static let summary = "Deletion and insertion curves (Petsiuk et al., 2018) and their areas under the curve for several methods."
    static let options: [OptionSpec] = [
        OptionSpec("methods", "list of \(MethodCatalogue.names.joined(separator: ", "))",
                   default: "[vanilla, smoothgrad, integrated-gradients, gradcam]", "The methods compared."),
        OptionSpec("images", "image selector or list", default: "test[0:16]", "The images the curves are averaged over."),
        DirectiveOptions.preprocessSpec,
        OptionSpec("layer", "convolution layer name", default: "the last convolution", "The layer of the CAM methods."),
        OptionSpec("steps", "integer 2–112", default: "28", "Points on each curve."),
    ] + DirectiveOptions.parameterSpecs(MethodCatalogue.all, defaults: parameterDefaults, excluding: ["steps"])
    /// Cheaper than a figure of one method: SmoothGrad 25 samples; Integrated Gradients 32
    /// steps (`steps` here is the curves').
    static let parameterDefaults: [String: String] = ["samples": "25"]
    static let fixedParameters: [String: String] = ["steps": "32"]
    static let example = "methods: [vanilla, gradcam, occlusion]\nimages: test[0:16]"

    let methods: [ConfiguredMethod]
    let images: [ImageSelector]
    let steps: Int
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        methods = try options.methods(default: ["vanilla", "smoothgrad", "integrated-gradients", "gradcam"], model: model,
                                      defaults: Self.parameterDefaults, fixed: Self.fixedParameters)
        images = try options.images(default: "test[0:16]", classes: model.classes)
        steps = try options.int("steps", default: 28, in: 2...112)
        location = options.location(of: "images")
    }

    static let palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"]

    var inputFiles: [String] { images.files }
    var caption: String { "Deletion and insertion curves, averaged over \(images.text): the predicted class's probability as pixels are removed (or revealed) most-important first." }
    var alt: String { "deletion and insertion curves of several attribution methods" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location)
        let faithfulness = Faithfulness(steps: steps)
        var results: [(method: ConfiguredMethod, deletion: [Double], insertion: [Double], dAUC: Double, iAUC: Double)] = []
        for method in methods {
            var deletion = [Double](repeating: 0, count: steps + 1), insertion = deletion
            var dAUC = 0.0, iAUC = 0.0
            for image in selected {
                let e = try method.explain(image, target: .predicted, model: context.model)
                // Signed maps rank by magnitude: a strongly negative pixel also matters.
                let map = e.isSigned ? Heatmap(width: e.map.width, height: e.map.height, values: e.map.values.map(abs)) : e.map
                let c = faithfulness.curves(model: context.model, image: image.pixels, map: map, placement: e.placement,
                                            targetClass: e.targetClass)
                for s in 0...steps { deletion[s] += Double(c.deletion[s]); insertion[s] += Double(c.insertion[s]) }
                dAUC += Double(c.deletionAUC); iAUC += Double(c.insertionAUC)
            }
            let n = Double(max(selected.count, 1))
            results.append((method, deletion.map { $0 / n }, insertion.map { $0 / n }, dAUC / n, iAUC / n))
        }
        func chart(_ title: String, _ values: (Int) -> [Double]) -> LineChart {
            LineChart(series: results.enumerated().map { i, r in
                LineChart.Series(name: r.method.title, points: values(i).enumerated().map { (Double($0.offset) / Double(steps), $0.element) },
                                 color: Self.palette[i % Self.palette.count])
            }, xLabel: "fraction of pixels \(title)", yLabel: "probability", yRange: (0, 1))
        }
        let deletionSVG = figure.svg(chart("deleted", { results[$0].deletion }).svg(width: 330, height: 250), name: "faithfulness-deletion",
                                     label: "deletion curves (SVG)", title: "deletion curves")
        let insertionSVG = figure.svg(chart("inserted", { results[$0].insertion }).svg(width: 330, height: 250), name: "faithfulness-insertion",
                                      label: "insertion curves (SVG)", title: "insertion curves", thumbnail: true)
        let table = FigureLayout.table(
            header: ["method", "deletion AUC ↓", "insertion AUC ↑", "insertion − deletion"],
            rows: results.map { [$0.method.title, String(format: "%.3f", $0.dAUC), String(format: "%.3f", $0.iAUC), String(format: "%+.3f", $0.iAUC - $0.dAUC)] },
            numeric: [1, 2, 3])
        try figure.json(FaithfulnessValues(images: selected.map(\.name), steps: steps, methods: results.map {
            .init(method: $0.method.name, deletion: $0.deletion, insertion: $0.insertion, deletionAuc: $0.dAUC, insertionAuc: $0.iAUC)
        }), name: "faithfulness")
        let body = "<div class=\"viz-row\"><div>\(deletionSVG)</div><div>\(insertionSVG)</div></div>\n" + table
        return (body, ["\(selected.count) images", "\(steps) steps", "target: predicted class", "signed maps ranked by magnitude"])
    }
}

/// The model-parameter randomization test (Adebayo et al., 2018).
struct SanityCheckDirective: Directive {
    static let name = "sanity-check"
    static let summary = "The cascading model-parameter randomization test (Adebayo et al., 2018): how much a method's maps change as the weights are randomized from the top layer down."
    static let options: [OptionSpec] = [
        OptionSpec("methods", "list of \(MethodCatalogue.names.joined(separator: ", "))", default: "[vanilla, guided, gradcam]",
                   "The methods tested."),
        OptionSpec("images", "image selector or list", default: "test[0:4]", "The images the correlations are averaged over."),
        DirectiveOptions.preprocessSpec,
        OptionSpec("layer", "convolution layer name", default: "the last convolution", "The layer of the CAM methods."),
        OptionSpec("seed", "integer", default: "0", "Seed of the random weights."),
    ]
    static let example = "methods: [vanilla, guided, gradcam]\nimages: test[0:4]"
    /// Every map is computed once per randomized layer: SmoothGrad and Integrated
    /// Gradients run 16 passes instead of 50, and the other parameters keep their defaults.
    static let fixedParameters: [String: String] = MethodCatalogue.parameters(of: MethodCatalogue.all)
        .reduce(into: [:]) { $0[$1.name] = $1.defaultText }.merging(["samples": "16", "steps": "16"]) { $1 }

    let methods: [ConfiguredMethod]
    let images: [ImageSelector]
    let seed: Int
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        methods = try options.methods(default: ["vanilla", "guided", "gradcam"], model: model, fixed: Self.fixedParameters)
        images = try options.images(default: "test[0:4]", classes: model.classes)
        seed = try options.int("seed", default: 0, in: 0...Int(Int32.max))
        location = options.location(of: "images")
    }

    var inputFiles: [String] { images.files }
    var caption: String { "Spearman rank correlation between each method's maps on the trained model and on models whose layers are randomized one by one from the top, averaged over \(images.text). A method that explains the model should fall toward 0." }
    var alt: String { "rank correlation of maps as layers are randomized" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location)
        let check = SanityCheck(seed: UInt64(seed))
        var layers: [String] = []
        var curves: [[Double]] = []
        for method in methods {
            var sums: [Double] = []
            for image in selected {
                // The class is fixed by the trained model, so every randomized model explains the same logit.
                let k = try method.explain(image, target: .predicted, model: context.model).targetClass
                let steps = try check.run(model: context.model) { model in
                    try method.explain(image, target: .class(k), model: model).map
                }
                layers = steps.map(\.layer)
                if sums.isEmpty { sums = Array(repeating: 0, count: steps.count) }
                for (i, s) in steps.enumerated() { sums[i] += method.isSigned ? s.absoluteCorrelation : s.correlation }
            }
            curves.append([1] + sums.map { $0 / Double(max(selected.count, 1)) })
        }
        let stages = ["trained"] + layers.map { "↓ \($0)" }
        let chart = LineChart(series: methods.enumerated().map { i, m in
            LineChart.Series(name: m.title, points: curves[i].enumerated().map { (Double($0.offset), $0.element) },
                             color: FaithfulnessDirective.palette[i % FaithfulnessDirective.palette.count])
        }, xLabel: "layers randomized, from the top (0 = trained)", yLabel: "Spearman correlation", yRange: (-0.2, 1))
        let svg = figure.svg(chart.svg(width: 480, height: 280), name: "sanity-check", label: "chart (SVG)", title: "rank correlation by randomized layer", thumbnail: true)
        let table = FigureLayout.table(header: ["method"] + stages,
                                       rows: methods.enumerated().map { i, m in [m.title] + curves[i].map { String(format: "%.2f", $0) } },
                                       numeric: Set(1...stages.count))
        try figure.json(SanityCheckValues(images: selected.map(\.name), stages: stages, methods: methods.enumerated().map { i, m in
            .init(method: m.name, correlation: curves[i])
        }), name: "sanity-check")
        return (svg + "\n" + table, ["\(selected.count) images", "signed maps compared by magnitude", "seed \(seed)"])
    }
}

/// The mean attribution map of each class, over the first test digits of that class.
struct MeanHeatmapsDirective: Directive {
    static let name = "mean-heatmaps"
    static let summary = "Per-class mean heatmaps: one method's maps averaged over the first test digits of each class, beside the mean digit."
    static let options: [OptionSpec] = [
        OptionSpec("method", "one of \(MethodCatalogue.names.joined(separator: ", "))", default: "gradcam++", "The attribution method."),
        OptionSpec("layer", "convolution layer name", default: "the last convolution", "The layer of the CAM methods."),
        OptionSpec("count", "integer 1–200", default: "20", "Test digits averaged per class."),
        OptionSpec("target", "predicted or true", default: "true", "Explain each digit's true class or the predicted one."),
        OptionSpec("colormap", "a colormap name", default: "viridis", "The colormap."),
        OptionSpec("scale", "integer 1–16", default: "2", "Display pixels per input pixel."),
    ] + DirectiveOptions.parameterSpecs(MethodCatalogue.family(.cam))
    static let example = "method: gradcam++\ncount: 20"

    let method: ConfiguredMethod
    let count: Int
    let target: Target
    let colormap: Colormap
    let scale: Int

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        method = try options.method(from: MethodCatalogue.all, default: "gradcam++", model: model,
                                    defaults: SanityCheckDirective.fixedParameters)
        count = try options.int("count", default: 20, in: 1...200)
        target = try options.choice("target", from: ["true", "predicted"], default: "true") == "true" ? .trueLabel : .predicted
        colormap = try options.colormap(default: "viridis")
        scale = try options.int("scale", default: 2, in: 1...16)
    }

    var caption: String { "\(method.title) averaged over the first \(count) test digits of each class (explaining the \(target == .trueLabel ? "true" : "predicted") class), above the mean digit of the class. One shared scale." }
    var alt: String { "per-class mean heatmaps" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let test = try context.data.get().test
        var means: [Heatmap] = [], digits: [Heatmap] = []
        var placement = MapPlacement.identity
        for k in 0..<context.classes {
            let indices = test.labels.indices.filter { test.labels[$0] == k }.prefix(count)
            guard !indices.isEmpty else { continue }
            var sum: [Float]?, digitSum = [Float](repeating: 0, count: test.images.shape[1] * test.images.shape[2])
            var shape = (0, 0)
            for i in indices {
                let image = SelectedImage(pixels: test.images.samples(i..<(i + 1)), label: k, name: "test[\(i)]")
                let explanation = try method.explain(image, target: target, model: context.model)
                placement = explanation.placement
                var map = explanation.map
                if method.isSigned { map.values = map.values.map(abs) }
                shape = (map.width, map.height)
                if sum == nil { sum = Array(repeating: 0, count: map.values.count) }
                for j in map.values.indices { sum![j] += map.values[j] }
                for j in digitSum.indices { digitSum[j] += image.pixels.scalars[j] }
            }
            let n = Float(indices.count)
            means.append(Heatmap(width: shape.0, height: shape.1, values: sum!.map { $0 / n }))
            digits.append(Heatmap(width: test.images.shape[2], height: test.images.shape[1], values: digitSum.map { $0 / n }))
        }
        let range = Normalization.minMax.range(of: means.flatMap(\.values))
        var heatCells: [String] = [], digitCells: [String] = [], tiles: [RGBAImage] = []
        for (k, (mean, digit)) in zip(means, digits).enumerated() {
            let onInput = mean.placed(placement, inputWidth: digit.width, inputHeight: digit.height, width: digit.width, height: digit.height)
            let heat = onInput.render(colormap, normalization: .fixed(low: range.low, high: range.high)).image.upscaled(by: scale)
            let picture = RGBAImage.grayscale(width: digit.width, height: digit.height, values: digit.values).upscaled(by: scale)
            tiles.append(heat)
            heatCells.append(figure.image(heat, name: "mean-heatmap", alt: "mean \(method.title) map of class \(k)", pixelated: false))
            digitCells.append(figure.image(picture, name: "mean-digit", alt: "mean test digit of class \(k)"))
        }
        figure.card(Array(tiles.prefix(8)))
        let table = FigureLayout.panels(columns: (0..<means.count).map { "class \($0)" },
                                        rows: [("mean map", heatCells), ("mean digit", digitCells)])
        let bar = figure.svg(Colorbar(colormap: colormap, low: range.low, high: range.high, label: "mean value").horizontalSVG(),
                             name: "mean-heatmaps-colorbar", title: "colorbar: \(colormap.name)")
        try figure.json(MeanHeatmapsValues(method: method.name, countPerClass: count, target: target.description,
                                           maps: means.map(MapValues.init)), name: "mean-heatmaps")
        return (FigureLayout.withColorbarBelow(table, colorbar: bar), ["method \(method.name)", "\(count) digits per class", "min–max, shared",
                                                                  "colormap \(colormap.name)", placement.note])
    }
}
