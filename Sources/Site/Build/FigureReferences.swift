import Common
import Foundation

/// Figures that prose refers to by name: a directive's `label: name` gives its figure the
/// id `fig-name`, and `{{fig:name}}` in any lesson becomes a link "Figure N" to it.
struct FigureReferences: Sendable {
    static let prefix = "fig:"

    /// A labelled figure: its lesson, its number there, and where its label is given.
    struct Target: Sendable {
        let lesson: Int
        let number: Int
        let location: SourceLocation
    }

    private(set) var targets: [String: Target] = [:]

    /// Letters, digits, `-` and `_`, starting with a letter or digit (it becomes part of an id).
    static func isValid(_ label: String) -> Bool {
        guard let first = label.unicodeScalars.first, CharacterSet.alphanumerics.contains(first) else { return false }
        return label.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }
    }

    /// The labelled figures of `plan` and what is wrong with its references: a label given
    /// twice, a `{{fig:name}}` naming no label.
    static func collect(_ plan: BuildPlan) -> (FigureReferences, [SourceError]) {
        var references = FigureReferences(), errors: [SourceError] = []
        for (lessonIndex, lesson) in plan.lessons.enumerated() {
            for (i, figureIndex) in lesson.figures.enumerated() where figureIndex >= 0 {
                let figure = plan.figures[figureIndex]
                guard let label = figure.label, let location = figure.labelLocation else { continue }
                if let first = references.targets[label] {
                    errors.append(
                        SourceError(
                            "label '\(label)' is already given to a figure at \(first.location.file):"
                                + "\(first.location.line)", at: location))
                    continue
                }
                references.targets[label] = Target(lesson: lessonIndex, number: i + 1, location: location)
            }
        }
        let labels = references.targets.keys.sorted()
        for lesson in plan.lessons {
            for token in InlineValues.tokens(in: lesson.lesson.body, lineOffset: lesson.lesson.bodyLineOffset)
            where token.name.hasPrefix(prefix) {
                let label = String(token.name.dropFirst(prefix.count))
                guard references.targets[label] == nil else { continue }
                errors.append(
                    SourceError(
                        "no figure is labelled '\(label)'"
                            + (labels.isEmpty
                                ? "; give one a label: option" : "; the labels are \(labels.joined(separator: ", "))"),
                        at: SourceLocation(file: lesson.lesson.file, line: token.line, column: token.column),
                        suggestion: nearestName(to: label, in: labels).map { "{{fig:\($0)}}" }))
            }
        }
        return (references, errors)
    }

    /// `html` of lesson `lesson` with each `{{fig:name}}` outside code as a link to its
    /// figure: `#fig-name` on the same page, else on the other lesson's page (whose title
    /// the link's title gives).
    func link(_ html: String, lesson: Int, lessons: [PlannedLesson]) -> String {
        guard html.contains("{{" + Self.prefix) else { return html }
        var links: [String: String] = [:]
        for (label, target) in targets {
            let other = lessons[target.lesson].lesson
            let href = target.lesson == lesson ? "#fig-\(label)" : "../\(other.slug)/#fig-\(label)"
            let title = target.lesson == lesson ? "" : " title=\"\(HTML.escape(other.title))\""
            links[Self.prefix + label] = "<a class=\"fig-ref\" href=\"\(href)\"\(title)>Figure \(target.number)</a>"
        }
        return InlineValues.substitute(html, values: links, escaping: false)
    }
}
