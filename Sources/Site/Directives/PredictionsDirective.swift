import Common
import CNN
import Explain
import Foundation
import Render

/// Class probabilities as bars beside each digit.
struct PredictionsDirective: Directive {
    static let name = "predictions"
    static let summary = "The model's class probabilities for each image, as bars beside the digit."
    static let images = DirectiveOption("images", "image selector or list", default: "test[0:4]", "The images.")
    static let options = [images.spec, DirectiveOptions.preprocessSpec]
    static let example = "images: test.misclassified[0:4]"

    let images: [ImageSelector]
    let location: SourceLocation
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        images = try Self.images.images(options, default: "test[0:4]", classes: model.classes)
        location = Self.images.location(in: options)
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
            let digit = figure.image(
                image.display.upscaled(by: 4), name: "prediction-input",
                alt: FigureText.t("alt_sample", ["image": image.name]))
            let bars = figure.svg(
                BarChart(
                    labels: (0..<p.count).map(image.shortClassName), values: p.map(Double.init), highlight: predicted
                ).svg(
                    width: 220, rowHeight: 16),
                name: "predictions",
                title:
                    FigureText.t(
                        "alt_probabilities",
                        [
                            "image": image.name, "class": image.shortClassName(predicted),
                            "p": String(format: "%.1f%%", p[predicted] * 100),
                        ])
            )
            cells.append(
                "<div class=\"viz-prediction\"><div class=\"viz-cell\">\(digit)<span "
                    + "class=\"viz-label\">\(HTML.escape(imageHeader(image)))</span></div>\(bars)</div>"
            )
            json.append(
                PredictionValues.Image(
                    image: image.name, label: image.label, predicted: predicted,
                    probabilities: p.map(Double.init)))
        }
        try figure.json(PredictionValues(images: json), name: "predictions")
        return ("<div class=\"viz-predictions\">" + cells.joined() + "</div>", [FigureText.t("softmax_note")])
    }
}
