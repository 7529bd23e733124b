import CNN
import Foundation

/// Makes sure OpenBLAS runs the fastest kernels this CPU supports.
///
/// Debian's OpenBLAS 0.3.21 does not recognize recent CPUs (Sapphire/Emerald Rapids)
/// and falls back to its SSE3 `Prescott` kernels, 4–5× slower. It reads
/// `OPENBLAS_CORETYPE` only while the library loads, before `main` runs, so when the
/// detected kernels are slower than the CPU allows, vizsite sets the variable and
/// re-executes itself once. A value the user set is respected.
enum BLASKernels {
    static let avx512Cores: Set = ["SkylakeX", "Cooperlake", "SapphireRapids"]
    static let avx2Cores: Set = ["Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids"]

    /// The core type to request, or nil when the detected one is already right.
    static func preferredCoreType(current: String, cpuFlags: Set<String>) -> String? {
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(cpuFlags.contains) {
            return avx512Cores.contains(current) ? nil : "SkylakeX"
        }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") {
            return avx2Cores.contains(current) ? nil : "Haswell"
        }
        return nil
    }

    static func cpuFlags() -> Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return [] }
        return Set(line.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
    }

    static func ensureFast() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil, environment["VIZSITE_BLAS_REEXEC"] == nil,
              let wanted = preferredCoreType(current: BLAS.coreName, cpuFlags: cpuFlags()) else { return }
        setenv("OPENBLAS_CORETYPE", wanted, 1)
        setenv("VIZSITE_BLAS_REEXEC", "1", 1)
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", arguments)
        // Only reached if exec failed: carry on with the slow kernels, but say so.
        FileHandle.standardError.write(Data("vizsite: warning: OpenBLAS runs its slow \(BLAS.coreName) kernels; set OPENBLAS_CORETYPE=\(wanted)\n".utf8))
    }
}
