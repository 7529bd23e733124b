import Common
import Foundation
import Testing
import TestSupport

/// What vizsite writes and reads is typed: no `[String: Any]` (nor `[String: [String: Any]]`)
/// in Sources — JSON is written from Encodable values and read as `JSONValue`.
@Suite struct UntypedJSONTests {
    @Test func noStringAnyDictionariesInSources() throws {
        let root = PackagePaths.path("Sources")
        let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? [])
            .filter { $0.hasSuffix(".swift") }
        #expect(files.count > 100)
        var found: [String] = []
        for file in files {
            let text = try String(contentsOfFile: (root as NSString).appendingPathComponent(file), encoding: .utf8)
            for (i, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
            where line.contains("String: Any]") {
                found.append("Sources/\(file):\(i + 1)")
            }
        }
        #expect(found.isEmpty, "untyped dictionaries: \(found)")
    }

    @Test func jsonValuesKeepTheirTypes() throws {
        let parsed = try JSONValue.parse(Data(#"{"a": [1, true, 0.5, "x", null], "b": {"c": -2e3}}"#.utf8))
        #expect(parsed == ["a": [1, true, 0.5, "x", nil], "b": ["c": -2000]])
        #expect(parsed["a"] == .array([.number(1), .bool(true), .number(0.5), .string("x"), .null]))
        #expect(parsed["b"]?["c"] == .number(-2000) && parsed["z"] == nil && parsed["a"]?["c"] == nil)
        #expect(try JSONValue.parse(Data("false".utf8)) == .bool(false))
        #expect(throws: (any Error).self) { try JSONValue.parse(Data("{".utf8)) }
    }
}
