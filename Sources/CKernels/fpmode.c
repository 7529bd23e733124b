// The floating-point control state of the calling thread: subnormal numbers flushed to zero
// or not. A random-weight MobileNetV3's backward pass spends most of its time on subnormal
// gradients, which x86 cores handle in microcode at ~100x the cost of a normal operation;
// TensorFlow flushes them for every op for the same reason.

#include "CKernels.h"

#if defined(__x86_64__)
#include <xmmintrin.h>

/// MXCSR's flush-to-zero (results) and denormals-are-zero (inputs) bits.
static const unsigned flush_bits = 0x8040;

unsigned vz_fp_mode(void) { return _mm_getcsr(); }

void vz_set_fp_mode(unsigned mode) { _mm_setcsr(mode); }

unsigned vz_flush_subnormals(void) {
    const unsigned previous = _mm_getcsr();
    _mm_setcsr(previous | flush_bits);
    return previous;
}
#else
unsigned vz_fp_mode(void) { return 0; }

void vz_set_fp_mode(unsigned mode) { (void)mode; }

unsigned vz_flush_subnormals(void) { return 0; }
#endif
