import Foundation
import Testing
import TestSupport
@testable import Site

/// The ig-baselines figure: Integrated Gradients of the same images from several baselines.
@Suite("Integrated Gradients baselines")
struct IGBaselinesSiteTests {
    @Test("each map adds up to F(x) − F(x′); the black baseline leaves the background at exactly 0")
    func baselinesFigure() throws {
        let text = lesson(
            "```viz ig-baselines\nlabel: igb\nbaselines: [black, blur, uniform, data]\nimages: test[0:2]\n"
                + "target: 7-1\nsteps: 16\ndraws: 3\nsigma: 2\n```\n\n"
                + "On the ink {{fig:igb.baselines[black].mass_on_ink.mean | 0%}}.\n")
        let files = try builtFiles(text)
        let pages = files.filter { $0.key.hasSuffix("index.html") }.map { String(decoding: $0.value, as: UTF8.self) }
        let page = try #require(pages.first { $0.contains("data-directive=\"ig-baselines\"") })
        #expect(htmlProblems(page) == [])
        let json = try rawValues(files, prefix: "figures/ig-baselines-")
        #expect(json["steps"] as? Int == 16 && json["draws"] as? Int == 3 && json["sigma"] as? Double == 2)
        let images = try #require(json["images"] as? [[String: Any]])
        #expect(images.map { $0["image"] as? String } == ["test[0]", "test[1]"])
        for image in images {
            #expect(image["target"] as? Int == 7 && image["contrast"] as? Int == 1)
            let score = try #require(image["score"] as? Double)
            let results = try #require(image["baselines"] as? [[String: Any]])
            #expect(results.map { $0["baseline"] as? String } == ["black", "blur", "uniform", "data"])
            #expect(results.map { ($0["reference_scores"] as? [Double])?.count } == [1, 1, 3, 3])
            for r in results {
                let sum = try #require(r["sum"] as? Double), reference = try #require(r["reference_score"] as? Double)
                #expect(abs(r["completeness_gap"] as! Double - (sum - (score - reference))) < 1e-5)
                // 16 Gauss–Legendre nodes over ReLU kinks: near, not exact.
                #expect(abs(sum - (score - reference)) < 0.05 * max(abs(score - reference), 1), "\(r["baseline"]!)")
            }
            #expect(results[0]["mass_on_ink"] as? Double == 1, "black: background pixels get exactly nothing")
            #expect(results[0]["positive_off_ink"] as? Double == 0)
            #expect((results[2]["positive_off_ink"] as! Double) > 0)
            #expect((results[2]["mass_on_ink"] as! Double) < 1)
        }
        #expect(page.contains("On the ink 100%."))
        #expect(page.contains("training images") && page.contains("uniform noise"))
    }

    @Test("an unknown baseline is an error at its option, with a suggestion")
    func unknownBaseline() {
        let errors = buildErrors(lesson("```viz ig-baselines\nbaselines: [black, blurr]\n```\n"), checkOnly: true)
        #expect(errors.count == 1 && errors[0].hasPrefix("Content/lessons/01-test.md:8:"), "\(errors)")
        #expect(errors.first?.contains("blur") == true, "\(errors)")
    }
}
