import CNN
import Foundation
import Synchronization

/// `vizsite serve`: builds the site into a preview folder, serves it on loopback, watches
/// the content and theme, rebuilds on change and reloads open pages. Build errors show
/// in the page as well as in the terminal.
public final class PreviewServer: Sendable {
    public let options: BuildOptions
    public let host: String
    public let port: UInt16
    let log: @Sendable (String) -> Void
    let trainingProgress: @Sendable (String, TrainingProgress) -> Void

    /// How many builds succeeded, and the last build's errors.
    private let state = Mutex<(version: Int, errors: String?)>((0, nil))

    public init(
        options: BuildOptions, host: String, port: UInt16, log: @escaping @Sendable (String) -> Void,
        trainingProgress: @escaping @Sendable (String, TrainingProgress) -> Void
    ) {
        var options = options
        options.extraHeadHTML = Self.reloadScript
        self.options = options
        self.host = host
        self.port = port
        self.log = log
        self.trainingProgress = trainingProgress
    }

    /// What preview pages carry: the theme's `preview/reload.js`, served by the preview
    /// server only, which polls `/__vizsite/status`, reloads when the site changes and
    /// shows build errors.
    static let reloadScript = "<script src=\"/__vizsite/reload.js\"></script>"

    /// Builds once, then serves and rebuilds on change until the process ends.
    public func run() throws {
        let files = StaticFiles(root: options.outputDirectory)
        let reloadPath = (options.themeDirectory as NSString).appendingPathComponent("preview/reload.js")
        let server = HTTPServer(host: host, port: port) { [self] request in
            self.respond(to: request, files: files, reloadPath: reloadPath)
        }
        // The address first: a port in use is an error before any build or "serving" line.
        let listener = try server.bind()
        rebuild()
        let watcher = Thread { [self] in
            var changes = ChangeWatcher(folders: [self.options.contentDirectory, self.options.themeDirectory])
            while true {
                Thread.sleep(forTimeInterval: 0.4)
                if changes.changed() { self.rebuild() }
            }
        }
        watcher.start()
        log(
            "serving http://\(host):\(port)/ (Ctrl-C to stop); watching \(options.contentDirectory)/ and "
                + "\(options.themeDirectory)/"
        )
        server.serve(listener)
    }

    /// The preview's own routes, then the site's files.
    func respond(to request: HTTPRequestHead, files: StaticFiles, reloadPath: String) -> HTTPResponse {
        let path = request.target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        guard request.method == "GET" || request.method == "HEAD" else { return HTTPResponse(status: 405) }
        switch path {
        case "/__vizsite/status":
            // Build errors name paths: only for pages of this server, not for another site
            // whose name resolves to 127.0.0.1 (DNS rebinding).
            guard isLoopbackHost(request.headers["host"]) else { return HTTPResponse(status: 403) }
            let (version, errors) = status()
            guard let body = try? FigureJSON.encode(BuildStatus(version: version, errors: errors)) else {
                return HTTPResponse(status: 500)
            }
            return HTTPResponse(
                status: 200, headers: [("Content-Type", "application/json"), ("Cache-Control", "no-store")], body: body)
        case "/__vizsite/reload.js":
            guard let script = FileManager.default.contents(atPath: reloadPath) else {
                return HTTPResponse(status: 404)
            }
            return HTTPResponse(
                status: 200, headers: [("Content-Type", "text/javascript; charset=utf-8")], body: script)
        default:
            return Self.respond(to: request.target, files: files)
        }
    }

    /// Whether a Host header names this machine's loopback (any port).
    func isLoopbackHost(_ host: String?) -> Bool {
        guard let host = host?.lowercased() else { return false }
        let name = host.hasPrefix("[") ? String(host.prefix { $0 != "]" }) + "]" : String(host.prefix { $0 != ":" })
        return ["127.0.0.1", "localhost", "[::1]", self.host.lowercased()].contains(name)
    }

    func status() -> (Int, String?) {
        state.withLock { ($0.version, $0.errors) }
    }

    func rebuild() {
        let start = Date()
        do {
            let report = try SiteBuilder(options: options, log: log, trainingProgress: trainingProgress).build()
            for warning in report.warnings { log(warning.description) }
            log(
                String(
                    format: "rebuilt %d pages (%d figures computed) in %.2f s", report.pages, report.misses,
                    Date().timeIntervalSince(start)))
            state.withLock { $0 = ($0.version + 1, nil) }
        } catch {
            log("\(error)")
            state.withLock { $0.errors = error.description }
        }
    }

    /// A file of the preview folder, a redirect to the slash-terminated URL of a folder,
    /// or the site's 404 page.
    static func respond(to target: String, files: StaticFiles) -> HTTPResponse {
        let raw =
            target.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init)
            ?? ""
        if files.needsSlash(rawPath: raw) {
            // Built from the path's own segments: `//reference` must not become `//reference/`,
            // which a browser reads as another host.
            let segments = raw.split(separator: "/", omittingEmptySubsequences: true)
            return HTTPResponse(status: 301, headers: [("Location", "/" + segments.joined(separator: "/") + "/")])
        }
        guard let path = files.file(forRawPath: raw), let data = FileManager.default.contents(atPath: path) else {
            let page =
                files.file(forRawPath: "/404.html").flatMap { FileManager.default.contents(atPath: $0) }
                ?? Data("404 not found\n".utf8)
            return HTTPResponse(status: 404, headers: [("Content-Type", "text/html; charset=utf-8")], body: page)
        }
        return HTTPResponse(
            status: 200,
            headers: [("Content-Type", StaticFiles.contentType(for: path)), ("Cache-Control", "no-cache")], body: data)
    }
}

/// What `/__vizsite/status` answers: how many builds succeeded, and the last one's errors
/// (null after a successful build).
struct BuildStatus: Encodable {
    let version: Int
    @ExplicitNull var errors: String?
}
