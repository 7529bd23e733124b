import CNN
import Foundation
import Render
import Testing
import TestSupport
@testable import Site

/// Malformed input of every kind: each gives its clear error at the place to fix, the
/// build fails, and no output is written (`buildErrors` checks that).
@Suite("Bad input")
struct BadInputTests {
    /// (what, lesson body after front matter, expected error: its position and a fragment).
    static let directiveCases: [(String, String, String, String)] = [
        ("broken YAML in a directive", "```viz cam\nimages: [test[0]\n```\n", "01-test.md:8:14", "invalid YAML"),
        ("options that are a list", "```viz cam\n- gradcam\n```\n", "01-test.md:8:1", "expected a mapping of options"),
        (
            "viz without a name", "```viz\nlayer: conv2d_2\n```\n", "01-test.md:7:1",
            "a viz block needs a directive name"
        ),
        ("words after the name", "```viz cam big\n```\n", "01-test.md:7:1", "unexpected 'big' after 'viz cam'"),
        (
            "a boolean that is not", "```viz cam\nshared: maybe\n```\n", "01-test.md:8:9",
            "expected true or false, found 'maybe'"
        ),
        (
            "a number out of range", "```viz cam\nalpha: 2\n```\n", "01-test.md:8:8",
            "alpha must be between 0.0 and 1.0, found 2.0"
        ),
        ("an unknown colormap", "```viz cam\ncolormap: viridiss\n```\n", "01-test.md:8:11", "did you mean 'viridis'?"),
        (
            "an unknown saliency method", "```viz saliency\nmethod: smothgrad\n```\n", "01-test.md:8:9",
            "did you mean 'smoothgrad'?"
        ),
        ("an unknown target", "```viz cam\ntarget: predicated\n```\n", "01-test.md:8:9", "did you mean 'predicted'?"),
        (
            "several images for feature-maps", "```viz feature-maps\nimage: test[0:3]\n```\n", "01-test.md:8:8",
            "feature-maps shows one image"
        ),
        (
            "maximize on a flatten layer", "```viz maximize\nlayer: flatten_1\n```\n", "01-test.md:8:8",
            "maximize needs a convolution or dense layer"
        ),
        (
            "an empty image list", "```viz samples\nimages: []\n```\n", "01-test.md:8:9",
            "images needs at least one image selector"
        ),
        (
            "too few misclassified digits", "```viz samples\nimages: test.misclassified[0:60]\n```\n", "01-test.md:8:9",
            "is out of range"
        ),
        (
            "a missing PNG", "```viz samples\nimages: images/nope.png\n```\n", "01-test.md:8:9",
            "images/nope.png: not a readable PNG image"
        ),
        (
            "an unknown value in prose", "The accuracy is {{acuracy}}.\n", "01-test.md:7:17",
            "did you mean '{{test_accuracy}}'?"
        ),
        (
            "a filter channel out of range", "```viz filters\nlayer: conv2d_2\nchannel: 4\n```\n", "01-test.md:9:10",
            "channel must be between 0 and 3, found 4"
        ),
        (
            "an option of another directive", "```viz samples\nmethod: gradcam\n```\n", "01-test.md:8:1",
            "unknown option 'method' for directive 'samples'"
        ),
        (
            "a negative index", "```viz samples\nimages: test[-1]\n```\n", "01-test.md:8:9",
            "expected [index] or [start:end]"
        ),
        (
            "an unknown preprocessing", "```viz saliency\nimages: images/a.png\npreprocess: mnits\n```\n",
            "01-test.md:9:13",
            "did you mean 'mnist'?"
        ),
        (
            "a CAM method with no convolution named",
            "```viz compare\nmethods: [vanilla, gradcam]\nlayer: dense_1\n```\n",
            "01-test.md:9:8", "layer 'dense_1' (Dense) outputs [16], not an [h, w, c] image"
        ),
        (
            "an occlusion patch larger than the image", "```viz occlusion\npatch: 29\n```\n", "01-test.md:8:8",
            "patch must be between 1 and 28, found 29"
        ),
    ]

    @Test("malformed directives", arguments: directiveCases.indices)
    func directive(_ index: Int) {
        let (what, body, position, fragment) = Self.directiveCases[index]
        // Which digits the model gets wrong is known once it is trained: only a build can say.
        let errors = buildErrors(
            lesson(body), buildOnly: what == "too few misclassified digits" ? "needs the trained model" : nil)
        #expect(errors.count == 1, "\(what): \(errors)")
        #expect(errors.first?.hasPrefix("Content/lessons/" + position + ": error: ") == true, "\(what): \(errors)")
        #expect(errors.first?.contains(fragment) == true, "\(what): \(errors)")
    }

    /// (what, file name → bytes written into Content/, expected position prefix, fragment).
    static let fileCases: [(String, [String: Data], String, String)] = [
        ("an empty PNG", ["images/x.png": Data()], "01-test.md:8:9", "images/x.png: not a readable PNG image"),
        (
            "a truncated PNG", ["images/x.png": PNG.encode(RGBAImage(width: 40, height: 40, fill: .white)).prefix(60)],
            "01-test.md:8:9", "not a readable PNG image"
        ),
        (
            "a PNG declaring 100000×100000 pixels", ["images/x.png": hugePNG()], "01-test.md:8:9",
            "at most 8192 per side and 16777216 pixels in all"
        ),
        (
            "a text file named .png", ["images/x.png": Data("hello\n".utf8)], "01-test.md:8:9",
            "not a readable PNG image"
        ),
    ]

    static func hugePNG() -> Data {
        var data = [UInt8](PNG.encode(RGBAImage(width: 2, height: 2, fill: .white)))
        // IHDR width and height (bytes 16–23), and the chunk's CRC (type + data, bytes 12–28).
        data.replaceSubrange(16..<24, with: [0, 1, 0x86, 0xA0, 0, 1, 0x86, 0xA0])
        let crc = crc32(data[12..<29])
        data.replaceSubrange(
            29..<33, with: [UInt8(crc >> 24), UInt8(crc >> 16 & 255), UInt8(crc >> 8 & 255), UInt8(crc & 255)])
        return Data(data)
    }

    /// CRC-32 (ISO 3309), as PNG chunks use it.
    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
        }
        return ~crc
    }

    @Test("bad image files", arguments: fileCases.indices)
    func imageFile(_ index: Int) {
        let (what, files, position, fragment) = Self.fileCases[index]
        let site = FixtureSite(
            lessons: ["01-test.md": lesson("```viz samples\nimages: images/x.png\n```\n")], trainCount: 64,
            testCount: 16)
        for (name, data) in files { site.directory.write("Content/\(name)", data) }
        let errors = errors(of: site)
        #expect(errors.count == 1, "\(what): \(errors)")
        #expect(errors.first?.hasPrefix("Content/lessons/" + position + ": error: ") == true, "\(what): \(errors)")
        #expect(errors.first?.contains(fragment) == true, "\(what): \(errors)")
    }

    func errors(of site: FixtureSite) -> [String] {
        do {
            try SiteBuilder(options: buildOptions(site)).build()
            return []
        } catch {
            #expect(!FileManager.default.fileExists(atPath: site.output))
            return error.errors.map { $0.description.replacingOccurrences(of: site.content, with: "Content") }
        }
    }

    @Test("an image reached through a symlink out of Content/ is refused")
    func symlinkOut() throws {
        let site = FixtureSite(
            lessons: ["01-test.md": lesson("```viz samples\nimages: images/link.png\n```\n")], trainCount: 64,
            testCount: 16)
        site.directory.write("outside.png", PNG.encode(RGBAImage(width: 28, height: 28, fill: .white)))
        try FileManager.default.createDirectory(
            atPath: site.directory.file("Content/images"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: site.directory.file("Content/images/link.png"),
            withDestinationPath: site.directory.file("outside.png"))
        #expect(
            errors(of: site) == [
                "Content/lessons/01-test.md:8:9: error: path 'images/link.png' leads out of the content folder "
                    + "Content/ through a symbolic link"
            ])
    }

    /// Weights files that cannot be used, named in the spec.
    static let weightsCases: [(String, @Sendable (FixtureSite) throws -> Void, String)] = [
        ("missing", { _ in }, "cannot read weights"),
        (
            "garbage", { $0.directory.write("Content/models/w.safetensors", Data(repeating: 0xAB, count: 100)) },
            "not a valid safetensors file"
        ),
        (
            "NaN-filled",
            { site in
                var model = try ModelSpec.parse(FixtureSite.tinySpec, file: "t").model
                model.parameters.values = model.parameters.values.map { _ in .nan }
                try model.saveWeights(path: site.directory.file("Content/models/w.safetensors"))
            }, "contains NaN or infinite values"
        ),
        (
            "of another shape",
            { site in
                try tinyModel(filters: (5, 6)).saveWeights(path: site.directory.file("Content/models/w.safetensors"))
            }, "conv2d_1/kernel"
        ),
    ]

    @Test("unusable committed weights", arguments: weightsCases.indices)
    func weights(_ index: Int) throws {
        let (what, setup, fragment) = Self.weightsCases[index]
        let site = FixtureSite(
            lessons: ["01-test.md": lesson("```viz predictions\n```\n")], trainCount: 64, testCount: 16)
        site.directory.write("Content/models/tiny.yml", FixtureSite.tinySpec + "weights: models/w.safetensors\n")
        try setup(site)
        let errors = errors(of: site)
        #expect(errors.count == 1, "\(what): \(errors)")
        #expect(errors.first?.hasPrefix("Content/lessons/01-test.md:7:1: error: ") == true, "\(what): \(errors)")
        #expect(errors.first?.contains(fragment) == true, "\(what): \(errors)")
    }

    @Test("content and theme problems")
    func contentAndTheme() throws {
        #expect(
            buildErrors("") == [
                "Content/lessons/01-test.md:1:1: error: the lesson is empty; it needs front matter with at least a "
                    + "title"
            ])
        #expect(
            buildErrors("---\nsummary: x\n---\n") == [
                "Content/lessons/01-test.md:2:1: error: the front matter is missing the required field 'title'"
            ])
        #expect(
            buildErrors("---\ntitle: T\nthumbnail: 0\n---\n") == [
                "Content/lessons/01-test.md:3:12: error: thumbnail is a figure number, 1 or more"
            ])
        #expect(
            buildErrors("---\ntitle: T\ndraft: sometimes\n---\n") == [
                "Content/lessons/01-test.md:3:8: error: expected true or false, found 'sometimes'"
            ])

        let noSite = FixtureSite(lessons: ["01-a.md": "---\ntitle: A\n---\n"], trainCount: 16, testCount: 16)
        try FileManager.default.removeItem(atPath: noSite.directory.file("Content/site.yml"))
        #expect(errors(of: noSite) == ["Content/site.yml: error: cannot read file: no such file"])

        let badTheme = FixtureSite(lessons: ["01-a.md": "---\ntitle: A\n---\n"], trainCount: 16, testCount: 16)
        badTheme.directory.write("Theme/templates/lesson.mustache", "<article>\n{{#page}}{{title}}\n</article>\n")
        try FileManager.default.removeItem(atPath: badTheme.directory.file("Theme/templates/404.mustache"))
        let themeErrors = errors(of: badTheme).map { $0.replacingOccurrences(of: badTheme.theme, with: "Theme") }
        #expect(themeErrors.count == 2, "\(themeErrors)")
        #expect(
            themeErrors.contains {
                $0.hasPrefix("Theme/templates/lesson.mustache:") && $0.contains("template syntax error")
            })
        #expect(themeErrors.contains("Theme/templates: error: the theme has no template '404.mustache'"))
    }

    @Test("a lesson's model: that leaves Content/ is one error, at its front matter line")
    func frontMatterModelOutside() {
        let text =
            "---\ntitle: T\nmodel: ../../outside.onnx\n---\n\n```viz predictions\n```\n\n```viz summary\n```\n\n"
            + "Accuracy {{test_accuracy}}.\n"
        let site = FixtureSite(lessons: ["01-test.md": text], trainCount: 16, testCount: 16)
        #expect(
            errors(of: site) == [
                "Content/lessons/01-test.md:3:8: error: path '../../outside.onnx' leaves the content folder Content/"
            ])
    }

    @Test("a lesson, a theme asset or a template that links out of its folder is refused, naming it")
    func sourcesLinkedOut() throws {
        let site = FixtureSite(lessons: ["01-a.md": "---\ntitle: A\n---\n"], trainCount: 16, testCount: 16)
        let secret = site.directory.write("secret.txt", "root:x:0:0:root:/root:/bin/bash\n")
        let fm = FileManager.default
        try fm.createSymbolicLink(
            atPath: site.directory.file("Content/lessons/02-leak.md"), withDestinationPath: secret)
        try fm.createSymbolicLink(atPath: site.directory.file("Theme/assets/leak.css"), withDestinationPath: secret)
        let found = errors(of: site).map { $0.replacingOccurrences(of: site.theme, with: "Theme") }
        #expect(
            found.contains(
                "Content/lessons/02-leak.md: error: the file leads out of Content through a symbolic link; vizsite reads "
                    + "only inside it"), "\(found)")
        #expect(found.contains { $0.hasPrefix("Theme/assets/leak.css: error: the file leads out of ") }, "\(found)")
        #expect(!fm.fileExists(atPath: site.output))
    }

    /// A model with fewer outputs than the data has classes was evaluated on it, and with
    /// unchecked release arithmetic the per-class counts were written outside their buffer
    /// (heap corruption). It is now an error at check time, where the model is named.
    @Test("a model with fewer classes than its data is an error before anything runs")
    func fewerClassesThanTheData() {
        let five = FixtureSite.tinySpec.replacingOccurrences(of: "units: 10", with: "units: 5")
            .replacingOccurrences(of: "dataset: mnist", with: "dataset: images")
        let text =
            "---\ntitle: T\nmodel: models/five.yml\n---\n\nAccuracy {{test_accuracy}}.\n\n```viz predictions\n```\n"
        let site = FixtureSite(lessons: ["01-test.md": text], trainCount: 16, testCount: 16)
        site.directory.write("Content/models/five.yml", five)
        #expect(
            errors(of: site) == [
                "Content/lessons/01-test.md:3:8: error: models/five.yml predicts 5 classes, but data/mnist has 10; "
                    + "give the lesson data: with the model's own classes"
            ])
    }

    /// `vizsite check` finds what `build` would refuse, for every file a lesson names.
    @Test("check reads pictures and linked files as build does: out of Content/, missing, CMYK; links to no lesson")
    func checkFindsWhatBuildRefuses() throws {
        let text = """
            ---
            title: T
            ---

            ```viz samples
            images: ../../../../etc/passwd.png
            ```

            ```viz samples
            images: images/missing.png
            ```

            ```viz samples
            images: images/c.jpg
            ```

            See [x](sub/x.md), [y](../../etc/passwd.md), ![m](images/missing.png) and [p](images/../../../../etc/passwd).

            """
        let site = FixtureSite(lessons: ["01-test.md": text], trainCount: 16, testCount: 16)
        // A CMYK JPEG: libjpeg-turbo's header with the Adobe marker a CMYK file carries.
        site.directory.write("Content/images/c.jpg", TestImages.cmykJPEG)
        var options = buildOptions(site)
        options.checkOnly = true
        let found: [String]
        do {
            try SiteBuilder(options: options).build()
            found = []
        } catch {
            found = error.errors.map { $0.description.replacingOccurrences(of: site.content, with: "Content") }
        }
        let expected = [
            "Content/lessons/01-test.md:6:9: error: path '../../../../etc/passwd.png' leaves the content folder Content/",
            "Content/lessons/01-test.md:10:9: error: Content/images/missing.png: not a readable PNG image: no such file "
                + "or not readable",
            "Content/lessons/01-test.md:14:9: error: Content/images/c.jpg: the JPEG is CMYK (a print colour space); save "
                + "it as RGB or grayscale",
            "Content/lessons/01-test.md:17:9: error: link to 'sub/x.md', which is not a lesson of this site",
            "Content/lessons/01-test.md:17:24: error: link to '../../etc/passwd.md', which is not a lesson of this site",
            "Content/lessons/01-test.md:17:51: error: link to 'images/missing.png': cannot read file: no such file",
        ]
        for line in expected { #expect(found.contains(line), "missing: \(line)\nfound: \(found)") }
        #expect(found.contains { $0.contains("'images/../../../../etc/passwd' leaves the content folder") }, "\(found)")
        #expect(!FileManager.default.fileExists(atPath: site.output))
    }
}
