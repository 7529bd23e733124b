import Foundation

/// A program the deploy runs (git, rsync) as the user: their configuration, their keys and
/// credential helpers. Nothing is stored.
struct ExternalCommand {
    struct Result {
        let status: Int32
        let output: String
        let errors: String
        var succeeded: Bool { status == 0 }
        /// The last line of what it printed on stderr, for an error message.
        var lastError: String {
            errors.split(separator: "\n").last.map(String.init) ?? "exit status \(status)"
        }
    }

    /// Extra environment (tests give git an identity and no global configuration).
    var environment: [String: String] = [:]

    /// Runs `program` (looked up on PATH) with `arguments` in `directory`; nil when the
    /// program is not installed.
    func run(_ program: String, _ arguments: [String], in directory: String? = nil) -> Result? {
        guard let path = Self.find(program) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // Never wait for a password on a terminal nobody sees.
        var env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        env["GIT_TERMINAL_PROMPT"] = env["GIT_TERMINAL_PROMPT"] ?? "0"
        process.environment = env
        // stderr goes to a file, so neither stream can fill up and block the other.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent("vizsite-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: errorFile) }
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil),
            let err = try? FileHandle(forWritingTo: errorFile)
        else { return nil }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return Result(status: 127, output: "", errors: "\(error)") }
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try? err.close()
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return Result(
            status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self), errors: errors)
    }

    static func find(_ program: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
