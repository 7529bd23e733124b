import Foundation

/// A program the deploy runs (git, rsync) as the user: their configuration, their keys and
/// credential helpers. Nothing is stored.
struct ExternalCommand {
    struct Result {
        let status: Int32
        let output: String
        let errors: String
        var succeeded: Bool { status == 0 }
        /// What it printed on stderr, for an error message: every line but git's hints (the
        /// cause is often not the last line: a hook's reason, rsync's "previous errors"),
        /// joined, and cut if long.
        var errorText: String {
            let lines = errors.split(whereSeparator: \.isNewline)
                .map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty && !$0.hasPrefix("hint:") }
            guard !lines.isEmpty else { return "exit status \(status)" }
            let text = lines.joined(separator: " / ")
            return text.count > 1200 ? String(text.prefix(1200)) + " …" : text
        }
    }

    /// Extra environment (tests give git an identity and no global configuration).
    var environment: [String: String] = [:]

    /// Runs `program` (looked up on PATH) with `arguments` in `directory`; nil when the
    /// program is not installed.
    func run(_ program: String, _ arguments: [String], in directory: String? = nil) -> Result? {
        // Looked up on the PATH the child gets (tests put stand-ins first).
        var env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        guard let path = Self.find(program, in: env["PATH"]) else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        // Never wait for a password on a terminal nobody sees.
        env["GIT_TERMINAL_PROMPT"] = env["GIT_TERMINAL_PROMPT"] ?? "0"
        // Only transports that move data: never ext:: or fd::, which run commands.
        env["GIT_ALLOW_PROTOCOL"] = "file:git:http:https:ssh"
        process.environment = env
        // stderr goes to a file, so neither stream can fill up and block the other.
        let errorFile = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(Self.temporaryPrefix)\(getpid())-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: errorFile) }
        guard FileManager.default.createFile(atPath: errorFile.path, contents: nil),
            let err = try? FileHandle(forWritingTo: errorFile)
        else { return nil }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { return Result(status: 127, output: "", errors: "\(error)") }
        Interruption.shared.running(process.processIdentifier)
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        Interruption.shared.running(nil)
        try? err.close()
        let errors = (try? String(contentsOf: errorFile, encoding: .utf8)) ?? ""
        return Result(
            status: process.terminationStatus, output: String(decoding: outData, as: UTF8.self), errors: errors)
    }

    /// How the files holding a child's stderr are named (then the process id).
    static let temporaryPrefix = "vizsite-stderr-"

    static func find(_ program: String, in path: String?) -> String? {
        for folder in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
