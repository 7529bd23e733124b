import CKernels
import Dispatch
import Foundation

/// How many worker threads the numerical code uses: one per core, or one inside
/// `Parallelism.serially` (work already split across the cores).
public enum Parallelism {
    /// The number of cores this process may use.
    public static let cores: Int = max(1, ProcessInfo.processInfo.activeProcessorCount)

    /// The thread count set by `serially` for the code running on this thread.
    @TaskLocal private static var limit: Int?

    /// The number of threads numerical code called from here should use.
    public static var workers: Int { limit ?? cores }

    /// Runs `body` with every layer, BLAS call and `run` it makes on the calling thread
    /// alone: for shards that already run side by side, one per core. (Two shards each
    /// asking both cores for every layer were measured 2.2× slower than one core alone.)
    public static func serially<R>(_ body: () throws -> R) rethrows -> R {
        try $limit.withValue(1) { try body() }
    }

    /// Helper threads for short regions (see `WorkerTeam`); none on one core, or with
    /// `VIZSITE_WORKER_TEAM=0` in the environment (for comparing).
    static let team: WorkerTeam? =
        cores > 1 && ProcessInfo.processInfo.environment["VIZSITE_WORKER_TEAM"] != "0"
        ? WorkerTeam(helpers: cores - 1) : nil

    /// Runs `body(i)` for `i` in `0..<count` on up to `count` threads and waits for all
    /// (in turn on this thread inside `serially`).
    public static func run(_ count: Int, _ body: @Sendable (Int) -> Void) {
        if count <= 1 { body(0); return }
        if limit == 1 {
            for i in 0..<count { body(i) }
            return
        }
        // Every piece computes in the caller's floating-point mode (see `SubnormalFlush`).
        let mode = vz_fp_mode()
        let piece: @Sendable (Int) -> Void = { i in
            let previous = vz_fp_mode()
            vz_set_fp_mode(mode)
            body(i)
            vz_set_fp_mode(previous)
        }
        if let team, team.run(count, piece) { return }
        DispatchQueue.concurrentPerform(iterations: count, execute: piece)
    }
}

/// A raw pointer that crosses into `Parallelism.run` closures. Each worker
/// touches a disjoint region, which is what makes sharing it safe.
@usableFromInline
struct SharedPointer: @unchecked Sendable {  // a raw pointer; workers write disjoint regions
    @usableFromInline let base: UnsafeMutablePointer<Float>
    @usableFromInline init(_ base: UnsafeMutablePointer<Float>) { self.base = base }
}

/// Splits `0..<total` into `parts` contiguous ranges of near-equal size.
public func splitRange(_ total: Int, parts: Int) -> [Range<Int>] {
    let parts = max(1, min(parts, total))
    return (0..<parts).map { p in (total * p / parts)..<(total * (p + 1) / parts) }
}
