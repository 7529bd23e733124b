import Foundation
import Synchronization
import Testing
@testable import CNNCore

@Suite struct WorkerTeamTests {
    @Test("every index runs exactly once, region after region, with or without sleeping helpers")
    func everyIndexOnce() {
        let team = WorkerTeam(helpers: 3, spinMicroseconds: 50)
        let counts = Mutex([0, 0, 0, 0])
        for region in 0..<2000 {
            let n = region % 4 + 1
            #expect(team.run(n) { i in counts.withLock { $0[i] += 1 } })
            if region % 500 == 0 { usleep(2000) }  // let the helpers fall asleep now and then
        }
        // Index i runs in every region with more than i indices: 2000 regions, n = 1...4 in turn.
        #expect(counts.withLock { $0 } == [2000, 1500, 1000, 500])
    }

    @Test("a region started inside a region, or while another thread's runs, is refused, not deadlocked")
    func busyTeamRefuses() {
        let team = WorkerTeam(helpers: 1)
        let nested = Atomic<Int>(0)
        #expect(
            team.run(2) { _ in
                if !team.run(2, { _ in }) { nested.add(1, ordering: .relaxed) }
            })
        #expect(nested.load(ordering: .relaxed) == 2)
        #expect(!team.run(3) { _ in }, "more indices than threads")
    }

    @Test("Parallelism.run from many threads at once runs every index once")
    func concurrentCallers() {
        let total = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<200 { Parallelism.run(2) { _ in total.add(1, ordering: .relaxed) } }
        }
        #expect(total.load(ordering: .relaxed) == 8 * 200 * 2)
    }
}
