import CNN
import Common
import Foundation
import Testing
import TestSupport
@testable import Site

@Suite("Site pieces")
struct SitePieceTests {
    @Test func imageSelectors() throws {
        #expect(try ImageSelector.parse("test[3]", classes: 10).get() == .dataset("test", .all, 3..<4))
        #expect(try ImageSelector.parse("train[0:4]", classes: 10).get() == .dataset("train", .all, 0..<4))
        #expect(
            try ImageSelector.parse("test.class(7)[0:4]", classes: 10).get() == .dataset("test", .label(7), 0..<4))
        #expect(
            try ImageSelector.parse("test.misclassified[2:5]", classes: 10).get()
                == .dataset("test", .misclassified, 2..<5))
        // Any split name; a class by name (checked against the data when it is read).
        #expect(try ImageSelector.parse("val[0]", classes: 10).get() == .dataset("val", .all, 0..<1))
        #expect(
            try ImageSelector.parse("val.class(cat)[0:4]", classes: 10).get()
                == .dataset("val", .className("cat"), 0..<4))
        #expect(
            try ImageSelector.parse("my_split-2.misclassified[1]", classes: 10).get()
                == .dataset("my_split-2", .misclassified, 1..<2))
        #expect(try ImageSelector.parse("images/my-digit.PNG", classes: 10).get() == .file("images/my-digit.PNG", nil))
        for bad in [
            "test", "test[4:2]", "test[-1]", "test[a]", "test.klass(3)[0]", "test[0:1000]", "2test[0]", "[0]",
            "test.class()[0]", "test.class(12)[0]", "te st[0]",
        ] {
            #expect(throws: SelectorError.self, "\(bad)") { try ImageSelector.parse(bad, classes: 10).get() }
        }
        // A figure that scores images rather than drawing them may take more than 256.
        #expect(
            try ImageSelector.parse("test[0:5000]", classes: 10, limit: 10_000).get()
                == .dataset("test", .all, 0..<5000))
        #expect(throws: SelectorError.self) {
            try ImageSelector.parse("test[0:10001]", classes: 10, limit: 10_000).get()
        }
        #expect(ImageSelector.dataset("test", .label(7), 0..<4).description == "test.class(7)[0:4]")
        #expect(ImageSelector.dataset("val", .className("cat"), 0..<4).description == "val.class(cat)[0:4]")
        // With the class names known: a name first (even one that is a number), else an index.
        let degrees = ["0", "180"]
        #expect(
            try ImageSelector.parse("test.class(180)[0]", classes: 2, names: degrees).get()
                == .dataset("test", .className("180"), 0..<1))
        #expect(
            try ImageSelector.parse("test.class(1)[0]", classes: 2, names: degrees).get()
                == .dataset("test", .label(1), 0..<1))
        let pets = ImageSelector.parse("val.class(cta)[0]", classes: 2, names: ["cat", "dog"])
        guard case .failure(let e) = pets else { Issue.record("class(cta) was accepted"); return }
        #expect(e.message == "no class 'cta' in 'val.class(cta)[0]'; the classes are cat, dog")
        #expect(e.suggestion == "val.class(cat)[0]")
    }

    @Test func contentPaths() throws {
        let dir = TemporaryDirectory()
        dir.write("Content/images/a.png", "x")
        try FileManager.default.createSymbolicLink(
            atPath: dir.file("Content/images/out"), withDestinationPath: dir.path)
        let paths = ContentPaths(root: dir.file("Content"))
        let at = SourceLocation(file: "f.md", line: 1, column: 1)
        #expect(try paths.resolve("images/a.png", at: at).hasSuffix("/Content/images/a.png"))
        #expect(try paths.resolve("images/../images/a.png", at: at).hasSuffix("/Content/images/a.png"))
        for bad in ["../x", "images/../../x", "/etc/passwd", "images/out/secret", ""] {
            #expect(throws: SourceError.self, "\(bad)") { try paths.resolve(bad, at: at) }
        }
    }

    @Test("front matter splits at the fences and counts lines")
    func frontMatter() {
        let split = FrontMatterSplit("---\ntitle: A\nsummary: B\n---\n\n# Body\n")
        #expect(split.yaml == "title: A\nsummary: B")
        #expect(split.body == "\n# Body\n")
        #expect(split.bodyLineOffset == 4)
        #expect(FrontMatterSplit("# No front matter\n").yaml == nil)
    }

    @Test("Markdown: directives become placeholders at their lines, headings get unique ids")
    func markdown() {
        let doc = MarkdownDocument(
            "# Intro\n\n## Intro\n\n```viz cam\nlayer: x\n```\n\n```swift\nlet a = 1\n```\n\n<b>raw</b>\n",
            lineOffset: 10, smart: true, unsafe: false
        ) { _ in nil }
        #expect(doc.directives.count == 1)
        #expect(doc.directives[0].name == "cam")
        #expect(doc.directives[0].body == "layer: x\n")
        #expect(doc.directives[0].line == 15)
        #expect(doc.headings.map(\.id) == ["intro", "intro-2"])
        let html = doc.html()
        #expect(html.contains("<h1 id=\"intro\">Intro</h1>\n<h2 id=\"intro-2\">Intro</h2>"))
        #expect(html.contains(MarkdownDocument.placeholder(0)))
        #expect(html.contains("<code class=\"language-swift\">let a = 1"))
        #expect(html.contains("<!-- raw HTML omitted -->"))
        let unsafe = MarkdownDocument("<b>raw</b>\n", lineOffset: 0, smart: false, unsafe: true) { _ in nil }
        #expect(unsafe.html().contains("<b>raw</b>"))
    }

    @Test func escaping() {
        #expect(
            HTML.escape("<script>\"a\" & 'b'</script>")
                == "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;")
        #expect(HTML.plainText("<p>a &amp; <b>b</b></p>") == "a & b")
        #expect("Grad-CAM: where?".slugified == "grad-cam-where")
    }

    @Test("plain text: entities decoded once, TeX annotations dropped, skipped elements gone but inline math as TeX")
    func plainTextOfProse() {
        #expect(HTML.plainText("<p>x &amp;lt; y &quot;q&quot; &#39;s&#39; &gt;</p>\n\n z") == "x &lt; y \"q\" 's' > z")
        let math =
            "<math><mi>A</mi><annotation encoding=\"application/x-tex\">A^k &amp; b</annotation></math>"
        #expect(HTML.plainText("<p>the map " + math + " here</p>") == "the map A here")
        let page =
            "<p>Before " + math + ".</p><figure class=\"viz\"><figure>inner</figure><svg><text>7 0 0: 0.0000</text>"
            + "</svg><figcaption>Figure 1</figcaption></figure><math display=\"block\"><mi>α</mi>"
            + "<annotation encoding=\"application/x-tex\">\\alpha</annotation></math><p>After<br/>it.</p>"
        #expect(HTML.plainText(page, skipping: ["figure", "math"]) == "Before A^k & b. After it.")
        #expect(HTML.plainText(page).hasPrefix("Before A . inner 7 0 0: 0.0000 Figure 1 α After it."))
    }

    @Test("callouts: > [!KIND] blockquotes become titled boxes, nested quotes kept, other quotes left alone")
    func callouts() {
        func html(_ markdown: String) -> String {
            MarkdownDocument(markdown, lineOffset: 0, smart: true, unsafe: false) { _ in nil }.html()
        }
        #expect(
            html("> [!NOTE]\n> Read the colorbar *first*.\n")
                == "<div class=\"callout callout-note\" role=\"note\">\n<p class=\"callout-title\">"
                + Callouts.titleMarker("note") + "</p>\n<p>Read the colorbar <em>first</em>.</p>\n</div>\n")
        let nested = html("> [!Warning]\n>\n> One.\n>\n> > Quoted.\n>\n> Two.\n\nAfter.\n")
        #expect(nested.hasPrefix("<div class=\"callout callout-warning\" role=\"note\">\n<p class=\"callout-title\">"))
        #expect(nested.contains("<blockquote>\n<p>Quoted.</p>\n</blockquote>\n<p>Two.</p>\n</div>\n<p>After.</p>"))
        #expect(html("> [!FOO]\n> x\n") == "<blockquote>\n<p>[!FOO]\nx</p>\n</blockquote>\n")
        #expect(html("> Just a quote.\n") == "<blockquote>\n<p>Just a quote.</p>\n</blockquote>\n")
        #expect(html("> [!TIP] and more\n").hasPrefix("<blockquote>"))
    }

    @Test("replacingAll replaces every literal occurrence, byte for byte, and leaves the rest")
    func replacingAllLiterally() {
        #expect("a<!--x-->b<!--x--><!--x-->".replacingAll("<!--x-->", with: "中") == "a中b中中")
        #expect("abc".replacingAll("zz", with: "y") == "abc")
        #expect("aaa".replacingAll("aa", with: "b") == "ba")
        #expect("é and é".replacingAll("é", with: "e") == "e and e")
        #expect("".replacingAll("a", with: "b") == "" && "ab".replacingAll("", with: "x") == "ab")
    }

    @Test("prose tokens: replaced outside code and pre in one pass, tight or spaced, unknown ones kept")
    func substitutingTokens() {
        let html = "<p>{{a}} and {{ a }} and {{b}} and {{ c}}</p><pre><code>{{a}}</code></pre><code>{{a}}</code>{{a}}"
        #expect(
            InlineValues.substitute(html, values: ["a": "<1>", "b": "2"])
                == "<p>&lt;1&gt; and &lt;1&gt; and 2 and {{ c}}</p><pre><code>{{a}}</code></pre><code>{{a}}</code>&lt;1&gt;"
        )
        #expect(InlineValues.substitute("{{a}}", values: ["a": "<b>x</b>"], escaping: false) == "<b>x</b>")
        #expect(InlineValues.substitute("{{{a}}}", values: ["a": "1"]) == "{1}")
        #expect(InlineValues.tokenNames(inHTML: html) == ["a", "a", "b", "c", "a"])
    }

    @Test("slugs keep letters and digits of any script and fold accented Latin letters")
    func slugsInAnyScript() {
        #expect("类激活图 与 热力图".slugified == "类激活图-与-热力图")
        #expect("Über CAM".slugified == "uber-cam")
        #expect("Straße, naïve café — Ærø".slugified == "strasse-naive-cafe-aero")
        #expect("Ελληνικά 2".slugified == "ελληνικά-2")
        #expect("ＣＮＮの特徴マップ".slugified == "ｃｎｎの特徴マップ")
        #expect("Grad-CAM++ (2018)".slugified == "grad-cam-2018")
        #expect("→ !".slugified == "")
        #expect(Lesson.slug(fromFileName: "02-类激活图.md") == "类激活图")
        #expect(Lesson.slug(fromFileName: "二维卷积.md") == "二维卷积", "only ASCII digits are the order prefix")
        #expect("类激活图/".percentEncodedPath == "%E7%B1%BB%E6%BF%80%E6%B4%BB%E5%9B%BE/")
        #expect("uber-cam/".percentEncodedPath == "uber-cam/")
    }

    @Test("reading time counts words, and Han characters two to a word; the edit link follows site.yml")
    func readingTimeAndEditLink() throws {
        #expect(LessonPages.readingMinutes(Array(repeating: "word", count: 500).joined(separator: " ")) == 3)
        #expect(LessonPages.readingMinutes(String(repeating: "热力图", count: 200)) == 2, "600 characters, 300 words")
        #expect(LessonPages.readingMinutes("") == 1)
        let config = try SiteConfig.parse(
            "title: T\nrepository: https://github.com/you/site/\nrepository_branch: trunk\n", file: "site.yml")
        #expect(
            config.editURL(lessonFile: "07-cam.md")
                == "https://github.com/you/site/edit/trunk/Content/lessons/07-cam.md")
        #expect(try SiteConfig.parse("title: T\n", file: "site.yml").editURL(lessonFile: "07-cam.md") == nil)
        #expect(throws: SourceError.self) {
            try SiteConfig.parse("title: T\nrepository: github.com/x\n", file: "s.yml")
        }
    }

    @Test("front matter may give the slug; it must be one")
    func frontMatterSlug() throws {
        let lesson = try Lesson.parse(
            "---\ntitle: 热力图\nslug: heatmaps\n---\nx\n", file: "l/02-热力图.md", fileName: "02-热力图.md")
        #expect(lesson.slug == "heatmaps")
        let fromFile = try Lesson.parse("---\ntitle: 热力图\n---\nx\n", file: "l/02-热力图.md", fileName: "02-热力图.md")
        #expect(fromFile.slug == "热力图")
        #expect(throws: SourceError.self) {
            try Lesson.parse("---\ntitle: T\nslug: Heat Maps\n---\n", file: "l/02-x.md", fileName: "02-x.md")
        }
        do {
            _ = try Lesson.parse("---\ntitle: T\nslug: Heat Maps\n---\n", file: "l/02-x.md", fileName: "02-x.md")
        } catch {
            #expect(
                error.description == "l/02-x.md:3:7: error: a slug is lowercase letters and digits (of any script) "
                    + "joined by hyphens; did you mean 'heat-maps'?")
        }
    }

    @Test("static files never leave the served folder")
    func staticFiles() throws {
        let dir = TemporaryDirectory()
        dir.write("site/index.html", "home")
        dir.write("site/lesson/index.html", "lesson")
        dir.write("secret.txt", "secret")
        try FileManager.default.createSymbolicLink(
            atPath: dir.file("site/link.txt"), withDestinationPath: dir.file("secret.txt"))
        let files = StaticFiles(root: dir.file("site"))
        #expect(files.file(forRawPath: "/")?.hasSuffix("site/index.html") == true)
        #expect(files.file(forRawPath: "/lesson/")?.hasSuffix("site/lesson/index.html") == true)
        #expect(files.needsSlash(rawPath: "/lesson"))
        for bad in [
            "/../secret.txt", "/%2e%2e/secret.txt", "/lesson/..%2f..%2fsecret.txt", "/link.txt", "//etc/passwd",
            "/lesson/%00", "/..\\secret.txt", "/.hidden", "/missing.html", "relative",
        ] {
            #expect(files.file(forRawPath: bad) == nil, "\(bad)")
        }
    }

    @Test("new lesson takes the next number and refuses a duplicate slug")
    func newLesson() throws {
        let dir = TemporaryDirectory()
        dir.write("Content/site.yml", "title: x\n")
        dir.write("Content/lessons/07-cam.md", "x")
        let path = try Scaffold.newLesson(title: "What \"max-pooling\" keeps", contentDirectory: dir.file("Content"))
        #expect(path.hasSuffix("Content/lessons/08-what-max-pooling-keeps.md"))
        let lesson = try Lesson.parse(
            String(contentsOfFile: path, encoding: .utf8), file: path, fileName: "08-what-max-pooling-keeps.md")
        #expect(lesson.title == "What \"max-pooling\" keeps")
        // Its figure names no layer, so it checks clean on the reference model and an imported one.
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let config = try SiteConfig.parse("title: T\n", file: "site.yml")
        for model in ["Content/models/mnist-cnn.yml", "Content/models/resnet-mnist.onnx"] {
            let spec = try ModelSpec.load(path: PackagePaths.path(model))
            #expect(
                LessonCheck.errors(in: text, file: "lessons/08-new.md", config: config, spec: spec).isEmpty, "\(model)")
        }
        #expect(throws: Scaffold.Failure.self) {
            try Scaffold.newLesson(title: "CAM", contentDirectory: dir.file("Content"))
        }
        // Titles in any script make lessons.
        let chinese = try Scaffold.newLesson(title: "类激活图 与 热力图", contentDirectory: dir.file("Content"))
        #expect(chinese.hasSuffix("Content/lessons/09-类激活图-与-热力图.md"))
    }

    @Test("the output folder is swapped whole, and a first build creates it")
    func outputWriter() throws {
        let dir = TemporaryDirectory()
        let writer = OutputWriter(output: dir.file("Out"))
        try writer.publish(["a.html": Data("1".utf8), "sub/b.css": Data("2".utf8)])
        #expect(FixtureSite.tree(dir.file("Out")) == ["a.html": Data("1".utf8), "sub/b.css": Data("2".utf8)])
        try writer.publish(["c.html": Data("3".utf8)])
        #expect(FixtureSite.tree(dir.file("Out")) == ["c.html": Data("3".utf8)])
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["Out"])
    }

    @Test("the directive reference lists every directive with its options")
    func reference() {
        let entries = DirectiveReference.entries()
        #expect(entries.count == DirectiveRegistry.all.count)
        let cam = entries.first { $0.name == "cam" }!
        let options = cam.options.map(\.name)
        #expect(
            options == [
                "method", "layer", "upsample", "images", "preprocess", "target", "colormap", "normalization", "shared",
                "scale", "alpha", "panels", "caption", "alt", "label", "layout", "model", "data",
            ])
    }
}

@Suite("Pipe tables")
struct PipeTableTests {
    @Test(
        "GitHub-style tables render with alignment; escaped pipes stay in their cell; raw HTML is omitted; code blocks are untouched"
    )
    func tables() {
        let text =
            "Intro.\n\n| a | b |\n| :--- | ---: |\n| `x\\|y` | *em* <b>raw</b> |\n| 3 |\n\n```\n| not | a table |\n| "
            + "--- | --- |\n```\n"
        let doc = MarkdownDocument(text, lineOffset: 0, smart: false, unsafe: false) { _ in nil }
        let html = doc.html()
        #expect(
            html.contains(
                "<div class=\"table-scroll\"><table>\n<thead>\n<tr>\n<th style=\"text-align: left\">a</th>\n<th "
                    + "style=\"text-align: right\">b</th>\n</tr>"
            ))
        #expect(
            html.contains(
                "<tr>\n<td style=\"text-align: left\"><code>x|y</code></td>\n<td style=\"text-align: "
                    + "right\"><em>em</em> <!-- raw HTML omitted -->raw<!-- raw HTML omitted --></td>\n</tr>"
            ))
        #expect(
            html.contains("<tr>\n<td style=\"text-align: left\">3</td>\n<td style=\"text-align: right\"></td>\n</tr>"))
        #expect(html.contains("<pre><code>| not | a table |"))
        #expect(htmlProblems(html) == [])
    }
}
