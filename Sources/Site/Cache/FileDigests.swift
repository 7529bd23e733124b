import Common
import CNN
import Foundation
import Synchronization

/// SHA-256 digests of large input files (the MNIST data, weights), remembered in
/// `.vizsite/digests.json` by path, size and modification time, so a rebuild with
/// nothing changed does not hash 50 MB again.
final class FileDigests: Sendable {
    private struct Entry: Codable {
        let size: Int
        let modified: Double
        let digest: String
    }

    private let file: String
    /// The table, and whether it changed since it was read.
    private let table: Mutex<(entries: [String: Entry], dirty: Bool)>

    init(file: String) {
        self.file = file
        let entries = FileManager.default.contents(atPath: file).flatMap {
            try? JSONDecoder().decode([String: Entry].self, from: $0)
        }
        table = Mutex((entries ?? [:], false))
    }

    /// The digest of the file at `path`, from the table when its size and time match.
    func digest(_ path: String) -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
        let modified = (attributes?[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        if let known = table.withLock({ $0.entries[path] }), known.size == size, known.modified == modified {
            return known.digest
        }
        let digest = SHA256.hash(FileManager.default.contents(atPath: path) ?? Data())
        table.withLock {
            $0.entries[path] = Entry(size: size, modified: modified, digest: digest)
            $0.dirty = true
        }
        return digest
    }

    /// Writes the table if it changed.
    func save() {
        table.withLock { table in
            guard table.dirty else { return }
            try? FileManager.default.createDirectory(
                atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            try? encoder.encode(table.entries).write(to: URL(fileURLWithPath: file), options: .atomic)
            table.dirty = false
        }
    }
}
