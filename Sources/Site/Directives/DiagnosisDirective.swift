import Common
import CNN
import Explain
import Foundation
import Render

/// A worked diagnosis of decisions (`Diagnosis`): per image the contrast map "predicted
/// rather than the true class", the image after undoing what the map marks, the network's
/// answer before and after, the random-pixel control and a verdict.
struct DiagnosisDirective: Directive {
    static let name = "diagnosis"
    static let summary =
        "From map to tested conclusion: for each image, the contrast map of the predicted class against the true one "
        + "(the runner-up for a correct decision), the image after undoing the pixels the map marks (ink erased, "
        + "gaps painted) until the network changes its mind, the same with random pixels, and a verdict."
    /// Maps of the evidence the image holds, whose positive pixels are worth undoing. A
    /// gradient says what a change would do, not what is there: positive on the background
    /// it asks for *more* ink, so sensitivity maps (vanilla, SmoothGrad, guided, deconvnet)
    /// are left out.
    static let methods = MethodCatalogue.all.filter {
        $0.family == .cam || $0.family == .perturbation
            || [
                "input-x-gradient", "integrated-gradients", "deeplift", "gradientshap", "lrp-epsilon", "lrp-composite",
            ].contains($0.name)
    }
    static let images = SharedOption.images.documented("The images to diagnose, one row each.")
    static let budget = DirectiveOption(
        "pixels", "integer 1–4096", default: "60", "The most pixels an intervention may change.")
    static let controls = DirectiveOption(
        "controls", "integer 1–50", default: "5", "How many random orders of pixels the control tries.")
    static let colormap = DirectiveOption(
        "colormap", "a colormap name", default: "RdBu_r", "The colormap of the contrast maps.")
    static let scale = DirectiveOption("scale", "integer 1–16", default: "3", "Display pixels per input pixel.")
    /// Integrated Gradients from noise: a map that can mark missing ink as well as ink.
    static let parameterDefaults = ["baseline": "uniform"]
    static let options: [OptionSpec] =
        [
            SharedOption.method.documented(
                type: "one of \(methods.map(\.name).joined(separator: ", "))", default: "integrated-gradients",
                "The method of the contrast map (Integrated Gradients from uniform noise by default, so that "
                    + "missing ink can be marked as well as ink)."
            ).spec,
            SharedOption.layer.spec, images.spec, DirectiveOptions.preprocessSpec, budget.spec, controls.spec,
        ] + DirectiveOptions.parameterSpecs(methods, defaults: parameterDefaults) + [colormap.spec, scale.spec]
    static let example = "images: test.misclassified[0:6]\npixels: 60"

    let method: ConfiguredMethod
    let images: [ImageSelector]
    let budget: Int
    let controls: Int
    let colormap: Colormap
    let scale: Int
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        method = try options.method(
            from: Self.methods, default: "integrated-gradients", model: model, defaults: Self.parameterDefaults)
        images = try Self.images.images(options, default: "test.misclassified[0:6]", classes: model.classes)
        let pixels = model.inputShape.count == 3 ? model.inputShape[0] * model.inputShape[1] : 1
        budget = try Self.budget.int(options, default: min(60, pixels), in: 1...max(1, min(4096, pixels)))
        controls = try Self.controls.int(options, default: 5, in: 1...50)
        colormap = try Self.colormap.colormap(options, default: "RdBu_r")
        scale = try Self.scale.int(options, default: 3, in: 1...16)
        location = Self.images.location(in: options)
    }

    var inputFiles: [String] { images.files }
    var caption: String {
        "\(method.title) of the predicted class against the true one on \(images.text), and the image after undoing "
            + "the pixels it marks."
    }
    var alt: String { "diagnosis of decisions by contrast maps and interventions" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location), model = context.model
        let diagnosis = Diagnosis(
            method: method.entry.method(method.settings), layer: method.layer, budget: budget, controls: controls)
        let shape = model.inputShape
        var rows: [(header: String, cells: [String])] = [], results: [Diagnosis.Result] = []
        var cardTiles: [RGBAImage] = []
        for image in selected {
            let r = try diagnosis.run(image.explained, model: model)
            results.append(r)
            let drawing = HeatmapFigure(colormap: colormap, normalization: .symmetric, scale: scale, alpha: 0.5)
            let heatmap = drawing.panels(picture: image.display, map: r.map).heatmap
            var edited = image.picture(of: r.edited.scalars)
            // The changed pixels in colour, so that a change of one pixel can be seen.
            for p in r.changedPixels {
                edited.setPixel(
                    p % shape[1], p / shape[1], r.erasedPixels.contains(p) ? Self.erasedColor : Self.paintedColor)
            }
            let editedPicture = edited.upscaled(by: scale)
            if cardTiles.count < 8 { cardTiles += [image.display.upscaled(by: scale), heatmap] }
            rows.append(
                (
                    imageHeader(image, explanation: r.explanation),
                    [
                        figure.image(
                            image.display.upscaled(by: scale), name: "diagnosis-input",
                            alt: FigureText.t("alt_input_named", ["image": image.name])),
                        figure.image(
                            heatmap, name: "diagnosis-map",
                            alt: FigureText.t("alt_method_on", ["method": method.title, "image": image.name]),
                            thumbnail: rows.isEmpty, pixelated: false),
                        figure.image(
                            editedPicture, name: "diagnosis-edited",
                            alt: FigureText.t("alt_diagnosis_edited", ["image": image.name, "n": "\(r.changed)"])),
                        FigureLayout.text(HTML.escape(Self.outcome(r, image: image)), wide: true),
                        FigureLayout.text(
                            "<strong>\(HTML.escape(Self.verdictTitle(r.verdict)))</strong><br>"
                                + HTML.escape(Self.control(r, budget: budget, controls: controls)), wide: true),
                    ]
                ))
        }
        figure.card(cardTiles, columns: 4)
        try figure.json(
            DiagnosisValues(method: method, budget: budget, images: selected, results: results), name: "diagnosis")
        let table = FigureLayout.panels(
            columns: [
                FigureText.t("panel_input"), FigureText.t("diagnosis_map_column"),
                FigureText.t("diagnosis_edited_column"), FigureText.t("diagnosis_outcome_column"),
                FigureText.t("diagnosis_verdict_column"),
            ], rows: rows, corner: FigureText.t("image"))
        return (
            table,
            [
                FigureText.t("diagnosis_note"), FigureText.t("method", ["name": method.name]),
                FigureText.t("colormap", ["name": colormap.name]),
            ]
        )
    }

    /// "9 (87.0 %) → 4 (71.2 %) after 12 pixels: 9 ink erased, 3 gaps painted".
    static func outcome(_ r: Diagnosis.Result, image: SelectedImage) -> String {
        let before = "\(image.className(r.predicted)) (\(percent(r.probabilities[r.predicted])))"
        let chosen = r.probabilitiesAfter[...].offsetOfMax
        let after = "\(image.className(chosen)) (\(percent(r.probabilitiesAfter[chosen])))"
        if r.pixelsNeeded == nil {
            return FigureText.t(
                "diagnosis_outcome_unchanged",
                ["before": before, "after": after, "n": "\(r.changed)", "rival": image.className(r.rival)])
        }
        return FigureText.t(
            "diagnosis_outcome",
            [
                "before": before, "after": after, "n": "\(r.changed)", "erased": "\(r.erased)",
                "painted": "\(r.painted)",
            ])
    }

    /// What random pixels did, in a sentence.
    static func control(_ r: Diagnosis.Result, budget: Int, controls: Int) -> String {
        let turned = r.randomPixelsNeeded.compactMap { $0 }
        if turned.isEmpty {
            return FigureText.t("diagnosis_control_none", ["n": "\(budget)", "orders": "\(controls)"])
        }
        return FigureText.t(
            "diagnosis_control",
            [
                "turned": "\(turned.count)", "orders": "\(controls)",
                "median": r.randomMedian.map(String.init) ?? "> \(budget)",
            ])
    }

    static func verdictTitle(_ verdict: Diagnosis.Verdict) -> String {
        switch verdict {
        case .extraInk: FigureText.t("verdict_extra_ink")
        case .missingInk: FigureText.t("verdict_missing_ink")
        case .inkAndGaps: FigureText.t("verdict_ink_and_gaps")
        case .noBetterThanRandom: FigureText.t("verdict_no_better_than_random")
        case .notLocalized: FigureText.t("verdict_not_localized")
        }
    }

    static let erasedColor = RGBA(220, 50, 47), paintedColor = RGBA(38, 139, 210)

    static func percent(_ p: Float) -> String { String(format: "%.1f\u{a0}%%", Double(p) * 100) }
}

/// The raw values of a `diagnosis` figure: per image the decision, the map, the intervention
/// and its control; and how many images each verdict got.
struct DiagnosisValues: Encodable {
    struct Image: Encodable {
        let image: String
        @ExplicitNull var label: Int?
        let predicted: Int
        let rival: Int
        let probabilities: [Double]
        let map: MapValues
        @ExplicitNull var pixelsNeeded: Int?
        let changed: Int
        let erased: Int
        let painted: Int
        let predictedAfter: Int
        let probabilitiesAfter: [Double]
        /// Per random order; null where the budget did not suffice.
        let randomPixelsNeeded: [Int?]
        @ExplicitNull var randomMedian: Int?
        /// The rival's probability after undoing the first k map pixels, k = 0, 1, … up to
        /// every pixel tried (the budget, or the map's positive pixels when fewer).
        let rivalCurve: [Double]
        let verdict: String
    }
    struct Count: Encodable {
        let verdict: String
        let count: Int
    }
    let method: String
    let settings: [String: String]
    let budget: Int
    let images: [Image]
    let verdicts: [Count]
    /// How many images the map's pixels turned within the budget, and how many needed fewer
    /// of them than the median random order.
    let turned: Int
    let beatRandom: Int
    /// The probability the network gave its answer, over the images.
    let confidence: ValueSummary

    init(method: ConfiguredMethod, budget: Int, images selected: [SelectedImage], results: [Diagnosis.Result]) {
        self.method = method.name
        settings = method.settings.values
        self.budget = budget
        images = zip(selected, results).map { image, r in
            Image(
                image: image.name, label: image.label, predicted: r.predicted, rival: r.rival,
                probabilities: r.probabilities.map(Double.init), map: MapValues(r.map), pixelsNeeded: r.pixelsNeeded,
                changed: r.changed, erased: r.erased, painted: r.painted,
                predictedAfter: r.probabilitiesAfter[...].offsetOfMax,
                probabilitiesAfter: r.probabilitiesAfter.map(Double.init), randomPixelsNeeded: r.randomPixelsNeeded,
                randomMedian: r.randomMedian, rivalCurve: r.rivalCurve.map(Double.init), verdict: r.verdict.rawValue)
        }
        verdicts = Diagnosis.Verdict.allCases.map { v in
            Count(verdict: v.rawValue, count: results.filter { $0.verdict == v }.count)
        }
        confidence = .init(results.map { Double($0.probabilities[$0.predicted]) })
        turned = results.filter { $0.pixelsNeeded != nil }.count
        beatRandom =
            results.filter { r in
                guard let k = r.pixelsNeeded else { return false }
                return r.randomMedian.map { k < $0 } ?? true
            }.count
    }
}
