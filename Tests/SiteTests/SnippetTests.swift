import Common
import Foundation
import Testing
import TestSupport
@testable import Site

/// The lessons' Python boxes: files beside the lessons, included by `--8<--` lines, worded by
/// each edition's snippets.yml, and stating what make check-snippets found when it ran them.
@Suite("Snippets")
struct SnippetTests {
    static let file = """
        import torch
        model = load()  # hidden setup
        # --8<-- [start:box]
        if True:
            grad = saliency(model, "test[0]")   # the signed gradient
            # see "#3" below
        # --8<-- [end:box]
        agree("the maps", grad, vizsite)

        """

    @Test("comments and one-line strings are found, a # inside a string is not a comment")
    func words() {
        let source =
            "x = f(\"a # b\", 'c')  # d e\n\"\"\"doc # no\"\"\"\n#plain\ny = 'it\\'s'\n\"\"\"two\nlines\"\"\"\n"
        let words = SnippetTranslation.words(of: source).map { (String(source[$0.range]), $0.kind, $0.line) }
        #expect(words.map(\.0) == ["a # b", "c", "d e", "doc # no", "plain", "it\\'s"])
        #expect(words.map(\.1) == [.string, .string, .comment, .string, .comment, .string])
        #expect(words.map(\.2) == [0, 0, 0, 1, 2, 3])
    }

    @Test("a translation replaces comments and strings it lists and reports the comments it lacks")
    func translation() throws {
        let translation = try SnippetTranslation(
            "the signed gradient: 有符号的梯度\nthe maps: 这些图\n", file: "s.yml")
        let (text, untranslated, used) = translation.apply(to: Self.file)
        #expect(text.contains("grad = saliency(model, \"test[0]\")   # 有符号的梯度\n"))
        #expect(text.contains("agree(\"这些图\", grad, vizsite)"))
        #expect(text.contains("# --8<-- [start:box]"), "markers are not words to translate")
        #expect(untranslated.map(\.comment) == ["hidden setup", "see \"#3\" below"])
        #expect(untranslated.map(\.line) == [1, 5])
        #expect(used == ["the signed gradient", "the maps"])
    }

    @Test("a section is shown without its markers and its common indentation")
    func sections() throws {
        let source = try SnippetSource(Self.file, file: "f.py")
        #expect(source.sections == ["box": 3..<6])
        #expect(
            source.shown(try #require(source.range(of: "box")))
                == "if True:\n    grad = saliency(model, \"test[0]\")   # the signed gradient\n    # see \"#3\" below")
        #expect(source.range(of: "other") == nil)
        #expect(source.range(of: nil) == 0..<9)
        func error(_ text: String) -> String? {
            do {
                _ = try SnippetSource(text, file: "f.py")
                return nil
            } catch { return error.description }
        }
        #expect(
            error("# --8<-- [start:a]\nx\n") == "f.py:1:1: error: section 'a' is never ended; add '# --8<-- [end:a]'")
        #expect(error("x\n# --8<-- [end:a]\n") == "f.py:2:1: error: section 'a' ends here but was not started")
        #expect(
            error("# --8<-- [start:a]\n# --8<-- [end:a]\n# --8<-- [start:a]\n# --8<-- [end:a]\n")
                == "f.py:3:1: error: section 'a' is opened a second time")
        #expect(
            error("# --8<-- start:a\n") == "f.py:1:1: error: expected '# --8<-- [start:name]' or '# --8<-- [end:name]'")
    }

    @Test("a note ends in the template's full stop, in either script")
    func noteFullStop() {
        let run = SnippetChecks.Run(
            file: "a.py", language: "zh-Hans", sha256: "", environment: "torch 2.15.0", agreements: [],
            note: "不与图对照。")
        let strings = InterfaceStrings(
            InterfaceStrings.english.merging(["snippet_checked": "用 {environment} 运行过：{results}。"]) { $1 })
        #expect(
            SnippetBox.html(PlannedSnippet(language: "python", code: "x = 1", runs: [run]), strings: strings)
                .contains("<p class=\"snippet-check\">用 torch 2.15.0 运行过：不与图对照。</p>"))
    }

    @Test("differences read as powers of ten with one significant digit")
    func differences() {
        #expect(SnippetBox.difference(3.14e-7) == "3 × 10⁻⁷")
        #expect(SnippetBox.difference(1.04e-5) == "10⁻⁵")
        #expect(SnippetBox.difference(9.6e-4) == "10⁻³")
        #expect(SnippetBox.difference(0.0123) == "0.01")
        #expect(SnippetBox.difference(0.26) == "0.3")
        #expect(SnippetBox.difference(0) == "0")
    }

    static let siteYAML = """
        title: Fixture site
        description: A test site.
        model: models/tiny.yml
        languages:
          - en
          - zh-Hans

        """

    static func lesson(_ title: String) -> String {
        "---\ntitle: \(title)\n---\n\nCode:\n\n```python\n--8<-- \"01-test/saliency.py:box\"\n```\n"
    }

    /// A two-edition site whose lesson shows `01-test/saliency.py`'s box; `records` is the
    /// check's JSON; returns the warnings and the two pages.
    func build(
        translations: String, lesson: String = SnippetTests.lesson("Test"), records: (String) -> String
    ) throws -> ([String], String, String) {
        let site = FixtureSite(
            lessons: ["01-test.md": lesson, "zh-Hans/01-test.md": Self.lesson("测试")],
            siteYAML: Self.siteYAML, trainCount: 64, testCount: 8)
        site.directory.write("Content/lessons/01-test/saliency.py", Self.file)
        site.directory.write("Content/lessons/zh-Hans/snippets.yml", translations)
        site.directory.write(
            "Content/lessons/checked-snippets.json", records(SHA256.hash(Array(Self.file.utf8))))
        let report = try SiteBuilder(options: buildOptions(site)).build()
        let page = { (path: String) in
            String(decoding: FileManager.default.contents(atPath: site.output + "/" + path) ?? Data(), as: UTF8.self)
        }
        return (
            report.warnings.map { $0.description.replacingOccurrences(of: site.content, with: "Content") },
            page("test/index.html"), page("zh-Hans/test/index.html")
        )
    }

    @Test("a box shows its section and what its run found; a wording not run and an untranslated comment warn")
    func boxes() throws {
        let run = """
            {"runs": [{"file": "01-test/saliency.py", "language": "en", "sha256": "%@",
              "environment": "captum 0.9.0, torch 2.15.0",
              "agreements": [{"what": "the maps", "max_difference": 3.1e-7}], "note": "SmoothGrad is random."}]}
            """
        let (warnings, en, zh) = try build(translations: "the signed gradient: 有符号的梯度\nstale: 旧\n") {
            String(format: run, $0)
        }
        #expect(
            en.contains(
                "<div class=\"snippet\"><pre><code class=\"language-python\">if True:\n    grad = saliency(model, "
                    + "&quot;test[0]&quot;)   # the signed gradient\n    # see &quot;#3&quot; below\n</code></pre>"
                    + "<p class=\"snippet-check\">Run by <code>make check-snippets</code> with captum 0.9.0, "
                    + "torch 2.15.0: the maps, within 3 × 10⁻⁷ of vizsite’s; SmoothGrad is random.</p></div>"))
        #expect(!en.contains("hidden setup") && !en.contains("--8&lt;--"))
        #expect(zh.contains("# 有符号的梯度"))
        #expect(zh.contains("这段代码改动后还没有用 <code>make check-snippets</code> 运行过。"))
        #expect(
            warnings == [
                "Content/lessons/zh-Hans/01-test.md:8:1: warning: the comment 'see \"#3\" below' "
                    + "(01-test/saliency.py:6) has no translation in Content/lessons/zh-Hans/snippets.yml; the box "
                    + "shows it as it is",
                "Content/lessons/zh-Hans/01-test.md:8:1: warning: 01-test/saliency.py has not been run by make "
                    + "check-snippets as this edition words it; run make check-snippets, so the box says what it "
                    + "computes",
                "Content/lessons/zh-Hans/snippets.yml:2:1: warning: no box shows 'stale' any longer; remove its "
                    + "translation",
            ])
    }

    @Test("a file changed since its run is a warning, and its box says it was not run")
    func changedSinceItsRun() throws {
        let (warnings, en, _) = try build(translations: "") { _ in
            "{\"runs\": [{\"file\": \"01-test/saliency.py\", \"language\": \"en\", \"sha256\": \"0\", "
                + "\"environment\": \"torch 2.15.0\", \"agreements\": [], \"note\": \"x\"}]}"
        }
        #expect(en.contains("Not yet run by <code>make check-snippets</code> as shown here."))
        #expect(
            warnings.contains(
                "Content/lessons/01-test.md:8:1: warning: 01-test/saliency.py has not been run by make check-snippets "
                    + "as it is now; run make check-snippets, so the box says what it computes"))
    }

    @Test("a box showing two parts of one file states that file's run once")
    func twoSectionsOfOneFile() throws {
        let lesson = "---\ntitle: T\n---\n\n```python\n--8<-- \"01-test/saliency.py:box\"\n"
            + "--8<-- \"01-test/saliency.py\"\n```\n"
        let (warnings, en, _) = try build(translations: "", lesson: lesson) { _ in "{\"runs\": []}" }
        #expect(en.components(separatedBy: "Not yet run by").count == 2)
        #expect(en.contains("# see &quot;#3&quot; below\n\nimport torch\n"), "the parts joined by a blank line")
        #expect(warnings.filter { $0.hasPrefix("Content/lessons/01-test.md") }.count == 1)
    }

    @Test("Python written in a lesson is a warning at its fence; other code is not")
    func inlinePython() throws {
        let site = FixtureSite(
            lessons: ["01-test.md": "---\ntitle: T\n---\n\n```python\nprint(1)\n```\n\n```text\nprint(1)\n```\n"],
            trainCount: 64, testCount: 8)
        var options = buildOptions(site)
        options.checkOnly = true
        #expect(
            try SiteBuilder(options: options).build().warnings.map {
                $0.description.replacingOccurrences(of: site.content, with: "Content")
            } == [
                "Content/lessons/01-test.md:5:1: warning: Python written in the lesson is run by nothing: put it in "
                    + "a file beside the lessons and show it with --8<-- \"01-test/name.py\", so make check-snippets "
                    + "runs it"
            ])
    }

    @Test("mistakes in an include are positioned errors, from check as from build")
    func includeErrors() {
        let files = ["Content/lessons/01-test/saliency.py": Self.file]
        func errors(_ block: String) -> [String] {
            let text = "---\ntitle: T\n---\n\n```python\n\(block)\n```\n"
            let built = buildErrors(text, files: files)
            #expect(buildErrors(text, files: files, checkOnly: true) == built, "check reports what build does")
            return built
        }
        #expect(
            errors("--8<-- \"01-test/saliency.py:bx\"") == [
                "Content/lessons/01-test.md:6:1: error: 01-test/saliency.py has no section 'bx'; its sections: box; "
                    + "did you mean 'box'?"
            ])
        #expect(
            errors("--8<-- \"01-test/missing.py\"") == [
                "Content/lessons/01-test.md:6:1: error: no snippet file Content/lessons/01-test/missing.py"
            ])
        #expect(
            errors("--8<-- \"../../etc/passwd\"") == [
                "Content/lessons/01-test.md:6:1: error: path 'lessons/../../etc/passwd' leaves the content folder "
                    + "Content/"
            ])
        #expect(
            errors("--8<-- \"01-test/saliency.py\"\nprint(1)") == [
                "Content/lessons/01-test.md:7:1: error: a code block that includes a snippet holds only lines such as "
                    + "--8<-- \"06-saliency/captum.py:box\"; write this code in the file"
            ])
        #expect(
            errors("--8<-- 01-test/saliency.py") == [
                "Content/lessons/01-test.md:6:1: error: expected a quoted path after --8<--, such as "
                    + "--8<-- \"06-saliency/captum.py:box\""
            ])
    }
}
