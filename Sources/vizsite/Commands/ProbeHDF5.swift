import ArgumentParser
import CNN
import Common
import Foundation

/// `vizsite probe-hdf5 FILE` (not listed in help): reads a Keras file in this process, under
/// memory and time limits, for `HDF5Guard` in the process that started it. Exit status 0:
/// the file reads; `HDF5Guard.unreadableStatus`: it does not (the reason on stderr); a
/// signal or any other status: libhdf5 crashed (or a sanitizer stopped it).
struct ProbeHDF5: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe-hdf5", abstract: "Read a Keras file in a child process (used by vizsite itself).",
        shouldDisplay: false)

    @Argument var file: String
    @Option var name: String?

    func run() throws {
        HDF5Guard.isChild = true
        let data = try ConfinedFile.read(file, inside: nil, limit: ONNXImporter.maximumFileSize)
        HDF5Guard.limitChild(bytes: data.count)
        do { _ = try KerasImporter.load(bytes: [UInt8](data), displayPath: name ?? file) } catch {
            FileHandle.standardError.write(Data(error.sourceError.message.utf8))
            Foundation.exit(HDF5Guard.unreadableStatus)
        }
    }
}
