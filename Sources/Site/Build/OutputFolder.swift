import Common
import Foundation

/// The output folder is only ever a folder vizsite generated: a build replaces it as a
/// whole, so it must never be the sources, the project or anything holding them. Like
/// Hugo's and Zola's, vizsite's output carries a marker file, and an existing folder
/// without one is not replaced.
enum OutputFolder {
    /// The file every built site carries; deploy leaves it out.
    static let markerName = ".vizsite-output"
    static let marker = Data(
        "This folder was written by `vizsite build`, which replaces it as a whole on every build.\n".utf8)

    /// Refuses an output that is empty, `/`, the home folder, the project or a git work
    /// tree's root (or holds one), that is, holds or lies inside the content or the theme,
    /// that holds the cache, or that exists and was not written by vizsite.
    static func check(_ options: BuildOptions) throws(SourceError) {
        let given = options.outputDirectory
        let place = SourceLocation(file: "--output", line: 0, column: 0)
        func refuse(_ why: String) -> SourceError {
            SourceError(
                "refusing to write the site to '\(given)': \(why); a build replaces its output folder as a whole, "
                    + "so give a folder of its own, such as Output", at: place)
        }
        guard !given.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw SourceError("--output is empty; name the folder the site is written to, such as Output", at: place)
        }
        let output = ResolvedPath.of(given)
        if output == "/" { throw refuse("it is the root folder") }
        if let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty,
            ResolvedPath.contains(output, ResolvedPath.of(home))
        {
            throw refuse(output == ResolvedPath.of(home) ? "it is the home folder" : "it holds the home folder")
        }
        let root = ResolvedPath.of(options.siteRoot)
        if ResolvedPath.contains(output, root) {
            throw refuse(output == root ? "it is the project's folder" : "it holds the project")
        }
        if let work = gitWorkTree(enclosing: root), ResolvedPath.contains(output, work) {
            throw refuse("it is or holds the git work tree \(work)")
        }
        for (name, folder) in [("content", options.contentDirectory), ("theme", options.themeDirectory)] {
            let source = ResolvedPath.of(folder)
            if ResolvedPath.contains(output, source) || ResolvedPath.contains(source, output) {
                throw refuse(
                    output == source
                        ? "it is the \(name) folder"
                        : ResolvedPath.contains(output, source)
                            ? "it holds the \(name) folder"
                            : "it lies inside the \(name) folder")
            }
        }
        if ResolvedPath.contains(output, ResolvedPath.of(options.resolvedCacheDirectory)) {
            throw refuse("it holds the cache folder .vizsite")
        }
        if FileManager.default.fileExists(atPath: output + "/.git") {
            throw refuse("it is the root of a git work tree")
        }
        try checkExisting(output, refuse: refuse)
    }

    /// An existing output must be a folder that is empty or that vizsite wrote.
    private static func checkExisting(_ output: String, refuse: (String) -> SourceError) throws(SourceError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) else { return }
        guard isDirectory.boolValue else { throw refuse("it exists and is not a folder") }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: output)) ?? []
        if names.isEmpty || names.contains(markerName) || wasBuiltByOlderVizsite(output) { return }
        throw refuse("the folder exists and vizsite did not write it (it has no \(markerName) file)")
    }

    /// Sites built before the marker existed: their home page names vizsite as its generator.
    private static func wasBuiltByOlderVizsite(_ output: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: output + "/index.html") else { return false }
        defer { try? handle.close() }
        let head = String(decoding: (try? handle.read(upToCount: 4096)) ?? Data(), as: UTF8.self)
        return head.contains("<meta name=\"generator\" content=\"vizsite")
    }

    /// The root of the git work tree `folder` lies in, if any (the nearest folder holding `.git`).
    static func gitWorkTree(enclosing folder: String) -> String? {
        var current = folder
        while true {
            if FileManager.default.fileExists(atPath: current + "/.git") { return current }
            if current == "/" { return nil }
            current = ResolvedPath.parent(current)
        }
    }
}
