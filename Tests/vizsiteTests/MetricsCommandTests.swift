import Foundation
import Testing
import TestSupport

/// `vizsite metrics`, run as a script runs it, on the imported Keras model (no training).
@Suite struct MetricsCommandTests {
    static let model = PackagePaths.path("Tests/CNNTests/Fixtures/import/sequential-mnist-keras3.h5")

    @Test func tableAndJSON() throws {
        let folder = TemporaryDirectory()
        let out = folder.file("metrics.json")
        let result = try runVizsite(
            [
                "metrics", Self.model, "--images", "test[0:4]", "--methods", "input-x-gradient,random",
                "--metrics", "Sparseness,Completeness,RandomLogit", "--json", out,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let header = try #require(result.stdout.split(separator: "\n").first)
        #expect(header.contains("Sparseness ↑") && header.contains("Completeness ↓"))
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any])
        let methods = try #require(json["methods"] as? [String: [String: [String: Any]]])
        let sparseness = try #require(methods["input-x-gradient"]?["Sparseness"]?["mean"] as? Double)
        #expect(sparseness > 0 && sparseness < 1)
        #expect(methods["random"]?["Completeness"]?["count"] as? Int == 4)
        // The mean's 95 % interval: Student's t for 3 degrees of freedom times std / √4.
        let entry = try #require(methods["input-x-gradient"]?["Sparseness"])
        let (std, ci) = (try #require(entry["std"] as? Double), try #require(entry["ci95"] as? Double))
        #expect(abs(ci - 3.1824 * std / 2) < 1e-6 * max(1, ci))
        // Input × gradient of a ReLU network with zero baseline is far more complete than noise.
        let gradientGap = try #require(methods["input-x-gradient"]?["Completeness"]?["mean"] as? Double)
        let randomGap = try #require(methods["random"]?["Completeness"]?["mean"] as? Double)
        #expect(gradientGap < randomGap)
        let metrics = try #require(json["metrics"] as? [String: [String: Any]])
        #expect(metrics["Sparseness"]?["higher_is_better"] as? Bool == true)
        #expect(json["image_count"] as? Int == 4)
    }

    /// `--images` takes the lessons' selectors: the first two 7s of the test set are test[0]
    /// and test[17], and score as those two do.
    @Test func imagesOfOneClass() throws {
        func sparseness(_ images: String) throws -> Double {
            let folder = TemporaryDirectory()
            let out = folder.file("m.json")
            let result = try runVizsite(
                [
                    "metrics", Self.model, "--images", images, "--methods", "input-x-gradient", "--metrics",
                    "Sparseness",
                    "--json", out,
                ])
            #expect(result.status == 0, "\(result.stderr)")
            let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out)))
            let methods = (json as? [String: Any])?["methods"] as? [String: [String: [String: Any]]]
            return try withExtendedLifetime(folder) {
                try #require(methods?["input-x-gradient"]?["Sparseness"]?["mean"] as? Double)
            }
        }
        let sevens = try sparseness("test.class(7)[0:2]")
        let expected = (try sparseness("test[0]") + sparseness("test[17]")) / 2
        #expect(abs(sevens - expected) < 1e-12)
        let out = try runVizsite(["metrics", Self.model, "--images", "test.class(12)[0:1]"])
        #expect(out.status != 0 && out.stderr.contains("class 12 is out of range; the model has classes 0…9"))
    }

    @Test func unknownNamesAreRefusedWithSuggestions() throws {
        let metric = try runVizsite(["metrics", Self.model, "--metrics", "Sparsenes"])
        #expect(metric.status != 0 && metric.stderr.contains("unknown metric 'Sparsenes'; did you mean 'Sparseness'?"))
        let images = try runVizsite(["metrics", Self.model, "--images", "test[5:2]"])
        #expect(images.status != 0 && images.stderr.contains("is empty"))
    }
}
