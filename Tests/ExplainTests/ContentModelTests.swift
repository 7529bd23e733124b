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
