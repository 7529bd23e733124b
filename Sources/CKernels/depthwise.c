// Depthwise convolution (one input channel per output channel: MobileNets, EfficientNets)
// over NHWC. Each output pixel keeps eight channels at a time in a register and adds every
// tap that falls inside the input, so the output is written once. Swift's loops compile to
// SSE without FMA here and ran at a tenth of the two cores' peak.

#include "CKernels.h"
#include "window_common.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define VZ_AVX2 __attribute__((target("avx2,fma")))

VZ_AVX2 void vz_depthwise_forward(const float *x, int h, int w, int c, const float *kernel, int kh, int kw,
                                  int stride_h, int stride_w, int pad_top, int pad_left, int dilation_h,
                                  int dilation_w, const float *bias, int oh, int ow, float *y, long row_begin,
                                  long row_end) {
    const int blocks = c / 8 * 8;
    for (long r = row_begin; r < row_end; r++) {
        const long b = r / oh;
        const int oy = (int)(r % oh), top = oy * stride_h - pad_top;
        int ky0, ky1;
        window_inside(top, kh, dilation_h, h, &ky0, &ky1);
        float *row_out = y + r * (long)ow * c;
        for (int ox = 0; ox < ow; ox++) {
            const int left = ox * stride_w - pad_left;
            int kx0, kx1;
            window_inside(left, kw, dilation_w, w, &kx0, &kx1);
            float *out = row_out + (long)ox * c;
            int k = 0;
            // Four blocks at once: four independent chains of FMAs, where one chain waits
            // on each FMA's latency (4 cycles) and ran at a quarter of the speed.
            for (; k + 32 <= blocks; k += 32) {
                __m256 s0, s1, s2, s3;
                if (bias) {
                    s0 = _mm256_loadu_ps(bias + k), s1 = _mm256_loadu_ps(bias + k + 8);
                    s2 = _mm256_loadu_ps(bias + k + 16), s3 = _mm256_loadu_ps(bias + k + 24);
                } else {
                    s0 = s1 = s2 = s3 = _mm256_setzero_ps();
                }
                for (int ky = ky0; ky < ky1; ky++) {
                    const float *src = x + ((b * h + top + ky * dilation_h) * w + left) * (long)c + k;
                    const float *taps = kernel + (long)ky * kw * c + k;
                    for (int kx = kx0; kx < kx1; kx++) {
                        const float *a = src + (long)kx * dilation_w * c, *t = taps + (long)kx * c;
                        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a), _mm256_loadu_ps(t), s0);
                        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + 8), _mm256_loadu_ps(t + 8), s1);
                        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + 16), _mm256_loadu_ps(t + 16), s2);
                        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + 24), _mm256_loadu_ps(t + 24), s3);
                    }
                }
                _mm256_storeu_ps(out + k, s0);
                _mm256_storeu_ps(out + k + 8, s1);
                _mm256_storeu_ps(out + k + 16, s2);
                _mm256_storeu_ps(out + k + 24, s3);
            }
            for (; k < blocks; k += 8) {
                __m256 sum = bias ? _mm256_loadu_ps(bias + k) : _mm256_setzero_ps();
                for (int ky = ky0; ky < ky1; ky++) {
                    const float *src = x + ((b * h + top + ky * dilation_h) * w + left) * (long)c + k;
                    const float *taps = kernel + (long)ky * kw * c + k;
                    for (int kx = kx0; kx < kx1; kx++)
                        sum = _mm256_fmadd_ps(_mm256_loadu_ps(src + (long)kx * dilation_w * c),
                                              _mm256_loadu_ps(taps + (long)kx * c), sum);
                }
                _mm256_storeu_ps(out + k, sum);
            }
            for (; k < c; k++) {
                float sum = bias ? bias[k] : 0;
                for (int ky = ky0; ky < ky1; ky++) {
                    const float *src = x + ((b * h + top + ky * dilation_h) * w + left) * (long)c + k;
                    for (int kx = kx0; kx < kx1; kx++)
                        sum += src[(long)kx * dilation_w * c] * kernel[((long)ky * kw + kx) * c + k];
                }
                out[k] = sum;
            }
        }
    }
}
#else

// Never called: vz_kernels_available() is 0 off x86-64.
void vz_depthwise_forward(const float *x, int h, int w, int c, const float *kernel, int kh, int kw,
                          int stride_h, int stride_w, int pad_top, int pad_left, int dilation_h, int dilation_w,
                          const float *bias, int oh, int ow, float *y, long row_begin, long row_end) {}

#endif
