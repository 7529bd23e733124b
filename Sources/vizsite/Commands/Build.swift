import ArgumentParser
import Common
import Foundation
import Site

/// Options shared by build, check and serve.
struct SiteOptions: ParsableArguments {
    @Option(help: "The content folder (site.yml, lessons/, models/, data/, images/).")
    var content = "Content"

    @Option(help: "The theme folder (templates/, assets/).")
    var theme = "Theme"

    @Option(
        help: ArgumentHelp(
            "The output folder (default: Output), replaced as a whole when the build succeeds.",
            discussion: "It must be empty or a site vizsite built: never the content, the theme or the project."))
    var output: String?

    @Option(
        name: .customLong("base-url"),
        help: "The site's public address (overrides site.yml's base_url; enables sitemap.xml).")
    var baseURL: String?

    @Flag(help: "Include lessons marked draft: true.")
    var drafts = false

    @Flag(help: "Report warnings as errors: write nothing while any is left.")
    var strict = false

    var buildOptions: BuildOptions {
        var options = BuildOptions()
        options.contentDirectory = content
        options.themeDirectory = theme
        options.outputDirectory = output ?? "Output"
        options.baseURL = baseURL
        options.includeDrafts = drafts
        options.strict = strict
        return options
    }
}

struct Build: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Build the site into the output folder: train what is needed, run every directive, render the pages.")

    @OptionGroup var site: SiteOptions

    @Flag(help: "Recompute every figure instead of using the cache (trained weights stay cached).")
    var clean = false

    @Flag(help: "After building, remove cached figures and trained weights that no current figure or model uses.")
    var gc = false

    @Flag(help: "Print each step's time and each directive's time and cache hit or miss.")
    var verbose = false

    func run() throws {
        var options = site.buildOptions
        options.clean = clean
        options.collectGarbage = gc
        let start = Date()
        let report = try runBuild(options, verbose: verbose)
        let seconds = Date().timeIntervalSince(start)
        print(
            "built \(report.pages.counted("page")), \(report.figures.count.counted("figure")) "
                + "(\(report.hits) cached, \(report.misses) computed), \(report.files.counted("file")) "
                + "(\(ByteCountFormatter.string(fromByteCount: Int64(report.bytes), countStyle: .file))) in "
                + String(format: "%.2f s", seconds) + " → \(options.outputDirectory)/")
        if let freed = report.collected {
            print(
                "removed \(freed.files) stale cache file\(freed.files == 1 ? "" : "s") "
                    + "(\(ByteCountFormatter.string(fromByteCount: Int64(freed.bytes), countStyle: .file))) from "
                    + ".vizsite/"
            )
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Check site.yml, the lessons, their directives and the theme, as build does, without computing or writing "
            + "anything."
    )

    @OptionGroup var site: SiteOptions

    @Option(
        help: ArgumentHelp(
            "Also write every file the Python boxes show, as each edition words it, into this folder.",
            discussion: "make check-snippets runs them: <folder>/<language>/<file> and <folder>/manifest.json."))
    var snippets: String?

    func run() throws {
        var options = site.buildOptions
        options.checkOnly = true
        let report = try runBuild(options, verbose: false)
        if let snippets { try write(report.snippets, to: snippets) }
        print("ok: \(report.steps.last?.name ?? "checked")")
    }
}

/// The snippet files in each edition's words, and a manifest of them, under `folder`.
private func write(_ variants: [SnippetVariant], to folder: String) throws {
    let fm = FileManager.default
    for variant in variants {
        let path = ((folder as NSString).appendingPathComponent(variant.language) as NSString)
            .appendingPathComponent(variant.file)
        try fm.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try Data(variant.text.utf8).write(to: URL(fileURLWithPath: path))
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    try encoder.encode(variants).write(
        to: URL(fileURLWithPath: (folder as NSString).appendingPathComponent("manifest.json")))
}

/// Runs a build with the terminal's progress bar; its errors, all of them, are thrown
/// for `exitReporting` to print.
func runBuild(_ options: BuildOptions, verbose: Bool) throws -> BuildReport {
    let bar = ProgressBar()
    let builder = SiteBuilder(
        options: options,
        log: { line in
            if verbose { FileHandle.standardError.write(Data((line + "\n").utf8)) }
        },
        trainingProgress: { name, progress in
            bar.update(progress)
        })
    let report = try builder.build()
    printWarnings(report.warnings)
    if verbose {
        for step in report.steps {
            FileHandle.standardError.write(Data(String(format: "%8.3f s  %@\n", step.seconds, step.name).utf8))
        }
        for f in report.figures {
            let line = String(
                format: "%8.3f s  %@ viz %@ %@\n", f.seconds, f.location.description, f.directive,
                f.cached ? "(cached)" : "(computed)")
            FileHandle.standardError.write(Data(line.utf8))
        }
    }
    return report
}

/// Warnings, compiler-style, on standard error, with their count.
func printWarnings(_ warnings: [SourceError]) {
    guard !warnings.isEmpty else { return }
    let lines =
        warnings.map(\.description) + [
            "\(warnings.count) warning\(warnings.count == 1 ? "" : "s") generated (--strict makes them errors)."
        ]
    FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
}
