import Common
import Foundation

/// Publishes the site as a fresh commit on a branch (gh-pages style): the branch of a local
/// clone or of a remote repository, through the user's git and credentials. The work is done
/// in a temporary clone; the repository only sees the push of one new commit.
struct GitTarget {
    let config: DeployConfig.Git
    let deployer: Deployer

    func deploy(dryRun: Bool) throws(SourceError) -> DeployReport {
        let repository = deployer.resolve(config.repository ?? ".")
        let isLocal = FileManager.default.fileExists(atPath: repository)
        try checkLocalRepository(repository, exists: isLocal)
        var report = DeployReport(
            target: "git branch \(config.branch) of \(isLocal ? repository : redacted(repository))")
        // The branch as the repository has it now (nil: not yet created).
        let heads = try git(["ls-remote", "--heads", "--", repository, "refs/heads/\(config.branch)"])
        guard heads.succeeded else { throw failure("cannot read \(redacted(repository))", heads) }
        let before = heads.output.split(separator: "\t").first.map(String.init)

        Interruption.removeStale(prefix: Self.temporaryPrefix)
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(Self.temporaryPrefix)\(getpid())-\(UUID().uuidString)"
        ).path
        defer { try? FileManager.default.removeItem(atPath: work) }
        if before != nil {
            try check(
                git([
                    "clone", "--quiet", "--no-checkout", "--single-branch", "--branch", config.branch, "--", repository,
                    work,
                ]),
                "cannot clone \(redacted(repository))")
            // The index holds the branch as it is; the work tree starts empty.
            try check(git(["reset", "--quiet"], in: work), "cannot read the branch \(config.branch)")
        } else {
            try check(git(["init", "--quiet", work]), "cannot create a repository in \(work)")
            try check(git(["checkout", "--quiet", "--orphan", config.branch], in: work), "cannot start a branch")
            try check(git(["remote", "add", "--", "origin", repository], in: work), "cannot name the repository")
        }
        try copySite(into: work)
        if before != nil {
            for path in config.keep {
                // A kept file the site lacks stays as the branch has it.
                if !FileManager.default.fileExists(atPath: (deployer.site as NSString).appendingPathComponent(path)) {
                    _ = try git(["checkout", "--quiet", "HEAD", "--", path], in: work)
                }
            }
        }
        try check(git(["add", "--all", "."], in: work), "cannot stage the site")
        let status = try git(["diff", "--cached", "--name-status", "--no-renames", "-z"], in: work)
        try check(status, "cannot compare the site with the branch")
        let fields = status.output.split(separator: "\0", omittingEmptySubsequences: true).map(String.init)
        for pair in stride(from: 0, to: fields.count - 1, by: 2) {
            switch fields[pair].first {
            case "A": report.added.append(fields[pair + 1])
            case "D": report.removed.append(fields[pair + 1])
            default: report.changed.append(fields[pair + 1])
            }
        }
        if report.isEmpty {
            report.outcome = "nothing changed; no commit made"
            // "Nothing changed" is judged against the local branch: one an interrupted deploy
            // moved without pushing it on is pushed now, so the published site catches up.
            if let remote = config.remote, isLocal, let local = before {
                let published = try git(
                    ["ls-remote", "--heads", "--", remote, "refs/heads/\(config.branch)"], in: repository)
                guard published.succeeded else { throw failure("cannot read \(config.branch) on \(remote)", published) }
                if published.output.split(separator: "\t").first.map(String.init) != local {
                    if dryRun {
                        report.outcome += "; \(remote) is behind and would be pushed"
                        return report
                    }
                    try check(
                        git(
                            ["push", "--quiet", remote, "refs/heads/\(config.branch):refs/heads/\(config.branch)"],
                            in: repository),
                        "cannot push \(config.branch) to \(remote), which is behind the local branch")
                    report.outcome += "; \(remote) was behind the local branch and is pushed"
                }
            }
            return report
        }
        if dryRun { return report }

        let message = config.message ?? "Publish \(deployer.siteTitle) (vizsite \(VizsiteVersion.current))"
        try check(git(["commit", "--quiet", "--no-verify", "-m", message], in: work), "cannot commit")
        let sha = try git(["rev-parse", "--short", "HEAD"], in: work).output.trimmingCharacters(
            in: .whitespacesAndNewlines)
        if config.remote != nil, !isLocal {
            throw SourceError(
                "remote: names a remote of a local clone, but repository is \(redacted(repository))",
                at: config.location)
        }
        do {
            try check(
                git(["push", "--quiet", "origin", "HEAD:refs/heads/\(config.branch)"], in: work),
                "cannot push \(config.branch) to \(redacted(repository)); it is unchanged")
            report.outcome = "committed \(sha) to \(config.branch)"
            guard let remote = config.remote else { return report }
            try check(
                git(
                    ["push", "--quiet", remote, "refs/heads/\(config.branch):refs/heads/\(config.branch)"],
                    in: repository),
                "cannot push \(config.branch) to \(remote); the local branch is as it was")
            report.outcome += " and pushed it to \(remote)"
            return report
        } catch {
            // With remote:, the local branch goes back to what it was, so a failed or
            // interrupted publish leaves no trace (a push cut short may have moved it).
            if config.remote != nil {
                _ = deployer.command.run(
                    "git",
                    before.map { ["update-ref", "refs/heads/\(config.branch)", $0] }
                        ?? ["update-ref", "-d", "refs/heads/\(config.branch)"], in: repository)
            }
            throw error
        }
    }

    /// How the temporary clones are named (then the process id).
    static let temporaryPrefix = "vizsite-deploy-clone-"

    /// The site's files into the (empty) work tree of the temporary clone.
    private func copySite(into work: String) throws(SourceError) {
        let fm = FileManager.default
        do {
            for name in try fm.contentsOfDirectory(atPath: deployer.site)
            where name != ".git" && name != OutputFolder.markerName {
                try fm.copyItem(
                    atPath: (deployer.site as NSString).appendingPathComponent(name),
                    toPath: (work as NSString).appendingPathComponent(name))
            }
        } catch {
            throw SourceError("cannot copy the site: \(error.localizedDescription)", at: config.location)
        }
    }

    /// A repository named by a local path must be a folder git knows (a clone or a bare
    /// repository): said so, with what to do, rather than git's "does not appear to be a git
    /// repository … make sure you have the correct access rights". `vizsite init` makes no
    /// repository, so the default `repository: .` meets this first.
    private func checkLocalRepository(_ repository: String, exists: Bool) throws(SourceError) {
        guard !repository.contains("://"), !Deployer.isRemote(repository) else { return }
        let named = config.repository == nil ? "the site's folder (the default repository: .)" : repository
        let fix =
            "run `git init` there (and `git remote add origin URL`, with remote: origin, to publish to a host), or set "
            + "deploy: git: repository: to a clone or a URL"
        guard exists else {
            throw SourceError("there is no repository at \(named): no such folder; \(fix)", at: config.location)
        }
        let inside = try git(["rev-parse", "--git-dir"], in: repository)
        guard inside.succeeded else {
            throw SourceError("\(named) is not a git repository; \(fix)", at: config.location)
        }
    }

    /// Runs git; a deploy interrupted (Ctrl-C) stops here, at its next step.
    private func git(_ arguments: [String], in directory: String? = nil) throws(SourceError) -> ExternalCommand.Result {
        let result = try deployer.run("git", arguments, in: directory, at: config.location)
        try deployer.checkInterrupted(at: config.location)
        return result
    }

    private func check(_ result: ExternalCommand.Result, _ what: String) throws(SourceError) {
        guard result.succeeded else { throw failure(what, result) }
    }

    private func failure(_ what: String, _ result: ExternalCommand.Result) -> SourceError {
        SourceError("\(what): git says: \(redacted(result.errorText))", at: config.location)
    }

    /// An address without the password or token some URLs carry (`https://user:token@host/…`).
    private func redacted(_ text: String) -> String {
        text.replacing(/(\w+:\/\/)[^\/@\s]+@/) { "\($0.1)…@" }
    }
}
