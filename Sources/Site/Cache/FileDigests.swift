import Common
import CNN
import Foundation

/// SHA-256 digests of large input files (the MNIST data, weights), remembered in
/// `.vizsite/digests.json` by path, size and modification time, so a rebuild with
/// nothing changed does not hash 50 MB again.
final class FileDigests: @unchecked Sendable {
    private struct Entry: Codable {
        let size: Int
        let modified: Double
        let digest: String
    }

    private let file: String
    private let lock = NSLock()
    private var entries: [String: Entry]
    private var dirty = false

    init(file: String) {
        self.file = file
        entries = FileManager.default.contents(atPath: file).flatMap { try? JSONDecoder().decode([String: Entry].self, from: $0) } ?? [:]
    }

    /// The digest of the file at `path`, from the table when its size and time match.
    func digest(_ path: String) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        lock.lock()
        if let entry = entries[path], entry.size == size, entry.modified == modified { lock.unlock(); return entry.digest }
        lock.unlock()
        let digest = SHA256.hash(FileManager.default.contents(atPath: path) ?? Data())
        lock.lock()
        entries[path] = Entry(size: size, modified: modified, digest: digest)
        dirty = true
        lock.unlock()
        return digest
    }

    /// Writes the table if it changed.
    func save() {
        lock.lock()
        defer { lock.unlock() }
        guard dirty else { return }
        try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try? encoder.encode(entries).write(to: URL(fileURLWithPath: file), options: .atomic)
        dirty = false
    }
}
