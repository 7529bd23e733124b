import Foundation
import Testing
import Render
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

    @Test("a CAM says how much of its mass lies on cells that see ink; a contrast, how alike its classes' maps are")
    func camInkAndContrast() throws {
        let files = try builtFiles(
            lesson(
                "```viz cam\nmethod: layercam\nimages: test[0:2]\ntarget: 9\n```\n\n"
                    + "```viz cam\nmethod: layercam\nimages: test[0:2]\ntarget: 4\n```\n\n"
                    + "```viz cam\nmethod: layercam\nimages: test[0:2]\ntarget: 9-4\n```\n"))
        var byTarget: [String: [String: Any]] = [:]
        for (name, data) in files where name.hasPrefix("figures/cam-") && name.hasSuffix(".json") {
            let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            let images = try #require(json["images"] as? [[String: Any]])
            let contrast = images[0]["contrast"].flatMap { $0 is NSNull ? nil : "−\($0)" } ?? ""
            byTarget["\(images[0]["target"]!)" + contrast] = json
        }
        #expect(byTarget.count == 3, "\(byTarget.keys)")
        func maps(_ json: [String: Any]) -> [[Double]] {
            (json["images"] as! [[String: Any]]).map {
                ((($0["map"] as! [String: Any])["values"]) as! [[Double]]).flatMap { $0 }
            }
        }
        func pearson(_ a: [Double], _ b: [Double]) -> Double {
            let n = Double(a.count), ma = a.reduce(0, +) / n, mb = b.reduce(0, +) / n
            let ab = zip(a, b).reduce(0) { $0 + ($1.0 - ma) * ($1.1 - mb) }
            let aa = a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) }, bb = b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) }
            return ab / (aa * bb).squareRoot()
        }
        let nine = try #require(byTarget["9"]), four = try #require(byTarget["4"])
        let contrast = try #require(byTarget["9−4"], "\(byTarget.keys)")
        let correlation = try #require(contrast["class_correlation"] as? [Double])
        // The correlation the figure states is the one of the two class figures' own maps.
        for (i, (a, b)) in zip(maps(nine), maps(four)).enumerated() {
            #expect(abs(correlation[i] - pearson(a, b)) < 1e-5, "image \(i)")
        }
        #expect(nine["class_correlation"] == nil)
        // Cells whose 5×5 window holds ink carry at least the mass that sits on ink itself.
        let ink = try #require(nine["ink"] as? [String: Any])
        let seeing = try #require(ink["mass_seeing_ink"] as? [Double]),
            on = try #require(ink["mass_on_ink"] as? [Double])
        #expect(seeing.count == 2 && zip(seeing, on).allSatisfy { $0.0 <= 1 + 1e-9 && $0.0 + 1e-9 >= $0.1 })
    }

    @Test("a cell sees ink when its receptive field, centred where the placement puts it, holds ink")
    func inkReach() {
        // A 2×2 map of 5×5 fields centred at (2, 2) … (3, 3) on 6×6 pixels; ink at (0, 0) only.
        var ink = [Bool](repeating: false, count: 36)
        ink[0] = true
        let reach = InkReach(
            ink: ink, height: 6, width: 6, placement: .centres(offsetX: 2, offsetY: 2, strideX: 1, strideY: 1),
            field: (5, 5), map: Heatmap(width: 2, height: 2, values: [1, 2, 3, 4]))
        #expect(reach.seesInk == [true, false, false, false])
        // Ink at (5, 5) is seen by the field centred at (3, 3) alone.
        ink = [Bool](repeating: false, count: 36)
        ink[35] = true
        let corner = InkReach(
            ink: ink, height: 6, width: 6, placement: .centres(offsetX: 2, offsetY: 2, strideX: 1, strideY: 1),
            field: (5, 5), map: Heatmap(width: 2, height: 2, values: [1, 2, 3, 4]))
        #expect(corner.seesInk == [false, false, false, true])
    }
}
