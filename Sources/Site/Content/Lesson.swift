import Common
import Foundation

/// One lesson: `Content/lessons/NN-slug.md`, its front matter and Markdown body.
public struct Lesson: Sendable {
    /// The file as errors name it (`Content/lessons/07-cam.md`).
    public let file: String
    /// The URL segment: the file name without its number and extension (`cam`).
    public let slug: String
    public let title: String
    public let summary: String
    /// Position in the navigation; from the front matter, else the file's number.
    public let order: Int
    public let draft: Bool
    /// Whether the lesson is numbered ("Lesson 3"); an appendix such as a glossary is not.
    public let numbered: Bool
    /// Which figure (1-based) of the lesson is its card image; the first with a picture by default.
    public let thumbnail: Int?
    /// A model spec for this lesson's directives, relative to the content folder.
    public let model: String?
    /// Where front matter names `model` (errors about that model point there).
    public var modelLocation: SourceLocation? = nil
    /// A dataset folder for this lesson's directives, relative to the content folder.
    public let data: String?
    /// Short names for paths into figures' raw values that the prose quotes often
    /// (`shorthands: {ink: sanity.methods[vanilla].similarities[ink-spearman]}`, then `{{fig:ink.mean | 2}}`).
    public var shorthands: [Shorthand] = []
    /// Shorthand names a stand-in's front matter gives but that could not be read: tokens
    /// using them are not reported again.
    var unreadableShorthands: Set<String> = []
    /// Works to list in the lesson's references without citing them in its prose (`nocite:`,
    /// as Pandoc's): keys, or `*` for every work of the bibliography; and where it is given.
    public var nocite: [String] = []
    public var nociteLocation: SourceLocation? = nil
    public let body: String
    /// The file line just before the body's first line.
    public let bodyLineOffset: Int

    /// The file's bare name (`07-cam.md`), which pairs a translation with its original.
    public var fileName: String { (file as NSString).lastPathComponent }

    /// This translation with the model and dataset of `original` where it names none, so
    /// the editions' figures are the same (and computed once).
    func inheriting(from original: Lesson) -> Lesson {
        Lesson(
            file: file, slug: slug, title: title, summary: summary, order: order, draft: draft, numbered: numbered,
            thumbnail: thumbnail, model: model ?? original.model,
            modelLocation: model == nil ? original.modelLocation : modelLocation, data: data ?? original.data,
            shorthands: shorthands.isEmpty ? original.shorthands : shorthands,
            unreadableShorthands: shorthands.isEmpty ? original.unreadableShorthands : unreadableShorthands,
            nocite: nocite.isEmpty ? original.nocite : nocite,
            nociteLocation: nocite.isEmpty ? original.nociteLocation : nociteLocation,
            body: body, bodyLineOffset: bodyLineOffset)
    }

    /// A name that stands for the start of a figure value's token: `label.path`.
    public struct Shorthand: Sendable, Equatable {
        public let name: String
        /// What the name stands for: a figure's label and a path into its raw values.
        public let expansion: String
        public let location: SourceLocation
    }

    /// The shorthands by name, as token parsing takes them.
    var shorthandExpansions: [String: String] {
        Dictionary(shorthands.map { ($0.name, $0.expansion) }, uniquingKeysWith: { first, _ in first })
    }

    static let frontMatterKeys = [
        "title", "summary", "slug", "order", "draft", "numbered", "thumbnail", "model", "data",
        "shorthands", "nocite",
    ]

    /// The slug of a lesson file name: `07-cam.md` → `cam`.
    public static func slug(fromFileName fileName: String) -> String {
        let stem = (fileName as NSString).deletingPathExtension
        var rest = Substring(stem.drop { $0.isASCII && $0.isNumber })
        if rest.first == "-" || rest.first == "_" { rest = rest.dropFirst() }
        return String(rest).slugified
    }

    private static func shorthands(_ value: YAMLValue) throws(SourceError) -> [Shorthand] {
        var result: [Shorthand] = []
        for (key, expansion) in try value.mapping().entries {
            let name = try key.string()
            guard FigureReferences.isValid(name) else {
                throw key.error("a shorthand's name is letters, digits, '-' and '_', starting with a letter or digit")
            }
            guard !result.contains(where: { $0.name == name }) else {
                throw key.error("shorthand '\(name)' is given twice")
            }
            let text = try expansion.string().trimmingCharacters(in: .whitespaces)
            let parsed: ProseValue?
            do { parsed = text.contains("|") ? nil : try ProseValue.parse(text) } catch {
                throw expansion.error(error.message)
            }
            guard parsed != nil else {
                throw expansion.error(
                    "a shorthand stands for a figure's label and a path into its raw values, without a format, "
                        + "as in 'sanity.methods[vanilla].similarities'")
            }
            result.append(Shorthand(name: name, expansion: text, location: key.location))
        }
        return result
    }

    /// `nocite:`'s keys: one key, `*`, or a list of keys (with or without Pandoc's `@`).
    private static func keys(_ value: YAMLValue) throws(SourceError) -> [String] {
        let items: [YAMLValue]
        if let list = try? value.list() { items = list } else { items = [value] }
        var keys: [String] = []
        for item in items {
            for key in try item.string().split(whereSeparator: { $0 == "," || $0 == " " }) {
                keys.append(String(key.hasPrefix("@") ? key.dropFirst() : key))
            }
        }
        return keys
    }

    /// A lesson whose front matter could not be read, standing in so that its body is still
    /// checked: its Markdown after the front matter (or all of it), under its file's name.
    /// Nil when the file's slug is taken by no name at all (nothing to stand in for).
    static func standIn(_ text: String, file: String, fileName: String) -> Lesson? {
        let split = FrontMatterSplit(text)
        let slug = slug(fromFileName: fileName)
        guard !slug.isEmpty else { return nil }
        let stem = (fileName as NSString).deletingPathExtension
        var lesson = Lesson(
            file: file, slug: slug, title: stem, summary: "", order: Int(stem.prefix { $0.isNumber }) ?? 1000,
            draft: false, numbered: true, thumbnail: nil, model: nil, data: nil, body: split.body,
            bodyLineOffset: split.bodyLineOffset)
        // What of the front matter can be read still applies: its shorthands, one by one.
        if let yaml = split.yaml, let front = try? YAMLValue.parse(yaml, file: file, lineOffset: 1).mapping(),
            let entries = try? front["shorthands"]?.mapping().entries
        {
            for (key, value) in entries {
                guard let name = try? key.string() else { continue }
                if let one = try? shorthands(YAMLValue.parse("\(name): \((try? value.string()) ?? "")", file: file)) {
                    lesson.shorthands += one
                } else {
                    lesson.unreadableShorthands.insert(name)
                }
            }
        }
        return lesson
    }

    /// Parses a lesson's text; `fileName` is the bare name (`07-cam.md`).
    public static func parse(_ text: String, file: String, fileName: String) throws(SourceError) -> Lesson {
        let split = FrontMatterSplit(text)
        let stem = (fileName as NSString).deletingPathExtension
        let digits = stem.prefix { $0.isASCII && $0.isNumber }
        var slug = slug(fromFileName: fileName)
        let start = SourceLocation(file: file, line: 1, column: 1)
        guard let yaml = split.yaml else {
            if text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw SourceError("the lesson is empty; it needs front matter with at least a title", at: start)
            }
            throw SourceError(
                "a lesson starts with YAML front matter between '---' lines, with at least a title", at: start)
        }
        let front = try YAMLValue.parse(yaml, file: file, lineOffset: 1).mapping()
        try front.checkKeys(frontMatterKeys, in: "lesson front matter")
        // Front matter may name the slug; it must be one already (what the URL shows).
        if let value = front["slug"] {
            let given = try value.string()
            guard !given.isEmpty, given.slugified == given else {
                throw value.error(
                    "a slug is lowercase letters and digits (of any script) joined by hyphens"
                        + (given.slugified.isEmpty ? "" : "; did you mean '\(given.slugified)'?"))
            }
            slug = given
        }
        guard !slug.isEmpty else {
            throw SourceError(
                "lesson file names look like NN-slug.md (e.g. 03-filters.md); '\(fileName)' has no slug (or give "
                    + "one in the front matter as slug:)", at: start)
        }
        let titleValue = try front.required("title", in: "the front matter")
        let title = try titleValue.string()
        guard !title.trimmingCharacters(in: .whitespaces).isEmpty else { throw titleValue.error("the title is empty") }
        var thumbnail: Int?
        if let value = front["thumbnail"] {
            thumbnail = try value.int()
            guard thumbnail! >= 1 else { throw value.error("thumbnail is a figure number, 1 or more") }
        }
        return Lesson(
            file: file, slug: slug, title: title,
            summary: try front["summary"]?.string() ?? "",
            order: try front["order"]?.int() ?? Int(digits) ?? 1000,
            draft: try front["draft"]?.bool() ?? false,
            numbered: try front["numbered"]?.bool() ?? true,
            thumbnail: thumbnail,
            model: try front["model"]?.string(),
            modelLocation: front["model"]?.location,
            data: try front["data"]?.string(),
            shorthands: try front["shorthands"].map(shorthands) ?? [],
            nocite: try front["nocite"].map(Self.keys) ?? [], nociteLocation: front["nocite"]?.location,
            body: split.body, bodyLineOffset: split.bodyLineOffset)
    }
}
