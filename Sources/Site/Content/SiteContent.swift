import Common
import Foundation

/// Everything under the content folder that a build reads: site.yml and the lessons.
public struct SiteContent: Sendable {
    public let paths: ContentPaths
    public let config: SiteConfig
    /// Lessons in navigation order (drafts included only when asked for).
    public let lessons: [Lesson]

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
            let text = try SourceText.read(path: configFile, displayPath: configFile)
            config = try SiteConfig.parse(text, file: configFile)
        } catch {
            errors.append(error)
        }
        let lessonsDirectory = paths.display("lessons")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: lessonsDirectory)) ?? [])
            .filter { $0.hasSuffix(".md") }.sorted()
        if names.isEmpty {
            errors.append(
                SourceError(
                    "no lessons: add Markdown files such as lessons/01-intro.md",
                    at: SourceLocation(file: lessonsDirectory, line: 0, column: 0)))
        }
        var lessons: [Lesson] = []
        var slugs: [String: String] = [:]
        for name in names {
            let file = (lessonsDirectory as NSString).appendingPathComponent(name)
            do throws(SourceError) {
                let text = try SourceText.read(path: file, displayPath: file)
                let lesson = try Lesson.parse(text, file: file, fileName: name)
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
            }
        }
        guard let config else { return (nil, errors) }
        lessons.sort { ($0.order, $0.file) < ($1.order, $1.file) }
        return (SiteContent(paths: paths, config: config, lessons: lessons), errors)
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
