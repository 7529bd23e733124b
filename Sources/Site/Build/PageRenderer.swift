import Common
import Foundation

/// Turns planned lessons and computed figures into the site's files: the pages of each
/// kind (lessons, home, directive reference, 404), figures, assets and images.
struct PageRenderer {
    let content: SiteContent
    let theme: Theme
    let plan: BuildPlan
    let figures: [Figure]
    let extraHeadHTML: String?

    /// The lessons with their figures in place, and what the home page and the search
    /// index say of each.
    func lessonPages() -> [LessonPages.Rendered] {
        let config = content.config
        return LessonPages(
            plan: plan, figures: figures, baseURL: config.baseURL, editURL: { config.editURL(lessonFile: $0) }
        ).render { index in
            let lesson = plan.lessons[index].lesson
            return base(
                root: "../", title: lesson.title, description: lesson.summary, path: "\(lesson.slug)/", current: index)
        }
    }

    /// Every page (lessons, home, reference, 404), the theme's assets, the figures' files
    /// and the content's images; `searchIndex` is the index script's path.
    func render(lessons: [LessonPages.Rendered], searchIndex: String) throws(SourceError) -> [String: Data] {
        var files: [String: Data] = theme.assetFiles
        for figure in figures { for file in figure.files { files[file.path] = file.data } }
        try copyImages(into: &files)

        let config = content.config
        var pages: [(path: String, template: String, context: PageContext)] = lessons.map {
            ($0.path, "lesson", $0.context)
        }

        var home = base(root: "", title: config.title, description: config.description, path: "", current: nil)
        home.page = PageContext.Page(title: config.title, summary: config.description)
        home.lessons = lessons.map(\.card)
        home.firstLesson = home.lessons.first
        // The site's card: the first lesson card picture that social sites can show.
        home.socialImage = LessonPages.socialImage(
            preferred: nil, others: home.lessons.map(\.thumbnail), baseURL: config.baseURL)
        pages.append(("index.html", "index", home))

        pages.append(
            (
                "reference/index.html", "reference",
                DirectiveReference.page(
                    base(
                        root: "../", title: "Directive reference",
                        description: "Every visualization directive, its options and an example.",
                        path: "reference/", current: nil))
            ))

        // 404 is served at any depth, so its links cannot be relative: they start at the
        // base_url's path, or at the host's root when no base_url is set.
        let notFoundRoot =
            config.baseURL.flatMap { URL(string: $0)?.path }.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? "/"
        var notFound = base(
            root: notFoundRoot, title: "Page not found", description: "", path: "404.html", current: nil)
        notFound.page = PageContext.Page(title: "Page not found")
        pages.append(("404.html", "404", notFound))

        for (path, template, context) in pages {
            var context = context
            context.searchIndex = searchIndex
            files[path] = try page(template, context)
        }
        return files
    }

    /// The page kind's template inside the layout.
    private func page(_ template: String, _ context: PageContext) throws(SourceError) -> Data {
        var context = context
        context.body = try theme.render(template, context)
        return Data(try theme.render("layout", context).utf8)
    }

    /// What every page's templates can use.
    private func base(root: String, title: String, description: String, path: String, current: Int?) -> PageContext {
        let config = content.config
        return PageContext(
            site: PageContext.Site(
                title: config.title, description: config.description, author: config.author,
                language: config.language, footer: config.footer),
            root: root, title: title, description: description.isEmpty ? config.description : description,
            assets: theme.assetPaths,
            nav: plan.lessons.enumerated().map { i, p in
                PageContext.NavItem(
                    title: p.lesson.title, url: "\(root)\(p.lesson.slug)/", number: i + 1, current: i == current)
            },
            isHome: path.isEmpty, generator: VizsiteVersion.generator,
            canonical: config.baseURL.map { $0 + path.percentEncodedPath }, extraHead: extraHeadHTML,
            page: PageContext.Page(title: title))
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
