import Common
import CNN
import Explain
import Foundation
import Render

/// Training curves from the training log.
struct TrainingDirective: Directive {
    static let name = "training"
    static let summary =
        "The training loss and accuracy as the model learned, from the training log, with the test scores per epoch."
    static let options: [OptionSpec] = []
    static let example = ""

    let modelName: String
    let location: SourceLocation
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        modelName = model.name
        location = options.location
    }

    var caption: String {
        "Training loss and accuracy of \(modelName) (averaged over windows of mini-batches, dropout on), with the test "
            + "set's after each epoch."
    }
    var alt: String { "training loss and accuracy curves" }

    /// Only a model vizsite trains has a training log.
    func problems(model: ModelSpec, others: [ModelSpec]) -> [SourceError] {
        guard !model.needsTraining else { return [] }
        return [
            SourceError(
                "'training' plots the log vizsite writes while it trains, and \(modelName) is "
                    + (model.isImported ? "imported" : "given as trained weights")
                    + ": there is no log; plot the training curves where it was trained", at: location)
        ]
    }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        guard let log = context.trainingLog, !log.isEmpty else {
            throw SourceError(
                "the model's weights were not trained by vizsite, so there is no training log to plot", at: location)
        }
        let history = log.flatMap {
            $0.history ?? [EpochLog.HistoryPoint(epoch: Double($0.epoch), loss: $0.loss, accuracy: $0.accuracy)]
        }
        let testLoss = log.compactMap { e in e.testLoss.map { (Double(e.epoch), $0) } }
        let testAccuracy = log.compactMap { e in e.testAccuracy.map { (Double(e.epoch), $0) } }
        let lossChart = LineChart(
            series: [
                LineChart.Series(
                    name: FigureText.t("training"), points: history.map { ($0.epoch, $0.loss) }, color: "#1f77b4"),
                LineChart.Series(
                    name: FigureText.t("test"), points: testLoss.map { (x: $0.0, y: $0.1) }, color: "#d62728"),
            ], xLabel: FigureText.t("epoch"), yLabel: FigureText.t("cross_entropy_loss"),
            nameWidth: FigureText.drawnWidth)
        let accuracyChart = LineChart(
            series: [
                LineChart.Series(
                    name: FigureText.t("training"), points: history.map { ($0.epoch, $0.accuracy) }, color: "#1f77b4"),
                LineChart.Series(
                    name: FigureText.t("test"), points: testAccuracy.map { (x: $0.0, y: $0.1) }, color: "#d62728"),
            ], xLabel: FigureText.t("epoch"), yLabel: FigureText.t("accuracy"),
            yRange: (min(0.8, history.map(\.accuracy).min() ?? 0.8), 1), nameWidth: FigureText.drawnWidth)
        let a = figure.svg(
            lossChart.svg(width: 330, height: 250), name: "training-loss", label: FigureText.t("loss_svg"),
            title: FigureText.t("loss_curve"))
        let b = figure.svg(
            accuracyChart.svg(width: 330, height: 250), name: "training-accuracy", label: FigureText.t("accuracy_svg"),
            title: FigureText.t("accuracy_curve"), thumbnail: true)
        // Timings vary from run to run; the site must not.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(log.map { Timeless($0) })
        figure.link(FigureText.t("raw_values"), path: figure.add(data, name: "training-log", ext: "json"))
        var notes = [log.count == 1 ? FigureText.t("one_epoch") : FigureText.t("epochs", ["n": "\(log.count)"])]
        if let last = log.last?.testAccuracy {
            notes.append(FigureText.t("test_accuracy", ["value": String(format: "%.2f%%", last * 100)]))
        }
        return ("<div class=\"viz-row\"><div>\(a)</div><div>\(b)</div></div>", notes)
    }
}

/// An epoch's log without its timing, which would make builds differ.
private struct Timeless: Encodable {
    let epoch: Int
    let loss: Double
    let accuracy: Double
    let testLoss: Double?
    let testAccuracy: Double?
    let history: [EpochLog.HistoryPoint]?
    init(_ e: EpochLog) {
        epoch = e.epoch; loss = e.loss; accuracy = e.accuracy; testLoss = e.testLoss; testAccuracy = e.testAccuracy;
        history = e.history
    }
}
