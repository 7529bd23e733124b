import Foundation

/// Workspaces kept for reuse across calls, keyed by the layer structure they were made
/// for and their capacity. Explanations run many small passes; allocating (and
/// page-faulting in) fresh buffers for each cost as much as the arithmetic.
public enum WorkspacePool {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var free: [String: [Workspace]] = [:]

    /// Runs `body` with a workspace for `model` of `capacity`, then returns it to the pool.
    public static func with<T, E: Error>(
        _ model: Model, capacity: Int, _ body: (Workspace) throws(E) -> T
    ) throws(E) -> T {
        try with(model, capacity: capacity, count: 1) { (w) throws(E) in try body(w[0]) }
    }

    /// Runs `body` with `count` workspaces (one per shard), then returns them to the pool.
    public static func with<T, E: Error>(
        _ model: Model, capacity: Int, count: Int, _ body: ([Workspace]) throws(E) -> T
    ) throws(E) -> T {
        let key = model.structureKey + "#\(capacity)"
        let workspaces = (0..<count).map { _ in
            lock.withLock { free[key]?.popLast() } ?? Workspace(model: model, capacity: capacity)
        }
        defer { lock.withLock { free[key, default: []].append(contentsOf: workspaces) } }
        return try body(workspaces)
    }
}

extension Model {
    /// Identifies the shapes of every buffer a workspace holds for this model.
    var structureKey: String {
        layers.indices.map { i in
            let layer = layers[i]
            return "\(layer.kind)\(inputs[i])\(layer.inputShapes)\(layer.outputShape)\(layer.scratchCount(batch: 1))"
        }.joined(separator: "|")
    }
}
