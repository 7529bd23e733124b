// Sigmoid and SiLU (x · sigmoid(x), EfficientNet's activation) over float arrays, eight at a
// time. glibc's expf is a scalar call of ~3.5 ns: EfficientNet-B0 at 224² spent 22 of its
// 31 ms in it. The exponential is Cephes's single-precision `expf` (range reduction by
// ln 2 in two parts, a degree-5 polynomial, 2^n built in the exponent bits), within 2 ulp
// of glibc's; the division stays a true division.

#include "CKernels.h"

#include <math.h>

#if defined(__x86_64__)
#include <immintrin.h>

#define VZ_AVX2 __attribute__((target("avx2,fma")))

/// e^x for eight floats: +inf above 88.72 (where it overflows, as expf), 0 below -87.34
/// (where expf's results are subnormal).
VZ_AVX2 static inline __m256 exp8(__m256 input) {
    const __m256 x = _mm256_min_ps(_mm256_max_ps(input, _mm256_set1_ps(-87.33654f)), _mm256_set1_ps(88.72283f));
    const __m256 n = _mm256_round_ps(_mm256_mul_ps(x, _mm256_set1_ps(1.44269504088896341f)),
                                     _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
    r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
    __m256 p = _mm256_set1_ps(1.9875691500e-4f);
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
    p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
    p = _mm256_fmadd_ps(p, _mm256_mul_ps(r, r), _mm256_add_ps(r, _mm256_set1_ps(1)));
    // n is in [-126, 128]: 2^n as exponent bits; 2^128 is split as 2^127 · 2.
    const __m256i e = _mm256_cvtps_epi32(n);
    const __m256i high = _mm256_cmpgt_epi32(e, _mm256_set1_epi32(127));
    const __m256i biased = _mm256_slli_epi32(_mm256_add_epi32(_mm256_add_epi32(e, high), _mm256_set1_epi32(127)), 23);
    p = _mm256_mul_ps(p, _mm256_castsi256_ps(biased));
    p = _mm256_blendv_ps(p, _mm256_add_ps(p, p), _mm256_castsi256_ps(high));
    p = _mm256_blendv_ps(p, _mm256_set1_ps(INFINITY), _mm256_cmp_ps(input, _mm256_set1_ps(88.72283f), _CMP_GT_OQ));
    return _mm256_blendv_ps(p, _mm256_setzero_ps(), _mm256_cmp_ps(input, _mm256_set1_ps(-87.33654f), _CMP_LT_OQ));
}

VZ_AVX2 static inline __m256 sigmoid8(__m256 x) {
    const __m256 one = _mm256_set1_ps(1);
    return _mm256_div_ps(one, _mm256_add_ps(one, exp8(_mm256_sub_ps(_mm256_setzero_ps(), x))));
}

static inline float sigmoid1(float x) { return 1 / (1 + expf(-x)); }

VZ_AVX2 void vz_sigmoid(const float *x, float *y, long count) {
    long i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(y + i, sigmoid8(_mm256_loadu_ps(x + i)));
    for (; i < count; i++) y[i] = sigmoid1(x[i]);
}

VZ_AVX2 void vz_silu(const float *x, float *y, long count) {
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i);
        _mm256_storeu_ps(y + i, _mm256_mul_ps(v, sigmoid8(v)));
    }
    for (; i < count; i++) y[i] = x[i] * sigmoid1(x[i]);
}

VZ_AVX2 void vz_silu_backward(const float *x, const float *dy, float *dx, long count) {
    const __m256 one = _mm256_set1_ps(1);
    long i = 0;
    for (; i + 8 <= count; i += 8) {
        const __m256 v = _mm256_loadu_ps(x + i), s = sigmoid8(v);
        // dy · s · (1 + x · (1 − s))
        const __m256 slope = _mm256_mul_ps(s, _mm256_fmadd_ps(v, _mm256_sub_ps(one, s), one));
        _mm256_storeu_ps(dx + i, _mm256_mul_ps(_mm256_loadu_ps(dy + i), slope));
    }
    for (; i < count; i++) {
        const float s = sigmoid1(x[i]);
        dx[i] = dy[i] * s * (1 + x[i] * (1 - s));
    }
}
#else
void vz_sigmoid(const float *x, float *y, long count) {
    for (long i = 0; i < count; i++) y[i] = 1 / (1 + expf(-x[i]));
}
void vz_silu(const float *x, float *y, long count) {
    for (long i = 0; i < count; i++) y[i] = x[i] / (1 + expf(-x[i]));
}
void vz_silu_backward(const float *x, const float *dy, float *dx, long count) {
    for (long i = 0; i < count; i++) {
        const float s = 1 / (1 + expf(-x[i]));
        dx[i] = dy[i] * s * (1 + x[i] * (1 - s));
    }
}
#endif
