#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Paths as the file system resolves them: absolute, every symbolic link of the part that
/// exists followed, `.` and `..` gone. What a path *is* (the content folder, the project,
/// `/`) is decided on these, never on the text the user typed.
public enum ResolvedPath {
    /// `path` made absolute from the current folder, with its existing part resolved by
    /// `realpath(3)` and the part that does not exist yet appended as written (normalized).
    public static func of(_ path: String) -> String {
        let absolute = path.hasPrefix("/") ? path : currentDirectory() + "/" + path
        return resolve(absolute)
    }

    /// Whether `path` is `folder` or lies inside it; both are resolved first.
    public static func isInside(_ path: String, _ folder: String) -> Bool {
        contains(of(folder), of(path))
    }

    /// Whether resolved `path` is resolved `folder` or lies inside it.
    public static func contains(_ folder: String, _ path: String) -> Bool {
        folder == "/" || path == folder || path.hasPrefix(folder + "/")
    }

    /// The folder of an absolute or relative path, as text: `models/a.onnx` → `models`,
    /// `a.onnx` → `.`, `/a` → `/`. (Foundation's `deletingLastPathComponent` traps on some
    /// of these on Linux.)
    public static func parent(_ path: String) -> String {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/") else { return "." }
        if slash == trimmed.startIndex { return "/" }
        return String(trimmed[..<slash])
    }

    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return FileManager.default.currentDirectoryPath }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The longest existing prefix is resolved physically (symbolic links and `..` as the
    /// file system sees them); the rest is applied to it component by component.
    private static func resolve(_ absolute: String) -> String {
        if let real = realpath(absolute, nil) {
            defer { free(real) }
            return String(cString: real)
        }
        var trimmed = Substring(absolute)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        guard let slash = trimmed.lastIndex(of: "/"), trimmed != "/" else { return "/" }
        let name = trimmed[trimmed.index(after: slash)...]
        let base = resolve(slash == trimmed.startIndex ? "/" : String(trimmed[..<slash]))
        switch name {
        case "", ".": return base
        case "..": return parent(base)
        default: return base == "/" ? "/" + name : base + "/" + name
        }
    }
}
