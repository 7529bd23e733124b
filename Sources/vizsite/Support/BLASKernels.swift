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
    static func ensureFast() {
        let environment = ProcessInfo.processInfo.environment
        guard environment["OPENBLAS_CORETYPE"] == nil, environment["VIZSITE_BLAS_REEXEC"] == nil,
            let wanted = BLAS.preferredCoreType(current: BLAS.coreName, cpuFlags: BLAS.cpuFlags())
        else { return }
        setenv("OPENBLAS_CORETYPE", wanted, 1)
        setenv("VIZSITE_BLAS_REEXEC", "1", 1)
        let arguments = CommandLine.arguments.map { strdup($0) } + [nil]
        execv("/proc/self/exe", arguments)
        // Only reached if exec failed: carry on with the slow kernels, but say so.
        FileHandle.standardError.write(
            Data(
                "vizsite: warning: OpenBLAS runs its slow \(BLAS.coreName) kernels; set OPENBLAS_CORETYPE=\(wanted)\n"
                    .utf8))
    }
}
