import Foundation
import Synchronization
import Testing
@testable import CNNCore

/// Model passes flush subnormal floats to zero on every thread they use, and leave the
/// calling thread's mode as they found it.
@Suite struct SubnormalFlushTests {
    /// 1e-20 × 1e-20 = 1e-40: below `Float.leastNormalMagnitude` (1.18e-38).
    static let tiny: Float = 1e-20

    @Test("around flushes inside and restores the thread's mode after")
    func aroundRestores() {
        #expect(!SubnormalFlush.isActive)
        #expect(product(Self.tiny, Self.tiny) > 0, "subnormals are kept outside")
        let inside = SubnormalFlush.around { (SubnormalFlush.isActive, product(Self.tiny, Self.tiny)) }
        #expect(inside.0)
        #expect(inside.1 == 0)
        SubnormalFlush.around { SubnormalFlush.around {} }
        #expect(!SubnormalFlush.isActive, "nested regions restore the outer mode")
    }

    @Test("Parallelism.run hands the caller's mode to every piece, on the team and on Dispatch")
    func runPropagatesTheMode() {
        let pieces = max(2, Parallelism.cores)
        for flushed in [true, false, true, false] {
            let active = Mutex([Bool](repeating: !flushed, count: pieces))
            let region = {
                Parallelism.run(pieces) { i in
                    let on = SubnormalFlush.isActive
                    active.withLock { $0[i] = on }
                }
            }
            if flushed { SubnormalFlush.around(region) } else { region() }
            #expect(active.withLock { $0 } == [Bool](repeating: flushed, count: pieces))
        }
        // A region inside a region finds the team busy and runs on Dispatch's threads.
        let nested = Mutex<[Bool]>([])
        SubnormalFlush.around {
            Parallelism.run(2) { _ in
                Parallelism.run(2) { _ in
                    let on = SubnormalFlush.isActive
                    nested.withLock { $0.append(on) }
                }
            }
        }
        #expect(nested.withLock { $0 } == [Bool](repeating: true, count: 4))
    }

    @Test("a model's forward and backward passes compute subnormal results as zero")
    func modelPassesFlush() throws {
        var model = Model(
            name: "t", inputShape: [1], layers: [Dense(name: "d", inputShape: [1], units: 1)], seed: 1)
        model.parameters.set("d/kernel", Tensor(shape: [1, 1], scalars: [Self.tiny]))
        model.parameters.set("d/bias", Tensor(shape: [1], scalars: [0]))
        let workspace = Workspace(model: model, capacity: 1)
        workspace.setInput(Tensor(shape: [1, 1], scalars: [Self.tiny]))
        model.forward(workspace, batch: 1)
        #expect(workspace.output(of: 0, batch: 1, shape: [1]).scalars == [0])
        workspace.setGradient(of: 0, Tensor(shape: [1, 1], scalars: [Self.tiny]))
        model.backward(workspace, batch: 1, from: 0)
        #expect(workspace.gradient(of: -1, batch: 1, shape: [1]).scalars == [0])
        #expect(!SubnormalFlush.isActive)
    }

    @inline(never)
    private func product(_ a: Float, _ b: Float) -> Float { a * b }
}
