import Foundation

/// A value computed once, on first use, by whichever thread asks first; the others wait.
final class Lazy<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Result<Value, any Error>?
    private let make: @Sendable () throws -> Value

    init(_ make: @escaping @Sendable () throws -> Value) { self.make = make }

    func get() throws -> Value {
        lock.lock()
        defer { lock.unlock() }
        if let stored { return try stored.get() }
        let result = Result { try make() }
        stored = result
        return try result.get()
    }

    var isComputed: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stored != nil
    }
}
