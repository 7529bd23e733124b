import Foundation

/// Workspaces kept for reuse across calls, keyed by the layer structure they were made
/// for and their capacity. Explanations run many small passes; allocating (and
/// page-faulting in) fresh buffers for each cost as much as the arithmetic.
public enum WorkspacePool {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var free: [String: [Workspace]] = [:]
    /// Keys of `free`, least recently returned first, and the bytes their workspaces hold.
    nonisolated(unsafe) private static var recent: [String] = []
    nonisolated(unsafe) private static var heldBytes = 0

    /// The most the pool keeps between calls: a site with many imported models (a VGG's
    /// workspace is over 1 GB at 224 × 224) would otherwise keep every one it ever ran.
    /// Workspaces of the least recently used models are freed first.
    public static let byteLimit = 1 << 30

    /// Runs `body` with a workspace for `model` of `capacity`, then returns it to the pool.
    public static func with<T, E: Error>(
        _ model: Model, capacity: Int, _ body: (Workspace) throws(E) -> T
    ) throws(E) -> T {
        try with(model, capacity: capacity, count: 1) { (w) throws(E) in try body(w[0]) }
    }

    /// Runs `body` with `count` workspaces (one per shard), inference-only ones when
    /// `inferenceOnly`, then returns them to the pool.
    public static func with<T, E: Error>(
        _ model: Model, capacity: Int, count: Int, inferenceOnly: Bool = false, _ body: ([Workspace]) throws(E) -> T
    ) throws(E) -> T {
        let key = model.structureKey + "#\(capacity)" + (inferenceOnly ? "#inference" : "")
        let workspaces = (0..<count).map { _ in
            lock.withLock { () -> Workspace? in
                guard let workspace = free[key]?.popLast() else { return nil }
                heldBytes -= workspace.byteCount
                return workspace
            } ?? Workspace(model: model, capacity: capacity, inferenceOnly: inferenceOnly)
        }
        defer { lock.withLock { giveBack(workspaces, key: key) } }
        return try body(workspaces)
    }

    /// Keeps `workspaces` under `key`, then frees the least recently used others' until the
    /// pool is within `byteLimit` (the latest are kept even when they alone exceed it).
    private static func giveBack(_ workspaces: [Workspace], key: String) {
        free[key, default: []].append(contentsOf: workspaces)
        heldBytes += workspaces.reduce(0) { $0 + $1.byteCount }
        recent.removeAll { $0 == key }
        recent.append(key)
        while heldBytes > byteLimit, recent.count > 1 {
            let oldest = recent.removeFirst()
            heldBytes -= free.removeValue(forKey: oldest)?.reduce(0) { $0 + $1.byteCount } ?? 0
        }
    }

    /// The bytes the pool holds now.
    public static var bytesHeld: Int { lock.withLock { heldBytes } }
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
