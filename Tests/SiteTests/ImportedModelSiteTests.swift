import CNN
import Common
import Foundation
import Render
import Testing
import TestSupport

@testable import Site

/// A site whose model is a Keras file, with a figure of an ONNX model on a colour picture:
/// the directives run on imported models as on a spec's, without training.
@Suite struct ImportedModelSiteTests {
    static let fixtures = PackagePaths.path("Tests/CNNTests/Fixtures/import")

    @Test func buildsWithKerasAndONNXModels() throws {
        let lesson = """
            ---
            title: Imported
            ---

            ```viz summary
            ```

            ```viz cam
            images: test[0:2]
            layer: conv2d_2
            ```

            ```viz saliency
            images: test[0]
            method: smoothgrad
            ```

            ```viz feature-maps
            image: test[1]
            layer: conv2d_1
            ```

            ```viz summary
            model: models/residual.onnx
            ```

            ```viz filters
            model: models/residual.onnx
            ```

            ```viz cam
            model: models/residual.onnx
            images: images/photo.png
            layer: /block2/out/Relu
            ```

            """
        let site = FixtureSite(
            lessons: ["01-imported.md": lesson],
            siteYAML: FixtureSite.siteYAML.replacingOccurrences(of: "models/tiny.yml", with: "models/seq.keras"))
        try FileManager.default.copyItem(
            atPath: "\(Self.fixtures)/sequential-mnist.keras", toPath: site.directory.file("Content/models/seq.keras"))
        try FileManager.default.copyItem(
            atPath: "\(Self.fixtures)/residual-rgb-unfolded.onnx",
            toPath: site.directory.file("Content/models/residual.onnx"))
        var pixels: [UInt8] = []
        for y in 0..<48 { for x in 0..<64 { pixels += [UInt8(x * 4), UInt8(y * 5), 128, 255] } }
        site.directory.write("Content/images/photo.png", PNG.encode(RGBAImage(width: 64, height: 48, pixels: pixels)))
        let report = try SiteBuilder(options: buildOptions(site)).build()
        #expect(report.figures.count == 7 && report.misses == 7)
        // Nothing was trained: no weights were cached.
        let trained =
            (try? FileManager.default.contentsOfDirectory(atPath: site.directory.file(".vizsite/models"))) ?? []
        #expect(!trained.contains { $0.hasSuffix(".safetensors") })
        let page = try String(contentsOfFile: site.directory.file("Output/imported/index.html"), encoding: .utf8)
        #expect(page.contains("block2/out/Relu"))
        #expect(page.contains("conv2d_2"))
        // The graph's summary: its Connected to column, and BatchNorm's moving statistics
        // (72 channels × 2) counted as non-trainable.
        #expect(page.contains("Connected to"))
        #expect(page.contains("Non-trainable params: 144"))
        // The RGB first layer's filters are drawn in colour: a picture whose channels differ.
        #expect(page.contains("kernel 0 of /stem/Conv in colour"))
        let figures = try FileManager.default.contentsOfDirectory(atPath: site.directory.file("Output/figures"))
        let filter = try #require(figures.first { $0.hasPrefix("filter-stem-conv") && $0.hasSuffix(".png") })
        let picture = try PNG.read(path: site.directory.file("Output/figures/\(filter)"))
        var coloured = 0
        for p in stride(from: 0, to: picture.pixels.count, by: 4) {
            let (r, g, b) = (picture.pixels[p], picture.pixels[p + 1], picture.pixels[p + 2])
            if r != g || g != b { coloured += 1 }
        }
        #expect(coloured > picture.pixels.count / 8)
    }
}

/// Lesson 16's Vision Transformer in a site: the attention directive, CAM on its default
/// token layer and feature maps on the patch grid; attention on a CNN is a positioned error.
@Suite struct TransformerSiteTests {
    /// A site whose one lesson is `page`, with `model` (a path in the package) as
    /// `Content/models/<name>`.
    static func site(_ page: String, model: String, as name: String) throws -> FixtureSite {
        let site = FixtureSite(lessons: ["01-page.md": page], trainCount: 256, testCount: 64)
        try FileManager.default.copyItem(
            atPath: PackagePaths.path(model), toPath: site.directory.file("Content/models/\(name)"))
        return site
    }

    @Test func attentionDirective() throws {
        let page = """
            ---
            title: ViT
            model: models/vit.onnx
            ---

            ```viz attention
            images: test[0:2]
            ```

            ```viz attention
            method: attention-gradient
            images: test[0]
            ```

            ```viz cam
            images: test[0]
            ```

            ```viz feature-maps
            layer: node_layer_norm_7
            count: 4
            ```

            """
        let site = try Self.site(page, model: "Content/models/vit-mnist.onnx", as: "vit.onnx")
        let report = try SiteBuilder(options: buildOptions(site)).build()
        #expect(report.figures.count == 4)
        let html = try String(contentsOfFile: site.directory.file("Output/page/index.html"), encoding: .utf8)
        #expect(html.contains("the class token&#39;s attention followed through 4 blocks, on the 7×7 patch grid"))
        #expect(html.contains("layer node_layer_norm_6 (7×7)"))
        let errors = buildErrors(lesson("```viz attention\nimages: test[0]\n```\n"))
        #expect(errors.count == 1)
        #expect(
            errors.first?.hasPrefix("Content/lessons/01-test.md:7:1: error: rollout follows a Vision Transformer")
                == true)
    }

    @Test("maps of attention weights are a positioned error that names the attention directive")
    func attentionWeightsAreNotMaps() throws {
        let page = "---\ntitle: ViT\nmodel: models/vit.onnx\n---\n\n```viz feature-maps\nlayer: node_softmax_2\n```\n"
        let site = try Self.site(page, model: "Content/models/vit-mnist.onnx", as: "vit.onnx")
        #expect {
            try SiteBuilder(options: buildOptions(site)).build()
        } throws: { error in
            let message = "\(error)"
            return message.contains(
                "01-page.md:7:8: error: layer 'node_softmax_2' (Softmax) outputs [1, 4, 50, 50], not an "
                    + "[h, w, c] image, a transformer's tokens or a vector (a transformer's attention weights are drawn by "
                    + "the attention directive); expected one of ")
        }
    }

    @Test("a Swin stage's [1, H, W, C] map is a CAM layer in a directive")
    func swinStageInADirective() throws {
        let page =
            "---\ntitle: Swin\n---\n\n```viz cam\nmodel: models/swin.onnx\nlayer: node_layer_norm_9\nimages: test[0]\n```\n"
        let site = try Self.site(page, model: "Tests/CNNTests/Fixtures/vit/swin-tiny-dynamo.onnx", as: "swin.onnx")
        let report = try SiteBuilder(options: buildOptions(site)).build()
        #expect(report.figures.count == 1)
        let html = try String(contentsOfFile: site.directory.file("Output/page/index.html"), encoding: .utf8)
        #expect(html.contains("layer node_layer_norm_9 (4×4)"))
    }
}
