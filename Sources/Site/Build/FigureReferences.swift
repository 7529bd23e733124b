import Common
import Foundation

/// Figures that prose refers to by name: a directive's `label: name` gives its figure the
/// id `fig-name`, and `{{fig:name}}` in any lesson becomes a link "Figure N" to it.
struct FigureReferences: Sendable {
    static let prefix = "fig:"

    /// A labelled figure: the position of its page in its edition, its number there, and
    /// where its label is given.
    struct Target: Sendable {
        let page: Int
        let number: Int
        let location: SourceLocation
    }

    /// The labelled figures of each edition (by language), by label.
    private(set) var targets: [String: [String: Target]] = [:]

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
                for (i, figureIndex) in plan.lessons[page.lesson].figures.enumerated() where figureIndex >= 0 {
                    let figure = plan.figures[figureIndex]
                    guard let label = figure.label, let location = figure.labelLocation else { continue }
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
                    targets[label] = Target(page: position, number: i + 1, location: location)
                }
            }
            references.targets[edition.edition.language] = targets
            let labels = targets.keys.sorted()
            func check(_ text: String, file: String, line: Int, column: Int) {
                for token in InlineValues.tokens(in: text, lineOffset: 0) where token.name.hasPrefix(prefix) {
                    let label = String(token.name.dropFirst(prefix.count))
                    guard targets[label] == nil else { continue }
                    errors.append(
                        SourceError(
                            "no figure is labelled '\(label)'"
                                + (labels.isEmpty
                                    ? "; give one a label: option"
                                    : "; the labels are \(labels.joined(separator: ", "))"),
                            at: SourceLocation(
                                file: file, line: line + token.line - 1,
                                column: token.line == 1 ? column + token.column - 1 : token.column),
                            suggestion: nearestName(to: label, in: labels).map { "{{fig:\($0)}}" }))
                }
            }
            for page in edition.pages where !page.fallback {
                let planned = plan.lessons[page.lesson]
                check(
                    planned.lesson.body, file: planned.lesson.file, line: planned.lesson.bodyLineOffset + 1, column: 1)
                // Captions are linked like prose, so they are checked like it.
                for figure in planned.figures where figure >= 0 {
                    guard let caption = plan.figures[figure].caption,
                        let at = plan.figures[figure].captionLocation
                    else { continue }
                    check(caption, file: at.file, line: at.line, column: at.column)
                }
            }
        }
        return (references, errors)
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
            let text = HTML.escape(strings.format("figure_reference", ["n": String(target.number)]))
            links[Self.prefix + label] = "<a class=\"fig-ref\" href=\"\(href)\"\(title)>\(text)</a>"
        }
        return InlineValues.substitute(html, values: links, escaping: false)
    }
}
