import Foundation
import Testing
import TestSupport
@testable import Site

/// The data-randomization figure: a second model, trained on shuffled labels, trained and
/// keyed with the figure, and its maps compared with the model's.
@Suite("Data randomization", .serialized)
struct DataRandomizationTests {
    static let shuffledSpec = FixtureSite.tinySpec.replacingOccurrences(
        of: "epochs: 1, seed: 1}", with: "epochs: 8, seed: 2, images: 64, labels: shuffled}")

    static let lessonText = """
        ---
        title: Data
        ---

        ```viz data-randomization
        against: models/shuffled.yml
        methods: [vanilla, gradcam]
        images: test[0:4]
        shown: 2
        ```

        ```viz data-randomization
        against: models/tiny.yml
        methods: [vanilla]
        images: test[0:3]
        shown: 0
        ```

        """

    func values(_ files: [String: Data], _ index: Int) throws -> [String: Any] {
        let names = files.keys.filter { $0.hasPrefix("figures/data-randomization-") && $0.hasSuffix(".json") }
        let page = String(decoding: files["data/index.html"]!, as: UTF8.self)
        // In page order: the JSON links appear as the figures do.
        let ordered = names.sorted { page.range(of: $0)!.lowerBound < page.range(of: $1)!.lowerBound }
        return try #require(try JSONSerialization.jsonObject(with: files[ordered[index]]!) as? [String: Any])
    }

    @Test("the shuffled-label model is trained, memorizes, and its maps are compared with the model's")
    func comparesTwoModels() throws {
        let site = FixtureSite(lessons: ["01-data.md": Self.lessonText], trainCount: 256, testCount: 64)
        site.directory.write("Content/models/shuffled.yml", Self.shuffledSpec)
        let report = try SiteBuilder(options: buildOptions(site)).build()
        #expect(report.misses == 2)
        let files = FixtureSite.tree(site.output)
        let page = String(decoding: files["data/index.html"]!, as: UTF8.self)
        #expect(htmlProblems(page) == [])
        // Two images drawn, each as a pair of columns; a row per method (the second figure draws none).
        #expect(page.components(separatedBy: ">shuffled labels</th>").count - 1 == 2)
        #expect(page.components(separatedBy: ", trained</th>").count - 1 == 2)
        #expect(page.contains("<th scope=\"row\">Gradient</th>") && page.contains("<th scope=\"row\">Grad-CAM</th>"))
        let shuffled = try values(files, 0)
        #expect(shuffled["against"] as? String == "models/shuffled.yml")
        #expect(shuffled["images"] as? [String] == ["test[0]", "test[1]", "test[2]", "test[3]"])
        let held = try #require(shuffled["held_out_accuracy"] as? Double)
        let fit = try #require(shuffled["training_accuracy"] as? Double)
        #expect(held < 0.4, "a model of shuffled labels predicts held-out digits near chance: \(held)")
        #expect(fit > held, "it fits its own labels better than true ones: \(fit) vs \(held)")
        let methods = try #require(shuffled["methods"] as? [[String: Any]])
        #expect(methods.map { $0["method"] as? String } == ["vanilla", "gradcam"])
        for method in methods {
            let similarities = try #require(method["similarities"] as? [[String: Any]])
            #expect(similarities.map { $0["measure"] as? String } == ["spearman", "ink-spearman", "ssim", "hog"])
            for s in similarities {
                let perImage = try #require(s["per_image"] as? [Any])
                #expect(perImage.count == 4)
                let finite = perImage.compactMap { $0 as? Double }
                if let mean = s["mean"] as? Double {
                    #expect(abs(mean - finite.reduce(0, +) / Double(finite.count)) < 1e-12)
                    #expect((-1...1).contains(mean))
                }
            }
        }
        // Against itself, every map equals its counterpart: each similarity is exactly 1.
        let same = try values(files, 1)
        let vanilla = try #require((same["methods"] as? [[String: Any]])?.first?["similarities"] as? [[String: Any]])
        for s in vanilla {
            #expect((s["per_image"] as? [Double])?.allSatisfy { abs($0 - 1) < 1e-9 } == true, "\(s["measure"]!)")
        }
        #expect(page.contains("fits") && page.contains("of its shuffled training labels"))

        // Retraining the other model (a new seed) recomputes the figure that uses it, and only that one.
        site.directory.write(
            "Content/models/shuffled.yml", Self.shuffledSpec.replacingOccurrences(of: "seed: 2", with: "seed: 3"))
        let again = try SiteBuilder(options: buildOptions(site)).build()
        #expect(again.misses == 1)
    }

    @Test("the other model is required, must exist and must take the same input and classes")
    func errors() {
        let fence = "```viz data-randomization\nmethods: [vanilla]\n```\n"
        #expect(
            buildErrors(lesson(fence)) == [
                "Content/lessons/01-test.md:7:1: error: data-randomization needs 'against': the spec of the model "
                    + "trained on shuffled labels"
            ])
        #expect(
            buildErrors(lesson("```viz data-randomization\nagainst: models/nope.yml\n```\n")).first?.hasPrefix(
                "Content/lessons/01-test.md:8:10: error: no model spec 'models/nope.yml'") == true)
        let five = FixtureSite.tinySpec.replacingOccurrences(of: "dataset: mnist", with: "dataset: images")
            .replacingOccurrences(of: "units: 10", with: "units: 5")
        #expect(
            buildErrors(
                lesson("```viz data-randomization\nagainst: models/five.yml\n```\n"),
                files: ["Content/models/five.yml": five])
                == [
                    "Content/lessons/01-test.md:8:10: error: models/five.yml takes [28, 28, 1] inputs into 5 classes, "
                        + "but models/tiny.yml takes [28, 28, 1] into 10; their maps cannot be compared"
                ])
    }
}
