import Foundation
import Testing
import TestSupport
@testable import Site

/// `label:` on a figure and `{{fig:label}}` in prose: links "Figure N" to the figure, in
/// the same lesson or another, and errors where the author can fix them.
@Suite("Figure references")
struct FigureReferenceTests {
    @Test("a reference links to its figure by number, on its page or another; code keeps the text")
    func referencesLink() throws {
        let first = """
            ---
            title: First
            ---

            As {{fig:kernels}} shows, and {{ fig:maps }} too; `{{fig:kernels}}` is code.

            ```viz filters
            layer: conv2d_1
            ```

            ```viz feature-maps
            layer: conv2d_1
            label: maps
            ```

            ```viz filters
            layer: conv2d_2
            label: kernels
            ```

            """
        let second = "---\ntitle: Second\n---\n\nBack to {{fig:maps}}.\n"
        let site = FixtureSite(lessons: ["01-first.md": first, "02-second.md": second], trainCount: 64, testCount: 8)
        try SiteBuilder(options: buildOptions(site)).build()
        let files = FixtureSite.tree(site.output)
        let one = String(decoding: files["first/index.html"]!, as: UTF8.self)
        let two = String(decoding: files["second/index.html"]!, as: UTF8.self)
        #expect(htmlProblems(one) == [] && htmlProblems(two) == [])
        #expect(one.contains("As <a class=\"fig-ref\" href=\"#fig-kernels\">Figure 3</a> shows"))
        #expect(one.contains("and <a class=\"fig-ref\" href=\"#fig-maps\">Figure 2</a> too"))
        #expect(one.contains("<code>{{fig:kernels}}</code>"))
        // Labelled figures take their label's id; the others keep their number's.
        #expect(
            one.contains("id=\"figure-1\"") && one.contains("id=\"fig-maps\"") && one.contains("id=\"fig-kernels\""))
        #expect(!one.contains("id=\"figure-2\""))
        #expect(two.contains("Back to <a class=\"fig-ref\" href=\"../first/#fig-maps\" title=\"First\">Figure 2</a>."))
    }

    @Test("an unknown, repeated or malformed label is an error where it is written")
    func labelErrors() {
        let figure = "```viz filters\nlayer: conv2d_1\nlabel: kernels\n```\n"
        #expect(
            buildErrors(lesson("See {{fig:kernel}}.\n\n" + figure)) == [
                "Content/lessons/01-test.md:7:5: error: no figure is labelled 'kernel'; the labels are kernels; "
                    + "did you mean '{{fig:kernels}}'?"
            ])
        #expect(
            buildErrors(lesson(figure + "\n" + figure)) == [
                "Content/lessons/01-test.md:14:8: error: label 'kernels' is already given to a figure at "
                    + "Content/lessons/01-test.md:9"
            ])
        // A caption's references are checked too, at their place in the caption.
        #expect(
            buildErrors(lesson(figure + "\n```viz filters\nlayer: conv2d_1\ncaption: Unlike {{fig:kernle}}.\n```\n"))
                == [
                    "Content/lessons/01-test.md:14:17: error: no figure is labelled 'kernle'; the labels are kernels; "
                        + "did you mean '{{fig:kernels}}'?"
                ])
        #expect(
            buildErrors(lesson("```viz filters\nlabel: \"my kernels\"\n```\n")) == [
                "Content/lessons/01-test.md:8:8: error: label 'my kernels' must be letters, digits, '-' and '_', "
                    + "starting with a letter or digit"
            ])
    }
}
