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
        let gradcam: [[Float]]
        let rollout: [Float]
        let attention_gradient: [Float]

        static func load(_ name: String) throws -> Fixture {
            let path = PackagePaths.path("Tests/CNNTests/Fixtures/vit/\(name).json")
            return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        }

        var image: Tensor { Tensor(shape: [1, 28, 28, 3], scalars: input) }
    }

    static let cases = [
        ("vit-tiny", "dynamo"), ("vit-tiny", "torchscript"), ("deit-tiny", "dynamo"), ("deit-tiny", "torchscript"),
    ]

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

        // Each block's first layer normalization, in order; the last block's is the default.
        let norms = model.layers.filter { $0 is LayerNormalization }.map(\.name)
        let firsts = fixture.gradcam.indices.map { norms[2 * $0] }
        #expect(model.defaultCAMLayer == firsts.last)
        for (layer, expected) in zip(firsts, fixture.gradcam) {
            let explanation = try GradCAM().explain(
                ExplainedImage(pixels: image), layer: layer, target: .predicted, model: model)
            #expect(explanation.targetClass == fixture.class)
            #expect((explanation.map.width, explanation.map.height) == (4, 4))
            #expect(maxAbsDifference(Self.scaled(explanation.map.values), expected) < 1e-3, "\(layer)")
        }
    }

    @Test("attention rollout and gradient-weighted attention match PyTorch's attention weights", arguments: cases)
    func attentionMaps(_ name: String, _ exporter: String) throws {
        let fixture = try Fixture.load(name)
        let model = try ModelSpec.load(path: PackagePaths.path("Tests/CNNTests/Fixtures/vit/\(name)-\(exporter).onnx"))
            .model
        #expect(model.attentionLayers?.layers.count == 2)
        let image = ExplainedImage(pixels: fixture.image)
        for (rule, expected) in [
            (AttentionFlow.Rule.rollout, fixture.rollout), (.gradientWeighted, fixture.attention_gradient),
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
        #expect(maxAbsDifference(rolled.map.values, fixture.rollout) < 1e-4 * fixture.rollout.max()!)
        let weighted = try AttentionFlow(.gradientWeighted).explain(
            image, target: .class(other), layer: nil, model: model)
        #expect(
            maxAbsDifference(weighted.map.values, fixture.attention_gradient) > 1e-3 * fixture.attention_gradient.max()!
        )
    }

    @Test("attention maps on a CNN are an error that says why")
    func attentionOnACNN() throws {
        let model = try ModelSpec.load(path: PackagePaths.path("Tests/CNNTests/Fixtures/onnx-ops/shuffle-lrn.onnx"))
            .model
        let image = ExplainedImage(pixels: randomTensor([1] + model.inputShape, seed: 3, low: 0, high: 1))
        #expect(throws: ExplainError.noAttention(method: "rollout")) {
            try AttentionFlow(.rollout).explain(image, target: .predicted, layer: nil, model: model)
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
