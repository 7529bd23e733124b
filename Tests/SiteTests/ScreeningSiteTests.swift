import Foundation
import Testing
import TestSupport
@testable import Site

/// The screening figure: every class's shares, z-scores and flags, from its maps alone.
@Suite("Screening classes")
struct ScreeningSiteTests {
    @Test("every class has its shares and z-scores; the flags and the note agree; prose quotes a class")
    func screeningFigure() throws {
        let text = lesson(
            "```viz screening\nlabel: scr\nmethod: input-x-gradient\ncount: 3\n```\n\n"
                + "Seven: {{fig:scr.classes[class=7].outside | 0%}}.\n")
        let files = try builtFiles(text)
        let pages = files.filter { $0.key.hasSuffix("index.html") }.map { String(decoding: $0.value, as: UTF8.self) }
        let page = try #require(pages.first { $0.contains("data-directive=\"screening\"") })
        #expect(htmlProblems(page) == [])
        let json = try rawValues(files, prefix: "figures/screening-")
        #expect(json["count_per_class"] as? Int == 3 && json["flag_above"] as? Double == 3.5)
        let classes = try #require(json["classes"] as? [[String: Any]])
        #expect(classes.map { $0["class"] as? Int } == Array(0..<10))
        var flagged: [Int] = []
        for c in classes {
            let outside = try #require(c["outside"] as? Double), peak = try #require(c["peak"] as? Double)
            #expect((0...1).contains(outside) && (0...1).contains(peak))
            #expect((1...3).contains(c["count"] as? Int ?? 0))
            let marks = try #require(c["flagged"] as? [String])
            #expect(marks.contains("outside") == ((c["outside_z"] as! Double) > 3.5))
            #expect(marks.contains("peak") == ((c["peak_z"] as! Double) > 3.5))
            if !marks.isEmpty { flagged.append(c["class"] as! Int) }
        }
        #expect(json["flagged"] as? [Int] == flagged)
        #expect(page.contains(flagged.isEmpty ? "no class flagged" : "flagged (⚑)"))
        let seven = classes[7]["outside"] as! Double
        #expect(page.contains("Seven: \(Int((seven * 100).rounded()))%."))
    }
}
