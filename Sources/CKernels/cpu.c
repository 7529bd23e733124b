// The kernels of this module carry `target("avx2,fma")` (or "avx512f") attributes instead
// of the whole module being built for one instruction set, so the program still starts on
// older CPUs: there the callers check these first and fall back to AVX2, or to im2col + GEMM.

#include "CKernels.h"

int vz_kernels_available(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}

int vz_avx512_available(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return vz_kernels_available() && __builtin_cpu_supports("avx512f");
#else
    return 0;
#endif
}
