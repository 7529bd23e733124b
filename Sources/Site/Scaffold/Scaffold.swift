import Common
import CNN
import Foundation

/// `vizsite new lesson` and `vizsite init`: new content from templates.
public enum Scaffold {
    public struct Failure: SourceErrorConvertible {
        public let sourceError: SourceError
        init(_ message: String) { sourceError = SourceError(message) }
    }

    /// Writes the next numbered lesson (`lessons/NN-slug.md`) and returns its path.
    public static func newLesson(title: String, contentDirectory: String) throws -> String {
        let trimmed = title.trimmingCharacters(in: .whitespacesAndNewlines)
        let slug = trimmed.slugified
        guard !slug.isEmpty else {
            throw Failure("a lesson title needs at least one letter or digit, found '\(title)'")
        }
        let lessons = (contentDirectory as NSString).appendingPathComponent("lessons")
        let fm = FileManager.default
        guard fm.fileExists(atPath: (contentDirectory as NSString).appendingPathComponent("site.yml")) else {
            throw Failure(
                "\(contentDirectory)/site.yml not found; run this in a site folder, or create one with `vizsite init "
                    + "DIR`"
            )
        }
        try fm.createDirectory(atPath: lessons, withIntermediateDirectories: true)
        let existing = (try fm.contentsOfDirectory(atPath: lessons)).filter { $0.hasSuffix(".md") }
        if let clash = existing.first(where: { Lesson.slug(fromFileName: $0) == slug }) {
            throw Failure("a lesson with slug '\(slug)' exists already: \(lessons)/\(clash)")
        }
        let next = (existing.compactMap { Int($0.prefix { $0.isNumber }) }.max() ?? 0) + 1
        let path = (lessons as NSString).appendingPathComponent(String(format: "%02d-%@.md", next, slug))
        try lessonText(title: trimmed).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Starts a translation of lesson `fileName` (`07-cam.md`) into `language`, one of
    /// site.yml's languages: a copy at `lessons/<language>/<fileName>` whose headings keep
    /// the original's anchors (`## 类激活图 {#class-activation-maps}` once translated), so
    /// links to sections work in every edition. Returns its path.
    public static func newTranslation(of fileName: String, language: String, contentDirectory: String) throws -> String
    {
        let configFile = (contentDirectory as NSString).appendingPathComponent("site.yml")
        let config = try SiteConfig.parse(
            try SourceText.read(path: configFile, displayPath: configFile, inside: contentDirectory), file: configFile)
        let others = config.editions.dropFirst().map(\.language)
        guard others.contains(language) else {
            throw Failure(
                "'\(language)' is not one of site.yml's other languages"
                    + (others.isEmpty ? "; list it under languages: first" : " (\(others.joined(separator: ", ")))"))
        }
        let lessons = (contentDirectory as NSString).appendingPathComponent("lessons")
        let name = (fileName as NSString).lastPathComponent
        let original = (lessons as NSString).appendingPathComponent(name)
        guard FileManager.default.fileExists(atPath: original) else {
            let names = ((try? FileManager.default.contentsOfDirectory(atPath: lessons)) ?? []).filter {
                $0.hasSuffix(".md")
            }
            throw Failure(
                "no lesson \(original)" + (nearestName(to: name, in: names).map { "; did you mean '\($0)'?" } ?? ""))
        }
        let folder = (lessons as NSString).appendingPathComponent(language)
        let path = (folder as NSString).appendingPathComponent(name)
        guard !FileManager.default.fileExists(atPath: path) else { throw Failure("\(path) exists already") }
        let text = try SourceText.read(path: original, displayPath: original, inside: contentDirectory)
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try withHeadingIDs(text).write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// `text` with each ATX heading outside code given its anchor explicitly (`{#id}`).
    static func withHeadingIDs(_ text: String) -> String {
        let split = FrontMatterSplit(text)
        let ids = MarkdownDocument(
            split.body, lineOffset: 0, smart: true, unsafe: false, rewriteURL: { _ in nil }
        ).headings.map(\.id)
        var next = ids.makeIterator()
        var inFence = false
        var lines = split.body.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for i in lines.indices {
            let trimmed = lines[i].trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("```") || trimmed.hasPrefix("~~~") { inFence.toggle() }
            guard !inFence, trimmed.hasPrefix("#"), trimmed.drop(while: { $0 == "#" }).first == " " else { continue }
            guard let id = next.next() else { break }
            if !trimmed.hasSuffix("}") { lines[i] += " {#\(id)}" }
        }
        return String(text.dropLast(split.body.count)) + lines.joined(separator: "\n")
    }

    static func lessonText(title: String) -> String {
        let quoted =
            "\"" + title.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
        return """
            ---
            title: \(quoted)
            summary: One sentence on what this lesson shows.
            ---

            Write the lesson in Markdown. A visualization is a fenced block whose info string
            is `viz` and a directive name; its options are YAML. The directive reference
            lists every directive and option.

            ## Where does the network look?

            ```viz cam
            method: gradcam
            images: test[0:4]
            target: predicted
            ```

            Say what the reader should notice in the figure above. Without a `layer:` option
            the map is of the model's last block with a spatial grid, whatever the model.

            """
    }

    /// Creates a new site in `directory` from `source`, a vizsite checkout (or any site):
    /// site.yml, one sample lesson, the model spec, the MNIST files, and a copy of the theme.
    public static func initSite(at directory: String, from source: String) throws {
        let fm = FileManager.default
        if fm.fileExists(atPath: directory),
            !((try? fm.contentsOfDirectory(atPath: directory)) ?? []).filter({ !$0.hasPrefix(".") }).isEmpty
        {
            throw Failure("\(directory) exists and is not empty; choose a new folder")
        }
        let sourceContent = (source as NSString).appendingPathComponent("Content")
        let sourceTheme = (source as NSString).appendingPathComponent("Theme")
        for needed in ["Theme/templates/layout.mustache", "Content/models/mnist-cnn.yml", "Content/data/mnist"] {
            guard fm.fileExists(atPath: (source as NSString).appendingPathComponent(needed)) else {
                throw Failure("\(source) has no \(needed); pass --from with the path of a vizsite checkout")
            }
        }
        let content = (directory as NSString).appendingPathComponent("Content")
        for sub in ["lessons", "models", "data", "images"] {
            try fm.createDirectory(
                atPath: (content as NSString).appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        try fm.copyItem(
            atPath: (sourceContent as NSString).appendingPathComponent("data/mnist"),
            toPath: (content as NSString).appendingPathComponent("data/mnist"))
        try fm.copyItem(
            atPath: (sourceContent as NSString).appendingPathComponent("models/mnist-cnn.yml"),
            toPath: (content as NSString).appendingPathComponent("models/mnist-cnn.yml"))
        try fm.copyItem(atPath: sourceTheme, toPath: (directory as NSString).appendingPathComponent("Theme"))
        let name = (URL(fileURLWithPath: directory).standardizedFileURL.lastPathComponent)
        try """
        title: \("\"" + name.replacingOccurrences(of: "\"", with: "") + "\"")
        description: What a convolutional network sees, lesson by lesson.
        author: ""
        language: en
        model: models/mnist-cnn.yml
        markdown:
          unsafe: false
          smart: true

        """.write(toFile: (content as NSString).appendingPathComponent("site.yml"), atomically: true, encoding: .utf8)
        try lessonText(title: "First look").write(
            toFile: (content as NSString).appendingPathComponent("lessons/01-first-look.md"),
            atomically: true, encoding: .utf8)
        try ".vizsite/\n/Output/\n".write(
            toFile: (directory as NSString).appendingPathComponent(".gitignore"), atomically: true, encoding: .utf8)
    }

    /// The vizsite checkout an executable belongs to: the nearest folder above it with
    /// `Theme/` and `Content/`.
    public static func checkout(containing executable: String) -> String? {
        var url = URL(fileURLWithPath: executable).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<6 {
            if FileManager.default.fileExists(
                atPath: url.appendingPathComponent("Theme/templates/layout.mustache").path),
                FileManager.default.fileExists(atPath: url.appendingPathComponent("Content/models/mnist-cnn.yml").path)
            {
                return url.path
            }
            url.deleteLastPathComponent()
        }
        return nil
    }
}
