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
    /// Text inserted in every page (the preview server's live-reload script).
    public var extraHeadHTML: String?

    public init() {}

    /// The folder that holds the content folder: where `.vizsite/` lives.
    public var siteRoot: String {
        let parent = (URL(fileURLWithPath: contentDirectory).standardizedFileURL.path as NSString).deletingLastPathComponent
        return parent.isEmpty ? "." : parent
    }

    public var resolvedCacheDirectory: String { cacheDirectory ?? (siteRoot as NSString).appendingPathComponent(".vizsite") }
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

    public init(options: BuildOptions, log: @escaping @Sendable (String) -> Void = { _ in },
                trainingProgress: @escaping @Sendable (String, TrainingProgress) -> Void = { _, _ in }) {
        self.options = options
        self.log = log
        self.trainingProgress = trainingProgress
    }

    @discardableResult
    public func build() throws(BuildErrors) -> BuildReport {
        var report = BuildReport()
        var clock = Date()
        func step(_ name: String) {
            let now = Date()
            report.steps.append((name, now.timeIntervalSince(clock)))
            clock = now
        }

        // Content and theme are checked together, so one run reports both.
        var errors: [SourceError] = []
        var content: SiteContent?
        var theme: Theme?
        let loaded = SiteContent.loadValid(contentDirectory: options.contentDirectory, includeDrafts: options.includeDrafts)
        content = loaded.0
        errors += loaded.1
        do { theme = try Theme.load(directory: options.themeDirectory) }
        catch { errors += error.errors }
        guard var content, let theme else { throw BuildErrors(errors) }
        if let baseURL = options.baseURL {
            do { content = try content.withBaseURL(baseURL) }
            catch { throw BuildErrors([error]) }
        }
        step("load content and theme")

        let cacheDirectory = options.resolvedCacheDirectory
        let models = ModelStore(paths: content.paths, cacheDirectory: cacheDirectory, progress: trainingProgress)
        let plan: BuildPlan
        do {
            plan = try BuildPlan(content: content, models: models)
        } catch {
            throw BuildErrors(errors + error.errors)
        }
        guard errors.isEmpty else { throw BuildErrors(errors) }
        step("check \(plan.lessons.count) lessons, \(plan.figures.count) figures")
        if options.checkOnly { return report }

        let figureCache = FigureCache(directory: (cacheDirectory as NSString).appendingPathComponent("figures"))
        let runner = FigureRunner(plan: plan, models: models, cache: figureCache, clean: options.clean, log: log)
        let figures = try runner.run(report: &report)
        step("figures (\(report.hits) cached, \(report.misses) computed)")

        let files: [String: Data]
        do {
            files = try PageRenderer(content: content, theme: theme, plan: plan, figures: figures, extraHeadHTML: options.extraHeadHTML).render()
        } catch { throw BuildErrors([error]) }
        report.pages = files.keys.filter { $0.hasSuffix(".html") }.count
        report.files = files.count
        report.bytes = files.values.reduce(0) { $0 + $1.count }
        step("render \(report.pages) pages")

        OutputWriter.removeStaleStaging(beside: options.outputDirectory)
        do {
            // Figures and assets are named by a hash of their bytes.
            try OutputWriter(output: options.outputDirectory).publish(files) { $0.hasPrefix("figures/") || $0.hasPrefix("assets/") }
        } catch {
            throw BuildErrors([SourceError("cannot write the site: \(error.localizedDescription)",
                                           at: SourceLocation(file: options.outputDirectory, line: 0, column: 0))])
        }
        step("write \(report.files) files")

        if options.collectGarbage {
            let specs = plan.figures.map(\.spec).filter { $0.weights == nil }
            report.collected = figureCache.prune(keeping: Set(runner.keys()))
                + models.trained.prune(keeping: specs, dataDirectory: models.dataDirectory)
            step("remove \(report.collected!.files) stale cache files")
        }
        return report
    }
}

extension SiteContent {
    func withBaseURL(_ url: String) throws(SourceError) -> SiteContent {
        var config = self.config
        guard url.hasPrefix("https://") || url.hasPrefix("http://"), !url.contains(" "), !url.contains("\"") else {
            throw SourceError("--base-url must be an absolute http(s) URL, found '\(url)'", at: SourceLocation(file: "--base-url", line: 0, column: 0))
        }
        config.baseURL = url.hasSuffix("/") ? url : url + "/"
        return SiteContent(paths: paths, config: config, lessons: lessons)
    }
}
