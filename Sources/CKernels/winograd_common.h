// What both Winograd variants share: the register-blocked products for their per-element
// GEMMs (6 rows of A times 64, 32 or 16 columns of B in AVX-512 registers, or 16 or 8 in
// AVX2 ones), and the driver that walks tiles in blocks: gather and transform input tiles,
// multiply per element, transform back. Private to CKernels (not in include/).

#ifndef VIZSITE_WINOGRAD_COMMON_H
#define VIZSITE_WINOGRAD_COMMON_H

#include <immintrin.h>
#include <string.h>

#define VZ_AVX2 __attribute__((target("avx2,fma")))
#define VZ_AVX512 __attribute__((target("avx512f,avx2,fma")))

/// C[6][16 vectors] = A[6][depth] . B[depth][16 vectors] in AVX-512 registers, `vectors` 1,
/// 2 or 4 (16, 32 or 64 columns; 4 keeps 24 accumulators in the 32 registers). Each output
/// is the same chain of fused multiply-adds over `p` as in `gemm_6xn`, so both give
/// bit-identical products.
VZ_AVX512 static inline __attribute__((always_inline)) void gemm_6xv(int depth, const float *a, int lda,
                                                                    const float *b, int ldb, float *c, int ldc,
                                                                    const int vectors) {
    __m512 acc[6][4];
    for (int r = 0; r < 6; r++)
        for (int v = 0; v < vectors; v++) acc[r][v] = _mm512_setzero_ps();
    for (int p = 0; p < depth; p++) {
        __m512 bv[4];
        for (int v = 0; v < vectors; v++) bv[v] = _mm512_loadu_ps(b + (long)p * ldb + 16 * v);
        for (int r = 0; r < 6; r++) {
            const __m512 x = _mm512_set1_ps(a[(long)r * lda + p]);
            for (int v = 0; v < vectors; v++) acc[r][v] = _mm512_fmadd_ps(x, bv[v], acc[r][v]);
        }
    }
    for (int r = 0; r < 6; r++)
        for (int v = 0; v < vectors; v++) _mm512_storeu_ps(c + (long)r * ldc + 16 * v, acc[r][v]);
}

VZ_AVX512 static void gemm_6x64z(int depth, const float *a, int lda, const float *b, int ldb, float *c, int ldc) {
    gemm_6xv(depth, a, lda, b, ldb, c, ldc, 4);
}

VZ_AVX512 static void gemm_6x32z(int depth, const float *a, int lda, const float *b, int ldb, float *c, int ldc) {
    gemm_6xv(depth, a, lda, b, ldb, c, ldc, 2);
}

VZ_AVX512 static void gemm_6x16z(int depth, const float *a, int lda, const float *b, int ldb, float *c, int ldc) {
    gemm_6xv(depth, a, lda, b, ldb, c, ldc, 1);
}

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
/// computed and never read; zeros keep them finite). `avx512`: the wider registers take
/// the columns they can.
VZ_AVX2 static void block_products(int elements, int n, float *v, long v_stride, const float *u, int c, int k,
                                   float *m, long m_stride, int avx512) {
    const int padded = (n + 5) / 6 * 6;
    for (int e = 0; e < elements; e++) memset(v + e * v_stride + (long)n * c, 0, sizeof(float) * (size_t)(padded - n) * c);
    for (int e = 0; e < elements; e++) {
        const float *ve = v + e * v_stride, *ue = u + (long)e * c * k;
        float *me = m + e * m_stride;
        int f = 0;
        typedef void (*product)(int, const float *, int, const float *, int, float *, int);
        const struct { int width; product run; } wide[3] = {{64, gemm_6x64z}, {32, gemm_6x32z}, {16, gemm_6x16z}};
        for (int i = 0; avx512 && i < 3; i++)
            for (; f + wide[i].width <= k; f += wide[i].width)
                for (int row = 0; row < padded; row += 6)
                    wide[i].run(c, ve + (long)row * c, c, ue + f, k, me + (long)row * k + f, k);
        for (; f + 16 <= k; f += 16)
            for (int row = 0; row < padded; row += 6)
                gemm_6x16(c, ve + (long)row * c, c, ue + f, k, me + (long)row * k + f, k);
        for (; f < k; f += 8)
            for (int row = 0; row < padded; row += 6)
                gemm_6x8(c, ve + (long)row * c, c, ue + f, k, me + (long)row * k + f, k);
    }
}

/// V planes of one tile from its `(tile + 2)^2` input pixels `s`; the planes are `stride` apart.
typedef void (*vz_input_transform)(const float *const *s, int c, float *v, long stride);
/// Y = A^T M A + bias (then ReLU) for one tile, `rows` x `cols` of it inside the output
/// (`row_stride` floats between output rows); M's planes are `stride` apart.
typedef void (*vz_output_transform)(const float *m, long stride, int k, const float *bias, int relu, float *y,
                                    int rows, int cols, long row_stride);

/// Tiles `[tile_begin, tile_end)` of `tile` x `tile` outputs each, in blocks of
/// `VZ_WINOGRAD_BLOCK` tiles (see vz_winograd_forward in CKernels.h for the arguments).
VZ_AVX2 static inline __attribute__((always_inline)) void winograd_tiles(
    const int tile, vz_input_transform input, vz_output_transform output, int avx512,
    const float *x, int h, int w, int c, int pad, const float *u, const float *bias, int k, int relu, float *y,
    long tile_begin, long tile_end, float *scratch) {
    const int span = tile + 2, elements = span * span;
    const int oh = h + 2 * pad - 2, ow = w + 2 * pad - 2;
    const int tile_rows = (oh + tile - 1) / tile, tile_cols = (ow + tile - 1) / tile;
    const long per_image = (long)tile_rows * tile_cols;
    const int block = VZ_WINOGRAD_BLOCK;
    const long v_stride = (long)block * c, m_stride = (long)block * k;
    float *v = scratch, *m = scratch + elements * v_stride, *zero = m + elements * m_stride;
    memset(zero, 0, sizeof(float) * (size_t)c);

    for (long start = tile_begin; start < tile_end; start += block) {
        const int n = (int)(tile_end - start < block ? tile_end - start : block);
        for (int i = 0; i < n; i++) {
            const long t = start + i, b = t / per_image, r = t % per_image;
            const int ty = (int)(r / tile_cols), tx = (int)(r % tile_cols);
            // The tile's input pixels; those in the padding or past the edge read zeros.
            const float *s[36];
            for (int py = 0; py < span; py++) {
                for (int px = 0; px < span; px++) {
                    const int iy = tile * ty + py - pad, ix = tile * tx + px - pad;
                    s[py * span + px] = iy >= 0 && iy < h && ix >= 0 && ix < w ? x + ((b * h + iy) * w + ix) * c : zero;
                }
            }
            input(s, c, v + (long)i * c, v_stride);
        }
        block_products(elements, n, v, v_stride, u, c, k, m, m_stride, avx512);
        for (int i = 0; i < n; i++) {
            const long t = start + i, b = t / per_image, r = t % per_image;
            const int oy = tile * (int)(r / tile_cols), ox = tile * (int)(r % tile_cols);
            const int rows = oh - oy < tile ? oh - oy : tile, cols = ow - ox < tile ? ow - ox : tile;
            output(m + (long)i * k, m_stride, k, bias, relu, y + ((b * oh + oy) * ow + ox) * k, rows, cols, (long)ow * k);
        }
    }
}

#endif
