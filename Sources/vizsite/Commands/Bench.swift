import ArgumentParser
import CNN
import Explain
import Foundation
import Site

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure training and inference speed of a model, printed as JSON.",
        discussion:
            "Keys match the PyTorch anchor's: train_images_per_s, infer_images_per_s_b128, infer_latency_ms_b1. "
            + "For an imported model (.onnx, .keras, .h5): infer_images_per_s_b32, infer_latency_ms_b1 and "
            + "gradcam_ms_b1 on random inputs of its shape."
    )

    @OptionGroup var model: ModelOptions

    @Option(help: "Training steps (batch 128) per repeat.")
    var trainSteps = 30

    @Option(help: "Inference batches of 128 per repeat.")
    var inferBatches = 50

    @Option(help: "Single-image calls for the latency figure.")
    var calls = 500

    @Flag(help: "Also time the explanation methods on one test image (imported models: the gradient family).")
    var explain = false

    @Flag(help: "Print each layer's forward time instead, and the time summed by kind of layer.")
    var layers = false

    @Option(help: "The batch for --layers.")
    var layerBatch = 1

    @Option(help: "Also write the JSON to this file.")
    var json: String?

    func run() throws {
        let spec = try model.load()
        if spec.isImported && !layers {
            // A model brought from elsewhere: inference and Grad-CAM on random inputs of its shape.
            let figures = try ImportedBench(spec.model, repeats: max(10, calls / 10), explain: explain)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let text = String(decoding: try encoder.encode(figures), as: UTF8.self)
            print(text)
            if let json { try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: json)) }
            return
        }
        if layers {
            print(layerProfile(spec.model, batch: layerBatch, threads: Parallelism.workers, repeats: 50))
            return
        }
        let data = try model.dataset(for: spec)
        let train = try model.trainSplit(data)
        let test = try model.heldOut(data).set
        var figures = BenchFigures()
        figures.recordKernels(spec.model)
        figures.measureTraining(spec.model, data: train, steps: trainSteps)
        figures.measureInference(spec.model, data: test, batches: inferBatches, calls: calls)
        if explain {
            let image = ExplainedImage(pixels: test.images.samples(0..<1), label: test.labels[0])
            let times = try ExplainBench.measure(spec.model, image: image, calls: 100, heavyCalls: 20)
            figures.explanations = times
        }
        let text = figures.json()
        print(text)
        if let json { try Data((text + "\n").utf8).write(to: URL(fileURLWithPath: json)) }
    }
}
