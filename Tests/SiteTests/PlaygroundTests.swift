import Foundation
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

    @Test("a model the runtime cannot run is an error where the model is named")
    func unsupportedModel() {
        let batchNorm = FixtureSite.tinySpec.replacingOccurrences(
            of: "  - {type: MaxPooling2D, pool_size: 2}",
            with: "  - {type: BatchNormalization}\n  - {type: MaxPooling2D, pool_size: 2}")
        #expect(
            buildErrors(
                lesson("```viz playground\nmodel: models/bn.yml\n```\n"), files: ["Content/models/bn.yml": batchNorm])
                == [
                    "Content/lessons/01-test.md:8:8: error: the playground cannot run tiny-cnn: layer "
                        + "batch_normalization_1 is a BatchNormalization; the playground runs Conv2D, MaxPooling2D, "
                        + "Dense, Flatten, Dropout"
                ])
    }
}
