/// The directive reference page, generated from the registry so it cannot drift from the code.
enum DirectiveReference {
    struct Option: TemplateValues {
        let name: String
        let type: String
        let `default`: String
        let doc: String
    }

    struct Entry: TemplateValues {
        let name: String
        let summary: String
        let options: [Option]
        let example: String
    }

    static var entries: [Entry] {
        DirectiveRegistry.all.map { type in
            Entry(
                name: type.name, summary: type.summary,
                options: (type.options + OptionSpec.common).map {
                    Option(name: $0.name, type: $0.type, default: $0.defaultValue ?? "—", doc: $0.doc)
                },
                example: "```viz \(type.name)\n" + (type.example.isEmpty ? "" : type.example + "\n") + "```")
        }
    }

    /// The page's context over the shared fields `base`.
    static func page(_ base: PageContext) -> PageContext {
        var page = base
        page.page = PageContext.Page(title: "Directive reference")
        page.directives = entries
        page.toc = DirectiveRegistry.names.map {
            PageContext.TOCEntry(text: "viz \($0)", id: "directive-\($0)", sub: false)
        }
        page.hasToc = true
        page.values = InlineValues.names.map { PageContext.Value(name: "{{\($0.name)}}", meaning: $0.meaning) }
        page.isReference = true
        return page
    }

    static var searchEntry: SearchEntry {
        SearchEntry(
            title: "Directive reference", url: "reference/", summary: "Every directive and its options.",
            headings: DirectiveRegistry.names.map { SearchEntry.Heading(text: $0, id: "directive-\($0)") },
            text: DirectiveRegistry.all.map { "\($0.name) \($0.summary)" }.joined(separator: " "))
    }
}
