import Foundation
import FuzzTargets

/// The libFuzzer entry point. One binary serves every target; `VIZSITE_FUZZ_TARGET`
/// names the one to run (Tools/fuzz.sh sets it).
private let target: @Sendable (Data) -> Void = {
    let name = ProcessInfo.processInfo.environment["VIZSITE_FUZZ_TARGET"] ?? ""
    guard let run = FuzzTargets.named(name) else {
        let names = FuzzTargets.all.map(\.name).joined(separator: ", ")
        FileHandle.standardError.write(Data("set VIZSITE_FUZZ_TARGET to one of: \(names)\n".utf8))
        exit(2)
    }
    return run
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ start: UnsafeRawPointer?, _ count: Int) -> CInt {
    target(start.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}
