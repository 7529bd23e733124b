import Foundation
import Testing
import TestSupport

/// `vizsite build`, `check`, `new lesson` and `init`, run as a user runs them.
@Suite struct SiteCommandTests {
    static let lesson = "---\ntitle: One\nsummary: A lesson.\n---\n\n## Part\n\n```viz cam\nimages: test[0:2]\n```\n"

    @Test("build writes the site and says what it did; a second build is all cache hits")
    func build() throws {
        let site = FixtureSite(lessons: ["01-one.md": Self.lesson], trainCount: 256, testCount: 32)
        let first = try runVizsite(["build", "--verbose"], in: site.root)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.hasPrefix("built 4 pages, 1 figure (0 cached, 1 computed)"))
        #expect(first.stderr.contains("Content/lessons/01-one.md:8:1 viz cam (computed)"))
        #expect(FileManager.default.fileExists(atPath: site.directory.file("Output/one/index.html")))
        let second = try runVizsite(["build", "--verbose"], in: site.root)
        #expect(second.stdout.hasPrefix("built 4 pages, 1 figure (1 cached, 0 computed)"))
        #expect(second.stderr.contains("viz cam (cached)"))
    }

    @Test("errors are printed compiler-style, the status is 1, and Output/ is untouched")
    func buildErrors() throws {
        let site = FixtureSite(lessons: ["01-one.md": Self.lesson], trainCount: 256, testCount: 32)
        #expect(try runVizsite(["build"], in: site.root).status == 0)
        let before = FixtureSite.tree(site.output)
        site.directory.write(
            "Content/lessons/02-two.md",
            "---\ntitle: Two\n---\n\n```viz saliency\nmethod: smoothgrad\nsamples: many\n```\n\n```viz sumary\n```\n")
        let result = try runVizsite(["build"], in: site.root)
        #expect(result.status == 1)
        #expect(
            result.stderr == """
                Content/lessons/02-two.md:7:10: error: expected an integer, found 'many'
                Content/lessons/02-two.md:10:8: error: unknown directive 'sumary'; expected one of summary, architecture, samples, training, model-metrics, filters, feature-maps, maximize, saliency, ig-baselines, cam, attention, occlusion, predictions, compare, confusion-matrix, faithfulness, sanity-check, agreement, diagnosis, screening, mean-heatmaps, metrics, class-maps, dataset-examples, data-randomization, playground; did you mean 'summary'?
                2 errors generated (step: check lessons and directives).

                """)
        #expect(FixtureSite.tree(site.output) == before)
        let check = try runVizsite(["check"], in: site.root)
        #expect(check.status == 1)
        #expect(check.stderr == result.stderr)
    }

    @Test("new lesson adds the next numbered file, which builds")
    func newLesson() throws {
        let site = FixtureSite(lessons: ["01-one.md": Self.lesson], trainCount: 256, testCount: 32)
        let result = try runVizsite(["new", "lesson", "Where it looks"], in: site.root)
        #expect(result.status == 0)
        #expect(result.stdout == "created Content/lessons/02-where-it-looks.md\n")
        let check = try runVizsite(["check"], in: site.root)
        #expect(check.status == 0, "\(check.stderr)")
    }

    @Test("init creates a site that checks clean")
    func initSite() throws {
        let dir = TemporaryDirectory()
        let result = try runVizsite(["init", dir.file("my-site"), "--from", PackagePaths.root], in: dir.path)
        #expect(result.status == 0, "\(result.stderr)")
        for file in [
            "Content/site.yml", "Content/lessons/01-first-look.md", "Content/models/mnist-cnn.yml",
            "Content/data/mnist/t10k-labels-idx1-ubyte.gz", "Theme/templates/layout.mustache", ".gitignore",
        ] {
            #expect(FileManager.default.fileExists(atPath: dir.file("my-site/\(file)")), "\(file)")
        }
        #expect(try runVizsite(["check"], in: dir.file("my-site")).status == 0)
        let again = try runVizsite(["init", dir.file("my-site"), "--from", PackagePaths.root], in: dir.path)
        #expect(again.status == 1)
        #expect(again.stderr.contains("exists and is not empty"))
    }
}
