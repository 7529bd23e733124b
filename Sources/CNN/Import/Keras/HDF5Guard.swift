import Common
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// libhdf5 is a large C library that does not defend against damaged files: of 600
/// Keras files with 1–16 bytes changed, 11 crashed it (SIGSEGV, wild pointers) and 3 sent
/// it into an endless loop. vizsite cannot fix libhdf5, so it reads every Keras file in a
/// child process first — vizsite itself (`vizsite probe-hdf5 FILE`), with a memory and a
/// time limit — and only a file the child read whole is read again in-process. libhdf5
/// is deterministic, so the second read makes the same calls on the same bytes. A crash,
/// a hang or a limit reached in the child is an error naming the file.
///
/// Chosen over validating the format first, which would mean writing an HDF5 parser
/// as careful as libhdf5 is not; it costs one process start and a second read (measured in
/// README, "Reliability").
public enum HDF5Guard {
    private static let state = Mutex<(helper: String?, isChild: Bool)>((nil, false))

    /// The program that probes files (vizsite's own executable); nil reads in-process only
    /// (library use, tests that do not ask for the guard).
    public static var helper: String? {
        get { state.withLock { $0.helper } }
        set { state.withLock { $0.helper = newValue } }
    }

    /// Set in the probing child itself, which reads in-process.
    public static var isChild: Bool {
        get { state.withLock { $0.isChild } }
        set { state.withLock { $0.isChild = newValue } }
    }

    /// The child's address-space limit, and its time limit (seconds, plus one per 10 MB).
    public static let memoryLimit = 4 << 30
    /// (`VIZSITE_HDF5_SECONDS` replaces the 20 s base, for tests.)
    static func timeLimit(bytes: Int) -> Double {
        let base = ProcessInfo.processInfo.environment["VIZSITE_HDF5_SECONDS"].flatMap(Double.init) ?? 20
        return base + Double(bytes) / 10e6
    }

    /// Reads the Keras file `bytes` in a child process; an error when the child fails,
    /// crashes or runs out of time or memory. Nothing happens without a helper, or in the child.
    static func check(bytes: [UInt8], displayPath: String) throws(ImportError) {
        guard let helper, !isChild else { return }
        let folder = FileManager.default.temporaryDirectory.path
        let file = (folder as NSString).appendingPathComponent("vizsite-probe-\(getpid())-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: file, contents: Data(bytes)) else {
            throw ImportError(file: displayPath, "cannot write a temporary copy to check the file in \(folder)")
        }
        defer { try? FileManager.default.removeItem(atPath: file) }
        // The child is started with posix_spawn and waited for with waitpid: its stderr goes
        // to a file (a pipe's write end can be inherited by another child started at the same
        // moment, and a reader then waits for that one), and Foundation's Process, whose exit
        // monitoring did not always report a child's end under the sanitizers, is not used.
        let errorFile = file + ".err"
        defer { try? FileManager.default.removeItem(atPath: errorFile) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, errorFile, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let arguments = [helper, "probe-hdf5", file, "--name", displayPath]
        var argv: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, helper, &actions, nil, &argv, environ)
        guard spawned == 0 else {
            throw ImportError(
                file: displayPath, "cannot start \(helper) to check the file: \(String(cString: strerror(spawned)))")
        }
        let limit = timeLimit(bytes: bytes.count)
        let deadline = Date().addingTimeInterval(limit)
        let timedOut = ImportError(
            file: displayPath,
            "libhdf5 did not finish reading the file within \(Int(limit)) s (checked in a separate process); the file "
                + "is damaged")
        var status: Int32 = 0
        while true {
            let done = waitpid(pid, &status, WNOHANG)
            if done == pid { break }
            if done < 0 && errno != EINTR {
                throw ImportError(file: displayPath, "lost the process that checks the file")
            }
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = waitpid(pid, &status, 0)
                throw timedOut
            }
            usleep(2_000)
        }
        // (Read with ConfinedFile: FileManager.contents kept each buffer, 4 KB a call, which
        // LeakSanitizer reported in the fuzzer.)
        let errors = (try? ConfinedFile.read(errorFile, inside: nil, limit: 1 << 20)) ?? Data()
        let message = String(decoding: errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        // WIFEXITED / WEXITSTATUS / WTERMSIG, which Swift does not import.
        let signal = status & 0x7F, exitStatus = (status >> 8) & 0xFF
        switch (signal, exitStatus) {
        case (0, 0): return
        case (SIGXCPU, _): throw timedOut  // the child's own CPU-time limit, reached first
        case (0, 1) where !message.isEmpty: throw ImportError(file: displayPath, message)
        case (0, _):
            throw ImportError(
                file: displayPath,
                "checking the file in a separate process failed (exit status \(exitStatus))"
                    + (message.isEmpty ? "" : ": \(message.prefix(300))"))
        default:
            throw ImportError(
                file: displayPath,
                "libhdf5 crashed reading the file (signal \(signal), in a separate process that checks it); the file "
                    + "is damaged")
        }
    }

    /// In the child: the address-space and CPU-time limits, set before anything is read.
    public static func limitChild(bytes: Int) {
        var memory = rlimit(rlim_cur: rlim_t(memoryLimit), rlim_max: rlim_t(memoryLimit))
        setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &memory)
        let seconds = rlim_t(timeLimit(bytes: bytes))
        var cpu = rlimit(rlim_cur: seconds, rlim_max: seconds + 1)
        setrlimit(__rlimit_resource_t(RLIMIT_CPU.rawValue), &cpu)
    }
}
