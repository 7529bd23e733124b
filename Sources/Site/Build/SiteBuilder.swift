import Common
import CNN
import Foundation

/// What `vizsite build` is asked to do.
public struct BuildOptions: Sendable {
    public var contentDirectory = "Content"
    public var themeDirectory = "Theme"
    public var outputDirectory = "Output"
    /// Where trained weights and figures are cached; `<site root>/.vizsite` by default.
    public var cacheDirectory: String?
    /// Overrides site.yml's base_url.
    public var baseURL: String?
    public var includeDrafts = false
    /// Ignore cached figures (weights stay cached).
    public var clean = false
    /// After a successful build, remove cached figures and weights no current figure or
    /// model uses (`vizsite build --gc`).
    public var collectGarbage = false
    /// Check everything without running directives or writing output.
    public var checkOnly = false
    /// Report warnings as errors: nothing is written while any is left (`make site` builds so).
    public var strict = false
    /// Text inserted in every page (the preview server's live-reload script).
    public var extraHeadHTML: String?

    public init() {}

    /// The folder that holds the content folder: where `.vizsite/` lives.
    public var siteRoot: String {
        let parent = (URL(fileURLWithPath: contentDirectory).standardizedFileURL.path as NSString)
            .deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    public var resolvedCacheDirectory: String {
        cacheDirectory ?? (siteRoot as NSString).appendingPathComponent(".vizsite")
    }
}

/// How a build went: timings of its steps and of each figure.
public struct BuildReport: Sendable {
    public struct FigureTiming: Sendable {
        public let location: SourceLocation
        public let directive: String
        public let cached: Bool
        public let seconds: Double
    }
    public var steps: [(name: String, seconds: Double)] = []
    public var figures: [FigureTiming] = []
    /// What `--gc` removed from the cache.
    public var collected: CacheCollection?
    /// What is valid but probably not meant, positioned like errors (`SourceError.isWarning`).
    public var warnings: [SourceError] = []
    /// Every snippet file the Python boxes show, in each edition's words.
    public var snippets: [SnippetVariant] = []
    public var pages = 0
    public var files = 0
    public var bytes = 0
    public var hits: Int { figures.filter(\.cached).count }
    public var misses: Int { figures.count - hits }
}

/// Builds the site: loads content and theme, checks every directive, runs the ones not
/// cached (in parallel), renders the pages and swaps the new site into the output folder.
public struct SiteBuilder: Sendable {
    public let options: BuildOptions
    /// Lines of progress for the terminal.
    let log: @Sendable (String) -> Void
    let trainingProgress: @Sendable (String, TrainingProgress) -> Void

    public init(
        options: BuildOptions, log: @escaping @Sendable (String) -> Void = { _ in },
        trainingProgress: @escaping @Sendable (String, TrainingProgress) -> Void = { _, _ in }
    ) {
        self.options = options
        self.log = log
        self.trainingProgress = trainingProgress
    }

    /// The build, as its steps run, in order. `check` stops after the plan; `gc` only
    /// runs when asked.
    var steps: [BuildStep] {
        var steps = [
            BuildStep("load content and theme", Self.load),
            BuildStep("check lessons and directives", Self.plan),
        ]
        if options.checkOnly { return steps }
        steps += [
            BuildStep("compute figures", Self.computeFigures),
            BuildStep("check values quoted from figures", Self.checkQuotedValues),
            BuildStep("lay out lessons", Self.layOutLessons),
            BuildStep("write the search index", Self.writeSearchIndex),
            BuildStep("render pages", Self.renderPages),
            BuildStep("write the sitemap", Self.writeSitemap),
            BuildStep("publish", Self.publish),
        ]
        if options.collectGarbage { steps.append(BuildStep("collect stale cache entries", Self.collectGarbage)) }
        return steps
    }

    /// Runs the steps, timing each; any error carries the name of the step it stopped.
    @discardableResult
    public func build() throws(BuildErrors) -> BuildReport {
        var state = BuildState(options: options, log: log, trainingProgress: trainingProgress)
        for step in steps {
            let start = Date()
            do { try step.run(&state) } catch {
                var errors = error
                errors.step = step.name
                throw errors
            }
            state.report.steps.append((step.name, Date().timeIntervalSince(start)))
        }
        return state.report
    }

    // MARK: The steps

    /// Content and theme are checked together, so one run reports both.
    static func load(_ state: inout BuildState) throws(BuildErrors) {
        let options = state.options
        // Before anything else: a build must never be able to replace the project.
        do { try OutputFolder.check(options) } catch { throw BuildErrors([error]) }
        var errors: [SourceError] = []
        let (content, contentErrors) = SiteContent.loadValid(
            contentDirectory: options.contentDirectory,
            includeDrafts: options.includeDrafts)
        errors += contentErrors
        do { state.theme = try Theme.load(directory: options.themeDirectory) } catch { errors += error.errors }
        guard var content, state.theme != nil else { throw BuildErrors(errors) }
        if let baseURL = options.baseURL {
            do { content = try content.withBaseURL(baseURL) } catch { throw BuildErrors([error]) }
        }
        state.content = content
        // The lessons that loaded are still checked, so one run reports every error.
        state.pendingErrors = errors
    }

    /// Every lesson's Markdown read and every directive checked against its model, all
    /// errors collected before anything runs.
    static func plan(_ state: inout BuildState) throws(BuildErrors) {
        let models = ModelStore(
            paths: state.content.paths, cacheDirectory: state.options.resolvedCacheDirectory,
            progress: state.trainingProgress)
        state.models = models
        do { state.plan = try BuildPlan(content: state.content, models: models) } catch {
            throw BuildErrors(state.pendingErrors + error.errors)
        }
        guard state.pendingErrors.isEmpty else { throw BuildErrors(state.pendingErrors) }
        state.report.warnings = state.plan.warnings
        state.report.snippets = state.plan.snippetVariants
        if state.options.strict && !state.plan.warnings.isEmpty {
            throw BuildErrors(state.plan.warnings.map(\.strict))
        }
    }

    /// The figures not cached run, two at a time; the rest come from the cache.
    static func computeFigures(_ state: inout BuildState) throws(BuildErrors) {
        let cache = FigureCache(
            directory: (state.options.resolvedCacheDirectory as NSString).appendingPathComponent("figures"))
        let runner = FigureRunner(
            plan: state.plan, models: state.models, cache: cache, clean: state.options.clean, log: state.log)
        state.figureKeys = runner.keys()
        state.figures = try runner.run(keys: state.figureKeys, report: &state.report)
    }

    /// `{{fig:label.path}}` in prose: each path must lead to a value of its figure's raw values.
    static func checkQuotedValues(_ state: inout BuildState) throws(BuildErrors) {
        let (errors, rawValues) = state.plan.references.quoteErrors(state.plan, figures: state.figures)
        guard errors.isEmpty else { throw BuildErrors(errors) }
        state.rawValues = rawValues
    }

    static func layOutLessons(_ state: inout BuildState) throws(BuildErrors) {
        state.lessons = state.renderer.lessonPages()
    }

    /// One search index per edition, each of its own pages (the default edition's also
    /// lists the directive reference).
    static func writeSearchIndex(_ state: inout BuildState) throws(BuildErrors) {
        for edition in state.plan.editions {
            let language = edition.edition.language
            var entries = state.lessons.filter { $0.language == language }.map(\.search)
            if let path = state.renderer.referencePath(edition) {
                let theme = state.renderer.theme
                entries.append(
                    DirectiveReference.searchEntry(
                        url: path, strings: theme.strings(for: language), translation: theme.reference(for: language)))
            }
            do {
                let index = try SearchIndex.file(entries)
                state.files[index.path] = index.data
                state.searchIndexes[language] = index.path
            } catch {
                throw BuildErrors([
                    SourceError(
                        "cannot write the search index: \(error)",
                        at: SourceLocation(file: "assets", line: 0, column: 0))
                ])
            }
        }
    }

    static func renderPages(_ state: inout BuildState) throws(BuildErrors) {
        do {
            state.files.merge(try state.renderer.render(lessons: state.lessons, searchIndexes: state.searchIndexes)) {
                $1
            }
        } catch { throw BuildErrors([error]) }
        state.report.pages = state.files.keys.filter { $0.hasSuffix(".html") }.count
    }

    /// `sitemap.xml` and `robots.txt`, when the site's address is known.
    static func writeSitemap(_ state: inout BuildState) throws(BuildErrors) {
        guard let base = state.content.config.baseURL else { return }
        // Each edition's home, lessons and directive reference; a page standing in for a
        // missing translation is the default edition's in other words, and not listed.
        let paths =
            state.plan.editions.flatMap { edition in
                [edition.edition.prefix]
                    + edition.pages.filter { !$0.fallback }.map {
                        "\(edition.edition.prefix)\(state.plan.lessons[$0.lesson].lesson.slug)/"
                    }
                    + [state.renderer.referencePath(edition)].compactMap { $0 }
            }
        state.files.merge(Sitemap.files(base: base, paths: paths)) { $1 }
    }

    /// The new site swapped into the output folder in one step.
    static func publish(_ state: inout BuildState) throws(BuildErrors) {
        let output = state.options.outputDirectory
        state.report.files = state.files.count
        state.report.bytes = state.files.values.reduce(0) { $0 + $1.count }
        OutputWriter.removeStaleStaging(beside: output)
        var files = state.files
        files[OutputFolder.markerName] = OutputFolder.marker
        do {
            // Figures and assets are named by a hash of their bytes.
            try OutputWriter(output: output).publish(files) {
                $0.hasPrefix("figures/") || $0.hasPrefix("assets/")
            }
        } catch {
            throw BuildErrors([
                SourceError(
                    "cannot write the site: \(error.localizedDescription)",
                    at: SourceLocation(file: output, line: 0, column: 0))
            ])
        }
    }

    /// `--gc`: cached figures and weights that no current figure or model uses.
    static func collectGarbage(_ state: inout BuildState) throws(BuildErrors) {
        let cache = FigureCache(
            directory: (state.options.resolvedCacheDirectory as NSString).appendingPathComponent("figures"))
        guard let models = state.models else { return }
        let specs = state.plan.figures.filter(\.spec.needsTraining).compactMap { figure in
            (try? models.data.folder(figure.dataPath, at: figure.dataLocation)).map { (figure.spec, $0) }
        }
        state.report.collected =
            cache.prune(keeping: Set(state.figureKeys)) + models.trained.prune(keeping: specs)
    }
}

/// One named step of a build: a function of the build's state.
struct BuildStep {
    let name: String
    let run: (inout BuildState) throws(BuildErrors) -> Void

    init(_ name: String, _ run: @escaping (inout BuildState) throws(BuildErrors) -> Void) {
        self.name = name
        self.run = run
    }
}

/// What the steps of a build hand on to each other.
struct BuildState {
    let options: BuildOptions
    let log: @Sendable (String) -> Void
    let trainingProgress: @Sendable (String, TrainingProgress) -> Void
    var report = BuildReport()
    /// Errors of loading that the plan reports with its own.
    var pendingErrors: [SourceError] = []
    // Set by the steps, in order; a step reads only what earlier steps set.
    var content: SiteContent!
    var theme: Theme!
    var models: ModelStore!
    var plan: BuildPlan!
    var figures: [Figure] = []
    var figureKeys: [String] = []
    /// The raw values prose quotes, parsed once.
    var rawValues = QuotedRawValues()
    var lessons: [LessonPages.Rendered] = []
    /// Each edition's search index script, by language.
    var searchIndexes: [String: String] = [:]
    var files: [String: Data] = [:]

    init(
        options: BuildOptions, log: @escaping @Sendable (String) -> Void,
        trainingProgress: @escaping @Sendable (String, TrainingProgress) -> Void
    ) {
        self.options = options
        self.log = log
        self.trainingProgress = trainingProgress
    }

    var renderer: PageRenderer {
        PageRenderer(
            content: content, theme: theme, plan: plan, figures: figures, rawValues: rawValues,
            extraHeadHTML: options.extraHeadHTML)
    }
}

extension SiteContent {
    func withBaseURL(_ url: String) throws(SourceError) -> SiteContent {
        var config = self.config
        guard url.hasPrefix("https://") || url.hasPrefix("http://"), !url.contains(" "), !url.contains("\"") else {
            throw SourceError(
                "--base-url must be an absolute http(s) URL, found '\(url)'",
                at: SourceLocation(file: "--base-url", line: 0, column: 0))
        }
        config.baseURL = url.hasSuffix("/") ? url : url + "/"
        var content = SiteContent(paths: paths, config: config, lessons: lessons, translations: translations)
        content.bibliography = bibliography
        content.bibliographyFailed = bibliographyFailed
        return content
    }
}
