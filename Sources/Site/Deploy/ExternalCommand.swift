import Common
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
    /// program is not installed. The child leads a process group of its own: Ctrl-C reaches
    /// vizsite alone, and `Interruption` passes it on to the whole group.
    func run(_ program: String, _ arguments: [String], in directory: String? = nil) -> Result? {
        // Looked up on the PATH the child gets (tests put stand-ins first).
        var env = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        guard let path = ChildProcess.executable(program, path: env["PATH"]) else { return nil }
        // Never wait for a password on a terminal nobody sees.
        env["GIT_TERMINAL_PROMPT"] = env["GIT_TERMINAL_PROMPT"] ?? "0"
        // Only transports that move data: never ext:: or fd::, which run commands.
        env["GIT_ALLOW_PROTOCOL"] = "file:git:http:https:ssh"
        do {
            let run = try ChildProcess.run(
                path, arguments, in: directory, environment: env, ownProcessGroup: true,
                temporaryPrefix: Self.temporaryPrefix, started: { Interruption.shared.running($0) })
            return Result(
                status: run.status, output: String(decoding: run.output, as: UTF8.self),
                errors: String(decoding: run.errors, as: UTF8.self))
        } catch {
            return Result(status: 127, output: "", errors: error.description)
        }
    }

    /// How the temporary folders holding a child's output are named (then the process id).
    static let temporaryPrefix = "vizsite-command-"
}
