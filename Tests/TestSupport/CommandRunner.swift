import Foundation

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
public func runProgram(
    _ path: String, _ arguments: [String], in directory: String = PackagePaths.root,
    environment: [String: String] = [:]
) throws -> CommandResult {
    let process = Process()
    if path.hasPrefix("/") {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
    } else {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [path] + arguments
    }
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes before waiting, so a full pipe cannot block the child.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return CommandResult(
        status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
        stderr: String(decoding: errData, as: UTF8.self))
}

/// git with an identity of its own and no user or system configuration, for tests.
public let gitTestEnvironment = [
    "GIT_AUTHOR_NAME": "Deploy Test", "GIT_AUTHOR_EMAIL": "deploy@example.org",
    "GIT_COMMITTER_NAME": "Deploy Test", "GIT_COMMITTER_EMAIL": "deploy@example.org",
    "GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1",
]
