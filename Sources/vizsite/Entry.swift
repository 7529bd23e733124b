import ArgumentParser
import CNN
import Common
import Foundation

/// The `vizsite` command line.
struct VizSite: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vizsite",
        abstract: "Build a static tutorial website on how convolutional networks see.",
        version: VizsiteVersion.current,
        subcommands: [
            Build.self, Serve.self, Check.self, New.self, Init.self, Summary.self, Train.self, Evaluate.self,
            ExplainCommand.self, MetricsCommand.self, Bench.self, Deploy.self, ProbeHDF5.self,
        ]
    )
}

@main
enum Entry {
    static func main() async {
        BLASKernels.ensureFast()
        // Keras files are read by libhdf5 in a child process first: this program itself.
        HDF5Guard.helper = ownExecutable()
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

/// This program's own file, for the children it starts.
func ownExecutable() -> String? {
    guard let path = realpath("/proc/self/exe", nil) else { return nil }
    defer { free(path) }
    return String(cString: path)
}
