import Common
import Foundation
import Testing
import TestSupport
@testable import Site

/// Several languages in one site: `languages` in site.yml, translations in
/// `lessons/<language>/`, each edition's pages, strings, search index and links.
@Suite("Editions")
struct EditionTests {
    static let siteYAML = """
        title: Fixture site
        description: A test site.
        model: models/tiny.yml
        base_url: https://example.org/cnn/
        languages:
          - en
          - code: zh-Hans
            title: 测试站点
            description: 一个测试站点。

        """

    static let first = """
        ---
        title: First
        summary: The first lesson.
        ---

        It reaches {{test_accuracy}} on {{test_images}} digits; see {{fig:kernels}} and
        [the part](02-second.md#the-part).

        ```viz filters
        layer: conv2d_1
        label: kernels
        ```

        ```viz confusion-matrix
        ```

        """

    static let firstInChinese = """
        ---
        title: 第一课
        summary: 第一课的摘要。
        ---

        准确率为 {{test_accuracy}}，
        见 {{fig:kernels}}和[那一节](02-second.md#the-part)。

        ```viz filters
        layer: conv2d_1
        label: kernels
        caption: 第一层的卷积核。
        ```

        ```viz confusion-matrix
        alt: 混淆矩阵
        ```

        """

    static let second = "---\ntitle: Second\n---\n\n## The part\n\nText.\n"
    static let glossary = "---\ntitle: 术语表\norder: 50\nnumbered: false\n---\n\n## 卷积层 {#convolution}\n\n卷积层……\n"

    @Test("each edition has its pages, language, strings, links both ways, search index; figures are computed once")
    func twoEditions() throws {
        let site = FixtureSite(
            lessons: [
                "01-first.md": Self.first, "02-second.md": Self.second,
                "zh-Hans/01-first.md": Self.firstInChinese, "zh-Hans/03-glossary.md": Self.glossary,
            ], siteYAML: Self.siteYAML, trainCount: 64, testCount: 8)
        let report = try SiteBuilder(options: buildOptions(site)).build()
        // Filters, confusion matrix and values of both editions are the same three computations.
        #expect(report.figures.count == 6 && report.misses == 3)
        let files = FixtureSite.tree(site.output)
        func page(_ path: String) throws -> String {
            String(decoding: try #require(files[path], "\(path)"), as: UTF8.self)
        }
        for path in files.keys where path.hasSuffix(".html") { #expect(htmlProblems(try page(path)) == [], "\(path)") }
        #expect(files["glossary/index.html"] == nil)

        let en = try page("first/index.html"), zh = try page("zh-Hans/first/index.html")
        let stand = try page("zh-Hans/second/index.html"), glossary = try page("zh-Hans/glossary/index.html")
        #expect(en.contains("<html lang=\"en\">") && zh.contains("<html lang=\"zh-Hans\">"))

        // hreflang both ways, absolute under base_url, with x-default.
        for html in [en, zh] {
            #expect(html.contains("<link rel=\"alternate\" hreflang=\"en\" href=\"https://example.org/cnn/first/\">"))
            #expect(html.contains("hreflang=\"zh-Hans\" href=\"https://example.org/cnn/zh-Hans/first/\">"))
            #expect(
                html.contains("<link rel=\"alternate\" hreflang=\"x-default\" href=\"https://example.org/cnn/first/\">")
            )
        }
        // The language switcher keeps the lesson.
        #expect(zh.contains("<a href=\"../../first/\" hreflang=\"en\" lang=\"en\">English</a>"))
        #expect(en.contains("<a href=\"../zh-Hans/first/\" hreflang=\"zh-Hans\" lang=\"zh-Hans\">简体中文</a>"))
        #expect(en.contains("hreflang=\"en\" lang=\"en\" aria-current=\"true\">English</a>"))

        // The edition's words, caption and alt text around the same figure files.
        #expect(zh.contains("<p class=\"kicker\" lang=\"zh-Hans\">第 1 课</p>"))
        #expect(zh.contains("<span class=\"viz-number\">图 1</span> 第一层的卷积核。"))
        #expect(zh.contains("<svg role=\"img\" aria-label=\"混淆矩阵\""))
        #expect(en.contains("<svg role=\"img\" aria-label=\"confusion matrix heatmap\""))
        #expect(!en.contains("混淆矩阵") && en.contains("<span class=\"viz-number\">Figure 1.</span>"))
        // Words inside the figures follow the edition; the files for download are English.
        #expect(zh.contains(">真实标签</text>") && zh.contains("<span>色图 viridis，对数刻度</span>"))
        #expect(zh.contains(">原始数值（JSON）</a>") && zh.contains(">权重</text>"))
        #expect(en.contains(">true label</text>") && en.contains("<span>colormap viridis, log scale</span>"))
        for (path, data) in files {
            #expect(!String(decoding: data, as: UTF8.self).contains(FigureText.open), "\(path)")
        }
        let matrixFile = try #require(
            files.keys.first { $0.hasPrefix("figures/confusion-matrix-") && $0.hasSuffix(".svg") })
        #expect(try page(matrixFile).contains(">true label</text>"))
        let enFigures = Set(en.matches(of: /"\.\.\/(figures\/[^"]+\.png)"/).map { String($0.1) })
        let zhFigures = Set(zh.matches(of: /"\.\.\/\.\.\/(figures\/[^"]+\.png)"/).map { String($0.1) })
        #expect(!enFigures.isEmpty && enFigures == zhFigures)
        // A line break between Han characters is no space; links stay in the edition.
        #expect(
            zh.matches(
                of:
                    /准确率为 [0-9.]+%，见 <a class="fig-ref" href="#fig-kernels">图 1<\/a>和<a href="..\/..\/zh-Hans\/second\/#the-part">那一节<\/a>。/
            ).count == 1)
        #expect(zh.contains("<a class=\"brand\" href=\"../../zh-Hans/\">测试站点</a>"))

        // A missing translation: the default edition's lesson, marked, in the edition's frame.
        #expect(stand.contains("<html lang=\"zh-Hans\">") && stand.contains("本课还没有中文版，下面是英文原文。"))
        #expect(stand.contains("<article class=\"lesson with-toc\" lang=\"en\">") && stand.contains("<h1>Second</h1>"))
        #expect(stand.contains("<link rel=\"canonical\" href=\"https://example.org/cnn/second/\">"))
        #expect(!stand.contains("hreflang=\"zh-Hans\" href=\"https://"))
        // A lesson only one edition has: in its navigation, no alternates.
        #expect(glossary.contains("<h2 id=\"convolution\">卷积层</h2>") && !glossary.contains("rel=\"alternate\""))
        // An unnumbered lesson (an appendix): no number in the navigation, "Appendix" as its kicker.
        #expect(zh.contains("<span class=\"nav-number\"></span><span>术语表</span>"))
        #expect(glossary.contains("<p class=\"kicker\" lang=\"zh-Hans\">附录</p>"))
        #expect(!en.contains("术语表"))

        // Each edition's home page and search index.
        let home = try page("zh-Hans/index.html")
        #expect(home.contains("<h1>测试站点</h1>") && home.contains(">从第 1 课开始：第一课 →</a>"))
        // Card pictures are shared figures, one folder up from the edition's home.
        #expect(home.contains("<img src=\"../figures/") && !home.contains("<img src=\"figures/"))
        #expect(
            try page("index.html").contains(
                "<link rel=\"alternate\" hreflang=\"en\" href=\"https://example.org/cnn/\">"))
        let indexes = files.keys.filter { $0.hasPrefix("assets/search-index.") }
        #expect(indexes.count == 2)
        let zhIndex = try #require(indexes.first { zh.contains($0) })
        #expect(!en.contains(zhIndex))
        let zhSearch = try page(zhIndex)
        #expect(
            zhSearch.contains("第一课") && zhSearch.contains("zh-Hans\\/glossary\\/")
                && zhSearch.contains("zh-Hans\\/second\\/"))

        // The directive reference in the edition's words, linked from its pages, in its search index.
        let zhReference = try page("zh-Hans/reference/index.html")
        #expect(zhReference.contains("<html lang=\"zh-Hans\">") && zhReference.contains("<h1>指令</h1>"))
        #expect(zhReference.contains("<td>显示哪一层的卷积核。</td>") && zhReference.contains("<th scope=\"col\">含义</th>"))
        #expect(zhReference.contains("hreflang=\"en\" href=\"https://example.org/cnn/reference/\">"))
        #expect(zh.contains("<a href=\"../../zh-Hans/reference/\">指令参考</a>"))
        #expect(en.contains("<a href=\"../reference/\">Directive reference</a>"))
        #expect(try page("reference/index.html").contains("<td>The layer whose kernels are shown.</td>"))
        #expect(zhSearch.contains("zh-Hans\\/reference\\/") && zhSearch.contains("指令参考"))

        // The sitemap lists each edition's own pages, not the stand-ins.
        let sitemap = try page("sitemap.xml")
        for path in [
            "", "first/", "second/", "reference/", "zh-Hans/", "zh-Hans/first/", "zh-Hans/glossary/",
            "zh-Hans/reference/",
        ] {
            #expect(sitemap.contains("<loc>https://example.org/cnn/\(path)</loc>"), "\(path)")
        }
        #expect(!sitemap.contains("zh-Hans/second/"))
    }

    @Test("errors name the translation's file; stray folders and bad languages are errors")
    func errors() {
        let yaml = FixtureSite.siteYAML + "languages: [en, zh-Hans]\n"
        #expect(
            buildErrors(
                lesson("```viz filters\nlayer: conv2d_1\n```\n"), siteYAML: yaml,
                extra: [
                    "zh-Hans/01-test.md":
                        "---\ntitle: 测试\n---\n\n见 {{fig:nowhere}}。\n\n```viz filters\nlayer: conv9\n```\n"
                ]
            ) == [
                "Content/lessons/zh-Hans/01-test.md:8:8: error: models/tiny.yml has no convolution layer 'conv9'; "
                    + "expected one of conv2d_1, conv2d_2",
                "Content/lessons/zh-Hans/01-test.md:5:3: error: no figure is labelled 'nowhere'; give one a label: option",
            ])
        #expect(
            buildErrors(lesson("Text.\n"), extra: ["fr/01-test.md": "---\ntitle: Essai\n---\n"]) == [
                "Content/lessons/fr: error: Content/lessons/fr/ holds lessons for 'fr', which is not among site.yml's "
                    + "languages (en); add it there"
            ])
        #expect(
            buildErrors(lesson("Text.\n"), siteYAML: FixtureSite.siteYAML + "languages: [en, en]\n") == [
                "Content/site.yml:5:17: error: language 'en' is listed twice"
            ])
        #expect(
            buildErrors(
                lesson("Text.\n"), siteYAML: FixtureSite.siteYAML + "language: de\nlanguages: [en, 'zh Hans']\n")
                == ["Content/site.yml:6:17: error: 'zh Hans' is not a language tag such as en, zh-Hans or pt-BR"])
        #expect(
            buildErrors(lesson("Text.\n"), siteYAML: FixtureSite.siteYAML + "language: de\nlanguages: [en, zh-Hans]\n")
                == [
                    "Content/site.yml:5:11: error: language 'de' (the default edition) must be one of languages: en, "
                        + "zh-Hans"
                ])
    }

    @Test("numbers in prose follow the edition's locale")
    func localeNumbers() {
        let en = LocaleNumber(language: "en"), zh = LocaleNumber(language: "zh-Hans")
        let de = LocaleNumber(language: "de")
        #expect(en.format(98.514, decimals: 2, percent: true) == "98.51%")
        #expect(en.format(1_199_882, decimals: 0) == "1,199,882")
        #expect(zh.format(98.514, decimals: 2, percent: true) == "98.51%")
        #expect(zh.format(10_000, decimals: 0) == "10,000")
        #expect(de.format(98.514, decimals: 2, percent: true) == "98,51\u{A0}%")
        #expect(de.format(1_199_882, decimals: 0) == "1.199.882")
        #expect(de.format(0.03125, decimals: 4) == "0,0313" || de.format(0.03125, decimals: 4) == "0,0312")
        #expect(en.format(2024, decimals: 0, grouped: false) == "2024")
        #expect(en.format(-1234.5, decimals: 1) == "-1,234.5")
        #expect(
            QuotedValue.number(98.514, decimals: 2, percent: true).formatted(language: "de") == "98,51\u{A0}%"
                && QuotedValue(text: "tiny-cnn").formatted(language: "de") == "tiny-cnn")
    }

    @Test("search splits Han text into overlapping pairs and matches most of them")
    func searchHan() throws {
        let script = """
            const s = require(process.argv[1]);
            const page = {title: "类激活图", headings: [{text: "热力图的分析", id: "h"}], text: "类激活图是一种热力图。卷积层"};
            const english = {title: "Class activation maps", headings: [], text: "grad-cam heatmaps"};
            console.log(JSON.stringify({
              groups: s.groups("Grad-CAM 类激活热力图 图，"),
              phrase: s.score(page, s.groups("类激活热力图")).score > 0,
              reordered: s.score(page, s.groups("热力图 类激活")).score > 0,
              absent: s.score(page, s.groups("显著图")).score,
              anchor: s.score(page, s.groups("分析")).anchor,
              latin: s.score(english, s.groups("heatmaps grad-cam")).score > 0,
              latinMissing: s.score(english, s.groups("heatmaps saliency")).score
            }));
            """
        let result = try runProgram("node", ["-e", script, PackagePaths.path("Theme/assets/site.js")])
        #expect(result.status == 0, "\(result.stderr)")
        let check = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let groups = try #require(check["groups"] as? [[String: Any]])
        #expect(
            groups.map { $0["pieces"] as? [String] ?? [] } == [["grad-cam"], ["类激", "激活", "活热", "热力", "力图"], ["图"]])
        #expect(groups.map { $0["need"] as? Int } == [1, 3, 1])
        #expect(check["phrase"] as? Bool == true && check["reordered"] as? Bool == true)
        #expect(check["absent"] as? Int == 0 && check["anchor"] as? String == "#h")
        #expect(check["latin"] as? Bool == true && check["latinMissing"] as? Int == 0)
    }

    @Test("search: the query in a title ranks first; synonyms let 热图 and English terms find the lessons' words")
    func searchSynonymsAndTitles() throws {
        let script = """
            const s = require(process.argv[1]);
            const syn = s.synonyms("热图=热力图; saliency=显著图; saliency map=显著图; bad pair; =x");
            const title = {title: "类激活热力图", headings: [], text: "热力图"};
            const busy = {title: "显著图", headings: [{text: "热力图", id: "h"}], text: "热力图 ".repeat(30) + "显著图"};
            const rank = (q) => [title, busy].map(p => s.score(p, s.groups(q, syn), q, syn).score);
            console.log(JSON.stringify({
              synonyms: Object.keys(syn), heat: rank("热力图"), shortHeat: rank("热图"), saliency: rank("saliency"),
              phrase: rank("saliency map"), none: rank("occlusion")
            }));
            """
        let result = try runProgram("node", ["-e", script, PackagePaths.path("Theme/assets/site.js")])
        #expect(result.status == 0, "\(result.stderr)")
        let check = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(check["synonyms"] as? [String] == ["热图", "saliency", "saliency map"])
        let heat = try #require(check["heat"] as? [Int]), short = try #require(check["shortHeat"] as? [Int])
        #expect(heat[0] > 1000 && heat[1] > 0 && heat[1] < 1000, "the title match first: \(heat)")
        #expect(short[0] > 1000 && short[1] > 0, "热图 finds 热力图: \(short)")
        let saliency = try #require(check["saliency"] as? [Int]), phrase = try #require(check["phrase"] as? [Int])
        #expect(saliency[0] == 0 && saliency[1] > 1000 && phrase[0] == 0 && phrase[1] > 1000)
        #expect(check["none"] as? [Int] == [0, 0])
    }

    @Test("a heading can give its own id, and a line break between Han characters is no space")
    func headingIDsAndHanBreaks() {
        let document = MarkdownDocument(
            "## 类激活图 {#class-activation-maps}\n\n第一行\n第二行，\nthen English\nand more.\n\n## Plain {#bad id}\n",
            lineOffset: 0, smart: true, unsafe: false, rewriteURL: { _ in nil })
        let html = document.html()
        #expect(html.contains("<h2 id=\"class-activation-maps\">类激活图</h2>"))
        #expect(html.contains("<p>第一行第二行，\nthen English\nand more.</p>"))
        #expect(html.contains("<h2 id=\"plain-bad-id\">Plain {#bad id}</h2>"))
    }

    @Test("a theme's strings file gives known keys; a misspelt key is an error at its line")
    func interfaceStrings() throws {
        let strings = try InterfaceStrings.parse("lessons: Lektionen\nfigure_caption: \"Abb. {n}.\"\n", file: "de.yml")
        #expect(strings["lessons"] == "Lektionen" && strings["next"] == "Next")
        #expect(strings.format("figure_caption", ["n": "3"]) == "Abb. 3.")
        #expect(throws: SourceError.self) { try InterfaceStrings.parse("lesons: Lektionen\n", file: "de.yml") }
        #expect(
            buildErrors(lesson("Text.\n"), files: ["Theme/strings/de.yml": "next: Weiter\nprevios: Zurück\n"]).map {
                $0.replacing(/^.*\/Theme\//, with: "Theme/")
            } == [
                "Theme/strings/de.yml:2:1: error: unknown field 'previos' in interface strings; expected one of "
                    + InterfaceStrings.english.keys.sorted().joined(separator: ", ") + "; did you mean 'previous'?"
            ])
        #expect(InterfaceStrings.bestMatch(for: "zh-Hans-CN", in: ["zh-Hans", "en"]) == "zh-Hans")
        #expect(InterfaceStrings.bestMatch(for: "pt-BR", in: ["pt", "en"]) == "pt")
        #expect(InterfaceStrings.bestMatch(for: "fr", in: ["zh-Hans", "en"]) == nil)
    }

    @Test("a translation starts as a copy whose headings keep the original's anchors")
    func newTranslation() throws {
        let text =
            "---\ntitle: T\n---\n\n## The part\n\n```python\n# not a heading\n```\n\n### `code` and *more*\n"
            + "\n## Given {#kept}\n\n## The part\n"
        #expect(
            Scaffold.withHeadingIDs(text)
                == "---\ntitle: T\n---\n\n## The part {#the-part}\n\n```python\n# not a heading\n```\n\n"
                + "### `code` and *more* {#code-and-more}\n\n## Given {#kept}\n\n## The part {#the-part-2}\n")
        let site = FixtureSite(
            lessons: ["01-first.md": text], siteYAML: FixtureSite.siteYAML + "languages: [en, zh-Hans]\n",
            trainCount: 16,
            testCount: 8)
        let path = try Scaffold.newTranslation(of: "01-first.md", language: "zh-Hans", contentDirectory: site.content)
        #expect(path == site.content + "/lessons/zh-Hans/01-first.md")
        #expect(FileManager.default.contents(atPath: path) == Data(Scaffold.withHeadingIDs(text).utf8))
        #expect(throws: (any Error).self) {
            try Scaffold.newTranslation(of: "01-first.md", language: "zh-Hans", contentDirectory: site.content)
        }
        #expect(throws: (any Error).self) {
            try Scaffold.newTranslation(of: "01-first.md", language: "fr", contentDirectory: site.content)
        }
    }
}
