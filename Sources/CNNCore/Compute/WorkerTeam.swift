import Foundation
import Synchronization

/// Helper threads that start a parallel region in about a microsecond.
///
/// One image's forward pass is a handful of regions of 20–300 µs each (a convolution
/// split by rows, a matrix-vector product split by columns). Waking Dispatch's workers
/// for each costs tens of microseconds, a large share of the whole. A team's helpers
/// spin for a while after each region, so the next one starts at once, and then sleep
/// on a condition variable, so an idle program uses no CPU.
///
/// One region runs at a time: a caller that finds the team busy (another thread's
/// region, or a region nested in a region) gets `false` and runs the work elsewhere.
final class WorkerTeam: @unchecked Sendable {  // pthread mutex/condition pointers; `job` is published by the atomics
    /// Threads besides the caller's.
    let helpers: Int
    /// How long an idle helper spins before it sleeps.
    private let spinNanoseconds: UInt64

    private let generation = Atomic<Int>(0)
    private let remaining = Atomic<Int>(0)
    private let busy = Atomic<Bool>(false)
    private let sleepers = Atomic<Int>(0)
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    private let callerSleeping = Atomic<Bool>(false)
    private let done = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)
    /// The region's work and size; written before `generation` is released, read after
    /// it is acquired.
    private var job: ((Int) -> Void)?
    private var count = 0

    init(helpers: Int, spinMicroseconds: UInt64 = 300) {
        self.helpers = helpers
        spinNanoseconds = spinMicroseconds * 1000
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
        pthread_cond_init(done, nil)
        for index in 0..<helpers {
            let thread = Thread { self.helperLoop(index: index + 1) }
            thread.name = "vizsite-worker-\(index + 1)"
            thread.start()
        }
    }

    // The team lives as long as the process (`Parallelism.team`), so there is no teardown.

    /// Runs `body(i)` for every `i` in `0..<count`, index 0 on the calling thread, and
    /// returns true; or returns false at once, running nothing, when the team is busy or
    /// too small for `count`.
    func run(_ count: Int, _ body: (Int) -> Void) -> Bool {
        guard count <= helpers + 1, busy.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged
        else {
            return false
        }
        withoutActuallyEscaping(body) { body in
            job = body
            self.count = count
            remaining.store(helpers, ordering: .relaxed)
            generation.add(1, ordering: .sequentiallyConsistent)
            if sleepers.load(ordering: .sequentiallyConsistent) > 0 {
                pthread_mutex_lock(mutex)
                pthread_cond_broadcast(condition)
                pthread_mutex_unlock(mutex)
            }
            body(0)
            waitForHelpers()
            job = nil
        }
        busy.store(false, ordering: .releasing)
        return true
    }

    /// Spins (yielding, so that a helper waiting for this core gets it) until every helper
    /// is done, and sleeps if that takes longer than the spin budget.
    private func waitForHelpers() {
        let start = DispatchTime.now().uptimeNanoseconds
        var spins = 0
        while remaining.load(ordering: .acquiring) > 0 {
            spins += 1
            guard spins > 64 else { continue }
            sched_yield()
            if spins & 15 == 0 && DispatchTime.now().uptimeNanoseconds - start > spinNanoseconds {
                pthread_mutex_lock(mutex)
                callerSleeping.store(true, ordering: .sequentiallyConsistent)
                while remaining.load(ordering: .sequentiallyConsistent) > 0 { pthread_cond_wait(done, mutex) }
                callerSleeping.store(false, ordering: .relaxed)
                pthread_mutex_unlock(mutex)
                return
            }
        }
    }

    private func helperLoop(index: Int) {
        var seen = 0
        while true {
            seen = waitForGeneration(after: seen)
            if index < count, let job { job(index) }
            let left = remaining.subtract(1, ordering: .sequentiallyConsistent).newValue
            if left == 0 && callerSleeping.load(ordering: .sequentiallyConsistent) {
                pthread_mutex_lock(mutex)
                pthread_cond_signal(done)
                pthread_mutex_unlock(mutex)
            }
        }
    }

    /// Spins until the generation moves past `seen`, sleeping once the spin budget is spent.
    private func waitForGeneration(after seen: Int) -> Int {
        let start = DispatchTime.now().uptimeNanoseconds
        var spins = 0
        while true {
            let current = generation.load(ordering: .acquiring)
            if current != seen { return current }
            spins += 1
            if spins > 64 {
                sched_yield()
                if spins & 15 == 0 && DispatchTime.now().uptimeNanoseconds - start > spinNanoseconds { break }
            }
        }
        pthread_mutex_lock(mutex)
        sleepers.add(1, ordering: .sequentiallyConsistent)
        var current = generation.load(ordering: .sequentiallyConsistent)
        while current == seen {
            pthread_cond_wait(condition, mutex)
            current = generation.load(ordering: .sequentiallyConsistent)
        }
        sleepers.subtract(1, ordering: .sequentiallyConsistent)
        pthread_mutex_unlock(mutex)
        return current
    }
}
