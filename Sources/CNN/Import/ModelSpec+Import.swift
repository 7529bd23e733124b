import Common
import Foundation

extension ModelSpec {
    /// The file extensions loaded by an importer rather than read as a YAML spec.
    public static let importedExtensions = ["onnx", "keras", "h5"]

    /// A model imported from an ONNX or Keras file, with its weights.
    static func imported(path: String, displayPath: String) throws(SourceError) -> ModelSpec {
        // Read once: the bytes are both imported and hashed for cache keys.
        let bytes: [UInt8]
        do { bytes = try ConfinedFile.bytes(path, inside: nil, limit: ONNXImporter.maximumFileSize) } catch {
            throw SourceError(
                "cannot read the model: " + error.describe((displayPath as NSString).lastPathComponent, folder: ""),
                at: SourceLocation(file: displayPath, line: 0, column: 0))
        }
        let inputSize = try ModelSidecar.inputSize(beside: path, displayPath: displayPath)
        var model: Model
        do {
            model =
                (path as NSString).pathExtension.lowercased() == "onnx"
                ? try ONNXImporter.load(
                    bytes: bytes, directory: ResolvedPath.parent(path), displayPath: displayPath,
                    inputSize: inputSize)
                : try KerasImporter.load(bytes: bytes, displayPath: displayPath)
        } catch {
            throw error.sourceError
        }
        var hash = SHA256()
        hash.update(bytes)
        // The model's conventional external data file, if any (the importer has read it, or
        // refused it, already: only a regular file inside the model's folder is hashed).
        // Hashed in pieces: the file may hold gigabytes of weights.
        if let external = try? ConfinedFile(path + ".data", inside: ResolvedPath.parent(path)) {
            var offset = 0
            while offset < external.size,
                let piece = try? external.read(offset: offset, count: min(64 << 20, external.size - offset))
            {
                hash.update(piece)
                offset += piece.count
            }
        }
        if model.inputShape.elementCount > maxActivations {
            throw SourceError(
                "the model has a \(model.inputShape) input; at most \(maxActivations.grouped) input values are "
                    + "supported", at: SourceLocation(file: displayPath, line: 0, column: 0))
        }
        try checkFinite(model.parameters, model: model.name, file: displayPath)
        let sidecar = try ModelSidecar.load(beside: path, displayPath: displayPath, model: model)
        if let size = inputSize, Array(model.inputShape.prefix(2)) != [size.height, size.width] {
            throw SourceError(
                "the model's input is fixed at \(model.inputShape[0])×\(model.inputShape[1]); the sidecar's "
                    + "input_size cannot change it", at: SourceLocation(file: displayPath + ".yml", line: 0, column: 0))
        }
        model.preferredCAMLayer = sidecar.camLayer
        return ModelSpec(
            model: model, dataset: model.inputShape == [28, 28, 1] ? "mnist" : "images", weights: nil,
            weightsLocation: nil, source: "",
            importedDigest: hash.finalize(), sidecar: sidecar)
    }

    /// Every weight must be a finite number: a NaN or an infinity turns every figure into
    /// noise (or into JSON that cannot be written). The error names the model, the tensor
    /// and the first bad index.
    static func checkFinite(_ parameters: ParameterSet, model: String, file: String) throws(SourceError) {
        for entry in parameters.entries {
            guard let bad = parameters.values[entry.range].firstIndex(where: { !$0.isFinite }) else { continue }
            let index = bad - entry.offset
            var position: [Int] = []
            var rest = index
            for size in entry.shape.reversed() {
                position.insert(rest % max(size, 1), at: 0)
                rest /= max(size, 1)
            }
            throw SourceError(
                "model '\(model)': weight '\(entry.key)' of shape \(entry.shape) holds \(parameters.values[bad]) at "
                    + "index \(position) (element \(index)); every weight must be a finite number",
                at: SourceLocation(file: file, line: 0, column: 0))
        }
    }
}
