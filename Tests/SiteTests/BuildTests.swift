import Common
import Foundation
import Testing
import TestSupport
@testable import Site

/// A lesson using every directive, on small selections.
let everyDirectiveLesson = """
    ---
    title: Every directive
    summary: One of each.
    thumbnail: 3
    ---

    Intro with "quotes" -- and a link to [the other lesson](02-second.md#details).

    ## The model

    ```viz summary
    ```

    ```viz architecture
    ```

    ```viz samples
    images: test[0:3], train[5]
    predictions: true
    ```

    ## Training

    ```viz training
    ```

    ```viz model-metrics
    ```

    ```viz filters
    layer: conv2d_2
    channel: 1
    count: 4
    ```

    ```viz filters
    layer: conv2d_1
    ```

    ```viz feature-maps
    layer: max_pooling2d_1
    image: test[1]
    ```

    ```viz maximize
    layer: conv2d_1
    units: [0, 1]
    steps: 8
    ```

    ```viz maximize
    layer: conv2d_2
    units: [1]
    steps: 6
    parametrization: fourier
    transforms: true
    diversity: 2
    ```

    ## Heatmaps

    ```viz saliency
    method: integrated-gradients
    images: test.class(7)[0:2]
    steps: 8
    ```

    ```viz cam
    method: gradcam++
    images: test[0:2]
    target: 3
    shared: true
    ```

    ```viz occlusion
    patch: 7
    stride: 7
    images: test[0]
    ```

    ```viz predictions
    images: test[0:2]
    ```

    ```viz compare
    methods: [vanilla, guided, eigencam]
    images: test[0:2]
    ```

    ```viz confusion-matrix
    ```

    ```viz faithfulness
    methods: [vanilla, gradcam]
    images: test[0:2]
    steps: 4
    ```

    ```viz sanity-check
    methods: [gradcam]
    images: test[0]
    ```

    ```viz metrics
    methods: [input-x-gradient, input-x-gradient+abs, gradcam, random, image]
    metrics: [Sparseness, Completeness, RandomLogit, ROAD]
    images: test[0:3]
    ```

    ```viz class-maps
    method: input-x-gradient
    images: test[0:2]
    classes: [0, 3, 7]
    ```

    ```viz dataset-examples
    layer: conv2d_1
    units: [1, 2]
    count: 3
    ```

    """

let secondLesson = """
    ---
    title: Second
    summary: Short.
    ---

    ## Details

    ```python
    print("an ordinary code block stays code")
    ```

    <div class="raw">raw html</div>

    """

func buildOptions(_ site: FixtureSite) -> BuildOptions {
    var options = BuildOptions()
    options.contentDirectory = site.content
    options.themeDirectory = site.theme
    options.outputDirectory = site.output
    options.cacheDirectory = site.cache
    return options
}

@Suite("Site builds", .serialized)
struct BuildTests {
    let site = FixtureSite(lessons: ["01-every.md": everyDirectiveLesson, "02-second.md": secondLesson])

    @Test("a site with every directive builds; pages parse and every link resolves")
    func buildsEveryDirective() throws {
        let report = try SiteBuilder(options: buildOptions(site)).build()
        #expect(report.figures.count == 21)
        #expect(report.misses == 21)
        let files = FixtureSite.tree(site.output)
        for page in ["index.html", "every/index.html", "second/index.html", "reference/index.html", "404.html"] {
            #expect(files[page] != nil, "missing \(page)")
        }
        for (path, data) in files where path.hasSuffix(".html") {
            let html = String(decoding: data, as: UTF8.self)
            #expect(htmlProblems(html) == [], "\(path)")
            if path == "404.html" {
                // Served at any depth: every link starts at the host's root (no base_url here).
                let targets = linkTargets(html).filter { !$0.contains(":") && !$0.hasPrefix("#") }
                #expect(
                    !targets.isEmpty
                        && targets.allSatisfy {
                            $0.hasPrefix("/")
                                && files[String($0.dropFirst()).components(separatedBy: "#")[0]]
                                    ?? files[String($0.dropFirst()).components(separatedBy: "#")[0] + "index.html"]
                                    != nil
                        }, "\(targets)")
                continue
            }
            for target in linkTargets(html) where !target.contains(":") && !target.hasPrefix("#") {
                let resolved = URL(fileURLWithPath: "/" + path).deletingLastPathComponent().appendingPathComponent(
                    target.components(separatedBy: "#")[0]
                ).standardizedFileURL.path
                let file = String(resolved.dropFirst())
                let exists =
                    files[file] != nil || files[(file.isEmpty ? "" : file + "/") + "index.html"] != nil
                    || files[file + "index.html"] != nil
                #expect(exists, "\(path) links to \(target), which does not exist")
            }
        }
        // The metrics table's raw values: each image's score per method and metric.
        let metricsFile = try #require(
            files.keys.first { $0.hasPrefix("figures/metrics-") && $0.hasSuffix(".json") })
        let metrics = try #require(try JSONSerialization.jsonObject(with: files[metricsFile]!) as? [String: Any])
        let methods = try #require(metrics["methods"] as? [[String: Any]])
        #expect(
            methods.map { $0["method"] as? String } == [
                "input-x-gradient", "input-x-gradient+abs", "gradcam", "random", "image",
            ])
        for method in methods {
            let results = try #require(method["results"] as? [[String: Any]])
            #expect(results.count == 4 && results.allSatisfy { ($0["scores"] as? [Any])?.count == 3 })
            // ROAD's curve: 1 where the prediction survives each of 9 removal levels, so the
            // mean curve averages to the mean score; other metrics have none.
            let road = try #require(results.first { $0["metric"] as? String == "ROAD" })
            let curve = try #require(road["mean_curve"] as? [Double])
            let mean = try #require(road["mean"] as? Double)
            #expect(curve.count == 9 && curve.allSatisfy { (0...1).contains($0) })
            #expect(abs(curve.reduce(0, +) / 9 - mean) < 1e-9)
            #expect(results.first { $0["metric"] as? String == "Sparseness" }?["mean_curve"] is NSNull)
        }
        let page = String(decoding: files["every/index.html"]!, as: UTF8.self)
        #expect(page.contains("Completeness ↓") && page.contains("Sparseness ↑") && page.contains("<sup>1</sup>"))
        #expect(page.contains(">Input × gradient, absolute</th>") && page.contains(">The image itself</th>"))
        // The class maps: each image explained once per class, in the classes' order.
        let classMapsFile = try #require(
            files.keys.first { $0.hasPrefix("figures/class-maps-") && $0.hasSuffix(".json") })
        let classMaps = try #require(try JSONSerialization.jsonObject(with: files[classMapsFile]!) as? [String: Any])
        let entries = try #require(classMaps["maps"] as? [[String: Any]])
        #expect(entries.map { $0["target"] as? Int } == [0, 3, 7, 0, 3, 7])
        #expect(
            entries.map { $0["image"] as? String } == [
                "test[0]", "test[0]", "test[0]", "test[1]", "test[1]", "test[1]",
            ])
        #expect(page.contains(">class 3<") || page.contains(">class 3 <") || page.contains("class 3</th>"))
        // Filters carry their biases, and for the first layer which filters can never fire:
        // those whose positive weights and bias add up to at most zero, computed here again.
        let filtersFile = try #require(
            files.keys.first { $0.hasPrefix("figures/filters-conv2d-1") && $0.hasSuffix(".json") })
        let filters = try #require(try JSONSerialization.jsonObject(with: files[filtersFile]!) as? [String: Any])
        let kernels = try #require(filters["kernels"] as? [[String: Any]])
        let biases = try #require(filters["biases"] as? [Double])
        #expect(biases.count == kernels.count)
        let expectedDead = kernels.indices.filter { f in
            let values = (kernels[f]["values"] as? [[Double]] ?? []).flatMap { $0 }
            return values.reduce(0) { $0 + max($1, 0) } + biases[f] <= 0
        }
        #expect(filters["never_fire"] as? [Int] == expectedDead)
        // Lucid's optimizer: two images of one filter, described in the raw values.
        let lucidFile = try #require(
            files.keys.first { $0.hasPrefix("figures/maximize-conv2d-2") && $0.hasSuffix(".json") })
        let lucid = try #require(try JSONSerialization.jsonObject(with: files[lucidFile]!) as? [String: Any])
        let lucidResults = try #require(lucid["results"] as? [[String: Any]])
        #expect(
            lucidResults.map { $0["optimizer"] as? String }
                == Array(repeating: "lucid fourier+transforms diversity 1 ×2", count: 2))
        // Dataset examples: per unit, the three strongest test digits, strongest first.
        let examplesFile = try #require(
            files.keys.first { $0.hasPrefix("figures/dataset-examples-") && $0.hasSuffix(".json") })
        let examples = try #require(try JSONSerialization.jsonObject(with: files[examplesFile]!) as? [String: Any])
        let units = try #require(examples["units"] as? [[String: Any]])
        #expect(units.map { $0["unit"] as? Int } == [1, 2])
        for unit in units {
            let scores = try #require((unit["examples"] as? [[String: Any]])?.compactMap { $0["score"] as? Double })
            #expect(scores.count == 3 && scores == scores.sorted(by: >))
        }
        // One schema for raw values: every map, wherever it appears, is {shape: [rows, columns], values: rows}.
        var maps = 0
        func checkMaps(_ value: Any, _ file: String) {
            if let object = value as? [String: Any] {
                for (key, item) in object {
                    if key == "map" || key == "image" && item is [String: Any] { checkMap(item, file) }
                    if key == "maps" || key == "kernels", let list = item as? [Any] {
                        for entry in list {
                            (entry as? [String: Any])?["values"] != nil ? checkMap(entry, file) : checkMaps(entry, file)
                        }
                    }
                    checkMaps(item, file)
                }
            } else if let list = value as? [Any] {
                list.forEach { checkMaps($0, file) }
            }
        }
        func checkMap(_ value: Any, _ file: String) {
            maps += 1
            let map = value as? [String: Any], shape = map?["shape"] as? [Int], rows = map?["values"] as? [[Double]]
            #expect(
                shape?.count == 2 && rows?.count == shape?[0] && rows?.allSatisfy { $0.count == shape?[1] } == true,
                "\(file)")
        }
        for (path, data) in files where path.hasPrefix("figures/") && path.hasSuffix(".json") {
            checkMaps(try JSONSerialization.jsonObject(with: data), path)
        }
        #expect(maps >= 29)
        let lesson = String(decoding: files["every/index.html"]!, as: UTF8.self)
        #expect(lesson.contains("<figure class=\"viz\" data-directive=\"cam\" id=\"figure-12\">"))
        #expect(lesson.contains("Figure 17."))
        #expect(lesson.contains("<h2 id=\"the-model\">The model</h2>"))
        #expect(lesson.contains("href=\"#the-model\""), "table of contents")
        #expect(lesson.contains("href=\"../second/#details\""), "lesson links are rewritten")
        #expect(lesson.contains("“quotes” –"), "smart punctuation")
        #expect(lesson.contains("rel=\"next\""))
        let second = String(decoding: files["second/index.html"]!, as: UTF8.self)
        #expect(second.contains("<pre><code class=\"language-python\">"))
        #expect(!second.contains("<div class=\"raw\">"), "raw HTML is omitted unless site.yml allows it")
        // The index shows lesson cards, the chosen thumbnail (figure 3, the samples) first.
        let index = String(decoding: files["index.html"]!, as: UTF8.self)
        #expect(index.contains("href=\"every/\""))
        #expect(index.contains("<img src=\"figures/samples-card-"))
        // Every figure links its raw values.
        #expect(lesson.components(separatedBy: "raw values (JSON)").count - 1 == 21)
        #expect(files.keys.contains { $0.hasPrefix("assets/style.") && $0.hasSuffix(".css") })
        #expect(files.keys.contains { $0.hasPrefix("assets/search-index.") })
        #expect(files["sitemap.xml"] == nil, "no sitemap without base_url")
        // Card tags without base_url: title and description, but no image (it must be absolute).
        #expect(lesson.contains("<meta property=\"og:type\" content=\"article\">"))
        #expect(lesson.contains("<meta name=\"twitter:card\" content=\"summary\">"))
        #expect(!lesson.contains("og:image") && !lesson.contains("og:url"))
    }

    @Test("a rebuild with nothing changed computes nothing and writes identical bytes")
    func rebuildIsCachedAndIdentical() throws {
        try SiteBuilder(options: buildOptions(site)).build()
        let first = FixtureSite.tree(site.output)
        let report = try SiteBuilder(options: buildOptions(site)).build()
        #expect(report.misses == 0)
        #expect(report.hits == 21)
        #expect(FixtureSite.tree(site.output) == first)
    }

    @Test("two builds from scratch (fresh caches, training included) are byte-identical")
    func buildsAreDeterministic() throws {
        var a = buildOptions(site)
        a.outputDirectory = site.directory.file("OutA")
        a.cacheDirectory = site.directory.file("cacheA")
        var b = a
        b.outputDirectory = site.directory.file("OutB")
        b.cacheDirectory = site.directory.file("cacheB")
        try SiteBuilder(options: a).build()
        try SiteBuilder(options: b).build()
        let treeA = FixtureSite.tree(a.outputDirectory), treeB = FixtureSite.tree(b.outputDirectory)
        #expect(treeA.count > 50)
        #expect(treeA == treeB)
    }

    @Test("a failing build leaves the previous output exactly as it was")
    func failedBuildKeepsOutput() throws {
        try SiteBuilder(options: buildOptions(site)).build()
        let before = FixtureSite.tree(site.output)
        site.directory.write(
            "Content/lessons/03-broken.md", "---\ntitle: Broken\n---\n\n```viz cam\nlayer: conv2d_9\n```\n")
        defer { try? FileManager.default.removeItem(atPath: site.directory.file("Content/lessons/03-broken.md")) }
        #expect(throws: BuildErrors.self) { try SiteBuilder(options: buildOptions(site)).build() }
        #expect(FixtureSite.tree(site.output) == before)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: site.root).filter { $0.contains("staging") }
        #expect(leftovers.isEmpty)
    }

    @Test("base_url adds a sitemap, robots.txt and canonical links")
    func sitemap() throws {
        var options = buildOptions(site)
        options.baseURL = "https://example.org/cnn"
        try SiteBuilder(options: options).build()
        let sitemap = try String(contentsOfFile: site.directory.file("Output/sitemap.xml"), encoding: .utf8)
        #expect(sitemap.contains("<loc>https://example.org/cnn/every/</loc>"))
        #expect(sitemap.contains("<loc>https://example.org/cnn/</loc>"))
        let page = try String(contentsOfFile: site.directory.file("Output/every/index.html"), encoding: .utf8)
        #expect(page.contains("<link rel=\"canonical\" href=\"https://example.org/cnn/every/\">"))
        #expect(page.contains("<meta name=\"generator\" content=\"vizsite \(VizsiteVersion.current)\">"))
        // Social cards: the page's address, and its card picture as an absolute PNG that the site has.
        #expect(page.contains("<meta property=\"og:url\" content=\"https://example.org/cnn/every/\">"))
        #expect(page.contains("<meta name=\"twitter:card\" content=\"summary_large_image\">"))
        for (html, type) in [
            (page, "article"), (try String(contentsOfFile: site.output + "/index.html", encoding: .utf8), "website"),
        ] {
            #expect(html.contains("<meta property=\"og:type\" content=\"\(type)\">"))
            let tag = "<meta property=\"og:image\" content=\"https://example.org/cnn/"
            let start = try #require(html.range(of: tag))
            let path = String(html[start.upperBound...].prefix { $0 != "\"" })
            #expect(path.hasPrefix("figures/") && path.hasSuffix(".png"))
            #expect(FileManager.default.fileExists(atPath: site.output + "/" + path), "\(path) is in the site")
        }
    }
}
