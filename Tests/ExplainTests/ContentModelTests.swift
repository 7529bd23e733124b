import CNN
import Explain
import Foundation
import Testing
import TestSupport

/// The two models lesson 11 brings from elsewhere (Benchmarks/make_content_models.py)
/// compute in vizsite what Keras and PyTorch computed: the probabilities and the Grad-CAM
/// maps of test digits 0–3 that the lesson's prose compares.
@Suite struct ContentModelTests {
    struct Record: Decodable {
        let file: String
        let probabilities: [[Float]]
        let gradcam_layer: String
        let gradcam: [[[Float]]]
    }

    @Test(arguments: ["keras", "onnx"])
    func agreesWithItsFramework(_ key: String) throws {
        let data = try Data(
            contentsOf: URL(fileURLWithPath: PackagePaths.path("Tests/CNNTests/Fixtures/import/content-models.json")))
        let record = try JSONDecoder().decode([String: Record].self, from: data)[key]!
        let spec = try ModelSpec.load(path: PackagePaths.path(record.file))
        let images = sharedMNIST.test.images.samples(0..<4)
        let probabilities = spec.model.probabilities(images)
        #expect(maxAbsDifference(probabilities.scalars, record.probabilities.flatMap { $0 }) < 1e-5)
        for i in 0..<4 {
            let e = try GradCAM().explain(
                ExplainedImage(pixels: images.samples(i..<i + 1)), layer: record.gradcam_layer, target: .predicted,
                model: spec.model)
            let expected = record.gradcam[i].flatMap { $0 }
            #expect(maxAbsDifference(e.map.values, expected) < 1e-4 * max(expected.max()!, 1e-6), "digit \(i)")
        }
    }
}

/// Lesson 16's Vision Transformer (Benchmarks/make_vit_mnist.py), trained by PyTorch on MNIST:
/// vizsite's probabilities, Grad-CAM at the last block's first LayerNorm (its default CAM
/// layer), attention rollout and gradient-weighted attention for test digits 0–3 are
/// PyTorch's.
@Suite struct VisionTransformerLessonModelTests {
    struct Record: Decodable {
        let file: String
        let parameters: Int
        let probabilities: [[Float]]
        let top: [Int]
        let gradcam: [[[Float]]]
        let rollout: [[[Float]]]
        let attention_gradient: [[[Float]]]
    }

    @Test func agreesWithPyTorch() throws {
        let data = try Data(
            contentsOf: URL(fileURLWithPath: PackagePaths.path("Tests/CNNTests/Fixtures/import/vit-mnist.json")))
        let record = try JSONDecoder().decode(Record.self, from: data)
        let model = try ModelSpec.load(path: PackagePaths.path(record.file)).model
        let images = sharedMNIST.test.images.samples(0..<4)
        #expect(maxAbsDifference(model.probabilities(images).scalars, record.probabilities.flatMap { $0 }) < 1e-5)
        #expect(model.attentionLayers?.layers.count == 4)
        // As PyTorch counts them: its attention scales (1/√16, one number) are constants.
        #expect(model.parameters.parameterCount == record.parameters)
        #expect(model.parameters.trainableCount == record.parameters)
        for i in 0..<4 {
            let image = ExplainedImage(pixels: images.samples(i..<i + 1))
            let methods: [(any ExplanationMethod, [[Float]])] = [
                (GradCAM(), record.gradcam[i]), (AttentionFlow(.rollout), record.rollout[i]),
                (AttentionFlow(.gradientWeighted), record.attention_gradient[i]),
            ]
            for (method, expected) in methods {
                let e = try method.explain(image, target: .predicted, layer: nil, model: model)
                #expect(e.targetClass == record.top[i])
                #expect((e.map.height, e.map.width) == (7, 7))
                let values = expected.flatMap { $0 }
                #expect(maxAbsDifference(e.map.values, values) < 1e-4 * max(values.max()!, 1e-6), "\(method) \(i)")
            }
        }
    }

    @Test("feature maps of a token layer lie on the patch grid, the class token left out")
    func tokenFeatureMaps() throws {
        let model = try ModelSpec.load(path: PackagePaths.path("Content/models/vit-mnist.onnx")).model
        let image = sharedMNIST.test.images.samples(0..<1)
        let layer = try #require(model.defaultCAMLayer)
        let maps = try FeatureMaps.compute(model, image: image, layer: layer)
        let tokens = model.outputs(image)[model.layerIndex(named: layer)!].scalars
        #expect(tokens.count == 50 * 64 && maps.count == 64)
        #expect(maps.allSatisfy { ($0.width, $0.height) == (7, 7) })
        // Feature 5 of the patch in row 2, column 3: token 1 + 2 · 7 + 3.
        #expect(maps[5].values[2 * 7 + 3] == tokens[(1 + 2 * 7 + 3) * 64 + 5])
    }

    @Test("dataset examples of a token feature score its patch tokens only, placed on the patch grid")
    func tokenDatasetExamples() throws {
        let model = try ModelSpec.load(path: PackagePaths.path("Content/models/vit-mnist.onnx")).model
        let layer = model.layerIndex(named: try #require(model.defaultCAMLayer))!
        let images = sharedMNIST.test.images.samples(0..<8)
        let first = model.outputs(images.samples(0..<1))[layer].scalars, unit = 3
        // The mean of the feature over tokens 1…49, computed here from the layer's output: with
        // the class token (token 0) counted, every mean would move.
        let top = DatasetExamples.top(
            model: model, layer: layer, units: [unit], images: images, count: 8, score: .mean)
        #expect(top[0].count == 8)
        for example in top[0] {
            let tokens = model.outputs(images.samples(example.index..<example.index + 1))[layer].scalars
            let expected = (1..<50).map { tokens[$0 * 64 + unit] }.reduce(0, +) / 49
            #expect(abs(example.score - expected) < 1e-5 * max(abs(expected), 1))  // batched vs single GEMMs
        }
        let map = DatasetExamples.map(model: model, layer: layer, unit: unit, image: images.samples(0..<1))
        #expect((map.width, map.height) == (7, 7))
        #expect(map.values[6] == first[(1 + 6) * 64 + unit])
    }

    @Test("activation maximization of a token feature raises its mean over the patch tokens")
    func tokenActivationMaximization() throws {
        let model = try ModelSpec.load(path: PackagePaths.path("Content/models/vit-mnist.onnx")).model
        let layer = "node_MatMul_137", index = model.layerIndex(named: layer)!, unit = 5
        let am = ActivationMaximization(steps: 12, l2: 0, totalVariation: 0, jitter: 0, seed: 3)
        let result = try am.maximize(model, layer: layer, unit: unit)
        let start = try ActivationMaximization(steps: 0, l2: 0, totalVariation: 0, jitter: 0, seed: 3).maximize(
            model, layer: layer, unit: unit)
        #expect(result.activation > start.activation + 0.5, "\(start.activation) → \(result.activation)")
        // The reported score: the feature's mean over tokens 1…49 on the picture as it is fed.
        let tokens = model.outputs(Tensor(shape: [1, 28, 28, 1], scalars: result.pixels))[index].scalars
        let mean = (1..<50).map { tokens[$0 * 128 + unit] }.reduce(0, +) / 49
        #expect(abs(mean - result.activation) < 1e-4 * max(1, abs(mean)))
        #expect(abs(tokens[unit] - result.activation) > 1e-3)  // the class token's value is not it
    }
}
