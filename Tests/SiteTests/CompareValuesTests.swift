import Foundation
import Testing
import TestSupport
@testable import Site

/// compare's raw values summarize each method over the images: what its maps add up to,
/// and the share of their magnitude that is negative, recomputed here from the maps.
@Suite("Compare summaries")
struct CompareValuesTests {
    @Test("each method's sums and negative shares are those of its maps, in image order")
    func summaries() throws {
        let text = lesson(
            "```viz compare\nlabel: c\nmethods: [vanilla, random]\nimages: test[0:3]\n```\n\n"
                + "Sum {{fig:c.methods[vanilla].sum.per_image[1] | 3}}.\n")
        let files = try builtFiles(text)
        let json = try rawValues(files, prefix: "figures/compare-")
        let maps = try #require(json["maps"] as? [[String: Any]])
        let summaries = try #require(json["methods"] as? [[String: Any]])
        #expect(summaries.map { $0["method"] as? String } == ["vanilla", "random"])
        for summary in summaries {
            let method = summary["method"] as! String
            let mine = maps.filter { $0["method"] as? String == method }.map { entry in
                ((entry["map"] as! [String: Any])["values"] as! [[Double]]).flatMap { $0 }
            }
            #expect(mine.count == 3)
            let sums = try #require((summary["sum"] as? [String: Any])?["per_image"] as? [Double])
            let negative = try #require((summary["negative_share"] as? [String: Any])?["per_image"] as? [Double])
            for (i, values) in mine.enumerated() {
                #expect(abs(sums[i] - values.reduce(0, +)) <= 1e-4 * max(1, abs(sums[i])))
                let share = values.filter { $0 < 0 }.reduce(0) { $0 - $1 } / values.reduce(0) { $0 + abs($1) }
                #expect(abs(negative[i] - share) < 1e-6)
            }
            let max = try #require((summary["negative_share"] as? [String: Any])?["max"] as? Double)
            #expect(max == negative.max())
        }
        // A uniform random map has no negative values; a gradient has both signs.
        let random = try #require((summaries[1]["negative_share"] as? [String: Any])?["max"] as? Double)
        let gradient = try #require((summaries[0]["negative_share"] as? [String: Any])?["min"] as? Double)
        #expect(random == 0 && gradient > 0)
        let pages = files.filter { $0.key.hasSuffix("index.html") }.map { String(decoding: $0.value, as: UTF8.self) }
        let page = try #require(pages.first { $0.contains("data-directive=\"compare\"") })
        let sums = try #require((summaries[0]["sum"] as? [String: Any])?["per_image"] as? [Double])
        #expect(page.contains("Sum \(String(format: "%.3f", sums[1]).replacingOccurrences(of: "-", with: "−"))."))
    }

    @Test("a saliency figure says how much of each map lies on the ink: all of input × gradient, less of the gradient")
    func massOnInk() throws {
        let text = lesson(
            "```viz saliency\nmethod: input-x-gradient\nimages: test[0:3]\n```\n\n"
                + "```viz saliency\nmethod: vanilla\nimages: test[0:3]\n```\n")
        let files = try builtFiles(text)
        var ink: [String: [String: Any]] = [:]
        for (name, data) in files where name.hasPrefix("figures/saliency-") && name.hasSuffix(".json") {
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            ink[json["method"] as! String] = json["ink"] as? [String: Any]
        }
        let product = try #require(ink["input-x-gradient"]), gradient = try #require(ink["vanilla"])
        #expect((product["mass_on_ink"] as? [Double])?.allSatisfy { abs($0 - 1) < 1e-9 } == true)
        let shares = try #require(gradient["ink_share"] as? [Double]),
            mass = try #require(gradient["mass_on_ink"] as? [Double])
        #expect(shares.count == 3 && shares == product["ink_share"] as? [Double])
        #expect(shares.allSatisfy { $0 > 0.05 && $0 < 0.4 } && mass.allSatisfy { $0 > 0 && $0 < 1 })
        #expect(gradient["mass_on_ink_range"] as? [Double] == [mass.min()!, mass.max()!])
    }
}
