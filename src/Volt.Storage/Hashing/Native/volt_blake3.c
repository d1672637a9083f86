// Volt's native helpers for hashing, compiled into the Native AOT binary (volt_native.targets) and called through
// Volt.Core/Native/VoltNative.cs:
//   - the 16-lane AVX-512 BLAKE3 kernel (the same algorithm as Blake3Avx512.HashMany16, which the AOT binary cannot
//     hold: ILC folds Avx512F.IsSupported to false for an AVX2 baseline, docs/decisions.md). Only this function is
//     compiled for AVX-512 (target attribute); everything else is baseline x86-64, and the caller checks
//     volt_blake3_avx512_usable() first, so the binary still starts and runs on AVX2-only CPUs.
//   - a SIGBUS guard for read-only file mappings: a mapped file truncated while it is hashed raises SIGBUS on the
//     pages past its new end. The handler maps a zero page there, marks the guarded range, and returns; the hash of
//     that range is then discarded (the caller fails with "the file shrank"). Faults outside guarded ranges go to
//     the handler installed before (or the default action: the process dies, as it would without this file).
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f")))
#define INLINE static inline __attribute__((always_inline))

static const uint32_t IV[8] = {0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A,
                               0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19};

static const uint8_t SCHEDULE[7][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
    {2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8},
    {3, 4, 10, 12, 13, 2, 7, 14, 6, 5, 9, 0, 11, 15, 8, 1},
    {10, 7, 12, 9, 14, 3, 13, 15, 4, 0, 11, 2, 5, 8, 1, 6},
    {12, 13, 9, 11, 15, 10, 14, 8, 7, 2, 5, 3, 0, 1, 6, 4},
    {9, 14, 11, 5, 8, 12, 15, 1, 13, 3, 0, 10, 2, 6, 4, 7},
    {11, 15, 5, 0, 1, 9, 8, 6, 14, 10, 2, 12, 3, 4, 7, 13},
};

// 1 when the CPU has AVX-512F and the OS saves the ZMM and mask registers (XCR0 bits 1, 2, 5, 6, 7).
int volt_blake3_avx512_usable(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 27)))
        return 0;
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    (void)hi;
    if ((lo & 0xE6) != 0xE6)
        return 0;
    if (__get_cpuid_max(0, 0) < 7)
        return 0;
    __cpuid_count(7, 0, a, b, c, d);
    return (b & (1u << 16)) != 0;
}

#define ADD(a, b) _mm512_add_epi32(a, b)
#define XOR(a, b) _mm512_xor_si512(a, b)
#define ROR(x, n) _mm512_ror_epi32(x, n)

// One round on all 16 lanes: G on the columns, then on the diagonals, message words in the round's order.
#define G(a, b, c, d, mx, my)                                                                                        \
    do {                                                                                                             \
        v[a] = ADD(ADD(v[a], v[b]), mx); v[d] = ROR(XOR(v[d], v[a]), 16);                                            \
        v[c] = ADD(v[c], v[d]); v[b] = ROR(XOR(v[b], v[c]), 12);                                                     \
        v[a] = ADD(ADD(v[a], v[b]), my); v[d] = ROR(XOR(v[d], v[a]), 8);                                             \
        v[c] = ADD(v[c], v[d]); v[b] = ROR(XOR(v[b], v[c]), 7);                                                      \
    } while (0)

AVX512 INLINE void round16(__m512i v[16], const __m512i m[16], int r)
{
    const uint8_t *s = SCHEDULE[r];
    G(0, 4, 8, 12, m[s[0]], m[s[1]]);
    G(1, 5, 9, 13, m[s[2]], m[s[3]]);
    G(2, 6, 10, 14, m[s[4]], m[s[5]]);
    G(3, 7, 11, 15, m[s[6]], m[s[7]]);
    G(0, 5, 10, 15, m[s[8]], m[s[9]]);
    G(1, 6, 11, 12, m[s[10]], m[s[11]]);
    G(2, 7, 8, 13, m[s[12]], m[s[13]]);
    G(3, 4, 9, 14, m[s[14]], m[s[15]]);
}

// Rows r..r+3 in, out: u_j with 128-bit lane k = word 4k+j of those four rows (as Blake3Avx512.Tile). Each row is
// prefetched two blocks ahead: 8 % less CPU per GiB than four blocks ahead here (Xeon, 1 GiB in memory), 14 % less
// than none.
AVX512 INLINE void tile(const uint8_t *row, intptr_t stride, __m512i u[4])
{
    __m512i r0 = _mm512_loadu_si512((const void *)row);
    __m512i r1 = _mm512_loadu_si512((const void *)(row + stride));
    __m512i r2 = _mm512_loadu_si512((const void *)(row + 2 * stride));
    __m512i r3 = _mm512_loadu_si512((const void *)(row + 3 * stride));
    _mm_prefetch((const char *)(row + 128), _MM_HINT_T0);
    _mm_prefetch((const char *)(row + stride + 128), _MM_HINT_T0);
    _mm_prefetch((const char *)(row + 2 * stride + 128), _MM_HINT_T0);
    _mm_prefetch((const char *)(row + 3 * stride + 128), _MM_HINT_T0);
    __m512i t0 = _mm512_unpacklo_epi32(r0, r1), t1 = _mm512_unpackhi_epi32(r0, r1);
    __m512i t2 = _mm512_unpacklo_epi32(r2, r3), t3 = _mm512_unpackhi_epi32(r2, r3);
    u[0] = _mm512_unpacklo_epi64(t0, t2);
    u[1] = _mm512_unpackhi_epi64(t0, t2);
    u[2] = _mm512_unpacklo_epi64(t1, t3);
    u[3] = _mm512_unpackhi_epi64(t1, t3);
}

// Gathers 128-bit lane k of a, b, c, d (rows 0-3, 4-7, 8-11, 12-15) into k[0..3] (as Blake3Avx512.Lanes).
AVX512 INLINE void lanes(__m512i a, __m512i b, __m512i c, __m512i d, __m512i *k0, __m512i *k1, __m512i *k2,
                         __m512i *k3)
{
    __m512i ab02 = _mm512_shuffle_i32x4(a, b, 0x88), ab13 = _mm512_shuffle_i32x4(a, b, 0xDD);
    __m512i cd02 = _mm512_shuffle_i32x4(c, d, 0x88), cd13 = _mm512_shuffle_i32x4(c, d, 0xDD);
    *k0 = _mm512_shuffle_i32x4(ab02, cd02, 0x88);
    *k2 = _mm512_shuffle_i32x4(ab02, cd02, 0xDD);
    *k1 = _mm512_shuffle_i32x4(ab13, cd13, 0x88);
    *k3 = _mm512_shuffle_i32x4(ab13, cd13, 0xDD);
}

AVX512 INLINE void load_transposed(const uint8_t *block, intptr_t stride, __m512i m[16])
{
    __m512i a[4], b[4], c[4], d[4];
    tile(block, stride, a);
    tile(block + 4 * stride, stride, b);
    tile(block + 8 * stride, stride, c);
    tile(block + 12 * stride, stride, d);
    lanes(a[0], b[0], c[0], d[0], &m[0], &m[4], &m[8], &m[12]);
    lanes(a[1], b[1], c[1], d[1], &m[1], &m[5], &m[9], &m[13]);
    lanes(a[2], b[2], c[2], d[2], &m[2], &m[6], &m[10], &m[14]);
    lanes(a[3], b[3], c[3], d[3], &m[3], &m[7], &m[11], &m[15]);
}

AVX512 static void hash16(const uint8_t *input, intptr_t stride, int blocks, const uint32_t key[8], uint64_t counter,
                          int increment, uint8_t flags, uint8_t flags_start, uint8_t flags_end, uint8_t *out)
{
    uint32_t lo[16], hi[16];
    for (int i = 0; i < 16; i++)
    {
        uint64_t c = increment ? counter + (uint64_t)i : counter;
        lo[i] = (uint32_t)c;
        hi[i] = (uint32_t)(c >> 32);
    }
    const __m512i counter_lo = _mm512_loadu_si512(lo), counter_hi = _mm512_loadu_si512(hi);
    __m512i h[8];
    for (int i = 0; i < 8; i++)
        h[i] = _mm512_set1_epi32((int32_t)key[i]);
    uint32_t block_flags = (uint32_t)(flags | flags_start);
    __m512i m[16], v[16];
    for (int b = 0; b < blocks; b++)
    {
        if (b == blocks - 1)
            block_flags |= flags_end;
        load_transposed(input + (intptr_t)b * 64, stride, m);
        for (int i = 0; i < 8; i++)
            v[i] = h[i];
        v[8] = _mm512_set1_epi32((int32_t)IV[0]);
        v[9] = _mm512_set1_epi32((int32_t)IV[1]);
        v[10] = _mm512_set1_epi32((int32_t)IV[2]);
        v[11] = _mm512_set1_epi32((int32_t)IV[3]);
        v[12] = counter_lo;
        v[13] = counter_hi;
        v[14] = _mm512_set1_epi32(64);
        v[15] = _mm512_set1_epi32((int32_t)block_flags);
        round16(v, m, 0);
        round16(v, m, 1);
        round16(v, m, 2);
        round16(v, m, 3);
        round16(v, m, 4);
        round16(v, m, 5);
        round16(v, m, 6);
        for (int i = 0; i < 8; i++)
            h[i] = XOR(v[i], v[i + 8]);
        block_flags = flags;
    }
    uint32_t words[8][16];
    for (int w = 0; w < 8; w++)
        _mm512_storeu_si512(words[w], h[w]);
    for (int i = 0; i < 16; i++)
    {
        uint32_t cv[8];
        for (int w = 0; w < 8; w++)
            cv[w] = words[w][i];
        memcpy(out + 32 * i, cv, sizeof cv);
    }
}

// Like Blake3Portable.HashMany for the first count - count % 16 inputs: input i starts at input + i * stride, has
// `blocks` full blocks, and uses counter + i when `increment` (chunks) or counter (parents); its 32-byte chaining
// value goes to out + 32 * i. Returns how many inputs it hashed (a multiple of 16).
int volt_blake3_hash_many16(const uint8_t *input, intptr_t stride, int count, int blocks, const uint32_t *key,
                            uint64_t counter, int increment, uint8_t flags, uint8_t flags_start, uint8_t flags_end,
                            uint8_t *out)
{
    int done = 0;
    for (; count - done >= 16; done += 16)
    {
        hash16(input + (intptr_t)done * stride, stride, blocks, key, increment ? counter + (uint64_t)done : counter,
               increment, flags, flags_start, flags_end, out + (intptr_t)done * 32);
    }
    return done;
}
#else
int volt_blake3_avx512_usable(void) { return 0; }
int volt_blake3_hash_many16(const uint8_t *input, intptr_t stride, int count, int blocks, const uint32_t *key,
                            uint64_t counter, int increment, uint8_t flags, uint8_t flags_start, uint8_t flags_end,
                            uint8_t *out)
{
    (void)input; (void)stride; (void)count; (void)blocks; (void)key; (void)counter; (void)increment; (void)flags;
    (void)flags_start; (void)flags_end; (void)out;
    return 0;
}
#endif

// ---- SIGBUS guard for read-only file mappings ----

#define GUARD_SLOTS 64

static struct
{
    _Atomic uintptr_t start; // 0: free
    _Atomic uintptr_t end;
    _Atomic int hit;
} guards[GUARD_SLOTS];

static struct sigaction previous;
static _Atomic int installed; // 0 no, 1 installing, 2 yes, -1 failed
static uintptr_t page_size;

static void on_sigbus(int sig, siginfo_t *info, void *context)
{
    uintptr_t addr = (uintptr_t)info->si_addr;
    for (int i = 0; i < GUARD_SLOTS; i++)
    {
        uintptr_t start = guards[i].start;
        if (start == 0 || addr < start || addr >= guards[i].end)
            continue;
        int saved = errno;
        void *page = (void *)(addr & ~(page_size - 1));
        void *r = mmap(page, page_size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
        errno = saved;
        if (r == MAP_FAILED)
            break;
        guards[i].hit = 1;
        return; // the load runs again and reads zeros
    }
    if (previous.sa_flags & SA_SIGINFO)
    {
        previous.sa_sigaction(sig, info, context);
    }
    else if (previous.sa_handler == SIG_DFL || previous.sa_handler == SIG_IGN)
    {
        // The default action: the fault repeats once this returns, and kills the process as it would have.
        signal(SIGBUS, SIG_DFL);
    }
    else
    {
        previous.sa_handler(sig);
    }
}

static int install(void)
{
    int state = installed;
    if (state == 2)
        return 1;
    if (state == -1)
        return 0;
    int expected = 0;
    if (atomic_compare_exchange_strong(&installed, &expected, 1))
    {
        page_size = (uintptr_t)sysconf(_SC_PAGESIZE);
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_sigbus;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_RESTART;
        sigemptyset(&sa.sa_mask);
        installed = sigaction(SIGBUS, &sa, &previous) == 0 ? 2 : -1;
    }
    while (installed == 1)
        ; // another thread is installing (a few instructions)
    return installed == 2;
}

// Guards [start, start + length): a SIGBUS inside reads zeros instead of killing the process. Returns the slot to pass
// to volt_map_guard_release, or -1 (no handler, or all slots taken: the caller reads the file instead).
int volt_map_guard_register(const void *start, size_t length)
{
    if (start == NULL || length == 0 || !install())
        return -1;
    for (int i = 0; i < GUARD_SLOTS; i++)
    {
        uintptr_t free_slot = 0;
        if (guards[i].start != 0)
            continue;
        // Claim with a sentinel, publish the end, then the start.
        if (!atomic_compare_exchange_strong(&guards[i].start, &free_slot, (uintptr_t)-1))
            continue;
        guards[i].hit = 0;
        guards[i].end = (uintptr_t)start + length;
        guards[i].start = (uintptr_t)start;
        return i;
    }
    return -1;
}

// Ends the guard of a slot; returns 1 if a SIGBUS hit its range (the bytes read there were zeros, not the file's).
int volt_map_guard_release(int slot)
{
    if (slot < 0 || slot >= GUARD_SLOTS)
        return 0;
    int hit = guards[slot].hit;
    guards[slot].end = 0;
    guards[slot].start = 0;
    return hit;
}
