/*
 * lib/src/passport/identity.c: the Identity header field value (RFC 8224 §4.1),
 * parsed with the tolerance deployed peers need (peers notes §2.5) and
 * formatted without any way to inject into the header.
 */
#include "support/stir_core_test.h"

#include "passport/identity.h"

/* A secsipidx -sign-full value (peers notes §2.4), shortened signature part
 * kept at its real length of 86 characters. */
#define JWS                                                                                       \
    "eyJhbGciOiJFUzI1NiIsInBwdCI6InNoYWtlbiIsInR5cCI6InBhc3Nwb3J0IiwieDV1IjoiaHR0cDovLzEyNy4wLjAu" \
    "MTo4MDkwL3YxL3B1Yi9lYzI1Ni1jZXJ0LnBlbSJ9.eyJhdHRlc3QiOiJBIiwiZGVzdCI6eyJ0biI6WyIxMjE1NTU1Mj" \
    "AwMCJdfSwiaWF0IjoxNzk1MzA1MDk0LCJvcmlnIjp7InRuIjoiMTIxNTU1NTEwMDAifSwib3JpZ2lkIjoiMTIzZTQ1" \
    "NjctZTg5Yi0xMmQzLWE0NTYtNDI2NjE0MTc0MDAwIn0.ZjRsM2xBZ2VnX3NpZ25hdHVyZV9ieXRlc19hcmVfbm90X2N" \
    "oZWNrZWRfaGVyZV8xMjM0NTY3ODkwMTIzNDU2Nzg5MA"
#define INFO "http://127.0.0.1:8090/v1/pub/ec256-cert.pem"
#define VALUE JWS ";info=<" INFO ">;alg=ES256;ppt=shaken"

static int slice_eq(const clid__slice *s, const char *lit)
{
    return s->ptr != NULL && s->len == strlen(lit) && memcmp(s->ptr, lit, s->len) == 0;
}

/* Parses an exact-size heap copy of `v`. */
static clid_err parse(const char *v, clid__identity *id)
{
    size_t n = strlen(v);
    char *exact = sc_exact(v, n);
    clid_err rc = clid__identity_parse(exact, n, id);
    /* slices point into the input: check them before it goes away */
    if (rc == CLID_OK) {
        clid__slice *s[] = {&id->jws, &id->info, &id->alg, &id->ppt};
        for (size_t i = 0; i < 4; i++)
            if (s[i]->ptr != NULL)
                assert_true(s[i]->ptr >= exact && s[i]->ptr + s[i]->len <= exact + n);
        /* re-point them at the caller's string for comparisons */
        for (size_t i = 0; i < 4; i++)
            if (s[i]->ptr != NULL)
                s[i]->ptr = v + (s[i]->ptr - exact);
    }
    free(exact);
    return rc;
}

static void secsipidx_value(void **state)
{
    (void)state;
    clid__identity id;
    sc_assert_ok(parse(VALUE, &id));
    assert_true(slice_eq(&id.jws, JWS));
    assert_true(slice_eq(&id.info, INFO));
    assert_true(slice_eq(&id.alg, "ES256"));
    assert_true(slice_eq(&id.ppt, "shaken"));
}

/* What RFC 8224's grammar allows or deployed peers send (peers notes §2.5). */
static void tolerated(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        const char *info, *alg, *ppt; /* NULL: absent */
    } cases[] = {
        {JWS ";info=<" INFO ">", INFO, NULL, NULL},
        {JWS ";info=<" INFO ">;alg=ES256", INFO, "ES256", NULL},
        {JWS ";ppt=shaken;alg=ES256;info=<" INFO ">", INFO, "ES256", "shaken"},
        {JWS ";info=<" INFO ">;alg=ES256;ppt=\"shaken\"", INFO, "ES256", "shaken"},
        {JWS ";info=<" INFO ">;alg=\"ES256\";ppt=div", INFO, "ES256", "div"},
        {JWS " ; info = <" INFO "> ; alg = ES256 ; ppt = shaken ", INFO, "ES256", "shaken"},
        {"  " JWS "\t;\tinfo=<" INFO ">\t", INFO, NULL, NULL},
        {JWS ";info=" INFO ";alg=ES256;ppt=shaken", INFO, "ES256", "shaken"},
        {JWS ";INFO=<" INFO ">;Alg=ES256;PPT=shaken", INFO, "ES256", "shaken"},
        {JWS ";info=<https://a.example/x;y=1?z>;ppt=shaken", "https://a.example/x;y=1?z", NULL,
         "shaken"},
        /* unknown generic parameters are skipped, with or without values */
        {JWS ";foo;info=<" INFO ">;bar=baz;q=\"x y;z\";ppt=shaken;v6=[::1]", INFO, NULL,
         "shaken"},
        {JWS ";foo=1;foo=2;info=<" INFO ">", INFO, NULL, NULL},
        /* a compact form is a digest like any other here */
        {"..ZjRs;info=<" INFO ">;ppt=shaken", INFO, NULL, "shaken"},
        /* other ppt values are the verifier's policy, not syntax */
        {JWS ";info=<" INFO ">;ppt=rcd", INFO, NULL, "rcd"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clid__identity id;
        clid_err rc = parse(cases[i].value, &id);
        if (rc != CLID_OK)
            fail_msg("case %zu: %s", i, clid_err_name(rc));
        assert_true(id.jws.len > 0);
        assert_true(slice_eq(&id.info, cases[i].info));
        if (cases[i].alg)
            assert_true(slice_eq(&id.alg, cases[i].alg));
        else
            assert_null(id.alg.ptr);
        if (cases[i].ppt)
            assert_true(slice_eq(&id.ppt, cases[i].ppt));
        else
            assert_null(id.ppt.ptr);
    }
}

static void refused(void **state)
{
    (void)state;
    static const struct {
        const char *value;
        clid_err rc;
    } cases[] = {
        /* info is required (RFC 8224 §4.1); compact without parameters too */
        {JWS, CLID_ERR_IDENTITY_NO_INFO},
        {JWS ";alg=ES256;ppt=shaken", CLID_ERR_IDENTITY_NO_INFO},
        {JWS ";infox=abc;alg=ES256", CLID_ERR_IDENTITY_NO_INFO},
        {JWS ";info", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<>", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO, CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<no-scheme/x>", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<http:>", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO " x>", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<<" INFO ">>", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=\"" INFO "\"", CLID_ERR_IDENTITY_SYNTAX},
        /* alg */
        {JWS ";info=<" INFO ">;alg=ES384", CLID_ERR_IDENTITY_ALG},
        {JWS ";info=<" INFO ">;alg=es256", CLID_ERR_IDENTITY_ALG},
        {JWS ";info=<" INFO ">;alg=none", CLID_ERR_IDENTITY_ALG},
        {JWS ";info=<" INFO ">;alg", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;alg=", CLID_ERR_IDENTITY_SYNTAX},
        /* repeated parameters are ambiguous */
        {JWS ";info=<" INFO ">;info=<" INFO ">", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;ppt=shaken;ppt=div", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;alg=ES256;ALG=ES256", CLID_ERR_IDENTITY_SYNTAX},
        /* ppt */
        {JWS ";info=<" INFO ">;ppt", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;ppt=\"sha ken\"", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;ppt=\"sha\\\"ken\"", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;ppt=\"shaken", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;ppt=\"\"", CLID_ERR_IDENTITY_SYNTAX},
        /* digest */
        {";info=<" INFO ">", CLID_ERR_IDENTITY_SYNTAX},
        {"", CLID_ERR_IDENTITY_SYNTAX},
        {"   ", CLID_ERR_IDENTITY_SYNTAX},
        {JWS "==;info=<" INFO ">", CLID_ERR_IDENTITY_SYNTAX},
        {"abc+/def;info=<" INFO ">", CLID_ERR_IDENTITY_SYNTAX},
        {"abc def;info=<" INFO ">", CLID_ERR_IDENTITY_SYNTAX},
        /* structure */
        {JWS ";info=<" INFO ">;", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;;ppt=shaken", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">,ppt=shaken", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO "> x", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;foo=\"unterminated", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;foo=", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;=x", CLID_ERR_IDENTITY_SYNTAX},
        /* control characters anywhere, CR/LF first of all */
        {JWS ";info=<" INFO ">\r\nX-Evil: 1", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;ppt=shaken\n", CLID_ERR_IDENTITY_SYNTAX},
        {JWS "\r;info=<" INFO ">", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;foo=\"a\rb\"", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;foo=\"a\x01" "b\"", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<" INFO ">;foo=\"a\x7f" "b\"", CLID_ERR_IDENTITY_SYNTAX},
        {JWS ";info=<http://h\xc3\xa9/x>", CLID_ERR_IDENTITY_SYNTAX},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        clid__identity id;
        memset(&id, 0x55, sizeof id);
        clid_err rc = parse(cases[i].value, &id);
        if (rc != cases[i].rc)
            fail_msg("case %zu \"%s\": got %s, expected %s", i, cases[i].value, clid_err_name(rc),
                     clid_err_name(cases[i].rc));
        assert_null(id.jws.ptr); /* nothing half-parsed is handed out */
        assert_null(id.info.ptr);
    }

    /* an embedded NUL is a control character too */
    static const char nul[] = JWS ";info=<" INFO ">\0;ppt=shaken";
    clid__identity id;
    sc_assert_err(clid__identity_parse(nul, sizeof nul - 1, &id), CLID_ERR_IDENTITY_SYNTAX);
    sc_assert_err(clid__identity_parse(NULL, 0, &id), CLID_ERR_IDENTITY_SYNTAX);
    sc_assert_err(clid__identity_parse(NULL, 3, &id), CLID_ERR_INVALID_ARGUMENT);
    sc_assert_err(clid__identity_parse(VALUE, strlen(VALUE), NULL), CLID_ERR_INVALID_ARGUMENT);
}

/* CLID_IDENTITY_MAX_LEN bytes are fine, one more is not (oversized header). */
static void size_bound(void **state)
{
    (void)state;
    const size_t max = CLID_IDENTITY_MAX_LEN;
    char *v = malloc(max + 2);
    assert_non_null(v);
    static const char tail[] = ";info=<" INFO ">";
    memset(v, 'A', max + 1);
    memcpy(v + max - (sizeof tail - 1), tail, sizeof tail - 1);
    clid__identity id;
    sc_assert_ok(clid__identity_parse(v, max, &id));
    assert_int_equal(id.jws.len, max - (sizeof tail - 1));
    memcpy(v + max + 1 - (sizeof tail - 1), tail, sizeof tail - 1);
    sc_assert_err(clid__identity_parse(v, max + 1, &id), CLID_ERR_IDENTITY_TOO_LARGE);
    free(v);
}

/*
 * Every prefix of a valid value, each its own exact-size allocation: no read
 * past it, and the outcome is what the prefix says. A prefix that ends
 * inside the digest or the info parameter must fail; once the info
 * parameter is complete, a prefix may be a valid (shorter) value, whose
 * slices then lie inside it.
 */
static void truncations(void **state)
{
    (void)state;
    const size_t n = strlen(VALUE);
    const size_t info_end = strlen(JWS ";info=<" INFO ">");
    for (size_t k = 0; k < n; k++) {
        char *prefix = sc_exact(VALUE, k);
        clid__identity id;
        clid_err rc = clid__identity_parse(prefix, k, &id);
        if (k < info_end) {
            if (rc == CLID_OK)
                fail_msg("prefix of %zu/%zu bytes accepted", k, n);
        } else if (rc == CLID_OK) {
            assert_true(id.info.ptr + id.info.len <= prefix + k);
            if (id.ppt.ptr)
                assert_true(id.ppt.ptr + id.ppt.len <= prefix + k);
        }
        free(prefix);
    }
}

/* ------------------------------------------------------------------------ */
/* formatting                                                                */

static void format_roundtrip(void **state)
{
    (void)state;
    char out[1024];
    size_t len = 0;
    sc_assert_ok(clid__identity_format(JWS, strlen(JWS), INFO, "shaken", out, sizeof out, &len));
    assert_string_equal(out, VALUE);
    assert_int_equal(len, strlen(VALUE));
    clid__identity id;
    sc_assert_ok(parse(out, &id));
    assert_true(slice_eq(&id.jws, JWS));
    assert_true(slice_eq(&id.info, INFO));

    /* the jws is taken by length, not up to a NUL */
    sc_assert_ok(clid__identity_format(JWS "garbage", strlen(JWS), INFO, "div", out, sizeof out,
                                       &len));
    assert_string_equal(out, JWS ";info=<" INFO ">;alg=ES256;ppt=div");
}

static void format_buffer(void **state)
{
    (void)state;
    const size_t need = strlen(VALUE) + 1;
    size_t len = 0;
    sc_assert_err(clid__identity_format(JWS, strlen(JWS), INFO, "shaken", NULL, 0, &len),
                  CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, need);
    char *out = malloc(need);
    assert_non_null(out);
    sc_assert_err(clid__identity_format(JWS, strlen(JWS), INFO, "shaken", out, need - 1, &len),
                  CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, need);
    sc_assert_ok(clid__identity_format(JWS, strlen(JWS), INFO, "shaken", out, need, &len));
    assert_int_equal(len, need - 1);
    assert_string_equal(out, VALUE);
    free(out);
    char buf[8];
    sc_assert_err(clid__identity_format(NULL, 0, INFO, "shaken", buf, sizeof buf, &len),
                  CLID_ERR_INVALID_ARGUMENT);
    sc_assert_err(clid__identity_format(JWS, strlen(JWS), NULL, "shaken", buf, sizeof buf, &len),
                  CLID_ERR_INVALID_ARGUMENT);
    sc_assert_err(clid__identity_format(JWS, strlen(JWS), INFO, NULL, buf, sizeof buf, &len),
                  CLID_ERR_INVALID_ARGUMENT);
    sc_assert_err(clid__identity_format(JWS, strlen(JWS), INFO, "shaken", buf, sizeof buf, NULL),
                  CLID_ERR_INVALID_ARGUMENT);
    sc_assert_err(clid__identity_format(JWS, strlen(JWS), INFO, "shaken", NULL, 5, &len),
                  CLID_ERR_INVALID_ARGUMENT);
}

/* Nothing clid writes can end the header or start another one. */
static void format_injection(void **state)
{
    (void)state;
    static const char *const bad_info[] = {
        INFO "\r\nX-Evil: 1", INFO "\n", "http://a/\rb", INFO ">;ppt=div;x=<a",
        "http://a/ b", ("<" INFO), "http://a/\"b", "http://a/\x01", "http://a/\x7f",
        "http://h\xc3\xa9/", "",
    };
    static const char *const bad_ppt[] = {
        "shaken\r\n", "shaken;alg=none", "sha ken", "\"shaken\"", "", ("sh\x01" "aken"), "a=b",
    };
    char out[1024];
    size_t len = 77;
    for (size_t i = 0; i < sizeof bad_info / sizeof bad_info[0]; i++) {
        clid_err rc = clid__identity_format(JWS, strlen(JWS), bad_info[i], "shaken", out,
                                            sizeof out, &len);
        if (rc != CLID_ERR_HEADER_INJECTION)
            fail_msg("info %zu: got %s", i, clid_err_name(rc));
        assert_int_equal(len, 0);
    }
    for (size_t i = 0; i < sizeof bad_ppt / sizeof bad_ppt[0]; i++) {
        clid_err rc = clid__identity_format(JWS, strlen(JWS), INFO, bad_ppt[i], out, sizeof out,
                                            &len);
        if (rc != CLID_ERR_HEADER_INJECTION)
            fail_msg("ppt %zu: got %s", i, clid_err_name(rc));
    }
    static const char *const bad_jws[] = {"a.b.c\r\n", "a.b.c;info=<x>", "a b", "a=", ""};
    for (size_t i = 0; i < sizeof bad_jws / sizeof bad_jws[0]; i++) {
        clid_err rc = clid__identity_format(bad_jws[i], strlen(bad_jws[i]), INFO, "shaken", out,
                                            sizeof out, &len);
        if (rc != CLID_ERR_HEADER_INJECTION)
            fail_msg("jws %zu: got %s", i, clid_err_name(rc));
    }
    /* an embedded NUL in the digest, given by length */
    sc_assert_err(clid__identity_format("a.b\0c", 5, INFO, "shaken", out, sizeof out, &len),
                  CLID_ERR_HEADER_INJECTION);

    /* too large for a receiver to accept */
    char *big = malloc(CLID_IDENTITY_MAX_LEN + 1);
    assert_non_null(big);
    memset(big, 'A', CLID_IDENTITY_MAX_LEN);
    big[CLID_IDENTITY_MAX_LEN] = '\0';
    sc_assert_err(clid__identity_format(big, CLID_IDENTITY_MAX_LEN - 10, INFO, "shaken", NULL, 0,
                                        &len),
                  CLID_ERR_IDENTITY_TOO_LARGE);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(secsipidx_value),
        cmocka_unit_test(tolerated),
        cmocka_unit_test(refused),
        cmocka_unit_test(size_bound),
        cmocka_unit_test(truncations),
        cmocka_unit_test(format_roundtrip),
        cmocka_unit_test(format_buffer),
        cmocka_unit_test(format_injection),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
