// Winograd's minimal filtering F(2x2, 3x3) (Lavin & Gray, "Fast Algorithms for
// Convolutional Neural Networks", 2016) for 3x3, stride-1, valid convolutions over NHWC
// data. Each 2x2 output tile costs 16 multiplies per channel pair instead of 36:
//
//   V = B^T d B        (4x4 input tile d, per input channel)
//   U = G g G^T        (3x3 kernel g, per channel pair; transformed once, cached by the caller)
//   M[e] = V[e] . U[e] (16 small GEMMs, one per element e of the 4x4 transformed tile)
//   Y = A^T M A        (2x2 output tile, per output channel)
//
// with B^T = [[1,0,-1,0],[0,1,1,0],[0,-1,1,0],[0,1,0,-1]], G = [[1,0,0],[1/2,1/2,1/2],
// [1/2,-1/2,1/2],[0,0,1]] and A^T = [[1,1,1,0],[0,1,-1,-1]]. Tiles are processed in blocks
// whose transformed inputs V and products M stay in the L2 cache.
//
// The functions run only where the CPU has AVX2 and FMA (see cpu.c).

#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>
#endif
#include <string.h>

void vz_winograd_transform_kernel(const float *kernel, int c, int k, float *u) {
    for (int ch = 0; ch < c; ch++) {
        for (int f = 0; f < k; f++) {
            float g[3][3], gg[4][3];
            for (int ky = 0; ky < 3; ky++)
                for (int kx = 0; kx < 3; kx++) g[ky][kx] = kernel[((ky * 3 + kx) * c + ch) * k + f];
            for (int kx = 0; kx < 3; kx++) {
                gg[0][kx] = g[0][kx];
                gg[1][kx] = 0.5f * (g[0][kx] + g[1][kx] + g[2][kx]);
                gg[2][kx] = 0.5f * (g[0][kx] - g[1][kx] + g[2][kx]);
                gg[3][kx] = g[2][kx];
            }
            for (int xi = 0; xi < 4; xi++) {
                const float *r = gg[xi];
                const float row[4] = {r[0], 0.5f * (r[0] + r[1] + r[2]), 0.5f * (r[0] - r[1] + r[2]), r[2]};
                for (int nu = 0; nu < 4; nu++) u[((long)(xi * 4 + nu) * c + ch) * k + f] = row[nu];
            }
        }
    }
}

size_t vz_winograd_scratch(int c, int k) {
    // V, M, and one pixel of zeros for the taps past the input's edge.
    return (size_t)16 * VZ_WINOGRAD_BLOCK * (c + k) + (size_t)c;
}

#if defined(__x86_64__)

#include "winograd_common.h"

/// V[e][ch] = (B^T d B)[e] for one tile, reading the 16 input pixels at `s`; the 16
/// planes of V are `stride` floats apart.
VZ_AVX2 static void transform_tile(const float *const s[16], int c, float *v, long stride) {
    int ch = 0;
    for (; ch + 8 <= c; ch += 8) {
        __m256 d[16], t[16];
        for (int i = 0; i < 16; i++) d[i] = _mm256_loadu_ps(s[i] + ch);
        for (int px = 0; px < 4; px++) {
            t[px] = _mm256_sub_ps(d[px], d[8 + px]);
            t[4 + px] = _mm256_add_ps(d[4 + px], d[8 + px]);
            t[8 + px] = _mm256_sub_ps(d[8 + px], d[4 + px]);
            t[12 + px] = _mm256_sub_ps(d[4 + px], d[12 + px]);
        }
        for (int py = 0; py < 4; py++) {
            const __m256 r0 = t[py * 4], r1 = t[py * 4 + 1], r2 = t[py * 4 + 2], r3 = t[py * 4 + 3];
            float *o = v + (long)(py * 4) * stride + ch;
            _mm256_storeu_ps(o, _mm256_sub_ps(r0, r2));
            _mm256_storeu_ps(o + stride, _mm256_add_ps(r1, r2));
            _mm256_storeu_ps(o + 2 * stride, _mm256_sub_ps(r2, r1));
            _mm256_storeu_ps(o + 3 * stride, _mm256_sub_ps(r1, r3));
        }
    }
    for (; ch < c; ch++) {
        float d[16], t[16];
        for (int i = 0; i < 16; i++) d[i] = s[i][ch];
        for (int px = 0; px < 4; px++) {
            t[px] = d[px] - d[8 + px];
            t[4 + px] = d[4 + px] + d[8 + px];
            t[8 + px] = d[8 + px] - d[4 + px];
            t[12 + px] = d[4 + px] - d[12 + px];
        }
        for (int py = 0; py < 4; py++) {
            const float r0 = t[py * 4], r1 = t[py * 4 + 1], r2 = t[py * 4 + 2], r3 = t[py * 4 + 3];
            float *o = v + (long)(py * 4) * stride + ch;
            o[0] = r0 - r2;
            o[stride] = r1 + r2;
            o[2 * stride] = r2 - r1;
            o[3 * stride] = r1 - r3;
        }
    }
}

/// Y = A^T M A + bias (then ReLU) for one tile whose 16 planes of M are `stride` apart,
/// `rows` x `cols` of it inside the output.
VZ_AVX2 static void output_tile(const float *m, long stride, int k, const float *bias, int relu, float *y,
                                int rows, int cols, long row_stride) {
    const __m256 zero = _mm256_setzero_ps();
    for (int f = 0; f < k; f += 8) {
        __m256 s0[4], s1[4];
        for (int col = 0; col < 4; col++) {
            const __m256 m0 = _mm256_loadu_ps(m + col * stride + f), m1 = _mm256_loadu_ps(m + (4 + col) * stride + f);
            const __m256 m2 = _mm256_loadu_ps(m + (8 + col) * stride + f), m3 = _mm256_loadu_ps(m + (12 + col) * stride + f);
            s0[col] = _mm256_add_ps(_mm256_add_ps(m0, m1), m2);
            s1[col] = _mm256_sub_ps(_mm256_sub_ps(m1, m2), m3);
        }
        const __m256 b = bias ? _mm256_loadu_ps(bias + f) : zero;
        __m256 o00 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s0[0], s0[1]), s0[2]), b);
        __m256 o01 = _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(s0[1], s0[2]), s0[3]), b);
        __m256 o10 = _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(s1[0], s1[1]), s1[2]), b);
        __m256 o11 = _mm256_add_ps(_mm256_sub_ps(_mm256_sub_ps(s1[1], s1[2]), s1[3]), b);
        if (relu) {
            o00 = _mm256_max_ps(o00, zero); o01 = _mm256_max_ps(o01, zero);
            o10 = _mm256_max_ps(o10, zero); o11 = _mm256_max_ps(o11, zero);
        }
        _mm256_storeu_ps(y + f, o00);
        if (cols > 1) _mm256_storeu_ps(y + k + f, o01);
        if (rows > 1) _mm256_storeu_ps(y + row_stride + f, o10);
        if (rows > 1 && cols > 1) _mm256_storeu_ps(y + row_stride + k + f, o11);
    }
}

VZ_AVX2 void vz_winograd_forward(const float *x, int h, int w, int c, int pad, const float *u, const float *bias,
                                 int k, int relu, float *y, long tile_begin, long tile_end, float *scratch,
                                 int avx512) {
    winograd_tiles(2, transform_tile, output_tile, avx512, x, h, w, c, pad, u, bias, k, relu, y, tile_begin,
                   tile_end, scratch);
}

#else

// Never called: vz_kernels_available() is 0 off x86-64.
void vz_winograd_forward(const float *x, int h, int w, int c, int pad, const float *u, const float *bias,
                         int k, int relu, float *y, long tile_begin, long tile_end, float *scratch, int avx512) {}

#endif
