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

    /// The child's exit status for a file that does not read (its reason on stderr): none
    /// that a crash or a sanitizer uses.
    public static let unreadableStatus: Int32 = 65

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
        let limit = timeLimit(bytes: bytes.count)
        let run: ChildProcess.Run
        do {
            run = try ChildProcess.run(
                helper, ["probe-hdf5", file, "--name", displayPath], captureOutput: false, timeLimit: limit,
                temporaryPrefix: "vizsite-probe-run-")
        } catch {
            throw ImportError(file: displayPath, "cannot start \(helper) to check the file: \(error.reason)")
        }
        let timedOut = ImportError(
            file: displayPath,
            "libhdf5 did not finish reading the file within \(Int(limit)) s (checked in a separate process); the file "
                + "is damaged")
        let message = String(decoding: run.errors, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        switch run.ending {
        case nil, .signaled(SIGXCPU): throw timedOut  // the child's own CPU-time limit, reached first
        case .exited(0): return
        case .exited(unreadableStatus) where !message.isEmpty: throw ImportError(file: displayPath, message)
        case .exited(let exitStatus):
            // AddressSanitizer, under `make sanitize`, stops the child with status 1 when it
            // catches libhdf5 overrunning a buffer before the operating system does.
            throw ImportError(
                file: displayPath,
                "libhdf5 failed reading the file (exit status \(exitStatus), in a separate process that checks it); "
                    + "the file is damaged")
        case .signaled(let signal):
            throw ImportError(
                file: displayPath,
                "libhdf5 crashed reading the file (signal \(signal), in a separate process that checks it); the file "
                    + "is damaged")
        }
    }

    /// In the child: the address-space and CPU-time limits, set before anything is read.
    public static func limitChild(bytes: Int) {
        // AddressSanitizer (`make sanitize`) maps terabytes of shadow memory and hangs once
        // the address space is capped; its own allocator checks stand in for the limit there.
        if dlsym(nil, "__asan_init") == nil {
            var memory = rlimit(rlim_cur: rlim_t(memoryLimit), rlim_max: rlim_t(memoryLimit))
            setrlimit(__rlimit_resource_t(RLIMIT_AS.rawValue), &memory)
        }
        let seconds = rlim_t(timeLimit(bytes: bytes))
        var cpu = rlimit(rlim_cur: seconds, rlim_max: seconds + 1)
        setrlimit(__rlimit_resource_t(RLIMIT_CPU.rawValue), &cpu)
    }
}
