import Common
import Foundation

/// Reads a Keras model: a `.keras` file (Keras 3: a zip of `config.json` and
/// `model.weights.h5`) or a legacy `.h5` file (Keras 3 or tf-keras 2.x, whose root holds the
/// `model_config` attribute and the `model_weights` group), Sequential or functional.
///
/// Keras already computes channels-last with HWIO kernels and an (h, w, c) flatten, so
/// layers map one to one and keep their names. A layer class, option or activation that
/// vizsite cannot run exactly is an error naming the layer, its class and the file.
public struct KerasImporter {
    /// The layer classes vizsite runs: those model specs share (`KerasLayerClass`), and those
    /// only files hold.
    public static let supportedLayers =
        ["InputLayer"] + KerasLayerClass.names + [
            "Normalization", "LayerScale", "CustomScaleLayer (InceptionResNetV2's scaled residual)",
            "Add, Multiply, Subtract, TrueDivide and Divide of a tensor and a number (Keras 3 ops)",
            "Sequential models nested in a functional one",
        ]

    /// The class names `supportedLayers` covers.
    static let layerClasses = Set(
        ["InputLayer"] + KerasLayerClass.names + KerasLayerClass.aliases.keys + [
            "Normalization", "LayerScale", "Subtract", "TrueDivide", "Divide", "CustomScaleLayer",
        ])

    /// One layer of the config: class, name, options, and the layers it reads.
    struct LayerConfig {
        let className: String
        let name: String
        let config: JSONValue
        let inbound: [String]
        /// Numbers among a Keras 3 op's arguments (`x + 3.0`: one, after the tensor).
        var constants: [(value: Double, first: Bool)] = []
    }

    let file: String
    /// Each layer's weights, by layer name, in Keras's order.
    let weights: [String: [(shape: [Int], values: [Float])]]
    /// Whether layers may lack weights (they keep their initial values).
    var weightsOptional = false
    /// The Keras version that saved the file (`2.15.0`, `3.12.0`), when it says.
    var kerasVersion: String?

    /// Keras 2's `hard_sigmoid` is `clip(0.2 · x + 0.5, 0, 1)`; Keras 3's is
    /// `relu6(x + 3) / 6`.
    var hardSigmoid: Activation {
        kerasVersion?.hasPrefix("2.") == true
            ? .hardSigmoid(alpha: 0.2, beta: 0.5) : .hardSigmoid(alpha: 1 / 6, beta: 0.5)
    }

    /// The largest `model.weights.h5` a `.keras` file may inflate to: the float32 weights
    /// `budget` can hold, and room for HDF5's own structure.
    static func maximumWeightsFileSize(_ budget: MemoryBudget) -> Int {
        min(ONNXImporter.maximumFileSize, 4 * budget.largestTensor + (64 << 20))
    }

    /// Loads the model at `path`; `displayPath` is how errors name it.
    public static func load(path: String, displayPath: String? = nil) throws(ImportError) -> Model {
        let shown = displayPath ?? path
        let bytes: [UInt8]
        do { bytes = try ConfinedFile.bytes(path, inside: nil, limit: ONNXImporter.maximumFileSize) } catch {
            throw ImportError(
                file: shown,
                "cannot read the Keras model: " + error.describe((shown as NSString).lastPathComponent, folder: ""))
        }
        return try load(bytes: bytes, displayPath: shown)
    }

    /// Loads a model from the bytes of a `.keras` or `.h5` file; the weights must fit `budget`.
    public static func load(
        bytes: [UInt8], displayPath shown: String, budget: MemoryBudget = .machine
    ) throws(ImportError) -> Model {
        // libhdf5 may crash or hang on a damaged file: a child process reads it first.
        try HDF5Guard.check(bytes: bytes, displayPath: shown)
        let config: JSONValue, weights: [String: [(shape: [Int], values: [Float])]]
        var version: String?
        do {
            if bytes.starts(with: [0x50, 0x4B]) {  // "PK": a .keras zip
                let archive = try ZipArchive(bytes: bytes)
                guard let json = try archive.contents(of: "config.json", limit: 64 << 20),
                    let h5 = try archive.contents(of: "model.weights.h5", limit: maximumWeightsFileSize(budget))
                else {
                    throw ImportError(file: shown, "a .keras file needs config.json and model.weights.h5")
                }
                config = try decode(json, file: shown)
                if let metadata = try archive.contents(of: "metadata.json", limit: 1 << 20) {
                    version = (try? decode(metadata, file: shown))?["keras_version"]?.string
                }
                weights = try kerasWeights(HDF5File(bytes: h5), file: shown, budget: budget)
            } else {
                let h5 = try HDF5File(bytes: bytes)
                guard let text = try h5.strings(attribute: "model_config", of: "/")?.first else {
                    throw ImportError(
                        file: shown, "the .h5 file has no model_config: it holds weights only; save the whole model")
                }
                config = try decode(Array(text.utf8), file: shown)
                version = try h5.strings(attribute: "keras_version", of: "/")?.first
                weights = try legacyWeights(h5, file: shown, budget: budget)
            }
        } catch let error as ImportError {
            throw error
        } catch let error as ZipArchive.Malformed {
            throw ImportError(file: shown, "not a valid .keras file (\(error.reason))")
        } catch let error as HDF5File.Failure {
            throw ImportError(file: shown, "not a readable Keras file (\(error.reason))")
        } catch {
            throw ImportError(file: shown, "not a readable Keras file (\(error))")
        }
        var importer = KerasImporter(file: shown, weights: weights)
        importer.kerasVersion = version
        return try importer.build(config)
    }

    /// The model of a `.keras` file's bytes whose weights are left at their initial values:
    /// the zip and config reading alone, without libhdf5 (for fuzzing).
    public static func architecture(kerasBytes bytes: [UInt8], displayPath: String) throws(ImportError) -> Model {
        let json: [UInt8]
        do {
            guard let config = try ZipArchive(bytes: bytes).contents(of: "config.json", limit: 1 << 20) else {
                throw ImportError(file: displayPath, "a .keras file needs config.json")
            }
            json = config
        } catch let error as ImportError {
            throw error
        } catch {
            throw ImportError(file: displayPath, "not a valid .keras file")
        }
        return try KerasImporter(file: displayPath, weights: [:], weightsOptional: true)
            .build(decode(json, file: displayPath))
    }

    /// The deepest nesting a model config may have; Keras's own are under 20 levels deep.
    static let maximumNesting = 256

    static func decode(_ bytes: [UInt8], file: String) throws(ImportError) -> JSONValue {
        // Nesting is measured first: the decoder's own limit reports it as invalid JSON.
        var depth = 0, deepest = 0, inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        guard deepest <= maximumNesting else {
            throw ImportError(
                file: file,
                "the model config nests lists and objects \(deepest) deep; at most \(maximumNesting) are read")
        }
        do { return try JSONValue.parse(Data(bytes)) } catch {
            throw ImportError(file: file, "the model config is not valid JSON: " + String("\(error)".prefix(200)))
        }
    }

    /// Keras 3's `model.weights.h5`: `layers/<path>/vars/<i>`, the layer's name in the
    /// `name` attribute of its `vars` group.
    static func kerasWeights(
        _ h5: HDF5File, file: String, budget: MemoryBudget
    ) throws -> [String: [(shape: [Int], values: [Float])]] {
        var datasets: [(layer: String, paths: [String])] = []
        // A nested model's layers sit in `layers/<model>/layers/<layer>/vars`, to any depth.
        func collect(_ group: String, depth: Int) throws {
            guard depth < 16, try h5.exists(group) else { return }
            for member in try h5.members(of: group) {
                try collect("\(group)/\(member)/layers", depth: depth + 1)
                let vars = "\(group)/\(member)/vars"
                guard try h5.exists(vars) else { continue }
                let name = try h5.strings(attribute: "name", of: vars)?.first ?? member
                let indices = try h5.members(of: vars).compactMap(Int.init).sorted()
                if !indices.isEmpty { datasets.append((name, indices.map { "\(vars)/\($0)" })) }
            }
        }
        try collect("layers", depth: 0)
        return try read(datasets, from: h5, file: file, budget: budget)
    }

    /// A legacy `.h5` file's `model_weights/<layer>`, in the order of its `weight_names`.
    static func legacyWeights(
        _ h5: HDF5File, file: String, budget: MemoryBudget
    ) throws -> [String: [(shape: [Int], values: [Float])]] {
        var datasets: [(layer: String, paths: [String])] = []
        guard try h5.exists("model_weights") else { return [:] }
        for layer in try h5.strings(attribute: "layer_names", of: "model_weights") ?? [] {
            let group = "model_weights/\(layer)"
            let names = try h5.strings(attribute: "weight_names", of: group) ?? []
            datasets.append((layer, names.map { "\(group)/\($0)" }))
        }
        return try read(datasets, from: h5, file: file, budget: budget)
    }

    /// Each layer's datasets, once their shapes (read first, without their values) show
    /// that all of them fit `budget`; the refusal names the layer where they outgrow it.
    private static func read(
        _ datasets: [(layer: String, paths: [String])], from h5: HDF5File, file: String, budget: MemoryBudget
    ) throws -> [String: [(shape: [Int], values: [Float])]] {
        var total = 0
        for (layer, paths) in datasets {
            for path in paths {
                let count = try h5.shape(path).reduce(1) { $0.multipliedReportingOverflow(by: $1).partialValue }
                total = total.addingReportingOverflow(max(count, 0)).overflow ? .max : total + max(count, 0)
            }
            do {
                try budget.check(parameters: total, at: layer, bytesPerWeight: MemoryBudget.bytesPerLoadedWeight)
            } catch { throw ImportError(file: file, error.message) }
        }
        var result: [String: [(shape: [Int], values: [Float])]] = [:]
        for (layer, paths) in datasets {
            result[layer] = try paths.map { path in try h5.floats(path, limit: budget.largestTensor) }
        }
        return result
    }

    func error(_ message: String) -> ImportError { ImportError(file: file, message) }

    func error(_ layer: LayerConfig, _ message: String) -> ImportError {
        ImportError(file: file, "layer '\(layer.name)' (\(layer.className)): \(message)")
    }

    /// The model of a Sequential or functional config.
    func build(_ root: JSONValue) throws(ImportError) -> Model {
        guard let className = root["class_name"]?.string, let config = root["config"] else {
            throw error("the model config has no class_name and config")
        }
        let name = config["name"]?.string ?? "model"
        guard let items = config["layers"]?.array else { throw error("the model config lists no layers") }
        let functional = className == "Functional" || className == "Model"
        guard functional || className == "Sequential" else {
            throw error("a \(className) model is not supported; vizsite reads Sequential and functional models")
        }
        var layerConfigs: [LayerConfig] = []
        // A nested Sequential's name, as later layers read it, stands for its last layer.
        var renamed: [String: String] = [:]
        for (i, item) in items.enumerated() {
            guard let cls = item["class_name"]?.string, let options = item["config"] else {
                throw error("layer \(i) of the config has no class_name and config")
            }
            let layerName = options["name"]?.string ?? item["name"]?.string ?? "\(cls.lowercased())_\(i)"
            let inbound = functional ? try inboundNames(item, layer: layerName).map { renamed[$0] ?? $0 } : []
            if cls == "Sequential" && functional {
                let inner = try nestedSequential(options, name: layerName, reading: inbound)
                renamed[layerName] = inner.last?.name ?? inbound.first
                layerConfigs += inner
                continue
            }
            var layer = LayerConfig(className: cls, name: layerName, config: options, inbound: inbound)
            if functional { layer.constants = Self.constants(item) }
            layerConfigs.append(layer)
        }
        try checkClasses(layerConfigs)
        var builder = KerasGraph(importer: self)
        try builder.read(
            layerConfigs, functional: functional, outputs: config["output_layers"], renamed: renamed)
        return try builder.graph.importedModel(
            name: name, output: builder.output, aliases: [:], file: file, allowMissing: weightsOptional)
    }

    /// The layers of a Sequential model nested in a functional one (ConvNeXt's stem and
    /// downsampling blocks), as a chain of the outer graph: the first reads what the nested
    /// model reads, each next one the one before; its InputLayer is dropped. Nested deeper
    /// Sequentials are inlined the same way.
    private func nestedSequential(
        _ options: JSONValue, name: String, reading inbound: [String]
    ) throws(ImportError) -> [LayerConfig] {
        guard let items = options["layers"]?.array else { throw error("nested model '\(name)' lists no layers") }
        var chain: [LayerConfig] = [], previous = inbound
        for (i, item) in items.enumerated() {
            guard let cls = item["class_name"]?.string, let config = item["config"] else {
                throw error("layer \(i) of nested model '\(name)' has no class_name and config")
            }
            if cls == "InputLayer" { continue }
            let layerName = config["name"]?.string ?? "\(name)/\(cls.lowercased())_\(i)"
            if cls == "Sequential" {
                let inner = try nestedSequential(config, name: layerName, reading: previous)
                chain += inner
                previous = inner.last.map { [$0.name] } ?? previous
                continue
            }
            chain.append(LayerConfig(className: cls, name: layerName, config: config, inbound: previous))
            previous = [layerName]
        }
        return chain
    }

    /// Layer classes read as the identity at inference.
    static let identityLayers: Set = ["SpatialDropout2D", "GaussianNoise", "GaussianDropout", "ActivityRegularization"]

    /// Every layer of a class vizsite does not run, in one error: one try tells whether a
    /// file can load at all.
    private func checkClasses(_ configs: [LayerConfig]) throws(ImportError) {
        let known = Self.layerClasses.union(Self.identityLayers)
        var unsupported = UnsupportedList(kind: ("layer class", "layer classes"), item: ("layer", "layers"))
        for layer in configs where !known.contains(layer.className) { unsupported.add(layer.className, at: layer.name) }
        guard !unsupported.isEmpty else { return }
        let supported = "vizsite runs " + Self.supportedLayers.joined(separator: ", ")
        if unsupported.isSingle, let layer = configs.first(where: { !known.contains($0.className) }) {
            throw error(layer, "this layer class is not supported; \(supported)")
        }
        throw error(unsupported.message(supported: supported))
    }

    /// The numbers among the positional arguments of a Keras 3 op node (`ops.add(x, 3.0)`
    /// is saved as an `Add` whose args are a tensor and 3.0), each with whether it comes
    /// before the first tensor (`3.0 - x`).
    static func constants(_ item: JSONValue) -> [(value: Double, first: Bool)] {
        guard let args = item["inbound_nodes"]?.array?.first?["args"]?.array else { return [] }
        var seenTensor = false, found: [(Double, Bool)] = []
        for arg in args {
            if let number = arg.double {
                found.append((number, !seenTensor))
            } else {
                seenTensor = true
            }
        }
        return found
    }

    /// The names of the layers a functional layer reads: Keras 3's `keras_history` in
    /// `args`, or tf-keras's `[[name, node, tensor, kwargs], …]`.
    private func inboundNames(_ item: JSONValue, layer: String) throws(ImportError) -> [String] {
        guard let nodes = item["inbound_nodes"]?.array else { return [] }
        guard nodes.count <= 1 else {
            throw error("layer '\(layer)' is called \(nodes.count) times (a shared layer), which is not supported")
        }
        guard let node = nodes.first else { return [] }
        if let args = node["args"]?.array {
            var names: [String] = []
            func collect(_ value: JSONValue) {
                if let history = value["config"]?["keras_history"]?.array, let name = history.first?.string {
                    names.append(name)
                } else if let items = value.array {
                    items.forEach(collect)
                }
            }
            args.forEach(collect)
            return names
        }
        return (node.array ?? []).compactMap { $0.array?.first?.string }
    }
}
