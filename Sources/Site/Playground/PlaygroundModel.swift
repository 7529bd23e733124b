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

    /// The operations the runtime (`playground-runtime.js`) implements; `identity` stands
    /// for every layer that keeps or rearranges values (flatten, reshape, dropout).
    static let runtimeOperations: Set = [
        "conv2d", "dense", "activation", "maxpool", "avgpool", "globalavg", "globalmax", "batchnorm", "affine",
        "zeropad", "crop", "add", "multiply", "concat", "lrn", "gather", "layernorm", "resize", "identity",
        "transpose", "matmul", "softmax", "addtensor", "prepend",
    ]

    /// Why the runtime cannot run `model`, or nil when it can (an operation added to the
    /// core and not yet to the runtime).
    static func unsupported(_ model: Model) -> String? {
        for layer in model.layers where !runtimeOperations.contains(layer.operation.name) {
            return "layer \(layer.name) is \(layer.kind.withArticle), which the browser's runtime does not implement"
        }
        return nil
    }

    /// A layer's type and settings as the runtime reads them: its operation description.
    private static func fields(_ layer: any Layer) -> [String: String] {
        var f = ["type": PlaygroundJSON.string(layer.operation.name)]
        for (key, value) in layer.operation.attributes {
            f[key] =
                switch value {
                case .int(let n): "\(n)"
                case .ints(let values): PlaygroundJSON.ints(values)
                case .floats(let values): PlaygroundJSON.floats(values)
                case .float(let x): "\(x)"
                case .bool(let b): "\(b)"
                case .activation(let a): activation(a)
                }
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
            var fields = Self.fields(layer)
            fields["name"] = json(layer.name)
            fields["in"] = "[" + layer.inputShapes.map(json).joined(separator: ",") + "]"
            fields["out"] = json(layer.outputShape)
            // Where CAM reads a transformer's layer: patch tokens on their grid after the
            // class tokens, or a Swin stage's [1, H, W, C] map — [h, w, c, values skipped].
            if let layout = model.spatialLayout(layer: i), layout.shape != layer.outputShape {
                fields["grid"] = json(layout.shape + [layout.skipped])
            }
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
