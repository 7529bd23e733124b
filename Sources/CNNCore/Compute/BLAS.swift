import CBLAS
import Foundation

/// The BLAS library in use (OpenBLAS) and a row-major GEMM that can split its work
/// across threads.
///
/// vizsite keeps OpenBLAS itself single-threaded and parallelizes above it: training
/// runs one batch shard per core, and single-image work splits each GEMM by rows.
/// That keeps both cores busy on the small, skinny matrices of a CNN, where OpenBLAS's
/// own threading gains little.
public enum BLAS {
    /// The kernel family OpenBLAS chose at load time (for example `Haswell`, `SkylakeX`,
    /// `Zen`, or the slow fallback `Prescott`).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The OpenBLAS core type to request for a CPU with `cpuFlags` (from /proc/cpuinfo)
    /// when OpenBLAS detected `current`; nil when `current` already uses the CPU's widest
    /// vector units. OpenBLAS's Haswell kernels are its AVX2 + FMA kernels (Zen uses them too).
    public static func preferredCoreType(current: String, cpuFlags: Set<String>) -> String? {
        let avx512Cores: Set = ["SkylakeX", "Cooperlake", "SapphireRapids"]
        let avx2Cores = avx512Cores.union(["Haswell", "Zen"])
        if ["avx512f", "avx512bw", "avx512vl", "avx512dq"].allSatisfy(cpuFlags.contains) {
            return avx512Cores.contains(current) ? nil : "SkylakeX"
        }
        if cpuFlags.contains("avx2") && cpuFlags.contains("fma") {
            return avx2Cores.contains(current) ? nil : "Haswell"
        }
        return nil
    }

    /// The CPU's feature flags, from /proc/cpuinfo (empty where there is none).
    public static func cpuFlags() -> Set<String> {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let line = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return [] }
        return Set(line.split(separator: ":").last?.split(separator: " ").map(String.init) ?? [])
    }

    /// Sets OpenBLAS to one thread, once per process, before the first GEMM.
    static let singleThreaded: Void = { openblas_set_num_threads(1) }()

    /// `C = alpha · op(A) · op(B) + beta · C`, row-major, with `op(A)` of shape M×K and
    /// `op(B)` K×N. With `threads > 1` the rows of C (or, for a single row, its
    /// columns) are split across threads; each part is an independent GEMM.
    @inline(__always)
    static func gemm(
        transA: Bool = false, transB: Bool = false,
        m: Int, n: Int, k: Int,
        alpha: Float = 1,
        a: UnsafePointer<Float>, lda: Int,
        b: UnsafePointer<Float>, ldb: Int,
        beta: Float,
        c: UnsafeMutablePointer<Float>, ldc: Int,
        threads: Int = 1
    ) {
        _ = singleThreaded
        if m == 0 || n == 0 { return }
        if m == 1 && !transA {
            gemv(transB: transB, n: n, k: k, alpha: alpha, a: a, b: b, ldb: ldb, beta: beta, c: c, threads: threads)
            return
        }
        let work = m * n * k
        if threads <= 1 || work < 200_000 {
            sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
            return
        }
        let a = SharedPointer(UnsafeMutablePointer(mutating: a))
        let b = SharedPointer(UnsafeMutablePointer(mutating: b))
        let c = SharedPointer(c)
        if m >= 2 * threads && !splitsColumns(m: m, n: n) {
            let parts = splitRange(m, parts: threads)
            Parallelism.run(parts.count) { p in
                let rows = parts[p]
                // Row r of op(A) is row r of A, or column r of A when transposed.
                let aPart = transA ? a.base + rows.lowerBound : a.base + rows.lowerBound * lda
                sgemm(
                    transA, transB, rows.count, n, k, alpha, aPart, lda, b.base, ldb, beta,
                    c.base + rows.lowerBound * ldc, ldc)
            }
        } else {
            let parts = splitRange(n, parts: threads)
            Parallelism.run(parts.count) { p in
                let cols = parts[p]
                let bPart = transB ? b.base + cols.lowerBound * ldb : b.base + cols.lowerBound
                sgemm(
                    transA, transB, m, cols.count, k, alpha, a.base, lda, bPart, ldb, beta,
                    c.base + cols.lowerBound, ldc)
            }
        }
    }

    /// Whether a threaded GEMM of `m` rows and `n` columns splits its columns although it has
    /// rows enough: rows split the work unless B outweighs A several times over, when every
    /// thread would read all of B (a 7×7×512 layer's 9.4 MB of weights for 49 rows);
    /// splitting its columns lets each read its share.
    static func splitsColumns(m: Int, n: Int) -> Bool { n >= 4 * m }

    /// The one-row case `c = alpha · a · op(B) + beta · c` as a matrix-vector product:
    /// GEMM would pack all of B for a single row, GEMV streams it once. Threads split
    /// the columns of c.
    private static func gemv(
        transB: Bool, n: Int, k: Int, alpha: Float, a: UnsafePointer<Float>,
        b: UnsafePointer<Float>, ldb: Int, beta: Float, c: UnsafeMutablePointer<Float>, threads: Int
    ) {
        let a = SharedPointer(UnsafeMutablePointer(mutating: a)), b = SharedPointer(UnsafeMutablePointer(mutating: b))
        if !transB && threads > 1 && n * k >= 200_000 {
            // c = aᵀB with B k×n: each thread streams a contiguous band of B's rows into a
            // partial sum (measured faster than strided column halves), then the parts add up.
            let parts = splitRange(k, parts: threads)
            let partial = UnsafeMutablePointer<Float>.allocate(capacity: parts.count * n)
            defer { partial.deallocate() }
            let sums = SharedPointer(partial)
            Parallelism.run(parts.count) { p in
                let rows = parts[p]
                cblas_sgemv(
                    CblasRowMajor, CblasTrans, blasint(rows.count), blasint(n), alpha,
                    b.base + rows.lowerBound * ldb, blasint(ldb), a.base + rows.lowerBound, 1, 0, sums.base + p * n, 1)
            }
            for j in 0..<n {
                var v = beta == 0 ? 0 : beta * c[j]
                for p in 0..<parts.count { v += partial[p * n + j] }
                c[j] = v
            }
            return
        }
        let parts = splitRange(n, parts: threads > 1 && n * k >= 200_000 ? threads : 1)
        let c = SharedPointer(c)
        Parallelism.run(parts.count) { p in
            let cols = parts[p]
            if transB {
                // op(B) = Bᵀ with B n×k: c = B a.
                cblas_sgemv(
                    CblasRowMajor, CblasNoTrans, blasint(cols.count), blasint(k), alpha,
                    b.base + cols.lowerBound * ldb, blasint(ldb), a.base, 1, beta, c.base + cols.lowerBound, 1)
            } else {
                // B is k×n: c = Bᵀ a over the chosen columns.
                cblas_sgemv(
                    CblasRowMajor, CblasTrans, blasint(k), blasint(cols.count), alpha,
                    b.base + cols.lowerBound, blasint(ldb), a.base, 1, beta, c.base + cols.lowerBound, 1)
            }
        }
    }

    @inline(__always)
    private static func sgemm(
        _ transA: Bool, _ transB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float,
        _ a: UnsafePointer<Float>, _ lda: Int, _ b: UnsafePointer<Float>, _ ldb: Int,
        _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int
    ) {
        cblas_sgemm(
            CblasRowMajor, transA ? CblasTrans : CblasNoTrans, transB ? CblasTrans : CblasNoTrans,
            blasint(m), blasint(n), blasint(k), alpha, a, blasint(lda), b, blasint(ldb),
            beta, c, blasint(ldc))
    }
}
