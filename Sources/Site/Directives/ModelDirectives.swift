import Common
import CNN
import Explain
import Foundation
import Render

/// The Keras-style summary table.
struct SummaryDirective: Directive {
    static let name = "summary"
    static let summary = "The model's layers, output shapes and parameter counts, as Keras's model.summary() prints them."
    static let options: [OptionSpec] = []
    static let example = ""

    let modelName: String
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) { modelName = model.name }

    var caption: String { "The layers of \(modelName), their output shapes and parameter counts." }
    var alt: String { "model summary table" }
    var needsWeights: Bool { false }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let model = context.model
        let rows = model.layers.enumerated().map { i, layer in
            ["\(layer.name) (\(layer.kind))", "(None, " + layer.outputShape.map(String.init).joined(separator: ", ") + ")",
             model.parameterCount(layer: i).grouped]
        }
        let total = model.parameters.count
        var html = FigureLayout.table(header: ["Layer (type)", "Output shape", "Param #"], rows: rows, numeric: [2])
        html += "\n<p class=\"viz-totals\">Total params: \(total.grouped) · Trainable params: \(total.grouped) · Non-trainable params: 0 · Multiply-accumulates per image: \(model.multiplyAccumulates.grouped)</p>"
        try figure.json(ModelValues(model), name: "summary")
        return (html, ["model \(model.name)"])
    }
}

/// The architecture diagram.
struct ArchitectureDirective: Directive {
    static let name = "architecture"
    static let summary = "A diagram of the model: each layer a block with its type and output shape."
    static let options: [OptionSpec] = [OptionSpec("width", "integer 240–960", default: "360", "Width of the diagram in pixels.")]
    static let example = "width: 360"

    let modelName: String
    let width: Int
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        modelName = model.name
        width = try options.int("width", default: 360, in: 240...960)
    }

    var caption: String { "The architecture of \(modelName), from the input at the top to the class scores at the bottom." }
    var alt: String { "architecture diagram of \(modelName)" }
    var needsWeights: Bool { false }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let model = context.model
        let diagram = ArchitectureDiagram(input: model.inputShape, blocks: model.layers.enumerated().map { i, l in
            ArchitectureDiagram.Block(name: l.name, kind: l.kind, outputShape: l.outputShape, parameters: model.parameterCount(layer: i))
        })
        let svg = figure.svg(diagram.svg(width: Double(width)), name: "architecture", label: "diagram (SVG)", thumbnail: true)
        try figure.json(ModelValues(model), name: "architecture")
        return (svg, [])
    }
}

/// Dataset images with their labels.
struct SamplesDirective: Directive {
    static let name = "samples"
    static let summary = "Images from the dataset (or your own PNGs) with their labels, and optionally the model's predictions."
    static let options: [OptionSpec] = [
        OptionSpec("images", "image selector or list", default: "test[0:16]", "The images to show."),
        DirectiveOptions.preprocessSpec,
        OptionSpec("scale", "integer 1–16", default: "3", "Display pixels per input pixel."),
        OptionSpec("predictions", "boolean", default: "false", "Also show the model's predicted class."),
    ]
    static let example = "images: train[0:16]\nscale: 3"

    let images: [ImageSelector]
    let scale: Int
    let predictions: Bool
    let location: SourceLocation

    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        images = try options.images(default: "test[0:16]", classes: model.classes)
        scale = try options.int("scale", default: 3, in: 1...16)
        predictions = try options.bool("predictions", default: false)
        location = options.location(of: "images")
    }

    var inputFiles: [String] { images.files }
    var needsWeights: Bool { predictions }
    var caption: String { "Digits \(images.text)" + (predictions ? ", with the model's predictions." : ", with their labels.") }
    var alt: String { "handwritten digits" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let selected = try context.images(images, at: location)
        var predicted: [Int] = []
        if predictions, !selected.isEmpty {
            let batch = Tensor(shape: [selected.count] + context.model.inputShape, scalars: selected.flatMap(\.pixels.scalars))
            predicted = context.model.logits(batch).argmaxPerSample()
        }
        let cells = selected.enumerated().map { i, image -> (html: String, label: String) in
            let h = image.heatmap
            let picture = RGBAImage.grayscale(width: h.width, height: h.height, values: h.values).upscaled(by: scale)
            var label = image.label.map { "\($0)" } ?? "?"
            if predictions { label += " → \(predicted[i])" + (image.label.map { $0 == predicted[i] ? "" : " ✗" } ?? "") }
            let alt = "digit \(image.name)" + (image.label.map { ", labelled \($0)" } ?? "")
            return (figure.image(picture, name: "sample", alt: alt), label)
        }
        figure.card(selected.map { RGBAImage.grayscale(width: $0.heatmap.width, height: $0.heatmap.height, values: $0.heatmap.values).upscaled(by: 4) })
        try figure.json(PredictionValues(images: selected.enumerated().map { i, image in
            .init(image: image.name, label: image.label, predicted: predictions ? predicted[i] : nil, probabilities: nil)
        }), name: "samples")
        return (FigureLayout.grid(cells), predictions ? ["label → prediction"] : [])
    }
}

/// Training curves from the training log.
struct TrainingDirective: Directive {
    static let name = "training"
    static let summary = "The training loss and accuracy as the model learned, from the training log, with the test scores per epoch."
    static let options: [OptionSpec] = []
    static let example = ""

    let modelName: String
    let location: SourceLocation
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        modelName = model.name
        location = options.location
    }

    var caption: String { "Training loss and accuracy of \(modelName) (averaged over windows of mini-batches, dropout on), with the test set's after each epoch." }
    var alt: String { "training loss and accuracy curves" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        guard let log = context.trainingLog, !log.isEmpty else {
            throw SourceError("the model's weights were not trained by vizsite, so there is no training log to plot", at: location)
        }
        let history = log.flatMap { $0.history ?? [EpochLog.HistoryPoint(epoch: Double($0.epoch), loss: $0.loss, accuracy: $0.accuracy)] }
        let testLoss = log.compactMap { e in e.testLoss.map { (Double(e.epoch), $0) } }
        let testAccuracy = log.compactMap { e in e.testAccuracy.map { (Double(e.epoch), $0) } }
        let lossChart = LineChart(series: [
            LineChart.Series(name: "training", points: history.map { ($0.epoch, $0.loss) }, color: "#1f77b4"),
            LineChart.Series(name: "test", points: testLoss.map { (x: $0.0, y: $0.1) }, color: "#d62728"),
        ], xLabel: "epoch", yLabel: "cross-entropy loss")
        let accuracyChart = LineChart(series: [
            LineChart.Series(name: "training", points: history.map { ($0.epoch, $0.accuracy) }, color: "#1f77b4"),
            LineChart.Series(name: "test", points: testAccuracy.map { (x: $0.0, y: $0.1) }, color: "#d62728"),
        ], xLabel: "epoch", yLabel: "accuracy", yRange: (min(0.8, history.map(\.accuracy).min() ?? 0.8), 1))
        let a = figure.svg(lossChart.svg(width: 330, height: 250), name: "training-loss", label: "loss (SVG)", title: "training loss curve")
        let b = figure.svg(accuracyChart.svg(width: 330, height: 250), name: "training-accuracy", label: "accuracy (SVG)", title: "training accuracy curve", thumbnail: true)
        // Timings vary from run to run; the site must not.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(log.map { Timeless($0) })
        figure.link("raw values (JSON)", path: figure.add(data, name: "training-log", ext: "json"))
        var notes = ["\(log.count) epoch\(log.count == 1 ? "" : "s")"]
        if let last = log.last?.testAccuracy { notes.append(String(format: "test accuracy %.2f%%", last * 100)) }
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
        epoch = e.epoch; loss = e.loss; accuracy = e.accuracy; testLoss = e.testLoss; testAccuracy = e.testAccuracy; history = e.history
    }
}

/// Key numbers of the trained model, for prose that quotes them.
struct MetricDirective: Directive {
    static let name = "metrics"
    static let summary = "A table of the trained model's key numbers: test accuracy and loss, errors, parameters, training epochs."
    static let options: [OptionSpec] = []
    static let example = ""

    let modelName: String
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) { modelName = model.name }

    var caption: String { "How well \(modelName) does on the 10,000 test digits." }
    var alt: String { "model metrics" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let evaluation = try context.evaluation.get()
        let errors = evaluation.predictions.count - Int((evaluation.accuracy * Double(evaluation.predictions.count)).rounded())
        var rows = [["test accuracy", String(format: "%.2f%%", evaluation.accuracy * 100)],
                    ["test loss", String(format: "%.4f", evaluation.loss)],
                    ["misclassified test digits", "\(errors) of \(evaluation.predictions.count.grouped)"],
                    ["parameters", context.model.parameters.count.grouped]]
        if let log = context.trainingLog {
            rows.append(["training", "\(log.count) epoch\(log.count == 1 ? "" : "s") of \((try context.data.get().train.count).grouped) images"])
        }
        try figure.json(MetricValues(testAccuracy: evaluation.accuracy, testLoss: evaluation.loss, misclassified: errors,
                                     parameters: context.model.parameters.count, perClassAccuracy: evaluation.perClassAccuracy),
                        name: "metrics")
        return (FigureLayout.table(header: ["measure", "value"], rows: rows, numeric: [1]), [])
    }
}

/// The confusion matrix of the test set.
struct ConfusionMatrixDirective: Directive {
    static let name = "confusion-matrix"
    static let summary = "The test set's confusion matrix as an annotated heatmap, per-class accuracy, and the most confused pairs."
    static let options: [OptionSpec] = [
        OptionSpec("colormap", "a colormap name", default: "viridis", "The colormap of the cells."),
        OptionSpec("pairs", "integer 0–20", default: "5", "How many of the most confused pairs to list."),
    ]
    static let example = "pairs: 5"

    let colormap: Colormap
    let pairs: Int
    init(_ options: DirectiveOptions, model: Model) throws(SourceError) {
        colormap = try options.colormap(default: "viridis")
        pairs = try options.int("pairs", default: 5, in: 0...20)
    }

    var caption: String { "Confusion matrix of the 10,000 test digits: rows are true labels, columns predictions; off-diagonal cells are errors." }
    var alt: String { "confusion matrix heatmap" }

    func run(_ context: DirectiveContext, figure: FigureBuilder) throws -> (body: String, notes: [String]) {
        let mnist = try context.data.get()
        let evaluation = try context.evaluation.get()
        let matrix = ConfusionMatrix(labels: mnist.test.labels, predictions: evaluation.predictions, classes: context.classes)
        let labels = (0..<context.classes).map(String.init)
        // Log-scaled colors so the few errors show beside the ~1,000 correct per class.
        let chart = MatrixChart(values: matrix.counts.map { $0.map(Double.init) }, rowLabels: labels, columnLabels: labels,
                                colormap: colormap, rowTitle: "true label", columnTitle: "predicted", logScale: true)
        var body = figure.svg(chart.svg(cell: 34), name: "confusion-matrix", label: "matrix (SVG)", thumbnail: true)
        let accuracy = matrix.perClassAccuracy
        body += "\n" + FigureLayout.table(header: ["class"] + labels, rows: [["accuracy"] + accuracy.map { String(format: "%.1f%%", $0 * 100) }],
                                         numeric: Set(1...labels.count))
        if pairs > 0 {
            let confused = matrix.mostConfused(pairs)
            body += "\n" + FigureLayout.table(header: ["true label", "predicted", "count"],
                                              rows: confused.map { ["\($0.trueClass)", "\($0.predicted)", "\($0.count)"] }, numeric: [2])
        }
        try figure.json(ConfusionValues(counts: matrix.counts, perClassAccuracy: accuracy, accuracy: matrix.accuracy,
                                        mostConfused: matrix.mostConfused(max(pairs, 1)).map {
                                            .init(true: $0.trueClass, predicted: $0.predicted, count: $0.count)
                                        }), name: "confusion-matrix")
        return (body, [String(format: "accuracy %.2f%%", matrix.accuracy * 100), "colormap \(colormap.name), log scale"])
    }
}
