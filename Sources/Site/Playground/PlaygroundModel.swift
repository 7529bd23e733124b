import CNN
import Common
import Explain
import Foundation

/// A model as the playground's JavaScript runtime (`Theme/assets/playground-runtime.js`)
/// runs it: its layers, their shapes and settings, and their weights as little-endian
/// float32 or float16 in base64, in a script that registers it under `window.vizsiteModels`,
/// so that a page opened from `file://` loads it as it loads the search index.
struct PlaygroundModel {
    /// The layers the runtime implements, with the activations it knows.
    static let supportedLayers = ["Conv2D", "MaxPooling2D", "Dense", "Flatten", "Dropout"]
    static let supportedActivations = ["linear", "relu", "relu6", "leaky_relu", "sigmoid", "tanh", "silu", "softmax"]

    /// How the weights are stored: float32, or float16 at half the size.
    enum Precision: String, Sendable, CaseIterable { case float32, float16 }

    let model: Model
    var precision: Precision = .float32
    /// How pictures become the model's input; the page applies it to drawings and to the
    /// images readers browse.
    var normalization: InputNormalization = .standard

    /// The name the script registers the model under: its name and precision, so that two
    /// playgrounds of one model at different precisions can share a page.
    var key: String { "\(model.name)/\(precision.rawValue)" }

    /// Why the runtime cannot run `model`, or nil when it can.
    static func unsupported(_ model: Model) -> String? {
        for (i, layer) in model.layers.enumerated() {
            guard model.inputs[i] == [i - 1] else {
                return "layer \(layer.name) reads \(model.inputs[i].count) inputs; the playground runs chains of layers"
            }
            guard supportedLayers.contains(layer.kind) else {
                return "layer \(layer.name) is a \(layer.kind); the playground runs "
                    + supportedLayers.joined(separator: ", ")
            }
            if let conv = layer as? Conv2D, conv.groups != 1 || conv.dilations != (1, 1) {
                return "layer \(layer.name) is grouped or dilated; the playground runs plain convolutions"
            }
            if let name = activationName(layer), !supportedActivations.contains(name) {
                return "layer \(layer.name) uses \(name); the playground knows "
                    + supportedActivations.joined(separator: ", ")
            }
        }
        return nil
    }

    private static func activationName(_ layer: any Layer) -> String? {
        switch layer {
        case let conv as Conv2D: conv.activation.name
        case let dense as Dense: dense.activation.name
        default: nil
        }
    }

    /// The script defining the model (`unsupported` must be nil).
    func script() -> String {
        var layers: [String] = []
        for layer in model.layers {
            var fields = [
                "name": json(layer.name), "in": json(layer.inputShapes[0]), "out": json(layer.outputShape),
            ]
            switch layer {
            case let conv as Conv2D:
                fields["type"] = json("conv2d")
                fields["kernel"] = json([conv.kernelSize.height, conv.kernelSize.width])
                fields["strides"] = json([conv.strides.height, conv.strides.width])
                fields["pads"] = json([conv.pads.top, conv.pads.left])
                fields.merge(activation(conv.activation)) { $1 }
            case let pool as MaxPool2D:
                fields["type"] = json("maxpool")
                fields["pool"] = json([pool.poolSize.height, pool.poolSize.width])
                fields["strides"] = json([pool.strides.height, pool.strides.width])
                fields["pads"] = json([pool.pads.top, pool.pads.left])
            case let dense as Dense:
                fields["type"] = json("dense")
                fields.merge(activation(dense.activation)) { $1 }
            default:
                fields["type"] = json("identity")
            }
            if let kernel = model.parameters["\(layer.name)/kernel"] { fields["w"] = json(encode(kernel.scalars)) }
            if let bias = model.parameters["\(layer.name)/bias"] { fields["b"] = json(encode(bias.scalars)) }
            layers.append(
                "{" + fields.sorted { $0.key < $1.key }.map { "\(json($0.key)):\($0.value)" }.joined(separator: ",")
                    + "}")
        }
        let spec = [
            "\"name\":\(json(model.name))", "\"input\":\(json(model.inputShape))",
            "\"classes\":\(model.classCount)", "\"dtype\":\(json(precision.rawValue))",
            "\"cam_layer\":\(model.defaultCAMLayer.map(json) ?? "null")",
            "\"normalization\":\(normalizationJSON)",
            "\"layers\":[\n" + layers.joined(separator: ",\n") + "\n]",
        ]
        return "// The weights of \(model.name) for vizsite's playground (\(precision), little-endian, base64).\n"
            + "(window.vizsiteModels = window.vizsiteModels || {})[\(json(key))] = {"
            + spec.joined(separator: ",") + "};\n"
    }

    /// null for pixel / 255 (the page feeds pictures as they are, as the core does).
    private var normalizationJSON: String {
        guard normalization != .standard else { return "null" }
        let n = normalization
        return "{\"scale\":\(n.scale),\"mean\":\(PlaygroundJSON.floats(n.mean)),"
            + "\"std\":\(PlaygroundJSON.floats(n.std)),\"bgr\":\(n.bgr)}"
    }

    private func activation(_ a: Activation) -> [String: String] {
        if case .leakyReLU(let slope) = a { return ["activation": json("leaky_relu"), "slope": "\(slope)"] }
        return ["activation": json(a.name)]
    }

    private func json(_ value: String) -> String { PlaygroundJSON.string(value) }

    private func json(_ values: [Int]) -> String { PlaygroundJSON.ints(values) }

    private func encode(_ values: [Float]) -> String {
        var bytes = [UInt8]()
        switch precision {
        case .float32:
            bytes.reserveCapacity(values.count * 4)
            for v in values { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        case .float16:
            bytes.reserveCapacity(values.count * 2)
            for v in values { withUnsafeBytes(of: Float16(v).bitPattern.littleEndian) { bytes.append(contentsOf: $0) } }
        }
        return Data(bytes).base64EncodedString()
    }
}
