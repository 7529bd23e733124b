import CNN
import Common
import Foundation
import Render
import Testing
import TestSupport

@testable import vizsite

/// The command line, run as a user runs it: the built binary, its output and exit status.
@Suite struct CommandTests {
    /// A small model (seconds to train) in a content folder of its own.
    static let tinySpec = """
        name: tiny
        input: [28, 28, 1]
        layers:
          - {type: Conv2D, filters: 4, kernel_size: 3, activation: relu}
          - {type: MaxPooling2D, pool_size: 2}
          - {type: Flatten}
          - {type: Dense, units: 16, activation: relu}
          - {type: Dense, name: preds, units: 10, activation: softmax}
        training: {optimizer: adam, learning_rate: 0.003, batch_size: 32, epochs: 1, seed: 3}
        """

    @Test func summaryPrintsTheKerasTable() throws {
        let result = try runVizsite(["summary", "Content/models/mnist-cnn.yml"])
        #expect(result.status == 0)
        #expect(
            result.stdout == """
                Model: "mnist-cnn"
                _________________________________________________________________
                Layer (type)                 Output Shape         Param #
                =================================================================
                conv2d_1 (Conv2D)            (None, 26, 26, 32)   320
                _________________________________________________________________
                conv2d_2 (Conv2D)            (None, 24, 24, 64)   18496
                _________________________________________________________________
                max_pooling2d_1 (MaxPooling2 (None, 12, 12, 64)   0
                _________________________________________________________________
                dropout_1 (Dropout)          (None, 12, 12, 64)   0
                _________________________________________________________________
                flatten_1 (Flatten)          (None, 9216)         0
                _________________________________________________________________
                dense_1 (Dense)              (None, 128)          1179776
                _________________________________________________________________
                dropout_2 (Dropout)          (None, 128)          0
                _________________________________________________________________
                preds (Dense)                (None, 10)           1290
                =================================================================
                Total params: 1,199,882
                Trainable params: 1,199,882
                Non-trainable params: 0
                Multiply-accumulates per forward pass: 11,992,448
                _________________________________________________________________

                """)
    }

    @Test func versionIsPrinted() throws {
        let result = try runVizsite(["--version"])
        #expect(result.status == 0)
        #expect(result.stdout == VizsiteVersion.current + "\n")
    }

    @Test func explainChecksMethodParametersAgainstTheCatalogue() throws {
        let typo = try runVizsite(["explain", "--method", "smoothgrad", "--set", "sampels=8"])
        #expect(typo.status != 0)
        #expect(
            typo.stderr.contains(
                "--set sampels=8: smoothgrad has no parameter 'sampels'; expected one of samples, noise, aggregate; did "
                    + "you mean 'samples'?"
            ))
        let range = try runVizsite(["explain", "--method", "occlusion", "--set", "fill=2"])
        #expect(range.stderr.contains("--set fill=2: fill must be number 0–1, found '2'"))
        let notCAM = try runVizsite(["explain", "--method", "vanilla", "--upsample", "stretch"])
        #expect(notCAM.stderr.contains("--upsample applies to CAM methods, not vanilla"))
        let unknown = try runVizsite(["explain", "--method", "gradcm"])
        #expect(unknown.stderr.contains("unknown method 'gradcm'; did you mean 'gradcam'?"))
    }

    @Test func badSpecIsACompilerStyleError() throws {
        let dir = TemporaryDirectory()
        dir.write(
            "models/bad.yml", Self.tinySpec.replacingOccurrences(of: "type: MaxPooling2D", with: "type: MaxPoling2D"))
        let result = try runVizsite(["summary", "models/bad.yml"], in: dir.path)
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "models/bad.yml:5:12: error: unknown layer type 'MaxPoling2D', expected one of "
                + ModelSpec.layerTypes.joined(separator: ", ") + "; did you mean 'MaxPooling2D'?\n"
        )
        #expect(result.stdout.isEmpty)
    }

    @Test func trainThenEvaluate() throws {
        let dir = TemporaryDirectory()
        dir.write("models/tiny.yml", Self.tinySpec)
        let train = try runVizsite(
            [
                "train", "models/tiny.yml", "--limit", "3000", "--data", PackagePaths.mnist,
                "--out", "w/tiny.safetensors",
            ], in: dir.path)
        #expect(train.status == 0, "\(train.stderr)")
        // Not a terminal: plain progress lines, the last one for the final step.
        #expect(train.stderr.contains("epoch 1/1 step 94/94  loss "))
        #expect(!train.stderr.contains("\u{1B}["))
        let accuracyLine = try #require(train.stdout.split(separator: "\n").first { $0.hasPrefix("test accuracy: ") })
        let accuracy = try #require(Double(accuracyLine.dropFirst("test accuracy: ".count).dropLast()))
        #expect(accuracy > 80, "a tiny model on 3,000 images should pass 80%")
        #expect(FileManager.default.fileExists(atPath: dir.file("w/tiny.log.json")))

        let evaluate = try runVizsite(
            [
                "evaluate", "models/tiny.yml", "--weights", "w/tiny.safetensors",
                "--data", PackagePaths.mnist,
            ], in: dir.path)
        #expect(evaluate.status == 0)
        #expect(evaluate.stdout.hasPrefix("\(accuracyLine) (10000 images), loss "))
        #expect(evaluate.stdout.contains("class  images  accuracy\n    0     980  "))
        #expect(evaluate.stdout.split(separator: "\n").count == 12)
    }

    @Test func evaluateWithMismatchedWeightsNamesTheKey() throws {
        let dir = TemporaryDirectory()
        dir.write("models/tiny.yml", Self.tinySpec)
        let wrong = Model(
            name: "x", inputShape: [28, 28, 1],
            layers: [
                Conv2D(name: "conv2d_1", inputShape: [28, 28, 1], filters: 8, kernelSize: (3, 3))
            ], seed: 1)
        try wrong.saveWeights(path: dir.file("wrong.safetensors"))
        let result = try runVizsite(
            ["evaluate", "models/tiny.yml", "--weights", "wrong.safetensors", "--data", PackagePaths.mnist],
            in: dir.path)
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "wrong.safetensors: error: tensor 'conv2d_1/kernel' has shape [3, 3, 1, 8], but the model expects [3, 3, 1, 4]\n"
        )
    }

    @Test func benchReportsTheAnchorKeysAndKernels() throws {
        let dir = TemporaryDirectory()
        dir.write("models/tiny.yml", Self.tinySpec)
        let result = try runVizsite(
            [
                "bench", "models/tiny.yml", "--data", PackagePaths.mnist,
                "--train-steps", "2", "--infer-batches", "2", "--calls", "5",
            ], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["train_images_per_s", "infer_images_per_s_b128", "infer_latency_ms_b1"] {
            #expect(((json[key] as? Double) ?? 0) > 0, "\(key)")
        }
        #expect(
            json["blas_core"] as? String == BLAS.coreName || json["blas_core"] as? String == "SkylakeX"
                || json["blas_core"] as? String == "Haswell")
        #expect(json["threads"] as? Int == Parallelism.workers)
    }

    /// Run from inside the models folder, a bare file name finds the content one level up
    /// (it trapped in Foundation's path code, SIGILL, in explain, train, metrics and bench).
    @Test func bareModelFileNameFromItsFolder() throws {
        let dir = TemporaryDirectory()
        dir.write("Content/models/tiny.yml", Self.tinySpec)
        try FileManager.default.createSymbolicLink(
            atPath: dir.file("Content/data"), withDestinationPath: ResolvedPath.parent(PackagePaths.mnist))
        let models = dir.file("Content/models")
        let trained = try runVizsite(["train", "tiny.yml", "--limit", "64", "--out", "w.safetensors"], in: models)
        #expect(trained.status == 0, "\(trained.stderr)")
        for command in [
            [
                "explain", "tiny.yml", "--weights", "w.safetensors", "--method", "gradcam", "--image", "test:0",
                "--json",
                "g.json",
            ],
            [
                "explain", "./tiny.yml", "--weights", "w.safetensors", "--method", "vanilla", "--image", "test:1",
                "--json",
                "v.json",
            ],
        ] {
            let result = try runVizsite(command, in: models)
            #expect(result.status == 0, "\(command): \(result.stderr)")
        }
        #expect(contentRoot(forSpec: "tiny.yml") == ".." && contentRoot(forSpec: "./tiny.yml") == "..")
        #expect(
            contentRoot(forSpec: "../models/tiny.yml") == ".." && contentRoot(forSpec: "../../models/x.yml") == "../..")
        #expect(contentRoot(forSpec: "Content/models/tiny.yml") == "Content")
        #expect(contentRoot(forSpec: "/a/Content/models/tiny.yml") == "/a/Content")
    }

    /// A model brought from elsewhere needs no dataset: explain works in a folder holding
    /// only the model and a picture (it asked for ./data/mnist).
    @Test func explainAnImportedModelAnywhere() throws {
        let dir = TemporaryDirectory()
        try FileManager.default.copyItem(
            atPath: PackagePaths.path("Tests/CNNTests/Fixtures/import/flat-mnist-torchscript.onnx"),
            toPath: dir.file("net.onnx"))
        try PNG.encode(RGBAImage(width: 28, height: 28, fill: .white)).write(
            to: URL(fileURLWithPath: dir.file("p.png")))
        let result = try runVizsite(
            ["explain", "net.onnx", "--image", "p.png", "--method", "vanilla", "--json", "out.json"], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        // The commands take the catalogue's aliases, as the directives do.
        let alias = try runVizsite(
            ["explain", "net.onnx", "--image", "p.png", "--method", "grad-cam", "--json", "alias.json"], in: dir.path)
        #expect(alias.status == 0, "\(alias.stderr)")
        #expect(FileManager.default.fileExists(atPath: dir.file("out.json")))
    }

    /// Output files are checked before any work: a folder that does not exist is named at
    /// once, not after minutes of computing in an operating-system error.
    @Test func outputFoldersAreCheckedFirst() throws {
        let metrics = try runVizsite(["metrics", "--json", "/nonexistent/dir/x.json"])
        #expect(metrics.status != 0)
        #expect(metrics.stderr.contains("--json /nonexistent/dir/x.json: the folder /nonexistent/dir does not exist"))
        let empty = try runVizsite(["metrics", "--methods", ""])
        #expect(empty.status != 0 && empty.stderr.contains("--methods is empty"), "\(empty.stderr)")
        let explain = try runVizsite(["explain", "--method", "vanilla", "--out", "/nonexistent/x.png"])
        #expect(explain.status != 0 && explain.stderr.contains("the folder /nonexistent does not exist"))
    }

    @Test func missingDataIsAClearError() throws {
        let dir = TemporaryDirectory()
        dir.write("models/tiny.yml", Self.tinySpec)
        let result = try runVizsite(["train", "models/tiny.yml", "--limit", "10"], in: dir.path)
        #expect(result.status == 1)
        #expect(
            result.stderr.hasSuffix("data/mnist: error: cannot read: no such folder\n"))
    }
}

/// `vizsite explain`, run as a user runs it, on a small model with given weights.
@Suite struct ExplainCommandTests {
    func setUp() throws -> TemporaryDirectory {
        let dir = TemporaryDirectory()
        dir.write("models/tiny.yml", CommandTests.tinySpec)
        try ModelSpec.parse(CommandTests.tinySpec, file: "tiny.yml").model.saveWeights(path: dir.file("w.safetensors"))
        return dir
    }

    @Test func gradCAMWritesRawJSONAndAFigureWithAColorbar() throws {
        let dir = try setUp()
        let result = try runVizsite(
            [
                "explain", "models/tiny.yml", "--weights", "w.safetensors", "--data", PackagePaths.mnist,
                "--method", "gradcam", "--image", "test:3", "--target", "true",
                "--json", "g.json", "--svg", "g.svg", "--out", "g.png",
            ], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir.file("g.json"))))
                as? [String: Any])
        #expect(json["method"] as? String == "gradcam")
        #expect(json["layer"] as? String == "conv2d_1")
        let map = try #require(json["map"] as? [String: Any])
        #expect(map["shape"] as? [Int] == [26, 26])
        #expect((map["values"] as? [[Double]])?.count == 26)
        #expect(json["image"] as? String == "test:3" && json["label"] as? Int == sharedMNIST.test.labels[3])
        #expect(json["placement"] as? String == "maps placed at receptive-field centres (offset 1×1, stride 1×1)")
        #expect(json["target"] as? Int == sharedMNIST.test.labels[3])
        let probabilities = try #require(json["probabilities"] as? [Double])
        #expect(probabilities.count == 10 && abs(probabilities.reduce(0, +) - 1) < 1e-4)
        let svg = try String(contentsOfFile: dir.file("g.svg"), encoding: .utf8)
        #expect(svg.hasPrefix("<svg ") && svg.contains("<linearGradient") && svg.contains("data:image/png;base64,"))
        let png = try PNG.read(path: dir.file("g.png"))
        #expect(png.width == 3 * 224 + 2 * 8 && png.height == 224)
    }

    @Test func unknownMethodSuggestsTheNearest() throws {
        let dir = try setUp()
        let result = try runVizsite(
            ["explain", "models/tiny.yml", "--weights", "w.safetensors", "--method", "gradcamm"], in: dir.path)
        #expect(result.status != 0)
        #expect(result.stderr.contains("unknown method 'gradcamm'; did you mean 'gradcam'?"))
    }

    @Test func unknownLayerIsNamed() throws {
        let dir = try setUp()
        let result = try runVizsite(
            [
                "explain", "models/tiny.yml", "--weights", "w.safetensors", "--data", PackagePaths.mnist,
                "--method", "layercam", "--layer", "conv2d_9",
            ], in: dir.path)
        #expect(result.status == 1)
        #expect(
            result.stderr
                == "error: the model has no layer 'conv2d_9'; expected one of conv2d_1, max_pooling2d_1, flatten_1, "
                + "dense_1, preds; did you mean 'conv2d_1'?\n")
    }
}
