import Common
import Foundation
import Testing
import TestSupport
@testable import Site

/// Warnings: input that is valid but would publish something meaningless or false,
/// positioned like errors; `--strict` makes them errors and writes nothing.
@Suite("Warnings")
struct WarningTests {
    /// The warnings `vizsite check` reports for a site whose one lesson is `body`.
    func warnings(_ body: String, files: [String: String] = [:], strict: Bool = false) throws -> [String] {
        let site = FixtureSite(lessons: ["01-test.md": "---\ntitle: T\n---\n\n" + body], trainCount: 64, testCount: 8)
        for (path, text) in files { site.directory.write(path, text) }
        var options = buildOptions(site)
        options.checkOnly = true
        options.strict = strict
        return try SiteBuilder(options: options).build().warnings.map {
            $0.description.replacingOccurrences(of: site.content, with: "Content")
        }
    }

    @Test("a data-randomization test against a model trained on its real labels is a warning at 'against'")
    func dataRandomizationAgainstARealModel() throws {
        let shuffled = FixtureSite.tinySpec.replacingOccurrences(of: "seed: 1}", with: "seed: 1, labels: shuffled}")
        let block = "```viz data-randomization\nagainst: models/%@.yml\nimages: test[0:2]\n```\n"
        let files = ["Content/models/plain.yml": FixtureSite.tinySpec, "Content/models/shuffled.yml": shuffled]
        #expect(
            try warnings(String(format: block, "plain"), files: files) == [
                "Content/lessons/01-test.md:6:10: warning: models/plain.yml is trained on its real labels, so this is "
                    + "no data-randomization test: the figure will call it the network trained on shuffled labels; "
                    + "give its spec 'training: {labels: shuffled}'"
            ])
        #expect(try warnings(String(format: block, "shuffled"), files: files) == [])
    }

    @Test("localisation metrics on a model without a planted mark are a warning at 'metrics'")
    func localisationWithoutAMark() throws {
        #expect(
            try warnings("```viz metrics\nmethods: [vanilla]\nmetrics: [Sparseness, PointingGame]\n```\n") == [
                "Content/lessons/01-test.md:7:10: warning: PointingGame scores a map against a planted mark, and this "
                    + "model has none (its spec's 'training: shortcut:'): the column is empty"
            ])
        #expect(try warnings("```viz metrics\nmethods: [vanilla]\nmetrics: [Sparseness]\n```\n") == [])
    }

    @Test("a sidecar's cam_layer inside a residual block is one warning at the sidecar, naming the block's output")
    func camLayerInsideABlock() throws {
        let fixture = PackagePaths.path("Tests/CNNTests/Fixtures/import/residual-rgb-unfolded.onnx")
        func warned(_ layer: String) throws -> [String] {
            let site = FixtureSite(
                lessons: [
                    "01-test.md": "---\ntitle: T\nmodel: models/residual.onnx\n---\n\n"
                        + "```viz summary\n```\n\n```viz architecture\n```\n"
                ], trainCount: 64, testCount: 8)
            try FileManager.default.copyItem(
                atPath: fixture, toPath: site.directory.file("Content/models/residual.onnx"))
            site.directory.write("Content/models/residual.onnx.yml", "cam_layer: \(layer)\n")
            var options = buildOptions(site)
            options.checkOnly = true
            return try SiteBuilder(options: options).build().warnings.map {
                $0.description.replacingOccurrences(of: site.content, with: "Content")
            }
        }
        let inside = try warned("/block1/conv2/Conv")
        #expect(
            inside == [
                "Content/models/residual.onnx.yml:1:12: warning: cam_layer '/block1/conv2/Conv' is inside a block: a "
                    + "path around it (a skip connection or a parallel branch) carries what a CAM there never sees; name "
                    + "a block's output; did you mean '/block1/Add'?"
            ], "\(inside)")
        #expect(try warned("/block1/out/Relu") == [])
    }

    @Test("a code fence never closed is a warning where it opens")
    func unclosedFence() throws {
        #expect(
            try warnings("Text.\n\n```viz filters\nlayer: conv2d_1\n```\n\n  ~~~sh\necho 1\n```\n") == [
                "Content/lessons/01-test.md:11:3: warning: this code fence is never closed: everything after it, to "
                    + "the end of the file, is code"
            ])
        let closed = [
            "```\na\n```\n", "~~~~\n```\n~~~~\n", "````\n```\n````\n", "```js\nx\n```   \n", "`` `not a fence` ``\n",
            "    ```\n    indented code, no fence\n",
        ]
        for text in closed { #expect(MarkdownDocument.unclosedFence(in: text) == nil, "\(text)") }
        #expect(MarkdownDocument.unclosedFence(in: "a\n````\n```\n") ?? (0, 0) == (2, 1))
        #expect(MarkdownDocument.unclosedFence(in: "~~~\n```\n") ?? (0, 0) == (1, 1))
    }

    @Test("with --strict a warning is an error and nothing is written")
    func strictMakesWarningsErrors() throws {
        let body = "---\ntitle: T\n---\n\n```viz metrics\nmethods: [vanilla]\nmetrics: [PointingGame]\n```\n"
        let site = FixtureSite(lessons: ["01-test.md": body], trainCount: 64, testCount: 8)
        var options = buildOptions(site)
        options.strict = true
        #expect {
            try SiteBuilder(options: options).build()
        } throws: { error in
            (error as? BuildErrors)?.errors.map {
                $0.description.replacingOccurrences(of: site.content, with: "Content")
            } == [
                "Content/lessons/01-test.md:7:10: error: PointingGame scores a map against a planted mark, and this "
                    + "model has none (its spec's 'training: shortcut:'): the column is empty (a warning; --strict "
                    + "makes it an error)"
            ]
        }
        #expect(!FileManager.default.fileExists(atPath: site.output))
    }
}
