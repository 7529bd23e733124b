import Common
import Foundation

/// One page in the client-side search index.
struct SearchEntry: Encodable {
    struct Heading: Encodable {
        let text: String
        let id: String
    }
    let title: String
    let url: String
    let summary: String
    let headings: [Heading]
    let text: String
}

/// The search index as a script (`window.VIZSITE_SEARCH=[…];`), loaded with a `<script>`
/// tag so search works from `file://`; content-hashed like every asset.
enum SearchIndex {
    static func file(_ entries: [SearchEntry]) throws -> (path: String, data: Data) {
        let encoder = JSONEncoder()
        // Slashes stay escaped, so no string can close the script early with "</script>".
        encoder.outputFormatting = [.sortedKeys]
        let script = Data("window.VIZSITE_SEARCH=".utf8) + (try encoder.encode(entries)) + Data(";\n".utf8)
        return ("assets/search-index.\(SHA256.hash(script).prefix(10)).js", script)
    }
}
