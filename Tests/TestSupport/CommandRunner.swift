import Common
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The result of running the `vizsite` binary.
public struct CommandResult: Sendable {
    public let status: Int32
    public let stdout: String
    public let stderr: String
}

/// Runs the `vizsite` executable built beside the test bundle, in `directory`.
public func runVizsite(
    _ arguments: [String], in directory: String = PackagePaths.root,
    environment: [String: String] = [:]
) throws -> CommandResult {
    try runProgram(vizsiteExecutable, arguments, in: directory, environment: environment)
}

/// Runs the program at `path` (an absolute path, or a name looked up on PATH) in
/// `directory`, to its end (with `ChildProcess`, as vizsite runs its own children).
public func runProgram(
    _ path: String, _ arguments: [String], in directory: String = PackagePaths.root,
    environment: [String: String] = [:]
) throws -> CommandResult {
    let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let run = try ChildProcess.run(
        ChildProcess.executable(path, path: merged["PATH"]) ?? path, arguments, in: directory, environment: merged,
        temporaryPrefix: "vizsite-test-run-")
    return CommandResult(
        status: run.status, stdout: String(decoding: run.output, as: UTF8.self),
        stderr: String(decoding: run.errors, as: UTF8.self))
}

/// The `vizsite` executable built beside the test bundle.
public var vizsiteExecutable: String {
    URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vizsite").path
}

/// git with an identity of its own and no user or system configuration, for tests.
public let gitTestEnvironment = [
    "GIT_AUTHOR_NAME": "Deploy Test", "GIT_AUTHOR_EMAIL": "deploy@example.org",
    "GIT_COMMITTER_NAME": "Deploy Test", "GIT_COMMITTER_EMAIL": "deploy@example.org",
    "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
]

/// Whether this build runs under AddressSanitizer (`make sanitize`), whose quarantine keeps
/// freed memory: resident-memory bounds do not hold there.
public let isAddressSanitized = dlsym(nil, "__asan_init") != nil
