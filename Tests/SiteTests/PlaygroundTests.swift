import Foundation
import Render
import Testing
import TestSupport
@testable import Site

/// The playground: its runtime, run in Node on the weights and values the build writes,
/// gives the core's numbers (issue 15's contract: 1e-4).
@Suite("Playground", .serialized)
struct PlaygroundTests {
    static let lessonText = """
        ---
        title: Play
        ---

        ```viz playground
        images: test[0:6]
        ```

        ```viz playground
        images: test[6:12]
        precision: float16
        maps: [gradcam, contrast]
        ```

        """

    @Test("the browser's runtime reproduces the core's probabilities, Grad-CAM and gradient")
    func runtimeMatchesTheCore() throws {
        let site = FixtureSite(
            lessons: ["01-play.md": Self.lessonText, "02-other.md": "---\ntitle: Other\n---\n\nText.\n"],
            trainCount: 256, testCount: 64)
        try SiteBuilder(options: buildOptions(site)).build()
        let files = FixtureSite.tree(site.output)
        let page = String(decoding: files["play/index.html"]!, as: UTF8.self)
        #expect(htmlProblems(page) == [])
        // `maps` chooses the live maps: the second playground draws no gradient.
        #expect(page.components(separatedBy: "<canvas class=\"pg-saliency ").count - 1 == 1)
        #expect(page.components(separatedBy: "<canvas class=\"pg-contrast ").count - 1 == 2)
        // Only a page with a playground loads its scripts.
        let runtime = try #require(files.keys.first { $0.hasPrefix("assets/playground-runtime.") })
        #expect(page.contains(runtime) && page.contains("class=\"pg-draw\""))
        let other = String(decoding: files["other/index.html"]!, as: UTF8.self)
        #expect(!other.contains("playground"))
        // Its lesson card shows what it draws live: Grad-CAM of its first four examples,
        // overlays over heatmaps (84 px tiles, 3 px apart), not an empty picture.
        let index = String(decoding: files["index.html"]!, as: UTF8.self)
        let card = try #require(index.firstMatch(of: /<img src="(figures\/playground-card-[0-9a-f]+\.png)"/)?.output.1)
        let picture = try PNG.decode(try #require(files[String(card)]), file: String(card))
        #expect((picture.width, picture.height) == (4 * 84 + 3 * 3, 2 * 84 + 3))
        // Two playgrounds: float32 weights (the default), held to 1e-4; float16, to 2e-3 for the
        // probabilities and 2e-2 of Grad-CAM's maximum. Its gradient is not held: rounded weights
        // flip ReLU gates whose inputs are near zero, and the gradient is the product of the gates.
        let values = files.keys.filter { $0.hasPrefix("figures/playground-") && $0.hasSuffix(".json") }
        #expect(values.count == 2)
        // The test images readers browse: one sprite script, loaded on demand, shared by both.
        let sprites = files.keys.filter { $0.hasPrefix("figures/playground-tiny-cnn-test-") }
        #expect(sprites.count == 1)
        let sprite = try #require(sprites.first)
        #expect(page.components(separatedBy: "data-src=\"../\(sprite)\"").count - 1 == 2)
        #expect(!page.contains("<script src=\"../\(sprite)\""))
        // The weights never hold up the page: they load asynchronously, each playground waiting for its own.
        #expect(page.components(separatedBy: "\" async class=\"pg-weights\" data-model=\"tiny-cnn/").count - 1 == 2)
        for name in values {
            let json = try #require(try JSONSerialization.jsonObject(with: files[name]!) as? [String: Any])
            let precision = try #require(json["precision"] as? String)
            let weights = try #require(
                files.keys.first {
                    $0.hasPrefix("figures/playground-tiny-cnn-weights-") && page.contains($0)
                        && String(decoding: files[$0]!, as: UTF8.self).contains("\"dtype\":\"\(precision)\"")
                })
            let result = try runProgram(
                "node",
                [
                    PackagePaths.path("Tests/SiteTests/Fixtures/playground-check.js"),
                    (site.output as NSString).appendingPathComponent(runtime),
                    (site.output as NSString).appendingPathComponent(weights),
                    (site.output as NSString).appendingPathComponent(name),
                    (site.output as NSString).appendingPathComponent(sprite),
                ])
            #expect(result.status == 0, "\(result.stderr)")
            let check = try #require(
                try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(check["examples"] as? Int == 6)
            // explain refuses a wrong question in the reader's words instead of answering it.
            let refusals = try #require(check["refusals"] as? [String: String])
            #expect(refusals["length"]?.hasPrefix("the input has 3 values; tiny-cnn takes 784 (28 × 28 × 1") == true)
            #expect(refusals["nan"] == "input value 5 is NaN, not a number")
            #expect(refusals["method"] == "unknown method 'gradcam++'; expected gradcam, saliency, vanilla, smoothgrad")
            #expect(
                refusals["option"] == "unknown option 'metod'; expected method, layer, target, contrast, samples, noise"
            )
            #expect(refusals["target"] == "target 10 is not a class of tiny-cnn (0 to 9)")
            #expect(refusals["contrast"]?.hasPrefix("contrast -1 is not a class") == true)
            #expect(refusals["layer"]?.contains("no layer 'nope'") == true)
            #expect(refusals["fine"] == "returned")
            #expect(check["targets"] as? Bool == true, "\(precision): the same predicted classes")
            let tolerance: [String: Double] =
                precision == "float32"
                ? ["probabilities": 1e-4, "gradcam": 1e-4, "saliency": 1e-4, "contrast": 1e-4]
                : ["probabilities": 2e-3, "gradcam": 2e-2]
            for (key, limit) in tolerance {
                let error = try #require(check[key] as? Double)
                #expect(error < limit, "\(precision) \(key) differs by \(error): \(check)")
            }
            // SmoothGrad draws the build's noise (its generator, seed and stream) in JavaScript.
            #expect(json["smoothgrad_samples"] as? Int == 8)
            let smoothGrad = try #require(check["smoothgrad"] as? Double)
            // (float16: noise averages the flipped gates out, 2.8 % here against the plain gradient's 16 %).
            #expect(
                smoothGrad < (precision == "float32" ? 1e-4 : 0.1), "\(precision) SmoothGrad differs by \(smoothGrad)")
            // The sprite holds the 64 test images exactly, and the runtime predicts what the build did.
            let browsed = try #require(check["sprite"] as? [String: Any])
            #expect(browsed["count"] as? Int == 64 && browsed["labels"] as? Int == 64)
            #expect(try #require(browsed["pixels"] as? Double) < 1e-7, "sprite pixels equal the examples' input")
            if precision == "float32" { #expect(browsed["predictions"] as? Int == 64) }
            if precision == "float16" {
                #expect(try #require(check["saliency"] as? Double) > 1e-3, "float16 weights change the gradient")
            }
        }
    }

    /// A graph with every kind of layer the core runs: residual addition, batch
    /// normalization, GELU, dilated, grouped and depthwise convolutions, a squeeze-and-
    /// excitation gate (global pooling with kept dimensions, hard sigmoid, Multiply),
    /// concatenation, leaky ReLU, zero padding, cropping, max and average pooling with padding, tanh and
    /// global max pooling.
    static let everyLayerSpec = """
        name: every-layer
        input: [28, 28, 1]
        dataset: mnist
        layers:
          - {type: Conv2D, name: stem, filters: 4, kernel_size: 3, strides: 2, padding: same, use_bias: false}
          - {type: BatchNormalization}
          - {type: ReLU, name: stem_relu}
          - {type: Conv2D, filters: 4, kernel_size: 3, padding: same, activation: gelu}
          - {type: Conv2D, name: dilated, filters: 4, kernel_size: 3, padding: same, dilation_rate: 2}
          - {type: Add, name: join, inputs: [stem_relu, dilated]}
          - {type: Activation, name: swish, activation: hard_swish}
          - {type: GlobalAveragePooling2D, keepdims: true}
          - {type: Conv2D, name: excite, filters: 4, kernel_size: 1, activation: hard_sigmoid}
          - {type: Multiply, name: gate, inputs: [swish, excite]}
          - {type: Concatenate, inputs: [gate, stem_relu]}
          - {type: Conv2D, filters: 8, kernel_size: 3, padding: same, groups: 2, activation: silu}
          - {type: DepthwiseConv2D, kernel_size: 3, depth_multiplier: 2}
          - {type: LeakyReLU}
          - {type: ZeroPadding2D, padding: 1}
          - {type: Cropping2D, cropping: [[0, 1], [1, 0]]}
          - {type: MaxPooling2D, pool_size: 3, strides: 1, padding: same}
          - {type: AveragePooling2D, pool_size: 2, padding: same}
          - {type: Conv2D, name: last_conv, filters: 8, kernel_size: 3, activation: tanh}
          - {type: GlobalMaxPooling2D}
          - {type: Dense, name: preds, units: 10, activation: softmax}
        training: {optimizer: adam, learning_rate: 0.003, batch_size: 32, epochs: 1, seed: 1}

        """

    @Test("the runtime runs a graph of every layer kind the core has, to the core's numbers")
    func everyLayerKind() throws {
        let site = FixtureSite(
            lessons: [
                "01-play.md": "---\ntitle: Play\n---\n\n```viz playground\nmodel: models/every.yml\n"
                    + "images: test[0:6]\nbrowse: 16\n```\n"
            ],
            trainCount: 256, testCount: 64)
        site.directory.write("Content/models/every.yml", Self.everyLayerSpec)
        try SiteBuilder(options: buildOptions(site)).build()
        let files = FixtureSite.tree(site.output)
        let page = String(decoding: files["play/index.html"]!, as: UTF8.self)
        let script = try #require(files.keys.first { $0.hasPrefix("figures/playground-every-layer-weights-") })
        let text = String(decoding: files[script]!, as: UTF8.self)
        for type in [
            "conv2d", "batchnorm", "activation", "add", "globalavg", "multiply", "concat", "zeropad", "crop", "maxpool",
            "avgpool", "globalmax", "dense",
        ] {
            #expect(text.contains("\"type\":\"\(type)\""), "the script exports a \(type) layer")
        }
        #expect(text.contains("\"inputs\":[2,4]"), "the residual join reads the stem and the dilated convolution")
        let values = try #require(files.keys.first { $0.hasPrefix("figures/playground-") && $0.hasSuffix(".json") })
        let sprite = try #require(files.keys.first { $0.hasPrefix("figures/playground-every-layer-test-") })
        let runtime = try #require(files.keys.first { $0.hasPrefix("assets/playground-runtime.") })
        #expect(page.contains(runtime))
        let result = try runProgram(
            "node",
            [PackagePaths.path("Tests/SiteTests/Fixtures/playground-check.js")]
                + [runtime, script, values, sprite].map { (site.output as NSString).appendingPathComponent($0) })
        #expect(result.status == 0, "\(result.stderr)")
        let check = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(check["targets"] as? Bool == true)
        for key in ["probabilities", "gradcam", "saliency", "contrast", "smoothgrad"] {
            let error = try #require(check[key] as? Double)
            #expect(error < 1e-4, "\(key) differs by \(error): \(check)")
        }
        let browsed = try #require(check["sprite"] as? [String: Any])
        #expect(browsed["count"] as? Int == 16 && browsed["predictions"] as? Int == 16)
    }

    /// A Vision Transformer and a Swin Transformer from PyTorch (Tests/CNNTests/Fixtures/vit)
    /// run in the browser to the core's numbers; Grad-CAM reads the ViT's patch tokens on
    /// their grid and the Swin's last stage as a map.
    @Test("the runtime runs transformers to the core's numbers, Grad-CAM on their grids", arguments: ["vit", "swin"])
    func transformers(_ family: String) throws {
        let site = FixtureSite(
            lessons: [
                "01-play.md": "---\ntitle: Play\n---\n\n```viz playground\nmodel: models/net.onnx\n"
                    + "images: test[0:3]\n```\n"
            ],
            trainCount: 16, testCount: 16)
        let fixture = PackagePaths.path("Tests/CNNTests/Fixtures/vit/\(family)-tiny-dynamo.onnx")
        _ = site.directory.write("Content/models/net.onnx", try Data(contentsOf: URL(fileURLWithPath: fixture)))
        try SiteBuilder(options: buildOptions(site)).build()
        let files = FixtureSite.tree(site.output)
        let script = try #require(files.keys.first { $0.hasPrefix("figures/playground-net-weights-") })
        let text = String(decoding: files[script]!, as: UTF8.self)
        #expect(text.contains(family == "vit" ? "\"grid\":[4,4,32,32]" : "\"grid\":[4,4,32,0]"))
        let values = try #require(files.keys.first { $0.hasPrefix("figures/playground-") && $0.hasSuffix(".json") })
        let runtime = try #require(files.keys.first { $0.hasPrefix("assets/playground-runtime.") })
        let result = try runProgram(
            "node",
            [PackagePaths.path("Tests/SiteTests/Fixtures/playground-check.js")]
                + [runtime, script, values].map { (site.output as NSString).appendingPathComponent($0) })
        #expect(result.status == 0, "\(result.stderr)")
        let check = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(check["targets"] as? Bool == true && check["examples"] as? Int == 3)
        for key in ["probabilities", "gradcam", "saliency", "contrast"] {
            let error = try #require(check[key] as? Double)
            #expect(error < 1e-4, "\(key) differs by \(error): \(check)")
        }
    }
}
