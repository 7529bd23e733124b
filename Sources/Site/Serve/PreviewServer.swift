import CNN
import FlyingFox
import FlyingSocks
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
    public func run() async throws {
        rebuild()
        let files = StaticFiles(root: options.outputDirectory)
        let server = HTTPServer(address: try .inet(ip4: host, port: port), logger: QuietLogger())
        await server.appendRoute("GET /__vizsite/status") { [unowned self] _ in
            let (version, errors) = self.status()
            let body = try FigureJSON.encode(BuildStatus(version: version, errors: errors))
            return HTTPResponse(
                statusCode: .ok,
                headers: HTTPHeaders([.contentType: "application/json", .init("Cache-Control"): "no-store"]), body: body
            )
        }
        let reloadPath = (options.themeDirectory as NSString).appendingPathComponent("preview/reload.js")
        await server.appendRoute("GET /__vizsite/reload.js") { _ in
            guard let script = FileManager.default.contents(atPath: reloadPath) else {
                return HTTPResponse(statusCode: .notFound)
            }
            return HTTPResponse(
                statusCode: .ok, headers: HTTPHeaders([.contentType: "text/javascript; charset=utf-8"]), body: script)
        }
        await server.appendRoute("*") { request in Self.respond(to: request, files: files) }
        let watcher = Task.detached { [unowned self] in
            var changes = ChangeWatcher(folders: [self.options.contentDirectory, self.options.themeDirectory])
            while !Task.isCancelled {
                try? await Task.sleep(nanoseconds: 400_000_000)
                if changes.changed() { self.rebuild() }
            }
        }
        defer { watcher.cancel() }
        log(
            "serving http://\(host):\(port)/ (Ctrl-C to stop); watching \(options.contentDirectory)/ and "
                + "\(options.themeDirectory)/"
        )
        try await server.run()
    }

    func status() -> (Int, String?) {
        state.withLock { ($0.version, $0.errors) }
    }

    func rebuild() {
        let start = Date()
        do {
            let report = try SiteBuilder(options: options, log: log, trainingProgress: trainingProgress).build()
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
    /// or the site's 404 page. Only GET and HEAD are routed here.
    static func respond(to request: HTTPRequest, files: StaticFiles) -> HTTPResponse {
        guard request.method == .GET || request.method == .HEAD else {
            return HTTPResponse(statusCode: .methodNotAllowed)
        }
        let raw = request.target.path(percentEncoded: true)
        if files.needsSlash(rawPath: raw) {
            return HTTPResponse(statusCode: .movedPermanently, headers: HTTPHeaders([.location: raw + "/"]))
        }
        guard let path = files.file(forRawPath: raw), let data = FileManager.default.contents(atPath: path) else {
            let page =
                files.file(forRawPath: "/404.html").flatMap { FileManager.default.contents(atPath: $0) }
                ?? Data("404 not found\n".utf8)
            return HTTPResponse(
                statusCode: .notFound, headers: HTTPHeaders([.contentType: "text/html; charset=utf-8"]), body: page)
        }
        return HTTPResponse(
            statusCode: .ok,
            headers: HTTPHeaders([.contentType: StaticFiles.contentType(for: path), .init("Cache-Control"): "no-cache"]
            ),
            body: request.method == .HEAD ? Data() : data)
    }
}

/// FlyingFox logs every connection (and a CancellationError on shutdown); the preview
/// server reports what matters itself.
struct QuietLogger: Logging {
    func logDebug(_ debug: @autoclosure () -> String) {}
    func logInfo(_ info: @autoclosure () -> String) {}
    func logWarning(_ warning: @autoclosure () -> String) {}
    func logError(_ error: @autoclosure () -> String) {}
    func logCritical(_ critical: @autoclosure () -> String) {}
}

/// What `/__vizsite/status` answers: how many builds succeeded, and the last one's errors
/// (null after a successful build).
struct BuildStatus: Encodable {
    let version: Int
    @ExplicitNull var errors: String?
}
