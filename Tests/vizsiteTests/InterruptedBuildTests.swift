import Common
import CNN
import Foundation
import Testing
import TestSupport

/// A build killed at any moment leaves either the previous complete site or the new
/// complete site in Output/ — never a mixture, never nothing — and the next build works.
@Suite struct InterruptedBuildTests {
    static func lesson(_ variant: String) -> String {
        "---\ntitle: Variant \(variant)\n---\n\nText \(variant).\n\n```viz cam\nimages: test[0:2]\ncaption: variant "
            + "\(variant)\n```\n\n```viz samples\nimages: test[0:6]\n```\n"
    }

    @Test("20 builds killed at random moments")
    func killedBuilds() throws {
        let site = FixtureSite(lessons: ["01-one.md": Self.lesson("A")], trainCount: 256, testCount: 32)
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
            "vizsite"
        ).path
        #expect(try runVizsite(["build"], in: site.root).status == 0)
        let treeA = FixtureSite.tree(site.output)
        site.directory.write("Content/lessons/01-one.md", Self.lesson("B"))
        let start = Date()
        #expect(try runVizsite(["build", "--clean"], in: site.root).status == 0)
        let duration = Date().timeIntervalSince(start)
        let treeB = FixtureSite.tree(site.output)
        #expect(treeA != treeB)

        var random = SeededRandom(seed: 42)
        var variant = "A"
        for trial in 0..<20 {
            site.directory.write("Content/lessons/01-one.md", Self.lesson(variant))
            let process = try ChildProcess(binary, ["build", "--clean"], in: site.root)
            Thread.sleep(forTimeInterval: Double(random.nextUnit()) * duration * 1.2)
            process.send(SIGKILL)
            _ = process.wait()
            let tree = FixtureSite.tree(site.output)
            #expect(tree == treeA || tree == treeB, "trial \(trial): Output/ is neither complete site")
            // The next build succeeds and gives the site of the content on disk.
            #expect(try runVizsite(["build"], in: site.root).status == 0)
            #expect(FixtureSite.tree(site.output) == (variant == "A" ? treeA : treeB), "trial \(trial)")
            variant = variant == "A" ? "B" : "A"
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: site.root).filter { $0.contains("staging") }
        #expect(leftovers.isEmpty, "staging folders of killed builds are cleaned up")
    }
}
