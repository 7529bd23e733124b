import Foundation

/// The lesson pages of one edition in navigation order: its own lessons, and the default
/// edition's lesson wherever it has no translation of it (shown with a note). A
/// translation pairs with the default edition's lesson of the same file name.
struct EditionPages: Sendable {
    struct Page: Sendable {
        /// The lesson shown, an index into `BuildPlan.lessons`.
        let lesson: Int
        /// Whether it is the default edition's lesson standing in for a missing translation.
        let fallback: Bool
        /// The default edition's lesson this page shows or translates; nil for a lesson only
        /// this edition has.
        let original: Int?
    }

    let edition: Edition
    let pages: [Page]
    /// Each page's lesson number, counting numbered lessons only; nil for an unnumbered one
    /// (an appendix).
    let numbers: [Int?]

    init(edition: Edition, pages: [Page], lessons: [(language: String, lesson: Lesson)]) {
        self.edition = edition
        self.pages = pages
        var count = 0
        numbers = pages.map { page in
            guard lessons[page.lesson].lesson.numbered else { return nil }
            count += 1
            return count
        }
    }

    /// The pages of every edition; `lessons` are every edition's lessons (language, lesson),
    /// each edition's in its own order, as `BuildPlan.lessons` holds them.
    static func pages(of editions: [Edition], lessons: [(language: String, lesson: Lesson)]) -> [EditionPages] {
        guard let main = editions.first else { return [] }
        let originals = lessons.indices.filter { lessons[$0].language == main.language }
        return editions.map { edition in
            if edition.isDefault {
                return EditionPages(
                    edition: edition, pages: originals.map { Page(lesson: $0, fallback: false, original: $0) },
                    lessons: lessons)
            }
            let own = lessons.indices.filter { lessons[$0].language == edition.language }
            var byName: [String: Int] = [:]
            for i in own { byName[lessons[i].lesson.fileName] = i }
            var entries: [(order: Int, name: String, page: Page)] = originals.map { i in
                let original = lessons[i].lesson
                let page =
                    byName[original.fileName].map { Page(lesson: $0, fallback: false, original: i) }
                    ?? Page(lesson: i, fallback: true, original: i)
                return (original.order, original.fileName, page)
            }
            let paired = Set(originals.map { lessons[$0].lesson.fileName })
            for i in own where !paired.contains(lessons[i].lesson.fileName) {
                entries.append(
                    (
                        lessons[i].lesson.order, lessons[i].lesson.fileName,
                        Page(lesson: i, fallback: false, original: nil)
                    ))
            }
            // A stable sort: pages of the same order keep the default edition's sequence.
            let sorted = entries.enumerated().sorted { ($0.element.order, $0.offset) < ($1.element.order, $1.offset) }
            return EditionPages(edition: edition, pages: sorted.map(\.element.page), lessons: lessons)
        }
    }

    /// The slug of each page by its lesson's file name: where a link to `06-saliency.md`
    /// leads in this edition.
    func slugsByFileName(lessons: [Lesson]) -> [String: String] {
        var slugs: [String: String] = [:]
        for page in pages {
            let lesson = lessons[page.lesson]
            if slugs[lesson.fileName] == nil { slugs[lesson.fileName] = lesson.slug }
        }
        return slugs
    }

    /// The position of the page showing or translating default lesson `original`.
    func position(ofOriginal original: Int) -> Int? { pages.firstIndex { $0.original == original } }
}
