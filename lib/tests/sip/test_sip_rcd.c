/*
 * Unit tests of clid_sip_add_rcd (clid_sip.h; RFC 9796 Call-Info as a
 * terminating SBC presents verified Rich Call Data) and of Rich Call Data
 * through clid_sip_sign / clid_sip_verify:
 *   - golden outputs (lib/tests/sip/golden_rcd/NAME.sip -> NAME.CASE.expected):
 *     each request is signed with the case's RCD, the signed request
 *     verified, and clid_sip_add_rcd applied to the request as received;
 *     upstream Call-Info entries claiming RCD removed, others kept;
 *   - nothing verified, or a failed verification: only the removals;
 *   - values that cannot be written safely are left out (a URL holding
 *     '>', control characters never reach a header), quoting and UTF-8 of
 *     the call reason;
 *   - the buffer contract and the argument errors;
 *   - a separate ppt "rcd" PASSporT next to the shaken one.
 * Set CLID_RCD_GOLDEN_WRITE=1 to (re)write the expected files; they are
 * then reviewed by hand (golden_rcd/README.md).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <osipparser2/osip_parser.h>

#include "sip_fixture.h"

#ifndef CLID_SIP_RCD_GOLDEN_DIR
#error "CLID_SIP_RCD_GOLDEN_DIR must name lib/tests/sip/golden_rcd"
#endif

#define JCL "https://rcd.example.org/qbranch.json"
#define ICN "https://rcd.example.org/qbranch-64x64.png"
#define JCARD                                                                                     \
    "[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],[\"fn\",{},\"text\",\"Q Branch\"],[\"org\",{}," \
    "\"text\",\"MI6;Q Branch Spy Gadgets\"]]]"
#define ICON_BYTES "\x89PNG\r\n\x1a\n-an-icon-"

/* A context like the fixture's, with the RCD content of JCL and ICN mapped
 * and ppt "rcd" accepted next to "shaken". */
static clid_ctx *rctx;
static clid_verifier *rver;

static int setup(void **state)
{
    if (group_setup(state) != 0)
        return -1;
    rctx = tp_ctx_new(root, &t0);
    tp_ctx_map(rctx, URL, chain_sp);
    assert_err(clid_ctx_add_rcd_content(rctx, JCL, (const uint8_t *)JCARD, strlen(JCARD)),
               CLID_OK);
    assert_err(clid_ctx_add_rcd_content(rctx, ICN, (const uint8_t *)ICON_BYTES,
                                        sizeof ICON_BYTES - 1),
               CLID_OK);
    assert_err(clid_ctx_accept_ppt(rctx, "shaken"), CLID_OK);
    assert_err(clid_ctx_accept_ppt(rctx, "rcd"), CLID_OK);
    rver = tp_verifier_new(rctx);
    return 0;
}

static int teardown(void **state)
{
    clid_verifier_free(rver);
    clid_ctx_free(rctx);
    return group_teardown(state);
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

static char *read_path(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    static char buf[200000];
    size_t n = fread(buf, 1, sizeof buf, f);
    assert_true(feof(f));
    fclose(f);
    *len = n;
    return dup_exact(buf, n);
}

static char *golden_in(const char *name, size_t *len)
{
    char *path = tp_cat(CLID_SIP_RCD_GOLDEN_DIR "/", name, ".sip", NULL);
    char *m = read_path(path, len);
    free(path);
    assert_non_null(m);
    return m;
}

/* Signs msg with `o`, verifies the signed request with rver at t0 into a
 * new result. */
static clid_result *sign_verify(const char *msg, size_t len, const clid_sip_sign_opts *o,
                                clid_err want)
{
    clid_err rc;
    size_t slen = 0;
    char *s = sign_msg(msg, len, o, &slen, &rc);
    assert_err(rc, CLID_OK);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    clid_sip_verify_opts vo = {.now = t0};
    char *copy = dup_exact(s, slen);
    assert_err(clid_sip_verify(rver, &vo, copy, slen, res), want);
    free(copy);
    free(s);
    return res;
}

/* clid_sip_add_rcd into a buffer of exactly the size it asks for, after
 * checking the size query and one byte less. */
static char *present(const char *msg, size_t len, const clid_result *r, size_t *out_len)
{
    char *in = dup_exact(msg, len);
    size_t need = 0;
    assert_err(clid_sip_add_rcd(in, len, r, NULL, 0, &need), CLID_ERR_BUFFER_TOO_SMALL);
    assert_true(need <= len + CLID_SIP_RCD_EXTRA + 1);
    char *out = malloc(need);
    assert_non_null(out);
    size_t n = 0;
    assert_err(clid_sip_add_rcd(in, len, r, out, need - 1, &n), CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, need);
    assert_err(clid_sip_add_rcd(in, len, r, out, need, out_len), CLID_OK);
    assert_int_equal(*out_len + 1, need);
    assert_int_equal(out[*out_len], '\0');
    free(in);
    return out;
}

static void compare_golden(const char *name, const char *cas, const char *out, size_t n)
{
    char *path = tp_cat(CLID_SIP_RCD_GOLDEN_DIR "/", name, ".", cas, ".expected", NULL);
    const char *w = getenv("CLID_RCD_GOLDEN_WRITE");
    if (w != NULL && strcmp(w, "1") == 0) {
        FILE *f = fopen(path, "wb");
        assert_non_null(f);
        assert_int_equal(fwrite(out, 1, n, f), n);
        fclose(f);
    }
    size_t elen = 0;
    char *exp = read_path(path, &elen);
    if (exp == NULL)
        fail_msg("no %s (CLID_RCD_GOLDEN_WRITE=1 writes it)", path);
    if (elen != n || memcmp(exp, out, n) != 0)
        fail_msg("%s differs:\n--- got ---\n%.*s", path, (int)n, out);
    free(exp);
    free(path);
}

/* The output of the whole flow, compared with NAME.CASE.expected. */
static void golden_case(const char *name, const char *cas, const clid_rcd *rcd, int ppt_rcd)
{
    size_t len = 0, n = 0;
    char *msg = golden_in(name, &len);
    clid_sip_sign_opts o = sign_opts;
    o.rcd = rcd;
    o.ppt_rcd = ppt_rcd;
    clid_result *res = sign_verify(msg, len, &o, CLID_OK);
    char *out = present(msg, len, res, &n);
    compare_golden(name, cas, out, n);
    /* What clid wrote reads back: the request still parses and binds the
     * same numbers, and exactly one Call-Info says "verified" at most. */
    char o1[CLID_TN_BUF], d1[CLID_TN_BUF], o2[CLID_TN_BUF], d2[CLID_TN_BUF];
    assert_err(clid_sip_get_tns(msg, len, o1, d1), CLID_OK);
    assert_err(clid_sip_get_tns(out, n, o2, d2), CLID_OK);
    assert_string_equal(o1, o2);
    assert_string_equal(d1, d2);
    free(out);
    clid_result_free(res);
    free(msg);
}

/* ------------------------------------------------------------------------ */
/* Golden outputs                                                            */
/* ------------------------------------------------------------------------ */

static const clid_rcd rcd_full = {
    .nam = "Q Branch",
    .jcl = JCL,
    .jcl_content = (const uint8_t *)JCARD,
    .jcl_content_len = sizeof JCARD - 1,
    .icn = ICN,
    .icn_content = (const uint8_t *)ICON_BYTES,
    .icn_content_len = sizeof ICON_BYTES - 1,
    .crn = "For your ears only",
};

/* A name only: a jCard built from it, as a data: URI. The call reason
 * with a quote and a backslash, escaped as quoted-pairs. */
static void golden_name(void **state)
{
    (void)state;
    clid_rcd r = {.nam = "Q Branch", .crn = "Say \"hi\" \\ bye"};
    golden_case("plain", "name", &r, 0);
}

/* jcl and icn with their digests (integrity), and the call reason; every
 * upstream entry claiming RCD is removed, the others stay byte for byte. */
static void golden_full(void **state)
{
    (void)state;
    golden_case("spoofed", "full", &rcd_full, 0);
}

/* An inline jCard, LF line endings. */
static void golden_jcd(void **state)
{
    (void)state;
    clid_rcd r = {.nam = "Q Branch", .jcd = JCARD};
    golden_case("lf", "jcd", &r, 0);
}

/* A Call-Info field that cannot be read (an unclosed '<') goes whole. */
static void golden_unreadable(void **state)
{
    (void)state;
    clid_rcd r = {.nam = "Q Branch"};
    golden_case("unreadable", "name", &r, 0);
}

/* The same RCD in a ppt "rcd" PASSporT (the only Identity header). */
static void golden_ppt_rcd(void **state)
{
    (void)state;
    golden_case("plain", "full", &rcd_full, 1);
}

/* ------------------------------------------------------------------------ */
/* Only removals                                                             */
/* ------------------------------------------------------------------------ */

/* A PASSporT without RCD: the upstream RCD entries go, nothing is added
 * (spoofed.none.expected). */
static void nothing_verified(void **state)
{
    (void)state;
    size_t len = 0, n = 0;
    char *msg = golden_in("spoofed", &len);
    clid_result *res = sign_verify(msg, len, &sign_opts, CLID_OK);
    assert_int_equal(clid_result_rcd(res), 0);
    char *out = present(msg, len, res, &n);
    compare_golden("spoofed", "none", out, n);
    assert_null(strstr(out, "purpose=jcard"));
    assert_null(strstr(out, ";verified;"));
    free(out);
    clid_result_free(res);

    /* A request without any Call-Info and nothing verified: unchanged. */
    char *plain = golden_in("plain", &len);
    res = sign_verify(plain, len, &sign_opts, CLID_OK);
    out = present(plain, len, res, &n);
    assert_int_equal(n, len);
    assert_memory_equal(out, plain, len);
    free(out);
    clid_result_free(res);
    free(plain);
    free(msg);
}

/* A failed verification presents nothing, even when the PASSporT carried
 * RCD: only the removals (the same output as nothing verified). */
static void failed_verification(void **state)
{
    (void)state;
    size_t len = 0, slen = 0, n = 0;
    char *msg = golden_in("spoofed", &len);
    clid_sip_sign_opts o = sign_opts;
    o.rcd = &rcd_full;
    clid_err rc;
    char *s = sign_msg(msg, len, &o, &slen, &rc);
    assert_err(rc, CLID_OK);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    clid_sip_verify_opts vo = {.now = t0 + 3600}; /* stale iat */
    assert_err(clid_sip_verify(rver, &vo, s, slen, res), CLID_ERR_IAT_STALE);
    assert_null(clid_result_rcd_name(res));
    char *out = present(msg, len, res, &n);
    compare_golden("spoofed", "none", out, n);
    free(out);
    clid_result_free(res);
    free(s);
    free(msg);
}

/* ------------------------------------------------------------------------ */
/* Values                                                                    */
/* ------------------------------------------------------------------------ */

/* The Call-Info line clid added (the last header line), malloc'd. */
static char *added_line(const char *out)
{
    const char *end = strstr(out, "\r\n\r\n");
    assert_non_null(end);
    const char *p = end;
    while (p > out && p[-1] != '\n')
        p--;
    assert_true(strncmp(p, "Call-Info: ", 11) == 0);
    char *line = strndup(p, (size_t)(end - p));
    assert_non_null(line);
    return line;
}

/* A UTF-8 call reason is kept as is inside the quoted string (RFC 3261
 * §25.1 qdtext allows UTF8-NONASCII). */
static void reason_utf8(void **state)
{
    (void)state;
    size_t len = 0, n = 0;
    char *msg = golden_in("plain", &len);
    clid_rcd r = {.nam = "Caf\xc3\xa9 Q", .crn = "Caf\xc3\xa9 \xe2\x98\x8e, ok; <no>"};
    clid_sip_sign_opts o = sign_opts;
    o.rcd = &r;
    clid_result *res = sign_verify(msg, len, &o, CLID_OK);
    char *out = present(msg, len, res, &n);
    char *line = added_line(out);
    assert_non_null(strstr(line, ";call-reason=\"Caf\xc3\xa9 \xe2\x98\x8e, ok; <no>\""));
    assert_non_null(strstr(line, ";purpose=jcard;verified"));
    free(line);
    free(out);
    clid_result_free(res);
    free(msg);
}

/* A jcl URL with '{', '|' and '}' (printable, so signable and parsed) is
 * no RFC 3986 text: it is not written between '<' and '>' (a parser could
 * end or split it there); the verified jCard it served is presented
 * inline instead. */
static void url_not_written(void **state)
{
    (void)state;
    static const char bad[] = "https://rcd.example.org/q{branch}|x`.json";
    clid_ctx *c = tp_ctx_new(root, &t0);
    tp_ctx_map(c, URL, chain_sp);
    assert_err(clid_ctx_add_rcd_content(c, bad, (const uint8_t *)JCARD, strlen(JCARD)), CLID_OK);
    clid_verifier *v = tp_verifier_new(c);

    size_t len = 0, slen = 0, n = 0;
    char *msg = golden_in("plain", &len);
    clid_rcd r = {.nam = "Q Branch", .jcl = bad, .jcl_content = (const uint8_t *)JCARD,
                  .jcl_content_len = strlen(JCARD)};
    clid_sip_sign_opts o = sign_opts;
    o.rcd = &r;
    clid_err rc;
    char *s = sign_msg(msg, len, &o, &slen, &rc);
    assert_err(rc, CLID_OK);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    clid_sip_verify_opts vo = {.now = t0};
    assert_err(clid_sip_verify(v, &vo, s, slen, res), CLID_OK);
    assert_string_equal(clid_result_rcd_jcard_url(res), bad); /* verified, yet unwritable */
    char *out = present(msg, len, res, &n);
    char *line = added_line(out);
    assert_null(strstr(line, "q{"));
    assert_non_null(strstr(line, "<data:application/json;base64,"));
    assert_null(strstr(line, "integrity=")); /* the digest is the URL's, not the data URI's */
    free(line);
    free(out);
    clid_result_free(res);
    clid_verifier_free(v);
    clid_ctx_free(c);
    free(s);
    free(msg);
}

/* ------------------------------------------------------------------------ */
/* Arguments and input                                                       */
/* ------------------------------------------------------------------------ */

static void arguments(void **state)
{
    (void)state;
    size_t len = 0, n = 0;
    char *msg = golden_in("plain", &len);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    char out[64];
    assert_err(clid_sip_add_rcd(NULL, len, res, out, sizeof out, &n), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_add_rcd(msg, len, NULL, out, sizeof out, &n), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_add_rcd(msg, len, res, out, sizeof out, NULL), CLID_ERR_INVALID_ARGUMENT);
    /* not a request clid accepts */
    static const char resp[] = "SIP/2.0 200 OK\r\nCall-Info: <x:>;verified\r\n\r\n";
    assert_err(clid_sip_add_rcd(resp, sizeof resp - 1, res, out, sizeof out, &n),
               CLID_ERR_SIP_PARSE);
    static const char cr[] = "INVITE sip:a@b SIP/2.0\r\nCall-Info: <x:>\rverified\r\n\r\n";
    assert_err(clid_sip_add_rcd(cr, sizeof cr - 1, res, out, sizeof out, &n),
               CLID_ERR_SIP_PARSE);
    char *big = malloc(CLID_SIP_MAX_LEN + 1);
    assert_non_null(big);
    memset(big, 'a', CLID_SIP_MAX_LEN + 1);
    assert_err(clid_sip_add_rcd(big, CLID_SIP_MAX_LEN + 1, res, out, sizeof out, &n),
               CLID_ERR_SIP_TOO_LARGE);
    free(big);
    /* An empty result (nothing verified) on a request with a spoofed
     * Call-Info: only the removal; folded lines and a trailing entry. */
    static const char fold[] = "INVITE sip:a@b SIP/2.0\r\n"
                               "Call-Info: <http://a/>;purpose=info,\r\n"
                               "  <http://b/>;purpose=icon\r\n"
                               "X: y\r\n\r\n";
    static const char want[] = "INVITE sip:a@b SIP/2.0\r\n"
                               "Call-Info: <http://a/>;purpose=info\r\n"
                               "X: y\r\n\r\n";
    char *o = present(fold, sizeof fold - 1, res, &n);
    assert_string_equal(o, want);
    free(o);
    /* the first entry dropped, the second kept; an empty Call-Info kept */
    static const char first[] = "INVITE sip:a@b SIP/2.0\r\n"
                                "Call-Info: <http://b/>;verified, <http://a/>;purpose=info\r\n"
                                "Call-Info:\r\n\r\n";
    static const char want2[] = "INVITE sip:a@b SIP/2.0\r\n"
                                "Call-Info: <http://a/>;purpose=info\r\n"
                                "Call-Info:\r\n\r\n";
    o = present(first, sizeof first - 1, res, &n);
    assert_string_equal(o, want2);
    free(o);
    /* dropped between two kept: rejoined with ", " */
    static const char mid[] = "INVITE sip:a@b SIP/2.0\n"
                              "call-info: <http://a/>,<http://b/>;PURPOSE=\"jcard\" , <http://c/>\n"
                              "\n";
    static const char want3[] = "INVITE sip:a@b SIP/2.0\n"
                                "call-info: <http://a/>, <http://c/>\n"
                                "\n";
    o = present(mid, sizeof mid - 1, res, &n);
    assert_string_equal(o, want3);
    free(o);
    clid_result_free(res);
    free(msg);
}

/* ------------------------------------------------------------------------ */
/* A separate ppt "rcd" PASSporT                                             */
/* ------------------------------------------------------------------------ */

/* The request carries a shaken PASSporT without RCD and a ppt "rcd" one
 * for the same orig and dest: the RCD presented is the rcd PASSporT's. */
static void shaken_plus_rcd_ppt(void **state)
{
    (void)state;
    size_t len = 0, s1 = 0, s2 = 0, n = 0;
    char *msg = golden_in("plain", &len);
    clid_err rc;
    char *a = sign_msg(msg, len, &sign_opts, &s1, &rc);
    assert_err(rc, CLID_OK);
    clid_sip_sign_opts o = sign_opts;
    o.rcd = &rcd_full;
    o.ppt_rcd = 1;
    char *b = sign_msg(a, s1, &o, &s2, &rc);
    assert_err(rc, CLID_OK);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    clid_sip_verify_opts vo = {.now = t0};
    assert_err(clid_sip_verify(rver, &vo, b, s2, res), CLID_OK);
    assert_string_equal(clid_result_ppt(res), "shaken");
    assert_string_equal(clid_result_rcd_name(res), "Q Branch");
    assert_string_equal(clid_result_rcd_reason(res), "For your ears only");
    char *out = present(msg, len, res, &n);
    compare_golden("plain", "full", out, n); /* as if the shaken one carried it */
    free(out);
    free(b);
    free(a);

    /* The rcd PASSporT first: the verdict is still the shaken one's. */
    a = sign_msg(msg, len, &o, &s1, &rc);
    assert_err(rc, CLID_OK);
    b = sign_msg(a, s1, &sign_opts, &s2, &rc);
    assert_err(rc, CLID_OK);
    assert_err(clid_sip_verify(rver, &vo, b, s2, res), CLID_OK);
    assert_string_equal(clid_result_ppt(res), "shaken");
    assert_int_equal(clid_result_attest(res), 'A');
    assert_string_equal(clid_result_rcd_name(res), "Q Branch");
    free(b);

    /* An rcd PASSporT that fails (its signature broken) fails nothing, and
     * its RCD is not presented. */
    b = sign_msg(a, s1, &sign_opts, &s2, &rc);
    assert_err(rc, CLID_OK);
    char *sig = strstr(b, ";info=<");          /* the rcd value's parameters */
    assert_non_null(sig);
    sig[-2] = sig[-2] == 'A' ? 'B' : 'A';      /* a signature character */
    assert_err(clid_sip_verify(rver, &vo, b, s2, res), CLID_OK);
    assert_string_equal(clid_result_ppt(res), "shaken");
    assert_null(clid_result_rcd_name(res));
    out = present(msg, len, res, &n);
    assert_int_equal(n, len); /* nothing verified, nothing to remove */
    free(out);
    free(b);
    free(a);
    clid_result_free(res);
    free(msg);
}

/* clid_sip_sign_osip carries opts.rcd / opts.ppt_rcd too: the header it
 * adds to a libosip2 message verifies with the RCD (sip.c sign_value). */
static void osip_sign_rcd(void **state)
{
    (void)state;
    parser_init(); /* the host's job (clid_sip.h) */
    size_t len = 0;
    char *msg = golden_in("plain", &len);
    char *z = malloc(len + 1);
    assert_non_null(z);
    memcpy(z, msg, len);
    z[len] = '\0';
    osip_message_t *m = NULL;
    assert_int_equal(osip_message_init(&m), 0);
    assert_int_equal(osip_message_parse(m, z, len), 0);
    clid_sip_sign_opts o = sign_opts;
    o.rcd = &rcd_full;
    o.ppt_rcd = 1;
    assert_err(clid_sip_sign_osip(signer, &o, m), CLID_OK);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    clid_sip_verify_opts vo = {.now = t0};
    assert_err(clid_sip_verify_osip(rver, &vo, m, res), CLID_OK);
    assert_string_equal(clid_result_ppt(res), "rcd");
    assert_string_equal(clid_result_rcd_name(res), "Q Branch");
    assert_string_equal(clid_result_rcd_jcard_url(res), JCL);
    clid_result_free(res);
    osip_message_free(m);
    free(z);
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_name),
        cmocka_unit_test(golden_full),
        cmocka_unit_test(golden_jcd),
        cmocka_unit_test(golden_unreadable),
        cmocka_unit_test(golden_ppt_rcd),
        cmocka_unit_test(nothing_verified),
        cmocka_unit_test(failed_verification),
        cmocka_unit_test(reason_utf8),
        cmocka_unit_test(url_not_written),
        cmocka_unit_test(arguments),
        cmocka_unit_test(shaken_plus_rcd_ppt),
        cmocka_unit_test(osip_sign_rcd),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
