import Common
import Foundation

/// `vizsite deploy`: publishes a built site folder to the targets of site.yml's `deploy`
/// section, through the user's own git and rsync. The target ends up holding exactly the
/// site (and the files `keep` names); nothing else is deleted there.
public struct Deployer {
    public let config: DeployConfig
    /// The built site (`Output/`).
    public let site: String
    /// The folder relative paths in the configuration start from: the one holding `Content/`.
    public let siteRoot: String
    /// The commit message's default names the site.
    public var siteTitle = "the site"
    var command = ExternalCommand()

    public init(config: DeployConfig, site: String, siteRoot: String, environment: [String: String] = [:]) {
        self.config = config
        self.site = site
        self.siteRoot = siteRoot
        command.environment = environment
    }

    /// Deploys to every target (or the one named `only`, `git` or `rsync`), in that order.
    public func deploy(dryRun: Bool, only: String? = nil) throws(SourceError) -> [DeployReport] {
        do {
            return try Interruption.shared.catching { () throws(SourceError) -> [DeployReport] in
                try deployAll(dryRun: dryRun, only: only)
            }
        } catch let error as SourceError {
            throw error
        } catch {
            throw SourceError("\(error)", at: config.location)
        }
    }

    /// A signal that arrived while a command ran stops the deploy.
    func checkInterrupted(at location: SourceLocation) throws(SourceError) {
        if let number = Interruption.shared.signal {
            throw SourceError(
                "interrupted (\(number == SIGINT ? "Ctrl-C" : "SIGTERM")); what this deploy changed is put back",
                at: location)
        }
    }

    private func deployAll(dryRun: Bool, only: String?) throws(SourceError) -> [DeployReport] {
        Interruption.removeStale(prefix: ExternalCommand.temporaryPrefix)
        try checkSite()
        var reports: [DeployReport] = []
        if let git = config.git, only == nil || only == "git" {
            reports.append(try GitTarget(config: git, deployer: self).deploy(dryRun: dryRun))
        }
        if let rsync = config.rsync, only == nil || only == "rsync" {
            reports.append(try RsyncTarget(config: rsync, deployer: self).deploy(dryRun: dryRun))
        }
        if reports.isEmpty {
            throw SourceError("site.yml's deploy section has no \(only ?? "") target", at: config.location)
        }
        return reports
    }

    /// The site folder must be a built site, not an empty or mistyped folder: deploying that
    /// would delete the published site.
    private func checkSite() throws(SourceError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: site, isDirectory: &isDirectory), isDirectory.boolValue,
            FileManager.default.fileExists(atPath: (site as NSString).appendingPathComponent("index.html"))
        else {
            throw SourceError(
                "\(site) holds no built site (no index.html); run `vizsite build` first",
                at: SourceLocation(file: site, line: 0, column: 0))
        }
    }

    /// The newest file of `sources` (the content and theme folders) when it changed after the
    /// site folder was built, as a path and a date: publishing then would publish the site
    /// without that edit (a `serve` preview builds elsewhere). Hidden files are not looked at.
    public static func newerSource(than site: String, sources: [String]) -> (path: String, modified: Date)? {
        let fm = FileManager.default
        guard
            let built = (try? fm.attributesOfItem(atPath: (site as NSString).appendingPathComponent("index.html")))?[
                .modificationDate] as? Date
        else { return nil }
        var newest: (String, Date)?
        for source in sources {
            guard let enumerator = fm.enumerator(atPath: source) else { continue }
            while let name = enumerator.nextObject() as? String {
                if (name as NSString).lastPathComponent.hasPrefix(".") { enumerator.skipDescendants(); continue }
                let path = (source as NSString).appendingPathComponent(name)
                guard let attributes = try? fm.attributesOfItem(atPath: path),
                    attributes[.type] as? FileAttributeType == .typeRegular,
                    let modified = attributes[.modificationDate] as? Date, modified > built
                else { continue }
                if newest == nil || modified > newest!.1 { newest = (path, modified) }
            }
        }
        return newest
    }

    /// `path` from the configuration: a URL or `host:path` as it is, a local path from the site root.
    func resolve(_ path: String) -> String {
        if path.contains("://") || Self.isRemote(path) || path.hasPrefix("/") { return path }
        return URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: siteRoot, isDirectory: true))
            .standardizedFileURL.path
    }

    /// `host:path` or `user@host:path` (scp style), not a local path that happens to hold a colon.
    static func isRemote(_ path: String) -> Bool {
        guard let colon = path.firstIndex(of: ":") else { return false }
        let host = path[..<colon]
        return !host.isEmpty && !host.contains("/")
    }

    func run(
        _ program: String, _ arguments: [String], in directory: String? = nil, at location: SourceLocation
    )
        throws(SourceError) -> ExternalCommand.Result
    {
        guard let result = command.run(program, arguments, in: directory) else {
            throw SourceError("\(program) is not installed; deploying to this target needs it", at: location)
        }
        return result
    }
}
