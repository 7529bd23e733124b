import CNN
import Explain
import Foundation

/// Speed of a model brought from elsewhere, on seeded random inputs of its own shape: what
/// `Benchmarks/compare_imported.sh` sets beside ONNX Runtime and PyTorch. Medians after
/// warm-up; each Grad-CAM call includes the forward pass that picks the predicted class.
struct ImportedBench: Encodable {
    var model: String
    var input: [Int]
    var threads = Parallelism.workers
    var inferImagesPerSecondB32 = 0.0
    var inferLatencyMsB1 = 0.0
    var gradcamMsB1 = 0.0
    var gradcamLayer = ""

    enum CodingKeys: String, CodingKey {
        case model, input, threads
        case inferImagesPerSecondB32 = "infer_images_per_s_b32"
        case inferLatencyMsB1 = "infer_latency_ms_b1"
        case gradcamMsB1 = "gradcam_ms_b1"
        case gradcamLayer = "gradcam_layer"
    }

    init(_ model: Model, repeats: Int) throws {
        self.model = model.name
        input = model.inputShape
        let size = model.inputShape.elementCount
        var random = SeededRandom(seed: 5)
        let images = (0..<(32 * size)).map { _ in random.nextUnit() }
        let predictor = Predictor(model: model, maxBatch: 32)
        var logits = [Float](repeating: 0, count: 32 * model.classCount)
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        images.withUnsafeBufferPointer { x in
            logits.withUnsafeMutableBufferPointer { out in
                for _ in 0..<2 { predictor.logits(x.baseAddress!, count: 32, into: out.baseAddress!) }
                var rates: [Double] = []
                for _ in 0..<max(3, repeats / 4) {
                    let (wall, _) = timed { predictor.logits(x.baseAddress!, count: 32, into: out.baseAddress!) }
                    rates.append(32 / wall)
                }
                inferImagesPerSecondB32 = median(rates)
                for _ in 0..<5 { predictor.logits(x.baseAddress!, count: 1, into: out.baseAddress!) }
                var times: [Double] = []
                for i in 0..<repeats {
                    let (wall, _) = timed {
                        predictor.logits(x.baseAddress! + (i % 32) * size, count: 1, into: out.baseAddress!)
                    }
                    times.append(wall * 1000)
                }
                inferLatencyMsB1 = median(times)
            }
        }
        let image = ExplainedImage(pixels: Tensor(shape: [1] + model.inputShape, scalars: Array(images[0..<size])))
        let layer = model.defaultCAMLayer ?? model.layers[0].name
        gradcamLayer = layer
        for _ in 0..<3 { _ = try GradCAM().explain(image, layer: layer, target: .predicted, model: model) }
        var times: [Double] = []
        for _ in 0..<repeats {
            var failure: Error?
            let (wall, _) = timed {
                do { _ = try GradCAM().explain(image, layer: layer, target: .predicted, model: model) } catch {
                    failure = error
                }
            }
            if let failure { throw failure }
            times.append(wall * 1000)
        }
        gradcamMsB1 = median(times)
    }
}
