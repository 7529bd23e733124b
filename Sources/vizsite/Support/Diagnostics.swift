import ArgumentParser
import CNN
import Common
import Site
import Foundation

/// The one place errors leave the program: vizsite's own (`SourceError` and the types
/// that convert to it, `BuildErrors`) print compiler-style on standard error with exit
/// status 1; the argument parser's own (usage, `--help`, `--version`) print as it prints them.
func exitReporting(_ error: any Error) -> Never {
    switch error {
    case let errors as BuildErrors:
        FileHandle.standardError.write(Data("\(errors)\n".utf8))
    case let error as any SourceErrorConvertible:
        FileHandle.standardError.write(Data("\(error.sourceError)\n".utf8))
    default:
        VizSite.exit(withError: error)
    }
    Foundation.exit(1)
}

/// Where a model spec's content lives: `Content/models/x.yml` → `Content`, and from inside
/// `Content/models/`, `x.yml` → `..`.
func contentRoot(forSpec path: String) -> String {
    let models = ResolvedPath.parent(path)
    if models == "." { return ".." }
    if models.split(separator: "/").allSatisfy({ $0 == ".." }) { return models + "/.." }
    return ResolvedPath.parent(models)
}

/// The MNIST folder for a model: `--data` if given, else `<content>/data/mnist` beside the
/// model's folder, else `Content/data/mnist` of the current folder (for a model file kept
/// elsewhere, a download or an export).
func dataDirectory(spec: String, override: String?) -> String {
    if let override { return override }
    let beside = (contentRoot(forSpec: spec) as NSString).appendingPathComponent("data/mnist")
    if FileManager.default.fileExists(atPath: beside) || !FileManager.default.fileExists(atPath: "Content/data/mnist") {
        return beside
    }
    return "Content/data/mnist"
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}

/// A file a command will write (`--json`, `--out`, `--svg`), checked before any work is
/// done: its folder must exist, so a typo does not cost a long computation and end in an
/// operating system error.
func checkWritable(_ path: String?, option: String) throws {
    guard let path else { return }
    guard !path.isEmpty else { throw ValidationError("\(option) is empty; name the file to write") }
    let folder = ResolvedPath.parent(path)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw ValidationError("\(option) \(path): the folder \(folder) does not exist")
    }
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
        throw ValidationError("\(option) \(path) is a folder; name a file")
    }
}

/// Writes `data` to `path`, an error naming the file and the reason when it cannot.
func write(_ data: Data, to path: String) throws {
    do { try data.write(to: URL(fileURLWithPath: path), options: .atomic) } catch {
        let reason =
            ((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError).map {
                String(cString: strerror(Int32($0.code)))
            } ?? error.localizedDescription
        throw SourceError("cannot write the file: \(reason)", at: SourceLocation(file: path, line: 0, column: 0))
    }
}
