// The register-blocked product both Winograd variants use for their per-element GEMMs:
// 6 rows of A times 16 (or 8) columns of B, A and B small enough to stay in L1.
// Private to CKernels (not in include/).

#ifndef VIZSITE_GEMM_6XN_H
#define VIZSITE_GEMM_6XN_H

#include <immintrin.h>
#include <string.h>

#define VZ_AVX2 __attribute__((target("avx2,fma")))

/// C[6][cols] = A[6][depth] . B[depth][cols] for `cols` 16 or 8 (row strides lda, ldb, ldc):
/// 12 (or 6) accumulators, B's row loaded once per depth step, A broadcast.
VZ_AVX2 static inline __attribute__((always_inline)) void gemm_6xn(int depth, const float *a, int lda,
                                                                  const float *b, int ldb, float *c, int ldc,
                                                                  const int wide) {
    __m256 c0[6], c1[6];
    for (int r = 0; r < 6; r++) { c0[r] = _mm256_setzero_ps(); c1[r] = _mm256_setzero_ps(); }
    for (int p = 0; p < depth; p++) {
        const __m256 b0 = _mm256_loadu_ps(b + (long)p * ldb);
        const __m256 b1 = wide ? _mm256_loadu_ps(b + (long)p * ldb + 8) : b0;
        for (int r = 0; r < 6; r++) {
            const __m256 x = _mm256_broadcast_ss(a + (long)r * lda + p);
            c0[r] = _mm256_fmadd_ps(x, b0, c0[r]);
            if (wide) c1[r] = _mm256_fmadd_ps(x, b1, c1[r]);
        }
    }
    for (int r = 0; r < 6; r++) {
        _mm256_storeu_ps(c + (long)r * ldc, c0[r]);
        if (wide) _mm256_storeu_ps(c + (long)r * ldc + 8, c1[r]);
    }
}

VZ_AVX2 static void gemm_6x16(int depth, const float *a, int lda, const float *b, int ldb, float *c, int ldc) {
    gemm_6xn(depth, a, lda, b, ldb, c, ldc, 1);
}

VZ_AVX2 static void gemm_6x8(int depth, const float *a, int lda, const float *b, int ldb, float *c, int ldc) {
    gemm_6xn(depth, a, lda, b, ldb, c, ldc, 0);
}

/// The per-element products of a Winograd block: `M[e] = V[e] . U[e]` for `elements`
/// planes, `V[e]` holding `n` tiles' rows of `c` values (`v_stride` floats per plane),
/// `U[e]` `c`x`k`, `M[e]` `k` values per tile (`m_stride` per plane). The micro-kernel works
/// on 6 rows at a time, so rows `n` up to the next multiple of 6 are zeroed first (they are
/// computed and never read; zeros keep them finite).
VZ_AVX2 static void block_products(int elements, int n, float *v, long v_stride, const float *u, int c, int k,
                                   float *m, long m_stride) {
    const int padded = (n + 5) / 6 * 6;
    for (int e = 0; e < elements; e++) memset(v + e * v_stride + (long)n * c, 0, sizeof(float) * (size_t)(padded - n) * c);
    for (int e = 0; e < elements; e++) {
        const float *ve = v + e * v_stride, *ue = u + (long)e * c * k;
        float *me = m + e * m_stride;
        int f = 0;
        for (; f + 16 <= k; f += 16)
            for (int row = 0; row < padded; row += 6)
                gemm_6x16(c, ve + (long)row * c, c, ue + f, k, me + (long)row * k + f, k);
        for (; f < k; f += 8)
            for (int row = 0; row < padded; row += 6)
                gemm_6x8(c, ve + (long)row * c, c, ue + f, k, me + (long)row * k + f, k);
    }
}

#endif
