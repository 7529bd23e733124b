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
    /// Multiply-accumulates of one image's forward pass (for GFLOP/s against the machine's peak).
    var multiplyAccumulates = 0
    /// With `--explain`: the gradient family on one image (each call with the forward pass
    /// that picks the class), as Captum's Saliency, NoiseTunnel(Saliency) with 50 samples and
    /// IntegratedGradients with 50 steps are timed.
    var explanations: [String: Double]?

    enum CodingKeys: String, CodingKey {
        case model, input, threads
        case inferImagesPerSecondB32 = "infer_images_per_s_b32"
        case inferLatencyMsB1 = "infer_latency_ms_b1"
        case gradcamMsB1 = "gradcam_ms_b1"
        case gradcamLayer = "gradcam_layer"
        case multiplyAccumulates = "multiply_accumulates"
        case explanations
    }

    init(_ model: Model, repeats: Int, explain: Bool = false) throws {
        self.model = model.name
        input = model.inputShape
        multiplyAccumulates = model.layers.reduce(0) { $0 + $1.multiplyAccumulates }
        let size = model.inputShape.elementCount
        var random = SeededRandom(seed: 5)
        let images = (0..<(32 * size)).map { _ in random.nextUnit() }
        let predictor = Predictor(model: model, maxBatch: 32)
        var logits = [Float](repeating: 0, count: 32 * model.classCount)
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
        gradcamMsB1 = try medianMilliseconds(warmup: 3, calls: repeats) {
            _ = try GradCAM().explain(image, layer: layer, target: .predicted, model: model)
        }
        if explain {
            explanations = try ImportedBench.gradientFamily(model, image: image, calls: max(3, repeats / 10))
        }
    }

    /// Vanilla gradient, SmoothGrad (50 samples) and Integrated Gradients (50 steps): medians
    /// of `calls` after one warm-up call, in milliseconds.
    static func gradientFamily(_ model: Model, image: ExplainedImage, calls: Int) throws -> [String: Double] {
        var out: [String: Double] = [:]
        for (key, name, n) in [
            ("saliency_ms", "vanilla", 10 * calls), ("smoothgrad50_ms", "smoothgrad", calls),
            ("integrated_gradients50_ms", "integrated-gradients", calls),
        ] {
            let method = MethodCatalogue.named(name)!.method()
            out[key] = try medianMilliseconds(warmup: 1, calls: n) {
                _ = try method.explain(image, target: .predicted, layer: nil, model: model)
            }
        }
        return out
    }
}
