// The register-blocked product both Winograd variants use for their per-element GEMMs:
// 6 rows of A times 16 (or 8) columns of B, A and B small enough to stay in L1.
// Private to CKernels (not in include/).

#ifndef VIZSITE_GEMM_6XN_H
#define VIZSITE_GEMM_6XN_H

#include <immintrin.h>

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

#endif
