// The input gradient of the direct convolution's layers (direct.c: shallow patches, such as
// the stems), as explanations take it: each input pixel gathers, over the taps that reach an
// output pixel, the dot product of that pixel's gradient with the tap's kernel row, and is
// written once. Through im2col it was a GEMM of depth k (16–64) into a kh·kw-times larger
// matrix, then a scalar scatter: 1.4 ms per image for MobileNetV3's 3×3×3→16 stem, ten times
// its forward pass.

#include "CKernels.h"
#include "window_common.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define VZ_AVX2 __attribute__((target("avx2,fma")))

VZ_AVX2 static inline float horizontal_sum(__m256 v) {
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_movehdup_ps(s));
    return _mm_cvtss_f32(s);
}

/// Input channels `[ci, ci + n)` of one pixel: `dx[j] += Σ taps Σ kk dy_tap[kk] · w_tap[j][kk]`,
/// one dy load shared by the `n` (≤ 4) channels' sums. Each channel sums in `parts` (1, 2 or
/// 4) accumulators, taking blocks of 8 of the `k` in turn, so that `n · parts` chains of
/// multiply-adds run at once: with one chain per channel, a grayscale input's gradient waited
/// on each FMA's latency (the reference model's `conv2d_1`: 1.7 ms at batch 50, 8 GFLOP/s).
VZ_AVX2 static inline void gather_channels(const float **dys, const float **weights, int count, int k, int ci,
                                           const int n, const int parts, float *dx) {
    __m256 acc[4][4];
    for (int j = 0; j < 4; j++)
        for (int q = 0; q < 4; q++) acc[j][q] = _mm256_setzero_ps();
    for (int t = 0; t < count; t++) {
        const float *d = dys[t], *wt = weights[t] + (long)ci * k;
        int kk = 0;
        for (; kk + 8 * parts <= k; kk += 8 * parts)
            for (int q = 0; q < parts; q++) {
                const __m256 g = _mm256_loadu_ps(d + kk + 8 * q);
                for (int j = 0; j < n; j++)
                    acc[j][q] = _mm256_fmadd_ps(g, _mm256_loadu_ps(wt + (long)j * k + kk + 8 * q), acc[j][q]);
            }
        for (; kk < k; kk += 8) {
            const __m256 g = _mm256_loadu_ps(d + kk);
            for (int j = 0; j < n; j++) acc[j][0] = _mm256_fmadd_ps(g, _mm256_loadu_ps(wt + (long)j * k + kk), acc[j][0]);
        }
    }
    for (int j = 0; j < n; j++) {
        __m256 sum = acc[j][0];
        for (int q = 1; q < parts; q++) sum = _mm256_add_ps(sum, acc[j][q]);
        dx[ci + j] += horizontal_sum(sum);
    }
}

VZ_AVX2 void vz_conv_direct_backward_input(const float *dy, long dy_row_begin, long dy_row_end, int oh, int ow,
                                           int k, const float *kernel, int kh, int kw, int c, int stride_h,
                                           int stride_w, int pad_top, int pad_left, int h, int w, float *dx,
                                           long row_begin, long row_end) {
    const float *dys[VZ_GATHER_MAX_TAPS * VZ_GATHER_MAX_TAPS];
    const float *weights[VZ_GATHER_MAX_TAPS * VZ_GATHER_MAX_TAPS];
    reached_taps columns[VZ_GATHER_COLUMNS];
    for (int ix0 = 0; ix0 < w; ix0 += VZ_GATHER_COLUMNS) {
        const int n = w - ix0 < VZ_GATHER_COLUMNS ? w - ix0 : VZ_GATHER_COLUMNS;
        for (int j = 0; j < n; j++) window_reached_taps(ix0 + j, kw, stride_w, pad_left, 1, ow, &columns[j]);
        for (long r = row_begin; r < row_end; r++) {
            const long b = r / h;
            reached_taps rows;
            window_reached_taps((int)(r % h), kh, stride_h, pad_top, 1, oh, &rows);
            float *dx_row = dx + r * (long)w * c;
            for (int j = 0; j < n; j++) {
                const int count = gather_taps(&rows, &columns[j], b, oh, ow, dy_row_begin, dy_row_end, dy, k, kernel,
                                              kw, (long)c * k, dys, weights);
                if (count == 0) continue;
                float *out = dx_row + (long)(ix0 + j) * c;
                int ci = 0;
                for (; ci + 4 <= c; ci += 4) gather_channels(dys, weights, count, k, ci, 4, 2, out);
                switch (c - ci) {
                case 3: gather_channels(dys, weights, count, k, ci, 3, 2, out); break;
                case 2: gather_channels(dys, weights, count, k, ci, 2, 2, out); break;
                case 1: gather_channels(dys, weights, count, k, ci, 1, 4, out); break;
                default: break;
                }
            }
        }
    }
}
#else

// Never called: vz_kernels_available() is 0 off x86-64.
void vz_conv_direct_backward_input(const float *dy, long dy_row_begin, long dy_row_end, int oh, int ow, int k,
                                   const float *kernel, int kh, int kw, int c, int stride_h, int stride_w,
                                   int pad_top, int pad_left, int h, int w, float *dx, long row_begin,
                                   long row_end) {}

#endif
