import Common
import Foundation
import Testing
import TestSupport
@testable import Site

/// `vizsite deploy`: a git branch in a local bare repository or a local clone, and a local
/// rsync folder. git runs with an identity of its own and no user or system configuration.
@Suite("Deploy", .serialized)
struct DeployTests {
    static let environment = gitTestEnvironment

    let folder = TemporaryDirectory("vizsite-deploy")

    init() {
        folder.write("Output/index.html", "<!DOCTYPE html><title>home</title>\n")
        folder.write("Output/lesson/index.html", "<!DOCTYPE html><title>lesson</title>\n")
        folder.write("Output/figures/a.png", "png bytes")
    }

    var site: String { folder.file("Output") }

    @discardableResult
    func git(_ arguments: [String], in directory: String? = nil) throws -> CommandResult {
        let result = try runProgram("git", arguments, in: directory ?? folder.path, environment: Self.environment)
        #expect(result.status == 0, "git \(arguments.joined(separator: " ")): \(result.stderr)")
        return result
    }

    /// Writes remote.git's pre-receive hook from a child shell: a file this process held open
    /// for writing could be inherited by a process another test forks at that moment, and
    /// git's exec of the hook would then fail with "Text file busy".
    func writeHook(_ body: String) throws {
        let result = try runProgram(
            "/bin/sh",
            [
                "-c", "printf '%s\\n' \"$1\" > remote.git/hooks/pre-receive && chmod 755 remote.git/hooks/pre-receive",
                "sh", "#!/bin/sh\n" + body,
            ],
            in: folder.path, environment: Self.environment)
        #expect(result.status == 0, "\(result.stderr)")
    }

    func deployer(_ yaml: String) throws -> Deployer {
        let config = try SiteConfig.parse("title: T\n" + yaml, file: "site.yml")
        return Deployer(
            config: try #require(config.deploy), site: site, siteRoot: folder.path, environment: Self.environment)
    }

    /// The files of `branch` in `repository` and their bytes.
    func branchFiles(_ repository: String, _ branch: String) throws -> [String: String] {
        let names = try git(["ls-tree", "-r", "--name-only", branch], in: repository).stdout.split(separator: "\n")
        var files: [String: String] = [:]
        for name in names { files[String(name)] = try git(["show", "\(branch):\(name)"], in: repository).stdout }
        return files
    }

    func siteFiles() -> [String: String] {
        FixtureSite.tree(site).mapValues { String(decoding: $0, as: UTF8.self) }
    }

    @Test("a bare repository's branch holds exactly the site; an unchanged site makes no commit")
    func gitBranch() throws {
        try git(["init", "--quiet", "--bare", "site.git"])
        let deploy = try deployer(
            "deploy:\n  git:\n    repository: site.git\n    branch: gh-pages\n    keep: [CNAME]\n")
        let dry = try deploy.deploy(dryRun: true)
        #expect(dry.map(\.added) == [["figures/a.png", "index.html", "lesson/index.html"]])
        #expect(
            try runProgram("git", ["-C", folder.file("site.git"), "rev-parse", "--verify", "gh-pages"]).status != 0)

        let first = try #require(try deploy.deploy(dryRun: false).first)
        #expect(first.added.count == 3 && first.outcome.hasPrefix("committed "))
        #expect(try branchFiles(folder.file("site.git"), "gh-pages") == siteFiles())
        let sha = try git(["rev-parse", "gh-pages"], in: folder.file("site.git")).stdout

        let again = try #require(try deploy.deploy(dryRun: false).first)
        #expect(again.isEmpty && again.outcome == "nothing changed; no commit made")
        #expect(try git(["rev-parse", "gh-pages"], in: folder.file("site.git")).stdout == sha)

        // A file the site no longer has is removed; `keep` protects one the branch has.
        let clone = folder.file("clone")
        try git(["clone", "--quiet", "--branch", "gh-pages", folder.file("site.git"), clone])
        try "example.org\n".write(toFile: clone + "/CNAME", atomically: true, encoding: .utf8)
        try git(["add", "CNAME"], in: clone)
        try git(["commit", "--quiet", "-m", "domain"], in: clone)
        try git(["push", "--quiet", "origin", "gh-pages"], in: clone)
        try FileManager.default.removeItem(atPath: folder.file("Output/figures/a.png"))
        folder.write("Output/figures/b.png", "other bytes")
        folder.write("Output/index.html", "<!DOCTYPE html><title>home, again</title>\n")
        let third = try #require(try deploy.deploy(dryRun: false).first)
        #expect(
            third.added == ["figures/b.png"] && third.changed == ["index.html"] && third.removed == ["figures/a.png"])
        var expected = siteFiles()
        expected["CNAME"] = "example.org\n"
        #expect(try branchFiles(folder.file("site.git"), "gh-pages") == expected)
        #expect(try git(["rev-list", "--count", "gh-pages"], in: folder.file("site.git")).stdout == "3\n")
        #expect(third.summary(dryRun: false).hasPrefix("deployed to git branch gh-pages of "))
    }

    @Test("a failed push leaves the local branch, and the remote, as they were")
    func failedPush() throws {
        try git(["init", "--quiet", "--bare", "remote.git"])
        try writeHook("echo 'refused by the test' >&2\nexit 1")
        let clone = folder.file("clone")
        try git(["init", "--quiet", "--initial-branch=main", clone])
        try git(["remote", "add", "origin", folder.file("remote.git")], in: clone)
        let deploy = try deployer("deploy:\n  git:\n    repository: clone\n    branch: gh-pages\n    remote: origin\n")

        // The branch did not exist: after the refused push it still does not.
        #expect(throws: SourceError.self) { try deploy.deploy(dryRun: false) }
        #expect(try runProgram("git", ["-C", clone, "rev-parse", "--verify", "--quiet", "gh-pages"]).status != 0)

        try FileManager.default.removeItem(atPath: folder.file("remote.git/hooks/pre-receive"))
        _ = try deploy.deploy(dryRun: false)
        let published = try git(["rev-parse", "gh-pages"], in: clone).stdout
        #expect(try git(["rev-parse", "gh-pages"], in: folder.file("remote.git")).stdout == published)

        // It existed: after the refused push it is the commit it was, here and there.
        try writeHook("exit 1")
        folder.write("Output/index.html", "<!DOCTYPE html><title>changed</title>\n")
        do {
            _ = try deploy.deploy(dryRun: false)
            Issue.record("the refused push was not reported")
        } catch {
            #expect(error.description.contains("cannot push gh-pages to origin; the local branch is as it was"))
            #expect(error.location.file == "site.yml" && error.location.line == 3)
        }
        #expect(try git(["rev-parse", "gh-pages"], in: clone).stdout == published)
        #expect(try git(["rev-parse", "gh-pages"], in: folder.file("remote.git")).stdout == published)
    }

    @Test("a local branch ahead of its remote (an interrupted deploy) is pushed though the site is unchanged")
    func reconcilesWithTheRemote() throws {
        try git(["init", "--quiet", "--bare", "remote.git"])
        let clone = folder.file("clone")
        try git(["init", "--quiet", "--initial-branch=main", clone])
        try git(["remote", "add", "origin", folder.file("remote.git")], in: clone)
        let both = try deployer("deploy:\n  git:\n    repository: clone\n    branch: gh-pages\n    remote: origin\n")
        let localOnly = try deployer("deploy:\n  git:\n    repository: clone\n    branch: gh-pages\n")
        _ = try both.deploy(dryRun: false)
        // The state an interrupted deploy left: the local branch moved, the remote not.
        folder.write("Output/index.html", "<!DOCTYPE html><title>changed</title>\n")
        _ = try localOnly.deploy(dryRun: false)
        let local = try git(["rev-parse", "gh-pages"], in: clone).stdout
        #expect(try git(["rev-parse", "gh-pages"], in: folder.file("remote.git")).stdout != local)

        let dry = try #require(try both.deploy(dryRun: true).first)
        #expect(dry.isEmpty && dry.outcome.hasSuffix("origin is behind and would be pushed"), "\(dry.outcome)")
        let report = try #require(try both.deploy(dryRun: false).first)
        #expect(report.isEmpty && report.outcome.hasSuffix("origin was behind the local branch and is pushed"))
        #expect(try git(["rev-parse", "gh-pages"], in: folder.file("remote.git")).stdout == local)
        let again = try #require(try both.deploy(dryRun: false).first)
        #expect(again.outcome == "nothing changed; no commit made")
    }

    @Test("git's whole error is kept: a hook's reason, not only git's last line")
    func wholeGitError() throws {
        try git(["init", "--quiet", "--bare", "remote.git"])
        try writeHook("echo 'pushes are refused here' >&2\nexit 1")
        let deploy = try deployer("deploy:\n  git:\n    repository: remote.git\n    branch: gh-pages\n")
        #expect {
            try deploy.deploy(dryRun: false)
        } throws: { error in
            (error as? SourceError)?.message.contains("pushes are refused here") ?? false
        }
        // A URL is git's to read: its whole message comes back.
        let missing = try deployer(
            "deploy:\n  git:\n    repository: file:///nonexistent/nowhere.git\n    branch: gh-pages\n")
        #expect {
            try missing.deploy(dryRun: true)
        } throws: { error in
            let message = (error as? SourceError)?.message ?? ""
            return message.contains("does not appear to be a git repository") || message.contains("not found")
        }
    }

    @Test("an rsync folder ends up holding the site; what it no longer has is removed, kept files stay")
    func rsyncFolder() throws {
        let deploy = try deployer("deploy:\n  rsync:\n    destination: www\n    keep: [.htaccess]\n")
        let dry = try #require(try deploy.deploy(dryRun: true).first)
        #expect(dry.added == ["figures/a.png", "index.html", "lesson/index.html"])
        #expect(!FileManager.default.fileExists(atPath: folder.file("www/index.html")))
        let first = try #require(try deploy.deploy(dryRun: false).first)
        #expect(first.added.count == 3 && first.changed.isEmpty && first.removed.isEmpty)
        #expect(FixtureSite.tree(folder.file("www")) == FixtureSite.tree(site))

        folder.write("www/.htaccess", "ErrorDocument 404 /404.html\n")
        folder.write("www/stale.html", "old")
        // Rebuilt but identical bytes are not a change; different bytes are.
        folder.write("Output/lesson/index.html", "<!DOCTYPE html><title>lesson</title>\n")
        folder.write("Output/index.html", "<!DOCTYPE html><title>new home</title>\n")
        let second = try #require(try deploy.deploy(dryRun: false).first)
        #expect(second.added.isEmpty && second.changed == ["index.html"] && second.removed == ["stale.html"])
        var expected = FixtureSite.tree(site)
        expected[".htaccess"] = Data("ErrorDocument 404 /404.html\n".utf8)
        #expect(FixtureSite.tree(folder.file("www")) == expected)
        #expect(try #require(try deploy.deploy(dryRun: false).first).isEmpty)
    }

    @Test("a failed rsync never leaves pages whose figures are missing; its whole error is reported")
    func failedRsyncKeepsPagesWhole() throws {
        let realRsync = try runProgram("sh", ["-c", "command -v rsync"]).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        // An rsync that fails its Nth run (counted in a file), with rsync's own two lines.
        folder.write(
            "bin/rsync",
            "#!/bin/sh\nn=$(cat \"$COUNT\" 2>/dev/null || echo 0); n=$((n + 1)); echo $n > \"$COUNT\"\n"
                + "if [ \"$n\" = \"$FAIL\" ]; then echo 'rsync: [receiver] mkstemp \"figures/b.png\" failed: "
                + "Operation not permitted (1)' >&2; echo 'rsync error: some files/attrs were not transferred "
                + "(see previous errors) (code 23)' >&2; exit 23; fi\nexec \(realRsync) \"$@\"\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.file("bin/rsync"))
        func deployer(failing run: Int) throws -> Deployer {
            let config = try #require(
                try SiteConfig.parse("title: T\ndeploy:\n  rsync:\n    destination: www\n", file: "site.yml").deploy)
            var environment = Self.environment
            environment["PATH"] = folder.file("bin") + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "")
            environment["COUNT"] = folder.file("count")
            environment["FAIL"] = String(run)
            try? FileManager.default.removeItem(atPath: folder.file("count"))
            return Deployer(config: config, site: site, siteRoot: folder.path, environment: environment)
        }
        _ = try deployer(failing: 0).deploy(dryRun: false)
        let published = FixtureSite.tree(folder.file("www"))
        // The new site's page uses a new figure, and the old figure goes.
        try FileManager.default.removeItem(atPath: folder.file("Output/figures/a.png"))
        folder.write("Output/figures/b.png", "new figure")
        folder.write("Output/index.html", "<!DOCTYPE html><img src=\"figures/b.png\">\n")
        #expect {
            try deployer(failing: 1).deploy(dryRun: false)
        } throws: { error in
            let message = (error as? SourceError)?.message ?? ""
            return message.contains("mkstemp \"figures/b.png\" failed") && message.contains("(code 23)")
        }
        #expect(FixtureSite.tree(folder.file("www")) == published)
        // Failing after the figures: the old pages, whole, and the new figure beside them.
        #expect(throws: SourceError.self) { try deployer(failing: 2).deploy(dryRun: false) }
        var expected = published
        expected["figures/b.png"] = Data("new figure".utf8)
        #expect(FixtureSite.tree(folder.file("www")) == expected)
        _ = try deployer(failing: 0).deploy(dryRun: false)
        #expect(FixtureSite.tree(folder.file("www")) == FixtureSite.tree(site))
    }

    @Test("rsync's itemized lines become added, changed and removed files")
    func itemizedChanges() {
        let output = """
            cd+++++++++ lesson/
            >f+++++++++ lesson/index.html
            <f.st...... index.html
            >fc.t...... assets/site.js
            .f..t...... same.html
            *deleting   old.html
            *deleting   old/

            """
        let changes = RsyncTarget.changes(output)
        #expect(changes.added == ["lesson/index.html"])
        #expect(changes.changed == ["assets/site.js", "index.html"])
        #expect(changes.removed == ["old.html"])
    }

    @Test("the deploy section is checked where it is written; no built site, no deploy")
    func configErrors() throws {
        func error(_ yaml: String) -> String? {
            do { _ = try SiteConfig.parse("title: T\n" + yaml, file: "site.yml") } catch { return error.description }
            return nil
        }
        #expect(
            error("deploy:\n  git: {repository: x}\n")
                == "site.yml:3:8: error: deploy.git is missing the required field 'branch'")
        #expect(
            error("deploy:\n  ftp: {host: x}\n")?.hasPrefix("site.yml:3:3: error: unknown field 'ftp' in deploy")
                == true)
        #expect(
            error("deploy:\n  git: {branch: '--force'}\n")
                == "site.yml:3:17: error: branch '--force' is not a branch name git accepts")
        #expect(
            error("deploy:\n  rsync: {destination: www, keep: [../x]}\n")?.contains("keep lists paths inside") == true)
        #expect(error("deploy: {}\n")?.contains("deploy names no target") == true)
        try FileManager.default.removeItem(atPath: folder.file("Output/index.html"))
        #expect(throws: SourceError.self) {
            try deployer("deploy:\n  rsync:\n    destination: www\n").deploy(dryRun: true)
        }
        #expect(!FileManager.default.fileExists(atPath: folder.file("www")))
    }

    @Test("a local repository that is missing or not git's is named, with what to do, instead of git's guesses")
    func localRepositoryErrors() throws {
        let plain = try #require(
            throws: SourceError.self,
            performing: { try deployer("deploy:\n  git:\n    branch: gh-pages\n").deploy(dryRun: true) })
        #expect(
            plain.message.hasPrefix(
                "the site's folder (the default repository: .) is not a git repository; run `git init` there"),
            "\(plain)")
        let missing = try #require(
            throws: SourceError.self,
            performing: {
                try deployer("deploy:\n  git:\n    branch: gh-pages\n    repository: ../nowhere.git\n").deploy(
                    dryRun: true)
            })
        #expect(missing.message.hasPrefix("there is no repository at "), "\(missing)")
        #expect(missing.message.contains("nowhere.git: no such folder; run `git init` there"))
    }

    @Test("a content or theme file changed after the site was built is named; a site built after it is not")
    func staleSite() throws {
        let built = Date(timeIntervalSinceNow: -60)
        try FileManager.default.setAttributes(
            [.modificationDate: built], ofItemAtPath: folder.file("Output/index.html"))
        folder.write("Content/lessons/01-a.md", "x")
        folder.write("Content/.hidden/b.md", "x")
        try FileManager.default.setAttributes(
            [.modificationDate: built.addingTimeInterval(-10)], ofItemAtPath: folder.file("Content/lessons/01-a.md"))
        #expect(Deployer.newerSource(than: site, sources: [folder.file("Content"), folder.file("Theme")]) == nil)
        folder.write("Theme/assets/style.css", "x")
        let newer = Deployer.newerSource(than: site, sources: [folder.file("Content"), folder.file("Theme")])
        #expect(newer?.path == folder.file("Theme/assets/style.css"))
    }

    @Test("no field of the deploy section reaches git, rsync or ssh as an option or a command")
    func argumentInjection() throws {
        try git(["init", "--quiet", "--bare", "site.git"])
        let canary = folder.file("PWNED")
        // The commands git and ssh would run go through a shell, which expands $CANARY.
        let payloads = [
            "--upload-pack=touch $CANARY;:x", "-oProxyCommand=touch $CANARY", "-e sh -c 'touch $CANARY'",
            "ext::sh -c touch% $CANARY", "ssh://-oProxyCommand=touch%20$CANARY/x", "-oProxyCommand=x:y",
            "--exec=touch $CANARY", "fd::17", "host\nname:x",
        ]
        let fields = [
            "git: {branch: gh-pages, repository: %@}", "git: {branch: %@, repository: site.git}",
            "git: {branch: gh-pages, repository: site.git, remote: %@}",
            "git: {branch: gh-pages, repository: site.git, keep: [%@]}",
            "git: {branch: gh-pages, repository: site.git, message: %@}", "rsync: {destination: %@}",
            "rsync: {destination: www, keep: [%@]}",
        ]
        var refused = 0, ran = 0
        for field in fields {
            for payload in payloads {
                let quoted = "\"" + payload.replacingOccurrences(of: "\\n", with: "\\n") + "\""
                let yaml = "deploy:\n  " + field.replacingOccurrences(of: "%@", with: quoted) + "\n"
                guard let config = try? SiteConfig.parse("title: T\n" + yaml, file: "site.yml").deploy else {
                    refused += 1
                    continue
                }
                var environment = Self.environment
                environment["CANARY"] = canary
                let deployer = Deployer(config: config, site: site, siteRoot: folder.path, environment: environment)
                _ = try? deployer.deploy(dryRun: true)
                ran += 1
                #expect(!FileManager.default.fileExists(atPath: canary), "\(yaml) ran a command")
                try? FileManager.default.removeItem(atPath: canary)
            }
        }
        // Options and transports are refused where they are written; a message is only a message.
        #expect(refused >= 45 && ran > 0, "refused \(refused), ran \(ran)")
    }
}
