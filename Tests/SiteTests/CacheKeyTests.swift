import Common
import CNN
import Foundation
import Testing
import TestSupport
@testable import Site

/// Cache keys come from typed, canonical values: how an option or a spec is written does
/// not matter, what it means does; and the numerical code's version is part of them.
@Suite("Cache keys and --gc", .serialized)
struct CacheKeyTests {
    static func lesson(_ blocks: [String]) -> String {
        "---\ntitle: Keys\n---\n\n" + blocks.map { "```viz \($0)\n```\n" }.joined(separator: "\n")
    }

    /// The figure keys of a site whose lesson holds `blocks`.
    func keys(
        _ blocks: [String], spec: String = FixtureSite.tinySpec, computeVersion: String = ComputeVersion.current
    ) throws
        -> [String]
    {
        let site = FixtureSite(lessons: ["01-keys.md": Self.lesson(blocks)], trainCount: 64, testCount: 32)
        site.directory.write("Content/models/tiny.yml", spec)
        let content = try SiteContent.load(contentDirectory: site.content, includeDrafts: false)
        let models = ModelStore(paths: content.paths, cacheDirectory: site.cache, progress: { _, _ in })
        let plan = try BuildPlan(content: content, models: models)
        let runner = FigureRunner(
            plan: plan, models: models, cache: FigureCache(directory: site.cache), clean: false, log: { _ in })
        var weights: [String: String] = [:], data: [String: String] = [:], specs: [String: String] = [:]
        return plan.figures.map {
            runner.key($0, weightsKeys: &weights, dataKeys: &data, specTexts: &specs, computeVersion: computeVersion)
        }
    }

    @Test("an omitted option and the same option at its default give the same key; another value does not")
    func defaultsAreCanonical() throws {
        let spelled = try keys([
            "cam\nmethod: gradcam\nlayer: conv2d_2\nimages: test[0:4]\ntarget: predicted\nshared: false\nalpha: 0.5",
            "saliency\nmethod: smoothgrad\nsamples: 50\nnoise: 0.15",
            "compare\nmethods: [vanilla, smoothgrad, gradcam]\nsamples: 50",
        ])
        let omitted = try keys([
            "cam", "saliency\nmethod: smoothgrad", "compare\n# a comment\nmethods: [vanilla,   smoothgrad, gradcam]",
        ])
        #expect(spelled == omitted)
        let changed = try keys([
            "cam\nalpha: 0.6", "saliency\nmethod: smoothgrad\nsamples: 49", "compare\nsamples: 50\nsteps: 50",
        ])
        #expect(changed[0] != omitted[0])
        #expect(changed[1] != omitted[1])
        // compare's Integrated Gradients steps do not matter to methods that take none.
        #expect(changed[2] == omitted[2])
    }

    @Test("a comment or reformatting in the model spec changes neither the figure keys nor the weights' key")
    func specFormattingIsIgnored() throws {
        let reformatted =
            "# The tiny model, reformatted.\n"
            + FixtureSite.tinySpec
            .replacingOccurrences(
                of: "{type: Conv2D, filters: 4, kernel_size: 3, activation: relu}",
                with: "{ type: Conv2D,   kernel_size: [3, 3], filters: 4, activation: relu }  # first")
        let a = try ModelSpec.parse(FixtureSite.tinySpec, file: "a.yml"),
            b = try ModelSpec.parse(reformatted, file: "b.yml")
        #expect(a.source != b.source)
        #expect(a.canonical == b.canonical)
        let trained = TrainedModels(
            cacheDirectory: "/nonexistent", contentDirectory: "/nonexistent", digest: { _ in "d" })
        let site = FixtureSite(lessons: [:], trainCount: 4, testCount: 4)
        let x = try DatasetFolder(path: (site.content as NSString).appendingPathComponent("data/mnist"))
        #expect(trained.key(for: a, data: x) == trained.key(for: b, data: x))
        let wider = try ModelSpec.parse(
            FixtureSite.tinySpec.replacingOccurrences(of: "filters: 4", with: "filters: 5"), file: "c.yml")
        #expect(trained.key(for: a, data: x) != trained.key(for: wider, data: x))
        let reseeded = try ModelSpec.parse(
            FixtureSite.tinySpec.replacingOccurrences(of: "seed: 1", with: "seed: 2"), file: "d.yml")
        #expect(trained.key(for: a, data: x) != trained.key(for: reseeded, data: x))

        let blocks = ["filters", "cam\nlayer: conv2d_1"]
        #expect(try keys(blocks) == keys(blocks, spec: reformatted))
    }

    @Test("the compute version is part of every figure's key")
    func computeVersionInKeys() throws {
        let blocks = ["summary", "cam"]
        let now = try keys(blocks), next = try keys(blocks, computeVersion: ComputeVersion.current + "-next")
        #expect(now.count == 2 && next.count == 2)
        #expect(zip(now, next).allSatisfy { $0 != $1 })
    }

    @Test("build --gc removes figures and weights no current figure or model uses, and reports what it freed")
    func garbageCollection() throws {
        let site = FixtureSite(
            lessons: ["01-keys.md": Self.lesson(["cam\nimages: test[0:2]", "model-metrics"])], trainCount: 64,
            testCount: 32)
        var options = buildOptions(site)
        try SiteBuilder(options: options).build()
        let figures = (site.cache as NSString).appendingPathComponent("figures")
        let models = (site.cache as NSString).appendingPathComponent("models")
        let before = try FileManager.default.contentsOfDirectory(atPath: figures)
        #expect(before.count == 2)

        // An edited figure, and a model that is no longer used, leave stale entries behind.
        site.directory.write("Content/lessons/01-keys.md", Self.lesson(["cam\nimages: test[0:3]", "model-metrics"]))
        site.directory.write(
            "Content/models/tiny.yml", FixtureSite.tinySpec.replacingOccurrences(of: "seed: 1", with: "seed: 3"))
        let keptByTrain = site.directory.write(".vizsite/models/tiny-cnn.safetensors", "written by vizsite train --out")
        try SiteBuilder(options: options).build()
        #expect(try FileManager.default.contentsOfDirectory(atPath: figures).count == 4)
        let weightsBefore = try FileManager.default.contentsOfDirectory(atPath: models).filter {
            $0.hasSuffix(".safetensors")
        }
        #expect(weightsBefore.count == 3)

        options.collectGarbage = true
        let report = try SiteBuilder(options: options).build()
        let after = try FileManager.default.contentsOfDirectory(atPath: figures)
        #expect(after.count == 2)
        #expect(Set(after).isDisjoint(with: before))
        let weightsAfter = try FileManager.default.contentsOfDirectory(atPath: models).filter {
            $0.hasSuffix(".safetensors")
        }
        #expect(weightsAfter.count == 2)
        #expect(FileManager.default.fileExists(atPath: keptByTrain))
        // Two figures, and the old weights with their training log and evaluation.
        #expect(report.collected?.files == 5)
        #expect((report.collected?.bytes ?? 0) > 10_000)
        #expect(report.hits == 2)
        // Nothing left to collect.
        #expect(try SiteBuilder(options: options).build().collected == CacheCollection())
    }

    @Test("gradient-only methods run on a model without convolutions; CAM methods there are an error")
    func denseOnlyModel() throws {
        let dense = """
            name: dense-only
            input: [28, 28, 1]
            layers:
              - {type: Flatten}
              - {type: Dense, units: 16, activation: relu}
              - {type: Dense, name: preds, units: 10, activation: softmax}
            training: {epochs: 1, batch_size: 32, seed: 1}

            """
        let blocks = [
            "compare\nmethods: [vanilla, smoothgrad]\nimages: test[0:2]\nsamples: 4",
            "faithfulness\nmethods: [vanilla, occlusion]\nimages: test[0:2]\nsteps: 4",
            "sanity-check\nmethods: [vanilla, guided]\nimages: test[0]",
            "mean-heatmaps\nmethod: input-x-gradient\ncount: 1",
        ]
        let site = FixtureSite(lessons: ["01-dense.md": Self.lesson(blocks)], trainCount: 64, testCount: 64)
        site.directory.write("Content/models/tiny.yml", dense)
        let report = try SiteBuilder(options: buildOptions(site)).build()
        #expect(report.figures.count == 4)

        site.directory.write("Content/lessons/01-dense.md", Self.lesson(["compare\nmethods: [vanilla, gradcam]"]))
        #expect {
            try SiteBuilder(options: buildOptions(site)).build()
        } throws: { error in
            "\(error)".contains(
                "01-dense.md:6:10: error: gradcam needs a layer with a spatial grid ([h, w, c], more than one cell), and the model has none"
            )
        }
    }
}
