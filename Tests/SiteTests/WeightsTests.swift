import CNN
import Foundation
import Testing
import TestSupport
@testable import Site

@Suite("Committed weights")
struct WeightsTests {
    @Test("a spec that names weights uses them (no training); a training plot or {{epochs}} is an error, in check too")
    func committedWeights() throws {
        let lesson = "---\ntitle: W\n---\n\n```viz predictions\nimages: test[0]\n```\n"
        let site = FixtureSite(lessons: ["01-w.md": lesson], trainCount: 64, testCount: 16)
        // Weights from a model trained elsewhere: here, the tiny model with its seeded initial weights.
        let spec = try ModelSpec.parse(FixtureSite.tinySpec, file: "tiny.yml")
        try spec.model.saveWeights(path: site.directory.file("Content/models/tiny.safetensors"))
        site.directory.write("Content/models/tiny.yml", FixtureSite.tinySpec + "weights: models/tiny.safetensors\n")
        let report = try SiteBuilder(options: buildOptions(site)).build()
        #expect(report.misses == 1)
        #expect(!FileManager.default.fileExists(atPath: site.directory.file(".vizsite/models")), "nothing was trained")
        // The figure's probabilities are the committed weights' own.
        let json = FixtureSite.tree(site.output).first {
            $0.key.hasPrefix("figures/predictions-") && $0.key.hasSuffix(".json")
        }!.value
        let images = try #require(
            (try JSONSerialization.jsonObject(with: json) as? [String: Any])?["images"] as? [[String: Any]])
        let expected = softmax(spec.model.logits(sharedMNIST.test.images.samples(0..<1))).scalars
        let found = try #require(images.first?["probabilities"] as? [Double])
        #expect(zip(found, expected).allSatisfy { abs($0 - Double($1)) < 1e-6 })

        // A training plot and {{epochs}} need what only vizsite's own training knows: errors,
        // which check reports as build does.
        site.directory.write(
            "Content/lessons/01-w.md", "---\ntitle: W\n---\n\nTrained for {{epochs}} epochs.\n\n```viz training\n```\n")
        for checkOnly in [false, true] {
            var options = buildOptions(site)
            options.checkOnly = checkOnly
            #expect(throws: BuildErrors.self) { try SiteBuilder(options: options).build() }
            do { try SiteBuilder(options: options).build() } catch {
                #expect(
                    error.errors.map(\.description) == [
                        "\(site.content)/lessons/01-w.md:7:1: error: 'training' plots the log vizsite writes while it "
                            + "trains, and tiny-cnn is given as trained weights: there is no log; plot the training "
                            + "curves where it was trained",
                        "\(site.content)/lessons/01-w.md:5:13: error: {{epochs}} counts the epochs vizsite trained "
                            + "models/tiny.yml for, and it did not train it (its weights are given); write the number in "
                            + "the prose",
                    ])
            }
        }
    }

    @Test("weights outside the content folder are refused where the spec names them")
    func weightsOutside() {
        let site = FixtureSite(
            lessons: ["01-w.md": "---\ntitle: W\n---\n\n```viz summary\n```\n"], trainCount: 16, testCount: 16)
        site.directory.write("Content/models/tiny.yml", FixtureSite.tinySpec + "weights: ../secret.safetensors\n")
        do {
            try SiteBuilder(options: buildOptions(site)).build()
            Issue.record("the build should fail")
        } catch {
            #expect(
                error.errors.map(\.description) == [
                    "\(site.content)/models/tiny.yml:14:10: error: path '../secret.safetensors' leaves the content "
                        + "folder \(site.content)/"
                ])
        }
    }
}
