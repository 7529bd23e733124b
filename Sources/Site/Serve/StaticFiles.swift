import Foundation

/// Maps request paths to files inside one folder, refusing anything that could reach
/// outside it: `..` segments (plain or percent-encoded), encoded slashes or backslashes,
/// NUL bytes, and symlinks that lead out.
public struct StaticFiles: Sendable {
    public let root: String
    private let resolvedRoot: String

    public init(root: String) {
        self.root = root
        resolvedRoot = URL(fileURLWithPath: root).resolvingSymlinksInPath().standardizedFileURL.path
    }

    /// The file for a raw (still percent-encoded) request path, or nil for 404.
    public func file(forRawPath raw: String) -> String? {
        let pathPart =
            raw.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard pathPart.hasPrefix("/"), !pathPart.contains("\\") else { return nil }
        let lowered = pathPart.lowercased()
        // An encoded slash, backslash or NUL has no business in a static site's URL.
        if lowered.contains("%2f") || lowered.contains("%5c") || lowered.contains("%00") { return nil }
        guard let decoded = pathPart.removingPercentEncoding, !decoded.contains("\0"), !decoded.contains("\\") else {
            return nil
        }
        var parts: [Substring] = []
        for segment in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            if segment == ".." || segment == "." { return nil }
            if segment.hasPrefix(".") { return nil }  // hidden files are never part of a site
            parts.append(segment)
        }
        var path = (resolvedRoot as NSString).appendingPathComponent(parts.joined(separator: "/"))
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return nil }
        if isDirectory.boolValue {
            path = (path as NSString).appendingPathComponent("index.html")
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                return nil
            }
        }
        let real = URL(fileURLWithPath: path).resolvingSymlinksInPath().standardizedFileURL.path
        guard real.hasPrefix(resolvedRoot + "/") else { return nil }
        return real
    }

    /// Whether a directory was asked for without its trailing slash (`/filters`), which
    /// must redirect so the page's relative links resolve.
    public func needsSlash(rawPath raw: String) -> Bool {
        let pathPart =
            raw.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
        guard !pathPart.hasSuffix("/"), let file = file(forRawPath: pathPart) else { return false }
        return file.hasSuffix("/index.html") && !pathPart.hasSuffix("index.html")
    }

    public static func contentType(for path: String) -> String {
        switch path.fileExtension.lowercased() {
        case "html": return "text/html; charset=utf-8"
        case "css": return "text/css; charset=utf-8"
        case "js": return "text/javascript; charset=utf-8"
        case "json": return "application/json"
        case "svg": return "image/svg+xml"
        case "png": return "image/png"
        case "jpg", "jpeg": return "image/jpeg"
        case "gif": return "image/gif"
        case "webp": return "image/webp"
        case "xml": return "application/xml"
        case "txt": return "text/plain; charset=utf-8"
        default: return "application/octet-stream"
        }
    }
}
