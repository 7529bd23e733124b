@testable import CNN
import Common
import Foundation
import Testing
import TestSupport

/// A file with several operations vizsite does not run says so in one error, each with its
/// nodes or layers, so that one try tells whether the file can load at all
/// (Benchmarks/make_unsupported_fixtures.py makes the files).
@Suite("Unsupported operations")
struct UnsupportedOperationTests {
    static let folder = PackagePaths.path("Tests/CNNTests/Fixtures/unsupported")

    func loadError(_ name: String) -> String {
        do {
            _ = try ModelSpec.load(path: "\(Self.folder)/\(name)", displayPath: name)
            return "loaded"
        } catch { return error.description }
    }

    @Test("every unsupported ONNX operator, its nodes, other domains and control flow, in one error")
    func onnx() {
        let message = loadError("convnext-like.onnx")
        #expect(
            message.hasPrefix(
                "convnext-like.onnx: error: 2 operators are not supported in the file: com.microsoft.FusedGelu (node "
                    + "'/gelu/FusedGelu'), If (control flow, with a subgraph) (node '/branch/If'); vizsite runs Conv, "
                    + "Gemm,"), "\(message)")
    }

    @Test("every unsupported Keras layer class, with its layers, in one error")
    func keras() {
        let message = loadError("several-layers.keras")
        #expect(
            message.hasPrefix(
                "several-layers.keras: error: 3 layer classes are not supported in the file: Conv2DTranspose (layers "
                    + "'up_1', 'up_2'), Lambda (layer 'custom'), LocallyConnected2D (layer 'local'); vizsite runs "
                    + "InputLayer, Conv2D,"), "\(message)")
    }
}
