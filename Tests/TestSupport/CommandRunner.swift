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
    let buildDirectory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    return try runProgram(
        buildDirectory.appendingPathComponent("vizsite").path, arguments, in: directory, environment: environment)
}

/// Runs the program at `path` (an absolute path, or a name looked up on PATH by `env`).
/// Started with posix_spawn and waited for with waitpid, its output captured in files:
/// Foundation's Process sometimes never reports a child's exit under the sanitizers
/// (`make sanitize`), and a pipe's write end can leak into another test's child.
public func runProgram(
    _ path: String, _ arguments: [String], in directory: String = PackagePaths.root,
    environment: [String: String] = [:]
) throws -> CommandResult {
    let folder = TemporaryDirectory("vizsite-run")
    let outFile = folder.file("out"), errFile = folder.file("err")
    var actions = posix_spawn_file_actions_t()
    posix_spawn_file_actions_init(&actions)
    defer { posix_spawn_file_actions_destroy(&actions) }
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
    posix_spawn_file_actions_addopen(&actions, 1, outFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    posix_spawn_file_actions_addopen(&actions, 2, errFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
    // GNU env changes the folder (-C) and finds a bare name on PATH.
    let command = ["/usr/bin/env", "-C", directory, path] + arguments
    var argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
    defer { for pointer in argv { free(pointer) } }
    let merged = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    var envp: [UnsafeMutablePointer<CChar>?] = merged.map { strdup("\($0.key)=\($0.value)") } + [nil]
    defer { for pointer in envp { free(pointer) } }
    var pid: pid_t = 0
    let spawned = posix_spawn(&pid, "/usr/bin/env", &actions, nil, &argv, &envp)
    guard spawned == 0 else {
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: String(cString: strerror(spawned))])
    }
    var status: Int32 = 0
    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    // WIFSIGNALED: a signal's number; else the exit status (as Process reports them).
    let signal = status & 0x7F
    return CommandResult(
        status: signal != 0 ? signal : (status >> 8) & 0xFF,
        stdout: String(decoding: FileManager.default.contents(atPath: outFile) ?? Data(), as: UTF8.self),
        stderr: String(decoding: FileManager.default.contents(atPath: errFile) ?? Data(), as: UTF8.self))
}

/// git with an identity of its own and no user or system configuration, for tests.
public let gitTestEnvironment = [
    "GIT_AUTHOR_NAME": "Deploy Test", "GIT_AUTHOR_EMAIL": "deploy@example.org",
    "GIT_COMMITTER_NAME": "Deploy Test", "GIT_COMMITTER_EMAIL": "deploy@example.org",
    "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
]
