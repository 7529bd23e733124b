import Foundation

/// The lesson pages: each lesson's HTML with its figures in place, its table of contents,
/// previous and next links; and what the home page and the search index say of it.
struct LessonPages {
    let plan: BuildPlan
    let figures: [Figure]
    /// site.yml's `base_url`, which makes card images absolute (social sites need that).
    var baseURL: String? = nil
    /// Where readers edit a lesson file, by its name (site.yml's repository).
    var editURL: (String) -> String? = { _ in nil }

    struct Rendered {
        let path: String
        let context: PageContext
        let card: PageContext.LessonCard
        let search: SearchEntry
    }

    /// `base(index)` gives lesson `index`'s shared page fields.
    func render(base: (Int) -> PageContext) -> [Rendered] {
        let lessons = plan.lessons
        return lessons.enumerated().map { index, planned in
            let lesson = planned.lesson
            var html = planned.html
            var thumbnails: [String?] = []
            for (number, figureIndex) in planned.figures.enumerated() {
                let figure = figures[figureIndex]
                html = html.replacingOccurrences(
                    of: MarkdownDocument.placeholder(number),
                    with: figure.html(number: number + 1, root: "../", label: plan.figures[figureIndex].label))
                thumbnails.append(figure.thumbnail)
            }
            let thumbnail =
                lesson.thumbnail.flatMap { $0 <= thumbnails.count ? thumbnails[$0 - 1] : nil }
                ?? thumbnails.compactMap { $0 }.first
            html = html.replacingOccurrences(of: Figure.root, with: "../")
            if let values = planned.values,
                let dictionary = try? JSONDecoder().decode([String: String].self, from: Data(figures[values].body.utf8))
            {
                html = InlineValues.substitute(html, values: dictionary)
            }
            html = plan.references.link(html, lesson: index, lessons: lessons)
            var context = base(index)
            context.page = PageContext.Page(title: lesson.title, summary: lesson.summary, number: index + 1)
            context.ogType = "article"
            // The prose only: figures are looked at, not read (and carry their data).
            context.page.readingMinutes = Self.readingMinutes(HTML.plainText(planned.html))
            context.page.editLink = editURL((lesson.file as NSString).lastPathComponent)
            context.socialImage = Self.socialImage(preferred: thumbnail, others: thumbnails, baseURL: baseURL)
            context.page.playground = planned.figures.contains { figures[$0].kind == PlaygroundDirective.name }
            context.page.featureDots = planned.figures.contains { figures[$0].body.contains(" fm-dots\"") }
            context.content = html
            context.toc = planned.headings.filter { $0.level == 2 || $0.level == 3 }.map {
                PageContext.TOCEntry(text: $0.text, id: $0.id, sub: $0.level == 3)
            }
            context.hasToc = planned.headings.contains { $0.level == 2 }
            if index > 0 { context.prev = link(lessons[index - 1].lesson) }
            if index + 1 < lessons.count { context.next = link(lessons[index + 1].lesson) }
            let card = PageContext.LessonCard(
                title: lesson.title, summary: lesson.summary, url: "\(lesson.slug)/", number: index + 1,
                thumbnail: thumbnail)
            let search = SearchEntry(
                title: lesson.title, url: "\(lesson.slug)/", summary: lesson.summary,
                headings: planned.headings.map { SearchEntry.Heading(text: $0.text, id: $0.id) },
                text: String(HTML.plainText(html).prefix(20_000)))
            return Rendered(path: "\(lesson.slug)/index.html", context: context, card: card, search: search)
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

    private func link(_ lesson: Lesson) -> PageContext.Link {
        PageContext.Link(title: lesson.title, url: "../\(lesson.slug)/")
    }
}
