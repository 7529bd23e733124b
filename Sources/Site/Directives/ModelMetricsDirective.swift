import Common
import CNN
import Explain
import Foundation
import Render

/// Key numbers of the trained model, for prose that quotes them.
struct ModelMetricsDirective: Directive {
    static let name = "model-metrics"
    static let summary =
        "A table of the trained model's key numbers: test accuracy and loss, errors, parameters, training epochs."
    static let options: [OptionSpec] = []
    static let example = ""

    let modelName: String
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) { modelName = model.name }

    var caption: String { "How well \(modelName) does on the 10,000 test digits." }
    var alt: String { "model metrics" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let (split, set, evaluation) = try context.heldOut()
        figure.caption = "How well \(modelName) does on the \(context.imagesPhrase(set.count, split: split))."
        let errors =
            evaluation.predictions.count - Int((evaluation.accuracy * Double(evaluation.predictions.count)).rounded())
        var rows = [
            [
                FigureText.t("metric_accuracy", ["split": FigureText.split(split)]),
                String(format: "%.2f%%", evaluation.accuracy * 100),
            ],
            [FigureText.t("metric_loss", ["split": FigureText.split(split)]), String(format: "%.4f", evaluation.loss)],
            [
                FigureText.t("metric_misclassified", ["split": FigureText.split(split)]),
                FigureText.t("n_of_total", ["n": "\(errors)", "total": evaluation.predictions.count.grouped]),
            ],
            [FigureText.t("parameters"), context.model.parameters.parameterCount.grouped],
        ]
        if let log = context.trainingLog {
            let trained = try context.data.get().inputs("train").count
            rows.append([
                FigureText.t("training_row"),
                FigureText.t("epochs_of_images", ["n": "\(log.count)", "images": trained.grouped]),
            ])
        }
        try figure.json(
            MetricValues(
                testAccuracy: evaluation.accuracy, testLoss: evaluation.loss, misclassified: errors,
                parameters: context.model.parameters.parameterCount, perClassAccuracy: evaluation.perClassAccuracy),
            name: "model-metrics")
        return (
            FigureLayout.table(
                header: [FigureText.t("measure"), FigureText.t("value")], rows: rows, numeric: [1]), []
        )
    }
}
