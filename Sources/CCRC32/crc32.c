// CRC-32 (gzip's polynomial, bit-reflected) by carry-less multiplication: the folding method of Intel's
// white paper "Fast CRC Computation for Generic Polynomials Using PCLMULQDQ Instruction" (Gopal et al.,
// 2009). Four 128-bit lanes are folded 64 bytes forward per step, then into one lane, then reduced to
// 64 and to 32 bits (Barrett). The constants are x^k mod P for the distances folded over, and P and its
// Barrett quotient, all bit-reflected, as that paper derives them.
#include "crc32_fast.h"
#include <zlib.h>

#if defined(__x86_64__)
#include <immintrin.h>

// Fold distances: 4×128 bits (one step of the four lanes) and 128 bits (lane into lane).
static const uint64_t fold512[2] = {0x0154442bd4ULL, 0x01c6e41596ULL};
static const uint64_t fold128[2] = {0x01751997d0ULL, 0x00ccaa009eULL};
static const uint64_t fold64 = 0x0163cd6124ULL;
// P(x) and floor(x^64 / P(x)), bit-reflected.
static const uint64_t barrett[2] = {0x01db710641ULL, 0x01f7011641ULL};

__attribute__((target("pclmul,sse4.1")))
static __m128i fold(__m128i lane, __m128i distance, __m128i next) {
    __m128i low = _mm_clmulepi64_si128(lane, distance, 0x00);
    __m128i high = _mm_clmulepi64_si128(lane, distance, 0x11);
    return _mm_xor_si128(_mm_xor_si128(low, high), next);
}

/// The unconditioned CRC (no pre- or post-inversion) of `length` bytes, at least 64 and a multiple of 16.
__attribute__((target("pclmul,sse4.1")))
static uint32_t crc32_folding(uint32_t crc, const uint8_t *p, size_t length) {
    __m128i k = _mm_loadu_si128((const __m128i *)fold512);
    __m128i a = _mm_xor_si128(_mm_loadu_si128((const __m128i *)p), _mm_cvtsi32_si128((int)crc));
    __m128i b = _mm_loadu_si128((const __m128i *)(p + 16));
    __m128i c = _mm_loadu_si128((const __m128i *)(p + 32));
    __m128i d = _mm_loadu_si128((const __m128i *)(p + 48));
    p += 64;
    length -= 64;
    while (length >= 64) {
        a = fold(a, k, _mm_loadu_si128((const __m128i *)p));
        b = fold(b, k, _mm_loadu_si128((const __m128i *)(p + 16)));
        c = fold(c, k, _mm_loadu_si128((const __m128i *)(p + 32)));
        d = fold(d, k, _mm_loadu_si128((const __m128i *)(p + 48)));
        p += 64;
        length -= 64;
    }
    k = _mm_loadu_si128((const __m128i *)fold128);
    a = fold(a, k, b);
    a = fold(a, k, c);
    a = fold(a, k, d);
    while (length >= 16) {
        a = fold(a, k, _mm_loadu_si128((const __m128i *)p));
        p += 16;
        length -= 16;
    }
    // 128 → 96 → 64 bits.
    const __m128i low32 = _mm_setr_epi32(-1, 0, -1, 0);
    __m128i t = _mm_clmulepi64_si128(a, k, 0x10);
    a = _mm_xor_si128(_mm_srli_si128(a, 8), t);
    t = _mm_srli_si128(a, 4);
    a = _mm_and_si128(a, low32);
    a = _mm_clmulepi64_si128(a, _mm_cvtsi64_si128((long long)fold64), 0x00);
    a = _mm_xor_si128(a, t);
    // Barrett reduction to 32 bits.
    k = _mm_loadu_si128((const __m128i *)barrett);
    t = _mm_and_si128(a, low32);
    t = _mm_clmulepi64_si128(t, k, 0x10);
    t = _mm_and_si128(t, low32);
    t = _mm_clmulepi64_si128(t, k, 0x00);
    a = _mm_xor_si128(a, t);
    return (uint32_t)_mm_extract_epi32(a, 1);
}

// Reads the CPU model the compiler's runtime fills in at start-up (no state here, so no race between threads).
static int has_folding(void) {
    return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}
#endif

uint32_t egress_audit_crc32(uint32_t crc, const uint8_t *data, size_t length) {
#if defined(__x86_64__)
    if (length >= 64 && has_folding()) {
        size_t folded = length & ~(size_t)15;
        crc = ~crc32_folding(~crc, data, folded);
        data += folded;
        length -= folded;
    }
#endif
    // The tail (and everything on other machines).
    return length ? (uint32_t)crc32_z(crc, data, length) : crc;
}
