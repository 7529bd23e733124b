import CNN
import Explain
import Common
import Foundation
import Testing
import TestSupport

@testable import Site

/// PaddleOCR's pretrained text-direction classifier, as the rapidocr-onnxruntime wheel
/// ships it (Benchmarks/make_text_direction.py): a MobileNetV3-style colour CNN with
/// squeeze-and-excitation gates, hard-swish written as Add/Clip/Mul/Div, HardSigmoid, an
/// input of open height and width, and a softmax behind an Identity. Read from the image
/// folder of the lesson's text lines, its probabilities are ONNX Runtime's.
@Suite struct TextDirectionTests {
    static let model = PackagePaths.path("Content/models/text-direction.onnx")
    static let data = PackagePaths.path("Content/data/text-lines")

    struct Expected: Decodable {
        let probabilities: [String: [Double]]
    }

    @Test func probabilitiesMatchONNXRuntimeOnEveryLine() throws {
        let spec = try ModelSpec.load(path: Self.model)
        let model = spec.model
        #expect(model.inputShape == [48, 192, 3])
        // Every hard-swish is one layer, the gates are products with a per-channel vector.
        let kinds = model.layers.map(\.kind)
        #expect(model.layers.filter { $0.activation == .hardSwish }.count == 18)
        #expect(kinds.filter { $0 == "Multiply" }.count == 9)
        #expect(model.layers.contains { $0.activation == .hardSigmoid(alpha: 0.2, beta: 0.5) })
        #expect(model.defaultCAMLayer == "Div@17")

        let data = try ModelData(path: Self.data, for: spec)
        #expect(data.splitNames == ["test"] && data.classNames == ["0", "180"])
        let test = try data.inputs("test")
        #expect(test.count == 80 && test.labels == [Int](repeating: 0, count: 40) + [Int](repeating: 1, count: 40))
        let expected = try JSONDecoder().decode(
            Expected.self,
            from: Data(
                contentsOf: URL(
                    fileURLWithPath: PackagePaths.path("Tests/CNNTests/Fixtures/import/text-direction-expected.json"))))
        let p = model.probabilities(test.images).scalars
        var worst = 0.0
        for i in 0..<80 {
            let key = "\(i < 40 ? "0" : "180")/\(String(format: "%02d", i % 40)).png"
            let reference = try #require(expected.probabilities[key])
            for k in 0..<2 { worst = max(worst, abs(Double(p[i * 2 + k]) - reference[k])) }
        }
        #expect(worst < 1e-4, "largest difference from ONNX Runtime: \(worst)")
    }

    @Test func inputSizeMustFitTheFile() throws {
        let folder = TemporaryDirectory()
        let fixture = PackagePaths.path("Tests/CNNTests/Fixtures/import/residual-rgb-torchscript.onnx")
        try FileManager.default.copyItem(atPath: fixture, toPath: folder.file("fixed.onnx"))
        folder.write("fixed.onnx.yml", "input_size: [10, 12]\n")
        #expect {
            try ModelSpec.load(path: folder.file("fixed.onnx"), displayPath: "fixed.onnx")
        } throws: { error in
            "\(error)".contains("is fixed at") && "\(error)".contains("input_size 10×12 differs")
        }
        try FileManager.default.copyItem(atPath: Self.model, toPath: folder.file("open.onnx"))
        #expect {
            try ModelSpec.load(path: folder.file("open.onnx"), displayPath: "open.onnx")
        } throws: { error in
            "\(error)".contains("input 'x' has shape [?, 3, ?, ?]")
        }
        folder.write("open.onnx.yml", "input_size: [48]\n")
        #expect {
            try ModelSpec.load(path: folder.file("open.onnx"), displayPath: "open.onnx")
        } throws: { error in
            "\(error)".contains("open.onnx.yml:1:13: error: input_size is [height, width]")
        }
    }
}
