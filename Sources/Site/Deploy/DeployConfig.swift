import Common
import Foundation

/// site.yml's `deploy` section: where `vizsite deploy` publishes `Output/`.
///
///     deploy:
///       git:                        # a branch (gh-pages style), committed afresh
///         branch: gh-pages
///         repository: .             # a local clone or a remote URL; default: the site's folder
///         remote: origin            # optional: then push the branch of that local clone there
///         message: Publish the site # optional
///         keep: [CNAME]             # files on the branch the site does not have, kept anyway
///       rsync:                      # a folder, local or host:path, through the user's ssh
///         destination: web.example.org:/var/www/cnn/
///         keep: [.htaccess]
public struct DeployConfig: Sendable, Equatable {
    public struct Git: Sendable, Equatable {
        public var branch: String
        public var repository: String?
        public var remote: String?
        public var message: String?
        public var keep: [String] = []
        /// Where the section is written, for errors of this target.
        public var location: SourceLocation
    }

    public struct Rsync: Sendable, Equatable {
        public var destination: String
        public var keep: [String] = []
        public var location: SourceLocation
    }

    public var git: Git?
    public var rsync: Rsync?
    public var location: SourceLocation

    static func parse(_ value: YAMLValue) throws(SourceError) -> DeployConfig {
        let section = try value.mapping()
        try section.checkKeys(["git", "rsync"], in: "deploy")
        var config = DeployConfig(location: value.location)
        if let git = section["git"] {
            let fields = try git.mapping()
            try fields.checkKeys(["branch", "repository", "remote", "message", "keep"], in: "deploy.git")
            let branch = try fields.required("branch", in: "deploy.git")
            let name = try branch.string()
            guard isSafeName(name) else {
                throw branch.error("branch '\(name)' is not a branch name git accepts")
            }
            var remote: String?
            if let value = fields["remote"] {
                remote = try value.string()
                guard isSafeName(remote!) else { throw value.error("remote '\(remote!)' is not a remote's name") }
            }
            var repository: String?
            if let value = fields["repository"] {
                repository = try value.string()
                guard isSafeLocation(repository!) else {
                    throw value.error(
                        "repository '\(repository!)' is not a repository git can reach safely: give a local path, an "
                            + "http(s)://, ssh:// or git:// URL, or host:path (no leading '-', no spaces or control "
                            + "characters before the path)")
                }
            }
            config.git = Git(
                branch: name, repository: repository, remote: remote,
                message: try fields["message"]?.string(), keep: try keepList(fields["keep"]),
                location: section.keyLocation("git") ?? git.location)
        }
        if let rsync = section["rsync"] {
            let fields = try rsync.mapping()
            try fields.checkKeys(["destination", "keep"], in: "deploy.rsync")
            let destination = try fields.required("destination", in: "deploy.rsync")
            let path = try destination.string()
            guard isSafeLocation(path), !path.contains("://") else {
                throw destination.error(
                    "destination must be a folder: a local path or host:path (no leading '-', no spaces or control "
                        + "characters in the host)")
            }
            config.rsync = Rsync(
                destination: path, keep: try keepList(fields["keep"]),
                location: section.keyLocation("rsync") ?? rsync.location)
        }
        guard config.git != nil || config.rsync != nil else {
            throw value.error("deploy names no target; give git: (a branch) or rsync: (a folder)")
        }
        return config
    }

    /// A branch or remote name: no spaces, no leading dash, nothing git would read as an option.
    static func isSafeName(_ name: String) -> Bool {
        !name.isEmpty && !name.hasPrefix("-") && !name.contains("..")
            && name.allSatisfy { !$0.isWhitespace && !"~^:?*[\\".contains($0) }
    }

    /// A repository or folder address that neither git nor rsync (nor the ssh they may start)
    /// can read as an option or a command: a local path, a URL of a plain transport, or
    /// `[user@]host:path` whose host part is a host name. git's `ext::` and `fd::`
    /// transports run commands, so only http, https, ssh, git and file URLs pass.
    static func isSafeLocation(_ location: String) -> Bool {
        guard !location.isEmpty, !location.hasPrefix("-"),
            !location.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
        else { return false }
        if let scheme = location.range(of: "://") {
            let name = location[..<scheme.lowerBound].lowercased()
            let rest = location[scheme.upperBound...]
            return ["http", "https", "ssh", "git", "file"].contains(name) && !rest.hasPrefix("-")
                && !rest.contains(where: \.isWhitespace)
        }
        if location.contains("::") { return false }  // git's transport::address form
        if Deployer.isRemote(location) {
            let host = location[..<location.firstIndex(of: ":")!]
            return host.allSatisfy { $0.isLetter || $0.isNumber || "._-@[]".contains($0) }
                && !host.split(separator: "@").contains { $0.hasPrefix("-") }
        }
        return true
    }

    private static func keepList(_ value: YAMLValue?) throws(SourceError) -> [String] {
        guard let value else { return [] }
        var paths: [String] = []
        for item in try value.list() {
            let path = try item.string()
            guard !path.isEmpty, !path.hasPrefix("/"), !path.hasPrefix("-"), !path.split(separator: "/").contains(".."),
                !path.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            else {
                throw item.error("keep lists paths inside the published folder, such as CNAME")
            }
            paths.append(path)
        }
        return paths
    }
}

extension YAMLMapping {
    /// Where `key` is written (errors about a whole section point at its name).
    fileprivate func keyLocation(_ key: String) -> SourceLocation? {
        entries.first { (try? $0.key.string()) == key }?.key.location
    }
}
