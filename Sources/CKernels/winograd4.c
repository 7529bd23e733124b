// Winograd's minimal filtering F(4x4, 3x3) (Lavin & Gray, 2016) for 3x3, stride-1
// convolutions over NHWC data: each 4x4 output tile costs 36 multiplies per channel pair
// instead of 144 (F(2x2, 3x3) in winograd.c needs 64 for the same 16 outputs). The
// matrices, for the interpolation points 0, ±1, ±2 and infinity:
//
//   B^T = [[4, 0,-5, 0, 1, 0], [0,-4,-4, 1, 1, 0], [0, 4,-4,-1, 1, 0],
//          [0,-2,-1, 2, 1, 0], [0, 2,-1,-2, 1, 0], [0, 4, 0,-5, 0, 1]]
//   G   = [[1/4, 0, 0], [-1/6,-1/6,-1/6], [-1/6, 1/6,-1/6],
//          [1/24, 1/12, 1/6], [1/24,-1/12, 1/6], [0, 0, 1]]
//   A^T = [[1, 1, 1, 1, 1, 0], [0, 1,-1, 2,-2, 0], [0, 1, 1, 4, 4, 0], [0, 1,-1, 8,-8, 1]]
//
// Its float32 results differ from a direct sum by a few 1e-6 relative to the outputs'
// magnitude (larger than F(2x2, 3x3)'s, still far below what a figure can show).

#include "CKernels.h"

#include <string.h>
#if defined(__x86_64__)
#include <immintrin.h>
#endif

void vz_winograd4_transform_kernel(const float *kernel, int c, int k, float *u) {
    for (int ch = 0; ch < c; ch++) {
        for (int f = 0; f < k; f++) {
            float g[3][3], gg[6][3];
            for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++) g[ky][kx] = kernel[((ky * 3 + kx) * c + ch) * k + f];
            for (int kx = 0; kx < 3; kx++) {
                const float g0 = g[0][kx], g1 = g[1][kx], g2 = g[2][kx];
                gg[0][kx] = g0 / 4;
                gg[1][kx] = -(g0 + g1 + g2) / 6;
                gg[2][kx] = -(g0 - g1 + g2) / 6;
                gg[3][kx] = g0 / 24 + g1 / 12 + g2 / 6;
                gg[4][kx] = g0 / 24 - g1 / 12 + g2 / 6;
                gg[5][kx] = g2;
            }
            for (int xi = 0; xi < 6; xi++) {
                const float g0 = gg[xi][0], g1 = gg[xi][1], g2 = gg[xi][2];
                const float row[6] = {g0 / 4, -(g0 + g1 + g2) / 6, -(g0 - g1 + g2) / 6,
                                      g0 / 24 + g1 / 12 + g2 / 6, g0 / 24 - g1 / 12 + g2 / 6, g2};
                for (int nu = 0; nu < 6; nu++) u[((long)(xi * 6 + nu) * c + ch) * k + f] = row[nu];
            }
        }
    }
}

size_t vz_winograd4_scratch(int c, int k) {
    return (size_t)36 * VZ_WINOGRAD_BLOCK * (c + k) + (size_t)c;
}

#if defined(__x86_64__)

#include "winograd_common.h"

#define VZ_INLINE static inline __attribute__((always_inline))

/// B^T applied to six vectors.
VZ_AVX2 VZ_INLINE void input_1d(const __m256 d[6], __m256 r[6]) {
    const __m256 four = _mm256_set1_ps(4), five = _mm256_set1_ps(5), two = _mm256_set1_ps(2);
    const __m256 d4_4d2 = _mm256_fnmadd_ps(four, d[2], d[4]);   // d4 - 4 d2
    const __m256 d3_4d1 = _mm256_fnmadd_ps(four, d[1], d[3]);   // d3 - 4 d1
    const __m256 d4_d2 = _mm256_sub_ps(d[4], d[2]);
    const __m256 d3_d1 = _mm256_mul_ps(two, _mm256_sub_ps(d[3], d[1]));  // 2 (d3 - d1)
    r[0] = _mm256_fnmadd_ps(five, d[2], _mm256_fmadd_ps(four, d[0], d[4]));
    r[1] = _mm256_add_ps(d4_4d2, d3_4d1);
    r[2] = _mm256_sub_ps(d4_4d2, d3_4d1);
    r[3] = _mm256_add_ps(d4_d2, d3_d1);
    r[4] = _mm256_sub_ps(d4_d2, d3_d1);
    r[5] = _mm256_fnmadd_ps(five, d[3], _mm256_fmadd_ps(four, d[1], d[5]));
}

VZ_AVX2 static void transform_tile(const float *const s[36], int c, float *v, long stride) {
    for (int ch = 0; ch < c; ch += 8) {
        __m256 t[6][6];
        for (int px = 0; px < 6; px++) {
            __m256 d[6], r[6];
            for (int py = 0; py < 6; py++) d[py] = _mm256_loadu_ps(s[py * 6 + px] + ch);
            input_1d(d, r);
            for (int xi = 0; xi < 6; xi++) t[xi][px] = r[xi];
        }
        for (int xi = 0; xi < 6; xi++) {
            __m256 r[6];
            input_1d(t[xi], r);
            for (int nu = 0; nu < 6; nu++) _mm256_storeu_ps(v + (long)(xi * 6 + nu) * stride + ch, r[nu]);
        }
    }
}

/// A^T applied to six vectors.
VZ_AVX2 VZ_INLINE void output_1d(const __m256 m[6], __m256 y[4]) {
    const __m256 two = _mm256_set1_ps(2), four = _mm256_set1_ps(4), eight = _mm256_set1_ps(8);
    const __m256 a = _mm256_add_ps(m[1], m[2]), b = _mm256_sub_ps(m[1], m[2]);
    const __m256 p = _mm256_add_ps(m[3], m[4]), q = _mm256_sub_ps(m[3], m[4]);
    y[0] = _mm256_add_ps(_mm256_add_ps(m[0], a), p);
    y[1] = _mm256_fmadd_ps(two, q, b);
    y[2] = _mm256_fmadd_ps(four, p, a);
    y[3] = _mm256_add_ps(_mm256_fmadd_ps(eight, q, b), m[5]);
}

VZ_AVX2 static void output_tile(const float *m, long stride, int k, const float *bias, int relu, float *y,
                                int rows, int cols, long row_stride) {
    const __m256 zero = _mm256_setzero_ps();
    for (int f = 0; f < k; f += 8) {
        __m256 s[4][6];
        for (int nu = 0; nu < 6; nu++) {
            __m256 col[6], out[4];
            for (int xi = 0; xi < 6; xi++) col[xi] = _mm256_loadu_ps(m + (xi * 6 + nu) * stride + f);
            output_1d(col, out);
            for (int i = 0; i < 4; i++) s[i][nu] = out[i];
        }
        const __m256 b = bias ? _mm256_loadu_ps(bias + f) : zero;
        for (int i = 0; i < rows; i++) {
            __m256 out[4];
            output_1d(s[i], out);
            for (int j = 0; j < cols; j++) {
                __m256 o = _mm256_add_ps(out[j], b);
                if (relu) o = _mm256_max_ps(o, zero);
                _mm256_storeu_ps(y + i * row_stride + (long)j * k + f, o);
            }
        }
    }
}


VZ_AVX2 void vz_winograd4_forward(const float *x, int h, int w, int c, int pad, const float *u, const float *bias,
                                  int k, int relu, float *y, long tile_begin, long tile_end, float *scratch,
                                  int avx512) {
    winograd_tiles(4, transform_tile, output_tile, avx512, x, h, w, c, pad, u, bias, k, relu, y, tile_begin,
                   tile_end, scratch);
}

#else

// Never called: vz_kernels_available() is 0 off x86-64.
void vz_winograd4_forward(const float *x, int h, int w, int c, int pad, const float *u, const float *bias,
                          int k, int relu, float *y, long tile_begin, long tile_end, float *scratch, int avx512) {}

#endif
