// The kernels of this module carry `target("avx2,fma")` attributes instead of the whole
// module being built for AVX2, so the program still starts on older CPUs: there the
// callers check this first and fall back to im2col + GEMM.

#include "CKernels.h"

int vz_kernels_available(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#else
    return 0;
#endif
}
