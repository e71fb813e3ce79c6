/*
 * Private helpers shared by lib/src. Nothing here is exported: the library
 * is built with -fvisibility=hidden and these carry no CLID_API.
 */
#ifndef CLID_INTERNAL_H
#define CLID_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid_errors.h>

/* Return early on error; the happy path stays linear (style notes §2.9). */
#define CLID_TRY(expr)                                                                            \
    do {                                                                                          \
        clid_err clid_try_rc_ = (expr);                                                           \
        if (clid_try_rc_ != CLID_OK)                                                              \
            return clid_try_rc_;                                                                  \
    } while (0)

#define CLID_ENSURE(cond, err)                                                                    \
    do {                                                                                          \
        if (!(cond))                                                                              \
            return (err);                                                                         \
    } while (0)

#define CLID_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* A growable array of owned NUL-terminated strings. */
typedef struct clid_strlist {
    char **v;
    size_t n;
    size_t cap;
} clid_strlist;

clid_err clid__strlist_push(clid_strlist *l, const char *s, size_t len);
void clid__strlist_clear(clid_strlist *l);
int clid__strlist_contains(const clid_strlist *l, const char *s);
int clid__strlist_equal(const clid_strlist *a, const clid_strlist *b);
clid_err clid__strlist_copy(clid_strlist *dst, const clid_strlist *src);

/* malloc'd copy of s[0..len) with a NUL; NULL when out of memory. */
char *clid__strndup(const char *s, size_t len);

/* Grows *p (an array of `elem` bytes with capacity *cap) to hold `need`. */
clid_err clid__grow(void **p, size_t *cap, size_t need, size_t elem);

/* Character-class checks over exactly len bytes (embedded NULs fail). */
int clid__is_tn(const char *s, size_t len);            /* 1..15 of 0-9 # * */
int clid__all_digits(const char *s, size_t len);       /* len >= 1, 0-9 only */
int clid__is_printable_ascii(const char *s, size_t len); /* 0x21..0x7E, len >= 1 */
/* Valid UTF-8 (RFC 3629: no overlongs, surrogates or > U+10FFFF) without
 * C0/C1 control characters or DEL. */
int clid__is_clean_utf8(const char *s, size_t len);

/* The signer's clock (sign.c), for callers that must know iat before
 * signing (the SIP adapter compares it with the Date header). */
struct clid_signer;
int64_t clid__signer_now(const struct clid_signer *s);

#endif /* CLID_INTERNAL_H */
