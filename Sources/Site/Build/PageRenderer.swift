import Common
import Foundation

/// Turns planned lessons and computed figures into the site's files: the pages of each
/// kind (lessons, home, directive reference, 404), figures, assets and images.
struct PageRenderer {
    let content: SiteContent
    let theme: Theme
    let plan: BuildPlan
    let figures: [Figure]
    var rawValues = QuotedRawValues()
    let extraHeadHTML: String?

    /// The lessons of every edition with their figures in place, and what the home pages
    /// and search indexes say of each.
    func lessonPages() -> [LessonPages.Rendered] {
        let config = content.config
        let defaultName = theme.strings(for: config.defaultEdition.language)["language_name"]
        return plan.editions.flatMap { edition in
            let strings = theme.strings(for: edition.edition.language)
            let root = "../" + edition.edition.root
            return LessonPages(
                plan: plan, figures: figures, rawValues: rawValues, baseURL: config.baseURL,
                editURL: { config.editURL(lessonFile: $0) }
            ).render(edition: edition, strings: strings, defaultName: defaultName) { position in
                let page = edition.pages[position]
                let lesson = plan.lessons[page.lesson].lesson
                var context = base(
                    root: root, title: lesson.title, description: lesson.summary,
                    path: "\(edition.edition.prefix)\(lesson.slug)/", current: position, edition: edition)
                context.languages = languageLinks(root: root, current: edition.edition) { other in
                    page.original.flatMap { other.position(ofOriginal: $0) }.map {
                        "\(other.edition.prefix)\(plan.lessons[other.pages[$0].lesson].lesson.slug)/"
                    }
                }
                // hreflang names only pages written in their edition's language.
                if let original = page.original, !page.fallback {
                    context.alternates = alternates(root: root) { other in
                        other.position(ofOriginal: original).flatMap { q in
                            other.pages[q].fallback
                                ? nil : "\(other.edition.prefix)\(plan.lessons[other.pages[q].lesson].lesson.slug)/"
                        }
                    }
                }
                if page.fallback {
                    // The stand-in is the default edition's page in other words: that one is canonical.
                    context.canonical = config.baseURL.map { $0 + "\(lesson.slug)/".percentEncodedPath }
                }
                return context
            }
        }
    }

    /// Every page (lessons and home of each edition, reference, 404), the theme's assets,
    /// the figures' files and the content's images; `searchIndexes` are the index scripts'
    /// paths by language.
    func render(lessons: [LessonPages.Rendered], searchIndexes: [String: String]) throws(SourceError) -> [String: Data]
    {
        var files: [String: Data] = theme.assetFiles
        for figure in figures { for file in figure.files { files[file.path] = file.data } }
        try copyImages(into: &files)

        let config = content.config
        var pages: [(path: String, template: String, context: PageContext)] = lessons.map {
            ($0.path, "lesson", $0.context)
        }

        for edition in plan.editions {
            let prefix = edition.edition.prefix, root = edition.edition.root
            let strings = theme.strings(for: edition.edition.language)
            var home = base(
                root: root, title: edition.edition.title, description: edition.edition.description, path: prefix,
                current: nil, edition: edition)
            home.page = PageContext.Page(title: edition.edition.title, summary: edition.edition.description)
            home.lessons = lessons.filter { $0.language == edition.edition.language }.map(\.card)
            home.firstLesson = home.lessons.first
            home.startLabel = home.firstLesson.map { strings.format("start_with", ["title": $0.title]) }
            // The site's card: the first lesson card picture that social sites can show.
            home.socialImage = LessonPages.socialImage(
                preferred: nil, others: home.lessons.map(\.thumbnail), baseURL: config.baseURL)
            home.languages = languageLinks(root: root, current: edition.edition) { $0.edition.prefix }
            home.alternates = alternates(root: root) { $0.edition.prefix }
            pages.append(("\(prefix)index.html", "index", home))
        }

        let main = plan.editions[0]
        // The directive reference: the default edition's, and each edition's the theme translates.
        for edition in plan.editions {
            guard let path = referencePath(edition) else { continue }
            let strings = theme.strings(for: edition.edition.language)
            let root = String(repeating: "../", count: path.split(separator: "/").count)
            var reference = DirectiveReference.page(
                base(
                    root: root, title: strings["reference_title"], description: strings["reference_description"],
                    path: path, current: nil, edition: edition),
                strings: strings, translation: theme.reference(for: edition.edition.language))
            reference.languages = languageLinks(root: root, current: edition.edition) { referencePath($0) }
            reference.alternates = alternates(root: root) { referencePath($0) }
            pages.append(("\(path)index.html", "reference", reference))
        }

        // 404 is served at any depth, so its links cannot be relative: they start at the
        // base_url's path, or at the host's root when no base_url is set.
        let notFoundRoot =
            config.baseURL.flatMap { URL(string: $0)?.path }.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? "/"
        var notFound = base(
            root: notFoundRoot, title: "Page not found", description: "", path: "404.html", current: nil, edition: main)
        notFound.page = PageContext.Page(title: "Page not found")
        pages.append(("404.html", "404", notFound))

        // Each page's template runs on its own: every core renders its share.
        let ready = pages.map { path, template, context in
            var context = context
            context.searchIndex = searchIndexes[context.language] ?? searchIndexes[main.edition.language] ?? ""
            return (path: path, template: template, context: context)
        }
        let rendered = parallelMap(ready.count) { i in
            Result { () throws(SourceError) in try page(ready[i].template, ready[i].context) }
        }
        for (page, result) in zip(ready, rendered) { files[page.path] = try result.get() }
        return files
    }

    /// The page kind's template inside the layout.
    private func page(_ template: String, _ context: PageContext) throws(SourceError) -> Data {
        var context = context
        context.body = try theme.render(template, context)
        return Data(try theme.render("layout", context).utf8)
    }

    /// The language switcher's links from a page `root` away from the output root: each
    /// edition's `path(edition)` (relative to the root), or its home page.
    private func languageLinks(
        root: String, current: Edition, path: (EditionPages) -> String?
    ) -> [PageContext.LanguageLink] {
        guard plan.editions.count > 1 else { return [] }
        return plan.editions.map { other in
            PageContext.LanguageLink(
                language: other.edition.language, name: theme.strings(for: other.edition.language)["language_name"],
                url: Self.relative(root + (path(other) ?? other.edition.prefix)), current: other.edition == current)
        }
    }

    /// `hreflang` alternates: the editions whose `path(edition)` is non-nil, when at least two
    /// are; absolute under `base_url`, else relative to the page, `root` away from the output root.
    private func alternates(root: String, path: (EditionPages) -> String?) -> [PageContext.LanguageLink] {
        let found = plan.editions.compactMap { other in path(other).map { (other, $0) } }
        guard found.count > 1 else { return [] }
        return found.map { other, path in
            PageContext.LanguageLink(
                language: other.edition.language, name: theme.strings(for: other.edition.language)["language_name"],
                url: content.config.baseURL.map { $0 + path.percentEncodedPath } ?? Self.relative(root + path),
                current: false,
                isDefault: other.edition.isDefault)
        }
    }

    /// Where `edition`'s directive reference is, relative to the output root: `reference/` for
    /// the default edition, under the edition's folder for one the theme translates, else nil.
    func referencePath(_ edition: EditionPages) -> String? {
        if edition.edition.isDefault { return "reference/" }
        return theme.reference(for: edition.edition.language) == nil ? nil : edition.edition.prefix + "reference/"
    }

    /// A relative address that is never empty (`link` elements need one): `./` for the page's own folder.
    static func relative(_ path: String) -> String { path.isEmpty ? "./" : path }

    /// What every page's templates can use.
    private func base(
        root: String, title: String, description: String, path: String, current: Int?, edition: EditionPages
    ) -> PageContext {
        let config = content.config
        let strings = theme.strings(for: edition.edition.language)
        var context = PageContext(
            site: PageContext.Site(
                title: edition.edition.title, description: edition.edition.description, author: config.author,
                language: edition.edition.language, footer: edition.edition.footer),
            root: root, title: title,
            description: description.isEmpty ? edition.edition.description : description,
            assets: theme.assetPaths,
            nav: zip(edition.pages, edition.numbers).enumerated().map { i, item in
                let lesson = plan.lessons[item.0.lesson].lesson
                return PageContext.NavItem(
                    title: lesson.title, url: "\(root)\(edition.edition.prefix)\(lesson.slug)/", number: item.1,
                    current: i == current)
            },
            isHome: path == edition.edition.prefix, generator: VizsiteVersion.generator,
            canonical: config.baseURL.map { $0 + path.percentEncodedPath }, extraHead: extraHeadHTML,
            page: PageContext.Page(title: title))
        context.language = edition.edition.language
        context.home = root + edition.edition.prefix
        context.referencePath = referencePath(edition) ?? "reference/"
        context.strings = strings.values
        return context
    }

    /// `Content/images/` → `images/`, every file checked to stay inside the content folder.
    private func copyImages(into files: inout [String: Data]) throws(SourceError) {
        let directory = content.paths.display("images")
        let fm = FileManager.default
        guard let names = fm.enumerator(atPath: directory)?.allObjects as? [String] else { return }
        for name in names.sorted() where !name.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
            let at = SourceLocation(file: (directory as NSString).appendingPathComponent(name), line: 0, column: 0)
            let real = try content.paths.resolve("images/\(name)", at: at)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: real, isDirectory: &isDirectory), !isDirectory.boolValue,
                let data = fm.contents(atPath: real)
            else { continue }
            files["images/\(name)"] = data
        }
    }
}
