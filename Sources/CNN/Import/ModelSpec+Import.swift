import Common
import Foundation

extension ModelSpec {
    /// The file extensions loaded by an importer rather than read as a YAML spec.
    public static let importedExtensions = ["onnx", "keras", "h5"]

    /// A model imported from an ONNX or Keras file, with its weights.
    static func imported(path: String, displayPath: String) throws(SourceError) -> ModelSpec {
        var model: Model
        do {
            model =
                (path as NSString).pathExtension.lowercased() == "onnx"
                ? try ONNXImporter.load(path: path, displayPath: displayPath)
                : try KerasImporter.load(path: path, displayPath: displayPath)
        } catch {
            throw error.sourceError
        }
        var hash = SHA256()
        for file in [path, path + ".data"] {
            if let data = FileManager.default.contents(atPath: file) { hash.update(data) }
        }
        if model.inputShape.elementCount > maxActivations || model.parameters.count > maxParameters {
            throw SourceError(
                "the model has \(model.parameters.count.grouped) parameters and a \(model.inputShape) input; at most "
                    + "\(maxParameters.grouped) parameters and \(maxActivations.grouped) input values are supported",
                at: SourceLocation(file: displayPath, line: 0, column: 0))
        }
        let sidecar = try ModelSidecar.load(beside: path, displayPath: displayPath, model: model)
        model.defaultCAMLayer = sidecar.camLayer
        return ModelSpec(
            model: model, dataset: "mnist", weights: nil, weightsLocation: nil, source: "",
            importedDigest: hash.finalize(), sidecar: sidecar)
    }
}
