// Direct convolution for layers whose patch is shallow: the first layer of a CNN (3×3×1 on
// grayscale digits, ResNet's 7×7×3 stride-2 stem, MobileNet's and EfficientNet's 3×3×3
// stride-2 stems). im2col + GEMM runs a GEMM of depth kh·kw·c there, which no BLAS runs
// fast, after writing an im2col matrix kh·kw times the input's size (7.4 MB for ResNet's
// stem). Here a tile of output pixels of one row keeps a block of output channels in
// registers and adds one broadcast input times one kernel row per tap. Each output sums its
// taps in the same order whatever the tile, so every tile shape gives the same bits.

#include "CKernels.h"
#include "window_common.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define VZ_AVX2 __attribute__((target("avx2,fma")))
#define VZ_AVX512 __attribute__((target("avx512f,avx2,fma")))
#define VZ_INLINE __attribute__((always_inline)) static inline

/// The geometry of one call.
typedef struct {
    const float *x, *kernel, *bias;
    float *y;
    int h, w, c, k, kh, kw, sh, sw, pt, pl, oh, ow, relu;
} direct_shape;

/// `pixels` (1…6) output pixels of row `oy` of image `b` from column `ox` on, `stride` input
/// pixels apart, each with its taps `[kx0, kx1)` of every kernel row in `[ky0, ky1)` inside the
/// input, channels `[k0, k0 + 8·vectors)`.
VZ_AVX2 VZ_INLINE void direct_tile(const direct_shape *s, long b, int oy, int ox, int ky0, int ky1, int kx0, int kx1,
                                    int k0, const int pixels, const int vectors) {
    __m256 acc[6][4];
    for (int m = 0; m < vectors; m++) {
        const __m256 start = s->bias ? _mm256_loadu_ps(s->bias + k0 + 8 * m) : _mm256_setzero_ps();
        for (int p = 0; p < pixels; p++) acc[p][m] = start;
    }
    const long step = (long)s->sw * s->c;
    const int top = oy * s->sh - s->pt, left = ox * s->sw - s->pl;
    for (int ky = ky0; ky < ky1; ky++) {
        // A kernel row's taps are contiguous in the input (NHWC) and in the kernel (HWIO).
        const float *src = s->x + ((b * s->h + top + ky) * s->w + left + kx0) * (long)s->c;
        const float *wt = s->kernel + ((long)ky * s->kw + kx0) * s->c * s->k + k0;
        const int span = (kx1 - kx0) * s->c;
        for (int i = 0; i < span; i++) {
            __m256 weights[4];
            for (int m = 0; m < vectors; m++) weights[m] = _mm256_loadu_ps(wt + (long)i * s->k + 8 * m);
            for (int p = 0; p < pixels; p++) {
                const __m256 a = _mm256_broadcast_ss(src + p * step + i);
                for (int m = 0; m < vectors; m++) acc[p][m] = _mm256_fmadd_ps(a, weights[m], acc[p][m]);
            }
        }
    }
    const __m256 zero = _mm256_setzero_ps();
    for (int p = 0; p < pixels; p++) {
        float *out = s->y + ((b * s->oh + oy) * (long)s->ow + ox + p) * s->k + k0;
        for (int m = 0; m < vectors; m++)
            _mm256_storeu_ps(out + 8 * m, s->relu ? _mm256_max_ps(acc[p][m], zero) : acc[p][m]);
    }
}

/// `direct_tile` in AVX-512 registers, channels `[k0, k0 + 16·vectors)`: the same chain of
/// multiply-adds per output, so the same bits. With 32 registers a tile of 6 pixels × 64
/// channels (24 accumulators) does 24 multiply-adds per 10 loads, which keeps a deep patch
/// (3×3×32: the reference model's `conv2d_2`) on the FMA units.
VZ_AVX512 VZ_INLINE void direct_tile512(const direct_shape *s, long b, int oy, int ox, int ky0, int ky1, int kx0,
                                        int kx1, int k0, const int pixels, const int vectors) {
    // Every element set, used or not: with some left undefined clang -O2 kept the whole array
    // on the stack and stored each accumulator after every multiply-add (2.5× slower).
    __m512 acc[6][4];
    for (int p = 0; p < 6; p++)
        for (int m = 0; m < 4; m++) acc[p][m] = _mm512_setzero_ps();
    if (s->bias)
        for (int m = 0; m < vectors; m++) {
            const __m512 start = _mm512_loadu_ps(s->bias + k0 + 16 * m);
            for (int p = 0; p < pixels; p++) acc[p][m] = start;
        }
    const long step = (long)s->sw * s->c;
    const int top = oy * s->sh - s->pt, left = ox * s->sw - s->pl;
    for (int ky = ky0; ky < ky1; ky++) {
        const float *src = s->x + ((b * s->h + top + ky) * s->w + left + kx0) * (long)s->c;
        const float *wt = s->kernel + ((long)ky * s->kw + kx0) * s->c * s->k + k0;
        const int span = (kx1 - kx0) * s->c;
        for (int i = 0; i < span; i++) {
            __m512 weights[4];
            for (int m = 0; m < vectors; m++) weights[m] = _mm512_loadu_ps(wt + (long)i * s->k + 16 * m);
            for (int p = 0; p < pixels; p++) {
                const __m512 a = _mm512_set1_ps(src[p * step + i]);
                for (int m = 0; m < vectors; m++) acc[p][m] = _mm512_fmadd_ps(a, weights[m], acc[p][m]);
            }
        }
    }
    const __m512 zero = _mm512_setzero_ps();
    for (int p = 0; p < pixels; p++) {
        float *out = s->y + ((b * s->oh + oy) * (long)s->ow + ox + p) * s->k + k0;
        for (int m = 0; m < vectors; m++)
            _mm512_storeu_ps(out + 16 * m, s->relu ? _mm512_max_ps(acc[p][m], zero) : acc[p][m]);
    }
}

// Each tile shape compiled on its own, so that its 24 accumulators stay in registers.
VZ_AVX512 __attribute__((noinline)) static void direct_tile512_6x4(const direct_shape *s, long b, int oy, int ox,
                                                                     int ky0, int ky1, int k0) {
    direct_tile512(s, b, oy, ox, ky0, ky1, 0, s->kw, k0, 6, 4);
}

VZ_AVX512 __attribute__((noinline)) static void direct_tile512_6x2(const direct_shape *s, long b, int oy, int ox,
                                                                     int ky0, int ky1, int k0) {
    direct_tile512(s, b, oy, ox, ky0, ky1, 0, s->kw, k0, 6, 2);
}

VZ_AVX512 __attribute__((noinline)) static void direct_tile512_6x1(const direct_shape *s, long b, int oy, int ox,
                                                                     int ky0, int ky1, int k0) {
    direct_tile512(s, b, oy, ox, ky0, ky1, 0, s->kw, k0, 6, 1);
}

/// Output row `oy` of image `b`, channels `[k0, k0 + 16·vectors)`, as `direct_row` below.
VZ_AVX512 VZ_INLINE void direct_row512(const direct_shape *s, long b, int oy, int k0, const int vectors) {
    int ky0, ky1;
    window_inside(oy * s->sh - s->pt, s->kh, 1, s->h, &ky0, &ky1);
    int ox = 0;
    while (ox < s->ow) {
        int kx0, kx1;
        window_inside(ox * s->sw - s->pl, s->kw, 1, s->w, &kx0, &kx1);
        const int end = ox + 5;
        if (kx0 == 0 && kx1 == s->kw && end < s->ow && end * s->sw - s->pl + s->kw <= s->w) {
            if (vectors == 4) direct_tile512_6x4(s, b, oy, ox, ky0, ky1, k0);
            else if (vectors == 2) direct_tile512_6x2(s, b, oy, ox, ky0, ky1, k0);
            else direct_tile512_6x1(s, b, oy, ox, ky0, ky1, k0);
            ox += 6;
        } else {
            direct_tile512(s, b, oy, ox, ky0, ky1, kx0, kx1, k0, 1, vectors);
            ox += 1;
        }
    }
}

/// Channels `[0, 16·⌊k/16⌋)` of output row `oy` of image `b` in AVX-512 registers; returns
/// where the AVX2 blocks take over.
VZ_AVX512 __attribute__((noinline)) static int direct_rows512(const direct_shape *s, long b, int oy) {
    int k0 = 0;
    for (; k0 + 64 <= s->k; k0 += 64) direct_row512(s, b, oy, k0, 4);
    for (; k0 + 32 <= s->k; k0 += 32) direct_row512(s, b, oy, k0, 2);
    for (; k0 + 16 <= s->k; k0 += 16) direct_row512(s, b, oy, k0, 1);
    return k0;
}

/// Output row `oy` of image `b`, channels `[k0, k0 + 8·vectors)`: tiles of `tile` pixels where
/// every tap of the row is inside the input, one pixel at a time at the edges.
VZ_AVX2 VZ_INLINE void direct_row(const direct_shape *s, long b, int oy, int k0, const int vectors, const int tile) {
    int ky0, ky1;
    window_inside(oy * s->sh - s->pt, s->kh, 1, s->h, &ky0, &ky1);
    int ox = 0;
    while (ox < s->ow) {
        int kx0, kx1;
        window_inside(ox * s->sw - s->pl, s->kw, 1, s->w, &kx0, &kx1);
        // The last column of a tile starting here, and whether its taps are all inside.
        const int end = ox + tile - 1;
        if (kx0 == 0 && kx1 == s->kw && end < s->ow && end * s->sw - s->pl + s->kw <= s->w) {
            direct_tile(s, b, oy, ox, ky0, ky1, 0, s->kw, k0, tile, vectors);
            ox += tile;
        } else {
            direct_tile(s, b, oy, ox, ky0, ky1, kx0, kx1, k0, 1, vectors);
            ox += 1;
        }
    }
}

VZ_AVX2 void vz_conv_direct_forward(const float *x, int h, int w, int c, const float *kernel, int kh, int kw,
                                    int stride_h, int stride_w, int pad_top, int pad_left, const float *bias, int k,
                                    int relu, float *y, int oh, int ow, long row_begin, long row_end, int avx512) {
    const direct_shape s = {x, kernel, bias, y, h, w, c, k, kh, kw, stride_h, stride_w, pad_top, pad_left, oh, ow,
                            relu};
    for (long r = row_begin; r < row_end; r++) {
        const long b = r / oh;
        const int oy = (int)(r % oh);
        int k0 = avx512 ? direct_rows512(&s, b, oy) : 0;
        // 16 registers: 4 pixels × 3 vectors of accumulators, the weights and a broadcast.
        for (; k0 + 24 <= k; k0 += 24) direct_row(&s, b, oy, k0, 3, 4);
        for (; k0 + 16 <= k; k0 += 16) direct_row(&s, b, oy, k0, 2, 6);
        for (; k0 + 8 <= k; k0 += 8) direct_row(&s, b, oy, k0, 1, 6);
    }
}
#else

// Never called: vz_kernels_available() is 0 off x86-64.
void vz_conv_direct_forward(const float *x, int h, int w, int c, const float *kernel, int kh, int kw,
                            int stride_h, int stride_w, int pad_top, int pad_left, const float *bias, int k,
                            int relu, float *y, int oh, int ow, long row_begin, long row_end, int avx512) {}

#endif
