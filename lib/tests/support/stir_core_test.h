/*
 * Helpers for the STIR core unit tests (test_tn.c, test_b64url.c,
 * test_es256.c, test_passport.c, test_identity.c). Everything is static
 * inline so that each test uses only what it needs without
 * -Wunused-function.
 */
#ifndef CLID_STIR_CORE_TEST_H
#define CLID_STIR_CORE_TEST_H

/* cmocka.h needs these four first. */
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
#define sc_assert_err(actual, expected)                                                           \
    do {                                                                                          \
        clid_err sc_a_ = (actual);                                                                \
        clid_err sc_e_ = (expected);                                                              \
        if (sc_a_ != sc_e_) {                                                                     \
            print_error("%s:%d: got %s, expected %s\n", __FILE__, __LINE__, clid_err_name(sc_a_), \
                        clid_err_name(sc_e_));                                                    \
            fail();                                                                               \
        }                                                                                         \
    } while (0)

#define sc_assert_ok(expr) sc_assert_err((expr), CLID_OK)

/* An exact-size heap copy of s[0..len) without a terminating NUL, so that
 * ASan and valgrind see any read past the end. */
static inline char *sc_exact(const char *s, size_t len)
{
    char *p = malloc(len ? len : 1);
    assert_non_null(p);
    if (len)
        memcpy(p, s, len);
    return p;
}

/* malloc'd NUL-terminated string from printf-style arguments. */
static inline char *sc_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static inline char *sc_fmt(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

#endif /* CLID_STIR_CORE_TEST_H */
