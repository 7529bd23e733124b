// Max pooling (valid padding) eight channels at a time, recording each output's winning
// input for the backward pass. Which input wins is data-dependent and unpredictable, so
// the comparison is a blend, not a branch.

#include "CKernels.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define VZ_AVX2 __attribute__((target("avx2,fma")))

VZ_AVX2 void vz_maxpool_forward(const float *x, int h, int w, int c, int pool_h, int pool_w, int stride_h,
                                int stride_w, int oh, int ow, float *y, int *winners, long pixel_begin,
                                long pixel_end) {
    const long per_image = (long)oh * ow;
    const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    long b = pixel_begin / per_image;
    int oy = (int)(pixel_begin % per_image / ow), ox = (int)(pixel_begin % ow);
    for (long p = pixel_begin; p < pixel_end; p++) {
        const long first = ((b * h + (long)oy * stride_h) * w + (long)ox * stride_w) * c;
        float *out = y + p * c;
        int *won = winners + p * c;
        int ch = 0;
        for (; ch + 8 <= c; ch += 8) {
            __m256 best = _mm256_loadu_ps(x + first + ch);
            __m256i index = _mm256_add_epi32(_mm256_set1_epi32((int)(first + ch)), lanes);
            for (int py = 0; py < pool_h; py++) {
                for (int px = 0; px < pool_w; px++) {
                    if (py == 0 && px == 0) continue;
                    const long at = first + ((long)py * w + px) * c + ch;
                    const __m256 v = _mm256_loadu_ps(x + at);
                    const __m256 better = _mm256_cmp_ps(v, best, _CMP_GT_OQ);
                    best = _mm256_blendv_ps(best, v, better);
                    const __m256i candidate = _mm256_add_epi32(_mm256_set1_epi32((int)at), lanes);
                    index = _mm256_castps_si256(_mm256_blendv_ps(_mm256_castsi256_ps(index),
                                                                 _mm256_castsi256_ps(candidate), better));
                }
            }
            _mm256_storeu_ps(out + ch, best);
            _mm256_storeu_si256((__m256i *)(won + ch), index);
        }
        for (; ch < c; ch++) {
            float best = x[first + ch];
            long index = first + ch;
            for (int py = 0; py < pool_h; py++) {
                for (int px = 0; px < pool_w; px++) {
                    const long at = first + ((long)py * w + px) * c + ch;
                    if (x[at] > best) { best = x[at]; index = at; }
                }
            }
            out[ch] = best;
            won[ch] = (int)index;
        }
        if (++ox == ow) {
            ox = 0;
            if (++oy == oh) { oy = 0; b++; }
        }
    }
}

#else

// Never called: vz_kernels_available() is 0 off x86-64.
void vz_maxpool_forward(const float *x, int h, int w, int c, int pool_h, int pool_w, int stride_h,
                        int stride_w, int oh, int ow, float *y, int *winners, long pixel_begin,
                        long pixel_end) {}

#endif
