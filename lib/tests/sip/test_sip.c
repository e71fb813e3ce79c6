/*
 * Unit tests of the SIP adapter (clid_sip.h; sip.c, sip_parse.c,
 * sip_splice.c): signing and verstat marking, which splice into the request.
 *
 * Golden tests: every lib/tests/sip/golden/NAME.sip is a request as received; its
 * NAME.expect lists what each API call must return; NAME.signed.expected is
 * the request with the one line signing must insert ("Identity: @IDENTITY@",
 * the value being random: ECDSA and the origid), and NAME.verstat.expected
 * the exact bytes clid_sip_add_verstat(TN-Validation-Failed) must write.
 * Both expected files were written from the inputs by plain text edits, not
 * by clid (lib/tests/sip/golden/README.md). Everything else is compared byte for
 * byte. Signed outputs are verified back (round trip).
 *
 * Then: size bounds, the buffer contract, header injection through every
 * value clid writes, the osip_message_t variants and asserted identities
 * whose URI is no URI. Verification outcomes built at run time (caller
 * binding, unusual spellings of the bound headers) and four threads are in
 * test_sip_verify.c, the Date parser and the raw scanner in
 * test_sip_parse.c; the fixture is sip_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>

#include "sip_fixture.h"
#include "sip/sip_internal.h"

/* ------------------------------------------------------------------------ */
/* Golden tests                                                              */
/* ------------------------------------------------------------------------ */

typedef struct expect {
    clid_err tns, sign, verstat, verify, roundtrip;
    int has_roundtrip;
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
} expect;

static clid_err err_named(const char *name, const char *file)
{
    clid_err e = clid_err_from_name(name);
    if (e == CLID_ERR__COUNT)
        fail_msg("%s: unknown code %s", file, name);
    return e;
}

static void read_expect(const char *name, expect *x)
{
    size_t len = 0;
    char *text = read_golden(name, ".expect", &len);
    if (text == NULL)
        fail_msg("%s.sip has no %s.expect", name, name);
    char *s = malloc(len + 1);
    assert_non_null(s);
    memcpy(s, text, len);
    s[len] = '\0';
    free(text);
    memset(x, 0, sizeof *x);
    char *save = NULL;
    for (char *line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        char key[16], code[64], a[CLID_TN_BUF] = "", b[CLID_TN_BUF] = "";
        int n = sscanf(line, "%15s %63s %15s %15s", key, code, a, b);
        assert_true(n >= 2);
        clid_err e = err_named(code, name);
        if (strcmp(key, "tns") == 0) {
            assert_int_equal(n, 4);
            x->tns = e;
            snprintf(x->orig, sizeof x->orig, "%s", strcmp(a, "-") == 0 ? "" : a);
            snprintf(x->dest, sizeof x->dest, "%s", strcmp(b, "-") == 0 ? "" : b);
        } else if (strcmp(key, "sign") == 0) {
            x->sign = e;
        } else if (strcmp(key, "verstat") == 0) {
            x->verstat = e;
        } else if (strcmp(key, "verify") == 0) {
            x->verify = e;
        } else if (strcmp(key, "roundtrip") == 0) {
            x->roundtrip = e;
            x->has_roundtrip = 1;
        } else {
            fail_msg("%s.expect: unknown key %s", name, key);
        }
    }
    free(s);
}

/* The signed output equals the expected file with @IDENTITY@ replaced by
 * one Identity value: same bytes before and after, nothing else. */
static void compare_signed(const char *name, const char *out, size_t out_len)
{
    size_t elen = 0;
    char *exp = read_golden(name, ".signed.expected", &elen);
    if (exp == NULL)
        fail_msg("%s: no .signed.expected", name);
    static const char mark[] = "@IDENTITY@";
    size_t m = sizeof mark - 1, pre = 0;
    while (pre + m <= elen && memcmp(exp + pre, mark, m) != 0)
        pre++;
    assert_true(pre + m <= elen);
    size_t post = elen - pre - m;
    if (out_len < pre + post || memcmp(out, exp, pre) != 0 ||
        memcmp(out + out_len - post, exp + pre + m, post) != 0)
        fail_msg("%s: signed output differs from .signed.expected outside the value", name);
    /* The value: base64url digest, then ;info=<URL>;alg=ES256;ppt=shaken. */
    const char *v = out + pre;
    size_t vlen = out_len - pre - post;
    static const char tail[] = ";info=<" URL ">;alg=ES256;ppt=shaken";
    size_t tl = sizeof tail - 1;
    assert_true(vlen > tl);
    assert_memory_equal(v + vlen - tl, tail, tl);
    for (size_t i = 0; i < vlen - tl; i++) {
        char c = v[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.'))
            fail_msg("%s: Identity value byte %zu is 0x%02x", name, i, (unsigned char)c);
    }
    free(exp);
}

static void golden_one(const char *name)
{
    expect x;
    read_expect(name, &x);
    size_t len = 0;
    char *in = read_golden(name, ".sip", &len);
    assert_non_null(in);

    /* the numbers */
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
    clid_err rc = clid_sip_get_tns(in, len, orig, dest);
    if (rc != x.tns || strcmp(orig, x.orig) != 0 || strcmp(dest, x.dest) != 0)
        fail_msg("%s: tns %s '%s' '%s', expected %s '%s' '%s'", name, clid_err_name(rc), orig,
                 dest, clid_err_name(x.tns), x.orig, x.dest);

    /* signing */
    size_t out_len = 0;
    char *out = sign_msg(in, len, &sign_opts, &out_len, &rc);
    if (rc != x.sign)
        fail_msg("%s: sign %s, expected %s", name, clid_err_name(rc), clid_err_name(x.sign));
    if (out != NULL)
        compare_signed(name, out, out_len);

    /* verstat */
    size_t v_len = 0;
    char *v = NULL;
    if (x.verstat == CLID_OK) {
        v = verstat_msg(in, len, CLID_VERSTAT_FAILED, &v_len, &rc);
        size_t elen = 0;
        char *exp = read_golden(name, ".verstat.expected", &elen);
        if (exp == NULL)
            fail_msg("%s: no .verstat.expected", name);
        if (elen != v_len || memcmp(exp, v, elen) != 0)
            fail_msg("%s: add_verstat output differs from .verstat.expected:\n%.*s", name,
                     (int)v_len, v);
        free(exp);
        /* Again on its own output: the verstat is replaced, nothing moves. */
        size_t v2_len = 0;
        char *v2 = verstat_msg(v, v_len, CLID_VERSTAT_FAILED, &v2_len, &rc);
        assert_int_equal(v2_len, v_len);
        assert_memory_equal(v2, v, v_len);
        free(v2);
    } else {
        char buf[16];
        size_t n = 0;
        rc = clid_sip_add_verstat(in, len, CLID_VERSTAT_FAILED, buf, sizeof buf, &n);
        if (rc != x.verstat)
            fail_msg("%s: verstat %s, expected %s", name, clid_err_name(rc),
                     clid_err_name(x.verstat));
    }

    /* verification of the request as received */
    clid_result *res = NULL;
    assert_int_equal(clid_result_new(&res), CLID_OK);
    rc = verify_msg(in, len, res);
    if (rc != x.verify)
        fail_msg("%s: verify %s, expected %s", name, clid_err_name(rc), clid_err_name(x.verify));

    /* round trip: the signed request verifies, also after verstat marking */
    if (x.has_roundtrip) {
        assert_non_null(out);
        rc = verify_msg(out, out_len, res);
        if (rc != x.roundtrip)
            fail_msg("%s: round trip %s (%s), expected %s", name, clid_err_name(rc),
                     clid_result_detail(res), clid_err_name(x.roundtrip));
        if (rc == CLID_OK) {
            assert_string_equal(clid_result_orig(res), x.orig);
            assert_int_equal(clid_result_dest_count(res), 1);
            assert_string_equal(clid_result_dest(res, 0), x.dest);
            assert_string_equal(clid_result_origid(res), ORIGID);
            assert_int_equal(clid_result_iat(res), t0);
            size_t m_len = 0;
            char *marked = verstat_msg(out, out_len, CLID_VERSTAT_PASSED, &m_len, &rc);
            rc = verify_msg(marked, m_len, res);
            if (rc != CLID_OK)
                fail_msg("%s: verstat-marked signed request: %s", name, clid_err_name(rc));
            free(marked);
        }
    }
    clid_result_free(res);
    free(v);
    free(out);
    free(in);
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void golden(void **state)
{
    (void)state;
    DIR *d = opendir(CLID_SIP_GOLDEN_DIR);
    assert_non_null(d);
    char *names[128];
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t l = strlen(e->d_name);
        if (l > 4 && strcmp(e->d_name + l - 4, ".sip") == 0) {
            assert_true(n < sizeof names / sizeof names[0]);
            names[n] = malloc(l - 3);
            assert_non_null(names[n]);
            memcpy(names[n], e->d_name, l - 4);
            names[n][l - 4] = '\0';
            n++;
        }
    }
    closedir(d);
    assert_true(n >= 30);
    qsort(names, n, sizeof names[0], name_cmp);
    for (size_t i = 0; i < n; i++) {
        golden_one(names[i]);
        free(names[i]);
    }
}

/* ------------------------------------------------------------------------ */
/* Size bounds and buffers                                                   */
/* ------------------------------------------------------------------------ */

/* sipp_uac_tn padded with an X-Pad header to exactly `total` bytes. */
static char *padded(size_t total)
{
    size_t len = 0;
    char *in = read_golden("sipp_uac_tn", ".sip", &len);
    size_t pad = total - len - strlen("X-Pad: \r\n");
    char *line = malloc(pad + 8);
    assert_non_null(line);
    memcpy(line, "X-Pad: ", 7);
    memset(line + 7, 'a', pad);
    line[7 + pad] = '\0';
    size_t n = 0;
    char *m = insert_line(in, len, "Call-ID:", line, "\r\n", &n);
    assert_int_equal(n, total);
    free(line);
    free(in);
    return m;
}

static void size_bounds(void **state)
{
    (void)state;
    char tn1[CLID_TN_BUF], tn2[CLID_TN_BUF];
    char *big = padded(CLID_SIP_MAX_LEN + 1);
    size_t n = 0;
    assert_err(clid_sip_get_tns(big, CLID_SIP_MAX_LEN + 1, tn1, tn2), CLID_ERR_SIP_TOO_LARGE);
    assert_err(clid_sip_sign(signer, &sign_opts, big, CLID_SIP_MAX_LEN + 1, NULL, 0, &n),
               CLID_ERR_SIP_TOO_LARGE);
    assert_err(clid_sip_add_verstat(big, CLID_SIP_MAX_LEN + 1, CLID_VERSTAT_PASSED, NULL, 0, &n),
               CLID_ERR_SIP_TOO_LARGE);
    clid_result *res = NULL;
    assert_int_equal(clid_result_new(&res), CLID_OK);
    assert_err(clid_sip_verify(ver, NULL, big, CLID_SIP_MAX_LEN + 1, res), CLID_ERR_SIP_TOO_LARGE);
    assert_int_equal(clid_result_reason(res), CLID_ERR_SIP_TOO_LARGE);
    assert_int_equal(clid_result_sip_status(res), 400);
    clid_result_free(res);
    free(big);

    /* exactly at the bound: read, but signing would write past it */
    big = padded(CLID_SIP_MAX_LEN);
    assert_err(clid_sip_get_tns(big, CLID_SIP_MAX_LEN, tn1, tn2), CLID_OK);
    assert_err(clid_sip_sign(signer, &sign_opts, big, CLID_SIP_MAX_LEN, NULL, 0, &n),
               CLID_ERR_SIP_TOO_LARGE);
    free(big);
}

static void buffer_contract(void **state)
{
    (void)state;
    size_t len = 0, need = 0, got = 0;
    char *in = read_golden("sipp_uac_tn", ".sip", &len);
    assert_err(clid_sip_add_verstat(in, len, CLID_VERSTAT_PASSED, NULL, 0, &need),
               CLID_ERR_BUFFER_TOO_SMALL);
    char *out = malloc(need);
    assert_non_null(out);
    memset(out, 'Z', need);
    assert_err(clid_sip_add_verstat(in, len, CLID_VERSTAT_PASSED, out, need - 1, &got),
               CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(got, need);
    assert_int_equal(out[0], 'Z'); /* nothing written on failure */
    assert_err(clid_sip_add_verstat(in, len, CLID_VERSTAT_PASSED, out, need, &got), CLID_OK);
    assert_int_equal(got + 1, need);
    assert_int_equal(out[got], '\0');
    free(out);

    /* CLID_SIP_SIGN_EXTRA always suffices: one call */
    size_t cap = len + CLID_SIP_SIGN_EXTRA + 1;
    out = malloc(cap);
    assert_non_null(out);
    assert_err(clid_sip_sign(signer, &sign_opts, in, len, out, cap, &got), CLID_OK);
    assert_true(got > len && got < cap);
    free(out);

    assert_err(clid_sip_sign(signer, NULL, in, len, NULL, 0, &got), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_sign(NULL, &sign_opts, in, len, NULL, 0, &got),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_sign(signer, &sign_opts, in, len, NULL, 0, NULL),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_add_verstat(NULL, len, CLID_VERSTAT_PASSED, NULL, 0, &got),
               CLID_ERR_INVALID_ARGUMENT);
    char tn[CLID_TN_BUF];
    assert_err(clid_sip_get_tns(in, len, NULL, tn), CLID_ERR_INVALID_ARGUMENT);
    free(in);
}

/* ------------------------------------------------------------------------ */
/* Header injection                                                          */
/* ------------------------------------------------------------------------ */

static void injection(void **state)
{
    (void)state;
    /* The check itself: printable ASCII only. */
    for (unsigned c = 0; c < 256; c++) {
        char v[3] = {'a', (char)c, 'b'};
        clid_err want = c >= 0x20 && c <= 0x7e ? CLID_OK : CLID_ERR_HEADER_INJECTION;
        assert_err(clid__sip_check_value(v, 3), want);
    }
    /* The Identity line and the verstat value refuse CR/LF themselves. */
    clid__sip_raw raw;
    static const char req[] = "INVITE sip:a@b SIP/2.0\r\nFrom: <sip:1@b>\r\n\r\n";
    assert_err(clid__sip_raw_scan(req, sizeof req - 1, &raw), CLID_OK);
    char line[64];
    clid__sip_edit e;
    assert_err(clid__sip_identity_edit(&raw, "x\r\nEvil: 1", 10, line, sizeof line, &e),
               CLID_ERR_HEADER_INJECTION);
    assert_err(clid__sip_identity_edit(&raw, "x\nEvil: 1", 9, line, sizeof line, &e),
               CLID_ERR_HEADER_INJECTION);
    clid__sip_addr a = {.start = 30, .end = 40, .uri = 31, .uri_end = 39, .params = 40,
                        .bracketed = 1};
    clid__sip_edit edits[CLID__SIP_MAX_EDITS];
    size_t n = 0;
    assert_err(clid__sip_verstat_edits(req, &a, "TN\r\nEvil: x", edits, &n),
               CLID_ERR_HEADER_INJECTION);

    /* Through the public API: every value clid writes. */
    size_t len = 0, got = 0;
    char *in = read_golden("sipp_uac_tn", ".sip", &len);
    char out[4096];
    memset(out, 'Z', sizeof out);
    clid_sip_sign_opts o = sign_opts;
    o.origid = "4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b\r\nEvil: x";
    assert_true(clid_sip_sign(signer, &o, in, len, out, sizeof out, &got) != CLID_OK);
    o.origid = ORIGID "\n";
    assert_true(clid_sip_sign(signer, &o, in, len, out, sizeof out, &got) != CLID_OK);
    o = sign_opts;
    o.attest = '\n';
    assert_true(clid_sip_sign(signer, &o, in, len, out, sizeof out, &got) != CLID_OK);
    assert_int_equal(out[0], 'Z');
    clid_signer *s2 = NULL;
    assert_int_equal(clid_signer_new(&s2), CLID_OK);
    assert_true(clid_signer_set_x5u(s2, "https://x.example/a\r\nEvil: y") != CLID_OK);
    assert_true(clid_signer_set_x5u(s2, "https://x.example/a\nb") != CLID_OK);
    assert_true(clid_signer_set_x5u(s2, "https://x.example/a\x7f") != CLID_OK);
    clid_signer_free(s2);
    assert_err(clid_sip_add_verstat(in, len, (clid_verstat)3, out, sizeof out, &got),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_add_verstat(in, len, (clid_verstat)-1, out, sizeof out, &got),
               CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(out[0], 'Z');
    /* A number smuggling CR LF (%0D%0A) never becomes a caller. */
    size_t l2 = 0;
    char *inj = read_golden("escaped_crlf_user", ".sip", &l2);
    assert_err(clid_sip_sign(signer, &sign_opts, inj, l2, out, sizeof out, &got),
               CLID_ERR_SIP_NO_CALLER);
    free(inj);
    free(in);
}

/* ------------------------------------------------------------------------ */
/* osip_message_t variants                                                   */
/* ------------------------------------------------------------------------ */

static osip_message_t *osip_parse(const char *name)
{
    size_t len = 0;
    char *in = read_golden(name, ".sip", &len);
    assert_non_null(in);
    char *z = malloc(len + 1);
    assert_non_null(z);
    memcpy(z, in, len);
    z[len] = '\0';
    osip_message_t *m = NULL;
    assert_int_equal(osip_message_init(&m), 0);
    int rc = osip_message_parse(m, z, len);
    free(z);
    free(in);
    if (rc != 0) {
        osip_message_free(m);
        return NULL;
    }
    return m;
}

static int count_identity(const osip_message_t *m, const char **value)
{
    int n = 0;
    for (int i = 0; !osip_list_eol(&m->headers, i); i++) {
        const osip_header_t *h = osip_list_get(&m->headers, i);
        if (strcasecmp(h->hname, "identity") == 0) {
            *value = h->hvalue;
            n++;
        }
    }
    return n;
}

static void osip_variants(void **state)
{
    (void)state;
    /* The host initializes libosip2 itself, before clid does (clid_sip.h). */
    parser_init();
    osip_message_t *m = osip_parse("sipp_uac_tn");
    assert_non_null(m);
    clid_sip_verify_opts vo = {.now = t0};
    clid_result *res = NULL;
    assert_int_equal(clid_result_new(&res), CLID_OK);
    assert_err(clid_sip_verify_osip(ver, &vo, m, res), CLID_ERR_NO_IDENTITY);
    assert_int_equal(clid_result_reason(res), CLID_ERR_NO_IDENTITY);

    assert_err(clid_sip_sign_osip(signer, &sign_opts, m), CLID_OK);
    const char *value = NULL;
    assert_int_equal(count_identity(m, &value), 1);
    assert_non_null(strstr(value, ";info=<" URL ">;alg=ES256;ppt=shaken"));
    assert_err(clid_sip_verify_osip(ver, &vo, m, res), CLID_OK);
    assert_string_equal(clid_result_orig(res), ORIG);
    assert_string_equal(clid_result_dest(res, 0), DEST);

    /* The same value verifies when spliced into the raw request. */
    char *line = tp_cat("Identity: ", value, NULL);
    size_t len = 0, n = 0;
    char *in = read_golden("sipp_uac_tn", ".sip", &len);
    char *raw = insert_line(in, len, NULL, line, "\r\n", &n);
    assert_err(verify_msg(raw, n, NULL), CLID_OK);
    free(raw);
    free(in);
    free(line);

    /* injection through the osip variant: nothing is added */
    clid_sip_sign_opts o = sign_opts;
    o.origid = ORIGID "\r\nEvil: x";
    assert_true(clid_sip_sign_osip(signer, &o, m) != CLID_OK);
    assert_int_equal(count_identity(m, &value), 1);
    /* a second signature adds a second header; both verify */
    assert_err(clid_sip_sign_osip(signer, &sign_opts, m), CLID_OK);
    assert_int_equal(count_identity(m, &value), 2);
    assert_err(clid_sip_verify_osip(ver, NULL, m, NULL), CLID_OK);
    osip_message_free(m);

    /* missing To: parses in libosip2, refused by clid */
    m = osip_parse("missing_to");
    assert_non_null(m);
    assert_null(m->to);
    assert_err(clid_sip_sign_osip(signer, &sign_opts, m), CLID_ERR_SIP_PARSE);
    assert_err(clid_sip_verify_osip(ver, &vo, m, res), CLID_ERR_SIP_PARSE);
    assert_int_equal(clid_result_sip_status(res), 400);
    osip_message_free(m);
    /* a response */
    m = osip_parse("response");
    assert_non_null(m);
    assert_err(clid_sip_sign_osip(signer, &sign_opts, m), CLID_ERR_SIP_PARSE);
    osip_message_free(m);
    /* anonymous: policy */
    m = osip_parse("anonymous");
    assert_non_null(m);
    assert_err(clid_sip_sign_osip(signer, &sign_opts, m), CLID_ERR_SIP_NO_CALLER);
    osip_message_free(m);
    /* PAI list, header names in any case as a host may set them */
    m = osip_parse("to_not_tn");
    assert_non_null(m);
    assert_int_equal(osip_message_set_header(m, "P-ASSERTED-IDENTITY", "<tel:+1-202-555-0111>"),
                     0);
    assert_err(clid_sip_sign_osip(signer, &sign_opts, m), CLID_OK);
    assert_err(clid_sip_verify_osip(ver, &vo, m, res), CLID_OK);
    assert_string_equal(clid_result_orig(res), "12025550111");
    assert_string_equal(clid_result_dest(res, 0), DEST); /* from the Request-URI */
    /* A second asserted identity the host set with a TAB before '<': read
     * (it is valid RFC 3261), not skipped, and the first TN entry decides. */
    osip_message_free(m);
    m = osip_parse("sipp_uac_tn");
    assert_non_null(m);
    assert_err(clid_sip_sign_osip(signer, &sign_opts, m), CLID_OK); /* for the From number */
    assert_int_equal(osip_message_set_header(m, "P-Asserted-Identity",
                                             "\"M\"\t<sip:+13105550000@evil.example>"),
                     0);
    assert_err(clid_sip_verify_osip(ver, &vo, m, res), CLID_ERR_ORIG_MISMATCH);
    assert_err(clid_sip_sign_osip(signer, &sign_opts, m), CLID_OK); /* now for 13105550000 */
    assert_err(clid_sip_verify_osip(ver, &vo, m, res), CLID_OK);
    assert_string_equal(clid_result_orig(res), "13105550000");
    /* one that cannot be read fails the request: no fall back to From */
    assert_int_equal(osip_message_set_header(m, "P-Asserted-Identity", "<<tel:+1"), 0);
    assert_err(clid_sip_verify_osip(ver, &vo, m, res), CLID_ERR_SIP_PARSE);
    assert_err(clid_sip_sign_osip(signer, &sign_opts, m), CLID_ERR_SIP_PARSE);
    osip_message_free(m);

    assert_err(clid_sip_sign_osip(signer, &sign_opts, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_verify_osip(ver, NULL, NULL, NULL), CLID_ERR_INVALID_ARGUMENT);
    clid_result_free(res);
}

/* ------------------------------------------------------------------------ */
/* URIs that are no URIs                                                     */
/* ------------------------------------------------------------------------ */

/* An asserted identity whose URI holds what no URI may hold (RFC 3986 §2)
 * cannot be read: every function refuses the request, none falls back to
 * From, and verstat never edits it. (Before, clid read the number through
 * such URIs for signing and verification and refused only the edit.) */
static void unreadable_uri_refusals(void **state)
{
    (void)state;
    static const char *const pai[] = {
        "<sip:+12025550100;x=\"a;verstat=b\"@h>", /* a quote in a URI */
        "<sip:+12025550100;x=a\xc3\xa9@h>",        /* non-ASCII */
        "<sip:+12025550100;x={a}@h>",
    };
    size_t len = 0;
    char *in = read_golden("to_not_tn", ".sip", &len);
    size_t s_len = 0;
    char *signed_in = sign_ok(in, len, &s_len);
    for (size_t i = 0; i < sizeof pai / sizeof pai[0]; i++) {
        char *line = tp_cat("P-Asserted-Identity: ", pai[i], NULL);
        size_t n = 0, got = 0;
        char *m = insert_line(in, len, "Call-ID:", line, "\r\n", &n);
        char tn1[CLID_TN_BUF], tn2[CLID_TN_BUF];
        assert_err(clid_sip_get_tns(m, n, tn1, tn2), CLID_ERR_SIP_PARSE);
        assert_string_equal(tn1, "");
        char out[2048];
        assert_err(clid_sip_add_verstat(m, n, CLID_VERSTAT_PASSED, out, sizeof out, &got),
                   CLID_ERR_SIP_PARSE);
        clid_err rc = CLID_OK;
        assert_null(sign_msg(m, n, &sign_opts, &got, &rc));
        assert_err(rc, CLID_ERR_SIP_PARSE);
        /* the From number's signature does not vouch for it */
        char *sm = insert_line(signed_in, s_len, "Call-ID:", line, "\r\n", &n);
        assert_err(verify_msg(sm, n, NULL), CLID_ERR_SIP_PARSE);
        free(sm);
        free(m);
        free(line);
    }
    free(signed_in);
    free(in);
}

/* ------------------------------------------------------------------------ */
/* Local numbers with a phone-context (RFC 3966 §5.1.5)                      */
/* ------------------------------------------------------------------------ */

/* An asserted identity written as a local number under a global prefix
 * binds to the globalized number, in both readings (clid's and libosip2's),
 * for signing and verification; one under a domain context has no global
 * name and is no caller at all (never the bare local digits). */
static void phone_context_caller(void **state)
{
    (void)state;
    static const struct {
        const char *pai;
        clid_err rc;
        const char *tn;
    } cases[] = {
        {"<tel:555-0111;phone-context=+1-202>", CLID_OK, "12025550111"},
        {"<tel:5550111;Phone-Context=+1(202);ext=1>", CLID_OK, "12025550111"},
        {"\"X\" <sip:5550111;phone-context=+1-202@h;user=phone>", CLID_OK, "12025550111"},
        {"<sip:5550111;phone-context=%2B1-202@h;user=phone>", CLID_OK, "12025550111"},
        {"<tel:5550111;phone-context=example.com>", CLID_ERR_SIP_NO_CALLER, ""},
        {"<sip:5550111;phone-context=example.com@h;user=phone>", CLID_ERR_SIP_NO_CALLER, ""},
        {"<tel:+12025550111;phone-context=+1>", CLID_ERR_SIP_NO_CALLER, ""},
        {"<tel:5550111;phone-context=+1202;phone-context=+1202>", CLID_ERR_SIP_NO_CALLER, ""},
    };
    size_t len = 0;
    char *in = read_golden("to_not_tn", ".sip", &len);
    clid_result *res = NULL;
    assert_int_equal(clid_result_new(&res), CLID_OK);
    parser_init();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *line = tp_cat("P-Asserted-Identity: ", cases[i].pai, NULL);
        size_t n = 0, got = 0;
        char *m = insert_line(in, len, "Call-ID:", line, "\r\n", &n);
        char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
        clid_err rc = clid_sip_get_tns(m, n, orig, dest);
        if (rc != cases[i].rc || strcmp(orig, cases[i].tn) != 0)
            fail_msg("%s: %s '%s'", cases[i].pai, clid_err_name(rc), orig);
        clid_err src = CLID_OK;
        char *sm = sign_msg(m, n, &sign_opts, &got, &src);
        assert_err(src, cases[i].rc);
        if (cases[i].rc == CLID_OK) {
            assert_err(verify_msg(sm, got, res), CLID_OK);
            assert_string_equal(clid_result_orig(res), cases[i].tn);
            /* libosip2's reading of the same request agrees */
            osip_message_t *om = NULL;
            assert_int_equal(osip_message_init(&om), 0);
            assert_int_equal(osip_message_parse(om, sm, got), 0);
            clid_sip_verify_opts vo = {.now = t0};
            assert_err(clid_sip_verify_osip(ver, &vo, om, res), CLID_OK);
            assert_string_equal(clid_result_orig(res), cases[i].tn);
            osip_message_free(om);
        }
        free(sm);
        free(m);
        free(line);
    }
    clid_result_free(res);
    free(in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden),
        cmocka_unit_test(size_bounds),
        cmocka_unit_test(buffer_contract),
        cmocka_unit_test(injection),
        cmocka_unit_test(osip_variants),
        cmocka_unit_test(unreadable_uri_refusals),
        cmocka_unit_test(phone_context_caller),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
