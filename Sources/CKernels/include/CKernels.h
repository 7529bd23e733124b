#ifndef VIZSITE_CKERNELS_H
#define VIZSITE_CKERNELS_H

#include <stddef.h>

/// The largest kernel side the gathered input gradients (`vz_depthwise_backward_input`,
/// `vz_conv_direct_backward_input`) take.
#define VZ_GATHER_MAX_TAPS 16

/// Whether this CPU has AVX2 and FMA, which every kernel below needs.
int vz_kernels_available(void);

/// Whether this CPU also has AVX-512 (foundation), which the kernels taking an `avx512`
/// flag use when it is set.
int vz_avx512_available(void);

/// Tiles per block. Every block reads all transformed kernels (`elements` x c x k floats,
/// up to 37 MB for 512 channels in and out), so each read must serve many tiles: blocks of
/// 6-18 tiles sized for L2 left ResNet-18's 14x14x256 layers at 180-220 GFLOP/s and its
/// 7x7x512 ones at 120 (batch 32), blocks of 96 at 290-330 and 235-265. A block's V and M
/// then outgrow L2 for wide layers, but the slices one per-element product works on
/// (V[e], the columns of U[e] in use) still fit. A multiple of the micro-kernels' 6 rows.
#define VZ_WINOGRAD_BLOCK 96

/// Winograd F(2x2, 3x3) transform of an HWIO 3x3 kernel `[3][3][c][k]` into
/// `u[16][c][k]` (U = G g G^T per channel pair).
void vz_winograd_transform_kernel(const float *kernel, int c, int k, float *u);

/// Floats of scratch one call of `vz_winograd_forward` needs.
size_t vz_winograd_scratch(int c, int k);

/// Output tiles `[tile_begin, tile_end)` of a 3x3, stride-1 convolution of the NHWC input
/// `x` (`h`x`w`x`c` per image, zero-padded by `pad` on every side) with the transformed
/// kernel `u`, plus `bias` (none when NULL), then ReLU when `relu` is set, written to the
/// NHWC output `y` (`oh`x`ow`x`k` with `oh = h + 2 pad - 2`, `ow = w + 2 pad - 2`). Tiles are
/// the 2x2 output blocks, numbered image by image, row by row: `ceil(oh/2) * ceil(ow/2)`
/// per image. Needs `k % 8 == 0` and AVX2 + FMA; `avx512` set (only where
/// `vz_avx512_available()`) multiplies in AVX-512 registers, with bit-identical results.
void vz_winograd_forward(const float *x, int h, int w, int c, int pad, const float *u, const float *bias,
                         int k, int relu, float *y, long tile_begin, long tile_end, float *scratch, int avx512);

/// F(4x4, 3x3) versions of the three functions above (winograd4.c): `u` is `[36][c][k]`,
/// tiles are 4x4 output blocks (`ceil(oh/4) * ceil(ow/4)` per image), and `c % 8 == 0` too.
void vz_winograd4_transform_kernel(const float *kernel, int c, int k, float *u);
size_t vz_winograd4_scratch(int c, int k);
void vz_winograd4_forward(const float *x, int h, int w, int c, int pad, const float *u, const float *bias,
                          int k, int relu, float *y, long tile_begin, long tile_end, float *scratch, int avx512);

/// Output rows `[row_begin, row_end)` (of every image: `image * oh + oy`) of a convolution
/// with a shallow HWIO kernel `[kh][kw][c][k]` at any stride, with `pad_top`/`pad_left` zero
/// cells before the input (taps outside it count as zeros), computed directly (no im2col),
/// plus `bias` when not NULL, then ReLU when `relu` is set. For layers with few input
/// channels, where a GEMM of depth kh*kw*c is too shallow to run fast, and in AVX-512
/// registers (`avx512` set, only where `vz_avx512_available()`) for deep patches whose
/// outputs must not depend on their position (Winograd's do). Every output sums its taps in
/// the same order whatever the tile or register width, so results are bit-identical.
/// Needs `k % 8 == 0` and AVX2 + FMA.
void vz_conv_direct_forward(const float *x, int h, int w, int c, const float *kernel, int kh, int kw,
                            int stride_h, int stride_w, int pad_top, int pad_left, const float *bias, int k,
                            int relu, float *y, int oh, int ow, long row_begin, long row_end, int avx512);

/// Adds to input rows `[row_begin, row_end)` (`image * h + iy`) of the NHWC gradient `dx` what
/// they receive from the output-gradient rows `[dy_row_begin, dy_row_end)` (`image * oh + oy`;
/// `dy` points at the first of them, `k` channels) of an undilated convolution with the HWIO
/// kernel `[kh][kw][c][k]` (arguments as `vz_conv_direct_forward`). Needs `k % 8 == 0`, `kh`
/// and `kw` at most `VZ_GATHER_MAX_TAPS`, and AVX2 + FMA.
void vz_conv_direct_backward_input(const float *dy, long dy_row_begin, long dy_row_end, int oh, int ow, int k,
                                   const float *kernel, int kh, int kw, int c, int stride_h, int stride_w,
                                   int pad_top, int pad_left, int h, int w, float *dx, long row_begin,
                                   long row_end);

/// `out[0..<units] = sum over rows i in [row_begin, row_end) with x[i] != 0 of x[i] * w[i][0..<units]`
/// for a row-major `w` of `units` columns: one sample through a dense layer, reading only
/// the weight rows of non-zero inputs. `indices` holds `row_end - row_begin` ints of scratch.
/// Needs `units % 8 == 0` and AVX2 + FMA.
void vz_dense_sparse_input(const float *x, long row_begin, long row_end, const float *w, int units,
                           float *out, int *indices);

/// Output pixels `[pixel_begin, pixel_end)` (image by image, row by row) of a max pooling
/// with valid padding over NHWC `x`, and in `winners` the offset in `x` of each output's
/// winning input (the first of equal maxima). Needs AVX2 + FMA.
void vz_maxpool_forward(const float *x, int h, int w, int c, int pool_h, int pool_w, int stride_h,
                        int stride_w, int oh, int ow, float *y, int *winners, long pixel_begin,
                        long pixel_end);

/// Output rows `[row_begin, row_end)` (of every image: `image * oh + oy`) of a depthwise
/// convolution without depth multiplier over NHWC `x` with an `[kh][kw][c]` kernel, plus
/// `bias` when it is not NULL; taps outside the input count as zeros. Needs AVX2 + FMA.
void vz_depthwise_forward(const float *x, int h, int w, int c, const float *kernel, int kh, int kw,
                          int stride_h, int stride_w, int pad_top, int pad_left, int dilation_h, int dilation_w,
                          const float *bias, int oh, int ow, float *y, long row_begin, long row_end);

/// Adds to input rows `[row_begin, row_end)` (of every image: `image * h + iy`) of the NHWC
/// gradient `dx` what they receive from the output-gradient rows `[dy_row_begin, dy_row_end)`
/// (`image * oh + oy`; `dy` points at the first of them) of a depthwise convolution without
/// depth multiplier (kernel `[kh][kw][c]`, arguments as `vz_depthwise_forward`). Each input
/// pixel gathers its taps in registers and is written once. Needs `kh` and `kw` at most
/// `VZ_GATHER_MAX_TAPS`, and AVX2 + FMA.
void vz_depthwise_backward_input(const float *dy, long dy_row_begin, long dy_row_end, int oh, int ow, int c,
                                 const float *kernel, int kh, int kw, int stride_h, int stride_w, int pad_top,
                                 int pad_left, int dilation_h, int dilation_w, int h, int w, float *dx,
                                 long row_begin, long row_end);

/// `y = 1 / (1 + e^−x)` over `count` floats (`y` may be `x`), within a few ulp of glibc's
/// `expf`. Needs AVX2 + FMA on x86-64.
void vz_sigmoid(const float *x, float *y, long count);

/// `y = x · sigmoid(x)` (SiLU) over `count` floats (`y` may be `x`). Needs AVX2 + FMA on x86-64.
void vz_silu(const float *x, float *y, long count);

/// `dx = dy · s · (1 + x · (1 − s))` with `s = sigmoid(x)`: SiLU's input gradient. Needs AVX2 +
/// FMA on x86-64.
void vz_silu_backward(const float *x, const float *dy, float *dx, long count);

/// Copies `count` floats between buffers that do not overlap, with vector moves (see copy.c).
void vz_copy_floats(float *restrict dst, const float *restrict src, long count);

/// The calling thread's floating-point control word (MXCSR on x86-64; 0 elsewhere).
unsigned vz_fp_mode(void);

/// Sets the calling thread's floating-point control word to one `vz_fp_mode` returned.
void vz_set_fp_mode(unsigned mode);

/// Makes the calling thread flush subnormal results and inputs to zero, and returns the
/// control word it had (for `vz_set_fp_mode`). A no-op returning 0 off x86-64.
unsigned vz_flush_subnormals(void);

#endif
