import ArgumentParser
import CNN
import Foundation

/// Prints an error compiler-style on standard error and exits with status 1.
func fail(_ error: any Error) -> Never {
    FileHandle.standardError.write(Data("\(error)\n".utf8))
    Foundation.exit(1)
}

/// Runs `body`, turning any error into a compiler-style message and exit status 1.
func reportingErrors<T>(_ body: () throws -> T) -> T {
    do { return try body() } catch { fail(error) }
}

/// Where a model spec's content lives: `Content/models/x.yml` → `Content/`.
func contentRoot(forSpec path: String) -> String {
    let modelsDir = (path as NSString).deletingLastPathComponent
    return ((modelsDir.isEmpty ? "." : modelsDir) as NSString).deletingLastPathComponent.nilIfEmpty ?? "."
}

/// The MNIST folder for a spec: `--data` if given, else `<content>/data/mnist`.
func dataDirectory(spec: String, override: String?) -> String {
    override ?? (contentRoot(forSpec: spec) as NSString).appendingPathComponent("data/mnist")
}

extension String {
    var nilIfEmpty: String? { isEmpty ? nil : self }
}
