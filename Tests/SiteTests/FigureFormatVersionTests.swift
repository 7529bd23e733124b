import Common
import Foundation
import Testing
import TestSupport

@testable import Site

/// Keeps `FigureCache.formatVersion` honest, as `ComputeVersionTests` does the compute
/// version: cached figures drawn by older code must not be reused after it changes.
@Suite struct FigureFormatVersionTests {
    static func drawingCodeDigest() -> String {
        var hash = SHA256()
        for folder in ["Sources/Site/Directives", "Sources/Site/Playground", "Sources/Render/SVG"] {
            let root = PackagePaths.path(folder)
            let files = (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).sorted()
            for file in files where file.hasSuffix(".swift") {
                hash.update("\(folder)/\(file)\n")
                let text =
                    (try? String(contentsOfFile: (root as NSString).appendingPathComponent(file), encoding: .utf8))
                    ?? ""
                // Whole-line comments and blank lines draw nothing.
                for line in text.split(separator: "\n") {
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    if trimmed.isEmpty || trimmed.hasPrefix("//") { continue }
                    hash.update(line + "\n")
                }
            }
        }
        return hash.finalize()
    }

    @Test func drawingCodeMatchesTheReviewedDigest() {
        let digest = Self.drawingCodeDigest()
        #expect(
            digest == FigureCache.reviewedDigest,
            """
            Sources/Site/Directives, Sources/Site/Playground or Sources/Render/SVG changed since figure format \(FigureCache.formatVersion) was \
            reviewed. If the change can alter a figure's HTML, pictures or JSON, bump FigureCache.formatVersion; either \
            way set FigureCache.reviewedDigest to "\(digest)".
            """)
    }
}
