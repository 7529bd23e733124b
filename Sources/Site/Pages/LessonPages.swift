import Common
import Foundation

/// The lesson pages: each lesson's HTML with its figures in place, its table of contents,
/// previous and next links; and what the home page and the search index say of it.
struct LessonPages {
    let plan: BuildPlan
    let figures: [Figure]
    /// The raw values prose quotes from figures.
    var rawValues = QuotedRawValues()
    /// site.yml's `base_url`, which makes card images absolute (social sites need that).
    var baseURL: String? = nil
    /// Where readers edit a lesson file, by its name (site.yml's repository).
    var editURL: @Sendable (String) -> String? = { _ in nil }

    struct Rendered: Sendable {
        /// The edition's language, and the page's position in that edition.
        let language: String
        let position: Int
        let path: String
        let context: PageContext
        let card: PageContext.LessonCard
        let search: SearchEntry
    }

    /// The lesson pages of `edition`, worded by `strings`; `base(position)` gives a page's
    /// shared fields. `defaultName` names the default edition's language (for stand-ins' note).
    func render(
        edition: EditionPages, strings: InterfaceStrings, defaultName: String,
        base: @Sendable (Int) -> PageContext
    ) -> [Rendered] {
        let lessons = plan.lessons
        let prefix = edition.edition.prefix
        let root = "../" + edition.edition.root
        let numbers = edition.numbers
        // Pages are independent: each core lays out its share.
        return parallelMap(edition.pages.count) { position in
            let page = edition.pages[position]
            let planned = lessons[page.lesson]
            let lesson = planned.lesson
            // A stand-in for a missing translation keeps its figures' words in its own language.
            let contentStrings = page.fallback ? InterfaceStrings() : strings
            var html = planned.html
            var thumbnails: [String?] = []
            let figureNumbers = planned.numbers
            // Notes every figure of a group shares are said once, under the group's caption.
            let groupNotes = planned.groups.map { group in
                FigureGroupBlock.commonNotes(group.figures.map { figures[planned.figures[$0]].notes })
            }
            for (number, figureIndex) in planned.figures.enumerated() {
                let figure = figures[figureIndex], plannedFigure = plan.figures[figureIndex]
                let shared = planned.groups.firstIndex { $0.figures.contains(number) }.map { Set(groupNotes[$0]) }
                html = html.replacingAll(
                    MarkdownDocument.placeholder(number),
                    with: figure.html(
                        number: figureNumbers.figures[number], root: root, label: plannedFigure.label,
                        caption: plannedFigure.caption,
                        alt: plannedFigure.alt ?? plannedFigure.directive.alt, layout: plannedFigure.layout,
                        omittingNotes: shared ?? [], strings: contentStrings))
                thumbnails.append(figure.thumbnail)
            }
            html = FigureGroupBlock.render(
                html, groups: planned.groups, numbers: figureNumbers.groups, notes: groupNotes, strings: contentStrings)
            for (number, snippet) in planned.snippets.enumerated() {
                html = html.replacingAll(
                    MarkdownDocument.snippetPlaceholder(number),
                    with: SnippetBox.html(snippet, strings: contentStrings))
            }
            let thumbnail =
                lesson.thumbnail.flatMap { $0 <= thumbnails.count ? thumbnails[$0 - 1] : nil }
                ?? thumbnails.compactMap { $0 }.first { $0.hasSuffix(".png") }  // a picture over a chart
                ?? thumbnails.compactMap { $0 }.first
            html = html.replacingAll(Figure.root, with: root)
            var referencesHeading: String?
            if !planned.cited.isEmpty {
                html = Citations.link(html, labels: plan.citationLabels, strings: contentStrings)
                let list = Citations.list(planned.cited, bibliography: plan.bibliography, labels: plan.citationLabels)
                let placed = Citations.insert(list, into: html, title: contentStrings["references_heading"])
                html = placed.html
                if placed.addedHeading { referencesHeading = contentStrings["references_heading"] }
            }
            for kind in Callouts.kinds where html.contains(Callouts.titleMarker(kind)) {
                html = html.replacingAll(
                    Callouts.titleMarker(kind), with: HTML.escape(contentStrings[Callouts.titleKey(kind)]))
            }
            if let values = planned.values,
                let dictionary = InlineValues.decode(
                    figures[values].body, language: page.fallback ? planned.language : edition.edition.language)
            {
                html = InlineValues.substitute(html, values: dictionary)
            }
            html = plan.references.link(
                html, position: position, edition: edition, lessons: lessons,
                strings: contentStrings)
            html = plan.references.quote(
                html, edition: edition, lessons: lessons, rawValues: rawValues,
                language: page.fallback ? planned.language : edition.edition.language,
                shorthands: lesson.shorthandExpansions)
            var context = base(position)
            context.page = PageContext.Page(
                title: lesson.title, summary: lesson.summary, number: numbers[position],
                kicker: numbers[position].map { strings.format("lesson_number", ["n": String($0)]) }
                    ?? strings["appendix"])
            context.ogType = "article"
            // The prose only: figures are looked at, not read (and carry their data).
            let minutes = Self.readingMinutes(HTML.plainText(planned.html))
            context.page.readingMinutes = minutes
            context.page.readingTime = strings.format("reading_time", ["n": String(minutes)])
            let folder = planned.language == plan.editions.first?.edition.language ? "" : planned.language + "/"
            context.page.editLink = editURL(folder + lesson.fileName)
            if page.fallback {
                context.page.fallbackNote = strings.format(
                    "fallback_note", ["language": strings["language_name"], "default": defaultName])
                context.page.contentLanguage = planned.language
            }
            context.socialImage = Self.socialImage(preferred: thumbnail, others: thumbnails, baseURL: baseURL)
            context.page.playground = planned.figures.contains { figures[$0].kind == PlaygroundDirective.name }
            context.page.featureDots = planned.figures.contains { figures[$0].body.contains(" fm-dots\"") }
            if context.page.playground || context.page.featureDots {
                context.page.scriptStrings = ScriptStrings.json(contentStrings)
            }
            context.content = html
            context.toc = planned.headings.filter { $0.level == 2 || $0.level == 3 }.map {
                PageContext.TOCEntry(text: $0.text, id: $0.id, sub: $0.level == 3)
            }
            if let referencesHeading {
                context.toc.append(PageContext.TOCEntry(text: referencesHeading, id: Citations.headingID, sub: false))
            }
            context.hasToc = planned.headings.contains { $0.level == 2 } || referencesHeading != nil
            let neighbour = { (i: Int) in
                let other = lessons[edition.pages[i].lesson].lesson
                return PageContext.Link(title: other.title, url: "../\(other.slug)/")
            }
            if position > 0 { context.prev = neighbour(position - 1) }
            if position + 1 < edition.pages.count { context.next = neighbour(position + 1) }
            let card = PageContext.LessonCard(
                title: lesson.title, summary: lesson.summary, url: "\(lesson.slug)/", number: numbers[position],
                thumbnail: thumbnail, kicker: context.page.kicker ?? "")
            let search = SearchEntry(
                title: lesson.title, url: "\(prefix)\(lesson.slug)/", summary: lesson.summary,
                headings: planned.headings.map { SearchEntry.Heading(text: $0.text, id: $0.id) },
                text: String(HTML.plainText(html, skipping: ["figure", "math", "script", "style"]).prefix(20_000)))
            return Rendered(
                language: edition.edition.language, position: position, path: "\(prefix)\(lesson.slug)/index.html",
                context: context, card: card, search: search)
        }
    }

    /// Minutes to read `text` at 200 words a minute, counting each two Han, kana or Hangul
    /// characters as a word (those scripts put no spaces between words); at least 1.
    static func readingMinutes(_ text: String) -> Int {
        var words = 0, ideographs = 0, inWord = false
        for scalar in text.unicodeScalars {
            let value = scalar.value
            if (0x3040...0x30FF).contains(value) || (0x3400...0x9FFF).contains(value)
                || (0xAC00...0xD7AF).contains(value) || (0xF900...0xFAFF).contains(value)
            {
                ideographs += 1
                inWord = false
            } else if scalar.properties.isWhitespace || scalar.properties.generalCategory == .otherPunctuation {
                inWord = false
            } else if !inWord {
                words += 1
                inWord = true
            }
        }
        return max(1, Int((Double(words) + Double(ideographs) / 2) / 200 + 0.5))
    }

    /// The card image social sites show for a page: `preferred` if it is a PNG, else the
    /// first PNG of `others` (they do not show SVG), as an absolute address under `baseURL`.
    static func socialImage(preferred: String?, others: [String?], baseURL: String?) -> String? {
        guard let baseURL else { return nil }
        let png = ([preferred] + others).compactMap { $0 }.first { $0.hasSuffix(".png") }
        return png.map { baseURL + $0 }
    }

}
