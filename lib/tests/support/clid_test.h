/*
 * Helpers shared by the cmocka unit tests: hex literals for DER vectors, an
 * error assertion that prints code names, and the generic adversarial sweeps
 * (every truncation, every single-byte mutation, every single-byte deletion)
 * that each codec test runs over its golden encodings (style notes §2.7).
 *
 * Everything here is static inline so that each test file can include it and
 * use only what it needs without -Wunused-function.
 */
#ifndef CLID_TEST_H
#define CLID_TEST_H

/* cmocka.h needs these four first (deps notes §4). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clid/clid.h>

/* Fails the current test with both codes spelled out, not as bare numbers. */
#define assert_err(actual, expected)                                                              \
    do {                                                                                          \
        clid_err ct_a_ = (actual);                                                                \
        clid_err ct_e_ = (expected);                                                              \
        if (ct_a_ != ct_e_) {                                                                     \
            print_error("%s:%d: got %s, expected %s\n", __FILE__, __LINE__, clid_err_name(ct_a_), \
                        clid_err_name(ct_e_));                                                    \
            fail();                                                                               \
        }                                                                                         \
    } while (0)

#define assert_ok(expr) assert_err((expr), CLID_OK)

static inline int ct_hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/*
 * Decodes a hex literal such as "30 08 A0 06" (spaces and ':' ignored) into
 * a malloc'd buffer of exactly the decoded length, so that ASan and valgrind
 * see any read past the end. *len receives the length. The buffer is never
 * NULL (a 1-byte allocation backs an empty literal); free it with free().
 */
static inline uint8_t *ct_hex(const char *hex, size_t *len)
{
    size_t n = 0;
    uint8_t *buf = malloc(strlen(hex) / 2 + 1);
    assert_non_null(buf);
    int hi = -1;
    for (const char *p = hex; *p; p++) {
        if (*p == ' ' || *p == ':' || *p == '\n')
            continue;
        int v = ct_hexval(*p);
        if (v < 0)
            fail_msg("bad hex digit '%c' in test vector", *p);
        if (hi < 0) {
            hi = v;
        } else {
            buf[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    if (hi >= 0)
        fail_msg("odd number of hex digits in test vector %s", hex);
    /* Shrink to the exact size: the sweeps rely on the allocation ending
     * where the input ends. */
    uint8_t *exact = malloc(n ? n : 1);
    assert_non_null(exact);
    memcpy(exact, buf, n);
    free(buf);
    *len = n;
    return exact;
}

/* An exact-size heap copy of data[0..len). */
static inline uint8_t *ct_dup(const uint8_t *data, size_t len)
{
    uint8_t *p = malloc(len ? len : 1);
    assert_non_null(p);
    if (len)
        memcpy(p, data, len);
    return p;
}

/*
 * Builds one DER TLV around content[0..n) with a minimal-length header, as a
 * malloc'd buffer (*out_len gets its size). For vectors too long to write as
 * hex. Frees `content` when `take` is set, so calls can nest.
 */
static inline uint8_t *ct_tlv(uint8_t tag, uint8_t *content, size_t n, int take, size_t *out_len)
{
    uint8_t hdr[6];
    size_t h = 0;
    hdr[h++] = tag;
    if (n < 0x80) {
        hdr[h++] = (uint8_t)n;
    } else if (n <= 0xff) {
        hdr[h++] = 0x81, hdr[h++] = (uint8_t)n;
    } else {
        assert_true(n <= 0xffff);
        hdr[h++] = 0x82, hdr[h++] = (uint8_t)(n >> 8), hdr[h++] = (uint8_t)n;
    }
    uint8_t *out = malloc(h + n);
    assert_non_null(out);
    memcpy(out, hdr, h);
    if (n)
        memcpy(out + h, content, n);
    if (take)
        free(content);
    *out_len = h + n;
    return out;
}

/* a || b as a new malloc'd buffer; frees both inputs. */
static inline uint8_t *ct_cat(uint8_t *a, size_t alen, uint8_t *b, size_t blen, size_t *out_len)
{
    uint8_t *out = malloc(alen + blen + 1);
    assert_non_null(out);
    memcpy(out, a, alen);
    memcpy(out + alen, b, blen);
    free(a);
    free(b);
    *out_len = alen + blen;
    return out;
}

/*
 * One codec seen generically by the sweeps: decode into an opaque handle,
 * encode a handle (the public _encode contract), free a handle.
 */
typedef struct ct_codec {
    const char *name;
    clid_err (*decode)(const uint8_t *der, size_t len, void **out);
    clid_err (*encode)(const void *v, uint8_t *out, size_t cap, size_t *out_len);
    void (*free)(void *v);
} ct_codec;

/* Encodes v into a malloc'd buffer through the size query + fill contract. */
static inline uint8_t *ct_encode(const ct_codec *c, const void *v, size_t *len)
{
    size_t need = 0;
    assert_ok(c->encode(v, NULL, 0, &need));
    assert_true(need > 0);
    uint8_t *buf = malloc(need);
    assert_non_null(buf);
    size_t got = 0;
    assert_ok(c->encode(v, buf, need, &got));
    assert_int_equal(got, need);
    *len = got;
    return buf;
}

/*
 * Decodes `in` (which must be accepted), re-encodes it and checks that the
 * bytes are identical: strict DER means exactly one encoding per value.
 */
static inline void ct_assert_roundtrip(const ct_codec *c, const uint8_t *in, size_t len)
{
    uint8_t *copy = ct_dup(in, len);
    void *v = NULL;
    clid_err rc = c->decode(copy, len, &v);
    if (rc != CLID_OK)
        fail_msg("%s: golden value rejected with %s", c->name, clid_err_name(rc));
    assert_non_null(v);
    size_t re_len = 0;
    uint8_t *re = ct_encode(c, v, &re_len);
    assert_int_equal(re_len, len);
    assert_memory_equal(re, in, len);
    free(re);
    c->free(v);
    free(copy);
}

/*
 * Decodes `data` (an exact-size heap buffer). Rejection is always fine
 * (the output must then be NULL); acceptance requires that the value
 * re-encodes to exactly the accepted bytes, or, where the input carried
 * X.680 extension additions this version skips (der_struct.h), to a
 * shorter encoding that is itself accepted and re-encodes to itself (the
 * known part is strict DER). Returns 1 when accepted.
 */
static inline int ct_decode_checked(const ct_codec *c, const uint8_t *data, size_t len)
{
    void *v = (void *)&v; /* poison: a rejection must reset it to NULL */
    clid_err rc = c->decode(data, len, &v);
    if (rc != CLID_OK) {
        assert_null(v);
        assert_int_not_equal(clid_err_class_of(rc), CLID_CLASS_NONE);
        return 0;
    }
    assert_non_null(v);
    size_t re_len = 0;
    uint8_t *re = ct_encode(c, v, &re_len);
    if (re_len != len || memcmp(re, data, len) != 0) {
        if (re_len >= len)
            fail_msg("%s: accepted a value that re-encodes differently (%zu vs %zu bytes)",
                     c->name, len, re_len);
        void *v2 = NULL;
        rc = c->decode(re, re_len, &v2);
        if (rc != CLID_OK)
            fail_msg("%s: the known part of an accepted value is refused: %s", c->name,
                     clid_err_name(rc));
        size_t re2_len = 0;
        uint8_t *re2 = ct_encode(c, v2, &re2_len);
        if (re2_len != re_len || memcmp(re2, re, re_len) != 0)
            fail_msg("%s: the known part does not re-encode to itself", c->name);
        free(re2);
        c->free(v2);
    }
    free(re);
    c->free(v);
    return 1;
}

/*
 * Every proper prefix of a valid DER encoding must be refused (the outer
 * length promises more bytes, so the decoder needs more: MALFORMED), and
 * reading one must stay inside the prefix (each prefix is its own
 * exact-size allocation).
 */
static inline void ct_sweep_truncations(const ct_codec *c, const uint8_t *in, size_t len)
{
    for (size_t n = 0; n < len; n++) {
        uint8_t *p = ct_dup(in, n);
        void *v = NULL;
        clid_err rc = c->decode(p, n, &v);
        if (rc != CLID_ERR_DER_MALFORMED)
            fail_msg("%s: prefix of %zu/%zu bytes gave %s, expected CLID_ERR_DER_MALFORMED",
                     c->name, n, len, clid_err_name(rc));
        assert_null(v);
        free(p);
    }
}

/*
 * Every single-byte substitution (all 256 values at every position): no
 * crash, no leak, and whatever is accepted re-encodes identically. Returns
 * how many mutants were accepted, so callers can check that the sweep did
 * reach the decoder's success path at least for the unmodified byte values.
 */
static inline size_t ct_sweep_mutations(const ct_codec *c, const uint8_t *in, size_t len)
{
    size_t accepted = 0;
    uint8_t *p = ct_dup(in, len);
    for (size_t i = 0; i < len; i++) {
        for (unsigned b = 0; b < 256; b++) {
            p[i] = (uint8_t)b;
            accepted += (size_t)ct_decode_checked(c, p, len);
        }
        p[i] = in[i];
    }
    free(p);
    return accepted;
}

/* Every single-byte deletion and every duplication of one byte. */
static inline void ct_sweep_deletions(const ct_codec *c, const uint8_t *in, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t *p = malloc(len + 1);
        assert_non_null(p);
        memcpy(p, in, i);
        memcpy(p + i, in + i + 1, len - i - 1);
        (void)ct_decode_checked(c, p, len - 1);
        memcpy(p, in, i + 1);
        memcpy(p + i + 1, in + i, len - i);
        (void)ct_decode_checked(c, p, len + 1);
        free(p);
    }
}

/* Runs all sweeps over one valid encoding given as hex. */
static inline void ct_sweep_all_hex(const ct_codec *c, const char *hex)
{
    size_t len = 0;
    uint8_t *in = ct_hex(hex, &len);
    ct_assert_roundtrip(c, in, len);
    ct_sweep_truncations(c, in, len);
    /* The unmodified byte value is among the 256 tried at every position,
     * so at least `len` mutants decode. */
    assert_true(ct_sweep_mutations(c, in, len) >= len);
    ct_sweep_deletions(c, in, len);
    free(in);
}

/* A decode of `hex` must fail with exactly `expected`. */
static inline void ct_expect_reject(const ct_codec *c, const char *what, const char *hex,
                                    clid_err expected)
{
    size_t len = 0;
    uint8_t *in = ct_hex(hex, &len);
    void *v = (void *)&v;
    clid_err rc = c->decode(in, len, &v);
    if (rc != expected)
        fail_msg("%s: %s: got %s, expected %s", c->name, what, clid_err_name(rc),
                 clid_err_name(expected));
    assert_null(v);
    free(in);
}

#endif /* CLID_TEST_H */
