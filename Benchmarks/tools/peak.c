// The machine's limits that issue 28's shares are measured against: single-precision FMA
// throughput (12 independent chains of the widest FMA the CPU has, on 1 and 2 threads) and
// one thread's copy bandwidth (bytes read plus bytes written, 256 MB buffers). Prints JSON.
//
//   cc -O2 -march=native -pthread Benchmarks/tools/peak.c -o /tmp/peak && /tmp/peak
#include <immintrin.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__AVX512F__)
typedef __m512 vec;
#define WIDTH 16
#define SET1 _mm512_set1_ps
#define FMA _mm512_fmadd_ps
#define ADD _mm512_add_ps
#define SUM(v) _mm512_reduce_add_ps(v)
#else
typedef __m256 vec;
#define WIDTH 8
#define SET1 _mm256_set1_ps
#define FMA _mm256_fmadd_ps
#define ADD _mm256_add_ps
static float SUM(__m256 v) { float f[8]; _mm256_storeu_ps(f, v); return f[0] + f[1] + f[2] + f[3] + f[4] + f[5] + f[6] + f[7]; }
#endif

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

#define ITERATIONS (400000000L / WIDTH)

static void *fma_loop(void *out) {
    // Twelve named chains, so that each stays in a register (an array of them did not at -O2).
    vec a0 = SET1(1.00f), a1 = SET1(1.01f), a2 = SET1(1.02f), a3 = SET1(1.03f), a4 = SET1(1.04f), a5 = SET1(1.05f);
    vec a6 = SET1(1.06f), a7 = SET1(1.07f), a8 = SET1(1.08f), a9 = SET1(1.09f), a10 = SET1(1.1f), a11 = SET1(1.11f);
    const vec m = SET1(0.999999f), c = SET1(1e-7f);
    for (long n = 0; n < ITERATIONS; n++) {
        a0 = FMA(a0, m, c), a1 = FMA(a1, m, c), a2 = FMA(a2, m, c), a3 = FMA(a3, m, c);
        a4 = FMA(a4, m, c), a5 = FMA(a5, m, c), a6 = FMA(a6, m, c), a7 = FMA(a7, m, c);
        a8 = FMA(a8, m, c), a9 = FMA(a9, m, c), a10 = FMA(a10, m, c), a11 = FMA(a11, m, c);
    }
    vec s = ADD(ADD(ADD(a0, a1), ADD(a2, a3)), ADD(ADD(a4, a5), ADD(a6, a7)));
    s = ADD(s, ADD(ADD(a8, a9), ADD(a10, a11)));
    *(float *)out = SUM(s);
    return NULL;
}

static double fma_gflops(int threads) {
    pthread_t t[8];
    float sink[8];
    double best = 0;
    for (int round = 0; round < 5; round++) {
        double start = now();
        for (int i = 0; i < threads; i++) pthread_create(&t[i], NULL, fma_loop, &sink[i]);
        for (int i = 0; i < threads; i++) pthread_join(t[i], NULL);
        double flops = 2.0 * 12 * WIDTH * (double)ITERATIONS * threads;
        double rate = flops / (now() - start) / 1e9;
        if (rate > best) best = rate;
    }
    return best;
}

static double copy_gbs(void) {
    size_t bytes = 256UL << 20;
    char *a = malloc(bytes), *b = malloc(bytes);
    memset(a, 1, bytes);
    memset(b, 2, bytes);
    double best = 0;
    for (int round = 0; round < 5; round++) {
        double start = now();
        memcpy(b, a, bytes);
        double rate = 2.0 * bytes / (now() - start) / 1e9;
        if (rate > best) best = rate;
        a[round] = b[round + 1];
    }
    free(a);
    free(b);
    return best;
}

int main(void) {
    printf("{\"vector_floats\": %d, \"fma_gflops_1_thread\": %.1f, \"fma_gflops_2_threads\": %.1f, "
           "\"copy_gbs_1_thread\": %.1f}\n",
           WIDTH, fma_gflops(1), fma_gflops(2), copy_gbs());
    return 0;
}
