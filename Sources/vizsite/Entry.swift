import ArgumentParser
import Common

/// The `vizsite` command line.
struct VizSite: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vizsite",
        abstract: "Build a static tutorial website on how convolutional networks see.",
        version: VizsiteVersion.current,
        subcommands: [
            Build.self, Serve.self, Check.self, New.self, Init.self, Summary.self, Train.self, Evaluate.self,
            ExplainCommand.self, MetricsCommand.self, Bench.self, Deploy.self,
        ]
    )
}

@main
enum Entry {
    static func main() async {
        BLASKernels.ensureFast()
        do {
            var command = try VizSite.parseAsRoot()
            if var asynchronous = command as? any AsyncParsableCommand {
                try await asynchronous.run()
            } else {
                try command.run()
            }
        } catch {
            exitReporting(error)
        }
    }
}
