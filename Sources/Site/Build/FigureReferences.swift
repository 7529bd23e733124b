import Common
import Foundation

/// Figures that prose refers to by name: a directive's `label: name` gives its figure the
/// id `fig-name`, and `{{fig:name}}` in any lesson becomes a link "Figure N" to it.
struct FigureReferences: Sendable {
    static let prefix = "fig:"

    /// The two figure tokens, with what each means (for the authoring guide).
    static let tokens: [(name: String, meaning: String)] = [
        ("{{fig:name}}", "a link \"Figure N\" to the figure whose label is name, in any lesson"),
        (
            "{{fig:name.path | format}}",
            "a value of that figure's raw values: the path into its JSON (keys after '.', array elements as [n], "
                + "[value] or [key=value]); "
                + "format 3 (decimals), 1% (a percentage), ± std 3 or ± ci95 3 (an object's mean ± its spread), "
                + "or none"
        ),
        (
            "{{fig:short[key].path | format}}",
            "the same, where short is a shorthand the lesson's front matter gives (shorthands: {short: name.path}) "
                + "for the start of such paths"
        ),
    ]

    /// A labelled figure: the position of its page in its edition, its number there, and
    /// where its label is given.
    struct Target: Sendable {
        let page: Int
        /// The figure's place among its lesson's figures; nil for a group of figures.
        let ordinal: Int?
        /// What prose and captions call it: "3", "5a" (in a group), "5" (a group).
        let number: String
        let location: SourceLocation
    }

    /// The labelled figures of each edition (by language), by label.
    private(set) var targets: [String: [String: Target]] = [:]

    /// A figure's value quoted in prose (`{{fig:label.path | format}}`), and where it is written.
    struct Quote: Sendable {
        let value: ProseValue
        let token: String
        let location: SourceLocation
    }

    /// The values quoted in each edition's own pages (by language), checked once the figures exist.
    private(set) var quotes: [String: [Quote]] = [:]

    /// Letters, digits, `-` and `_`, starting with a letter or digit (it becomes part of an id).
    static func isValid(_ label: String) -> Bool {
        guard let first = label.unicodeScalars.first, CharacterSet.alphanumerics.contains(first) else { return false }
        return label.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }
    }

    /// The labelled figures of each edition of `plan` and what is wrong with its
    /// references: a label given twice, a `{{fig:name}}` naming no label of its edition. An
    /// edition's pages that stand in for missing translations bring the default edition's labels.
    static func collect(_ plan: BuildPlan) -> (FigureReferences, [SourceError]) {
        var references = FigureReferences(), errors: [SourceError] = []
        for edition in plan.editions {
            var targets: [String: Target] = [:]
            for (position, page) in edition.pages.enumerated() {
                let planned = plan.lessons[page.lesson]
                let numbers = planned.numbers
                var labelled: [(label: String, location: SourceLocation, ordinal: Int?, number: String)] = []
                for (i, figureIndex) in planned.figures.enumerated() where figureIndex >= 0 {
                    let figure = plan.figures[figureIndex]
                    guard let label = figure.label, let location = figure.labelLocation else { continue }
                    labelled.append((label, location, i, numbers.figures[i].description))
                }
                for (k, group) in planned.groups.enumerated() where k < numbers.groups.count {
                    guard let label = group.label else { continue }
                    let location = SourceLocation(file: planned.lesson.file, line: group.line, column: group.column)
                    labelled.append((label, location, nil, String(numbers.groups[k])))
                }
                for (label, location, ordinal, number) in labelled {
                    if let first = targets[label] {
                        // A stand-in's labels were checked in the default edition.
                        if !page.fallback {
                            errors.append(
                                SourceError(
                                    "label '\(label)' is already given to a figure at \(first.location.file):"
                                        + "\(first.location.line)", at: location))
                        }
                        continue
                    }
                    targets[label] = Target(page: position, ordinal: ordinal, number: number, location: location)
                }
            }
            references.targets[edition.edition.language] = targets
            let labels = targets.keys.sorted()
            // Labels of figures that failed their checks: reported there, not again at each reference.
            let failed = Set(edition.pages.flatMap { plan.lessons[$0.lesson].failedLabels })
            var quoted: [Quote] = []
            func check(
                _ text: String, file: String, line: Int, column: Int, shorthands: [String: String],
                unreadable: Set<String>
            ) {
                for token in InlineValues.tokens(in: text, lineOffset: 0) where token.name.hasPrefix(prefix) {
                    let location = SourceLocation(
                        file: file, line: line + token.line - 1,
                        column: token.line == 1 ? column + token.column - 1 : token.column)
                    let rest = String(token.name.dropFirst(prefix.count))
                    let value: ProseValue?
                    do { value = try ProseValue.parse(rest, shorthands: shorthands) } catch {
                        errors.append(SourceError(error.message, at: location))
                        continue
                    }
                    let label = value?.label ?? rest
                    if targets[label] == nil && failed.contains(label) { continue }
                    // A shorthand naming no figure is reported once, where it is given.
                    let written = String(rest.prefix { $0 != "." && $0 != "[" && $0 != "|" })
                        .trimmingCharacters(in: .whitespaces)
                    if value != nil, targets[label] == nil, shorthands[written] != nil { continue }
                    if unreadable.contains(written) { continue }
                    if value != nil, let target = targets[label], target.ordinal == nil {
                        errors.append(
                            SourceError(
                                "'\(label)' names a group of figures, which has no raw values of its own; "
                                    + "quote one of its figures by that figure's label", at: location))
                        continue
                    }
                    if let value { quoted.append(Quote(value: value, token: token.name, location: location)) }
                    guard targets[label] == nil else { continue }
                    errors.append(
                        SourceError(
                            "no figure is labelled '\(label)'"
                                + (labels.isEmpty
                                    ? "; give one a label: option"
                                    : "; the labels are \(labels.joined(separator: ", "))"),
                            at: location,
                            suggestion: nearestName(to: label, in: labels).map {
                                "{{fig:\($0)\(rest.dropFirst(label.count))}}"
                            }))
                }
            }
            for page in edition.pages where !page.fallback {
                let planned = plan.lessons[page.lesson]
                errors += shorthandErrors(planned.lesson, targets: targets, labels: labels)
                let shorthands = planned.lesson.shorthandExpansions
                check(
                    planned.lesson.body, file: planned.lesson.file, line: planned.lesson.bodyLineOffset + 1, column: 1,
                    shorthands: shorthands, unreadable: planned.lesson.unreadableShorthands)
                // Captions are linked like prose, so they are checked like it.
                for figure in planned.figures where figure >= 0 {
                    guard let caption = plan.figures[figure].caption,
                        let at = plan.figures[figure].captionLocation
                    else { continue }
                    check(
                        caption, file: at.file, line: at.line, column: at.column, shorthands: shorthands,
                        unreadable: planned.lesson.unreadableShorthands)
                }
            }
            references.quotes[edition.edition.language] = quoted
        }
        return (references, errors)
    }

    /// What is wrong with a lesson's shorthands: a name that is also a figure's label, an
    /// expansion whose label names no figure of the edition.
    private static func shorthandErrors(_ lesson: Lesson, targets: [String: Target], labels: [String]) -> [SourceError]
    {
        lesson.shorthands.compactMap { shorthand in
            if targets[shorthand.name] != nil {
                return SourceError(
                    "shorthand '\(shorthand.name)' is also a figure's label; give it another name",
                    at: shorthand.location)
            }
            let label = String(shorthand.expansion.prefix { $0 != "." && $0 != "[" })
            guard targets[label] == nil else { return nil }
            return SourceError(
                "shorthand '\(shorthand.name)' stands for '\(shorthand.expansion)', but no figure is labelled "
                    + "'\(label)'" + (labels.isEmpty ? "" : "; the labels are \(labels.joined(separator: ", "))"),
                at: shorthand.location,
                suggestion: nearestName(to: label, in: labels).map { $0 + shorthand.expansion.dropFirst(label.count) })
        }
    }

    /// The figure a label names in `edition`, as an index into the plan's figures.
    private func figureIndex(_ label: String, edition: EditionPages, lessons: [PlannedLesson]) -> Int? {
        guard let target = targets[edition.edition.language]?[label] else { return nil }
        let figures = lessons[edition.pages[target.page].lesson].figures
        return target.ordinal.flatMap { $0 < figures.count ? figures[$0] : nil }
    }

    /// What is wrong with the quoted values once the figures are computed: a path that is not
    /// in the figure's raw values, a value that is no number, a figure without raw values.
    /// Also gives the quoted figures' raw values, parsed once for the pages to quote from.
    func quoteErrors(_ plan: BuildPlan, figures: [Figure]) -> (errors: [SourceError], rawValues: QuotedRawValues) {
        // Each quote's figure, found once; their raw values parsed once, together.
        let located = plan.editions.flatMap { edition in
            (quotes[edition.edition.language] ?? []).compactMap { quote in
                figureIndex(quote.value.label, edition: edition, lessons: plan.lessons).flatMap {
                    $0 >= 0 ? (quote, $0, edition.edition.language) : nil  // unknown labels were reported with the plan
                }
            }
        }
        let parsed = QuotedRawValues(figures: figures, indices: Set(located.map(\.1)))
        var errors: [SourceError] = []
        for (quote, index, language) in located {
            guard let json = parsed[index] else {
                errors.append(
                    SourceError(
                        "figure '\(quote.value.label)' (\(figures[index].kind)) has no raw values to quote from",
                        at: quote.location))
                continue
            }
            do { _ = try quote.value.text(in: json, language: language) } catch {
                errors.append(SourceError(error.message, at: quote.location, suggestion: error.suggestion))
            }
        }
        return (errors, parsed)
    }

    /// `html` with each `{{fig:label.path | format}}` outside code replaced by the figure's
    /// value, written for `language`; tokens that do not resolve (reported before) stay as they are.
    func quote(
        _ html: String, edition: EditionPages, lessons: [PlannedLesson], rawValues: QuotedRawValues,
        language: String, shorthands: [String: String] = [:]
    ) -> String {
        guard html.contains(Self.prefix) else { return html }
        var values: [String: String] = [:]
        for name in InlineValues.tokenNames(inHTML: html) where values[name] == nil {
            guard name.hasPrefix(Self.prefix),
                let value = try? ProseValue.parse(String(name.dropFirst(Self.prefix.count)), shorthands: shorthands),
                let index = figureIndex(value.label, edition: edition, lessons: lessons), index >= 0,
                let json = rawValues[index],
                let text = try? value.text(in: json, language: language)
            else { continue }
            values[name] = text
        }
        return InlineValues.substitute(html, values: values)
    }

    /// `html` of the page at `position` of `edition` with each `{{fig:name}}` outside code as
    /// a link to its figure: `#fig-name` on the same page, else on the other lesson's page
    /// (whose title the link's title gives), worded by `strings` ("Figure 3").
    func link(
        _ html: String, position: Int, edition: EditionPages, lessons: [PlannedLesson], strings: InterfaceStrings
    ) -> String {
        guard html.contains("{{" + Self.prefix) else { return html }
        var links: [String: String] = [:]
        for (label, target) in targets[edition.edition.language] ?? [:] {
            let other = lessons[edition.pages[target.page].lesson].lesson
            let here = target.page == position
            let href = here ? "#fig-\(label)" : "../\(other.slug)/#fig-\(label)"
            let title = here ? "" : " title=\"\(HTML.escape(other.title))\""
            let text = HTML.escape(strings.format("figure_reference", ["n": target.number]))
            links[Self.prefix + label] = "<a class=\"fig-ref\" href=\"\(href)\"\(title)>\(text)</a>"
        }
        return InlineValues.substitute(html, values: links, escaping: false)
    }
}

/// The raw values of the figures prose quotes, each parsed once (in parallel) for the whole
/// build: the check and every page of every edition read the same parse.
struct QuotedRawValues: Sendable {
    private let parsed: [Int: JSONValue]

    init(figures: [Figure], indices: Set<Int>) {
        let order = indices.sorted()
        let results = parallelMap(order.count) { ProseValue.rawValues(of: figures[order[$0]]) }
        var parsed: [Int: JSONValue] = [:]
        for (index, json) in zip(order, results) { parsed[index] = json }
        self.parsed = parsed
    }

    init() { parsed = [:] }

    subscript(index: Int) -> JSONValue? { parsed[index] }
}
