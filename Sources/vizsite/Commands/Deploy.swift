import ArgumentParser
import Common
import Foundation
import Site

struct Deploy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Publish the built site to the targets of site.yml's deploy section (a git branch, an rsync folder).")

    @Option(help: "The content folder (its site.yml names the targets).")
    var content = "Content"

    @Option(help: "The built site to publish.")
    var output = "Output"

    @Flag(name: .customLong("dry-run"), help: "Show what would be added, changed and removed, and change nothing.")
    var dryRun = false

    @Option(help: "Deploy to one target only: git or rsync.")
    var to: String?

    func run() throws {
        let file = (content as NSString).appendingPathComponent("site.yml")
        let config = try SiteConfig.parse(
            try SourceText.read(path: file, displayPath: file, inside: content), file: file)
        guard let deploy = config.deploy else {
            throw SourceError(
                "site.yml has no deploy section; add one naming a git branch or an rsync folder (see README, "
                    + "\"Publishing\")", at: SourceLocation(file: file, line: 1, column: 1))
        }
        if let to, !["git", "rsync"].contains(to) {
            throw ValidationError("--to is git or rsync, not '\(to)'")
        }
        let root = (URL(fileURLWithPath: content).standardizedFileURL.path as NSString).deletingLastPathComponent
        let theme = ((root.isEmpty ? "." : root) as NSString).appendingPathComponent("Theme")
        if let (path, modified) = Deployer.newerSource(than: output, sources: [content, theme]) {
            let time = DateFormatter.localizedString(from: modified, dateStyle: .none, timeStyle: .short)
            FileHandle.standardError.write(
                Data(
                    ("\(path): warning: changed at \(time), after \(output)/ was built: this deploy publishes the "
                        + "site without that edit; run `vizsite build` first\n").utf8))
        }
        var deployer = Deployer(config: deploy, site: output, siteRoot: root.isEmpty ? "." : root)
        deployer.siteTitle = config.title
        for report in try deployer.deploy(dryRun: dryRun, only: to) {
            print(report.summary(dryRun: dryRun))
        }
    }
}
