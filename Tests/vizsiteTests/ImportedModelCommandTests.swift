import CNN
import Common
import Explain
import Foundation
import Render
import Testing
import TestSupport

/// The command-line contract for models brought from elsewhere: `vizsite summary FILE.onnx`
/// and `vizsite explain FILE --image PATH.png --method gradcam --layer NAME --json OUT`.
@Suite struct ImportedModelCommandTests {
    static let fixtures = PackagePaths.path("Tests/CNNTests/Fixtures/import")

    /// A 40×30 RGB picture: a red-to-blue gradient with a green square.
    static func picture() -> RGBAImage {
        var pixels: [UInt8] = []
        for y in 0..<30 {
            for x in 0..<40 {
                let square = (10..<20).contains(x) && (8..<18).contains(y)
                pixels += [UInt8(x * 6), square ? 220 : UInt8(y * 3), UInt8(255 - x * 6), 255]
            }
        }
        return RGBAImage(width: 40, height: 30, pixels: pixels)
    }

    struct Output: Decodable {
        struct Map: Decodable {
            let shape: [Int]
            let values: [[Float]]
        }
        let layer: String?
        let target: Int
        let probabilities: [Float]
        let map: Map
    }

    @Test func explainAnONNXModelAtANamedNode() throws {
        let folder = TemporaryDirectory()
        let png = folder.write("rgb.png", PNG.encode(Self.picture()))
        let model = "\(Self.fixtures)/residual-rgb-torchscript.onnx"
        let result = try runVizsite([
            "explain", model, "--image", png, "--method", "gradcam", "--layer", "/block2/out/Relu", "--json",
            folder.file("out.json"), "--out", folder.file("out.png"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONDecoder().decode(
            Output.self, from: Data(contentsOf: URL(fileURLWithPath: folder.file("out.json"))))
        #expect(output.layer == "/block2/out/Relu")
        #expect(output.probabilities.count == 10 && abs(output.probabilities.reduce(0, +) - 1) < 1e-5)
        #expect(output.map.shape == [9, 9] && output.map.values.count == 9)
        // The same numbers as the library computes on the same picture: pixel / 255 per
        // channel, area-resized to 32×32.
        let spec = try ModelSpec.load(path: model)
        let input = ModelInputImage(Self.picture(), width: 32, height: 32, channels: 3, preparation: .resize)
        let e = try GradCAM().explain(
            ExplainedImage(pixels: Tensor(shape: [1, 32, 32, 3], scalars: input.values)), layer: "/block2/out/Relu",
            target: .predicted, model: spec.model)
        #expect(output.target == e.targetClass)
        #expect(maxAbsDifference(output.map.values.flatMap { $0 }, e.map.values) < 1e-6)
        // The picture is drawn in colour: the overlay panel keeps the green square.
        let drawn = try PNG.read(path: folder.file("out.png"))
        #expect(drawn.width > 3 * 32)
        // The node's output tensor name resolves too.
        let alias = spec.model.aliases.first { $0.value == "/block2/out/Relu" }!.key
        let again = try runVizsite([
            "explain", model, "--image", png, "--method", "gradcam", "--layer", alias, "--json", folder.file("b.json"),
        ])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder.file("b.json"))).count > 100)
    }

    /// A JPEG photo works as a PNG does (16×8, resized to the model's 32×32).
    @Test func explainAJPEG() throws {
        let folder = TemporaryDirectory()
        let jpeg = TestImages.redBlueJPEG
        let path = folder.write("photo.jpg", jpeg)
        let result = try runVizsite([
            "explain", "\(Self.fixtures)/residual-keras.keras", "--image", path, "--method", "saliency", "--json",
            folder.file("s.json"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONDecoder().decode(
            Output.self, from: Data(contentsOf: URL(fileURLWithPath: folder.file("s.json"))))
        #expect(output.map.shape == [32, 32])
    }

    /// An imported model is evaluated with its own weights; a spec still needs --weights.
    @Test func evaluateAnImportedModel() throws {
        let result = try runVizsite(["evaluate", "\(Self.fixtures)/sequential-mnist-tf-keras.h5"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("test accuracy: ") && result.stdout.contains("(10000 images)"))
        let spec = try runVizsite(["evaluate", "Content/models/mnist-cnn.yml"])
        #expect(spec.status == 1 && spec.stderr.contains("--weights is needed for a model spec"))
        // An RGB model on CIFAR-10's binary batches (two records, labels 3 and 9), with the
        // class names from batches.meta.txt.
        let cifar = TemporaryDirectory()
        var records = Data()
        for label: UInt8 in [3, 9] { records += Data([label] + (0..<3072).map { UInt8($0 % 251) }) }
        cifar.write("test_batch.bin", records)
        let rgb = try runVizsite([
            "evaluate", "\(Self.fixtures)/residual-rgb-torchscript.onnx", "--data", cifar.path,
        ])
        #expect(rgb.status == 0, "\(rgb.stderr)")
        #expect(rgb.stdout.hasPrefix("test accuracy: ") && rgb.stdout.contains("(2 images)"))
        #expect(
            rgb.stdout.contains("\n     class  images  accuracy\n") && rgb.stdout.contains("\n       cat       1 ")
                && rgb.stdout.contains("\n     truck       1 "))
        let folder = TemporaryDirectory()
        folder.write("train/a/x.png", Data([1]))
        let none = try runVizsite([
            "evaluate", "\(Self.fixtures)/residual-rgb-torchscript.onnx", "--data", folder.path,
        ])
        #expect(none.status == 1 && none.stderr.contains("has no split to evaluate on"), "\(none.stderr)")
    }

    @Test func summaryOfKerasAndONNXFiles() throws {
        let keras = try runVizsite(["summary", "\(Self.fixtures)/residual-keras.keras"])
        #expect(keras.status == 0)
        #expect(keras.stdout.contains("block_add (Add)"))
        #expect(keras.stdout.contains("Non-trainable params: 48"))
        let onnx = try runVizsite(["summary", "\(Self.fixtures)/flat-mnist-dynamo.onnx"])
        #expect(onnx.status == 0)
        #expect(onnx.stdout.contains("node_cat (Concatenate)"))
    }

    /// The sidecar's preprocessing is applied, and its mistakes are positioned errors.
    @Test func sidecarPreprocessingAndErrors() throws {
        let folder = TemporaryDirectory()
        let model = folder.write(
            "net.onnx", try Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/residual-rgb-torchscript.onnx")))
        _ = folder.write(
            "net.onnx.yml",
            "mean: [0.5, 0.5, 0.5]\nstd: [0.25, 0.25, 0.25]\nchannel_order: bgr\ncam_layer: /block1/out/Relu\n")
        let spec = try ModelSpec.load(path: model)
        #expect(spec.sidecar.camLayer == "/block1/out/Relu")
        let input = ModelInputImage(
            Self.picture(), width: 32, height: 32, channels: 3, preparation: .resize,
            normalization: spec.sidecar.normalization)
        let plain = ModelInputImage(Self.picture(), width: 32, height: 32, channels: 3, preparation: .resize)
        // BGR: channel 0 is blue; (v − 0.5) / 0.25.
        #expect(abs(input.values[0] - (plain.values[2] - 0.5) / 0.25) < 1e-5)
        let png = folder.write("rgb.png", PNG.encode(Self.picture()))
        let result = try runVizsite([
            "explain", model, "--image", png, "--method", "gradcam", "--json", folder.file("o.json"),
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let output = try JSONDecoder().decode(
            Output.self, from: Data(contentsOf: URL(fileURLWithPath: folder.file("o.json"))))
        #expect(output.layer == "/block1/out/Relu" && output.map.shape == [17, 17])

        _ = folder.write("net.onnx.yml", "mean: [0.5, 0.5]\ncam_layer: /block9/Relu\n")
        let bad = try runVizsite(["summary", model])
        #expect(bad.status == 1)
        #expect(
            bad.stderr.contains("net.onnx.yml:1:7: error: mean needs 1 or 3 values (one per input channel), found 2"))
    }

    /// A one-channel model's sidecar asks for one value, not "1 or 1 values".
    @Test func oneChannelSidecarAsksForOneValue() throws {
        let folder = TemporaryDirectory()
        try FileManager.default.copyItem(
            atPath: PackagePaths.path("Content/models/resnet-mnist.onnx"), toPath: folder.file("gray.onnx"))
        _ = folder.write("gray.onnx.yml", "mean: [0.1, 0.2]\n")
        let bad = try runVizsite(["summary", folder.file("gray.onnx")])
        #expect(bad.status == 1)
        #expect(
            bad.stderr.contains("gray.onnx.yml:1:7: error: mean needs 1 value (the input has one channel), found 2"),
            "\(bad.stderr)")
    }

    /// What cannot be imported is an error naming the file and the node, never a crash.
    @Test func damagedAndUnsupportedFilesAreErrors() throws {
        let folder = TemporaryDirectory()
        let onnx = try Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/residual-rgb-torchscript.onnx"))
        let cut = folder.write("cut.onnx", onnx.prefix(onnx.count / 2))
        let result = try runVizsite(["summary", cut])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("\(cut): error: not a valid ONNX model"))
        let keras = try Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/residual-keras.keras"))
        let broken = folder.write("broken.keras", keras.prefix(keras.count - 100))
        let kerasResult = try runVizsite(["summary", broken])
        #expect(kerasResult.status == 1)
        #expect(kerasResult.stderr.hasPrefix("\(broken): error: not a valid .keras file"))
        // (unsupported.onnx, PyTorch's nn.Upsample, was refused until Resize ran; it loads now.)
        #expect(try runVizsite(["summary", "\(Self.fixtures)/unsupported.onnx"]).status == 0)
        let several = PackagePaths.path("Tests/CNNTests/Fixtures/unsupported/convnext-like.onnx")
        let onnxOp = try runVizsite(["summary", several])
        #expect(onnxOp.status == 1)
        #expect(
            onnxOp.stderr.hasPrefix(
                "\(several): error: 2 operators are not supported in the file: com.microsoft.FusedGelu (node "
                    + "'/gelu/FusedGelu'), If (control flow, with a subgraph) (node '/branch/If'); vizsite runs Conv, "
                    + "Gemm, MatMul,"))
        let kerasLayer = try runVizsite(["summary", "\(Self.fixtures)/unsupported.keras"])
        #expect(
            kerasLayer.stderr.hasPrefix(
                "\(Self.fixtures)/unsupported.keras: error: layer 'up' (Conv2DTranspose): this layer class is not "
                    + "supported; vizsite runs InputLayer, Conv2D,"))
        let garbage = folder.write("garbage.h5", Data("not hdf5".utf8))
        let h5 = try runVizsite(["summary", garbage])
        #expect(h5.status == 1 && h5.stderr.contains("error: not a readable Keras file"))
    }
}
