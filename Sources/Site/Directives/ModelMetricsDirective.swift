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
            ["test accuracy", String(format: "%.2f%%", evaluation.accuracy * 100)],
            ["test loss", String(format: "%.4f", evaluation.loss)],
            ["misclassified test digits", "\(errors) of \(evaluation.predictions.count.grouped)"],
            ["parameters", context.model.parameters.count.grouped],
        ]
        if let log = context.trainingLog {
            let trained = try context.data.get().inputs("train").count
            rows.append(["training", "\(log.count) epoch\(log.count == 1 ? "" : "s") of \(trained.grouped) images"])
        }
        try figure.json(
            MetricValues(
                testAccuracy: evaluation.accuracy, testLoss: evaluation.loss, misclassified: errors,
                parameters: context.model.parameters.count, perClassAccuracy: evaluation.perClassAccuracy),
            name: "model-metrics")
        return (FigureLayout.table(header: ["measure", "value"], rows: rows, numeric: [1]), [])
    }
}
