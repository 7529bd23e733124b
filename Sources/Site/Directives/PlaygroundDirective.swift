import CNN
import Common
import Explain
import Foundation
import Render

/// The network in the reader's hands: draw a digit (or pick an example) and watch the
/// prediction, Grad-CAM and the gradient change, computed in the browser by
/// `Theme/assets/playground-runtime.js` from weights the build exports. The raw values are
/// the Swift core's results on the examples, which the runtime must reproduce to 1e-4.
struct PlaygroundDirective: Directive {
    static let name = "playground"
    static let summary =
        "An interactive figure: draw a digit or pick an example, and the network — run in the reader's browser from "
        + "weights the build exports, no server — shows its class probabilities, Grad-CAM and the gradient as you draw."
    static let options: [OptionSpec] = [
        SharedOption.layer.spec, examples.spec, maps.spec, smoothgrad.spec, browse.spec, precision.spec,
    ]
    /// The live maps a playground can show.
    enum LiveMap: String, CaseIterable, Sendable { case gradcam, saliency, contrast }
    static let maps = DirectiveOption(
        "maps", "list of gradcam, saliency, contrast", default: "[gradcam, saliency, contrast]",
        "The live maps beside the probabilities: Grad-CAM of the predicted class, its gradient, and Grad-CAM of "
            + "the predicted class minus the runner-up. A lesson about one method can show that one alone.")
    static let precision = DirectiveOption(
        "precision", "float32 or float16", default: "float32",
        "How the exported weights are stored. float32 gives the core's numbers to about 1e-6; float16 halves the "
            + "page's weight and keeps the probabilities and Grad-CAM within 2e-3, but not the gradient (on the "
            + "reference model 2.2 % of its maximum: rounded weights flip ReLU gates near zero).")
    static let smoothgrad = DirectiveOption(
        "smoothgrad", "integer 0–50", default: "8",
        "Noisy samples of the SmoothGrad choice beside the plain gradient (noise 0.15 of the input's range, the "
            + "mean of |∇|, seed 0: the build's own SmoothGrad). It runs when the drawing pauses, as each sample costs "
            + "a forward and a backward pass; 0 leaves the choice out.")
    static let browse = DirectiveOption(
        "browse", "integer ≥ 0", default: "all held-out images",
        "How many of the held-out split's images (the first ones) readers can browse by class, with a "
            + "misclassified-only filter. They travel as one PNG sprite (MNIST's 10,000 test digits: a 2.3 MB "
            + "script) that loads only when a reader opens the browser; 0 leaves the browser out.")
    static let examples = SharedOption.images.documented(
        default: "test[0:10]",
        "The examples readers can pick; the build also checks the browser's numbers against the core's on them.")
    static let example = "images: test[0:10]"

    let layer: String
    let examples: [ImageSelector]
    let precision: PlaygroundModel.Precision
    let shownMaps: [LiveMap]
    let smoothGradSamples: Int
    /// nil: the whole held-out split, if the data has one.
    let browseCount: Int?
    let browseLocation: SourceLocation
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        if let reason = PlaygroundModel.unsupported(model) {
            throw SourceError(
                "the playground cannot run \(model.name): \(reason)", at: options.location(of: CommonOption.model.name))
        }
        guard model.inputShape.count == 3, [1, 3].contains(model.inputShape[2]) else {
            throw SourceError(
                "the playground draws gray or colour images; \(model.name) takes \(model.inputShape)",
                at: options.location(of: CommonOption.model.name))
        }
        layer = try SharedOption.layer.layer(
            options, model: model, requirement: .spatial, default: model.defaultCAMLayer)
        examples = try Self.examples.images(options, default: Self.examples.spec.defaultValue!, classes: model.classes)
        let names = LiveMap.allCases.map(\.rawValue)
        shownMaps = try Self.maps.choices(options, from: names, default: names).compactMap(LiveMap.init)
        precision = PlaygroundModel.Precision(
            rawValue: try Self.precision.choice(options, from: ["float32", "float16"], default: "float32"))!
        smoothGradSamples = try Self.smoothgrad.int(options, default: 8, in: 0...50)
        browseCount =
            options.mapping[Self.browse.name] == nil ? nil : try Self.browse.int(options, default: 0, in: 0...1_000_000)
        browseLocation = Self.browse.location(in: options)
        location = Self.examples.location(in: options)
    }

    var inputFiles: [String] { examples.files }
    var caption: String {
        "Draw a digit, or pick an example: the network runs in your browser and shows what it predicts, where "
            + "Grad-CAM at \(layer) looks, and the gradient of the predicted class."
    }
    var alt: String { "an interactive drawing area with the network's live prediction" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let model = context.model
        let selected = try context.images(examples, at: location)
        let vectors = try selected.map { try referenceValues($0, model: model) }
        // The card shows what the playground draws live: Grad-CAM of the first examples.
        let gradcam = MethodCatalogue.named("gradcam")!
        HeatmapPanels.card(
            try selected.prefix(4).map {
                ($0, try gradcam.explain($0.explained, target: .predicted, layer: layer, model: model))
            }, figure: figure)
        let exported = PlaygroundModel(
            model: model, precision: precision, normalization: context.spec.sidecar.normalization)
        let script = Data(exported.script().utf8)
        let weights = figure.add(script, name: "playground-\(model.name)-weights", ext: "js")
        try figure.json(
            PlaygroundValues(
                model: model.name, layer: layer, precision: precision.rawValue, smoothgradSamples: smoothGradSamples,
                examples: vectors),
            name: "playground")
        let (h, w) = (model.inputShape[0], model.inputShape[1])
        let options = selected.enumerated().map { i, image in
            let text = image.name + (image.label.map { " · \(image.className($0))" } ?? "")
            return "<option value=\"\(i)\">\(HTML.escape(text))</option>"
        }.joined()
        let examplesJSON = String(
            decoding: try JSONSerialization.data(
                withJSONObject: selected.map { $0.explained.pixels.scalars.map { Double($0) } }), as: UTF8.self)
        let names = (0..<model.classCount).map { selected.first?.className($0) ?? "\($0)" }
        let bars = names.enumerated().map { k, name in
            "<tr><th scope=\"row\">\(HTML.escape(name))</th><td><span class=\"pg-bar\" data-class=\"\(k)\"></span></td>"
                + "<td class=\"pg-p\" data-class=\"\(k)\">–</td></tr>"
        }.joined()
        let cells = mapCells(height: h, width: w)
        let browser = try browserHTML(context, figure: figure, classNames: names)
        let body = """
            <div class="viz-playground" data-model="\(HTML.escape(exported.key))" data-layer="\(HTML.escape(layer))" \
            data-height="\(h)" data-width="\(w)" data-channels="\(model.inputShape[2])">
            <div class="pg-input">
            <canvas class="pg-draw" width="280" height="280" tabindex="0" role="img" \
            aria-label="\(FigureText.t("pg_drawing_area"))"></canvas>
            <div class="pg-controls">
            <button type="button" class="pg-clear">\(FigureText.t("pg_clear"))</button>
            <label>\(FigureText.t("pg_example")) \
            <select class="pg-example"><option value="">—</option>\(options)</select></label>
            <label class="pg-open">\(FigureText.t("pg_open")) \
            <input type="file" class="pg-file" accept="image/*"></label>
            </div>
            <p class="pg-seen-label">\(FigureText.t("pg_seen", ["size": "\(h)×\(w)"]))</p>
            <canvas class="pg-seen pixelated" width="\(w)" height="\(h)" role="img" \
            aria-label="\(FigureText.t("pg_seen_canvas"))"></canvas>
            </div>
            <div class="pg-output">
            <table class="pg-probabilities"><caption>\(FigureText.t("pg_probabilities"))</caption>\
            <tbody>\(bars)</tbody>\
            </table>
            <div class="pg-maps">\(cells)</div>
            <p class="pg-status" aria-live="polite">\(FigureText.t("pg_loading_network"))</p>
            </div>
            \(browser ?? "")
            <details class="pg-feature-maps"><summary>\(FigureText.t("pg_feature_maps"))</summary>\
            <div class="pg-layers"></div></details>
            <script type="application/json" class="pg-examples">\(examplesJSON)</script>
            </div>
            <script src="\(Figure.root)\(weights)" async class="pg-weights" \
            data-model="\(HTML.escape(exported.key))"></script>
            """
        return (
            body,
            [
                FigureText.t("pg_in_browser"),
                FigureText.t(
                    "pg_weights", ["precision": precision.rawValue, "size": "\((script.count + 1023) / 1024)"]),
                FigureText.t("pg_cam_layer", ["layer": layer]),
            ]
        )
    }
}

extension PlaygroundDirective {
    /// The held-out images readers can browse: `browse` of them, or all when the option is
    /// absent (none when the data has no held-out split and the option did not ask).
    fileprivate func sprite(_ context: DirectiveContext) throws -> PlaygroundSprite? {
        guard browseCount != 0 else { return nil }
        let heldOut: (split: String, set: Dataset, evaluation: Evaluation)
        do { heldOut = try context.heldOut() } catch {
            guard browseCount == nil else {
                throw (error as? SourceError ?? SourceError("\(error)", at: browseLocation)).placed(at: browseLocation)
            }
            return nil
        }
        let pictures = try context.data.get().pictures(heldOut.split)
        let count = min(browseCount ?? heldOut.set.count, heldOut.set.count)
        let (h, w, c) = (context.model.inputShape[0], context.model.inputShape[1], context.model.inputShape[2])
        return PlaygroundSprite(
            split: heldOut.split, pictures: Array(pictures.images.scalars.prefix(count * h * w * c)),
            labels: Array(heldOut.set.labels.prefix(count)),
            predicted: Array(heldOut.evaluation.predictions.prefix(count)),
            height: h, width: w, channels: c)
    }
}

/// playground: the core's results on the examples, which the browser's runtime must match.
struct PlaygroundValues: Encodable {
    struct Example: Encodable {
        let image: String
        @ExplicitNull var label: Int?
        /// The model's input, row-major, channels last.
        let pixels: [Double]
        let logits: [Double]
        let probabilities: [Double]
        let target: Int
        let gradcam: MapValues
        let saliency: MapValues
        /// The class with the highest logit after the target's, and Grad-CAM of the target's
        /// logit minus its.
        let runnerUp: Int
        let contrast: MapValues
        /// SmoothGrad (mean of |∇| over `smoothgradSamples` noisy copies, noise 0.15,
        /// seed 0) of the target; null when the playground offers none.
        @ExplicitNull var smoothgrad: MapValues?
    }
    let model: String
    let layer: String
    /// How the exported weights are stored (the runtime's numbers are checked against
    /// these to 1e-4 for float32, to 2e-3 and 2e-2 of the map's maximum for float16).
    let precision: String
    let smoothgradSamples: Int
    let examples: [Example]
}

extension PlaygroundDirective {
    /// What vizsite computes for one example, for the runtime's check against the core:
    /// logits, probabilities, Grad-CAM, the gradient, the top-2 contrast and SmoothGrad.
    func referenceValues(_ image: SelectedImage, model: Model) throws -> PlaygroundValues.Example {
        let gradcam = MethodCatalogue.named("gradcam")!, vanilla = MethodCatalogue.named("vanilla")!
        let smoothgrad = MethodCatalogue.named("smoothgrad")!
        let smoothSettings = MethodSettings(["samples": "\(smoothGradSamples)"])
        let cam = try gradcam.explain(image.explained, target: .predicted, layer: layer, model: model)
        let saliency = try vanilla.explain(image.explained, target: .predicted, layer: nil, model: model)
        let logits = model.logits(image.explained.pixels).scalars
        // The top-2 contrast: the predicted class minus the runner-up.
        let runnerUp = logits.indices.filter { $0 != cam.targetClass }.max { logits[$0] < logits[$1] }!
        let contrast = try gradcam.explain(
            image.explained, target: .contrast(cam.targetClass, runnerUp), layer: layer, model: model)
        let smooth =
            smoothGradSamples > 0
            ? try smoothgrad.explain(image.explained, target: .predicted, settings: smoothSettings, model: model)
            : nil
        return .init(
            image: image.name, label: image.label, pixels: image.explained.pixels.scalars.map(Double.init),
            logits: logits.map(Double.init), probabilities: cam.probabilities.map(Double.init),
            target: cam.targetClass, gradcam: MapValues(cam.map), saliency: MapValues(saliency.map),
            runnerUp: runnerUp, contrast: MapValues(contrast.map), smoothgrad: smooth.map { MapValues($0.map) })
    }

    /// A canvas per live map, labelled; the gradient's offers SmoothGrad beside it.
    func mapCells(height h: Int, width w: Int) -> String {
        shownMaps.map { map in
            let (label, description) =
                switch map {
                case .gradcam:
                    (FigureText.t("pg_gradcam_at", ["layer": HTML.escape(layer)]), FigureText.t("pg_gradcam"))
                case .saliency: (FigureText.t("pg_gradient_label"), FigureText.t("pg_gradient"))
                case .contrast: (FigureText.t("pg_contrast_label"), FigureText.t("pg_contrast"))
                }
            // The gradient's cell offers SmoothGrad beside the plain gradient.
            let choice =
                map == .saliency && smoothGradSamples > 0
                ? "<select class=\"pg-gradient-method\" data-samples=\"\(smoothGradSamples)\" "
                    + "aria-label=\"\(FigureText.t("pg_which_gradient"))\">"
                    + "<option value=\"saliency\">\(FigureText.t("pg_plain"))</option>"
                    + "<option value=\"smoothgrad\">"
                    + FigureText.t("pg_smoothgrad_samples", ["n": "\(smoothGradSamples)"]) + "</option></select>"
                : ""
            return "<div class=\"viz-cell\"><canvas class=\"pg-\(map.rawValue) pixelated\" width=\"\(w)\" "
                + "height=\"\(h)\" role=\"img\" aria-label=\"\(description)\"></canvas>"
                + "<span class=\"viz-label pg-\(map.rawValue)-label\">\(label)</span>\(choice)</div>"
        }.joined()
    }

    /// The browser of the split's images, if the directive asks for one.
    func browserHTML(_ context: DirectiveContext, figure: FigureBuilder, classNames names: [String]) throws -> String? {
        let model = context.model
        return try sprite(context).map { sprite in
            let path = figure.add(
                Data(sprite.script(key: model.name).utf8), name: "playground-\(model.name)-\(sprite.split)", ext: "js")
            let classes = names.enumerated().map { "<option value=\"\($0)\">\(HTML.escape($1))</option>" }.joined()
            return """
                <details class="pg-browse" data-src="\(Figure.root)\(path)" data-key="\(HTML.escape(model.name))">\
                <summary>\(FigureText.browse(sprite.count, split: sprite.split, digits: context.isDigits))</summary>
                <div class="pg-browse-controls">
                <label>\(FigureText.t("pg_class")) <select class="pg-class">\
                <option value="">\(FigureText.t("pg_any"))</option>\
                \(classes)</select></label>
                <label><input type="checkbox" class="pg-misclassified"> \(FigureText.t("pg_misclassified_only"))</label>
                <span class="pg-count" aria-live="polite">\(FigureText.t("pg_loading"))</span>
                </div>
                <div class="pg-grid"></div>
                <button type="button" class="pg-more" hidden>\(FigureText.t("pg_show_more"))</button>
                </details>
                """
        }
    }
}
