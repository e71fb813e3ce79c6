/*
 * Unit tests of the SIP adapter (clid_sip.h) through clid_sip_verify:
 * verification outcomes built at run time from the golden requests
 * (tampered To, Date, stale and future iat, no Identity, several Identity
 * headers, compact "y", anonymous callers, what is not a request), then
 * four threads on one verifier. The fixture is sip_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "sip_fixture.h"

/* The Identity value of a signed output (the text after "\nIdentity: "). */
static char *identity_of(const char *signed_msg)
{
    const char *p = strstr(signed_msg, "\nIdentity: ");
    assert_non_null(p);
    p += strlen("\nIdentity: ");
    size_t n = strcspn(p, "\r\n");
    char *v = malloc(n + 1);
    assert_non_null(v);
    memcpy(v, p, n);
    v[n] = '\0';
    return v;
}

/* ------------------------------------------------------------------------ */
/* Verification outcomes                                                     */
/* ------------------------------------------------------------------------ */

/* The signed SIPp-style INVITE: the base of the tests below. */
static char *signed_sipp(size_t *len)
{
    size_t in_len = 0;
    char *in = read_golden("sipp_uac_tn", ".sip", &in_len);
    assert_non_null(in);
    char *out = sign_ok(in, in_len, len);
    free(in);
    return out;
}

static void verify_expect(const char *msg, size_t len, clid_err want, clid_verstat vs, int sip)
{
    clid_result *res = NULL;
    assert_int_equal(clid_result_new(&res), CLID_OK);
    assert_err(verify_msg(msg, len, res), want);
    assert_int_equal(clid_result_verstat(res), vs);
    assert_int_equal(clid_result_sip_status(res), sip);
    clid_result_free(res);
    /* without a result object the same verdict */
    assert_err(verify_msg(msg, len, NULL), want);
}

static void tampered_to(void **state)
{
    (void)state;
    size_t len = 0;
    char *s = signed_sipp(&len);
    verify_expect(s, len, CLID_OK, CLID_VERSTAT_PASSED, 0);
    /* one digit of the To header's number (the Request-URI keeps the old one:
     * To decides, RFC 8224 §5.1) */
    char *to = strstr(s, "\nTo: 12025550199 <sip:12025550199@");
    assert_non_null(to);
    to[strlen("\nTo: 12025550199 <sip:1202555019")] = '8';
    verify_expect(s, len, CLID_ERR_DEST_MISMATCH, CLID_VERSTAT_FAILED, 438);
    free(s);
}

static void date_checks(void **state)
{
    (void)state;
    size_t len = 0, n = 0;
    char *s = signed_sipp(&len);
    /* 300 s before iat: beyond the 60 s window (RFC 8224 §4.1) */
    char *m = insert_line(s, len, "Call-ID:", "Date: Wed, 31 Dec 2025 23:55:00 GMT", "\r\n", &n);
    verify_expect(m, n, CLID_ERR_DATE_MISMATCH, CLID_VERSTAT_FAILED, 403);
    free(m);
    /* 60 s: still inside */
    m = insert_line(s, len, "Call-ID:", "Date: Wed, 31 Dec 2025 23:59:00 GMT", "\r\n", &n);
    verify_expect(m, n, CLID_OK, CLID_VERSTAT_PASSED, 0);
    free(m);
    /* malformed: 403 DATE_INVALID, unless the Date is ignored */
    m = insert_line(s, len, "Call-ID:", "Date: 2026-01-01T00:00:00Z", "\r\n", &n);
    verify_expect(m, n, CLID_ERR_DATE_INVALID, CLID_VERSTAT_FAILED, 403);
    clid_sip_verify_opts o = {.now = t0, .ignore_date = 1};
    assert_err(clid_sip_verify(ver, &o, m, n, NULL), CLID_OK);
    free(m);
    /* two Date headers */
    char *m1 = insert_line(s, len, "Call-ID:", "Date: Thu, 01 Jan 2026 00:00:00 GMT", "\r\n", &n);
    size_t n2 = 0;
    char *m2 = insert_line(m1, n, "CSeq:", "Date: Thu, 01 Jan 2026 00:00:00 GMT", "\r\n", &n2);
    verify_expect(m2, n2, CLID_ERR_DATE_INVALID, CLID_VERSTAT_FAILED, 403);
    free(m1);
    free(m2);
    /* a request without Identity does not care about its Date */
    size_t in_len = 0;
    char *in = read_golden("date_malformed", ".sip", &in_len);
    verify_expect(in, in_len, CLID_ERR_NO_IDENTITY, CLID_VERSTAT_NO_VALIDATION, 428);
    free(in);
    free(s);
}

static void stale_and_future(void **state)
{
    (void)state;
    size_t len = 0;
    char *s = signed_sipp(&len);
    clid_sip_verify_opts o = {.now = t0 + 61};
    assert_err(clid_sip_verify(ver, &o, s, len, NULL), CLID_ERR_IAT_STALE);
    o.now = t0 - 61;
    assert_err(clid_sip_verify(ver, &o, s, len, NULL), CLID_ERR_IAT_FUTURE);
    /* now = 0: the context's clock (t0) */
    assert_err(clid_sip_verify(ver, NULL, s, len, NULL), CLID_OK);
    free(s);
}

static void no_identity(void **state)
{
    (void)state;
    size_t len = 0;
    char *in = read_golden("sipp_uac_tn", ".sip", &len);
    clid_result *res = NULL;
    assert_int_equal(clid_result_new(&res), CLID_OK);
    assert_err(verify_msg(in, len, res), CLID_ERR_NO_IDENTITY);
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_NO_VALIDATION);
    assert_int_equal(clid_result_sip_status(res), 428);
    assert_null(clid_result_orig(res));
    clid_result_free(res);
    free(in);
}

static void several_identities(void **state)
{
    (void)state;
    size_t len = 0, n = 0, n2 = 0;
    char *s = signed_sipp(&len);
    char *good = identity_of(s);
    char *m2 = NULL;
    clid_result *res = NULL;
    assert_int_equal(clid_result_new(&res), CLID_OK);

    /* a bad one before the good one: passes, and res is the good one's */
    char *m = insert_line(s, len, "Identity:", "Identity: not-a-passport", "\r\n", &n);
    assert_err(verify_msg(m, n, res), CLID_OK);
    assert_string_equal(clid_result_orig(res), ORIG);
    assert_non_null(clid_result_signer_subject(res));
    free(m);
    /* after it */
    m = insert_line(s, len, NULL, "Identity: not-a-passport", "\r\n", &n);
    assert_err(verify_msg(m, n, res), CLID_OK);
    free(m);
    /* both bad: the first one's failure */
    char *bad2 = tp_cat("Identity: ", good, NULL);
    bad2[strlen("Identity: ") + 3] ^= 1; /* corrupt the JOSE header */
    m = insert_line(s, len, "Identity:", "Identity: not-a-passport", "\r\n", &n);
    char *only_bad = NULL;
    {
        /* replace the good one by bad2 */
        char *p = strstr(m, "\nIdentity: eyJ");
        assert_non_null(p);
        size_t at = (size_t)(p - m) + 1;
        size_t line_len = strcspn(m + at, "\r");
        size_t bl = strlen(bad2);
        only_bad = malloc(n - line_len + bl + 1);
        assert_non_null(only_bad);
        memcpy(only_bad, m, at);
        memcpy(only_bad + at, bad2, bl);
        memcpy(only_bad + at + bl, m + at + line_len, n - at - line_len);
        n2 = n - line_len + bl;
        only_bad[n2] = '\0';
    }
    /* "not-a-passport" has no info parameter: its failure, not bad2's */
    assert_err(verify_msg(only_bad, n2, res), CLID_ERR_IDENTITY_NO_INFO);
    assert_int_equal(clid_result_sip_status(res), clid_err_sip_status(CLID_ERR_IDENTITY_NO_INFO));
    free(only_bad);
    /* bad2 alone first: its own failure */
    size_t plain_len = 0;
    char *plain = read_golden("sipp_uac_tn", ".sip", &plain_len);
    m2 = insert_line(plain, plain_len, NULL, bad2, "\r\n", &n2);
    free(plain);
    clid_err bad2_rc = verify_msg(m2, n2, res);
    assert_true(bad2_rc != CLID_OK && bad2_rc != CLID_ERR_IDENTITY_NO_INFO);
    free(m2);
    free(m);
    free(bad2);

    /* the compact form "y" (RFC 8224 §4) */
    char *yline = tp_cat("y: ", good, NULL);
    size_t in_len = 0;
    char *in = read_golden("sipp_uac_tn", ".sip", &in_len);
    m = insert_line(in, in_len, NULL, yline, "\r\n", &n);
    assert_err(verify_msg(m, n, res), CLID_OK);
    free(m);
    /* an Identity value over CLID_IDENTITY_MAX_LEN */
    char *huge = malloc(CLID_IDENTITY_MAX_LEN + 32);
    assert_non_null(huge);
    memcpy(huge, "Identity: ", 10);
    memset(huge + 10, 'a', CLID_IDENTITY_MAX_LEN + 10);
    huge[CLID_IDENTITY_MAX_LEN + 20] = '\0';
    m = insert_line(in, in_len, NULL, huge, "\r\n", &n);
    assert_err(verify_msg(m, n, res), CLID_ERR_IDENTITY_TOO_LARGE);
    free(m);
    free(huge);
    /* CLID_SIP_MAX_IDENTITIES: a good one after eight bad ones is not looked at */
    char *cur = dup_exact(in, in_len);
    size_t cur_len = in_len;
    for (int i = 0; i < CLID_SIP_MAX_IDENTITIES; i++) {
        char *next = insert_line(cur, cur_len, NULL, "Identity: x", "\r\n", &n);
        free(cur);
        cur = next;
        cur_len = n;
    }
    m = insert_line(cur, cur_len, NULL, yline, "\r\n", &n);
    assert_err(verify_msg(m, n, res), CLID_ERR_IDENTITY_NO_INFO);
    free(m);
    /* and the eighth is */
    char *shorter = strstr(cur, "Identity: x\r\n");
    assert_non_null(shorter);
    memmove(shorter, shorter + 13, cur_len - (size_t)(shorter - cur) - 13 + 1);
    cur_len -= 13;
    m = insert_line(cur, cur_len, NULL, yline, "\r\n", &n);
    assert_err(verify_msg(m, n, res), CLID_OK);
    free(m);
    free(cur);
    free(in);
    free(yline);
    free(good);
    clid_result_free(res);
    free(s);
}

/* An Identity for ORIG -> DEST made with the core API, spliced by hand. */
static char *with_foreign_identity(const char *name, size_t *n)
{
    static const char *const dests[] = {DEST};
    clid_claims c = {.orig = ORIG, .dest = dests, .dest_count = 1, .attest = 'A'};
    char value[CLID_IDENTITY_MAX_LEN];
    size_t vlen = 0;
    assert_err(clid_sign_identity(signer, &c, value, sizeof value, &vlen), CLID_OK);
    char *line = tp_cat("Identity: ", value, NULL);
    size_t len = 0;
    char *in = read_golden(name, ".sip", &len);
    char *m = insert_line(in, len, NULL, line, "\r\n", n);
    free(in);
    free(line);
    return m;
}

/* `s` (len bytes, NUL-terminated) without the first `cut`. malloc'd. */
static char *without(const char *s, size_t len, const char *cut, size_t *out_len)
{
    const char *p = strstr(s, cut);
    assert_non_null(p);
    size_t at = (size_t)(p - s), n = strlen(cut);
    char *out = malloc(len - n + 1);
    assert_non_null(out);
    memcpy(out, s, at);
    memcpy(out + at, p + n, len - at - n);
    out[len - n] = '\0';
    *out_len = len - n;
    return out;
}

/* Profile deviations reach the result of a SIP verification as they do
 * clid_verify_identity's (docs/verification.md, "Strict and lenient"): the
 * warnings of the Identity header that decided, and under the strict
 * policy the deviation is the request's failure. */
static void warnings_reach_the_result(void **state)
{
    (void)state;
    size_t len = 0, n = 0, n2 = 0;
    char *s = signed_sipp(&len);
    char *m = without(s, len, ";alg=ES256", &n);
    clid_result *res = NULL;
    assert_int_equal(clid_result_new(&res), CLID_OK);

    assert_err(verify_msg(s, len, res), CLID_OK);
    assert_int_equal(clid_result_warning_count(res), 0);
    assert_err(verify_msg(m, n, res), CLID_OK);
    assert_int_equal(clid_result_warning_count(res), 1);
    assert_err(clid_result_warning(res, 0), CLID_ERR_IDENTITY_ALG_ABSENT);

    /* A failing Identity header before it: the passing one decides, with
     * its warning. */
    char *m2 = insert_line(m, n, "Identity:", "Identity: not-a-passport", "\r\n", &n2);
    assert_err(verify_msg(m2, n2, res), CLID_OK);
    assert_int_equal(clid_result_warning_count(res), 1);
    assert_err(clid_result_warning(res, 0), CLID_ERR_IDENTITY_ALG_ABSENT);
    free(m2);
    /* The alg-less header tampered (it warns, then fails), before the
     * conforming one: the result is the conforming one's, no warning. */
    char *good = identity_of(s);
    char *bad = identity_of(m);
    char *semi = strchr(bad, ';');
    assert_non_null(semi);
    *semi = '\0';
    char *sig = strrchr(bad, '.'); /* the JWS's last part */
    *semi = ';';
    assert_non_null(sig);
    sig[5] = sig[5] == 'A' ? 'B' : 'A'; /* the signature no longer holds */
    char *line = tp_cat("Identity: ", bad, NULL);
    size_t plain_len = 0;
    char *plain = read_golden("sipp_uac_tn", ".sip", &plain_len);
    char *both1 = insert_line(plain, plain_len, NULL, line, "\r\n", &n2);
    free(line);
    line = tp_cat("Identity: ", good, NULL);
    size_t n3 = 0;
    char *both = insert_line(both1, n2, NULL, line, "\r\n", &n3);
    assert_err(verify_msg(both1, n2, res), CLID_ERR_SIGNATURE_INVALID);
    assert_int_equal(clid_result_warning_count(res), 1); /* its own failure, with its warning */
    assert_err(verify_msg(both, n3, res), CLID_OK);
    assert_int_equal(clid_result_warning_count(res), 0);
    free(both);
    free(both1);
    free(line);
    free(plain);
    free(good);
    free(bad);

    /* Strict: the deviation is the request's failure (438). */
    clid_ctx *sc = tp_ctx_new(root, &t0);
    tp_ctx_map(sc, URL, chain_sp);
    assert_int_equal(clid_ctx_set_strict(sc, 1), CLID_OK);
    clid_verifier *sv = tp_verifier_new(sc);
    clid_sip_verify_opts o = {.now = TP_T0};
    assert_err(clid_sip_verify(sv, &o, m, n, res), CLID_ERR_IDENTITY_ALG_ABSENT);
    assert_int_equal(clid_result_sip_status(res), 438);
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_FAILED);
    assert_int_equal(clid_result_warning_count(res), 0);
    assert_err(clid_sip_verify(sv, &o, s, len, res), CLID_OK);
    clid_verifier_free(sv);
    clid_ctx_free(sc);

    clid_result_free(res);
    free(m);
    free(s);
}

static void anonymous_caller(void **state)
{
    (void)state;
    size_t n = 0;
    /* RFC 3323 anonymous From, no PAI, yet an Identity: binding fails */
    char *m = with_foreign_identity("anonymous", &n);
    verify_expect(m, n, CLID_ERR_ORIG_MISMATCH, CLID_VERSTAT_FAILED, 438);
    free(m);
    /* "Anonymous" display name over a number: policy says anonymous too */
    m = with_foreign_identity("anonymous_display", &n);
    verify_expect(m, n, CLID_ERR_ORIG_MISMATCH, CLID_VERSTAT_FAILED, 438);
    free(m);
    /* anonymous From with a PAI (Privacy: id): the PAI is the caller */
    m = with_foreign_identity("privacy_id", &n);
    verify_expect(m, n, CLID_OK, CLID_VERSTAT_PASSED, 0);
    free(m);
    /* a callee that is no number: DEST_MISMATCH */
    m = with_foreign_identity("sipp_uac_tn", &n);
    char *fixed = strstr(m, "INVITE sip:12025550199@");
    assert_non_null(fixed);
    memcpy(fixed + 11, "bobbobbobbo", 11); /* Request-URI user */
    char *to = strstr(m, "<sip:12025550199@");
    assert_non_null(to);
    memcpy(to + 5, "bobbobbobbo", 11); /* To user */
    verify_expect(m, n, CLID_ERR_DEST_MISMATCH, CLID_VERSTAT_FAILED, 438);
    free(m);
}

/* ------------------------------------------------------------------------ */
/* Caller binding: the asserted identity, read the way RFC 3261 writes it   */
/* ------------------------------------------------------------------------ */

/* The signed SIPp INVITE (From ORIG) with `line` inserted before CSeq. */
static char *signed_with(const char *line, size_t *n)
{
    size_t len = 0;
    char *s = signed_sipp(&len);
    char *m = insert_line(s, len, "CSeq:", line, "\r\n", n);
    free(s);
    return m;
}

static void asserted_identity_binding(void **state)
{
    (void)state;
    size_t n = 0;
    clid_result *res = NULL;
    assert_int_equal(clid_result_new(&res), CLID_OK);
    /* The attack: a P-Asserted-Identity for another number that libosip2's
     * name-addr parser refuses (a TAB before '<' is valid RFC 3261:
     * LAQUOT = SWS "<"). clid used to skip it and bind to From, so the
     * From number's PASSporT passed a request asserting 13105550000. */
    char *m = signed_with("P-Asserted-Identity: \"Mallory\"\t<sip:+13105550000@evil.example>",
                          &n);
    verify_expect(m, n, CLID_ERR_ORIG_MISMATCH, CLID_VERSTAT_FAILED, 438);
    free(m);
    /* An asserted identity that cannot be read fails the request: never a
     * fall back to From. */
    static const char *const unreadable[] = {
        "P-Asserted-Identity: <<sip:+13105550000@evil.example>",
        "P-Asserted-Identity: <sip:+12025550100@h>, <sip:+13105550000@evil.example",
        "P-Asserted-Identity: sip:+12025550100@h <sip:+13105550000@evil.example>",
        "P-Asserted-Identity: < sip:+13105550000@evil.example>",
        "P-Asserted-Identity:",
        "P-Asserted-Identity: <sip:+12025550100@h> garbage",
    };
    for (size_t i = 0; i < sizeof unreadable / sizeof unreadable[0]; i++) {
        m = signed_with(unreadable[i], &n);
        assert_err(verify_msg(m, n, res), CLID_ERR_SIP_PARSE);
        assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_NO_VALIDATION);
        assert_int_equal(clid_result_sip_status(res), 400);
        assert_non_null(strstr(clid_result_detail(res), "P-Asserted-Identity"));
        /* and nothing is marked */
        size_t got = 0;
        char out[4096];
        assert_err(clid_sip_add_verstat(m, n, CLID_VERSTAT_PASSED, out, sizeof out, &got),
                   CLID_ERR_SIP_PARSE);
        free(m);
    }
    /* A readable asserted identity that is no number names no caller. */
    m = signed_with("P-Asserted-Identity: <sip:alice@carrier.example>", &n);
    verify_expect(m, n, CLID_ERR_ORIG_MISMATCH, CLID_VERSTAT_FAILED, 438);
    free(m);
    /* The legitimate neighbours: the signed number asserted with a TAB, with
     * a folded line, in a second header after a non-number, in a list. */
    static const char *const good[] = {
        "P-Asserted-Identity: \"Alice\"\t<sip:+12025550100@carrier.example>",
        "P-Asserted-Identity: Alice\r\n\t<tel:+1-202-555-0100>",
        "P-Asserted-Identity: <sip:alice@carrier.example>\r\nP-Asserted-Identity: <tel:+12025550100>",
        "p-asserted-identity\t:\t\"a, <b>\" <sip:+12025550100@h;user=phone>, <tel:+13105550000>",
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        m = signed_with(good[i], &n);
        verify_expect(m, n, CLID_OK, CLID_VERSTAT_PASSED, 0);
        /* verification and the marking read the caller in the same place:
         * the asserted entry is marked, From is not */
        size_t got = 0;
        char *marked = verstat_msg(m, n, CLID_VERSTAT_PASSED, &got, &(clid_err){CLID_OK});
        assert_non_null(marked);
        const char *v = strstr(marked, ";verstat=TN-Validation-Passed");
        assert_non_null(v);
        const char *pai = strstr(marked, "sserted-");
        const char *from = strstr(marked, "\nFrom:");
        assert_true(v > pai && pai > from);
        verify_expect(marked, got, CLID_OK, CLID_VERSTAT_PASSED, 0);
        free(marked);
        free(m);
    }
    clid_result_free(res);
}

/* The other headers verification binds to, in valid but unusual RFC 3261
 * spellings: folded Date and Identity values, whitespace before ':',
 * compact and upper-case names, TABs in From and To. */
static void bound_headers_spellings(void **state)
{
    (void)state;
    size_t len = 0, n = 0;
    char *s = signed_sipp(&len);
    char *id = identity_of(s);
    /* A folded Date: the line break reads as one SP (RFC 3261 §7.3.1). */
    char *m = insert_line(s, len, "CSeq:", "Date: Thu, 01 Jan 2026\r\n 00:00:30 GMT", "\r\n", &n);
    verify_expect(m, n, CLID_OK, CLID_VERSTAT_PASSED, 0);
    free(m);
    /* ... and a stale one, folded, is still seen (not skipped). */
    m = insert_line(s, len, "CSeq:", "DATE :\tWed, 31 Dec 2025\r\n\t23:55:00 GMT", "\r\n", &n);
    verify_expect(m, n, CLID_ERR_DATE_MISMATCH, CLID_VERSTAT_FAILED, 403);
    free(m);
    /* Two Date headers in different spellings are still two. */
    char *m1 = insert_line(s, len, "CSeq:", "Date: Thu, 01 Jan 2026 00:00:30 GMT", "\r\n", &n);
    size_t n2 = 0;
    m = insert_line(m1, n, "Call-ID:", "date\t: Thu, 01 Jan 2026 00:00:30 GMT", "\r\n", &n2);
    verify_expect(m, n2, CLID_ERR_DATE_INVALID, CLID_VERSTAT_FAILED, 403);
    free(m);
    free(m1);
    /* The Identity value folded after a ';' (SEMI = SWS ";" SWS), under
     * another case and with whitespace before ':'. */
    size_t in_len = 0;
    char *in = read_golden("sipp_uac_tn", ".sip", &in_len);
    char *semi = strchr(id, ';');
    assert_non_null(semi);
    *semi = '\0';
    char *folded = tp_cat("IDENTITY :\t", id, ";\r\n\t", semi + 1, NULL);
    m = insert_line(in, in_len, NULL, folded, "\r\n", &n);
    verify_expect(m, n, CLID_OK, CLID_VERSTAT_PASSED, 0);
    free(m);
    free(folded);
    /* TABs before '<' in From and To (libosip2 alone refuses them), and
     * the compact t: */
    char *tabs = dup_exact(in, in_len);
    char *f = strstr(tabs, "\nFrom: sipp <");
    char *t = strstr(tabs, "\nTo: 12025550199 <");
    assert_non_null(f);
    assert_non_null(t);
    f[strlen("\nFrom:")] = '\t';      /* From:\tsipp\t<sip:... */
    f[strlen("\nFrom: sipp")] = '\t';
    memcpy(t + 1, "t :\t", 4);         /* t :\t12025550199\t<sip:... */
    t[strlen("\nTo: 12025550199")] = '\t';
    char *yline = tp_cat("y: ", id, ";", semi + 1, NULL);
    m = insert_line(tabs, in_len, NULL, yline, "\r\n", &n);
    verify_expect(m, n, CLID_OK, CLID_VERSTAT_PASSED, 0);
    char tn1[CLID_TN_BUF], tn2[CLID_TN_BUF];
    assert_err(clid_sip_get_tns(m, n, tn1, tn2), CLID_OK);
    assert_string_equal(tn1, ORIG);
    assert_string_equal(tn2, DEST);
    free(m);
    free(yline);
    free(tabs);
    free(in);
    free(id);
    free(s);
}

/* An Identity header without a value is no identity (RFC 8224 §6.2.2:
 * 428), and never hides another header's verdict. */
static void empty_identity(void **state)
{
    (void)state;
    size_t len = 0, n = 0, n2 = 0;
    char *in = read_golden("sipp_uac_tn", ".sip", &len);
    char *m = insert_line(in, len, NULL, "Identity:", "\r\n", &n);
    verify_expect(m, n, CLID_ERR_NO_IDENTITY, CLID_VERSTAT_NO_VALIDATION, 428);
    free(m);
    m = insert_line(in, len, NULL, "y:   ", "\r\n", &n);
    verify_expect(m, n, CLID_ERR_NO_IDENTITY, CLID_VERSTAT_NO_VALIDATION, 428);
    free(m);
    /* next to a good one: passes, whatever the order */
    size_t s_len = 0;
    char *s = signed_sipp(&s_len);
    m = insert_line(s, s_len, "Identity:", "Identity:", "\r\n", &n);
    verify_expect(m, n, CLID_OK, CLID_VERSTAT_PASSED, 0);
    free(m);
    /* next to a failing one (stale): the failure, not No-TN-Validation */
    m = insert_line(s, s_len, "Identity:", "Identity:", "\r\n", &n);
    char *m2 = insert_line(m, n, NULL, "Identity:\t", "\r\n", &n2);
    clid_sip_verify_opts o = {.now = t0 + 3600};
    clid_result *res = NULL;
    assert_int_equal(clid_result_new(&res), CLID_OK);
    assert_err(clid_sip_verify(ver, &o, m2, n2, res), CLID_ERR_IAT_STALE);
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_FAILED);
    assert_int_equal(clid_result_sip_status(res), 403);
    assert_int_equal(clid_result_binding_checked(res), 0u); /* freshness comes first */
    /* a SIP request always binds both numbers */
    assert_err(clid_sip_verify(ver, NULL, m2, n2, res), CLID_OK);
    assert_int_equal(clid_result_binding_checked(res), CLID_BINDING_ORIG | CLID_BINDING_DEST);
    clid_result_free(res);
    free(m2);
    free(m);
    free(s);
    free(in);
}

/* ------------------------------------------------------------------------ */
/* div PASSporTs next to the original                                        */
/* ------------------------------------------------------------------------ */

/* "Identity: <value>" of a PASSporT for `orig` -> DEST by the fixture's
 * signer, ppt div when `div` is set. */
static char *identity_line(const char *orig, const char *div)
{
    static const char *const dests[] = {DEST};
    clid_claims c = {.orig = orig, .dest = dests, .dest_count = 1, .attest = 'A', .div = div};
    char value[CLID_IDENTITY_MAX_LEN];
    size_t vlen = 0;
    assert_err(clid_sign_identity(signer, &c, value, sizeof value, &vlen), CLID_OK);
    return tp_cat("Identity: ", value, NULL);
}

static void div_next_to_shaken(void **state)
{
    (void)state;
    clid_ctx *c = tp_ctx_new(root, &t0);
    tp_ctx_map(c, URL, chain_sp);
    assert_err(clid_ctx_accept_ppt(c, "shaken"), CLID_OK);
    assert_err(clid_ctx_accept_ppt(c, "div"), CLID_OK);
    clid_verifier *v = tp_verifier_new(c);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    clid_sip_verify_opts o = {.now = t0};

    size_t in_len = 0, n1 = 0, n2 = 0;
    char *in = read_golden("sipp_uac_tn", ".sip", &in_len);
    char *div = identity_line(ORIG, "12025550177");
    char *shaken = identity_line(ORIG, NULL);
    char *other = identity_line("13105550000", NULL); /* a shaken one that fails binding */

    /* A div alone is never a pass. */
    char *m1 = insert_line(in, in_len, NULL, div, "\r\n", &n1);
    assert_err(clid_sip_verify(v, &o, m1, n1, res), CLID_ERR_DIV_WITHOUT_ORIGINAL);
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_FAILED);
    assert_int_equal(clid_result_sip_status(res), 438);
    /* Next to a passing shaken one (before or after it): a chain (RFC 8946
     * §6), and this div diverts from 12025550177, no dest of the shaken
     * one: the chain is broken at its first link (issue 14; before div
     * chains the shaken one's verdict decided alone). */
    char *m2 = insert_line(m1, n1, NULL, shaken, "\r\n", &n2);
    assert_err(clid_sip_verify(v, &o, m2, n2, res), CLID_ERR_DIV_CHAIN_LINK);
    assert_string_equal(clid_result_ppt(res), "shaken");
    assert_int_equal(clid_result_div_failed_link(res), 0);
    free(m2);
    m2 = insert_line(in, in_len, NULL, shaken, "\r\n", &n2);
    free(m1);
    m1 = insert_line(m2, n2, NULL, div, "\r\n", &n1);
    assert_err(clid_sip_verify(v, &o, m1, n1, res), CLID_ERR_DIV_CHAIN_LINK);
    free(m1);
    /* A div that chains to it (diverting from its dest, to the request's
     * Request-URI): the shaken one's verdict, with the link. */
    char *chained = identity_line(ORIG, DEST);
    m1 = insert_line(m2, n2, NULL, chained, "\r\n", &n1);
    assert_err(clid_sip_verify(v, &o, m1, n1, res), CLID_OK);
    assert_string_equal(clid_result_ppt(res), "shaken");
    assert_int_equal(clid_result_div_count(res), 1);
    assert_int_equal(clid_result_div_failed_link(res), -1);
    free(chained);
    free(m1);
    free(m2);
    /* Next to a failing shaken one, even after the div: the shaken one's
     * failure, not the div's. */
    m1 = insert_line(in, in_len, NULL, div, "\r\n", &n1);
    m2 = insert_line(m1, n1, NULL, other, "\r\n", &n2);
    assert_err(clid_sip_verify(v, &o, m2, n2, res), CLID_ERR_ORIG_MISMATCH);
    assert_string_equal(clid_result_ppt(res), "shaken");
    assert_int_equal(clid_result_sip_status(res), 438);
    free(m1);
    free(m2);
    /* Two lone divs: still never a pass. */
    m1 = insert_line(in, in_len, NULL, div, "\r\n", &n1);
    m2 = insert_line(m1, n1, NULL, div, "\r\n", &n2);
    assert_err(clid_sip_verify(v, &o, m2, n2, res), CLID_ERR_DIV_WITHOUT_ORIGINAL);
    free(m1);
    free(m2);

    free(other);
    free(shaken);
    free(div);
    free(in);
    clid_result_free(res);
    clid_verifier_free(v);
    clid_ctx_free(c);
}

static void not_requests(void **state)
{
    (void)state;
    static const char *const names[] = {"response", "missing_to", "nul_in_header", "bare_cr",
                                        "no_blank_line", "whitespace_line"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        size_t len = 0;
        char *in = read_golden(names[i], ".sip", &len);
        assert_non_null(in);
        verify_expect(in, len, CLID_ERR_SIP_PARSE, CLID_VERSTAT_NO_VALIDATION, 400);
        free(in);
    }
    /* empty and a start line only */
    assert_err(clid_sip_verify(ver, NULL, "", 0, NULL), CLID_ERR_SIP_PARSE);
    assert_err(clid_sip_verify(ver, NULL, "INVITE sip:a@b SIP/2.0\r\n\r\n", 26, NULL),
               CLID_ERR_SIP_PARSE);
    assert_err(clid_sip_verify(NULL, NULL, "x", 1, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_verify(ver, NULL, NULL, 1, NULL), CLID_ERR_INVALID_ARGUMENT);
}

/* ------------------------------------------------------------------------ */
/* Threads                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct thread_arg {
    const char *msg;
    size_t len;
    int failures;
} thread_arg;

static void *verify_loop(void *p)
{
    thread_arg *a = p;
    clid_sip_verify_opts o = {.now = t0};
    for (int i = 0; i < 25; i++) {
        char tn1[CLID_TN_BUF], tn2[CLID_TN_BUF];
        if (clid_sip_verify(ver, &o, a->msg, a->len, NULL) != CLID_OK ||
            clid_sip_get_tns(a->msg, a->len, tn1, tn2) != CLID_OK)
            a->failures++;
    }
    return NULL;
}

static void four_threads(void **state)
{
    (void)state;
    size_t len = 0;
    char *s = signed_sipp(&len);
    pthread_t t[4];
    thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (thread_arg){s, len, 0};
        assert_int_equal(pthread_create(&t[i], NULL, verify_loop, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(args[i].failures, 0);
    }
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(tampered_to),
        cmocka_unit_test(date_checks),
        cmocka_unit_test(stale_and_future),
        cmocka_unit_test(no_identity),
        cmocka_unit_test(several_identities),
        cmocka_unit_test(warnings_reach_the_result),
        cmocka_unit_test(anonymous_caller),
        cmocka_unit_test(asserted_identity_binding),
        cmocka_unit_test(bound_headers_spellings),
        cmocka_unit_test(empty_identity),
        cmocka_unit_test(div_next_to_shaken),
        cmocka_unit_test(not_requests),
        cmocka_unit_test(four_threads),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
