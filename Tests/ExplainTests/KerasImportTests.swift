import CNN
import Common
import Explain
import Foundation
import Testing
import TestSupport

/// Models saved by Keras 3 (`.keras`, legacy `.h5`) and tf-keras (`.h5`)
/// (Benchmarks/make_keras_fixtures.py, make_keras_applications_layers.py) compute what Keras computed: logits, probabilities,
/// the input gradient of the top logit and Grad-CAM at a named layer.
@Suite struct KerasImportTests {
    struct Fixture: Decodable {
        let input_shape: [Int]
        let images: [[Float]]
        let logits: [[Float]]
        let probabilities: [[Float]]
        let top: [Int]
        let input_gradient: [[Float]]
        let gradcam: GradCAMRecord
    }

    struct GradCAMRecord: Decodable {
        let layer: String
        let maps: [[[Float]]]
    }

    static let directory = PackagePaths.path("Tests/CNNTests/Fixtures/import")

    static let cases: [(file: String, fixture: String)] = [
        ("sequential-mnist.keras", "sequential-mnist-keras3"),
        ("sequential-mnist-keras3.h5", "sequential-mnist-keras3"),
        ("sequential-mnist-tf-keras.h5", "sequential-mnist-tf-keras"),
        ("residual-keras.keras", "residual-keras-keras3"),
        ("residual-keras-keras3.h5", "residual-keras-keras3"),
        ("residual-keras-tf-keras.h5", "residual-keras-tf-keras"),
        // A gate multiplying a map: Keras 2's hard_sigmoid (0.2 x + 0.5) and Keras 3's (x / 6 + 0.5).
        ("squeeze-excite.keras", "squeeze-excite-keras3"),
        ("squeeze-excite-keras3.h5", "squeeze-excite-keras3"),
        ("squeeze-excite-tf-keras.h5", "squeeze-excite-tf-keras"),
        // Rescaling, Normalization (adapted and given), Keras 3 ops of a tensor and a number, and
        // SeparableConv2D (Benchmarks/make_keras_applications_layers.py, Keras 3 on JAX).
        ("applications-layers.keras", "applications-layers-keras3"),
    ]

    @Test("logits, gradients and Grad-CAM equal Keras's", arguments: cases.indices)
    func matchesKeras(_ index: Int) throws {
        let (file, name) = Self.cases[index]
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(Self.directory)/\(name).json"))
        let fixture = try JSONDecoder().decode(Fixture.self, from: data)
        let spec = try ModelSpec.load(path: "\(Self.directory)/\(file)")
        let model = spec.model
        #expect(model.inputShape == fixture.input_shape)
        let images = Tensor(shape: [2] + fixture.input_shape, scalars: fixture.images.flatMap { $0 })
        let logits = model.logits(images), expected = fixture.logits.flatMap { $0 }
        let scale = max(expected.map(abs).max()!, 1)
        #expect(maxAbsDifference(logits.scalars, expected) < 1e-4 * scale)
        #expect(maxAbsDifference(model.probabilities(images).scalars, fixture.probabilities.flatMap { $0 }) < 1e-5)
        let pass = GradientEngine(model: model).gradients(images, classes: fixture.top)
        let gradient = fixture.input_gradient.flatMap { $0 }
        #expect(maxAbsDifference(pass.gradients.scalars, gradient) < 1e-4 * gradient.map(abs).max()!)
        for i in 0..<2 {
            let image = Tensor(shape: [1] + fixture.input_shape, scalars: fixture.images[i])
            let e = try GradCAM().explain(
                ExplainedImage(pixels: image), layer: fixture.gradcam.layer, target: .class(fixture.top[i]),
                model: model)
            let map = fixture.gradcam.maps[i].flatMap { $0 }
            #expect(maxAbsDifference(e.map.values, map) < 1e-4 * max(map.max()!, 1e-6), "image \(i)")
        }
    }

    /// The file's Keras version decides what hard_sigmoid means.
    @Test func hardSigmoidFollowsTheKerasVersion() throws {
        func gate(_ file: String) throws -> Activation? {
            try ModelSpec.load(path: "\(Self.directory)/\(file)").model.layers.first { $0.name == "expand" }?.activation
        }
        #expect(try gate("squeeze-excite-tf-keras.h5") == .hardSigmoid(alpha: 0.2, beta: 0.5))
        #expect(try gate("squeeze-excite.keras") == .hardSigmoid(alpha: 1 / 6, beta: 0.5))
        #expect(try gate("squeeze-excite-keras3.h5") == .hardSigmoid(alpha: 1 / 6, beta: 0.5))
    }

    /// The Sequential model keeps Keras's names and summary rows.
    @Test func sequentialKeepsKerasNames() throws {
        let model = try ModelSpec.load(path: "\(Self.directory)/sequential-mnist-tf-keras.h5").model
        #expect(
            model.layers.map(\.name) == [
                "conv2d_1", "conv2d_2", "max_pooling2d_1", "dropout_1", "flatten_1", "dense_1", "dropout_2", "preds",
            ])
        #expect(model.isChain)
        let residual = try ModelSpec.load(path: "\(Self.directory)/residual-keras.keras").model
        #expect(residual.layers.first { $0.name == "depthwise" }?.kind == "DepthwiseConv2D")
        #expect(residual.inputNames(of: residual.layerIndex(named: "block_add")!) == ["stem_relu6", "block_bn2"])
    }
}
