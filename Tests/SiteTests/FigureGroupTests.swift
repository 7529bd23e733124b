import Foundation
import Testing
import TestSupport

@testable import Site

/// `::: figures` … `:::`: figures side by side under one numbered caption.
@Suite struct FigureGroupTests {
    static let group =
        "::: figures {#pair}\n```viz samples\nimages: test[0:2]\ncaption: First two.\n```\n\n"
        + "```viz samples\nlabel: second\nimages: test[2:4]\ncaption: Next two.\n```\n\n"
        + "Four digits, two by two.\n:::\n\n"

    @Test("a group is one figure: its figures are 1a and 1b, its caption numbered, later figures go on from 2")
    func numbered() throws {
        let text = lesson(
            Self.group + "```viz samples\nlabel: after\nimages: test[4:6]\n```\n\n"
                + "See {{fig:pair}}, {{fig:second}} and {{fig:after}}.\n")
        let page = String(decoding: try #require(try builtFiles(text)["test/index.html"]), as: UTF8.self)
        #expect(htmlProblems(page).isEmpty)
        let ids = page.matches(of: /<figure class="([^"]*)"[^>]* id="([^"]*)"/).map {
            "\($0.output.1) #\($0.output.2)"
        }
        #expect(ids == ["viz viz-group l-page #fig-pair", "viz #figure-1a", "viz #fig-second", "viz #fig-after"])
        let numbers = page.matches(of: /<span class="viz-number">([^<]*)<\/span>/).map { String($0.output.1) }
        #expect(numbers == ["(a)", "(b)", "Figure 1.", "Figure 2."])
        #expect(page.contains("<span class=\"viz-number\">Figure 1.</span> Four digits, two by two."))
        #expect(page.contains("<span class=\"viz-number\">(b)</span> Next two."))
        for (href, text) in [("#fig-pair", "Figure 1"), ("#fig-second", "Figure 1b"), ("#fig-after", "Figure 2")] {
            #expect(page.contains("<a class=\"fig-ref\" href=\"\(href)\">\(text)</a>"), "\(href)")
        }
        // The row and the group's caption are inside the group's figure, in that order.
        let group = try #require(page.firstRange(of: "<figure class=\"viz viz-group"))
        let row = try #require(page.firstRange(of: "<div class=\"viz-group-row\">"))
        let caption = try #require(page.firstRange(of: "Four digits, two by two."))
        let after = try #require(page.firstRange(of: "id=\"fig-after\""))
        #expect(group.lowerBound < row.lowerBound && row.lowerBound < caption.lowerBound)
        #expect(caption.lowerBound < after.lowerBound)
        #expect(!page.contains("vizsite:group"))
        #expect(!page.contains(":::"))
    }

    @Test("a caption separated from ':::' by a blank line, and notes all figures share said once under it")
    func separateClose() throws {
        let text = lesson(
            "::: figures\n\n```viz saliency\nimages: test[0]\n```\n\n```viz saliency\nimages: test[1]\n```\n\n"
                + "Two maps.\n\n:::\n")
        let page = String(decoding: try #require(try builtFiles(text)["test/index.html"]), as: UTF8.self)
        #expect(htmlProblems(page).isEmpty)
        #expect(page.contains("<figure class=\"viz viz-group l-page\" id=\"figure-1\">"))
        #expect(page.contains("<span class=\"viz-number\">Figure 1.</span> Two maps."))
        // "method vanilla" is every figure's note: said once, in the group's caption.
        #expect(page.components(separatedBy: "<span>method vanilla</span>").count == 2)
        let caption = try #require(page.firstRange(of: "Two maps."))
        let note = try #require(page.firstRange(of: "<span>method vanilla</span>"))
        #expect(caption.lowerBound < note.lowerBound)
    }

    @Test("a group's mistakes are errors at their lines, which check reports too")
    func mistakes() {
        let figure = "```viz samples\nimages: test[0:2]\n```\n\n"
        let cases: [(String, String)] = [
            (
                "::: figures\n" + figure + figure + "Caption.\n",
                "7:1: error: this figure group is never closed: end it with a ':::' line"
            ),
            (
                "Text.\n\n:::\n",
                "9:1: error: ':::' closes a figure group or tab set, and none is open ('::: figures' opens one)"
            ),
            ("::: figures\n" + figure + "One.\n:::\n", "7:1: error: a figure group holds two figures or more"),
            (
                "::: figures\n" + figure + figure + ":::\n",
                "16:1: error: a figure group ends with its caption: a paragraph just before the closing ':::'"
            ),
            (
                "::: figures\n" + figure + "## A heading\n\n" + figure + "Caption.\n:::\n",
                "12:1: error: a figure group holds figures and, last, their caption; close it with ':::' before this"
            ),
            (
                "::: figures\n" + figure + "Caption.\n\n" + figure + "More.\n:::\n",
                "14:1: error: a figure group's caption comes after all its figures"
            ),
            (
                "::: note\n\nText.\n\n:::\n",
                "7:1: error: '::: figures' opens a figure group (with '{#label}' to name it), '::: tabs' a tab set; "
                    + "vizsite knows no other ':::' block"
            ),
            (
                "::: figures {#a b}\n" + figure + figure + "C.\n:::\n",
                "7:1: error: a figure group is named as '::: figures {#label}'"
            ),
        ]
        for (body, expected) in cases {
            let errors = buildAndCheckErrors(lesson(body))
            #expect(errors.first == "Content/lessons/01-test.md:" + expected, "\(body)")
        }
        // A group has no raw values of its own to quote.
        let quoted = lesson(Self.group + "{{fig:pair.images[0] | 2}}\n")
        #expect(
            buildAndCheckErrors(quoted) == [
                "Content/lessons/01-test.md:22:1: error: 'pair' names a group of figures, which has no raw values of its "
                    + "own; quote one of its figures by that figure's label"
            ])
    }

    @Test("numbers: figures outside groups count one each, a group one for all its figures, lettered")
    func numbers() {
        let groups = [
            FigureGroupBlock(label: nil, line: 1, column: 1, figures: 1..<4),
            FigureGroupBlock(label: nil, line: 9, column: 1, figures: 5..<7),
        ]
        let numbers = FigureGroupBlock.numbers(figures: 8, groups: groups)
        #expect(numbers.figures.map(\.description) == ["1", "2a", "2b", "2c", "3", "4a", "4b", "5"])
        #expect(numbers.groups == [2, 4])
        #expect(FigureNumber(number: 1, sub: 27).letter == "ab")
        #expect(FigureGroupBlock.commonNotes([["a", "b", "c"], ["c", "a"], ["a", "c", "d"]]) == ["a", "c"])
        #expect(FigureGroupBlock.commonNotes([["a"]]) == [])
    }

    @Test("::: tabs: a heading per tab, switched by radio buttons; the titles stay out of the table of contents")
    func tabs() throws {
        let text = lesson(
            "## Before\n\n::: tabs\n### PyTorch\n\n```yaml\na: 1\n```\n\n### Keras\n\nText *two*.\n:::\n\n## After\n")
        let page = String(decoding: try #require(try builtFiles(text)["test/index.html"]), as: UTF8.self)
        #expect(htmlProblems(page).isEmpty)
        #expect(
            page.contains(
                "<div class=\"tabs\">\n<input type=\"radio\" name=\"tabs-0\" id=\"tabs-0-0\" checked>"
                    + "<label for=\"tabs-0-0\">PyTorch</label>\n<input type=\"radio\" name=\"tabs-0\" id=\"tabs-0-1\">"
                    + "<label for=\"tabs-0-1\">Keras</label>"))
        #expect(page.components(separatedBy: "<div class=\"tab-panel\">").count - 1 == 2)
        #expect(page.contains("<div class=\"tab-panel\">\n<p>Text <em>two</em>.</p>\n</div>\n</div>"))
        #expect(!page.contains("id=\"pytorch\"") && !page.contains("href=\"#keras\""), "tab titles are no sections")
        #expect(page.contains("href=\"#after\""))
        let cases: [(String, String)] = [
            (
                "::: tabs\n### One\n\nText.\n:::\n",
                "7:1: error: a tab set holds two to 8 tabs, each starting with a heading: its title"
            ),
            (
                "::: tabs\n\nText.\n\n### One\n\nA.\n\n### Two\n\nB.\n:::\n",
                "9:1: error: a tab set starts with a heading, its first tab's title (### PyTorch)"
            ),
            (
                "::: tabs\n### One\n\nA.\n\n### Two\n\nB.\n",
                "7:1: error: this tab set is never closed: end it with a ':::' line"
            ),
        ]
        for (body, expected) in cases {
            #expect(buildAndCheckErrors(lesson(body)).first == "Content/lessons/01-test.md:" + expected, "\(body)")
        }
    }
}
