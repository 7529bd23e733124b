import Foundation
import Testing
import TestSupport
@testable import Site

/// The diagnosis figure: contrast map, intervention, random control, verdict.
@Suite("Diagnosis of decisions")
struct DiagnosisSiteTests {
    @Test("every image gets a verdict its numbers support; the counts add up; prose quotes them")
    func diagnosisFigure() throws {
        let text = lesson(
            "```viz diagnosis\nlabel: diag\nmethod: input-x-gradient\nimages: test[0:4]\npixels: 30\ncontrols: 3\n"
                + "```\n\nTurned {{fig:diag.turned}} of 4.\n")
        let files = try builtFiles(text)
        let pages = files.filter { $0.key.hasSuffix("index.html") }.map { String(decoding: $0.value, as: UTF8.self) }
        let page = try #require(pages.first { $0.contains("data-directive=\"diagnosis\"") })
        #expect(htmlProblems(page) == [])
        let json = try rawValues(files, prefix: "figures/diagnosis-")
        #expect(json["method"] as? String == "input-x-gradient" && json["budget"] as? Int == 30)
        let images = try #require(json["images"] as? [[String: Any]])
        #expect(images.count == 4)
        var turned = 0
        for image in images {
            let predicted = try #require(image["predicted"] as? Int), rival = try #require(image["rival"] as? Int)
            #expect(predicted != rival)
            let changed = try #require(image["changed"] as? Int)
            #expect(changed == (image["erased"] as! Int) + (image["painted"] as! Int) && changed <= 30)
            #expect((image["random_pixels_needed"] as? [Any])?.count == 3)
            let curve = try #require(image["rival_curve"] as? [Double])
            #expect(curve.count >= changed + 1 && curve.count <= 31)
            let verdict = try #require(image["verdict"] as? String)
            if let needed = image["pixels_needed"] as? Int {
                turned += 1
                #expect(needed == changed && image["predicted_after"] as? Int == rival && verdict != "not-localized")
            } else {
                #expect(verdict == "not-localized")
            }
        }
        #expect(json["turned"] as? Int == turned)
        let counts = try #require(json["verdicts"] as? [[String: Any]]).compactMap { $0["count"] as? Int }
        #expect(counts.reduce(0, +) == 4)
        #expect(page.contains("Turned \(turned) of 4."))
    }

    @Test("a sensitivity map is not a diagnosis method: an error at 'method' that names those that are")
    func sensitivityMapsAreRefused() {
        let errors = buildErrors(lesson("```viz diagnosis\nmethod: vanilla\n```\n"), checkOnly: true)
        #expect(errors.count == 1 && errors[0].hasPrefix("Content/lessons/01-test.md:8:9: error:"), "\(errors)")
        #expect(errors.first?.contains("integrated-gradients") == true, "\(errors)")
    }
}
