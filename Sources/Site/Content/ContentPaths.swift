import Common
import Foundation

/// Paths that content names (images, weights, models), kept inside the content folder.
public struct ContentPaths: Sendable {
    /// The content folder as given (`Content`), used to print paths the user recognizes.
    public let root: String
    /// The content folder with symlinks resolved.
    let resolvedRoot: String

    public init(root: String) {
        self.root = root
        resolvedRoot = (URL(fileURLWithPath: root).resolvingSymlinksInPath().path as NSString).standardizingPath
    }

    /// How errors name a file inside the content folder.
    public func display(_ relative: String) -> String { (root as NSString).appendingPathComponent(relative) }

    /// The real path of `relative`, which must stay inside the content folder: no absolute
    /// path, no `..` that climbs out, no symlink that leads out. `location` is where the
    /// user wrote the path.
    public func resolve(_ relative: String, at location: SourceLocation) throws(SourceError) -> String {
        if relative.isEmpty {
            throw SourceError("expected a path relative to the content folder, found an empty string", at: location)
        }
        if relative.hasPrefix("/") || relative.hasPrefix("~") {
            throw SourceError(
                "absolute path '\(relative)' is not allowed; paths are relative to \(root)/", at: location)
        }
        if relative.contains("\0") || relative.contains("\\") {
            throw SourceError("path '\(relative)' contains a character paths may not contain", at: location)
        }
        var depth = 0
        for part in relative.split(separator: "/") {
            if part == ".." { depth -= 1 } else if part != "." { depth += 1 }
            if depth < 0 { throw SourceError("path '\(relative)' leaves the content folder \(root)/", at: location) }
        }
        let joined = (resolvedRoot as NSString).appendingPathComponent(relative)
        let real = (URL(fileURLWithPath: joined).resolvingSymlinksInPath().path as NSString).standardizingPath
        guard real == resolvedRoot || real.hasPrefix(resolvedRoot + "/") else {
            throw SourceError(
                "path '\(relative)' leads out of the content folder \(root)/ through a symbolic link", at: location)
        }
        return real
    }
}
