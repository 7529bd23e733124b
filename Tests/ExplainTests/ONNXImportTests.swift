import CNN
import Common
import Explain
import Foundation
import Testing
import TestSupport

/// Models exported from PyTorch with both ONNX exporters (Benchmarks/make_import_fixtures.py)
/// load into vizsite's graph and compute what PyTorch computed: logits, ONNX Runtime's
/// outputs, the input gradient of the top logit, and Grad-CAM at a named node.
@Suite struct ONNXImportTests {
    struct Fixture: Decodable {
        struct Export: Decodable {
            let file: String
            let opset: Int
            let onnxruntime_outputs: [[Float]]
            let gradcam_layer: String
        }
        let input_shape: [Int]
        let images: [[Float]]
        let logits: [[Float]]
        let top: [Int]
        let input_gradient: [[Float]]
        let gradcam: [String: [[[Float]]]]
        let files: [String: Export]
    }

    static let directory = PackagePaths.path("Tests/CNNTests/Fixtures/import")

    static func fixture(_ name: String) throws -> Fixture {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(directory)/\(name).json"))
        return try JSONDecoder().decode(Fixture.self, from: data)
    }

    static let cases: [(model: String, exporter: String)] = [
        ("residual-rgb", "torchscript"), ("residual-rgb", "unfolded"), ("residual-rgb", "dynamo"),
        ("flat-mnist", "torchscript"), ("flat-mnist", "unfolded"), ("flat-mnist", "dynamo"),
        // NHWC input transposed to NCHW, and back before the flatten.
        ("channels-last", "torchscript"), ("channels-last", "unfolded"), ("channels-last", "dynamo"),
    ]

    @Test("logits, gradients and Grad-CAM equal PyTorch's", arguments: cases.indices)
    func matchesPyTorch(_ index: Int) throws {
        let (name, exporter) = Self.cases[index]
        let fixture = try Self.fixture(name), export = fixture.files[exporter]!
        let spec = try ModelSpec.load(path: "\(Self.directory)/\(export.file)")
        let model = spec.model
        #expect(spec.isImported && !spec.needsTraining)
        #expect(model.inputShape == fixture.input_shape)
        let images = Tensor(shape: [2] + fixture.input_shape, scalars: fixture.images.flatMap { $0 })
        let logits = model.logits(images)
        let scale = fixture.logits.flatMap { $0 }.map(abs).max()!
        #expect(maxAbsDifference(logits.scalars, fixture.logits.flatMap { $0 }) < 1e-4 * max(scale, 1))
        // ONNX Runtime on the same file: its logits, or log-probabilities after a softmax,
        // which equal the logits up to one constant per image.
        for i in 0..<2 {
            let k = model.classCount
            let ours = Array(logits.scalars[i * k..<(i + 1) * k]), theirs = export.onnxruntime_outputs[i]
            let shift = name == "flat-mnist" ? ours[0] - theirs[0] : 0
            #expect(maxAbsDifference(ours, theirs.map { $0 + shift }) < 2e-4 * max(scale, 1), "image \(i)")
        }
        // Input gradient of the top logit.
        let engine = GradientEngine(model: model)
        let pass = engine.gradients(images, classes: fixture.top)
        let gradient = fixture.input_gradient.flatMap { $0 }
        let gradientScale = gradient.map(abs).max()!
        #expect(maxAbsDifference(pass.gradients.scalars, gradient) < 1e-4 * gradientScale)
        // Grad-CAM at the node PyTorch hooked, named as the exporter named it.
        for i in 0..<2 {
            let image = Tensor(shape: [1] + fixture.input_shape, scalars: fixture.images[i])
            let e = try GradCAM().explain(
                ExplainedImage(pixels: image), layer: export.gradcam_layer, target: .class(fixture.top[i]),
                model: model)
            let expected = fixture.gradcam["maps"]![i].flatMap { $0 }
            #expect(e.map.height == fixture.gradcam["maps"]![i].count)
            #expect(maxAbsDifference(e.map.values, expected) < 1e-4 * max(expected.max()!, 1e-6), "image \(i)")
        }
    }

    @Test func exportersNameTheirNodes() throws {
        let script = try ModelSpec.load(path: "\(Self.directory)/residual-rgb-unfolded.onnx").model
        #expect(script.layerIndex(named: "/block2/out/Relu") != nil)
        #expect(script.layers.contains { $0.kind == "BatchNormalization" })
        #expect(!script.isChain)
        // A node's output tensor name resolves to its layer.
        let output = script.aliases.first { $0.value == "/block2/out/Relu" }?.key
        #expect(output != nil && script.layerIndex(named: output!) == script.layerIndex(named: "/block2/out/Relu"))
        let dynamo = try ModelSpec.load(path: "\(Self.directory)/residual-rgb-dynamo.onnx").model
        #expect(dynamo.layerIndex(named: "node_relu_3") != nil)
        // The SiLU and GELU patterns became single activations.
        #expect(script.layers.contains { $0.activation == .silu })
        #expect(script.layers.contains { $0.activation == .gelu(approximate: false) })
        #expect(dynamo.layers.contains { $0.activation == .gelu(approximate: false) })
    }
}
