import Common
import CNN
import Foundation

/// Checks one lesson as `vizsite build` would before running anything: front matter,
/// Markdown, `{{values}}`, and every directive's options against a model — without
/// reading other files, training or computing figures.
public enum LessonCheck {
    /// The errors of `text`, a lesson read from `file`; every directive is checked against
    /// `spec`, whatever model it names.
    public static func errors(in text: String, file: String, config: SiteConfig, spec: ModelSpec) -> [SourceError] {
        let lesson: Lesson
        do throws(SourceError) {
            lesson = try Lesson.parse(text, file: file, fileName: (file as NSString).lastPathComponent)
        } catch {
            return [error]
        }
        let content = SiteContent(
            paths: ContentPaths(root: ResolvedPath.parent(file)),
            config: config, lessons: [lesson])
        do throws(BuildErrors) {
            _ = try BuildPlan(content: content) { _, _ in spec }
            return []
        } catch {
            return error.errors
        }
    }
}
