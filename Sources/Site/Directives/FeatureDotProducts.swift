import CNN
import Common
import Foundation

/// What a `feature-maps` figure's dot-product view shows when a reader points at a value
/// (CNN Explainer's view, precomputed by the build): for a convolution, the value's
/// receptive field in the layer below, the kernel, their products and the sum plus bias;
/// for max pooling, the window and its winner. Written as a script that registers the
/// numbers under `window.vizsiteDots[key]` and that the page loads on the first hover or
/// focus; `Theme/assets/feature-dots.js` draws the view.
struct FeatureDotProducts {
    let key: String
    let script: String

    /// The view's data for the first `channels` channels of `layer` on `image`, or nil for a
    /// layer that is neither a convolution nor max pooling reading one spatial layer.
    init?(model: Model, image: Tensor, layer name: String, channels count: Int) {
        guard let index = model.layers.firstIndex(where: { $0.name == name }), model.inputs[index].count == 1
        else { return nil }
        let layer = model.layers[index], below = model.inputs[index][0]
        guard layer.outputShape.count == 3, layer.inputShape.count == 3 else { return nil }
        let outputs = model.outputs(image)
        let input = below < 0 ? image.scalars : outputs[below].scalars
        let output = outputs[index].scalars
        let (oh, ow, oc) = (layer.outputShape[0], layer.outputShape[1], layer.outputShape[2])
        let (h, w, c) = (layer.inputShape[0], layer.inputShape[1], layer.inputShape[2])
        var fields: [String: String] = [
            "layer": PlaygroundJSON.string(name),
            "below": PlaygroundJSON.string(below < 0 ? "" : model.layers[below].name),
            "out": PlaygroundJSON.ints([oh, ow, count]),
            "output": Self.numbers((0..<(oh * ow)).flatMap { p in (0..<count).map { output[p * oc + $0] } }),
            "field": Self.field(model, from: index),
            "channels": "\(oc)",
            "input_shape": PlaygroundJSON.ints(model.inputShape),
        ]
        switch layer {
        case let conv as Conv2D:
            let (kh, kw) = (conv.kernelSize.height, conv.kernelSize.width)
            let cg = c / conv.groups, kernel = model.parameters["\(name)/kernel"]!.scalars
            let bias = model.parameters["\(name)/bias"]?.scalars
            fields["type"] = PlaygroundJSON.string("conv")
            fields["in"] = PlaygroundJSON.ints([h, w, c])
            fields["input"] = Self.numbers(Array(input))
            fields["kernel"] = PlaygroundJSON.ints([kh, kw])
            fields["strides"] = PlaygroundJSON.ints([conv.strides.height, conv.strides.width])
            fields["pads"] = PlaygroundJSON.ints([conv.pads.top, conv.pads.left])
            fields["dilations"] = PlaygroundJSON.ints([conv.dilations.height, conv.dilations.width])
            fields["groups"] = "\(conv.groups)"
            fields["activation"] = PlaygroundJSON.string(conv.activation.name)
            // Each shown channel's kernel, [kh, kw, cg] row-major (HWIO sliced at that output).
            fields["weights"] =
                "["
                + (0..<count).map { k in
                    Self.numbers((0..<(kh * kw * cg)).map { kernel[$0 * oc + k] })
                }.joined(separator: ",") + "]"
            fields["bias"] = Self.numbers((0..<count).map { bias?[$0] ?? 0 })
        case let pool as MaxPool2D:
            fields["type"] = PlaygroundJSON.string("maxpool")
            // Only the shown channels of the layer below: pooling keeps channels apart.
            fields["in"] = PlaygroundJSON.ints([h, w, count])
            fields["input"] = Self.numbers((0..<(h * w)).flatMap { p in (0..<count).map { input[p * c + $0] } })
            fields["kernel"] = PlaygroundJSON.ints([pool.poolSize.height, pool.poolSize.width])
            fields["strides"] = PlaygroundJSON.ints([pool.strides.height, pool.strides.width])
            fields["pads"] = PlaygroundJSON.ints([pool.pads.top, pool.pads.left])
        default:
            return nil
        }
        let body =
            "{" + fields.sorted { $0.key < $1.key }.map { "\"\($0.key)\":\($0.value)" }.joined(separator: ",")
            + "}"
        key = "\(name)-" + String(SHA256.hash(Data(body.utf8)).prefix(12))
        script =
            "// How each value of \(name)'s feature maps was computed, for vizsite's dot-product view.\n"
            + "(window.vizsiteDots = window.vizsiteDots || {})[\(PlaygroundJSON.string(key))] = \(body);\n"
    }

    /// Float32 values at their shortest round-tripping decimals.
    private static func numbers(_ values: [Float]) -> String {
        "[" + values.map { $0 == 0 ? "0" : "\($0)" }.joined(separator: ",") + "]"
    }

    /// The windows from layer `index` back to the model's input, each `[stride y, stride x,
    /// pad top, pad left, extent y, extent x]` (extent: the window's span, dilation
    /// included), so that the page can box a value's receptive field on the input image.
    /// Layers without a window pass positions through; a join follows its first input.
    private static func field(_ model: Model, from index: Int) -> String {
        var windows: [[Int]] = []
        var i = index
        while i >= 0 {
            if case .window(let span, let stride, let padding) = model.layers[i].gridMapping {
                windows.append([stride.height, stride.width, padding.height, padding.width, span.height, span.width])
            }
            i = model.inputs[i][0]
        }
        return "[" + windows.map(PlaygroundJSON.ints).joined(separator: ",") + "]"
    }
}
