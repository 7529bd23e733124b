import CNN
import Explain
import Foundation
import Testing
import TestSupport

/// Vision Transformers exported from PyTorch by both ONNX exporters load and agree with
/// PyTorch and pytorch-grad-cam (Benchmarks/make_vit_fixtures.py): torchvision's own
/// VisionTransformer and a DeiT-style one (timm's attention, a class and a distillation
/// token).
@Suite struct VisionTransformerTests {
    struct Fixture: Decodable {
        let input: [Float]
        let probabilities: [Float]
        let `class`: Int
        let input_gradient: [Float]
        let size: Int
        let gradcam: [[Float]]
        /// Which layer normalization, counted in graph order, each map is at.
        let gradcam_norms: [Int]
        let rollout: [Float]?
        let attention_gradient: [Float]?

        static func load(_ name: String) throws -> Fixture {
            let path = PackagePaths.path("Tests/CNNTests/Fixtures/vit/\(name).json")
            return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        }

        var image: Tensor { Tensor(shape: [1, size, size, 3], scalars: input) }
    }

    static let vits = [
        ("vit-tiny", "dynamo"), ("vit-tiny", "torchscript"), ("deit-tiny", "dynamo"), ("deit-tiny", "torchscript"),
    ]
    static let cases = vits + [("swin-tiny", "dynamo"), ("swin-tiny", "torchscript")]

    /// A map scaled to [0, 1] as pytorch-grad-cam scales it.
    static func scaled(_ values: [Float]) -> [Float] {
        let low = values.min() ?? 0, shifted = values.map { $0 - low }, high = shifted.max() ?? 0
        return shifted.map { $0 / (1e-7 + high) }
    }

    @Test("probabilities, the input gradient and Grad-CAM at every block match PyTorch", arguments: cases)
    func matchesPyTorch(_ name: String, _ exporter: String) throws {
        let fixture = try Fixture.load(name)
        let model = try ModelSpec.load(path: PackagePaths.path("Tests/CNNTests/Fixtures/vit/\(name)-\(exporter).onnx"))
            .model
        let image = fixture.image
        #expect(maxAbsDifference(model.probabilities(image).scalars, fixture.probabilities) < 1e-5)

        let engine = GradientEngine(model: model, target: .predicted)
        let gradient = engine.gradients(image, classes: [fixture.class]).gradients.scalars
        let scale = fixture.input_gradient.map(abs).max()!
        #expect(maxAbsDifference(gradient, fixture.input_gradient) < 1e-4 * scale)

        // A ViT's blocks' first layer normalizations, a Swin's stages' last norm2 and its
        // final norm; the last is the default.
        let norms = model.layers.filter { $0 is LayerNormalization }.map(\.name)
        let layers = fixture.gradcam_norms.map { norms[$0] }
        #expect(model.defaultCAMLayer == layers.last)
        for (layer, expected) in zip(layers, fixture.gradcam) {
            let explanation = try GradCAM().explain(
                ExplainedImage(pixels: image), layer: layer, target: .predicted, model: model)
            #expect(explanation.targetClass == fixture.class)
            let side = Int(Double(expected.count).squareRoot())
            #expect((explanation.map.width, explanation.map.height) == (side, side))
            #expect(maxAbsDifference(Self.scaled(explanation.map.values), expected) < 1e-3, "\(layer)")
        }
    }

    @Test("attention rollout and gradient-weighted attention match PyTorch's attention weights", arguments: vits)
    func attentionMaps(_ name: String, _ exporter: String) throws {
        let fixture = try Fixture.load(name)
        let (rollout, gradientWeighted) = (try #require(fixture.rollout), try #require(fixture.attention_gradient))
        let model = try ModelSpec.load(path: PackagePaths.path("Tests/CNNTests/Fixtures/vit/\(name)-\(exporter).onnx"))
            .model
        #expect(model.attentionLayers?.layers.count == 2)
        let image = ExplainedImage(pixels: fixture.image)
        for (rule, expected) in [
            (AttentionFlow.Rule.rollout, rollout), (.gradientWeighted, gradientWeighted),
        ] {
            let explanation = try AttentionFlow(rule).explain(image, target: .predicted, layer: nil, model: model)
            #expect((explanation.map.width, explanation.map.height) == (4, 4))
            #expect(explanation.targetClass == fixture.class)
            let scale = expected.max()!
            #expect(maxAbsDifference(explanation.map.values, expected) < 1e-4 * scale, "\(rule)")
        }
        // Rollout ignores the class; the gradient-weighted rule does not.
        let other = (fixture.class + 1) % 10
        let rolled = try AttentionFlow(.rollout).explain(image, target: .class(other), layer: nil, model: model)
        #expect(maxAbsDifference(rolled.map.values, rollout) < 1e-4 * rollout.max()!)
        let weighted = try AttentionFlow(.gradientWeighted).explain(
            image, target: .class(other), layer: nil, model: model)
        #expect(
            maxAbsDifference(weighted.map.values, gradientWeighted) > 1e-3 * gradientWeighted.max()!
        )
    }

    @Test("attention maps on a CNN, or a Swin's windows, are an error that says why")
    func attentionOnACNN() throws {
        for path in ["onnx-ops/shuffle-lrn.onnx", "vit/swin-tiny-dynamo.onnx"] {
            let model = try ModelSpec.load(path: PackagePaths.path("Tests/CNNTests/Fixtures/\(path)")).model
            #expect(model.attentionLayers == nil)
            let image = ExplainedImage(pixels: randomTensor([1] + model.inputShape, seed: 3, low: 0, high: 1))
            #expect(throws: ExplainError.noAttention(method: "rollout")) {
                try AttentionFlow(.rollout).explain(image, target: .predicted, layer: nil, model: model)
            }
        }
    }

    @Test("a transformer's summary shows whole shapes; CAM on attention weights is an error that says why")
    func summaryAndAttentionLayer() throws {
        let model = try ModelSpec.load(path: PackagePaths.path("Tests/CNNTests/Fixtures/vit/vit-tiny-dynamo.onnx"))
            .model
        let summary = model.summary()
        #expect(summary.contains("(None, 1, 2, 17, 17)  ") && summary.contains("(None, 3, 17, 1, 1, 32) 0 "))
        // The patch tokens are the convolution's own memory: no transpose to NCHW and back.
        #expect(!model.layers.contains { $0.name.hasSuffix("/nchw") })
        let softmax = try #require(model.layers.first { $0 is Softmax }).name
        let image = ExplainedImage(pixels: randomTensor([1, 28, 28, 3], seed: 3, low: 0, high: 1))
        #expect(throws: ExplainError.notSpatial(softmax, [1, 2, 17, 17])) {
            try GradCAM().explain(image, layer: softmax, target: .predicted, model: model)
        }
    }

    @Test("the patch tokens lie on the patch embedding's grid, after the class tokens")
    func tokenGrid() throws {
        for (name, leading) in [("vit-tiny", 1), ("deit-tiny", 2)] {
            let model = try ModelSpec.load(path: PackagePaths.path("Tests/CNNTests/Fixtures/vit/\(name)-dynamo.onnx"))
                .model
            let norm = try #require(model.layers.firstIndex { $0 is LayerNormalization })
            let grid = try #require(model.tokenGrid(layer: norm))
            #expect(grid.height == 4 && grid.width == 4 && grid.features == 32 && grid.leadingTokens == leading)
            #expect(model.layers[grid.gridLayer] is Conv2D)
            // Attention weights are not tokens.
            let softmax = try #require(model.layers.firstIndex { $0 is Softmax })
            #expect(model.tokenGrid(layer: softmax) == nil)
        }
    }
}
