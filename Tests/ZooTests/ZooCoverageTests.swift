@testable import CNN
import Common
import Explain
import Foundation
import Testing
import TestSupport

/// One model of every classification CNN architecture in torchvision and keras.applications
/// (Benchmarks/make_zoo_fixtures.py), whole, at a small input: vizsite's probabilities,
/// logits and Grad-CAM match what PyTorch and Keras computed. The weights are rebuilt here
/// from their counter-based recipes (`CounterWeights.swift`), so no weight is committed.
/// One model at a time: together they hold over 15 GB while loading (VGG alone 1.5 GB).
@Suite(.serialized) struct ZooCoverageTests {
    static let directory = PackagePaths.path("Tests/CNNTests/Fixtures/zoo")

    struct GradCAMRecord: Decodable {
        let layer: String
        let map: [[Float]]
    }

    struct KerasLayer: Decodable {
        let layer: String
        let weights: [WeightRecipe]
    }

    /// What the framework counts: PyTorch every parameter (each trainable, buffers not
    /// counted), Keras every weight, trainable or not.
    struct ParameterCounts: Decodable {
        let total: Int
        let trainable: Int
    }

    struct Fixture: Decodable {
        let model: String
        let parameters: ParameterCounts
        let input_shape: [Int]
        let image: WeightRecipe
        let logits: [Float]
        let probabilities: [Float]
        let top: Int
        let gradcam: GradCAMRecord
        /// ONNX: the external data file's tensors, in order.
        let recipes: [WeightRecipe]?
        /// Keras: the model config and each layer's weights.
        let config: JSONValue?
        let keras_version: String?
        let layers: [KerasLayer]?

        static func load(_ name: String, in folder: String = directory) throws -> Fixture {
            let data = try Data(contentsOf: URL(fileURLWithPath: "\(folder)/\(name).json"))
            return try JSONDecoder().decode(Fixture.self, from: data)
        }

        var pixels: Tensor {
            let count = input_shape.reduce(1, *)
            return Tensor(
                shape: [1] + input_shape,
                scalars: WeightRecipe.formula(
                    seed: image.seed ?? 0, base: image.base ?? 0, spread: image.spread ?? 0, count: count))
        }
    }

    static let torchvision = [
        "alexnet", "convnext_tiny", "densenet121", "efficientnet_b0", "efficientnet_v2_s", "googlenet",
        "inception_v3", "mnasnet0_5", "mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large", "regnet_x_400mf",
        "regnet_y_400mf", "resnet18", "resnet50", "resnext50_32x4d", "shufflenet_v2_x0_5", "squeezenet1_0",
        "squeezenet1_1", "vgg11_bn",
    ]

    static let kerasApplications = [
        "ConvNeXtTiny", "DenseNet121", "EfficientNetB0", "EfficientNetV2B0", "InceptionResNetV2", "InceptionV3",
        "MobileNet", "MobileNetV2", "MobileNetV3Small", "MobileNetV3Large", "NASNetMobile", "ResNet50", "ResNet50V2",
        "VGG16", "Xception",
    ]

    /// The ONNX file beside its external data, written from the recipes.
    static func torchModel(
        _ name: String, _ fixture: Fixture, in folder: TemporaryDirectory, from source: String = directory
    ) throws -> Model {
        let file = "\(name)-torch.onnx"
        try FileManager.default.copyItem(atPath: "\(source)/\(file)", toPath: folder.file(file))
        #expect(FileManager.default.createFile(atPath: folder.file(file + ".data"), contents: nil))
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: folder.file(file + ".data")))
        for recipe in fixture.recipes ?? [] {
            try recipe.make().withUnsafeBytes { bytes in try handle.write(contentsOf: bytes) }
        }
        try handle.close()
        return try ModelSpec.load(path: folder.file(file)).model
    }

    static func kerasModel(_ name: String, _ fixture: Fixture) throws -> Model {
        var weights: [String: [(shape: [Int], values: [Float])]] = [:]
        for layer in fixture.layers ?? [] {
            weights[layer.layer] = layer.weights.map { ($0.shape ?? [$0.elementCount], $0.make()) }
        }
        var importer = KerasImporter(file: "\(name).keras", weights: weights)
        importer.kerasVersion = fixture.keras_version
        return try importer.build(try #require(fixture.config))
    }

    /// Compares `model` with its framework's numbers; `defaultLayer` checks the default CAM
    /// layer too (against the fixture's, or `otherDefaults`, which name make test's models).
    static func check(_ model: Model, _ fixture: Fixture, _ name: String, defaultLayer: Bool = true) throws {
        #expect(model.inputShape == fixture.input_shape)
        // Parameters counted as the framework counts them: constants of the graph (an
        // attention scale, a Rescaling) are not parameters; BatchNorm's running statistics
        // are Keras's non-trainable parameters, and not PyTorch's at all.
        #expect(model.parameters.trainableCount == fixture.parameters.trainable, "\(name) trainable parameters")
        if let layers = fixture.layers {
            // Keras's Normalization keeps its sample count, a scalar vizsite has no use for.
            let counts = layers.flatMap(\.weights).filter { $0.shape == [] }.count
            #expect(model.parameters.parameterCount == fixture.parameters.total - counts, "\(name) parameters")
        }
        if defaultLayer {
            let recorded = model.layerIndex(named: fixture.gradcam.layer).map { model.layers[$0].name }
            #expect(model.defaultCAMLayer == (otherDefaults[name] ?? recorded), "\(name)")
        }
        let image = fixture.pixels
        let scale = max(fixture.logits.map(abs).max()!, 1)
        let logits = maxAbsDifference(model.logits(image).scalars, fixture.logits) / scale
        #expect(logits < 1e-4, "\(name) logits")
        let probabilities = maxAbsDifference(model.probabilities(image).scalars, fixture.probabilities)
        #expect(probabilities < 1e-4, "\(name)")
        let explanation = try GradCAM().explain(
            ExplainedImage(pixels: image), layer: fixture.gradcam.layer, target: .predicted, model: model)
        #expect(explanation.targetClass == fixture.top, "\(name)")
        let expected = fixture.gradcam.map.flatMap { $0 }, rows = fixture.gradcam.map.count
        #expect((explanation.map.height, explanation.map.width) == (rows, expected.count / max(rows, 1)), "\(name)")
        let gradCAM = maxAbsDifference(explanation.map.values, expected) / max(expected.max() ?? 0, 1e-12)
        #expect(gradCAM < 1e-3, "\(name) Grad-CAM")
        // The workspaces of models run before are freed, not kept (they had reached 17 GB).
        #expect(WorkspacePool.bytesHeld < 4 << 30)
        // VIZSITE_ZOO_REPORT=1 prints the coverage table's row.
        if ProcessInfo.processInfo.environment["VIZSITE_ZOO_REPORT"] != nil {
            print(
                "| \(name) | \(model.parameters.parameterCount) | \(fixture.input_shape[0]) | \(logits) | \(probabilities) | \(gradCAM) |"
            )
        }
    }

    @Test("torchvision's CNNs, exported by PyTorch, match PyTorch", arguments: torchvision)
    func torchvisionModel(_ name: String) throws {
        let fixture = try Fixture.load("\(name)-torch")
        let folder = TemporaryDirectory()
        let model = try Self.torchModel(name, fixture, in: folder)
        try Self.check(model, fixture, name)
    }

    @Test("keras.applications' CNNs match Keras", arguments: kerasApplications)
    func kerasApplication(_ name: String) throws {
        let fixture = try Fixture.load("\(name)-keras")
        try Self.check(try Self.kerasModel(name, fixture), fixture, name)
    }
}

extension ZooCoverageTests {
    /// Where the default CAM layer (the last block with a spatial grid, as pytorch-grad-cam
    /// advises) is not the layer the fixture records, and why.
    static let otherDefaults = [
        // The ReLU torchvision applies after `features` (functionally, so no module records
        // it): the map the pooling reads.
        "densenet121": "node_relu_120",
        // The classifier's 1×1 convolution and ReLU still have a grid: a map per class, whose
        // Grad-CAM is the class's own map (CAM), after the last Fire module.
        "squeezenet1_0": "node_relu_25", "squeezenet1_1": "node_relu_25",
        // The fixture records the Flatten's input; the default steps back over the pooling.
        "VGG16": "block5_conv3",
    ]
}

extension ZooCoverageTests {
    /// Every variant of every family (`make_zoo_fixtures.py --all DIR`), checked by hand:
    /// `VIZSITE_ZOO_DIR=DIR swift test -c release --filter ZooCoverageTests/everyVariant`.
    static let variantsFolder = ProcessInfo.processInfo.environment["VIZSITE_ZOO_DIR"]

    @Test(.enabled(if: variantsFolder != nil))
    func everyVariant() throws {
        let folder = try #require(Self.variantsFolder)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
            .map { String($0.dropLast(5)) }.sorted()
        for name in names {
            let fixture = try Fixture.load(name, in: folder)
            if name.hasSuffix("-torch") {
                let model = String(name.dropLast(6)), scratch = TemporaryDirectory()
                try Self.check(
                    try Self.torchModel(model, fixture, in: scratch, from: folder), fixture, model, defaultLayer: false)
            } else {
                let model = String(name.dropLast(6))
                try Self.check(try Self.kerasModel(model, fixture), fixture, model, defaultLayer: false)
            }
        }
    }
}
