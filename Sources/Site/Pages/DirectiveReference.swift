/// The directive reference page, generated from the registry so it cannot drift from the code.
enum DirectiveReference {
    struct Option: TemplateValues {
        let name: String
        let type: String
        let `default`: String
        /// The meaning as HTML: escaped, `code` spans as `<code>`.
        let doc: String
    }

    struct Entry: TemplateValues {
        let name: String
        let summary: String
        let options: [Option]
        let example: String
    }

    /// Every directive, its summary and options' meanings in `translation`'s words when given.
    static func entries(_ translation: ReferenceTranslation? = nil) -> [Entry] {
        let say = { (english: String) in translation?[english] ?? english }
        return DirectiveRegistry.all.map { type in
            Entry(
                name: type.name, summary: say(type.summary),
                options: (type.options + OptionSpec.common).map {
                    Option(
                        name: $0.name, type: $0.type, default: $0.defaultValue ?? "—",
                        doc: codeSpans(HTML.escape(say($0.doc))))
                },
                example: "```viz \(type.name)\n" + (type.example.isEmpty ? "" : type.example + "\n") + "```")
        }
    }

    /// Escaped text with each pair of backticks made a `<code>` span, as Markdown would.
    static func codeSpans(_ escaped: String) -> String {
        let parts = escaped.split(separator: "`", omittingEmptySubsequences: false)
        guard parts.count >= 3 else { return escaped }
        var out = ""
        for (i, part) in parts.enumerated() {
            if i == parts.count - 1 && i % 2 == 1 {
                out += "`" + part  // an unpaired backtick stays as it is
            } else {
                out += i % 2 == 1 ? "<code>\(part)</code>" : String(part)
            }
        }
        return out
    }

    /// The page's context over the shared fields `base`, in `strings`' and `translation`'s words.
    static func page(
        _ base: PageContext, strings: InterfaceStrings = InterfaceStrings(), translation: ReferenceTranslation? = nil
    ) -> PageContext {
        var page = base
        page.page = PageContext.Page(title: strings["reference_title"])
        page.directives = entries(translation)
        page.toc = DirectiveRegistry.names.map {
            PageContext.TOCEntry(text: "viz \($0)", id: "directive-\($0)", sub: false)
        }
        page.hasToc = true
        page.values =
            InlineValues.names.map {
                PageContext.Value(name: "{{\($0.name)}}", meaning: translation?[$0.meaning] ?? $0.meaning)
            }
            + FigureReferences.tokens.map {
                PageContext.Value(name: $0.name, meaning: translation?[$0.meaning] ?? $0.meaning)
            }
        page.isReference = true
        return page
    }

    /// The page's entry in its edition's search index, at `url` (`reference/`, `zh-Hans/reference/`).
    static func searchEntry(
        url: String, strings: InterfaceStrings = InterfaceStrings(), translation: ReferenceTranslation? = nil
    ) -> SearchEntry {
        SearchEntry(
            title: strings["reference_title"], url: url, summary: strings["reference_description"],
            headings: DirectiveRegistry.names.map { SearchEntry.Heading(text: $0, id: "directive-\($0)") },
            text: DirectiveRegistry.all.map { "\($0.name) \(translation?[$0.summary] ?? $0.summary)" }.joined(
                separator: " "))
    }
}
