#if canImport(Glibc)
import Glibc
#endif
import CSystem
import Foundation

/// A program vizsite starts: git and rsync for a deploy, vizsite itself to read an HDF5
/// file apart, the built binary in tests.
///
/// Started with posix_spawn and waited for with waitpid. Foundation's `Process` is not
/// used: under the sanitizers (`make sanitize`) its exit monitoring sometimes never
/// reported a child's end, and the pipes it reads can have their write ends inherited by
/// another child started at the same moment, so that a reader waits for that one. Output
/// goes to files instead, which also means neither stream can fill up and block the other.
public struct ChildProcess: Sendable {
    /// Where a standard stream goes.
    public enum Stream: Sendable {
        case null
        /// A file, created or truncated (mode 0600).
        case file(String)
        /// For errors: wherever the output goes, interleaved as a terminal shows them.
        case output
    }

    /// How a child ended.
    public enum Ending: Sendable, Equatable {
        case exited(Int32)
        case signaled(Int32)

        /// The exit status, or the signal's number (as Foundation's `Process` reports them).
        public var status: Int32 {
            switch self {
            case .exited(let status), .signaled(let status): status
            }
        }

        /// `waitpid`'s status word decoded (WIFEXITED, WEXITSTATUS and WTERMSIG are macros
        /// Swift does not import).
        init(waitStatus: Int32) {
            let signal = waitStatus & 0x7F
            self = signal == 0 ? .exited((waitStatus >> 8) & 0xFF) : .signaled(signal)
        }
    }

    /// Why a program could not be started.
    public struct StartFailure: Error, Sendable, CustomStringConvertible {
        public let program: String
        public let reason: String
        public var description: String { "cannot start \(program): \(reason)" }
    }

    /// The child's process id.
    public let pid: pid_t

    /// `program` found on `path` (a PATH value; nil: /usr/bin:/bin), as an executable file's
    /// path; a name with a slash is taken as it is. nil when it is not installed.
    public static func executable(_ program: String, path: String?) -> String? {
        if program.contains("/") { return FileManager.default.isExecutableFile(atPath: program) ? program : nil }
        for folder in (path ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(program)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Starts `executable` (a path; nothing is looked up on PATH) with `arguments`, in
    /// `directory`, with `environment` (nil: this process's own). Every signal starts at
    /// its default action and none is blocked, whatever this process ignores or blocks
    /// (a deploy ignores SIGINT while its children must not). With `ownProcessGroup` the
    /// child leads a new process group, so that the terminal's Ctrl-C reaches vizsite
    /// alone and vizsite decides what the child gets.
    public init(
        _ executable: String, _ arguments: [String], in directory: String? = nil,
        environment: [String: String]? = nil, input: Stream = .null, output: Stream = .null,
        errors: Stream = .null, ownProcessGroup: Bool = false
    ) throws(StartFailure) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // The folder first: relative stream paths are then not meant relative to it, so
        // they are made absolute before.
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        }
        if let directory { vizsite_spawn_add_chdir(&actions, absolute(directory)) }
        for (descriptor, stream, flags) in [(0, input, O_RDONLY), (1, output, O_WRONLY), (2, errors, O_WRONLY)] {
            switch stream {
            case .null: posix_spawn_file_actions_addopen(&actions, Int32(descriptor), "/dev/null", flags, 0)
            case .output: posix_spawn_file_actions_adddup2(&actions, 1, Int32(descriptor))
            case .file(let path):
                let create = descriptor == 0 ? 0 : O_CREAT | O_TRUNC
                posix_spawn_file_actions_addopen(&actions, Int32(descriptor), absolute(path), flags | create, 0o600)
            }
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var all = sigset_t(), none = sigset_t()
        sigfillset(&all)
        sigemptyset(&none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setsigmask(&attributes, &none)
        var flags = Int32(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK)
        if ownProcessGroup {
            flags |= Int32(POSIX_SPAWN_SETPGROUP)
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        var result: Int32
        var isFolder: ObjCBool = false
        if let directory,
            !FileManager.default.fileExists(atPath: directory, isDirectory: &isFolder) || !isFolder.boolValue
        {
            throw StartFailure(program: executable, reason: "no folder \(directory) to run it in")
        }
        var envp: [UnsafeMutablePointer<CChar>?]? =
            environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for pointer in envp ?? [] { free(pointer) } }
        // ETXTBSY: a program written just now may still be open for writing in a child
        // another thread forked in between (it holds the descriptor until its own exec);
        // that passes within milliseconds.
        var attempt = 0
        repeat {
            if envp != nil {
                result = posix_spawn(&child, executable, &actions, &attributes, &argv, &envp!)
            } else {
                result = posix_spawn(&child, executable, &actions, &attributes, &argv, environ)
            }
            attempt += 1
            if result == ETXTBSY { usleep(20_000) }
        } while result == ETXTBSY && attempt < 50
        guard result == 0 else {
            throw StartFailure(program: executable, reason: String(cString: strerror(result)))
        }
        pid = child
    }

    /// Sends `signal` to the child, or to its whole process group when it leads one.
    public func send(_ signal: Int32) {
        if kill(-pid, signal) != 0 { kill(pid, signal) }
    }

    /// Waits for the child to end, at most until `deadline` (nil: as long as it takes);
    /// nil when the deadline passed first and the child still runs.
    public func wait(until deadline: Date? = nil) -> Ending? {
        var status: Int32 = 0
        guard let deadline else {
            while waitpid(pid, &status, 0) < 0 {
                // ECHILD: reaped already (cannot happen here, but must not spin).
                if errno != EINTR { return .exited(127) }
            }
            return Ending(waitStatus: status)
        }
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { return Ending(waitStatus: status) }
            if done < 0 && errno != EINTR { return .exited(127) }
            if Date() >= deadline { return nil }
            usleep(2_000)
        }
    }

    /// A finished run: how it ended (nil when it ran out of time and was killed) and what
    /// it printed.
    public struct Run: Sendable {
        public let ending: Ending?
        public let output: Data
        public let errors: Data

        /// The exit status, the signal's number, or SIGKILL's for a child out of time.
        public var status: Int32 { ending?.status ?? SIGKILL }
    }

    /// Runs `executable` to its end, its output and errors caught in files in a temporary
    /// folder named `<temporaryPrefix><our pid>-<UUID>` (so that one left by a process
    /// killed outright can be recognized and removed). Past `timeLimit` seconds the child
    /// (with its group) is killed. `started` hears the child's pid once it runs, and nil
    /// when it has ended.
    public static func run(
        _ executable: String, _ arguments: [String], in directory: String? = nil,
        environment: [String: String]? = nil, captureOutput: Bool = true, timeLimit: Double? = nil,
        ownProcessGroup: Bool = false, temporaryPrefix: String = "vizsite-child-",
        started: (pid_t?) -> Void = { _ in }
    ) throws(StartFailure) -> Run {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "\(temporaryPrefix)\(getpid())-\(UUID().uuidString)"
        ).path
        do {
            try FileManager.default.createDirectory(
                atPath: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        } catch {
            let reason = "cannot make a temporary folder: \(error.localizedDescription)"
            throw StartFailure(program: executable, reason: reason)
        }
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let outFile = folder + "/out", errFile = folder + "/err"
        let child = try ChildProcess(
            executable, arguments, in: directory, environment: environment,
            output: captureOutput ? .file(outFile) : .null, errors: .file(errFile),
            ownProcessGroup: ownProcessGroup)
        started(child.pid)
        let ending = child.wait(until: timeLimit.map { Date().addingTimeInterval($0) })
        if ending == nil {
            child.send(SIGKILL)
            _ = child.wait()
        }
        started(nil)
        return Run(ending: ending, output: Self.contents(outFile), errors: Self.contents(errFile))
    }

    /// A file a child wrote (read with ConfinedFile: FileManager.contents kept each 4 KB
    /// buffer, which LeakSanitizer reported).
    private static func contents(_ path: String) -> Data {
        (try? ConfinedFile.read(path, inside: nil, limit: 256 << 20)) ?? Data()
    }
}
