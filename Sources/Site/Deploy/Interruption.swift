import Dispatch
import Glibc
import Foundation
import Synchronization

/// Ctrl-C and SIGTERM during a deploy. Each child (git, rsync) runs in a process group
/// of its own (`ChildProcess`), so the terminal's Ctrl-C reaches vizsite alone: a `git push`
/// left running would finish on its own after vizsite died, moving a branch nobody then
/// pushed on. While a deploy runs, both signals are caught, passed on to the running
/// child's whole group, and remembered; the deploy then stops at its next step, puts back
/// what it changed and removes its temporary files, as on any failure.
public final class Interruption: Sendable {
    public static let shared = Interruption()

    private struct State {
        var child: Int32?
        var signal: Int32?
        var sources: [any DispatchSourceSignal] = []
        var depth = 0
    }
    private let state = Mutex(State())

    /// The signal that arrived during the current deploy, if any.
    public var signal: Int32? { state.withLock { $0.signal } }

    /// Runs `body` with SIGINT and SIGTERM caught (nesting is allowed).
    public func catching<T>(_ body: () throws -> T) rethrows -> T {
        start()
        defer { stop() }
        return try body()
    }

    /// The child process now running (nil when it has ended): the one a signal goes to.
    func running(_ pid: Int32?) {
        let pending: Int32? = state.withLock { state in
            state.child = pid
            return pid != nil ? state.signal : nil
        }
        // A signal that came before the child started still stops it.
        if let pid, let pending { Self.send(pending, to: pid) }
    }

    private func start() {
        state.withLock { state in
            state.depth += 1
            guard state.depth == 1 else { return }
            state.signal = nil
            for number in [SIGINT, SIGTERM] {
                _ = Glibc.signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [weak self] in self?.received(number) }
                source.resume()
                state.sources.append(source)
            }
        }
    }

    private func stop() {
        state.withLock { state in
            state.depth -= 1
            guard state.depth == 0 else { return }
            for source in state.sources { source.cancel() }
            state.sources = []
            for number in [SIGINT, SIGTERM] { _ = Glibc.signal(number, SIG_DFL) }
        }
    }

    private func received(_ number: Int32) {
        let child: Int32? = state.withLock { state in
            if state.signal == nil { state.signal = number }
            return state.child
        }
        // The child's whole group: git's own children (ssh, pack-objects) stop too.
        if let child { Self.send(number, to: child) }
    }

    /// `number` to the group `pid` leads, or to `pid` alone when it leads none.
    private static func send(_ number: Int32, to pid: Int32) {
        if kill(-pid, number) != 0 { kill(pid, number) }
    }

    /// Temporary folders a deploy makes are named `<prefix><pid>-…`; those of a
    /// process that no longer runs (killed outright, SIGKILL, where nothing can clean up)
    /// are removed by the next deploy.
    static func removeStale(prefix: String) {
        let folder = FileManager.default.temporaryDirectory.path
        for name in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] where name.hasPrefix(prefix) {
            // Exactly `<prefix><pid>-<UUID>`, nothing else that happens to start the same.
            let parts = name.dropFirst(prefix.count).split(separator: "-", maxSplits: 1)
            guard parts.count == 2, UUID(uuidString: String(parts[1])) != nil, let pid = Int32(parts[0]) else {
                continue
            }
            if pid == getpid() || kill(pid, 0) == 0 { continue }
            try? FileManager.default.removeItem(atPath: (folder as NSString).appendingPathComponent(name))
        }
    }
}
