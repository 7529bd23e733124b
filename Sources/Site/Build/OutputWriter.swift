import CSystem
import Foundation

/// Writes a whole site into a temporary folder beside the output folder, then swaps it
/// in with one atomic rename, so readers — and an interrupted build — only ever see the
/// old complete site or the new complete site.
struct OutputWriter {
    let output: String
    let staging: String

    init(output: String) {
        let url = URL(fileURLWithPath: output).standardizedFileURL
        self.output = url.path
        staging =
            url.deletingLastPathComponent().appendingPathComponent(
                ".\(url.lastPathComponent).vizsite-staging-\(getpid())"
            ).path
    }

    /// Writes `files` (path relative to the site root → bytes) and swaps them in.
    /// Files whose names carry their content hash (`isContentAddressed`) and that the
    /// previous site already has are hard-linked from it instead of written again.
    func publish(_ files: [String: Data], isContentAddressed: (String) -> Bool = { _ in false }) throws {
        let fm = FileManager.default
        try? fm.removeItem(atPath: staging)
        try fm.createDirectory(atPath: staging, withIntermediateDirectories: true)
        do {
            var directories: Set<String> = [staging]
            for (relative, data) in files.sorted(by: { $0.key < $1.key }) {
                let path = (staging as NSString).appendingPathComponent(relative)
                let directory = (path as NSString).deletingLastPathComponent
                if !directories.contains(directory) {
                    try fm.createDirectory(atPath: directory, withIntermediateDirectories: true)
                    directories.insert(directory)
                }
                if isContentAddressed(relative) {
                    let old = (output as NSString).appendingPathComponent(relative)
                    if let size = (try? fm.attributesOfItem(atPath: old))?[.size] as? NSNumber,
                        size.intValue == data.count,
                        link(old, path) == 0
                    {
                        continue
                    }
                }
                guard fm.createFile(atPath: path, contents: data) else {
                    throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
                }
            }
            try swapIn()
        } catch {
            try? fm.removeItem(atPath: staging)
            throw error
        }
    }

    private func swapIn() throws {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        if fm.fileExists(atPath: output, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else {
                throw CocoaError(
                    .fileWriteFileExists,
                    userInfo: [
                        NSFilePathErrorKey: output, NSLocalizedDescriptionKey: "\(output) exists and is not a folder",
                    ])
            }
            if vizsite_exchange_paths(staging, output) == 0 {
                try fm.removeItem(atPath: staging)  // now the old site
                return
            }
            // No atomic exchange on this file system: the shortest safe sequence instead.
            let old = staging + "-old"
            try fm.moveItem(atPath: output, toPath: old)
            try fm.moveItem(atPath: staging, toPath: output)
            try? fm.removeItem(atPath: old)
        } else {
            try fm.createDirectory(
                atPath: (output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try fm.moveItem(atPath: staging, toPath: output)
        }
    }

    /// Staging folders left by builds that were killed (any process id).
    static func removeStaleStaging(beside output: String) {
        let url = URL(fileURLWithPath: output).standardizedFileURL
        let parent = url.deletingLastPathComponent().path
        let prefix = ".\(url.lastPathComponent).vizsite-staging-"
        for name in (try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? [] where name.hasPrefix(prefix) {
            let pidText = name.dropFirst(prefix.count).prefix { $0.isNumber }
            if let pid = Int32(pidText), pid != getpid(), kill(pid, 0) == 0 { continue }  // another live build
            try? FileManager.default.removeItem(atPath: (parent as NSString).appendingPathComponent(name))
        }
    }
}
