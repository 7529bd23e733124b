import Foundation
import Testing
import TestSupport
@testable import Site

/// The dot-product view of feature-maps figures: the numbers it shows for each value (the
/// receptive field, kernel, products and bias; the pooling window) give back the value the
/// figure draws, checked for every value in Node with the page's own script.
@Suite("Feature-map dot products")
struct FeatureDotsTests {
    @Test("every value of a convolution and a max pooling map is the view's sum plus bias or window maximum")
    func viewReproducesEveryValue() throws {
        let lesson = """
            ---
            title: Maps
            ---

            ```viz feature-maps
            layer: conv2d_2
            image: test[3]
            count: 5
            ```

            ```viz feature-maps
            layer: max_pooling2d_1
            image: test[3]
            ```

            ```viz feature-maps
            layer: dense_1
            image: test[3]
            ```

            """
        let site = FixtureSite(lessons: ["01-maps.md": lesson], trainCount: 128, testCount: 8)
        try SiteBuilder(options: buildOptions(site)).build()
        let files = FixtureSite.tree(site.output)
        let page = String(decoding: files["maps/index.html"]!, as: UTF8.self)
        #expect(htmlProblems(page) == [])
        let view = try #require(files.keys.first { $0.hasPrefix("assets/feature-dots.") })
        #expect(page.contains(view), "the page loads the view's script")
        // A flat layer (dense_1) has no view: two figures of three have one.
        #expect(page.components(separatedBy: " fm-dots\" data-dots=").count - 1 == 2)
        let expected: [String: (type: String, values: Int, field: [Int])] = [
            // Two valid 3×3 convolutions: value (0, 0) reads input rows and columns 0…4.
            "conv2d-2": ("conv", 24 * 24 * 5, [0, 4, 0, 4]),
            // Then a 2×2 pool: 0…5.
            "max-pooling2d-1": ("maxpool", 12 * 12 * 6, [0, 5, 0, 5]),
        ]
        for (layer, want) in expected {
            let dots = try #require(files.keys.first { $0.hasPrefix("figures/feature-dots-\(layer)-") })
            let values = try #require(
                files.keys.first {
                    $0.hasPrefix("figures/feature-maps-\(layer)-") && $0.hasSuffix(".json")
                })
            let result = try runProgram(
                "node",
                [PackagePaths.path("Tests/SiteTests/Fixtures/feature-dots-check.js")]
                    + [view, dots, values].map { (site.output as NSString).appendingPathComponent($0) })
            #expect(result.status == 0, "\(result.stderr)")
            let check = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
            #expect(check["type"] as? String == want.type)
            #expect(check["values"] as? Int == want.values)
            #expect(check["field"] as? [Int] == want.field)
            #expect(try #require(check["derived"] as? Double) < 1e-5, "\(layer): \(check)")
            #expect(try #require(check["shown"] as? Double) < 1e-6, "\(layer): \(check)")
        }
    }
}
