import Foundation

/// Notices changes in folders by comparing a signature of every file's path, size and
/// modification time — portable, and cheap for a site's few hundred files.
struct ChangeWatcher {
    let folders: [String]
    private var last: [String: String] = [:]

    init(folders: [String]) {
        self.folders = folders
        last = signature()
    }

    /// True when anything was added, removed or modified since the last call.
    mutating func changed() -> Bool {
        let now = signature()
        defer { last = now }
        return now != last
    }

    private func signature() -> [String: String] {
        var result: [String: String] = [:]
        let fm = FileManager.default
        for folder in folders {
            guard let enumerator = fm.enumerator(atPath: folder) else { continue }
            while let name = enumerator.nextObject() as? String {
                if name.hasPrefix(".") || name.contains("/.") { continue }
                let path = (folder as NSString).appendingPathComponent(name)
                guard let attributes = try? fm.attributesOfItem(atPath: path) else { continue }
                let date = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
                result[path] = "\(attributes[.size] ?? 0)-\(date)"
            }
        }
        return result
    }
}
