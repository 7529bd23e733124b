import Foundation
import Common
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
        // A figure that fails its checks keeps its label: the one mistake is reported once.
        let failed = buildErrors(
            lesson(
                "As {{fig:kernels}} and {{fig:kernels.layer}} show.\n\n```viz filters\nlayer: conv2d_9\nlabel: kernels\n```\n"
            ))
        #expect(failed.count == 1 && failed.first?.contains("'conv2d_9'") == true, "\(failed)")
        #expect(
            buildErrors(lesson("```viz filters\nlabel: \"my kernels\"\n```\n")) == [
                "Content/lessons/01-test.md:8:8: error: label 'my kernels' must be letters, digits, '-' and '_', "
                    + "starting with a letter or digit"
            ])
    }

    @Test("a value quoted from a figure's raw values is that value, in each format; code keeps the token")
    func quotedValues() throws {
        let body = """
            ---
            title: First
            ---

            Accuracy {{fig:acc.test_accuracy | 2%}}, {{ fig:acc.misclassified }} wrong, class 3 at \
            {{fig:acc.per_class_accuracy[3] | 3}}, loss {{fig:acc.test_loss}}; `{{fig:acc.test_loss}}` is code.

            ```viz model-metrics
            label: acc
            caption: Loss {{fig:acc.test_loss | 1}} on this set.
            ```

            """
        let site = FixtureSite(lessons: ["01-first.md": body], trainCount: 64, testCount: 8)
        try SiteBuilder(options: buildOptions(site)).build()
        let files = FixtureSite.tree(site.output)
        let page = String(decoding: files["first/index.html"]!, as: UTF8.self)
        #expect(htmlProblems(page) == [])
        // The raw values the figure links, read independently of the build.
        let link = try #require(page.firstMatch(of: /href="..\/(figures\/[^"]+\.json)"/)?.1)
        let data = try #require(files[String(link)])
        let raw = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let accuracy = try #require(raw["test_accuracy"] as? Double), loss = try #require(raw["test_loss"] as? Double)
        let perClass = try #require(raw["per_class_accuracy"] as? [Double])
        let wrong = try #require(raw["misclassified"] as? Int)
        let expected =
            "Accuracy \(String(format: "%.2f", accuracy * 100))%, \(wrong) wrong, class 3 at "
            + "\(String(format: "%.3f", perClass[3])), loss \(String(format: "%.3f", loss)); "
            + "<code>{{fig:acc.test_loss}}</code> is code."
        #expect(page.contains(expected))
        #expect(page.contains("Loss \(String(format: "%.1f", loss)) on this set."))
    }

    @Test("a value is written as each edition's language writes numbers")
    func quotedValuesFollowTheLanguage() throws {
        let json: JSONValue = ["m": ["mean": 1234.5678, "std": 0.25, "ci95": 0.0512], "n": 1_234_567, "t": "conv"]
        func text(_ token: String, _ language: String) throws -> String {
            try #require(try ProseValue.parse(token)).text(in: json, language: language)
        }
        #expect(try text("f.m.mean", "en") == "1,234.568")
        #expect(try text("f.m.mean | 1", "de") == "1.234,6")
        #expect(try text("f.m | ± std 2", "en") == "1,234.57 ± 0.25")
        #expect(
            try text("f.m | +- ci95 3", "fr").replacingOccurrences(of: "\u{202F}", with: " ")
                .replacingOccurrences(of: "\u{A0}", with: " ") == "1 234,568 ± 0,051")
        #expect(try text("f.m.std | 0%", "en") == "25%")
        #expect(try text("f.m.std \\| 0%", "en") == "25%")  // as a Markdown table cell writes it
        #expect(try text("f.n", "en") == "1,234,567")
        #expect(try text("f.t", "zh") == "conv")
        #expect(try ProseValue.parse("f") == nil)
        // An element of an array of objects chosen by one of its fields.
        let methods: JSONValue = [
            "methods": [
                ["method": "gradcam", "layer": 2, "scores": [["measure": "ssim", "mean": 0.25]]],
                ["method": "lrp", "layer": 3, "scores": [["measure": "ssim", "mean": 0.5]]],
            ]
        ]
        let lrp = try #require(try ProseValue.parse("t.methods[method=lrp].scores[measure=ssim].mean | 2"))
        #expect(try lrp.text(in: methods, language: "en") == "0.50")
        #expect(
            try #require(try ProseValue.parse("t.methods[layer=2].method")).text(in: methods, language: "en")
                == "gradcam")
        #expect(throws: ProseValue.Problem.self) {
            try #require(try ProseValue.parse("t.methods[method=lpr].layer")).text(in: methods, language: "en")
        }
        // Without a field: the one element with a field of that value.
        #expect(
            try #require(try ProseValue.parse("t.methods[lrp].scores[ssim].mean")).text(in: methods, language: "en")
                == "0.500")
        let twice: JSONValue = ["m": [["a": "x", "b": "y"], ["a": "y"]]]
        #expect(throws: ProseValue.Problem(message: "2 elements of 't.m' hold 'y'; name the field, as [field=y]")) {
            try #require(try ProseValue.parse("t.m[y].a")).text(in: twice, language: "en")
        }
        #expect(try #require(try ProseValue.parse("t.m[a=y].a")).text(in: twice, language: "en") == "y")
        // Negative numbers take the minus sign.
        #expect(try #require(try ProseValue.parse("t.v | 2")).text(in: ["v": -0.096], language: "en") == "−0.10")
        // …but not one that rounds to zero.
        #expect(try #require(try ProseValue.parse("t.v | 2")).text(in: ["v": -1.3e-5], language: "en") == "0.00")
        #expect(try #require(try ProseValue.parse("t.v")).text(in: ["v": -2.0], language: "en") == "−2")
    }

    @Test("a quoted value's unknown label, path, element or format is an error where it is written")
    func quotedValueErrors() {
        let figure = "```viz model-metrics\nlabel: acc\n```\n"
        #expect(
            buildErrors(lesson("Near {{fig:acc.test_acuracy}}.\n\n" + figure), buildOnly: "paths into raw values need the computed figure") == [
                "Content/lessons/01-test.md:7:6: error: figure 'acc' has no 'test_acuracy' in its raw values at "
                    + "'acc', which holds misclassified, parameters, per_class_accuracy, test_accuracy, test_loss; "
                    + "did you mean '{{fig:acc.test_accuracy}}'?"
            ])
        #expect(
            buildErrors(lesson("Past {{fig:acc.per_class_accuracy[10]}}.\n\n" + figure), buildOnly: "paths into raw values need the computed figure") == [
                "Content/lessons/01-test.md:7:6: error: 'acc.per_class_accuracy' has 10 elements; [10] is past its end"
            ])
        #expect(
            buildErrors(lesson("Chosen {{fig:acc.per_class_accuracy[class=3]}}.\n\n" + figure), buildOnly: "paths into raw values need the computed figure") == [
                "Content/lessons/01-test.md:7:8: error: no element of 'acc.per_class_accuracy' has class 3"
            ])
        #expect(
            buildErrors(lesson("Deep {{fig:acc.test_loss.mean}}.\n\n" + figure), buildOnly: "paths into raw values need the computed figure") == [
                "Content/lessons/01-test.md:7:6: error: 'acc.test_loss' is a number; it has no key 'mean'"
            ])
        #expect(
            buildErrors(lesson("As {{fig:acc.test_loss | pct}}.\n\n" + figure)) == [
                "Content/lessons/01-test.md:7:4: error: unknown format 'pct'; write a number of decimals ('3'), "
                    + "a percentage ('1%'), or a mean with its spread ('± std 3', '± ci95 3')"
            ])
        #expect(
            buildErrors(lesson("Of {{fig:ac.test_loss | 3}}.\n\n" + figure)) == [
                "Content/lessons/01-test.md:7:4: error: no figure is labelled 'ac'; the labels are acc; "
                    + "did you mean '{{fig:acc.test_loss | 3}}'?"
            ])
    }

    @Test("a shorthand in the front matter stands for a label and path; a wrong one is an error where it is given")
    func shorthands() throws {
        let body = """
            ---
            title: First
            shorthands:
              classes: acc.per_class_accuracy
            ---

            Class 3 at {{fig:classes[3] | 3}}, as {{fig:acc.per_class_accuracy[3] | 3}}.

            ```viz model-metrics
            label: acc
            caption: "Class 4: {{fig:classes[4] | 1%}}."
            ```

            """
        let site = FixtureSite(lessons: ["01-first.md": body], trainCount: 64, testCount: 8)
        try SiteBuilder(options: buildOptions(site)).build()
        let files = FixtureSite.tree(site.output)
        let page = String(decoding: files["first/index.html"]!, as: UTF8.self)
        let link = try #require(page.firstMatch(of: /href="..\/(figures\/[^"]+\.json)"/)?.1)
        let raw = try #require(try JSONSerialization.jsonObject(with: files[String(link)]!) as? [String: Any])
        let perClass = try #require(raw["per_class_accuracy"] as? [Double])
        let three = String(format: "%.3f", perClass[3])
        #expect(page.contains("Class 3 at \(three), as \(three)."))
        #expect(page.contains("Class 4: \(String(format: "%.1f", perClass[4] * 100))%."))

        let figure = "```viz model-metrics\nlabel: acc\n```\n"
        func lesson(_ shorthands: String, _ prose: String) -> String {
            "---\ntitle: T\nshorthands:\n\(shorthands)---\n\n\(prose)\n\n" + figure
        }
        #expect(
            buildErrors(lesson("  pc: ac.per_class_accuracy\n", "At {{fig:pc[3]}} and {{fig:pc[4]}}.")) == [
                "Content/lessons/01-test.md:4:3: error: shorthand 'pc' stands for 'ac.per_class_accuracy', but no "
                    + "figure is labelled 'ac'; the labels are acc; did you mean 'acc.per_class_accuracy'?"
            ])
        #expect(
            buildErrors(lesson("  acc: acc.per_class_accuracy\n", "At {{fig:acc[3]}}.")) == [
                "Content/lessons/01-test.md:4:3: error: shorthand 'acc' is also a figure's label; give it another name"
            ])
        #expect(
            buildErrors(lesson("  pc: acc.per_class_accuracy | 3\n", "At {{fig:pc[3]}}.")) == [
                "Content/lessons/01-test.md:4:7: error: a shorthand stands for a figure's label and a path into its "
                    + "raw values, without a format, as in 'sanity.methods[vanilla].similarities'"
            ])
        // A path past the shorthand's end is checked like any other.
        #expect(
            buildErrors(lesson("  pc: acc.per_class_accuracy\n", "At {{fig:pc[12]}}."), buildOnly: "paths into raw values need the computed figure") == [
                "Content/lessons/01-test.md:7:4: error: 'acc.per_class_accuracy' has 10 elements; [12] is past its end"
            ])
    }
}
