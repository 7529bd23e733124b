import Foundation
import Testing
@testable import Site

/// The pipe-table examples of the GFM spec (cmark-gfm's test/spec.txt, 0.29.0.gfm.6,
/// examples 198–205) render as the spec says, alignment included.
@Suite struct GFMTableTests {
    static let examples: [(markdown: String, html: String)] = [
        (
            "| foo | bar |\n| --- | --- |\n| baz | bim |\n",
            "<table>\n<thead>\n<tr>\n<th>foo</th>\n<th>bar</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>baz</td>\n<td>bim</td>\n</tr>\n</tbody>\n</table>\n"
        ),
        (
            "| abc | defghi |\n:-: | -----------:\nbar | baz\n",
            "<table>\n<thead>\n<tr>\n<th style=\"text-align: center\">abc</th>\n<th style=\"text-align: "
                + "right\">defghi</th>\n</tr>\n</thead>\n"
                + "<tbody>\n<tr>\n<td style=\"text-align: center\">bar</td>\n<td style=\"text-align: "
                + "right\">baz</td>\n</tr>\n</tbody>\n</table>\n"
        ),
        (
            "| f\\|oo  |\n| ------ |\n| b `\\|` az |\n| b **\\|** im |\n",
            "<table>\n<thead>\n<tr>\n<th>f|oo</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>b <code>|</code> "
                + "az</td>\n</tr>\n"
                + "<tr>\n<td>b <strong>|</strong> im</td>\n</tr>\n</tbody>\n</table>\n"
        ),
        (
            "| abc | def |\n| --- | --- |\n| bar | baz |\n> bar\n",
            "<table>\n<thead>\n<tr>\n<th>abc</th>\n<th>def</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>bar</td>\n<td>baz</td>\n</tr>\n</tbody>\n</table>\n"
                + "<blockquote>\n<p>bar</p>\n</blockquote>\n"
        ),
        (
            "| abc | def |\n| --- | --- |\n| bar | baz |\nbar\n\nbar\n",
            "<table>\n<thead>\n<tr>\n<th>abc</th>\n<th>def</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>bar</td>\n<td>baz</td>\n</tr>\n"
                + "<tr>\n<td>bar</td>\n<td></td>\n</tr>\n</tbody>\n</table>\n<p>bar</p>\n"
        ),
        (
            "| abc | def |\n| --- |\n| bar |\n",
            "<p>| abc | def |\n| --- |\n| bar |</p>\n"
        ),
        (
            "| abc | def |\n| --- | --- |\n| bar |\n| bar | baz | boo |\n",
            "<table>\n<thead>\n<tr>\n<th>abc</th>\n<th>def</th>\n</tr>\n</thead>\n<tbody>\n<tr>\n<td>bar</td>\n<td></td>\n</tr>\n"
                + "<tr>\n<td>bar</td>\n<td>baz</td>\n</tr>\n</tbody>\n</table>\n"
        ),
        (
            "| abc | def |\n| --- | --- |\n",
            "<table>\n<thead>\n<tr>\n<th>abc</th>\n<th>def</th>\n</tr>\n</thead>\n</table>\n"
        ),
    ]

    static func render(_ markdown: String, rewrite: @escaping (String) -> String? = { _ in nil }) -> String {
        MarkdownDocument(markdown, lineOffset: 0, smart: false, unsafe: false, rewriteURL: rewrite).html()
            .replacingOccurrences(of: "<div class=\"table-scroll\">", with: "").replacingOccurrences(
                of: "</table></div>", with: "</table>")
    }

    @Test("GFM spec table examples", arguments: examples.indices)
    func specExample(_ index: Int) {
        let (markdown, html) = Self.examples[index]
        #expect(Self.render(markdown) == html)
    }

    @Test func linksInCellsAreRewrittenAndTablesScroll() {
        let text =
            "| lesson | picture |\n| --- | :-: |\n| [filters](03-filters.md#kernels) | ![a digit](images/seven.png) |\n"
        let html = MarkdownDocument(text, lineOffset: 0, smart: true, unsafe: false) { url in
            BuildPlan.rewrite(url, slugs: ["03-filters.md": "filters"])
        }.html()
        #expect(html.contains("<a href=\"\(Figure.root)filters/#kernels\">filters</a>"))
        #expect(html.contains("src=\"\(Figure.root)images/seven.png\""))
        #expect(html.hasPrefix("<div class=\"table-scroll\"><table>"))
        #expect(html.contains("<td style=\"text-align: center\"><img"))
    }
}
