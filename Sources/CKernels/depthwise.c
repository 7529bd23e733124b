// Depthwise convolution (one input channel per output channel: MobileNets, EfficientNets)
// over NHWC. Each output pixel keeps eight channels at a time in a register and adds every
// tap that falls inside the input, so the output is written once; the input gradient is
// gathered the same way, each input pixel summing what the output pixels its taps reach
// send. Swift's loops compile to SSE without FMA here and ran at a tenth of the two cores'
// peak.

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

/// One input pixel's gradient over channels: `dx[k] += Σ taps dy_tap[k] · kernel_tap[k]`, four
/// blocks of eight channels at a time like the forward kernel.
VZ_AVX2 static void gather_pixel(const float **dys, const float **taps, int count, int c, float *dx) {
    const int blocks = c / 8 * 8;
    int k = 0;
    for (; k + 32 <= blocks; k += 32) {
        __m256 s0 = _mm256_loadu_ps(dx + k), s1 = _mm256_loadu_ps(dx + k + 8);
        __m256 s2 = _mm256_loadu_ps(dx + k + 16), s3 = _mm256_loadu_ps(dx + k + 24);
        for (int t = 0; t < count; t++) {
            const float *d = dys[t] + k, *g = taps[t] + k;
            s0 = _mm256_fmadd_ps(_mm256_loadu_ps(d), _mm256_loadu_ps(g), s0);
            s1 = _mm256_fmadd_ps(_mm256_loadu_ps(d + 8), _mm256_loadu_ps(g + 8), s1);
            s2 = _mm256_fmadd_ps(_mm256_loadu_ps(d + 16), _mm256_loadu_ps(g + 16), s2);
            s3 = _mm256_fmadd_ps(_mm256_loadu_ps(d + 24), _mm256_loadu_ps(g + 24), s3);
        }
        _mm256_storeu_ps(dx + k, s0);
        _mm256_storeu_ps(dx + k + 8, s1);
        _mm256_storeu_ps(dx + k + 16, s2);
        _mm256_storeu_ps(dx + k + 24, s3);
    }
    for (; k < blocks; k += 8) {
        __m256 sum = _mm256_loadu_ps(dx + k);
        for (int t = 0; t < count; t++)
            sum = _mm256_fmadd_ps(_mm256_loadu_ps(dys[t] + k), _mm256_loadu_ps(taps[t] + k), sum);
        _mm256_storeu_ps(dx + k, sum);
    }
    for (; k < c; k++) {
        float sum = dx[k];
        for (int t = 0; t < count; t++) sum += dys[t][k] * taps[t][k];
        dx[k] = sum;
    }
}

VZ_AVX2 void vz_depthwise_backward_input(const float *dy, long dy_row_begin, long dy_row_end, int oh, int ow,
                                          int c, const float *kernel, int kh, int kw, int stride_h, int stride_w,
                                          int pad_top, int pad_left, int dilation_h, int dilation_w, int h, int w,
                                          float *dx, long row_begin, long row_end) {
    const float *dys[VZ_GATHER_MAX_TAPS * VZ_GATHER_MAX_TAPS];
    const float *taps[VZ_GATHER_MAX_TAPS * VZ_GATHER_MAX_TAPS];
    reached_taps columns[VZ_GATHER_COLUMNS];
    for (int ix0 = 0; ix0 < w; ix0 += VZ_GATHER_COLUMNS) {
        const int n = w - ix0 < VZ_GATHER_COLUMNS ? w - ix0 : VZ_GATHER_COLUMNS;
        for (int j = 0; j < n; j++) window_reached_taps(ix0 + j, kw, stride_w, pad_left, dilation_w, ow, &columns[j]);
        for (long r = row_begin; r < row_end; r++) {
            const long b = r / h;
            reached_taps rows;
            window_reached_taps((int)(r % h), kh, stride_h, pad_top, dilation_h, oh, &rows);
            float *dx_row = dx + r * (long)w * c;
            for (int j = 0; j < n; j++) {
                const int count = gather_taps(&rows, &columns[j], b, oh, ow, dy_row_begin, dy_row_end, dy, c, kernel,
                                              kw, c, dys, taps);
                if (count) gather_pixel(dys, taps, count, c, dx_row + (long)(ix0 + j) * c);
            }
        }
    }
}
#else

// Never called: vz_kernels_available() is 0 off x86-64.
void vz_depthwise_forward(const float *x, int h, int w, int c, const float *kernel, int kh, int kw,
                          int stride_h, int stride_w, int pad_top, int pad_left, int dilation_h, int dilation_w,
                          const float *bias, int oh, int ow, float *y, long row_begin, long row_end) {}

void vz_depthwise_backward_input(const float *dy, long dy_row_begin, long dy_row_end, int oh, int ow, int c,
                                 const float *kernel, int kh, int kw, int stride_h, int stride_w, int pad_top,
                                 int pad_left, int dilation_h, int dilation_w, int h, int w, float *dx,
                                 long row_begin, long row_end) {}

#endif
