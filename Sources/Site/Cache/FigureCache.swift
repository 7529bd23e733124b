import Foundation

/// Directive results stored under `.vizsite/figures/<key>.json`, keyed by a SHA-256 of
/// everything that determines them.
struct FigureCache: Sendable {
    /// Bump when any directive's output (HTML, pictures, JSON) changes for the same options.
    /// `FigureFormatVersionTests` hashes the code that draws figures (`Site/Directives`, `Site/Playground`,
    /// Render's SVG) and compares it with `reviewedDigest`: when they differ, bump this if
    /// the change can alter a figure, and record the new digest either way.
    static let formatVersion = "figures-34"
    static let reviewedDigest = "3ab338ed79274c3b67877c848933ffefe931a3f1b5752aedf254f56abaf86ebb"

    let directory: String

    func path(_ key: String) -> String { (directory as NSString).appendingPathComponent("\(key).json") }

    func load(_ key: String) -> Figure? {
        guard let data = FileManager.default.contents(atPath: path(key)) else { return nil }
        return try? JSONDecoder().decode(Figure.self, from: data)
    }

    /// Removes every entry whose key is not in `keys`; returns the files and bytes freed.
    func prune(keeping keys: Set<String>) -> CacheCollection {
        var freed = CacheCollection()
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names.sorted() where name.hasSuffix(".json") && !keys.contains(String(name.dropLast(5))) {
            freed.remove((directory as NSString).appendingPathComponent(name))
        }
        return freed
    }

    /// Writes atomically (temporary file, then rename), so an interrupted build leaves no half entry.
    func store(_ figure: Figure, key: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(figure).write(to: URL(fileURLWithPath: path(key)), options: .atomic)
    }
}

/// What `vizsite build --gc` removed from `.vizsite/`.
public struct CacheCollection: Sendable, Equatable {
    public var files = 0
    public var bytes = 0

    public init() {}

    mutating func remove(_ path: String) {
        let size = ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
        guard (try? FileManager.default.removeItem(atPath: path)) != nil else { return }
        files += 1
        bytes += size
    }

    static func + (a: CacheCollection, b: CacheCollection) -> CacheCollection {
        var sum = a
        sum.files += b.files
        sum.bytes += b.bytes
        return sum
    }
}
