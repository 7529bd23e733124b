import Foundation
import Testing
import TestSupport

/// Swift lines stay within 120 characters (`make format` wraps code; long strings are
/// split by hand). The colormap tables are data carried over from matplotlib, one row a line.
@Suite struct SourceLineLengthTests {
    @Test func sourceLinesFitIn120Characters() throws {
        let root = PackagePaths.path("Sources")
        let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".swift") && !$0.hasSuffix("Colormap+Tables.swift") }
        #expect(files.count > 100)
        var long: [String] = []
        for file in files {
            let text = try String(contentsOfFile: (root as NSString).appendingPathComponent(file), encoding: .utf8)
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.count > 120 {
                long.append("Sources/\(file):\(i + 1) (\(line.count))")
            }
        }
        #expect(long.isEmpty, "lines over 120 characters: \(long)")
    }
}
