import Common
import Foundation

/// What an imported model's file cannot say, from a small YAML file beside it
/// (`resnet.onnx.yml` next to `resnet.onnx`):
///
///     preprocess: resize              # mnist | resize: how a picture is fitted to the input
///     scale: 0.00392156862            # × each 8-bit value (default 1 / 255)
///     mean: [0.485, 0.456, 0.406]     # subtracted per channel after scaling
///     std: [0.229, 0.224, 0.225]      # divided per channel after that
///     channel_order: rgb              # rgb | bgr
///     classes: [airplane, automobile, bird, cat, deer, dog, frog, horse, ship, truck]
///     cam_layer: /layer4/layer4.1/relu_1/Relu   # where CAM methods look by default
///     input_size: [48, 192]           # height and width, for an input the file leaves open
///
/// Every field is optional; without a sidecar an 8-bit image is fed as pixel / 255.
public struct ModelSidecar: Sendable, Hashable {
    public var normalization = InputNormalization.standard
    /// `mnist` or `resize` (Render's `ImagePreparation`), when given.
    public var preprocess: String?
    public var classNames: [String]?
    public var camLayer: String?
    /// Where the sidecar names `cam_layer`, for warnings about it.
    public var camLayerLocation: SourceLocation?

    public init() {}

    /// The sidecar's bytes, nil when there is none: a regular file beside the model, not a
    /// link out of the model's folder.
    private static func readSidecar(_ file: String, shown: String) throws(SourceError) -> Data? {
        do { return try ConfinedFile.read(file, inside: ResolvedPath.parent(file), limit: 1 << 20) } catch {
            if error == .missing { return nil }
            throw SourceError(
                error.reason(folder: "the model's folder"), at: SourceLocation(file: shown, line: 0, column: 0))
        }
    }

    static let keys = ["preprocess", "scale", "mean", "std", "channel_order", "classes", "cam_layer", "input_size"]

    /// The sidecar's `input_size` (height, width), read before the model is imported; nil
    /// when there is no sidecar or it gives none.
    static func inputSize(beside path: String, displayPath: String) throws(SourceError) -> (height: Int, width: Int)? {
        guard let data = try readSidecar(path + ".yml", shown: displayPath + ".yml"),
            let text = String(data: data, encoding: .utf8)
        else { return nil }
        let fields = try YAMLValue.parse(text, file: displayPath + ".yml").mapping()
        guard let v = fields["input_size"] else { return nil }
        let items = try v.list()
        var sizes: [Int] = []
        for item in items { sizes.append(try item.int()) }
        guard sizes.count == 2, sizes.allSatisfy({ (1...65_536).contains($0) }) else {
            throw v.error("input_size is [height, width], two whole numbers from 1 to 65,536")
        }
        return (sizes[0], sizes[1])
    }

    /// The sidecar of the model file at `path` (`<path>.yml`), checked against `model`;
    /// an empty one when there is none.
    static func load(beside path: String, displayPath: String, model: Model) throws(SourceError) -> ModelSidecar {
        let file = path + ".yml", shown = displayPath + ".yml"
        guard let data = try readSidecar(file, shown: shown) else { return ModelSidecar() }
        guard let text = String(data: data, encoding: .utf8) else {
            throw SourceError("the sidecar is not UTF-8 text", at: SourceLocation(file: shown, line: 0, column: 0))
        }
        let fields = try YAMLValue.parse(text, file: shown).mapping()
        try fields.checkKeys(keys, in: "a model sidecar")
        var sidecar = ModelSidecar()
        let channels = model.inputShape.last ?? 1
        if let v = fields["preprocess"] {
            let text = try v.string()
            guard ["mnist", "resize"].contains(text) else {
                throw v.error(
                    "unknown value '\(text)', expected one of mnist, resize",
                    suggestion: nearestName(to: text, in: ["mnist", "resize"]))
            }
            sidecar.preprocess = text
        }
        if let v = fields["scale"] {
            sidecar.normalization.scale = Float(try v.double())
            guard sidecar.normalization.scale > 0 else { throw v.error("scale must be positive") }
        }
        for key in ["mean", "std"] {
            guard let v = fields[key] else { continue }
            var values: [Float] = []
            if let items = try? v.list() {
                for item in items { values.append(Float(try item.double())) }
            } else {
                values = [Float(try v.double())]
            }
            guard values.count == 1 || values.count == channels else {
                let wanted =
                    channels == 1
                    ? "1 value (the input has one channel)" : "1 or \(channels) values (one per input channel)"
                throw v.error("\(key) needs \(wanted), found \(values.count)")
            }
            if key == "std" {
                guard values.allSatisfy({ $0 > 0 }) else { throw v.error("std values must be positive") }
                sidecar.normalization.std = values
            } else {
                sidecar.normalization.mean = values
            }
        }
        if let v = fields["channel_order"] {
            let text = try v.string().lowercased()
            guard text == "rgb" || text == "bgr" else { throw v.error("channel_order must be rgb or bgr") }
            sidecar.normalization.bgr = text == "bgr"
        }
        if let v = fields["classes"] {
            var names: [String] = []
            for item in try v.list() { names.append(try item.string()) }
            guard names.count == model.classCount else {
                throw v.error("classes names \(names.count) classes; the model outputs \(model.classCount)")
            }
            sidecar.classNames = names
        }
        if let v = fields["cam_layer"] {
            let name = try v.string()
            guard let index = model.layerIndex(named: name) else {
                throw v.error(
                    "the model has no layer '\(name)'", suggestion: nearestName(to: name, in: model.layers.map(\.name)))
            }
            guard model.layers[index].outputShape.count == 3 else {
                throw v.error("layer '\(name)' outputs \(model.layers[index].outputShape), not an [h, w, c] image")
            }
            sidecar.camLayer = model.layers[index].name
            sidecar.camLayerLocation = v.location
        }
        return sidecar
    }
}
