// What the direct and depthwise convolutions share: which taps of a kernel window fall inside
// the input. Private to CKernels (not in include/).

#ifndef VIZSITE_WINDOW_COMMON_H
#define VIZSITE_WINDOW_COMMON_H

/// The taps `[*first, *last)` of a kernel axis of `size` taps spaced `dilation` apart,
/// starting at input coordinate `start`, that fall inside `[0, extent)`.
static inline void window_inside(int start, int size, int dilation, int extent, int *first, int *last) {
    *first = start >= 0 ? 0 : (-start + dilation - 1) / dilation;
    int end = extent - 1 - start < 0 ? 0 : (extent - 1 - start) / dilation + 1;
    *last = end < size ? end : size;
    if (*last < *first) *last = *first;
}

#endif
