import Foundation

/// Directive results stored under `.vizsite/figures/<key>.json`, keyed by a SHA-256 of
/// everything that determines them.
struct FigureCache: Sendable {
    /// Bump when any directive's output changes for the same options.
    static let formatVersion = "figures-6"

    let directory: String

    func path(_ key: String) -> String { (directory as NSString).appendingPathComponent("\(key).json") }

    func load(_ key: String) -> Figure? {
        guard let data = FileManager.default.contents(atPath: path(key)) else { return nil }
        return try? JSONDecoder().decode(Figure.self, from: data)
    }

    /// Writes atomically (temporary file, then rename), so an interrupted build leaves no half entry.
    func store(_ figure: Figure, key: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(figure).write(to: URL(fileURLWithPath: path(key)), options: .atomic)
    }
}
