// What the direct and depthwise convolutions share: which taps of a kernel window fall inside
// the input, and which output a tap of an input cell reaches. Private to CKernels (not in include/).

#ifndef VIZSITE_WINDOW_COMMON_H
#define VIZSITE_WINDOW_COMMON_H

#include "CKernels.h"

/// The taps `[*first, *last)` of a kernel axis of `size` taps spaced `dilation` apart,
/// starting at input coordinate `start`, that fall inside `[0, extent)`.
static inline void window_inside(int start, int size, int dilation, int extent, int *first, int *last) {
    *first = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
    int end = extent - 1 - start < 0 ? 0 : (extent - 1 - start) / dilation + 1;
    *last = end < size ? end : size;
    if (*last < *first) *last = *first;
}

/// The output coordinate that input coordinate `i` reaches through tap `t` of an axis with
/// `stride`, `pad` cells before the input and `dilation`, or -1 when none does (the gradient
/// of a convolution, gathered per input cell).
static inline int window_reached(int i, int t, int stride, int pad, int dilation, int extent) {
    const int num = i + pad - t * dilation;
    if (num < 0) return -1;
    int o = num;
    if (stride != 1) {  // a division per tap is worth avoiding at stride 1, the common case
        if (num % stride != 0) return -1;
        o = num / stride;
    }
    return o < extent ? o : -1;
}

/// The taps of one input cell along an axis that reach an output (see `window_reached`):
/// how many, the output coordinate each reaches and the tap's index. Needs `size` at most
/// `VZ_GATHER_MAX_TAPS`.
typedef struct {
    int count;
    int out[VZ_GATHER_MAX_TAPS];
    int tap[VZ_GATHER_MAX_TAPS];
} reached_taps;

static inline void window_reached_taps(int i, int size, int stride, int pad, int dilation, int extent,
                                       reached_taps *taps) {
    taps->count = 0;
    for (int t = 0; t < size; t++) {
        const int o = window_reached(i, t, stride, pad, dilation, extent);
        if (o < 0) continue;
        taps->out[taps->count] = o;
        taps->tap[taps->count++] = t;
    }
}

/// The taps one input pixel of image `image` gathers, given the output `rows` and `column` its
/// taps reach: for each reached output pixel in the band of output rows `[band_begin,
/// band_end)` (`image * oh + oy`), a pointer to its gradient (`dy` holds the band, `channels`
/// floats a pixel, `ow` pixels a row) and to its tap's kernel (`tap_floats` floats a tap, `kw`
/// taps a kernel row). Returns how many.
static inline int gather_taps(const reached_taps *rows, const reached_taps *column, long image, int oh, int ow,
                              long band_begin, long band_end, const float *dy, int channels, const float *kernel,
                              int kw, long tap_floats, const float **dys, const float **taps) {
    int count = 0;
    for (int a = 0; a < rows->count; a++) {
        const long out_row = image * oh + rows->out[a];
        if (out_row < band_begin || out_row >= band_end) continue;
        const float *dy_row = dy + (out_row - band_begin) * (long)ow * channels;
        for (int t = 0; t < column->count; t++) {
            dys[count] = dy_row + (long)column->out[t] * channels;
            taps[count++] = kernel + ((long)rows->tap[a] * kw + column->tap[t]) * tap_floats;
        }
    }
    return count;
}

/// Input columns whose reached taps a gathered gradient works out at once, then reuses for
/// every row: a division per tap and pixel was most of a 3-channel stem's time.
#define VZ_GATHER_COLUMNS 64

#endif
