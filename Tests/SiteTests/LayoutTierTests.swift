import Foundation
import Testing
import TestSupport

@testable import Site

/// The `layout:` option every directive takes: Distill's tiers as classes on the figure.
@Suite struct LayoutTierTests {
    @Test("layout: page and screen mark their figure; none leaves the page to fit it; another value is an error")
    func tiers() throws {
        let text = lesson(
            "```viz samples\nimages: test[0:2]\nlayout: page\n```\n\n```viz samples\nimages: test[2:4]\n```\n\n"
                + "```viz samples\nimages: test[4:6]\nlayout: screen\n```\n\n"
                + "```viz samples\nimages: test[6:8]\nlayout: body\n```\n")
        let page = String(decoding: try #require(try builtFiles(text)["test/index.html"]), as: UTF8.self)
        let classes = page.matches(of: /<figure class="([^"]*)"/).map { String($0.output.1) }
        #expect(classes == ["viz l-page", "viz", "viz l-screen", "viz l-body"])
        #expect(
            buildAndCheckErrors(lesson("```viz samples\nlayout: wide\n```\n")) == [
                "Content/lessons/01-test.md:8:9: error: unknown layout 'wide'; expected one of body, page, screen"
            ])
    }
}
