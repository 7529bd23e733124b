import Common
import Foundation

/// The words the theme puts around the content (the search box, "Lesson 3", "Figure 2"),
/// in one language. The English ones are built in; a theme's `strings/<language>.yml`
/// gives any of them in its language, and templates read them as `{{strings.<key>}}`.
/// `{n}`, `{title}`, `{query}` and `{language}` in a string are filled in by the build (or,
/// for `search_empty`, by the page's script).
public struct InterfaceStrings: Sendable, Equatable {
    public private(set) var values: [String: String]

    /// Every key, with its English text: the theme's, the words inside figures
    /// (`figure.*`) and those the page scripts show (`script.*`).
    public static let english: [String: String] = theme.merging(FigureText.english) { a, _ in a }
        .merging(ScriptStrings.english) { a, _ in a }

    private static let theme: [String: String] = [
        "language_name": "English",
        "skip_link": "Skip to the content",
        "show_lessons": "Show the lessons",
        "search_placeholder": "Search",
        "search_label": "Search the lessons",
        "search_empty": "No lesson mentions “{query}”.",
        "search_other": "Search the {language} edition →",
        "search_synonyms": "",
        "lessons": "Lessons",
        "languages": "Languages",
        "directive_reference": "Directive reference",
        "reference_title": "Directive reference",
        "reference_description": "Every visualization directive, its options and an example.",
        "reference_kicker": "Reference",
        "reference_heading": "Directives",
        "reference_lede":
            "A lesson embeds a figure as a fenced block whose info string is <code>viz</code> and a directive name, "
            + "with YAML options in the block. This page is generated from vizsite's directive registry, so it "
            + "always matches the code.",
        "reference_selectors":
            "Image selectors: <code>test[3]</code>, <code>test[0:8]</code>, <code>train[0:4]</code>, "
            + "<code>test.class(7)[0:4]</code>, <code>test.misclassified[0:8]</code>, or a PNG path relative to "
            + "the content folder such as <code>images/my-digit.png</code>; give one, several separated by commas, "
            + "or a YAML list.",
        "reference_values": "Values the build computes, for the prose of a lesson:",
        "reference_option": "option",
        "reference_type": "type",
        "reference_default": "default",
        "reference_meaning": "meaning",
        "lesson_number": "Lesson {n}",
        "appendix": "Appendix",
        "reading_time": "{n} min read",
        "edit_page": "Edit this page",
        "on_this_page": "On this page",
        "previous": "Previous",
        "next": "Next",
        "pager_label": "Previous and next lessons",
        "start_with": "Start with lesson 1: {title} →",
        "figure_caption": "Figure {n}.",
        "figure_reference": "Figure {n}",
        "copy": "Copy",
        "copied": "Copied",
        "callout_note": "Note",
        "callout_tip": "Tip",
        "callout_important": "Important",
        "callout_warning": "Warning",
        "callout_caution": "Caution",
        "scroll_hint": "Scroll sideways to see all →",
        "references_heading": "References",
        "citation": "({cites})",
        "citation_author_year": "{names}, {year}",
        "citation_separator": "; ",
        "citation_separator_locator": ", ",
        "citation_et_al": "et al.",
        "snippet_checked": "Run by <code>make check-snippets</code> with {environment}: {results}.",
        "snippet_agrees": "{what}, within {difference} of vizsite’s",
        "snippet_agrees_exactly": "{what}, exactly vizsite’s",
        "snippet_separator": "; ",
        "snippet_unchecked": "Not yet run by <code>make check-snippets</code> as shown here.",
        "fallback_note": "This lesson has not been translated into {language} yet; here it is in {default}.",
        "footer_credit":
            "Built with vizsite. Figures computed from a CNN trained on <a href=\"http://yann.lecun.com/exdb/mnist/\">"
            + "MNIST</a> (Yann LeCun, Corinna Cortes and Christopher J.C. Burges, CC BY-SA 3.0).",
    ]

    public init(_ values: [String: String] = english) { self.values = values }

    public subscript(key: String) -> String { values[key] ?? Self.english[key] ?? key }

    /// The string `key` with its `{name}` placeholders filled in.
    public func format(_ key: String, _ arguments: [String: String]) -> String {
        var text = self[key]
        for (name, value) in arguments { text = text.replacingOccurrences(of: "{\(name)}", with: value) }
        return text
    }

    /// A theme's strings file: a mapping of known keys to strings, over the English ones.
    static func parse(_ text: String, file: String) throws(SourceError) -> InterfaceStrings {
        let mapping = try YAMLValue.parse(text, file: file).mapping()
        let keys = english.keys.sorted()
        try mapping.checkKeys(keys, in: "interface strings")
        var values = english
        for (key, value) in mapping.entries { values[try key.string()] = try value.string() }
        return InterfaceStrings(values)
    }

    /// Of `available` languages (a theme's strings files), the one to use for `language`:
    /// the tag itself, else with its last parts dropped (`zh-Hans-CN` → `zh-Hans` → `zh`).
    static func bestMatch(for language: String, in available: Set<String>) -> String? {
        var parts = language.split(separator: "-").map(String.init)
        while !parts.isEmpty {
            let tag = parts.joined(separator: "-")
            if let match = available.first(where: { $0.caseInsensitiveCompare(tag) == .orderedSame }) { return match }
            parts.removeLast()
        }
        return nil
    }
}
