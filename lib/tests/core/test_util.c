/*
 * lib/src/core/util.c: the character-class checks every validator builds on
 * (UTF-8 per RFC 3629, telephone numbers per RFC 8226's TelephoneNumber),
 * owned string lists, bounded growth, and the _encode buffer contract.
 */
#include "support/clid_test.h"

#include "asn1/asn1_codec.h"
#include "core/internal.h"

/* Most vectors are C string literals: check them over their full length so
 * that an embedded NUL counts as a byte. */
#define UTF8_OK(lit) assert_true(clid__is_clean_utf8((lit), sizeof(lit) - 1))
#define UTF8_BAD(lit) assert_false(clid__is_clean_utf8((lit), sizeof(lit) - 1))

static void utf8_accepts(void **state)
{
    (void)state;
    UTF8_OK("");
    UTF8_OK("plain ASCII ~");
    UTF8_OK("\xc2\xa0");         /* U+00A0, first 2-byte character after C1 */
    UTF8_OK("T\xc3\xa9l\xc3\xa9" "com");
    UTF8_OK("\xdf\xbf");         /* U+07FF, last 2-byte */
    UTF8_OK("\xe0\xa0\x80");     /* U+0800, first 3-byte */
    UTF8_OK("\xed\x9f\xbf");     /* U+D7FF, just below the surrogates */
    UTF8_OK("\xee\x80\x80");     /* U+E000, just above them */
    UTF8_OK("\xef\xbf\xbf");     /* U+FFFF */
    UTF8_OK("\xf0\x90\x80\x80"); /* U+10000, first 4-byte */
    UTF8_OK("\xf4\x8f\xbf\xbf"); /* U+10FFFF, the last code point */
    UTF8_OK("a\xf0\x9f\x98\x80"); /* a 4-byte character as the very last bytes */
}

static void utf8_rejects(void **state)
{
    (void)state;
    /* C0 controls, DEL and C1 controls are refused (the values end up in
     * headers and logs). */
    UTF8_BAD("\x00");
    UTF8_BAD("a\x00" "b");
    UTF8_BAD("\x01");
    UTF8_BAD("\t");
    UTF8_BAD("\n");
    UTF8_BAD("\x1f");
    UTF8_BAD("\x7f");
    UTF8_BAD("\xc2\x80"); /* U+0080 */
    UTF8_BAD("\xc2\x9f"); /* U+009F */
    /* RFC 3629 §3: overlong forms, surrogates, beyond U+10FFFF. */
    UTF8_BAD("\xc0\x80");
    UTF8_BAD("\xc1\xbf");
    UTF8_BAD("\xe0\x80\x80");
    UTF8_BAD("\xe0\x9f\xbf");
    UTF8_BAD("\xf0\x80\x80\x80");
    UTF8_BAD("\xf0\x8f\xbf\xbf");
    UTF8_BAD("\xed\xa0\x80"); /* U+D800 */
    UTF8_BAD("\xed\xbf\xbf"); /* U+DFFF */
    UTF8_BAD("\xf4\x90\x80\x80"); /* U+110000 */
    UTF8_BAD("\xf5\x80\x80\x80");
    UTF8_BAD("\xf8\x88\x80\x80\x80");
    UTF8_BAD("\xfe");
    UTF8_BAD("\xff");
    /* Stray continuation bytes, truncated sequences (also at the end). */
    UTF8_BAD("\x80");
    UTF8_BAD("a\xbf");
    UTF8_BAD("\xc3");
    UTF8_BAD("a\xc3");
    UTF8_BAD("\xe2\x82");
    UTF8_BAD("\xf0\x9f\x98");
    UTF8_BAD("\xc3" "a");
    UTF8_BAD("\xe2\x82" "a");
    UTF8_BAD("\xf0\x9f\x98" "a");
}

/* The validator must never read past `len`: give it a string whose
 * multi-byte lead is the last byte of an exact-size allocation. */
static void utf8_bounded_read(void **state)
{
    (void)state;
    uint8_t *p = ct_dup((const uint8_t *)"ab\xf0", 3);
    assert_false(clid__is_clean_utf8((const char *)p, 3));
    assert_true(clid__is_clean_utf8((const char *)p, 2));
    free(p);
}

static void tn_checks(void **state)
{
    (void)state;
    assert_true(clid__is_tn("1", 1));
    assert_true(clid__is_tn("123456789012345", 15));
    assert_true(clid__is_tn("*67#", 4));
    assert_true(clid__is_tn("#", 1));
    assert_false(clid__is_tn("", 0));
    assert_false(clid__is_tn("1234567890123456", 16)); /* SIZE (1..15) */
    assert_false(clid__is_tn("+12025551000", 12));     /* canonical TNs have no '+' */
    assert_false(clid__is_tn("1202 555", 8));
    assert_false(clid__is_tn("12a", 3));
    assert_false(clid__is_tn("12\0" "3", 4));
    assert_false(clid__is_tn("1-2", 3));
    /* Only `len` bytes count. */
    assert_true(clid__is_tn("12x", 2));

    assert_true(clid__all_digits("0", 1));
    assert_true(clid__all_digits("0123456789", 10));
    assert_false(clid__all_digits("", 0));
    assert_false(clid__all_digits("12#", 3));
    assert_false(clid__all_digits("/", 1)); /* '0' - 1 */
    assert_false(clid__all_digits(":", 1)); /* '9' + 1 */
}

static void printable_ascii(void **state)
{
    (void)state;
    assert_true(clid__is_printable_ascii("!", 1));
    assert_true(clid__is_printable_ascii("~", 1));
    assert_true(clid__is_printable_ascii("709J", 4));
    assert_false(clid__is_printable_ascii("", 0));
    assert_false(clid__is_printable_ascii(" ", 1));
    assert_false(clid__is_printable_ascii("a b", 3));
    assert_false(clid__is_printable_ascii("\x7f", 1));
    assert_false(clid__is_printable_ascii("\x80", 1));
    assert_false(clid__is_printable_ascii("\xff", 1));
    assert_false(clid__is_printable_ascii("a\0", 2));
}

static void strndup_and_grow(void **state)
{
    (void)state;
    char *s = clid__strndup("abcdef", 3);
    assert_non_null(s);
    assert_string_equal(s, "abc");
    free(s);
    s = clid__strndup("", 0);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);

    int *v = NULL;
    size_t cap = 0;
    assert_ok(clid__grow((void **)&v, &cap, 1, sizeof *v));
    assert_true(cap >= 1);
    assert_ok(clid__grow((void **)&v, &cap, 100, sizeof *v));
    assert_true(cap >= 100);
    for (int i = 0; i < 100; i++)
        v[i] = i; /* the whole capacity is usable (ASan would flag it) */
    size_t before = cap;
    assert_ok(clid__grow((void **)&v, &cap, 50, sizeof *v)); /* never shrinks */
    assert_int_equal(cap, before);
    /* Sizes that would overflow size_t are refused, not wrapped. */
    assert_err(clid__grow((void **)&v, &cap, SIZE_MAX, sizeof *v), CLID_ERR_NOMEM);
    assert_err(clid__grow((void **)&v, &cap, SIZE_MAX / 2 + 2, 1), CLID_ERR_NOMEM);
    assert_err(clid__grow((void **)&v, &cap, before * 2, SIZE_MAX / 4), CLID_ERR_NOMEM);
    assert_int_equal(cap, before); /* unchanged after a refusal */
    assert_int_equal(v[99], 99);
    free(v);
}

static void strlists(void **state)
{
    (void)state;
    clid_strlist a = {0}, b = {0};
    for (int i = 0; i < 20; i++) {
        char buf[8];
        snprintf(buf, sizeof buf, "s%d", i);
        assert_ok(clid__strlist_push(&a, buf, strlen(buf)));
    }
    assert_int_equal(a.n, 20);
    assert_string_equal(a.v[0], "s0");
    assert_string_equal(a.v[19], "s19");
    assert_true(clid__strlist_contains(&a, "s7"));
    assert_false(clid__strlist_contains(&a, "s"));
    assert_false(clid__strlist_contains(&a, "s77"));
    /* push takes a length: the copy stops there. */
    assert_ok(clid__strlist_push(&b, "xyz", 1));
    assert_string_equal(b.v[0], "x");
    assert_false(clid__strlist_equal(&a, &b));
    clid__strlist_clear(&b);
    assert_int_equal(b.n, 0);
    assert_null(b.v);
    assert_true(clid__strlist_equal(&a, &b) == 0);
    assert_ok(clid__strlist_copy(&b, &a));
    assert_true(clid__strlist_equal(&a, &b));
    assert_true(a.v[3] != b.v[3]); /* deep copy */
    free(b.v[3]);
    b.v[3] = clid__strndup("other", 5);
    assert_false(clid__strlist_equal(&a, &b));
    clid__strlist_clear(&a);
    clid__strlist_clear(&b);
    clid__strlist_clear(&b); /* idempotent */
}

/* The _encode buffer contract lives in clid__deliver_der: NULL buffer is a
 * size query, a short buffer reports the size needed. */
static uint8_t *mk_der(void)
{
    uint8_t *d = malloc(4);
    assert_non_null(d);
    memcpy(d, "\x30\x02\x05\x00", 4);
    return d;
}

static void deliver_der(void **state)
{
    (void)state;
    size_t n = 0;
    assert_ok(clid__deliver_der(mk_der(), 4, NULL, 0, &n));
    assert_int_equal(n, 4);
    uint8_t buf[8];
    memset(buf, 0xee, sizeof buf);
    n = 0;
    assert_err(clid__deliver_der(mk_der(), 4, buf, 3, &n), CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 4);
    n = 0;
    assert_ok(clid__deliver_der(mk_der(), 4, buf, 4, &n));
    assert_int_equal(n, 4);
    assert_memory_equal(buf, "\x30\x02\x05\x00", 4);
    assert_int_equal(buf[4], 0xee); /* nothing written past the value */
    assert_ok(clid__deliver_der(mk_der(), 4, buf, sizeof buf, &n));
    assert_int_equal(n, 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(utf8_accepts),    cmocka_unit_test(utf8_rejects),
        cmocka_unit_test(utf8_bounded_read), cmocka_unit_test(tn_checks),
        cmocka_unit_test(printable_ascii), cmocka_unit_test(strndup_and_grow),
        cmocka_unit_test(strlists),        cmocka_unit_test(deliver_der),
    };
    return cmocka_run_group_tests_name("util", tests, NULL, NULL);
}
