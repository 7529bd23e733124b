import Common

/// One language of the site: its lessons live in `lessons/` (the default edition) or
/// `lessons/<language>/`, its pages under the output root or `<language>/`.
public struct Edition: Sendable, Equatable {
    /// A language tag (`en`, `zh-Hans`, `pt-BR`): the pages' `lang` and `hreflang`.
    public let language: String
    /// The site's title, description and footer in this language (site.yml's, unless the
    /// language's entry gives its own).
    public let title: String
    public let description: String
    public let footer: String?
    public let isDefault: Bool

    /// Where the edition's pages are, relative to the output root: `""` or `zh-Hans/`.
    public var prefix: String { isDefault ? "" : language + "/" }
    /// From the edition's home page to the output root: `""` or `../`.
    public var root: String { isDefault ? "" : "../" }
    /// Where its lessons are, relative to the content folder.
    public var lessonsFolder: String { isDefault ? "lessons" : "lessons/\(language)" }

    /// Whether `tag` looks like a language tag: letters and digits in hyphen-joined parts.
    static func isLanguageTag(_ tag: String) -> Bool {
        !tag.isEmpty
            && tag.split(separator: "-", omittingEmptySubsequences: false).allSatisfy {
                !$0.isEmpty && $0.count <= 8 && $0.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
            }
    }

    /// site.yml's `languages`: each entry a tag, or a mapping with `code` and the site's
    /// `title`, `description` and `footer` in that language. The default is `language`
    /// when given (it must be listed), else the first.
    static func parse(
        _ value: YAMLValue?, language: YAMLValue?, config: SiteConfig
    ) throws(SourceError) -> [Edition] {
        guard let value else {
            return [
                Edition(
                    language: config.language, title: config.title, description: config.description,
                    footer: config.footer, isDefault: true)
            ]
        }
        var entries: [(code: String, at: YAMLValue, title: String?, description: String?, footer: String?)] = []
        for item in try value.list() {
            if case .mapping = item.node {
                let fields = try item.mapping()
                try fields.checkKeys(["code", "title", "description", "footer"], in: "a language of site.yml")
                let code = try fields.required("code", in: "a language entry")
                entries.append(
                    (
                        try code.string(), code, try fields["title"]?.string(), try fields["description"]?.string(),
                        try fields["footer"]?.string()
                    ))
            } else {
                entries.append((try item.string(), item, nil, nil, nil))
            }
        }
        guard !entries.isEmpty else { throw value.error("languages lists at least one language, such as en") }
        var seen: Set<String> = []
        for entry in entries {
            guard isLanguageTag(entry.code) else {
                throw entry.at.error("'\(entry.code)' is not a language tag such as en, zh-Hans or pt-BR")
            }
            guard seen.insert(entry.code).inserted else {
                throw entry.at.error("language '\(entry.code)' is listed twice")
            }
        }
        let defaultCode = language == nil ? entries[0].code : config.language
        guard entries.contains(where: { $0.code == defaultCode }) else {
            throw language!.error(
                "language '\(defaultCode)' (the default edition) must be one of languages: "
                    + entries.map(\.code).joined(separator: ", "))
        }
        // The default edition first, the others in the order listed.
        let ordered = entries.filter { $0.code == defaultCode } + entries.filter { $0.code != defaultCode }
        return ordered.map {
            Edition(
                language: $0.code, title: $0.title ?? config.title, description: $0.description ?? config.description,
                footer: $0.footer ?? config.footer, isDefault: $0.code == defaultCode)
        }
    }
}
