import Common
import Foundation

/// What `make check-snippets` (Tools/check_snippets.py) found when it last ran each Python
/// box's file, in each edition's wording: `lessons/checked-snippets.json`. A box says what its
/// run showed; a file changed since its run is a warning, so nothing is published unchecked.
struct SnippetChecks: Sendable, Decodable {
    static let fileName = "checked-snippets.json"

    /// One file in one edition's wording, as run.
    struct Run: Sendable, Decodable {
        /// The file's path under the lessons folder, and the edition's language.
        let file: String
        let language: String
        /// SHA-256 of the text that ran (the file in the edition's words).
        let sha256: String
        /// The libraries it ran with (`captum 0.9.0, torch 2.15.0`).
        let environment: String
        /// What it computed, compared with vizsite's raw values.
        let agreements: [Agreement]
        /// Why it compares nothing, when it does not (it draws a plot, it exports a file).
        let note: String?
    }

    /// A value the snippet computed and vizsite's for the same figure: the largest absolute
    /// difference between them.
    struct Agreement: Sendable, Decodable {
        let what: String
        let maxDifference: Double

        enum CodingKeys: String, CodingKey {
            case what
            case maxDifference = "max_difference"
        }
    }

    let runs: [Run]

    init(runs: [Run] = []) { self.runs = runs }

    /// The records in `lessons/checked-snippets.json`; none when the file does not exist.
    static func load(_ paths: ContentPaths) throws(SourceError) -> SnippetChecks {
        let display = paths.display("lessons/" + fileName)
        let at = SourceLocation(file: display, line: 0, column: 0)
        let real = try paths.resolve("lessons/" + fileName, at: at)
        guard FileManager.default.fileExists(atPath: real) else { return SnippetChecks() }
        let text = try SourceText.read(path: real, displayPath: display, inside: paths.root)
        do {
            return try JSONDecoder().decode(SnippetChecks.self, from: Data(text.utf8))
        } catch {
            throw SourceError(
                "cannot read \(display), which make check-snippets writes: \(error); run make check-snippets again",
                at: at)
        }
    }

    /// The run of exactly this text of `file` in `language`, if there was one.
    func run(of file: String, language: String, sha256: String) -> Run? {
        runs.first { $0.file == file && $0.language == language && $0.sha256 == sha256 }
    }
}
