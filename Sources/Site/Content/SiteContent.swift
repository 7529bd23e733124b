import Common
import Foundation

/// Everything under the content folder that a build reads: site.yml and the lessons.
public struct SiteContent: Sendable {
    public let paths: ContentPaths
    public let config: SiteConfig
    /// The default edition's lessons in navigation order (drafts included only when asked for).
    public let lessons: [Lesson]
    /// The other editions' lessons (`lessons/<language>/*.md`) by language, each in its order.
    public var translations: [String: [Lesson]] = [:]
    /// The works lessons cite (`references.bib`, when there is one).
    public var bibliography = Bibliography()
    /// Whether `references.bib` failed to read (its error is reported there, not at each citation).
    public var bibliographyFailed = false
    /// Where the bibliography is read from, as errors name it.
    public static let bibliographyFile = "references.bib"

    /// Loads and checks `site.yml` and every `lessons/*.md`. Every problem found is
    /// reported, not only the first.
    public static func load(contentDirectory: String, includeDrafts: Bool) throws(BuildErrors) -> SiteContent {
        let (content, errors) = loadValid(contentDirectory: contentDirectory, includeDrafts: includeDrafts)
        guard errors.isEmpty, let content else { throw BuildErrors(errors) }
        return content
    }

    /// The content with the lessons that could be read, and the errors of the others; nil
    /// content when site.yml itself is unusable. A build checks the directives of the good
    /// lessons too, so one run reports every error.
    static func loadValid(contentDirectory: String, includeDrafts: Bool) -> (SiteContent?, [SourceError]) {
        let paths = ContentPaths(root: contentDirectory)
        var errors: [SourceError] = []
        var config: SiteConfig?
        let configFile = paths.display("site.yml")
        do throws(SourceError) {
            let text = try SourceText.read(path: configFile, displayPath: configFile, inside: contentDirectory)
            config = try SiteConfig.parse(text, file: configFile)
        } catch {
            errors.append(error)
        }
        let lessonsDirectory = paths.display("lessons")
        var (lessons, lessonErrors, files) = loadLessons(
            in: lessonsDirectory, root: contentDirectory, includeDrafts: includeDrafts)
        errors += lessonErrors
        if files == 0 {
            errors.append(
                SourceError(
                    "no lessons: add Markdown files such as lessons/01-intro.md",
                    at: SourceLocation(file: lessonsDirectory, line: 0, column: 0)))
        }
        var translations: [String: [Lesson]] = [:]
        if let config {
            for edition in config.editions.dropFirst() {
                var (found, problems, _) = loadLessons(
                    in: paths.display(edition.lessonsFolder), root: contentDirectory, includeDrafts: includeDrafts)
                found.sort { ($0.order, $0.file) < ($1.order, $1.file) }
                translations[edition.language] = found
                errors += problems
            }
            errors += strayFolders(in: lessonsDirectory, config: config)
        }
        var bibliography = Bibliography(), bibliographyFailed = false
        let bibFile = paths.display(bibliographyFile)
        if FileManager.default.fileExists(atPath: bibFile) {
            do throws(SourceError) {
                let text = try SourceText.read(path: bibFile, displayPath: bibFile, inside: contentDirectory)
                bibliography = try Bibliography(text, file: bibFile)
            } catch {
                errors.append(error)
                bibliographyFailed = true
            }
        }
        guard let config else { return (nil, errors) }
        lessons.sort { ($0.order, $0.file) < ($1.order, $1.file) }
        var content = SiteContent(paths: paths, config: config, lessons: lessons, translations: translations)
        content.bibliography = bibliography
        content.bibliographyFailed = bibliographyFailed
        return (content, errors)
    }

    /// The lessons of one folder (`*.md`, not its subfolders), the errors of those that could
    /// not be read (a slug used twice is an error at the second file), and how many files it holds.
    private static func loadLessons(
        in directory: String, root: String, includeDrafts: Bool
    ) -> ([Lesson], [SourceError], Int) {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasSuffix(".md") }.sorted()
        var lessons: [Lesson] = [], errors: [SourceError] = []
        var slugs: [String: String] = [:]
        for name in names {
            let file = (directory as NSString).appendingPathComponent(name)
            var text: String?
            do throws(SourceError) {
                text = try SourceText.read(path: file, displayPath: file, inside: root)
                let lesson = try Lesson.parse(text!, file: file, fileName: name)
                if let other = slugs[lesson.slug] {
                    throw SourceError(
                        "duplicate slug '\(lesson.slug)': \(other) already uses it; rename one of the files",
                        at: SourceLocation(file: file, line: 1, column: 1))
                }
                slugs[lesson.slug] = file
                if lesson.draft && !includeDrafts { continue }
                lessons.append(lesson)
            } catch {
                errors.append(error)
                // A lesson whose front matter is wrong still has its body checked, so one run
                // reports every mistake of the file; the build stops at the first error anyway.
                if let text, !text.isEmpty, let standIn = Lesson.standIn(text, file: file, fileName: name) {
                    lessons.append(standIn)
                }
            }
        }
        return (lessons, errors, names.count)
    }

    /// Folders of `lessons/` holding Markdown for a language site.yml does not list (a
    /// translation nobody would see).
    private static func strayFolders(in lessonsDirectory: String, config: SiteConfig) -> [SourceError] {
        let fm = FileManager.default
        let listed = Set(config.editions.map(\.language))
        var errors: [SourceError] = []
        for name in ((try? fm.contentsOfDirectory(atPath: lessonsDirectory)) ?? []).sorted()
        where !listed.contains(name) {
            let folder = (lessonsDirectory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue,
                ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).contains(where: { $0.hasSuffix(".md") })
            else { continue }
            errors.append(
                SourceError(
                    "\(folder)/ holds lessons for '\(name)', which is not among site.yml's languages ("
                        + config.editions.map(\.language).joined(separator: ", ") + "); add it there",
                    at: SourceLocation(file: folder, line: 0, column: 0),
                    suggestion: config.editions.map(\.language).first {
                        $0.caseInsensitiveCompare(name) == .orderedSame
                    }))
        }
        return errors
    }

    /// The lessons of the edition in `language`: the default edition's or its translations.
    public func lessons(in language: String) -> [Lesson] {
        language == config.defaultEdition.language ? lessons : translations[language] ?? []
    }
}

/// All the errors of a build, printed one per line, compiler-style.
public struct BuildErrors: Error, Sendable, CustomStringConvertible {
    public var errors: [SourceError]
    /// The build step that stopped (`check lessons and directives`), set by the runner.
    public var step: String?
    public init(_ errors: [SourceError]) { self.errors = errors }
    public var description: String {
        let lines = errors.map(\.description)
        let count = errors.count == 1 ? "1 error" : "\(errors.count) errors"
        return (lines + ["\(count) generated" + (step.map { " (step: \($0))" } ?? "") + "."]).joined(separator: "\n")
    }
}
