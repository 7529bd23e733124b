import Foundation
import Synchronization

/// `body(0) … body(count − 1)` computed on every core, in their order: for independent pieces
/// of a build (pages, parsed files) that each take long enough to be worth a thread.
public func parallelMap<T: Sendable>(_ count: Int, _ body: @Sendable (Int) -> T) -> [T] {
    guard count > 1 else { return (0..<count).map(body) }
    let results = Mutex<[T?]>(Array(repeating: nil, count: count))
    DispatchQueue.concurrentPerform(iterations: count) { i in
        let value = body(i)
        results.withLock { $0[i] = value }
    }
    return results.withLock { $0.map { $0! } }
}
