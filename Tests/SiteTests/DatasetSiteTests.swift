import CNN
import Common
import Explain
import Foundation
import Render
import Testing
import TestSupport

@testable import Site

/// A site whose lessons select from an image folder of colour pictures, with a spec
/// trained on it: training, evaluation, selectors by split and class name, and the class
/// names in the figures.
@Suite("Datasets beyond MNIST", .serialized)
struct DatasetSiteTests {
    static let classes = ["blue", "green", "red"]

    static let spec = """
        name: colours
        input: [8, 8, 3]
        layers:
          - {type: Conv2D, filters: 4, kernel_size: 3, activation: relu}
          - {type: MaxPooling2D, pool_size: 2}
          - {type: Flatten}
          - {type: Dense, name: preds, units: 3, activation: softmax}
        training: {optimizer: adam, learning_rate: 0.01, batch_size: 8, epochs: 6, seed: 1}

        """

    /// `data/colours/<split>/<class>/NN.png`: 16×12 pictures whose class's channel is bright
    /// (blue, green, red sorted as the folders are; channel 2, 1, 0).
    static func writeColours(_ site: FixtureSite, train: Int = 10, val: Int = 4) {
        var random = SeededRandom(seed: 7)
        for (split, count) in [("train", train), ("val", val)] {
            for (k, name) in classes.enumerated() {
                let channel = 2 - k
                for i in 0..<count {
                    var pixels: [UInt8] = []
                    for _ in 0..<(16 * 12) {
                        for c in 0..<3 {
                            let base = c == channel ? 190.0 : 40.0
                            pixels.append(UInt8(base + Double(random.nextUnit()) * 60))
                        }
                        pixels.append(255)
                    }
                    site.directory.write(
                        "Content/data/colours/\(split)/\(name)/\(String(format: "%02d", i)).png",
                        PNG.encode(RGBAImage(width: 16, height: 12, pixels: pixels)))
                }
            }
        }
    }

    static let lesson = """
        ---
        title: Colours
        model: models/colours.yml
        data: data/colours
        ---

        {{test_accuracy}} of {{test_images}} held-out pictures; trained on {{train_images}}.

        ```viz samples
        images: val.class(green)[0:2], train[0]
        predictions: true
        ```

        ```viz predictions
        images: test[0]
        ```

        ```viz confusion-matrix
        ```

        ```viz model-metrics
        ```

        ```viz cam
        images: val.class(2)[0:2]
        layer: conv2d_1
        ```

        ```viz mean-heatmaps
        method: vanilla
        count: 2
        ```

        """

    @Test("an image folder trains a spec, and lessons select, evaluate and label by its splits and classes")
    func imageFolderSite() throws {
        let site = FixtureSite(lessons: ["01-colours.md": Self.lesson])
        site.directory.write("Content/models/colours.yml", Self.spec)
        Self.writeColours(site)
        let report = try SiteBuilder(options: buildOptions(site)).build()
        #expect(report.figures.count == 7)
        // Trained once on the folder's train split and cached.
        let trained = try FileManager.default.contentsOfDirectory(atPath: site.directory.file(".vizsite/models"))
        #expect(trained.filter { $0.hasPrefix("colours-") && $0.hasSuffix(".safetensors") }.count == 1)
        let page = try String(contentsOfFile: site.directory.file("Output/colours/index.html"), encoding: .utf8)
        // Held out: val (there is no test split); 3 classes × 4 pictures, trained on 3 × 10.
        #expect(page.contains(" of 12 held-out pictures; trained on 30."))
        #expect(page.contains("Confusion matrix of the 12 val images"))
        #expect(page.contains("How well colours does on the 12 val images."))
        // Class names label the figures.
        #expect(page.contains("val[4]"))  // val.class(green)[0]: green is class 1, after 4 blue pictures
        #expect(page.contains(">green"))
        #expect(page.contains("label 2 (red)"))

        // The confusion matrix counts every val picture once.
        let figures = try FileManager.default.contentsOfDirectory(atPath: site.output + "/figures")
        let matrixFile = try #require(figures.first { $0.hasPrefix("confusion-matrix-") && $0.hasSuffix(".json") })
        let matrix =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: site.output + "/figures/" + matrixFile))) as! [String: Any]
        let counts = try #require(matrix["counts"] as? [[Int]])
        #expect(counts.count == 3 && counts.map { $0.reduce(0, +) } == [4, 4, 4])

        // Samples are drawn in colour: the green picture's green channel is the bright one.
        let samples = figures.filter { $0.hasPrefix("sample-") && $0.hasSuffix(".png") }.sorted()
        #expect(samples.count == 3)
        var greenest = false
        for file in samples {
            let image = try PNG.read(path: site.output + "/figures/" + file)
            let (r, g, b) = (image.pixels[0], image.pixels[1], image.pixels[2])
            if g > r + 80 && g > b + 80 { greenest = true }
        }
        #expect(greenest)

        // A second build recomputes nothing; changing one picture changes the data's key.
        let again = try SiteBuilder(options: buildOptions(site)).build()
        #expect(again.misses == 0)
    }

    /// What GradientSHAP draws its references from: the train split's images (here all
    /// 30, fewer than `GradientSHAP.backgroundSize`), as the model takes them, read only
    /// when asked; the held-out split never.
    @Test("GradientSHAP's references are the train split's images, evenly spaced")
    func gradientSHAPBackground() throws {
        let site = FixtureSite(lessons: [:])
        Self.writeColours(site)
        let data = ModelData(
            try DatasetFolder(path: site.directory.file("Content/data/colours")), name: "data/colours",
            shape: [8, 8, 3], normalization: .standard)
        let references = try #require(data.background.images)
        let train = try data.inputs("train").images
        #expect(references.shape == [30, 8, 8, 3] && references.scalars == train.scalars)
        let spaced = BackgroundImages.evenlySpaced(train, count: 4)
        #expect(spaced.shape == [4, 8, 8, 3])
        #expect(spaced.samples(1..<2).scalars == train.samples(7..<8).scalars)  // 1 · 30 / 4 = 7
        // A folder without a train split has none (GradientSHAP then uses a black image).
        try FileManager.default.removeItem(atPath: site.directory.file("Content/data/colours/train"))
        let heldOutOnly = ModelData(
            try DatasetFolder(path: site.directory.file("Content/data/colours")), name: "data/colours",
            shape: [8, 8, 3], normalization: .standard)
        #expect(heldOutOnly.background.images == nil)
    }

    @Test("a split, class or folder the data lacks is an error at the option that names it")
    func dataErrors() throws {
        func errors(_ directive: String, train: Int = 2) -> [String] {
            let site = FixtureSite(
                lessons: [
                    "01-test.md": "---\ntitle: T\nmodel: models/colours.yml\ndata: data/colours\n---\n\n" + directive
                ],
                trainCount: 64, testCount: 32)
            site.directory.write("Content/models/colours.yml", Self.spec)
            Self.writeColours(site, train: train, val: 1)
            do {
                try SiteBuilder(options: buildOptions(site)).build()
                return []
            } catch {
                return error.errors.map { $0.description.replacingOccurrences(of: site.content, with: "Content") }
            }
        }
        #expect(
            errors("```viz samples\nimages: vla[0]\n```\n") == [
                "Content/lessons/01-test.md:8:9: error: unknown image selector 'vla[0]': the data has no split 'vla'; "
                    + "it has train, val; did you mean 'val[0]'?"
            ])
        #expect(
            errors("```viz samples\nimages: val.class(cat)[0]\n```\n") == [
                "Content/lessons/01-test.md:8:9: error: no class 'cat' in 'val.class(cat)[0]'; the classes are blue, "
                    + "green, red"
            ])
        #expect(
            errors("```viz samples\nimages: val.class(red)[0:2]\n```\n") == [
                "Content/lessons/01-test.md:8:9: error: image selector 'val.class(red)[0:2]' is out of range: it "
                    + "selects up to index 1 but only 1 image match (0…0)"
            ])
        #expect(
            errors("```viz samples\ndata: data/colors\nimages: val[0]\n```\n") == [
                "Content/lessons/01-test.md:8:7: error: cannot use 'data/colors' as data: no such folder; "
                    + "did you mean 'data/colours'?"
            ])
        // Training needs a train split.
        #expect(
            errors("```viz samples\nimages: val[0]\npredictions: true\n```\n", train: 0) == [
                "Content/lessons/01-test.md:7:1: error: cannot train colours: data/colours has no train split "
                    + "(it has val)"
            ])
    }
}
