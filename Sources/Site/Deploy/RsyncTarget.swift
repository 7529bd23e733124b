import Common
import Foundation

/// Publishes the site to a folder with rsync: a local path, or `host:path` through the
/// user's ssh. Files are compared by content, so a rebuilt but unchanged file is not sent.
struct RsyncTarget {
    let config: DeployConfig.Rsync
    let deployer: Deployer

    func deploy(dryRun: Bool) throws(SourceError) -> DeployReport {
        var destination = deployer.resolve(config.destination)
        if !destination.hasSuffix("/") { destination += "/" }
        var report = DeployReport(target: "\(destination) (rsync)")
        var arguments = ["--archive", "--delete", "--checksum", "--itemize-changes", "--omit-dir-times"]
        if dryRun { arguments.append("--dry-run") }
        // Protected files are neither deleted nor listed as removed.
        arguments += config.keep.map { "--filter=P /\($0)" }
        // The marker that says vizsite wrote the folder is not part of the site.
        arguments.append("--exclude=/\(OutputFolder.markerName)")
        let site = deployer.site.hasSuffix("/") ? deployer.site : deployer.site + "/"
        let result = try deployer.run("rsync", arguments + ["--", site, destination], at: config.location)
        guard result.succeeded else {
            throw SourceError("rsync to \(destination) failed: \(result.errorText)", at: config.location)
        }
        (report.added, report.changed, report.removed) = Self.changes(result.output)
        report.outcome = report.isEmpty ? "nothing changed" : ""
        return report
    }

    /// Files added, changed and removed, from rsync's `--itemize-changes` lines
    /// (`>f+++++++++ a.html`, `>fc.t...... b.html`, `*deleting   c.html`); folders are left out.
    static func changes(_ output: String) -> (added: [String], changed: [String], removed: [String]) {
        var added: [String] = [], changed: [String] = [], removed: [String] = []
        for line in output.split(separator: "\n") {
            if line.hasPrefix("*deleting ") {
                let path = line.dropFirst("*deleting ".count).trimmingCharacters(in: .whitespaces)
                if !path.hasSuffix("/") { removed.append(path) }
                continue
            }
            guard line.count > 12, let space = line.firstIndex(of: " ") else { continue }
            let flags = line[..<space], path = String(line[line.index(after: space)...])
            let chars = Array(flags)
            guard chars.count >= 2, "<>c".contains(chars[0]), chars[1] == "f" else { continue }
            if flags.dropFirst(2).allSatisfy({ $0 == "+" }) { added.append(path) } else { changed.append(path) }
        }
        return (added.sorted(), changed.sorted(), removed.sorted())
    }
}
