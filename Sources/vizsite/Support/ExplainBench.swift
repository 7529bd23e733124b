import CNN
import Explain
import Foundation

/// Explanation speed on one image, as the PyTorch anchor measures it: each call includes
/// the forward pass that picks the predicted class; medians over `calls` after warm-up.
enum ExplainBench {
    static func measure(_ model: Model, image: ExplainedImage, calls: Int, heavyCalls: Int) throws -> [String: Double] {
        var out: [String: Double] = [:]
        func median(_ name: String, _ n: Int, _ body: () throws -> Void) throws {
            for _ in 0..<3 { try body() }
            var times: [Double] = []
            for _ in 0..<n {
                var failure: Error?
                let (wall, _) = timed { do { try body() } catch { failure = error } }
                if let failure { throw failure }
                times.append(wall * 1000)
            }
            out["\(name)_ms"] = times.sorted()[times.count / 2]
        }
        let layer = model.lastConvolution ?? model.layers[0].name
        try median("gradcam", calls) { _ = try GradCAM().explain(image, layer: layer, target: .predicted, model: model) }
        try median("gradcampp", calls) { _ = try GradCAMPlusPlus().explain(image, layer: layer, target: .predicted, model: model) }
        try median("layercam", calls) { _ = try LayerCAM().explain(image, layer: layer, target: .predicted, model: model) }
        try median("scorecam", heavyCalls) { _ = try ScoreCAM().explain(image, layer: layer, target: .predicted, model: model) }
        try median("saliency", calls) { _ = try VanillaGradient().explain(image, target: .predicted, model: model) }
        try median("smoothgrad50", heavyCalls) { _ = try SmoothGrad(samples: 50, noise: 0.15).explain(image, target: .predicted, model: model) }
        try median("integrated_gradients50", heavyCalls) {
            _ = try IntegratedGradients(steps: 50).explain(image, target: .predicted, model: model)
        }
        // As the anchor: filter 0 of the last convolution, no regularizers or jitter.
        let ascent = ActivationMaximization(steps: 256, learningRate: 0.01, l2: 0, totalVariation: 0, jitter: 0)
        try median("actmax256", max(3, heavyCalls / 4)) { _ = try ascent.maximize(model, layer: layer, unit: 0) }
        return out
    }
}
