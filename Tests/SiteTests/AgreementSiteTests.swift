import Foundation
import Testing
import TestSupport
@testable import Site

/// The agreement figure: every pair of methods, per image and mean, beside the noise floor.
@Suite("Agreement between methods")
struct AgreementSiteTests {
    @Test("a map and its magnitude agree completely; every pair has a value per image and a mean ± std")
    func agreementFigure() throws {
        let text = lesson(
            "```viz agreement\nlabel: agree\nmethods: [vanilla, vanilla+abs, gradcam, random]\nimages: test[0:5]\n"
                + "top: 40\n```\n\nOverlap {{fig:agree.pairs[gradcam/random].results[top-k] | ± std 2}}.\n")
        let files = try builtFiles(text)
        let pages = files.filter { $0.key.hasSuffix("index.html") }.map { String(decoding: $0.value, as: UTF8.self) }
        let page = try #require(pages.first { $0.contains("data-directive=\"agreement\"") })
        #expect(htmlProblems(page) == [])
        let json = try rawValues(files, prefix: "figures/agreement-")
        #expect(json["k"] as? Int == 40)
        #expect(json["methods"] as? [String] == ["vanilla", "vanilla+abs", "gradcam", "random"])
        let pairs = try #require(json["pairs"] as? [[String: Any]])
        #expect(
            pairs.map { $0["pair"] as? String } == [
                "vanilla/vanilla+abs", "vanilla/gradcam", "vanilla/random", "vanilla+abs/gradcam", "vanilla+abs/random",
                "gradcam/random",
            ])
        for pair in pairs {
            let results = try #require(pair["results"] as? [[String: Any]])
            #expect(results.map { $0["measure"] as? String } == ["spearman", "ink-spearman", "top-k"])
            for result in results { #expect((result["per_image"] as? [Any])?.count == 5) }
        }
        let same = try #require(pairs[0]["results"] as? [[String: Any]])
        #expect(same.allSatisfy { $0["mean"] as? Double == 1 && $0["std"] as? Double == 0 })
        let floor = try #require(json["noise_floor"] as? [[String: Any]])
        let topFloor = try #require(floor.first { $0["measure"] as? String == "top-k" }?["mean"] as? Double)
        #expect(abs(topFloor - 40.0 / 784) < 0.04)
        // The quoted value is the figure's mean ± std of that pair.
        let quoted = try #require(pairs[5]["results"] as? [[String: Any]])[2]
        let expected = String(format: "%.2f ± %.2f", quoted["mean"] as! Double, quoted["std"] as! Double)
        #expect(page.contains("Overlap \(expected)."))
        #expect(page.contains("top-40 overlap"))
    }

    @Test("one method is an error at 'methods'; so is a top larger than the image")
    func errors() {
        #expect(
            buildErrors(lesson("```viz agreement\nmethods: [vanilla]\n```\n")) == [
                "Content/lessons/01-test.md:8:10: error: agreement compares methods pair by pair: name at least two"
            ])
        let tooMany = buildErrors(
            lesson("```viz agreement\nmethods: [vanilla, gradcam]\ntop: 785\n```\n"), checkOnly: true)
        #expect(tooMany.count == 1 && tooMany[0].hasPrefix("Content/lessons/01-test.md:9:6: error:"), "\(tooMany)")
    }
}
