import Synchronization

/// A value computed once, on first use, by whichever thread asks first; the others wait.
final class Lazy<Value: Sendable>: Sendable {
    private let stored = Mutex<Result<Value, any Error>?>(nil)
    private let make: @Sendable () throws -> Value

    init(_ make: @escaping @Sendable () throws -> Value) { self.make = make }

    func get() throws -> Value {
        try stored.withLock { stored in
            if let stored { return stored }
            let result = Result { try make() }
            stored = result
            return result
        }.get()
    }

    var isComputed: Bool { stored.withLock { $0 != nil } }
}
