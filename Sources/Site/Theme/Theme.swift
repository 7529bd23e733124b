import Common
import Foundation
import Mustache

/// A theme folder: Mustache templates (`templates/*.mustache`), static assets
/// (`assets/`), which the output names by content hash (`assets/style.3f9a0c1b.css`), and
/// interface strings by language (`strings/zh-Hans.yml`).
public struct Theme: Sendable {
    public static let requiredTemplates = ["layout", "lesson", "index", "404", "reference"]

    let library: MustacheLibrary
    /// Where the templates are, for errors.
    let templatesDirectory: String
    /// Output path of each asset (`assets/style.3f9a0c1b.css`) by its template key (`style_css`).
    let assetPaths: [String: String]
    /// The assets' bytes by output path.
    let assetFiles: [String: Data]
    /// The interface strings of each language the theme has a file for.
    var strings: [String: InterfaceStrings] = [:]

    /// The directive reference's translations by language (`strings/reference/zh-Hans.yml`).
    var references: [String: ReferenceTranslation] = [:]

    /// The directive reference in `language` (or its base language), if the theme has it.
    func reference(for language: String) -> ReferenceTranslation? {
        InterfaceStrings.bestMatch(for: language, in: Set(references.keys)).flatMap { references[$0] }
    }

    /// The interface strings for `language`: its file's (or its base language's), else English.
    func strings(for language: String) -> InterfaceStrings {
        InterfaceStrings.bestMatch(for: language, in: Set(strings.keys)).flatMap { strings[$0] } ?? InterfaceStrings()
    }

    /// Loads and parses every template; a template with a syntax error or a missing
    /// required template is an error naming the file.
    public static func load(directory: String) throws(BuildErrors) -> Theme {
        var errors: [SourceError] = []
        let fm = FileManager.default
        let templatesDirectory = (directory as NSString).appendingPathComponent("templates")
        var library = MustacheLibrary()
        var broken: Set<String> = []
        let names = ((try? fm.subpathsOfDirectory(atPath: templatesDirectory)) ?? []).filter {
            $0.hasSuffix(".mustache")
        }.sorted()
        for name in names {
            let file = (templatesDirectory as NSString).appendingPathComponent(name)
            do {
                let text = try SourceText.read(path: file, displayPath: file, inside: directory)
                do {
                    try library.register(text, named: String(name.dropLast(".mustache".count)))
                } catch let error as MustacheTemplate.ParserError {
                    broken.insert(String(name.dropLast(".mustache".count)))
                    errors.append(
                        SourceError(
                            "template syntax error: \(error.error)",
                            at: SourceLocation(
                                file: file, line: error.context.lineNumber, column: error.context.columnNumber)))
                } catch {
                    errors.append(
                        SourceError("template error: \(error)", at: SourceLocation(file: file, line: 0, column: 0)))
                }
            } catch {
                errors.append(error)
            }
        }
        for required in requiredTemplates
        where library.getTemplate(named: required) == nil && !broken.contains(required) {
            errors.append(
                SourceError(
                    "the theme has no template '\(required).mustache'",
                    at: SourceLocation(file: templatesDirectory, line: 0, column: 0)))
        }
        var assetPaths: [String: String] = [:], assetFiles: [String: Data] = [:]
        let assetsDirectory = (directory as NSString).appendingPathComponent("assets")
        for name in ((try? fm.subpathsOfDirectory(atPath: assetsDirectory)) ?? []).sorted() {
            let path = (assetsDirectory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard fm.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            // Published as they are: a link out of the theme would publish a file of the machine.
            let data: Data
            do { data = try ConfinedFile.contents(path, inside: directory, displayPath: path) } catch {
                errors.append(error)
                continue
            }
            let ext = (name as NSString).pathExtension, stem = (name as NSString).deletingPathExtension
            let hashed = "assets/\(stem).\(SHA256.hash(data).prefix(10))" + (ext.isEmpty ? "" : ".\(ext)")
            let key = name.map { $0.isLetter || $0.isNumber ? $0 : "_" }
            assetPaths[String(key)] = hashed
            assetFiles[hashed] = data
        }
        let stringsDirectory = (directory as NSString).appendingPathComponent("strings")
        let strings = languageFiles(in: stringsDirectory, theme: directory, errors: &errors, InterfaceStrings.parse)
        let references = languageFiles(
            in: (stringsDirectory as NSString).appendingPathComponent("reference"), theme: directory, errors: &errors,
            ReferenceTranslation.parse)
        guard errors.isEmpty else { throw BuildErrors(errors) }
        return Theme(
            library: library, templatesDirectory: templatesDirectory, assetPaths: assetPaths, assetFiles: assetFiles,
            strings: strings, references: references)
    }

    /// Each `<language>.yml` of `directory` read by `parse`, by language; a file that fails
    /// adds its error to `errors`.
    private static func languageFiles<T>(
        in directory: String, theme: String, errors: inout [SourceError],
        _ parse: (String, String) throws(SourceError) -> T
    ) -> [String: T] {
        var parsed: [String: T] = [:]
        for name in ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
        where name.hasSuffix(".yml") {
            let file = (directory as NSString).appendingPathComponent(name)
            do throws(SourceError) {
                parsed[String(name.dropLast(4))] = try parse(
                    try SourceText.read(path: file, displayPath: file, inside: theme), file)
            } catch {
                errors.append(error)
            }
        }
        return parsed
    }

    /// Renders template `name` with `context`; a template the theme lacks is an error, not
    /// an empty page.
    func render(_ name: String, _ context: Any) throws(SourceError) -> String {
        guard let text = library.render(context, withTemplate: name) else {
            throw SourceError(
                "the theme has no template '\(name).mustache'",
                at: SourceLocation(file: templatesDirectory, line: 0, column: 0))
        }
        return text
    }
}
