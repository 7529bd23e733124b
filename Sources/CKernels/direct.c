// Direct convolution for layers with few input channels (the first layer of a CNN on
// grayscale images: 3x3x1 taps). im2col + GEMM runs a GEMM of depth 9 there, which no
// BLAS runs fast; here each output pixel keeps its k outputs in registers and adds one
// broadcast input times one kernel row per tap.

#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define VZ_AVX2 __attribute__((target("avx2,fma")))

/// Pixels `[begin, end)` with `blocks` (1...8) groups of 8 output channels.
VZ_AVX2 static inline __attribute__((always_inline)) void direct_pixels(
    const float *x, int h, int w, int c, const float *kernel, int kh, int kw, const float *bias, int k, int relu,
    float *y, long begin, long end, const int blocks) {
    const int oh = h - kh + 1, ow = w - kw + 1;
    const long per_image = (long)oh * ow;
    const __m256 zero = _mm256_setzero_ps();
    // The pixel's image, row and column, stepped along instead of divided out each time.
    long b = begin / per_image;
    int oy = (int)(begin % per_image / ow), ox = (int)(begin % ow);
    for (long p = begin; p < end; p++) {
        __m256 acc[8];
        for (int j = 0; j < blocks; j++) acc[j] = _mm256_loadu_ps(bias + 8 * j);
        for (int ky = 0; ky < kh; ky++) {
            // A kernel row's kw taps are contiguous in the input (NHWC) and in the kernel (HWIO).
            const float *src = x + ((b * h + oy + ky) * w + ox) * c;
            const float *wt = kernel + (long)ky * kw * c * k;
            for (int i = 0; i < kw * c; i++) {
                const __m256 a = _mm256_broadcast_ss(src + i);
                for (int j = 0; j < blocks; j++)
                    acc[j] = _mm256_fmadd_ps(a, _mm256_loadu_ps(wt + (long)i * k + 8 * j), acc[j]);
            }
        }
        float *out = y + p * k;
        for (int j = 0; j < blocks; j++) _mm256_storeu_ps(out + 8 * j, relu ? _mm256_max_ps(acc[j], zero) : acc[j]);
        if (++ox == ow) {
            ox = 0;
            if (++oy == oh) { oy = 0; b++; }
        }
    }
}

VZ_AVX2 void vz_conv_direct_forward(const float *x, int h, int w, int c, const float *kernel, int kh, int kw,
                                    const float *bias, int k, int relu, float *y, long pixel_begin, long pixel_end) {
    switch (k / 8) {
#define VZ_BLOCKS(n) case n: direct_pixels(x, h, w, c, kernel, kh, kw, bias, k, relu, y, pixel_begin, pixel_end, n); break;
        VZ_BLOCKS(1) VZ_BLOCKS(2) VZ_BLOCKS(3) VZ_BLOCKS(4) VZ_BLOCKS(5) VZ_BLOCKS(6) VZ_BLOCKS(7) VZ_BLOCKS(8)
#undef VZ_BLOCKS
        default: break;
    }
}
#else

// Never called: vz_kernels_available() is 0 off x86-64.
void vz_conv_direct_forward(const float *x, int h, int w, int c, const float *kernel, int kh, int kw,
                            const float *bias, int k, int relu, float *y, long pixel_begin, long pixel_end) {}

#endif
