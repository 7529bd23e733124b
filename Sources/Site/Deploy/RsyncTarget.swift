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
        var arguments = ["--archive", "--checksum", "--itemize-changes", "--omit-dir-times"]
        if dryRun { arguments.append("--dry-run") }
        // The marker that says vizsite wrote the folder is not part of the site.
        arguments.append("--exclude=/\(OutputFolder.markerName)")
        let site = deployer.site.hasSuffix("/") ? deployer.site : deployer.site + "/"
        // rsync targets are not atomic; the order keeps every published page whole. First
        // the figures and assets, which are named by their content (new names, so no page
        // yet uses them); then the pages, each put in place at the end of the transfer;
        // what the site no longer has is deleted last. A failure or Ctrl-C part way
        // leaves the old pages with every file they use.
        let assets = ["--include=/figures/***", "--include=/assets/***", "--exclude=*"]
        let first = try deployer.run("rsync", arguments + assets + ["--", site, destination], at: config.location)
        try check(first, destination)
        try deployer.checkInterrupted(at: config.location)
        // Protected files are neither deleted nor listed as removed.
        let pages = ["--delete-after", "--delay-updates"] + config.keep.map { "--filter=P /\($0)" }
        let second = try deployer.run("rsync", arguments + pages + ["--", site, destination], at: config.location)
        try check(second, destination)
        try deployer.checkInterrupted(at: config.location)
        let assetChanges = Self.changes(first.output), pageChanges = Self.changes(second.output)
        report.added = Array(Set(assetChanges.added + pageChanges.added)).sorted()
        report.changed = Array(Set(assetChanges.changed + pageChanges.changed)).sorted()
        report.removed = pageChanges.removed
        report.outcome = report.isEmpty ? "nothing changed" : ""
        return report
    }

    private func check(_ result: ExternalCommand.Result, _ destination: String) throws(SourceError) {
        guard result.succeeded else {
            throw SourceError("rsync to \(destination) failed: \(result.errorText)", at: config.location)
        }
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
