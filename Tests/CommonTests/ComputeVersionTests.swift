import Common
import Foundation
import Testing
import TestSupport

/// Keeps `ComputeVersion` honest: the numerical sources hash to the digest recorded when
/// the version was last reviewed.
@Suite struct ComputeVersionTests {
    /// SHA-256 over the relative path and code lines of every file of the numerical modules.
    static func numericalSourceDigest() -> String {
        var hash = SHA256()
        for module in ["CNN", "CNNCore", "Explain", "Render", "CKernels"] {
            let folder = PackagePaths.path("Sources/\(module)")
            let files = (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? []).sorted()
            for file in files {
                let path = (folder as NSString).appendingPathComponent(file)
                var isDirectory: ObjCBool = false
                guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue
                else { continue }
                hash.update("\(module)/\(file)\n")
                // Whole-line comments and blank lines change no number.
                let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
                for line in text.split(separator: "\n") {
                    let trimmed = line.trimmingCharacters(in: .whitespaces)
                    if trimmed.isEmpty || trimmed.hasPrefix("//") { continue }
                    hash.update(line + "\n")
                }
            }
        }
        return hash.finalize()
    }

    @Test func numericalSourcesMatchTheReviewedDigest() {
        let digest = Self.numericalSourceDigest()
        #expect(
            digest == ComputeVersion.sourceDigest,
            """
            Sources/CNN, CNNCore, Explain, Render or CKernels changed since compute version \(ComputeVersion.current) was reviewed. \
            If the change can alter a number a figure shows, bump ComputeVersion.current; either way set \
            ComputeVersion.sourceDigest to "\(digest)".
            """)
    }
}
