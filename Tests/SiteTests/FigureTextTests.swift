import Common
import Explain
import Foundation
import Render
import Testing
import TestSupport
@testable import Site

/// Words inside figures: tokens in the computed figure, each edition's words on its pages.
@Suite("Figure words")
struct FigureTextTests {
    static let chinese = InterfaceStrings(
        InterfaceStrings.english.merging([
            "figure.colormap": "色图 {name}", "figure.method": "方法 {name}", "figure.method_vanilla": "梯度",
            "figure.panel_input": "输入 & <原图>",
        ]) { $1 })

    @Test("a chart measures a token name by its words, so a long method title gets a legend row of its own")
    func legendMeasuresWords() throws {
        let blurred = ConfiguredMethod(
            entry: try #require(MethodCatalogue.named("integrated-gradients+blur")), settings: MethodSettings(),
            layer: nil)
        let words = "Integrated Gradients, blurred 3×3"
        #expect(FigureText.resolve(blurred.title, InterfaceStrings()) == words)
        // The token itself is far longer than its words, and would be measured wrongly.
        #expect(blurred.title.count > words.count + 20)
        #expect(FigureText.drawnWidth(blurred.title) == SVG.estimatedWidth(words, size: 12))
        // A catalogue name with '+' of its own keeps its title, alone or modified.
        for (name, words) in [("gradcam++", "Grad-CAM++"), ("gradcam+++abs", "Grad-CAM++, absolute")] {
            let method = ConfiguredMethod(
                entry: try #require(MethodCatalogue.named(name)), settings: MethodSettings(), layer: nil)
            #expect(FigureText.resolve(method.title, InterfaceStrings()) == words)
        }
    }

    @Test("a token becomes the edition's words, its values filled in once and left as they were escaped")
    func resolve() {
        let note = HTML.escape(FigureText.t("colormap", ["name": "a<b {name}"]))
        #expect(FigureText.resolve(note, Self.chinese) == "色图 a&lt;b {name}")
        #expect(FigureText.resolve(note, InterfaceStrings()) == "colormap a&lt;b {name}")
        // The words are escaped; a value that is a token is resolved first.
        #expect(
            FigureText.resolve("<th>\(FigureText.t("panel_input"))</th>", Self.chinese)
                == "<th>输入 &amp; &lt;原图&gt;</th>")
        let nested = FigureText.t("method", ["name": FigureText.methodTitles["vanilla"]!])
        #expect(FigureText.resolve(nested, Self.chinese) == "方法 梯度")
        #expect(FigureText.resolve(nested, InterfaceStrings()) == "method Gradient")
        // Text without tokens is returned as it is; a placeholder with no value stays.
        #expect(FigureText.resolve("plain {x}", Self.chinese) == "plain {x}")
        #expect(FigureText.resolve(FigureText.t("colormap"), InterfaceStrings()) == "colormap {name}")
    }

    @Test("a figure's words, notes and links are the page's edition's; its file for download is English")
    func figureHTML() {
        let figure = Figure(
            kind: "saliency", body: "<th>\(FigureText.t("panel_input"))</th>", caption: "c",
            notes: [FigureText.t("colormap", ["name": "viridis"])],
            files: [], links: [FigureLink(label: FigureText.t("raw_values"), path: "figures/x.json")], thumbnail: nil)
        let zh = figure.html(number: FigureNumber(number: 1), root: "../", strings: Self.chinese)
        #expect(zh.contains("<th>输入 &amp; &lt;原图&gt;</th>") && zh.contains("<span>色图 viridis</span>"))
        let en = figure.html(number: FigureNumber(number: 1), root: "../")
        #expect(en.contains("<th>input</th>") && en.contains(">raw values (JSON)</a>"))
        #expect(!zh.contains(FigureText.open) && !en.contains(FigureText.open))
    }

    @Test("every key the code uses has English words, and the Chinese strings give every figure and script key")
    func keysCovered() throws {
        let folder = PackagePaths.path("Sources/Site")
        var used: Set<String> = []
        for case let path as String in FileManager.default.enumerator(atPath: folder)! where path.hasSuffix(".swift") {
            used.formUnion(FigureText.keys(inSource: try String(contentsOfFile: "\(folder)/\(path)", encoding: .utf8)))
        }
        #expect(used.count > 150)
        #expect(used.filter { InterfaceStrings.english["figure.\($0)"] == nil }.sorted() == [])
        // Every English figure word is used somewhere (none left behind by a change).
        let figureKeys = Set(FigureText.english.keys.map { String($0.dropFirst("figure.".count)) })
        #expect(figureKeys.subtracting(used).sorted() == [])

        let zh = try InterfaceStrings.parse(
            String(contentsOfFile: PackagePaths.path("Theme/strings/zh-Hans.yml"), encoding: .utf8), file: "zh-Hans.yml"
        )
        let missing = InterfaceStrings.english.keys.filter { zh.values[$0] == InterfaceStrings.english[$0] }
            .filter { $0.hasPrefix("figure.") || $0.hasPrefix("script.") }
        // Names and symbols that read the same in both languages.
        #expect(Set(missing) == ["figure.alt_sample"])
        // Each translation keeps its English placeholders.
        for (key, english) in InterfaceStrings.english where key.hasPrefix("figure.") || key.hasPrefix("script.") {
            let names = { (text: String) in Set(text.matches(of: /\{(\w+)\}/).map { String($0.1) }) }
            #expect(names(zh[key]) == names(english), "\(key)")
        }
    }

    @Test("the page scripts read their sentences from the page, escaped for HTML when asked")
    func scriptStrings() throws {
        let json = ScriptStrings.json(
            InterfaceStrings(InterfaceStrings.english.merging(["script.pg_draw": "写 </script>"]) { $1 }))
        #expect(!json.contains("</") && !json.contains("<"))
        let script = """
            const fs = require('fs');
            const document = { getElementById: () => ({ textContent: process.argv[2] }) };
            eval(fs.readFileSync(process.argv[1], 'utf8').split('// What a search query')[0]);
            process.stdout.write(JSON.stringify([
              vizsiteText('pg_draw'), vizsiteText('fd_head', { layer: '<b>c</b>', k: 1, row: 2, column: 3, value: 4 }, true),
              vizsiteText('no_such_key')]));
            """
        let result = try runProgram("node", ["-e", script, PackagePaths.path("Theme/assets/site.js"), json])
        let out = try JSONDecoder().decode([String].self, from: Data(result.stdout.utf8))
        #expect(out == ["写 </script>", "<b>c</b>, channel 1, row 2, column 3: 4", "no_such_key"])
    }

    @Test("the directive reference's translation gives every text it shows, and a stale text is an error at its line")
    func referenceTranslation() throws {
        let file = PackagePaths.path("Theme/strings/reference/zh-Hans.yml")
        let zh = try ReferenceTranslation.parse(String(contentsOfFile: file, encoding: .utf8), file: file)
        #expect(Set(zh.texts.keys) == ReferenceTranslation.englishTexts)
        #expect(zh["The layer whose kernels are shown."] == "显示哪一层的卷积核。")
        #expect(zh["not in the file"] == "not in the file")
        let stale = "\"The layer whose kernels are shown.\": 卷积核\n\"The layer whose kernel are shown.\": 旧的\n"
        #expect {
            _ = try ReferenceTranslation.parse(stale, file: "zh.yml")
        } throws: { error in
            let error = error as! SourceError
            return error.location.line == 2 && error.suggestion == "The layer whose kernels are shown."
                && error.message.contains("out of date")
        }
    }
}
