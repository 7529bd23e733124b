// One sample through a dense layer, skipping zero inputs. After ReLU and max pooling,
// 80-88% of the reference model's 9,216 dense inputs are zero for MNIST digits, so
// reading only the weight rows of the non-zero inputs reads a fifth of the 4.7 MB of
// weights a GEMV would.

#include "CKernels.h"

#include <string.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define VZ_AVX2 __attribute__((target("avx2,fma")))

VZ_AVX2 void vz_dense_sparse_input(const float *x, long row_begin, long row_end, const float *w, int units,
                                   float *out, int *indices) {
    // The non-zero inputs' rows, listed without branches (their pattern is unpredictable).
    long n = 0;
    for (long i = row_begin; i < row_end; i++) {
        indices[n] = (int)i;
        n += x[i] != 0.0f;
    }
    for (int col = 0; col < units; col += 64) {
        const int blocks = units - col >= 64 ? 8 : (units - col) / 8;
        __m256 acc[8];
        for (int j = 0; j < 8; j++) acc[j] = _mm256_setzero_ps();
        if (blocks == 8) {
            for (long t = 0; t < n; t++) {
                const long i = indices[t];
                const __m256 a = _mm256_broadcast_ss(x + i);
                const float *row = w + i * units + col;
                for (int j = 0; j < 8; j++) acc[j] = _mm256_fmadd_ps(a, _mm256_loadu_ps(row + 8 * j), acc[j]);
            }
        } else {
            for (long t = 0; t < n; t++) {
                const long i = indices[t];
                const __m256 a = _mm256_broadcast_ss(x + i);
                const float *row = w + i * units + col;
                for (int j = 0; j < blocks; j++) acc[j] = _mm256_fmadd_ps(a, _mm256_loadu_ps(row + 8 * j), acc[j]);
            }
        }
        for (int j = 0; j < blocks; j++) _mm256_storeu_ps(out + col + 8 * j, acc[j]);
    }
}

#else

// Never called: vz_kernels_available() is 0 off x86-64.
void vz_dense_sparse_input(const float *x, long row_begin, long row_end, const float *w, int units,
                           float *out, int *indices) {}

#endif
