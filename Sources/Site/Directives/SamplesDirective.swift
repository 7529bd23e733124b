import Common
import CNN
import Explain
import Foundation
import Render

/// Dataset images with their labels.
struct SamplesDirective: Directive {
    static let name = "samples"
    static let summary =
        "Images from the dataset (or your own PNGs) with their labels, and optionally the model's predictions."
    static let images = DirectiveOption(
        "images", "image selector or list", default: "test[0:16]", "The images to show.")
    static let scale = DirectiveOption("scale", "integer 1–16", default: "3", "Display pixels per input pixel.")
    static let predictions = DirectiveOption(
        "predictions", "boolean", default: "false", "Also show the model's predicted class.")
    static let options = [images.spec, DirectiveOptions.preprocessSpec, scale.spec, predictions.spec]
    static let example = "images: train[0:16]\nscale: 3"

    let images: [ImageSelector]
    let scale: Int
    let predictions: Bool
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        images = try Self.images.images(options, default: "test[0:16]", classes: model.classes)
        scale = try Self.scale.int(options, default: 3, in: 1...16)
        predictions = try Self.predictions.bool(options, default: false)
        location = Self.images.location(in: options)
    }

    var inputFiles: [String] { images.files }
    var needsWeights: Bool { predictions }
    var caption: String {
        "Digits \(images.text)" + (predictions ? ", with the model's predictions." : ", with their labels.")
    }
    var alt: String { "handwritten digits" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location)
        var predicted: [Int] = []
        if predictions, !selected.isEmpty {
            let batch = Tensor(
                shape: [selected.count] + context.model.inputShape, scalars: selected.flatMap(\.pixels.scalars))
            predicted = context.model.logits(batch).argmaxPerSample()
        }
        let cells = selected.enumerated().map { i, image -> (html: String, label: String) in
            let picture = image.display.upscaled(by: scale)
            var label = image.label.map(image.shortClassName) ?? "?"
            if predictions {
                label +=
                    " → \(image.shortClassName(predicted[i]))"
                    + (image.label.map { $0 == predicted[i] ? "" : " ✗" } ?? "")
            }
            let alt =
                image.label.map {
                    FigureText.t("alt_sample_labelled", ["image": image.name, "label": image.shortClassName($0)])
                } ?? FigureText.t("alt_sample", ["image": image.name])
            return (figure.image(picture, name: "sample", alt: alt), label)
        }
        figure.card(
            selected.map { $0.display.upscaled(by: 4) })
        try figure.json(
            PredictionValues(
                images: selected.enumerated().map { i, image in
                    .init(
                        image: image.name, label: image.label, predicted: predictions ? predicted[i] : nil,
                        probabilities: nil)
                }), name: "samples")
        return (FigureLayout.grid(cells), predictions ? [FigureText.t("label_to_prediction")] : [])
    }
}
