import Foundation
import Testing
import TestSupport
@testable import Site

/// Hostile strings in every field a user controls must arrive as text, never as markup.
@Suite("Escaping", .serialized)
struct EscapingTests {
    static let payload = #"<script>alert(1)</script> "quoted" 'single' </svg> & done"#

    @Test("site.yml, front matter and directive options are escaped wherever they land")
    func hostileStrings() throws {
        let yamlPayload = "'" + Self.payload.replacingOccurrences(of: "'", with: "''") + "'"
        let siteYAML = """
            title: \(yamlPayload)
            description: \(yamlPayload)
            author: \(yamlPayload)
            footer: \(yamlPayload)
            model: models/tiny.yml

            """
        let lesson = """
            ---
            title: \(yamlPayload)
            summary: \(yamlPayload)
            ---

            ## Heading \(Self.payload)

            Text \(Self.payload)

            ```viz samples
            images: test[0:2]
            caption: \(yamlPayload)
            alt: \(yamlPayload)
            ```

            ```viz architecture
            caption: \(yamlPayload)
            alt: \(yamlPayload)
            ```

            """
        let site = FixtureSite(lessons: ["01-evil.md": lesson], siteYAML: siteYAML, trainCount: 128, testCount: 16)
        var options = buildOptions(site)
        options.baseURL = "https://example.org/a/"
        try SiteBuilder(options: options).build()
        let files = FixtureSite.tree(site.output)
        for (path, data) in files where path.hasSuffix(".html") || path.hasSuffix(".svg") || path.hasSuffix(".xml") {
            let text = String(decoding: data, as: UTF8.self)
            #expect(!text.contains("<script>alert"), "\(path) contains the raw script tag")
            #expect(!text.contains("\"quoted\""), "\(path) contains an unescaped quote")
            #expect(htmlProblems(text) == [], "\(path)")
            if path.hasSuffix(".html") {
                #expect(
                    text.components(separatedBy: "</svg>").count == text.components(separatedBy: "<svg").count,
                    "\(path): an </svg> payload closed an element")
            }
        }
        let page = String(decoding: files["evil/index.html"]!, as: UTF8.self)
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        // The search index is a script: its strings must not be able to end it.
        let index = files.first { $0.key.hasPrefix("assets/search-index.") }!.value
        #expect(!String(decoding: index, as: UTF8.self).contains("</script>"))
        // The figure JSON keeps the raw text (it is data, not markup) and parses.
        for (path, data) in files where path.hasSuffix(".json") {
            #expect((try? JSONSerialization.jsonObject(with: data)) != nil, "\(path)")
        }
    }
}
