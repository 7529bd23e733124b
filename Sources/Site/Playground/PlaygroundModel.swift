import CNN
import Common
import Explain
import Foundation

/// A model as the playground's JavaScript runtime (`Theme/assets/playground-runtime.js`)
/// runs it: its layers, their shapes and settings, and their weights as little-endian
/// float32 or float16 in base64, in a script that registers it under `window.vizsiteModels`,
/// so that a page opened from `file://` loads it as it loads the search index.
struct PlaygroundModel {
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

    /// Why the runtime cannot run `model`, or nil when it can (a layer kind added to the core
    /// and not yet to the runtime, which `fields` does not know).
    static func unsupported(_ model: Model) -> String? {
        for layer in model.layers where fields(layer) == nil {
            return "layer \(layer.name) is a \(layer.kind), which the browser's runtime does not implement"
        }
        return nil
    }

    /// A layer's type and settings as the runtime reads them, or nil for a layer it does not know.
    private static func fields(_ layer: any Layer) -> [String: String]? {
        var f: [String: String] = [:]
        switch layer {
        case let conv as Conv2D:
            f["type"] = PlaygroundJSON.string("conv2d")
            f["kernel"] = PlaygroundJSON.ints([conv.kernelSize.height, conv.kernelSize.width])
            f["strides"] = PlaygroundJSON.ints([conv.strides.height, conv.strides.width])
            f["dilations"] = PlaygroundJSON.ints([conv.dilations.height, conv.dilations.width])
            f["pads"] = PlaygroundJSON.ints([conv.pads.top, conv.pads.left])
            f["groups"] = "\(conv.groups)"
            f["activation"] = activation(conv.activation)
        case let pool as MaxPool2D:
            f["type"] = PlaygroundJSON.string("maxpool")
            f["pool"] = PlaygroundJSON.ints([pool.poolSize.height, pool.poolSize.width])
            f["strides"] = PlaygroundJSON.ints([pool.strides.height, pool.strides.width])
            f["pads"] = PlaygroundJSON.ints([pool.pads.top, pool.pads.left])
        case let pool as AveragePool2D:
            f["type"] = PlaygroundJSON.string("avgpool")
            f["pool"] = PlaygroundJSON.ints([pool.poolSize.height, pool.poolSize.width])
            f["strides"] = PlaygroundJSON.ints([pool.strides.height, pool.strides.width])
            f["pads"] = PlaygroundJSON.ints([pool.pads.top, pool.pads.left])
            f["count_include_pad"] = "\(pool.countIncludePad)"
        case let pool as GlobalPool2D:
            f["type"] = PlaygroundJSON.string(pool.reduction == .average ? "globalavg" : "globalmax")
        case let dense as Dense:
            f["type"] = PlaygroundJSON.string("dense")
            f["activation"] = activation(dense.activation)
        case let norm as BatchNormalization:
            f["type"] = PlaygroundJSON.string("batchnorm")
            f["epsilon"] = "\(norm.epsilon)"
        case is ChannelAffine:
            f["type"] = PlaygroundJSON.string("affine")
        case let pad as ZeroPadding2D:
            f["type"] = PlaygroundJSON.string("zeropad")
            f["pads"] = PlaygroundJSON.ints([pad.pads.top, pad.pads.left])
        case is Add:
            f["type"] = PlaygroundJSON.string("add")
        case is Multiply:
            f["type"] = PlaygroundJSON.string("multiply")
        case let concat as Concatenate:
            f["type"] = PlaygroundJSON.string("concat")
            f["axis"] = "\(concat.axis)"
        case let act as ActivationLayer:
            f["type"] = PlaygroundJSON.string("activation")
            f["activation"] = activation(act.activation)
        case is Flatten, is Reshape, is Dropout:
            f["type"] = PlaygroundJSON.string("identity")
        default:
            return nil
        }
        return f
    }

    /// An activation as `{"name": …}` with its constants.
    private static func activation(_ a: Activation) -> String {
        let (name, constants): (String, [String: Float]) =
            switch a {
            case .linear: ("linear", [:])
            case .relu: ("relu", [:])
            case .clip(let low, let high): ("clip", ["low": low, "high": high])
            case .leakyReLU(let slope): ("leaky_relu", ["slope": slope])
            case .sigmoid: ("sigmoid", [:])
            case .hardSigmoid(let alpha, let beta): ("hard_sigmoid", ["alpha": alpha, "beta": beta])
            case .tanh: ("tanh", [:])
            case .silu: ("silu", [:])
            case .hardSwish: ("hard_swish", [:])
            case .gelu(let approximate): (approximate ? "gelu_tanh" : "gelu", [:])
            case .softmax: ("softmax", [:])
            }
        return "{\"name\":\"\(name)\""
            + constants.sorted { $0.key < $1.key }.map { ",\"\($0.key)\":\($0.value)" }.joined()
            + "}"
    }

    /// The script defining the model (`unsupported` must be nil).
    func script() -> String {
        var layers: [String] = []
        for (i, layer) in model.layers.enumerated() {
            var fields = Self.fields(layer) ?? ["type": PlaygroundJSON.string("identity")]
            fields["name"] = json(layer.name)
            fields["in"] = "[" + layer.inputShapes.map(json).joined(separator: ",") + "]"
            fields["out"] = json(layer.outputShape)
            fields["inputs"] = json(model.inputs[i])
            // Every parameter of the layer by its key (kernel, bias, gamma, moving_mean, scale, …).
            let parameters = layer.parameterShapes.compactMap { shape in
                model.parameters["\(layer.name)/\(shape.key)"].map { "\(json(shape.key)):\(json(encode($0.scalars)))" }
            }
            if !parameters.isEmpty { fields["p"] = "{" + parameters.joined(separator: ",") + "}" }
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
