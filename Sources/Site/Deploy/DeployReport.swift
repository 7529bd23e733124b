import Foundation

/// What a deploy changed (or, with `--dry-run`, would change) on its target.
public struct DeployReport: Sendable, Equatable {
    /// The target, as the summary names it (`git branch gh-pages of /path`, `rsync to host:/var/www/`).
    public var target: String
    public var added: [String] = []
    public var changed: [String] = []
    public var removed: [String] = []
    /// What was done beyond copying: the commit made and pushed, or why none was.
    public var outcome: String = ""

    public var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }

    /// The summary printed after a deploy: the counts, then up to `limit` paths of each kind.
    public func summary(dryRun: Bool, limit: Int = 20) -> String {
        var lines = [
            "\(dryRun ? "would deploy" : "deployed") to \(target): \(added.count) added, \(changed.count) changed, "
                + "\(removed.count) removed"
        ]
        for (mark, paths) in [("+", added), ("~", changed), ("-", removed)] {
            lines += paths.prefix(limit).map { "  \(mark) \($0)" }
            if paths.count > limit { lines.append("  \(mark) … and \(paths.count - limit) more") }
        }
        if !outcome.isEmpty { lines.append(outcome) }
        return lines.joined(separator: "\n")
    }
}
