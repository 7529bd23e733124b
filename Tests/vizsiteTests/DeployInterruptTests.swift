import Common
import Foundation
import Testing
import TestSupport

/// Ctrl-C during `vizsite deploy` stops the git it started (its whole process group),
/// puts the local branch back, and leaves no temporary clone behind.
@Suite("Deploy interrupted", .serialized)
struct DeployInterruptTests {
    static let environment = gitTestEnvironment

    @Test("SIGINT during a push: git's group is stopped, the branches are as they were, no clone is left")
    func interruptedPush() throws {
        let dir = TemporaryDirectory("vizsite-interrupt")
        let realGit = try runProgram("sh", ["-c", "command -v git"]).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        // A git whose pushes wait (as a slow network would), saying when they start.
        dir.write(
            "bin/git",
            "#!/bin/sh\nif [ \"$1\" = push ]; then echo $$ > \"$MARK\"; sleep 30; fi\nexec \(realGit) \"$@\"\n")
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.file("bin/git"))
        try FileManager.default.createDirectory(atPath: dir.file("tmp"), withIntermediateDirectories: true)
        dir.write("Output/index.html", "<!DOCTYPE html><title>home</title>\n")
        dir.write(
            "Content/site.yml",
            "title: T\ndeploy:\n  git: {repository: clone, branch: gh-pages, remote: origin}\n")
        var environment = Self.environment
        _ = try runProgram("git", ["init", "--quiet", "--bare", dir.file("remote.git")], environment: environment)
        _ = try runProgram("git", ["init", "--quiet", dir.file("clone")], environment: environment)
        _ = try runProgram(
            "git", ["-C", dir.file("clone"), "remote", "add", "origin", dir.file("remote.git")],
            environment: environment)

        environment["PATH"] = dir.file("bin") + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        environment["TMPDIR"] = dir.file("tmp")
        environment["MARK"] = dir.file("push.pid")
        let errorFile = dir.file("deploy.err")
        let process = try ChildProcess(
            vizsiteExecutable, ["deploy"], in: dir.path,
            environment: ProcessInfo.processInfo.environment.merging(environment) { $1 }, errors: .file(errorFile))
        var waited = 0
        while !FileManager.default.fileExists(atPath: dir.file("push.pid")), waited < 300 {
            usleep(100_000)
            waited += 1
        }
        usleep(200_000)
        let pushPid = Int32(
            (try? String(contentsOfFile: dir.file("push.pid"), encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines) ?? "")
        #expect(pushPid != nil, "the push never started")
        process.send(SIGINT)
        let ending = process.wait()
        let errors = (try? String(contentsOfFile: errorFile, encoding: .utf8)) ?? ""
        #expect(ending == .exited(1), "\(errors)")
        #expect(errors.contains("interrupted (Ctrl-C)"), "\(errors)")
        if let pushPid { #expect(kill(pushPid, 0) != 0, "the push's process still runs") }
        let left = try FileManager.default.contentsOfDirectory(atPath: dir.file("tmp"))
        #expect(left.isEmpty, "\(left)")
        for repository in ["clone", "remote.git"] {
            let branch = try runProgram(
                "git", ["-C", dir.file(repository), "rev-parse", "--verify", "--quiet", "gh-pages"],
                environment: Self.environment)
            #expect(branch.status != 0, "\(repository) has gh-pages")
        }
    }
}
