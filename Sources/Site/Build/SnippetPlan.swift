import Common
import Foundation

/// A Python box ready to show: its code in the edition's words, and what `make check-snippets`
/// found when it ran the files the box shows.
struct PlannedSnippet: Sendable {
    /// The code block's language (`python`).
    let language: String
    let code: String
    /// Each shown file's run in this wording; nil where it has not run since it changed.
    let runs: [SnippetChecks.Run?]
}

/// A snippet file as one edition runs it (`vizsite check --snippets DIR` writes these for
/// `make check-snippets`).
public struct SnippetVariant: Sendable, Encodable {
    /// The path under the lessons folder, and the edition's language.
    public let file: String
    public let language: String
    public let text: String
    public let sha256: String
    /// Where a lesson first shows it.
    public let includedAt: String

    enum CodingKeys: String, CodingKey {
        case file, language, sha256
        case includedAt = "included_at"
    }
}

/// Resolves the boxes of a build's lessons: reads each file and each edition's translation
/// once, and collects every file in every wording for the check.
struct SnippetResolver {
    let content: SiteContent
    let checks: SnippetChecks
    private var sources: [String: (text: String, source: SnippetSource)] = [:]
    private var wordings: [String: Wording] = [:]
    private var translations: [String: SnippetTranslation] = [:]
    private var used: [String: Set<String>] = [:]
    private(set) var variants: [SnippetVariant] = []
    /// Files not run in the wording shown, comments without a translation.
    private(set) var warnings: [SourceError] = []

    init(content: SiteContent) throws(SourceError) {
        self.content = content
        checks = try SnippetChecks.load(content.paths)
    }

    /// The box `block` of `lesson`, in the words of the edition of `language`.
    mutating func resolve(
        _ block: SnippetBlock, lesson: Lesson, language: String
    ) throws(SourceError)
        -> PlannedSnippet
    {
        let includes = try SnippetInclude.parse(
            block.body, file: lesson.file, fenceLine: block.line, column: block.column)
        var code: [String] = [], runs: [SnippetChecks.Run?] = [], shownFiles: Set<String> = []
        for include in includes {
            let worded = try wording(of: include, in: language)
            let sections = worded.source.sections
            guard let range = worded.source.range(of: include.section) else {
                throw SourceError(
                    "\(include.path) has no section '\(include.section ?? "")'"
                        + (sections.isEmpty
                            ? "; mark one with # --8<-- [start:name] … # --8<-- [end:name]"
                            : "; its sections: " + sections.keys.sorted().joined(separator: ", ")),
                    at: include.location,
                    suggestion: nearestName(to: include.section ?? "", in: Array(sections.keys)))
            }
            for (line, comment) in worded.untranslated where range.contains(line) {
                warnings.append(
                    .warning(
                        "the comment '\(comment)' (\(include.path):\(line + 1)) has no translation in "
                            + "\(translationPath(language)); the box shows it as it is", at: include.location))
            }
            code.append(worded.source.shown(range))
            // A box showing several sections of one file states (or misses) that file's run once.
            guard shownFiles.insert(include.path).inserted else { continue }
            if worded.run == nil {
                warnings.append(
                    .warning(
                        "\(include.path) has not been run by make check-snippets as "
                            + (language == content.config.defaultEdition.language
                                ? "it is now" : "this edition words it")
                            + "; run make check-snippets, so the box says what it computes", at: include.location))
            }
            runs.append(worded.run)
        }
        return PlannedSnippet(language: block.language, code: code.joined(separator: "\n\n"), runs: runs)
    }

    /// A snippet file in one edition's words: its sections, the comments left untranslated (by
    /// line), and the check's run of exactly this text.
    private struct Wording {
        let source: SnippetSource
        let untranslated: [(line: Int, comment: String)]
        let run: SnippetChecks.Run?
    }

    /// The file `include` names in the words of `language`'s edition, worded once per build
    /// and recorded among the variants `make check-snippets` runs.
    private mutating func wording(of include: SnippetInclude, in language: String) throws(SourceError) -> Wording {
        let key = language + "\u{0}" + include.path
        if let known = wordings[key] { return known }
        var (text, source) = try read(include)
        var untranslated: [(line: Int, comment: String)] = []
        if let translation = try translation(for: language) {
            let applied = translation.apply(to: text)
            used[language, default: []].formUnion(applied.used)
            (text, untranslated) = (applied.text, applied.untranslated)
            source = try SnippetSource(text, file: content.paths.display("lessons/" + include.path))
        }
        let sha = SHA256.hash(Array(text.utf8))
        variants.append(
            SnippetVariant(
                file: include.path, language: language, text: text, sha256: sha,
                includedAt: include.location.description))
        let wording = Wording(
            source: source, untranslated: untranslated,
            run: checks.run(of: include.path, language: language, sha256: sha))
        wordings[key] = wording
        return wording
    }

    /// Translations no box uses, once every lesson is resolved (stale entries).
    func unusedTranslations() -> [SourceError] {
        translations.keys.sorted().flatMap { language in
            let used = self.used[language] ?? []
            return translations[language]!.entries.filter { !used.contains($0.key) }
                .sorted { $0.value.location.line < $1.value.location.line }
                .map {
                    SourceError.warning(
                        "no box shows '\($0.key)' any longer; remove its translation", at: $0.value.location)
                }
        }
    }

    private func translationPath(_ language: String) -> String {
        let edition = content.config.editions.first { $0.language == language }
        return content.paths.display((edition?.lessonsFolder ?? "lessons") + "/" + SnippetTranslation.fileName)
    }

    /// The translation of the edition of `language`; nil for the default edition.
    private mutating func translation(for language: String) throws(SourceError) -> SnippetTranslation? {
        guard language != content.config.defaultEdition.language,
            let edition = content.config.editions.first(where: { $0.language == language })
        else { return nil }
        if let known = translations[language] { return known }
        let relative = edition.lessonsFolder + "/" + SnippetTranslation.fileName
        let display = content.paths.display(relative)
        let real = try content.paths.resolve(relative, at: SourceLocation(file: display, line: 0, column: 0))
        let translation =
            FileManager.default.fileExists(atPath: real)
            ? try SnippetTranslation(
                SourceText.read(path: real, displayPath: display, inside: content.paths.root), file: display)
            : SnippetTranslation()
        translations[language] = translation
        return translation
    }

    private mutating func read(_ include: SnippetInclude) throws(SourceError) -> (String, SnippetSource) {
        if let known = sources[include.path] { return known }
        let relative = "lessons/" + include.path
        let real = try content.paths.resolve(relative, at: include.location)
        let display = content.paths.display(relative)
        guard FileManager.default.fileExists(atPath: real) else {
            throw SourceError("no snippet file \(display)", at: include.location)
        }
        let text: String
        do throws(SourceError) {
            text = try SourceText.read(path: real, displayPath: display, inside: content.paths.root)
        } catch {
            throw error.placed(at: include.location)
        }
        let read = (text, try SnippetSource(text, file: display))
        sources[include.path] = read
        return read
    }
}
