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
