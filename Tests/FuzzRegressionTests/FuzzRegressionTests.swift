import Foundation
import FuzzTargets
import Testing
import TestSupport

/// Replays every seed and every input that once broke a fuzz target (`Fuzz/Seeds/<target>/`,
/// `Fuzz/Regressions/<target>/`): each must now run through without trapping.
@Suite struct FuzzRegressionTests {
    static let cases: [String] = {
        let fuzz = URL(fileURLWithPath: PackagePaths.path("Fuzz"))
        var files: [String] = []
        for folder in ["Seeds", "Regressions"] {
            for target in FuzzTargets.all.map(\.name) {
                let dir = fuzz.appendingPathComponent(folder).appendingPathComponent(target)
                let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
                files += names.filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/\(target)/\($0)" }
            }
        }
        return files
    }()

    @Test func everyTargetHasSeeds() {
        for target in FuzzTargets.all.map(\.name) {
            #expect(Self.cases.contains { $0.hasPrefix("Seeds/\(target)/") }, "no seed inputs for \(target)")
        }
    }

    @Test(arguments: cases) func replays(_ input: String) throws {
        let target = input.split(separator: "/")[1]
        let run = try #require(FuzzTargets.named(String(target)))
        let data = try Data(contentsOf: URL(fileURLWithPath: PackagePaths.path("Fuzz/" + input)))
        run(data)
    }
}
