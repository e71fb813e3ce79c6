/*
 * lib/src/core/tn.c: clid_tn_canonicalize (RFC 8224 §8.3) over the forms callers
 * hand it: bare numbers, tel URIs and sip/sips URIs or their user parts.
 */
#include "support/stir_core_test.h"

typedef struct tn_case {
    const char *in;
    clid_err rc;
    const char *out; /* expected on CLID_OK */
} tn_case;

static const tn_case cases[] = {
    /* bare numbers, visual separators (RFC 3966 §3) and spaces dropped */
    {"12155551212", CLID_OK, "12155551212"},
    {"+12155551212", CLID_OK, "12155551212"},
    {"+1-215-555-1212", CLID_OK, "12155551212"},
    {"+1 (215) 555.1212", CLID_OK, "12155551212"},
    {" +1 215 555 1212 ", CLID_OK, "12155551212"},
    {"(215)5551212", CLID_OK, "2155551212"},
    {"*67", CLID_OK, "*67"},
    {"#31#", CLID_OK, "#31#"},
    {"1", CLID_OK, "1"},
    {"123456789012345", CLID_OK, "123456789012345"}, /* 15 digits: the E.164 maximum */
    {"+1-234-567-890-123-45", CLID_OK, "123456789012345"},
    /* URI parameters are cut, never glued on (standards notes §7 item 6) */
    {"+12155551212;tgrp=TG-1;trunk-context=example.com", CLID_OK, "12155551212"},
    {"+12155551212;npdi;rn=+12155550000", CLID_OK, "12155551212"},
    /* schemes, any case; host and URI parameters after '@' */
    {"tel:+1-215-555-1212", CLID_OK, "12155551212"},
    {"TEL:+1-215-555-1212;ext=22", CLID_OK, "12155551212"},
    {"sip:+12155551212@example.com;user=phone", CLID_OK, "12155551212"},
    {"sips:+12155551212@example.com:5061;user=phone", CLID_OK, "12155551212"},
    {"SIP:+1-215-555-1212;tgrp=x;trunk-context=y@example.com;user=phone", CLID_OK,
     "12155551212"},
    {"+12155551212@example.com", CLID_OK, "12155551212"},
    {"+12155551212?subject=x", CLID_OK, "12155551212"},
    /* phone-context (RFC 3966 §5.1.5): a local number under a global prefix
     * is globalized, separators dropped on both sides */
    {"5551212;phone-context=+1-215", CLID_OK, "12155551212"},
    {"555-1212;phone-context=+1-212", CLID_OK, "12125551212"},
    {"tel:555-1212;phone-context=+1-212", CLID_OK, "12125551212"},
    {"tel:(555) 1212;phone-context=+1.(212)", CLID_OK, "12125551212"},
    {"sip:5551212;phone-context=+1-212@example.com;user=phone", CLID_OK, "12125551212"},
    {"5551212;phone-context=+1-212@example.com", CLID_OK, "12125551212"},
    {"5551212;PHONE-CONTEXT=+1212", CLID_OK, "12125551212"},      /* name case */
    {"5551212;Phone-Context=+1212", CLID_OK, "12125551212"},
    {"5551212;phone-context=+1212;ext=22", CLID_OK, "12125551212"}, /* not last */
    {"5551212;ext=22;phone-context=+1212;tgrp=x", CLID_OK, "12125551212"},
    {"5551212;isub=1;phone-context=+1212", CLID_OK, "12125551212"},
    {"1;phone-context=+12345678901234", CLID_OK, "123456789012341"}, /* 15: limit */
    {"12345678901234;phone-context=+1", CLID_OK, "112345678901234"},
    {"5551212;phone-context=+1212?x=y", CLID_OK, "12125551212"},
    {"5551212;phone-contextx=example.com", CLID_OK, "5551212"},  /* another param */
    {"5551212;xphone-context=+1", CLID_OK, "5551212"},
    {"5551212;phone-context", CLID_ERR_TN_PHONE_CONTEXT, NULL},  /* empty value */
    {"5551212;phone-context=", CLID_ERR_TN_PHONE_CONTEXT, NULL},
    {"5551212;phone-context=;ext=1", CLID_ERR_TN_PHONE_CONTEXT, NULL},
    {"5551212;phone-context=+", CLID_ERR_TN_PHONE_CONTEXT, NULL}, /* no digit */
    {"5551212;phone-context=+-.()", CLID_ERR_TN_PHONE_CONTEXT, NULL},
    {"5551212;phone-context=example.com", CLID_ERR_TN_PHONE_CONTEXT, NULL}, /* domain */
    {"tel:5551212;phone-context=example.com", CLID_ERR_TN_PHONE_CONTEXT, NULL},
    {"sip:5551212;phone-context=example.com@example.com", CLID_ERR_TN_PHONE_CONTEXT, NULL},
    {"5551212;phone-context=1212", CLID_ERR_TN_PHONE_CONTEXT, NULL}, /* no '+' */
    {"5551212;phone-context=+1a12", CLID_ERR_TN_PHONE_CONTEXT, NULL},
    {"5551212;phone-context=++1212", CLID_ERR_TN_PHONE_CONTEXT, NULL},
    {"5551212;phone-context=+1#2", CLID_ERR_TN_PHONE_CONTEXT, NULL},
    {"5551212;phone-context=%2B1212", CLID_ERR_TN_PHONE_CONTEXT, NULL}, /* not decoded */
    {"5551212;phone-context=+1212;phone-context=+1212", CLID_ERR_TN_PHONE_CONTEXT, NULL},
    {"5551212;phone-context=+1212;PHONE-CONTEXT=+1", CLID_ERR_TN_PHONE_CONTEXT, NULL},
    {"+12125551212;phone-context=+1212", CLID_ERR_TN_PHONE_CONTEXT, NULL}, /* global */
    {"+1-215-555-1212;phone-context=example.com", CLID_ERR_TN_PHONE_CONTEXT, NULL},
    {"tel:+12125551212;ext=1;phone-context=+1", CLID_ERR_TN_PHONE_CONTEXT, NULL},
    {"*67;phone-context=+1", CLID_ERR_TN_PHONE_CONTEXT, NULL},   /* service codes */
    {"#31#;phone-context=+1", CLID_ERR_TN_PHONE_CONTEXT, NULL},
    {"12;phone-context=+12345678901234", CLID_ERR_BAD_TN, NULL}, /* 16 digits */
    {"123456789012345;phone-context=+1", CLID_ERR_BAD_TN, NULL},
    {"1234567890123456;phone-context=+1", CLID_ERR_BAD_TN, NULL},
    {";phone-context=+1212", CLID_ERR_BAD_TN, NULL},             /* no local number */
    {"555a;phone-context=+1212", CLID_ERR_BAD_TN, NULL},
    /* after the host it is no user-part parameter: never read */
    {"sip:+12125551212@example.com;phone-context=+1", CLID_OK, "12125551212"},
    /* refused */
    {"", CLID_ERR_BAD_TN, NULL},
    {"+", CLID_ERR_BAD_TN, NULL},
    {"tel:", CLID_ERR_BAD_TN, NULL},
    {"-().", CLID_ERR_BAD_TN, NULL},
    {";tgrp=1", CLID_ERR_BAD_TN, NULL},
    {"@example.com", CLID_ERR_BAD_TN, NULL},
    {"sip:alice@example.com", CLID_ERR_BAD_TN, NULL},  /* letters */
    {"1-800-FLOWERS", CLID_ERR_BAD_TN, NULL},
    {"12155551212x", CLID_ERR_BAD_TN, NULL},
    {"1234567890123456", CLID_ERR_BAD_TN, NULL},      /* 16 digits */
    {"+1 234 567 890 123 456", CLID_ERR_BAD_TN, NULL},
    {"1+2155551212", CLID_ERR_BAD_TN, NULL},          /* '+' not leading */
    {"++12155551212", CLID_ERR_BAD_TN, NULL},
    {"+1\t2155551212", CLID_ERR_BAD_TN, NULL},        /* tab is no separator */
    {"+1\r\n2155551212", CLID_ERR_BAD_TN, NULL},
    {"%2B12155551212", CLID_ERR_BAD_TN, NULL},        /* escapes are not decoded */
    {"<sip:+12155551212@example.com>", CLID_ERR_BAD_TN, NULL}, /* name-addr */
    {"tel+12155551212", CLID_ERR_BAD_TN, NULL},
    {"\xef\xbc\x91", CLID_ERR_BAD_TN, NULL},          /* FULLWIDTH DIGIT ONE */
};

static void table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[CLID_TN_BUF];
        memset(out, 'x', sizeof out);
        clid_err rc = clid_tn_canonicalize(cases[i].in, out);
        if (rc != cases[i].rc)
            fail_msg("case %zu \"%s\": got %s, expected %s", i, cases[i].in, clid_err_name(rc),
                     clid_err_name(cases[i].rc));
        if (rc == CLID_OK)
            assert_string_equal(out, cases[i].out);
        else
            assert_string_equal(out, ""); /* never a partial number */
    }
}

static void arguments(void **state)
{
    (void)state;
    char out[CLID_TN_BUF];
    sc_assert_err(clid_tn_canonicalize(NULL, out), CLID_ERR_INVALID_ARGUMENT);
    sc_assert_err(clid_tn_canonicalize("1", NULL), CLID_ERR_INVALID_ARGUMENT);
}

/* Inputs are bounded: a huge user part is refused without scanning it all,
 * even when everything after the number would be cut anyway. */
static void bounded(void **state)
{
    (void)state;
    char out[CLID_TN_BUF];
    char buf[1024];
    memset(buf, ' ', sizeof buf);
    memcpy(buf, "+12155551212;", 13);
    buf[256] = '\0';
    sc_assert_ok(clid_tn_canonicalize(buf, out));
    assert_string_equal(out, "12155551212");
    buf[256] = ' ';
    buf[257] = '\0';
    sc_assert_err(clid_tn_canonicalize(buf, out), CLID_ERR_BAD_TN);
    buf[257] = ' ';
    buf[sizeof buf - 1] = '\0';
    sc_assert_err(clid_tn_canonicalize(buf, out), CLID_ERR_BAD_TN);
}

/* Canonical output is a fixed point: canonicalizing it again changes
 * nothing (a verifier compares canonical forms from both sides). */
static void idempotent(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (cases[i].rc != CLID_OK)
            continue;
        char out[CLID_TN_BUF];
        sc_assert_ok(clid_tn_canonicalize(cases[i].out, out));
        assert_string_equal(out, cases[i].out);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table),
        cmocka_unit_test(arguments),
        cmocka_unit_test(bounded),
        cmocka_unit_test(idempotent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
