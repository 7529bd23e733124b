import CNN
import Foundation
import Testing
import TestSupport
@testable import Site

/// Builds (or with `checkOnly`, checks) a site whose only lesson is `body` (after front
/// matter) and returns the errors. `extra`: more lessons; `files`: other files, by path in
/// the site's folder.
func buildErrors(
    _ lesson: String, siteYAML: String = FixtureSite.siteYAML, extra: [String: String] = [:],
    files: [String: String] = [:], checkOnly: Bool = false, buildOnly: String? = nil
) -> [String] {
    // Every error case of the suite proves check = build: `vizsite check` reports what the
    // build does, unless the caller says why only a build can (`buildOnly`: values quoted
    // from figures that only computing makes).
    if !checkOnly && buildOnly == nil {
        let built = buildErrors(lesson, siteYAML: siteYAML, extra: extra, files: files, buildOnly: "")
        let checked = buildErrors(lesson, siteYAML: siteYAML, extra: extra, files: files, checkOnly: true)
        #expect(checked == built, "check reports what build does")
        return built
    }
    var lessons = ["01-test.md": lesson]
    lessons.merge(extra) { $1 }
    let site = FixtureSite(lessons: lessons, siteYAML: siteYAML, trainCount: 256, testCount: 64)
    for (path, text) in files { site.directory.write(path, text) }
    var options = buildOptions(site)
    options.checkOnly = checkOnly
    do {
        try SiteBuilder(options: options).build()
        return []
    } catch {
        #expect(!FileManager.default.fileExists(atPath: site.output), "a failed first build writes no output")
        return error.errors.map {
            $0.description.replacingOccurrences(of: site.content, with: "Content")
                .replacingOccurrences(of: site.root + "/", with: "")
        }
    }
}

func lesson(_ directive: String) -> String { "---\ntitle: T\n---\n\nText.\n\n" + directive }

/// The errors `build` reports for `lesson`, having checked that `check` reports the same.
func buildAndCheckErrors(_ lesson: String) -> [String] {
    let built = buildErrors(lesson)
    #expect(buildErrors(lesson, checkOnly: true) == built, "check reports what build does")
    return built
}

/// The raw values (JSON) of the one figure whose files start with `prefix` (`figures/compare-`).
func rawValues(_ files: [String: Data], prefix: String) throws -> [String: Any] {
    let name = try #require(files.keys.first { $0.hasPrefix(prefix) && $0.hasSuffix(".json") })
    return try #require(try JSONSerialization.jsonObject(with: files[name]!) as? [String: Any])
}

/// Builds a site whose only lesson is `lesson` and returns its output files by path.
func builtFiles(_ lesson: String) throws -> [String: Data] {
    let site = FixtureSite(lessons: ["01-test.md": lesson], trainCount: 256, testCount: 64)
    try SiteBuilder(options: buildOptions(site)).build()
    return FixtureSite.tree(site.output)
}

@Suite("Build errors")
struct ErrorTests {
    @Test func unknownDirective() {
        #expect(
            buildErrors(lesson("```viz gradcam\n```\n")) == [
                "Content/lessons/01-test.md:7:8: error: unknown directive 'gradcam'; expected one of summary, "
                    + "architecture, samples, training, model-metrics, filters, feature-maps, maximize, saliency, ig-baselines, cam, "
                    + "attention, occlusion, predictions, compare, confusion-matrix, faithfulness, sanity-check, "
                    + "agreement, diagnosis, screening, mean-heatmaps, "
                    + "metrics, class-maps, dataset-examples, data-randomization, playground; did you mean 'cam'?"
            ])
    }

    @Test("LessonCheck reports what a build would, without building")
    func lessonCheck() throws {
        let spec = try ModelSpec.load(path: PackagePaths.referenceSpec)
        let config = try SiteConfig.parse("title: T\n", file: "site.yml")
        let bad = lesson("```viz cam\nmethod: gradcam\nlayr: conv2d_2\n```\n\n{{test_acuracy}}\n")
        #expect(
            LessonCheck.errors(in: bad, file: "lessons/01-test.md", config: config, spec: spec).map(\.description) == [
                "lessons/01-test.md:9:1: error: unknown option 'layr' for directive 'cam'; expected one of method, "
                    + "layer, upsample, images, preprocess, target, colormap, normalization, shared, scale, alpha, "
                    + "panels, caption, alt, label, layout, model, data; did you mean 'layer'?",
                "lessons/01-test.md:12:1: error: unknown value '{{test_acuracy}}'; expected one of test_accuracy, "
                    + "test_error_rate, misclassified, test_loss, test_images, train_images, parameters, "
                    + "multiply_accumulates, epochs, model; did you mean '{{test_accuracy}}'?",
            ])
        #expect(
            LessonCheck.errors(in: "no front matter\n", file: "lessons/01-x.md", config: config, spec: spec).count == 1)
        let good = lesson("```viz cam\nmethod: gradcam\nlayer: conv2d_2\nimages: test[0:2]\n```\n")
        #expect(LessonCheck.errors(in: good, file: "lessons/01-test.md", config: config, spec: spec).isEmpty)
    }

    /// A link to a lesson file the site does not have is an error where the link is written,
    /// once however often cmark visits it; links to existing lessons, anchors and other
    /// sites are not.
    @Test func linkToAMissingLesson() {
        let text = lesson(
            "See [the other](02-second.md), [this](#top), [a site](https://example.org/x.md) and\n"
                + "the [wrong one](02-secnd.md#part).\n")
        #expect(
            buildErrors(text, extra: ["02-second.md": "---\ntitle: S\n---\n\nText.\n"]) == [
                "Content/lessons/01-test.md:8:17: error: link to '02-secnd.md', which is not a lesson of this site; "
                    + "did you mean '02-second.md'?"
            ])
    }

    @Test func unknownOption() {
        #expect(
            buildErrors(lesson("```viz cam\nmethod: gradcam\nlayr: conv2d_2\n```\n")) == [
                "Content/lessons/01-test.md:9:1: error: unknown option 'layr' for directive 'cam'; expected one of "
                    + "method, layer, upsample, images, preprocess, target, colormap, normalization, shared, scale, "
                    + "alpha, panels, caption, alt, label, layout, model, data; did you mean 'layer'?"
            ])
    }

    @Test func wrongType() {
        #expect(
            buildErrors(lesson("```viz occlusion\npatch: big\n```\n")) == [
                "Content/lessons/01-test.md:8:8: error: expected an integer, found 'big'"
            ])
    }

    @Test func unknownLayer() {
        #expect(
            buildErrors(lesson("```viz cam\nlayer: conv2d_3\n```\n")) == [
                "Content/lessons/01-test.md:8:8: error: models/tiny.yml has no layer 'conv2d_3'; expected one of "
                    + "conv2d_1, conv2d_2, max_pooling2d_1, dropout_1; did you mean 'conv2d_1'?"
            ])
        #expect(
            buildErrors(lesson("```viz cam\nlayer: dense_1\n```\n")) == [
                "Content/lessons/01-test.md:8:8: error: layer 'dense_1' (Dense) outputs [16], not an [h, w, c] image "
                    + "or a transformer's tokens; expected one of conv2d_1, conv2d_2, max_pooling2d_1, dropout_1"
            ])
    }

    @Test func classOutOfRange() {
        #expect(
            buildErrors(lesson("```viz saliency\ntarget: 10\n```\n")) == [
                "Content/lessons/01-test.md:8:9: error: class 10 is out of range; the model has classes 0…9"
            ])
        #expect(
            buildErrors(lesson("```viz samples\nimages: test.class(12)[0:2]\n```\n")) == [
                "Content/lessons/01-test.md:8:9: error: class 12 is out of range in 'test.class(12)[0:2]'; the model "
                    + "has classes 0…9"
            ])
        // A contrast names two classes of the model, and two different ones.
        #expect(
            buildErrors(lesson("```viz cam\ntarget: 4-12\n```\n")) == [
                "Content/lessons/01-test.md:8:9: error: class 12 is out of range; the model has classes 0…9"
            ])
        #expect(
            buildErrors(lesson("```viz saliency\ntarget: 4-4\n```\n")) == [
                "Content/lessons/01-test.md:8:9: error: the contrast 4-4 compares a class with itself; name two "
                    + "different classes"
            ])
    }

    @Test func selectorOutOfRange() {
        #expect(
            buildErrors(lesson("```viz samples\nimages: test[60:70]\n```\n")) == [
                "Content/lessons/01-test.md:8:9: error: image selector 'test[60:70]' is out of range: it selects up to "
                    + "index 69 but only 64 images match (0…63)"
            ])
        #expect(
            buildErrors(lesson("```viz samples\nimages: tset[0]\n```\n")).first?.hasPrefix(
                "Content/lessons/01-test.md:8:9: error: unknown image selector 'tset[0]': the data has no split 'tset'; "
                    + "it has train, test; did you mean 'test[0]'?") == true)
    }

    @Test func pathsMayNotLeaveContent() {
        #expect(
            buildErrors(lesson("```viz samples\nimages: ../secret.png\n```\n")) == [
                "Content/lessons/01-test.md:8:9: error: path '../secret.png' leaves the content folder Content/"
            ])
        #expect(
            buildErrors(lesson("```viz summary\nmodel: /etc/model.yml\n```\n")) == [
                "Content/lessons/01-test.md:8:8: error: absolute path '/etc/model.yml' is not allowed; paths are "
                    + "relative to Content/"
            ])
    }

    @Test func missingModel() {
        #expect(
            buildErrors(lesson("```viz summary\nmodel: models/tine.yml\n```\n")) == [
                "Content/lessons/01-test.md:8:8: error: no model spec 'models/tine.yml' in Content/; did you mean "
                    + "'models/tiny.yml'?"
            ])
    }

    @Test("a method's unknown map modifier is an error at the name, with the one meant")
    func unknownMapModifier() {
        #expect(
            buildErrors(lesson("```viz metrics\nmethods: [vanilla, vanilla+blr]\nmetrics: [Sparseness]\n```\n")) == [
                "Content/lessons/01-test.md:8:20: error: unknown map modifier '+blr' in 'vanilla+blr'; expected +abs, "
                    + "+blur; did you mean 'vanilla+blur'?"
            ])
    }

    @Test("all the errors of a build are reported together, across lessons")
    func errorsAreCollected() {
        let errors = buildErrors(
            lesson("```viz cam\nmethod: gradcan\n```\n\n```viz maximize\nunits: [3, 99]\n```\n"),
            extra: ["02-front.md": "---\ntitle: [unclosed\n---\n", "03-none.md": "no front matter\n"])
        #expect(errors.count == 4)
        #expect(
            errors.contains {
                $0.hasPrefix("Content/lessons/01-test.md:8:9: error: unknown method 'gradcan'")
                    && $0.hasSuffix("did you mean 'gradcam'?")
            })
        #expect(
            errors.contains("Content/lessons/01-test.md:12:12: error: units value 99 is out of range; expected 0…9"))
        #expect(errors.contains { $0.hasPrefix("Content/lessons/02-front.md:3:1") && $0.contains("invalid YAML") })
        #expect(
            errors.contains(
                "Content/lessons/03-none.md:1:1: error: a lesson starts with YAML front matter between '---' lines, "
                    + "with at least a title"
            ))
    }

    @Test func badSiteConfig() {
        #expect(
            buildErrors(lesson("Hi.\n"), siteYAML: "title: X\nbase_url: example.org\n") == [
                "Content/site.yml:2:11: error: base_url must be an absolute http(s) URL, found 'example.org'"
            ])
        #expect(
            buildErrors(lesson("Hi.\n"), siteYAML: "titel: X\n") == [
                "Content/site.yml:1:1: error: unknown field 'titel' in site.yml; expected one of title, description, "
                    + "author, language, base_url, model, data, markdown, footer, repository, repository_branch, "
                    + "repository_content, languages, deploy; did you mean 'title'?"
            ])
    }

    @Test func duplicateSlugs() {
        let errors = buildErrors(lesson("Hi.\n"), extra: ["02-test.md": lesson("Again.\n")])
        #expect(
            errors == [
                "Content/lessons/02-test.md:1:1: error: duplicate slug 'test': Content/lessons/01-test.md already uses "
                    + "it; rename one of the files"
            ])
    }

    @Test func notUTF8() {
        let site = FixtureSite(lessons: [:], trainCount: 16, testCount: 16)
        site.directory.write(
            "Content/lessons/01-bad.md", Data("---\ntitle: T\n---\ncaf\u{e9}".utf8.prefix(20) + [0xE9, 0x0A]))
        #expect(throws: BuildErrors.self) { try SiteBuilder(options: buildOptions(site)).build() }
        do { try SiteBuilder(options: buildOptions(site)).build() } catch {
            #expect(
                error.errors.map(\.description) == [
                    "\(site.content)/lessons/01-bad.md:4:4: error: the file is not UTF-8 text (invalid byte sequence); "
                        + "save it as UTF-8"
                ])
        }
    }

    @Test("BOM and CRLF line endings read like plain LF files, with the same positions")
    func bomAndCRLF() {
        let text = "\u{FEFF}---\r\ntitle: T\r\n---\r\n\r\n```viz cam\r\nlayer: nope\r\n```\r\n"
        #expect(
            buildErrors(text) == [
                "Content/lessons/01-test.md:6:8: error: models/tiny.yml has no layer 'nope'; expected one of "
                    + "conv2d_1, conv2d_2, max_pooling2d_1, dropout_1"
            ])
    }
}

@Suite("Errors where they are written")
struct ErrorPlacementTests {
    @Test("a misspelled front-matter model is one error at the front matter, whatever the figures")
    func frontMatterModel() {
        let text =
            "---\ntitle: T\nmodel: models/tinny.yml\n---\n\n```viz filters\nlayer: conv2d_1\n```\n\n"
            + "```viz cam\nimages: test[0]\n```\n"
        let errors = buildErrors(text)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.hasPrefix("Content/lessons/01-test.md:3:8: error:") == true, "\(errors)")
    }
}

extension ErrorPlacementTests {
    @Test("a front-matter error does not hide the other errors of the file")
    func frontMatterErrorKeepsTheBodyChecked() {
        let errors = buildErrors(
            "---\ntitle: T\nthumbnal: 2\n---\n\n```viz filters\nlayer: conv2d_9\n```\n\nSee {{fig:nowhere}}.\n")
        #expect(errors.count == 3, "\(errors)")
        #expect(errors.first { $0.contains(":3:1: error: unknown field 'thumbnal'") } != nil, "\(errors)")
        #expect(
            errors.first { $0.contains(":7:8: error: models/tiny.yml has no convolution layer 'conv2d_9'") } != nil,
            "\(errors)")
        #expect(errors.first { $0.contains(":10:5: error: no figure is labelled 'nowhere'") } != nil, "\(errors)")
    }
}

extension ErrorPlacementTests {
    @Test("a contrast asked of a map that ignores the target is an error at 'target', which check reports too")
    func contrastOfAClassBlindMap() throws {
        let text = lesson("```viz cam\nmethod: eigencam\ntarget: 9-4\n```\n")
        let expected = [
            "Content/lessons/01-test.md:9:9: error: eigencam does not depend on the target class, so it cannot "
                + "explain a contrast (a-b)"
        ]
        #expect(buildAndCheckErrors(text) == expected)
        #expect(buildErrors(lesson("```viz compare\nmethods: [gradcam, eigencam]\ntarget: 9-4\n```\n")) == expected)
    }
}

extension ErrorPlacementTests {
    @Test("an image index past its split's end is an error at the selector, which check reports too")
    func imageIndexOutOfRange() throws {
        let text = lesson("```viz saliency\nimages: \"test[0:2], test[60:70]\"\n```\n")
        let expected = [
            "Content/lessons/01-test.md:8:9: error: image selector 'test[60:70]' is out of range: it selects up to "
                + "index 69 but only 64 images match (0…63)"
        ]
        #expect(buildAndCheckErrors(text) == expected)
        #expect(buildErrors(lesson("```viz saliency\nimages: test[63]\n```\n")) == [])
    }
}
