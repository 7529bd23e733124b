import Common
import Foundation

/// Turns planned lessons and computed figures into the site's files: pages, figures,
/// assets, images, the search index, the sitemap and 404.html.
struct PageRenderer {
    let content: SiteContent
    let theme: Theme
    let plan: BuildPlan
    let figures: [Figure]
    let extraHeadHTML: String?

    func render() throws(SourceError) -> [String: Data] {
        var files: [String: Data] = theme.assetFiles
        for figure in figures { for file in figure.files { files[file.path] = file.data } }
        try copyImages(into: &files)

        let lessons = plan.lessons
        var searchEntries: [[String: Any]] = []
        var pages: [(path: String, template: String, context: [String: Any])] = []
        var cards: [[String: Any]] = []
        for (index, planned) in lessons.enumerated() {
            let lesson = planned.lesson
            var html = planned.html
            var thumbnails: [String?] = []
            for (number, figureIndex) in planned.figures.enumerated() {
                let figure = figures[figureIndex]
                html = html.replacingOccurrences(of: MarkdownDocument.placeholder(number), with: figure.html(number: number + 1, root: "../"))
                thumbnails.append(figure.thumbnail)
            }
            let thumbnail = lesson.thumbnail.flatMap { $0 <= thumbnails.count ? thumbnails[$0 - 1] : nil } ?? thumbnails.compactMap { $0 }.first
            html = html.replacingOccurrences(of: Figure.root, with: "../")
            if let values = planned.values,
               let dictionary = try? JSONSerialization.jsonObject(with: Data(figures[values].body.utf8)) as? [String: String] {
                html = InlineValues.substitute(html, values: dictionary)
            }
            var context = baseContext(root: "../", title: lesson.title, description: lesson.summary, path: "\(lesson.slug)/", current: index)
            context["page"] = ["title": lesson.title, "summary": lesson.summary, "number": index + 1, "is_lesson": true] as [String: Any]
            context["content"] = html
            context["toc"] = planned.headings.filter { $0.level == 2 || $0.level == 3 }.map {
                ["text": $0.text, "id": $0.id, "sub": $0.level == 3] as [String: Any]
            }
            context["has_toc"] = planned.headings.contains { $0.level == 2 }
            if index > 0 { context["prev"] = ["title": lessons[index - 1].lesson.title, "url": "../\(lessons[index - 1].lesson.slug)/"] }
            if index + 1 < lessons.count { context["next"] = ["title": lessons[index + 1].lesson.title, "url": "../\(lessons[index + 1].lesson.slug)/"] }
            pages.append(("\(lesson.slug)/index.html", "lesson", context))
            cards.append(["title": lesson.title, "summary": lesson.summary, "url": "\(lesson.slug)/", "number": index + 1,
                          "thumbnail": thumbnail.map { $0 as Any } ?? false])
            searchEntries.append(["title": lesson.title, "url": "\(lesson.slug)/", "summary": lesson.summary,
                                  "headings": planned.headings.map { ["text": $0.text, "id": $0.id] },
                                  "text": String(HTML.plainText(html).prefix(20_000))])
        }

        var index = baseContext(root: "", title: content.config.title, description: content.config.description, path: "", current: nil)
        index["page"] = ["title": content.config.title, "summary": content.config.description, "is_index": true] as [String: Any]
        index["lessons"] = cards
        if let first = cards.first { index["first_lesson"] = first }
        pages.append(("index.html", "index", index))

        var reference = baseContext(root: "../", title: "Directive reference", description: "Every visualization directive, its options and an example.",
                                    path: "reference/", current: nil)
        reference["page"] = ["title": "Directive reference", "is_reference": true] as [String: Any]
        reference["directives"] = DirectiveReference.entries
        reference["toc"] = DirectiveRegistry.names.map { ["text": "viz \($0)", "id": "directive-\($0)", "sub": false] as [String: Any] }
        reference["has_toc"] = true
        reference["values"] = InlineValues.names.map { ["name": "{{\($0.name)}}", "meaning": $0.meaning] }
        reference["is_reference"] = true
        pages.append(("reference/index.html", "reference", reference))
        searchEntries.append(["title": "Directive reference", "url": "reference/", "summary": "Every directive and its options.",
                              "headings": DirectiveRegistry.names.map { ["text": $0, "id": "directive-\($0)"] },
                              "text": DirectiveRegistry.all.map { "\($0.name) \($0.summary)" }.joined(separator: " ")])

        // 404 is served at any depth, so its links cannot be relative: they start at the
        // base_url's path, or at the host's root when no base_url is set.
        let notFoundRoot = content.config.baseURL.flatMap { URL(string: $0)?.path }.map { $0.hasSuffix("/") ? $0 : $0 + "/" } ?? "/"
        var notFound = baseContext(root: notFoundRoot, title: "Page not found", description: "", path: "404.html", current: nil)
        notFound["page"] = ["title": "Page not found"]
        pages.append(("404.html", "404", notFound))

        let searchJSON = try! JSONSerialization.data(withJSONObject: searchEntries, options: [.sortedKeys])
        let searchScript = Data("window.VIZSITE_SEARCH=".utf8) + searchJSON + Data(";\n".utf8)
        let searchPath = "assets/search-index.\(SHA256.hash(searchScript).prefix(10)).js"
        files[searchPath] = searchScript
        for (path, template, context) in pages {
            var context = context
            context["search_index"] = searchPath
            files[path] = page(template, context)
        }
        if let base = content.config.baseURL {
            let urls = [""] + lessons.map { "\($0.lesson.slug)/" } + ["reference/"]
            var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n"
            for url in urls { xml += "  <url><loc>\(HTML.escape(base + url))</loc></url>\n" }
            files["sitemap.xml"] = Data((xml + "</urlset>\n").utf8)
            files["robots.txt"] = Data("User-agent: *\nAllow: /\nSitemap: \(base)sitemap.xml\n".utf8)
        }
        return files
    }

    private func page(_ template: String, _ context: [String: Any]) -> Data {
        var context = context
        context["body"] = theme.render(template, context)
        return Data(theme.render("layout", context).utf8)
    }

    /// What every page's templates can use.
    private func baseContext(root: String, title: String, description: String, path: String, current: Int?) -> [String: Any] {
        let config = content.config
        var site: [String: Any] = ["title": config.title, "description": config.description, "author": config.author, "language": config.language]
        if let footer = config.footer { site["footer"] = footer }
        var context: [String: Any] = [
            "site": site, "root": root, "title": title, "description": description.isEmpty ? config.description : description,
            "assets": theme.assetPaths,
            "nav": plan.lessons.enumerated().map { i, p in
                ["title": p.lesson.title, "url": "\(root)\(p.lesson.slug)/", "number": i + 1, "current": i == current] as [String: Any]
            },
            "is_home": path.isEmpty,
            "generator": VizsiteVersion.generator,
        ]
        if let base = config.baseURL { context["canonical"] = base + path }
        if let extraHeadHTML { context["extra_head"] = extraHeadHTML }
        return context
    }

    /// `Content/images/` → `images/`, every file checked to stay inside the content folder.
    private func copyImages(into files: inout [String: Data]) throws(SourceError) {
        let directory = content.paths.display("images")
        let fm = FileManager.default
        guard let names = fm.enumerator(atPath: directory)?.allObjects as? [String] else { return }
        for name in names.sorted() where !name.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
            let real = try content.paths.resolve("images/\(name)", at: SourceLocation(file: (directory as NSString).appendingPathComponent(name), line: 0, column: 0))
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: real, isDirectory: &isDirectory), !isDirectory.boolValue, let data = fm.contents(atPath: real) else { continue }
            files["images/\(name)"] = data
        }
    }
}

/// The directive reference, generated from the registry so it cannot drift from the code.
enum DirectiveReference {
    static var entries: [[String: Any]] {
        DirectiveRegistry.all.map { type in
            [
                "name": type.name, "summary": type.summary,
                "options": (type.options + OptionSpec.common).map {
                    ["name": $0.name, "type": $0.type, "default": $0.defaultValue ?? "—", "doc": $0.doc] as [String: Any]
                },
                "example": "```viz \(type.name)\n" + (type.example.isEmpty ? "" : type.example + "\n") + "```",
            ]
        }
    }
}
