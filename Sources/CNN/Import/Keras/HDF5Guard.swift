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
        // The child's stderr goes to a file, not a pipe: a pipe's write end can be inherited
        // by another child started at the same moment (Foundation's pipes are not
        // close-on-exec), and a reader would then wait for that other process to end.
        let errorFile = file + ".err"
        guard FileManager.default.createFile(atPath: errorFile, contents: nil),
            let errors = FileHandle(forWritingAtPath: errorFile)
        else {
            throw ImportError(file: displayPath, "cannot write a temporary file to check the file in \(folder)")
        }
        defer { try? FileManager.default.removeItem(atPath: errorFile) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: helper)
        process.arguments = ["probe-hdf5", file, "--name", displayPath]
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        do { try process.run() } catch {
            try? errors.close()
            throw ImportError(file: displayPath, "cannot start \(helper) to check the file: \(error)")
        }
        try? errors.close()
        let limit = timeLimit(bytes: bytes.count)
        if done.wait(timeout: .now() + limit) == .timedOut {
            kill(process.processIdentifier, SIGKILL)
            done.wait()
            process.waitUntilExit()
            process.terminationHandler = nil
            throw ImportError(
                file: displayPath,
                "libhdf5 did not finish reading the file within \(Int(limit)) s (checked in a separate process); "
                    + "the file is damaged")
        }
        // Foundation keeps a running Process alive until its exit is waited for.
        process.waitUntilExit()
        process.terminationHandler = nil
        let message = String(decoding: FileManager.default.contents(atPath: errorFile) ?? Data(), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        switch (process.terminationReason, process.terminationStatus) {
        case (.exit, 0): return
        case (.exit, 1) where !message.isEmpty: throw ImportError(file: displayPath, message)
        case (.uncaughtSignal, let number):
            throw ImportError(
                file: displayPath,
                "libhdf5 crashed reading the file (signal \(number), in a separate process that checks it); the file "
                    + "is damaged")
        default:
            throw ImportError(
                file: displayPath,
                "checking the file in a separate process failed (exit status \(process.terminationStatus))"
                    + (message.isEmpty ? "" : ": \(message.prefix(300))"))
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
