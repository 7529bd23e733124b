import Common

/// The directive reference in another language: the directives' summaries, their options'
/// meanings and the inline values' meanings, each keyed by its English text (one entry
/// serves every directive that shares an option). A theme's
/// `strings/reference/<language>.yml` gives them; text it lacks stays English.
struct ReferenceTranslation: Sendable, Equatable {
    let texts: [String: String]

    /// `english` in this language, or as it is.
    subscript(english: String) -> String { texts[english] ?? english }

    /// Every English text the reference shows: what a translation should cover.
    static var englishTexts: Set<String> {
        var texts = Set((InlineValues.names + FigureReferences.tokens).map(\.meaning))
        for type in DirectiveRegistry.all {
            texts.insert(type.summary)
            for option in type.options + OptionSpec.common { texts.insert(option.doc) }
        }
        return texts
    }

    /// A translation file: a mapping of English texts to their translations. A key that is
    /// no text of the reference is an error at its line (it was misspelt, or the English
    /// changed and the translation is stale).
    static func parse(_ text: String, file: String) throws(SourceError) -> ReferenceTranslation {
        let mapping = try YAMLValue.parse(text, file: file).mapping()
        let known = englishTexts
        var texts: [String: String] = [:]
        for (key, value) in mapping.entries {
            let english = try key.string()
            guard known.contains(english) else {
                throw key.error(
                    "not a text of the directive reference (a directive's summary, an option's or a value's "
                        + "meaning, in English as the reference shows it); is it out of date?",
                    suggestion: nearestName(to: english, in: Array(known)))
            }
            texts[english] = try value.string()
        }
        return ReferenceTranslation(texts: texts)
    }
}
