import CNN
import Common
import Foundation
import Testing
import TestSupport

/// Models from elsewhere (a hub, a pull request) may point their weights at files of the
/// machine that builds them. None is read: a link out, HDF5 external storage or external
/// links, a pipe or a folder is an error naming the file and the tensor.
@Suite("Hostile model files")
struct HostileModelFileTests {
    static let hostile = PackagePaths.path("Tests/CNNTests/Fixtures/hostile")
    static let imports = PackagePaths.path("Tests/CNNTests/Fixtures/import")

    func loadError(_ path: String) -> String {
        do {
            _ = try ModelSpec.load(path: path, displayPath: (path as NSString).lastPathComponent)
            return "loaded"
        } catch { return error.description }
    }

    @Test("HDF5 external storage and external links are refused before any value is read")
    func hdf5External() {
        #expect(
            loadError("\(Self.hostile)/external-storage.h5")
                == "external-storage.h5: error: not a readable Keras file (dataset "
                + "'model_weights/dense_1/sequential_mnist/dense_1/bias' keeps its values in other files (HDF5 "
                + "external storage or a virtual dataset); vizsite reads only what the file itself holds)")
        #expect(
            loadError("\(Self.hostile)/external-link.h5")
                == "external-link.h5: error: not a readable Keras file "
                + "('model_weights/dense_1/sequential_mnist/dense_1/bias' is an external link to another file; "
                + "vizsite reads only what the file itself holds)")
        #expect(
            loadError("\(Self.hostile)/external-storage.keras")
                .contains("dataset 'layers/conv2d/vars/1' keeps its values in other files"))
    }

    /// A copy of a dynamo-exported model whose external data file is `data`'s doing.
    func onnxWithData(_ make: (String, String) throws -> Void) throws -> (TemporaryDirectory, String) {
        let folder = TemporaryDirectory("vizsite-onnx")
        let model = folder.file("m.onnx")
        try FileManager.default.copyItem(atPath: "\(Self.imports)/channels-last-dynamo.onnx", toPath: model)
        // The exporter names the data file after the model it wrote.
        try make(folder.file("channels-last-dynamo.onnx.data"), "\(Self.imports)/channels-last-dynamo.onnx.data")
        return (folder, model)
    }

    @Test("ONNX external data: a link out, a pipe and a folder are errors; a link inside the folder is fine")
    func onnxExternalData() throws {
        let outside = TemporaryDirectory("vizsite-secret")
        let secret = outside.file("weights.data")
        try FileManager.default.copyItem(atPath: "\(Self.imports)/channels-last-dynamo.onnx.data", toPath: secret)
        let (a, linkedOut) = try onnxWithData { data, _ in
            try FileManager.default.createSymbolicLink(atPath: data, withDestinationPath: secret)
        }
        #expect(
            loadError(linkedOut).contains(
                "external data file 'channels-last-dynamo.onnx.data' leads out of the model's folder through a "
                    + "symbolic link"))
        let (b, piped) = try onnxWithData { data, _ in #expect(mkfifo(data, 0o600) == 0) }
        #expect(loadError(piped).contains("'channels-last-dynamo.onnx.data' is a named pipe, not a regular file"))
        let (c, folder) = try onnxWithData { data, _ in
            try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: false)
        }
        #expect(loadError(folder).contains("'channels-last-dynamo.onnx.data' is a folder, not a regular file"))
        let (d, linkedInside) = try onnxWithData { data, real in
            let beside = ResolvedPath.parent(data) + "/weights/real.data"
            try FileManager.default.createDirectory(
                atPath: ResolvedPath.parent(beside), withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: real, toPath: beside)
            try FileManager.default.createSymbolicLink(atPath: data, withDestinationPath: "weights/real.data")
        }
        #expect(loadError(linkedInside) == "loaded")
        _ = (a, b, c, d)
    }
}
