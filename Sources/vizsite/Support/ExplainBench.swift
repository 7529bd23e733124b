import CNN
import Explain
import Foundation

/// Explanation speed on one image, as the PyTorch anchor measures it: each call includes
/// the forward pass that picks the predicted class; medians over `calls` after warm-up.
enum ExplainBench {
    static func measure(_ model: Model, image: ExplainedImage, calls: Int, heavyCalls: Int) throws -> [String: Double] {
        var out: [String: Double] = [:]
        func median(_ name: String, _ n: Int, _ body: () throws -> Void) throws {
            out["\(name)_ms"] = try medianMilliseconds(warmup: 3, calls: n, body)
        }
        let layer = model.defaultCAMLayer ?? model.layers[0].name
        // The anchor's names for the methods it measures; many-pass methods get fewer calls.
        let measured: [(key: String, method: String, heavy: Bool)] = [
            ("gradcam", "gradcam", false), ("gradcampp", "gradcam++", false), ("layercam", "layercam", false),
            ("scorecam", "scorecam", true), ("saliency", "vanilla", false), ("smoothgrad50", "smoothgrad", true),
            ("integrated_gradients50", "integrated-gradients", true),
        ]
        for (key, name, heavy) in measured {
            let entry = MethodCatalogue.named(name)!
            if entry.needsLayer && model.defaultCAMLayer == nil { continue }
            if entry.family == .attention && model.attentionLayers == nil { continue }
            let method = entry.method()
            try median(key, heavy ? heavyCalls : calls) {
                _ = try method.explain(image, target: .predicted, layer: entry.needsLayer ? layer : nil, model: model)
            }
        }
        // As the anchor: filter 0 of the last convolution, no regularizers or jitter.
        let ascent = ActivationMaximization(steps: 256, learningRate: 0.01, l2: 0, totalVariation: 0, jitter: 0)
        try median("actmax256", max(3, heavyCalls / 4)) { _ = try ascent.maximize(model, layer: layer, unit: 0) }
        return out
    }
}
