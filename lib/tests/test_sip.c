/*
 * Unit tests of the SIP adapter (clid_sip.h; sip.c, sip_parse.c,
 * sip_splice.c).
 *
 * Golden tests: every lib/tests/sip/NAME.sip is a request as received; its
 * NAME.expect lists what each API call must return; NAME.signed.expected is
 * the request with the one line signing must insert ("Identity: @IDENTITY@",
 * the value being random: ECDSA and the origid), and NAME.verstat.expected
 * the exact bytes clid_sip_add_verstat(TN-Validation-Failed) must write.
 * Both expected files were written from the inputs by plain text edits, not
 * by clid (lib/tests/sip/README.md). Everything else is compared byte for
 * byte. Signed outputs are verified back (round trip).
 *
 * Then: verification outcomes built at run time (tampered To, Date, several
 * Identity headers, compact "y", anonymous callers), header injection through
 * every value clid writes, size bounds, the osip_message_t variants, the
 * Date parser, the raw scanner, and four threads.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/pem.h>
#include <osipparser2/osip_parser.h>

#include <clid/clid_sip.h>

#include "result_internal.h"
#include "sip_internal.h"
#include "testpki.h"

#ifndef CLID_SIP_GOLDEN_DIR
#error "CLID_SIP_GOLDEN_DIR must name lib/tests/sip"
#endif

#define URL "https://cert.example.org/sp.pem"
#define ORIGID "4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
#define ORIG "12025550100"
#define DEST "12025550199"

static tp_cert *root, *inter, *sp;
static char *chain_sp;
static int64_t t0 = TP_T0;
static clid_ctx *ctx;
static clid_verifier *ver;
static clid_signer *signer;
static const clid_sip_sign_opts sign_opts = {.attest = 'A', .origid = ORIGID};

static int64_t fixed_clock(void *arg)
{
    return *(const int64_t *)arg;
}

static char *key_pem(EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    assert_int_equal(PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    BIO_free(bio);
    return s;
}

static int group_setup(void **state)
{
    (void)state;
    root = tp_issue(&(tp_spec){.cn = "Test Root", .ca = 1, .not_before = TP_T0 - 3650 * TP_DAY,
                               .not_after = TP_T0 + 3650 * TP_DAY},
                    NULL);
    inter = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1, .not_before = TP_T0 - 365 * TP_DAY,
                                .not_after = TP_T0 + 3 * 365 * TP_DAY},
                     root);
    sp = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, inter);
    chain_sp = tp_cat(sp->pem, inter->pem, NULL);

    assert_int_equal(clid_ctx_new(&ctx), CLID_OK);
    assert_int_equal(clid_ctx_add_trust_pem(ctx, root->pem, strlen(root->pem)), CLID_OK);
    assert_int_equal(clid_ctx_set_clock(ctx, fixed_clock, &t0), CLID_OK);
    assert_int_equal(clid_ctx_add_x5u_pem(ctx, URL, chain_sp, strlen(chain_sp)), CLID_OK);
    assert_int_equal(clid_verifier_new(ctx, &ver), CLID_OK);

    char *pem = key_pem(sp->key);
    assert_int_equal(clid_signer_new(&signer), CLID_OK);
    assert_int_equal(clid_signer_set_key_pem(signer, pem, strlen(pem)), CLID_OK);
    assert_int_equal(clid_signer_set_cert_pem(signer, sp->pem, strlen(sp->pem)), CLID_OK);
    assert_int_equal(clid_signer_set_x5u(signer, URL), CLID_OK);
    assert_int_equal(clid_signer_set_clock(signer, fixed_clock, &t0), CLID_OK);
    free(pem);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    clid_signer_free(signer);
    clid_verifier_free(ver);
    clid_ctx_free(ctx);
    tp_free(sp);
    tp_free(inter);
    tp_free(root);
    free(chain_sp);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

#define assert_err(actual, expected)                                                              \
    do {                                                                                          \
        clid_err a_ = (actual), e_ = (expected);                                                  \
        if (a_ != e_)                                                                             \
            fail_msg("%s:%d: got %s, expected %s", __FILE__, __LINE__, clid_err_name(a_),         \
                     clid_err_name(e_));                                                          \
    } while (0)

/* An exact-size heap copy (no NUL after it: ASan sees any over-read). */
static char *dup_exact(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

/* Reads a whole file into an exact-size buffer; NULL if it does not exist. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char buf[70000];
    size_t n = fread(buf, 1, sizeof buf, f);
    assert_true(feof(f));
    fclose(f);
    *len = n;
    return dup_exact(buf, n);
}

static char *golden_path(const char *name, const char *suffix)
{
    return tp_cat(CLID_SIP_GOLDEN_DIR "/", name, suffix, NULL);
}

static char *read_golden(const char *name, const char *suffix, size_t *len)
{
    char *path = golden_path(name, suffix);
    char *data = read_file(path, len);
    free(path);
    return data;
}

/* Signs msg; returns the malloc'd output (NUL-terminated) or NULL with *rc. */
static char *sign_msg(const char *msg, size_t len, const clid_sip_sign_opts *o, size_t *out_len,
                      clid_err *rc)
{
    size_t need = 0;
    *rc = clid_sip_sign(signer, o, msg, len, NULL, 0, &need);
    if (*rc != CLID_ERR_BUFFER_TOO_SMALL)
        return NULL;
    char *out = malloc(need);
    assert_non_null(out);
    *rc = clid_sip_sign(signer, o, msg, len, out, need, out_len);
    if (*rc != CLID_OK) {
        free(out);
        return NULL;
    }
    assert_int_equal(*out_len + 1, need);
    assert_int_equal(out[*out_len], '\0');
    return out;
}

static char *sign_ok(const char *msg, size_t len, size_t *out_len)
{
    clid_err rc;
    char *out = sign_msg(msg, len, &sign_opts, out_len, &rc);
    assert_err(rc, CLID_OK);
    return out;
}

static char *verstat_msg(const char *msg, size_t len, clid_verstat v, size_t *out_len,
                         clid_err *rc)
{
    size_t need = 0;
    *rc = clid_sip_add_verstat(msg, len, v, NULL, 0, &need);
    if (*rc != CLID_ERR_BUFFER_TOO_SMALL)
        return NULL;
    assert_true(need <= len + CLID_SIP_VERSTAT_EXTRA + 1);
    char *out = malloc(need);
    assert_non_null(out);
    *rc = clid_sip_add_verstat(msg, len, v, out, need, out_len);
    assert_err(*rc, CLID_OK);
    assert_int_equal(*out_len + 1, need);
    return out;
}

static clid_err verify_msg(const char *msg, size_t len, clid_result *res)
{
    char *copy = dup_exact(msg, len);
    clid_sip_verify_opts o = {.now = t0};
    clid_err rc = clid_sip_verify(ver, &o, copy, len, res);
    free(copy);
    if (res != NULL)
        assert_int_equal(clid_result_reason(res), rc);
    return rc;
}

/* memmem: the buffers here are not NUL-terminated (exact-size copies). */
static const char *find(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

/* "Name: value" + line ending inserted before the line that starts with
 * `before` (NULL: before the empty line). malloc'd, NUL-terminated. */
static char *insert_line(const char *msg, size_t len, const char *before, const char *line,
                         const char *eol, size_t *out_len)
{
    size_t at = 0;
    if (before == NULL) {
        const char *p = find(msg, len, "\r\n\r\n");
        const char *q = find(msg, len, "\n\n");
        at = p != NULL && (q == NULL || p < q) ? (size_t)(p - msg) + 2 : (size_t)(q - msg) + 1;
    } else {
        char *needle = tp_cat("\n", before, NULL);
        const char *p = find(msg, len, needle);
        assert_non_null(p);
        at = (size_t)(p - msg) + 1;
        free(needle);
    }
    size_t ll = strlen(line), el = strlen(eol);
    char *out = malloc(len + ll + el + 1);
    assert_non_null(out);
    memcpy(out, msg, at);
    memcpy(out + at, line, ll);
    memcpy(out + at + ll, eol, el);
    memcpy(out + at + ll + el, msg + at, len - at);
    *out_len = len + ll + el;
    out[*out_len] = '\0';
    return out;
}

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
    osip_message_free(m);

    assert_err(clid_sip_sign_osip(signer, &sign_opts, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_verify_osip(ver, NULL, NULL, NULL), CLID_ERR_INVALID_ARGUMENT);
    clid_result_free(res);
}

/* ------------------------------------------------------------------------ */
/* Date parser                                                               */
/* ------------------------------------------------------------------------ */

static void parse_date(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        int64_t t; /* 0: invalid */
    } v[] = {
        {"Sun, 06 Nov 1994 08:49:37 GMT", 784111777}, /* RFC 1123 / RFC 2616 example */
        {"Sat, 13 Nov 2010 23:29:00 GMT", 1289690940}, /* RFC 3261 §20.17 */
        {"Thu, 01 Jan 2026 00:00:00 GMT", TP_T0},
        {"thu, 01 jan 2026 00:00:00 gmt", TP_T0}, /* ABNF strings are case-insensitive */
        {"Thu, 01 Jan 1970 00:00:01 GMT", 1},
        {"Thu, 01 Jan 1970 00:00:00 GMT", 0},     /* the epoch means "no Date" */
        {"Wed, 31 Dec 1969 23:59:59 GMT", 0},
        {"Thu, 29 Feb 2024 12:00:00 GMT", 1709208000},
        {"Thu, 29 Feb 2024 12:00:00 GMT ", 0},
        {" Thu, 29 Feb 2024 12:00:00 GMT", 0},
        {"Fri, 29 Feb 2023 12:00:00 GMT", 0},     /* no leap day */
        {"Tue, 29 Feb 2000 12:00:00 GMT", 951825600}, /* 400-year leap */
        {"Mon, 29 Feb 2100 12:00:00 GMT", 0},
        {"Fri, 01 Jan 2026 00:00:00 GMT", 0},     /* wrong weekday */
        {"Thu, 32 Jan 2026 00:00:00 GMT", 0},
        {"Thu, 00 Jan 2026 00:00:00 GMT", 0},
        {"Thu, 01 Jan 2026 24:00:00 GMT", 0},
        {"Thu, 01 Jan 2026 00:60:00 GMT", 0},
        {"Thu, 01 Jan 2026 00:00:60 GMT", 0},
        {"Thu, 01 Jan 2026 00:00:00 UTC", 0},
        {"Thu, 01 Jan 2026 00:00:00 +0000", 0},
        {"Thu, 1 Jan 2026 00:00:00 GMT", 0},
        {"Thu 01 Jan 2026 00:00:00 GMT", 0},
        {"Thu,  01 Jan 2026 00:00:00 GMT", 0},
        {"Thu, 01 Jan 26 00:00:00 GMT", 0},
        {"Thu, 01 Jna 2026 00:00:00 GMT", 0},
        {"Thursday, 01-Jan-26 00:00:00 GMT", 0},  /* RFC 850 */
        {"Thu Jan  1 00:00:00 2026", 0},          /* asctime */
        {"2026-01-01T00:00:00Z", 0},
        {"Thu, 01 Jan 2026 0a:00:00 GMT", 0},
        {"Thu, 01 Jan 2026 00:00:00 GMT\r\nX: y", 0},
        {"", 0},
        {"Fri, 31 Dec 9999 23:59:59 GMT", 253402300799},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        int64_t t = -1;
        clid_err rc = clid_sip_parse_date(v[i].s, &t);
        if (v[i].t == 0) {
            if (rc != CLID_ERR_DATE_INVALID || t != 0)
                fail_msg("'%s' accepted (%lld)", v[i].s, (long long)t);
        } else if (rc != CLID_OK || t != v[i].t) {
            fail_msg("'%s': %s %lld, expected %lld", v[i].s, clid_err_name(rc), (long long)t,
                     (long long)v[i].t);
        }
    }
    /* Every day of 1970..2100 round-trips through its own weekday. */
    static const char *const wk[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t day = 1;
    for (int y = 1970; y <= 2100; y++) {
        for (int m = 0; m < 12; m++) {
            static const int md[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
            int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
            int days = md[m] + (m == 1 && leap);
            for (int d = 1; d <= days; d++, day++) {
                char s[40];
                int64_t t = 0;
                snprintf(s, sizeof s, "%s, %02d %s %04d 00:00:01 GMT", wk[(day - 1 + 4) % 7], d,
                         mo[m], y);
                assert_err(clid_sip_parse_date(s, &t), CLID_OK);
                assert_int_equal(t, (day - 1) * 86400 + 1);
            }
        }
    }
    int64_t t;
    assert_err(clid_sip_parse_date(NULL, &t), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_sip_parse_date("x", NULL), CLID_ERR_INVALID_ARGUMENT);
}

/* ------------------------------------------------------------------------ */
/* The raw scanner                                                           */
/* ------------------------------------------------------------------------ */

static void raw_scanner(void **state)
{
    (void)state;
    clid__sip_raw r;
    static const char crlf[] = "INVITE sip:a@b SIP/2.0\r\nA: 1\r\nB : two\r\n  more\r\n\r\nbody";
    assert_err(clid__sip_raw_scan(crlf, sizeof crlf - 1, &r), CLID_OK);
    assert_int_equal(r.crlf, 1);
    assert_int_equal(r.headers, 24);
    assert_int_equal(r.blank, (size_t)(strstr(crlf, "\r\n\r\n") - crlf) + 2);
    assert_int_equal(r.body, sizeof crlf - 1 - 4);
    size_t pos = r.headers;
    clid__sip_field f;
    assert_true(clid__sip_next_field(&r, &pos, &f));
    assert_true(clid__sip_field_is(&r, &f, "a", 0));
    assert_int_equal(f.end - f.value, 1);
    assert_true(clid__sip_next_field(&r, &pos, &f));
    assert_true(clid__sip_field_is(&r, &f, "B", 0));
    assert_memory_equal(crlf + f.value, "two\r\n  more", f.end - f.value);
    assert_false(clid__sip_next_field(&r, &pos, &f));

    static const char lf[] = "INVITE sip:a@b SIP/2.0\nf: x\n\n";
    assert_err(clid__sip_raw_scan(lf, sizeof lf - 1, &r), CLID_OK);
    assert_int_equal(r.crlf, 0);
    pos = r.headers;
    assert_true(clid__sip_next_field(&r, &pos, &f));
    assert_true(clid__sip_field_is(&r, &f, "from", 'f'));
    assert_false(clid__sip_field_is(&r, &f, "from", 0));

    static const char *const bad[] = {
        "INVITE sip:a@b SIP/2.0\r\nA: 1\r\n",          /* no empty line */
        "INVITE sip:a@b SIP/2.0\r\nA: 1\r\r\n\r\n",    /* bare CR */
        "INVITE sip:a@b SIP/2.0\r\nA: 1\x01\r\n\r\n",  /* control */
        "INVITE sip:a@b SIP/2.0\r\nA: 1\x7f\r\n\r\n",  /* DEL */
        "INVITE sip:a@b SIP/2.0\r\n \r\n\r\n",         /* whitespace-only line */
        "INVITE sip:a@b SIP/2.0\r\n cont\r\n\r\n",     /* continuation of the start line */
        "INVITE sip:a@b SIP/2.0\r\nNoColon\r\n\r\n",
        "INVITE sip:a@b SIP/2.0\r\n: x\r\n\r\n",
        "INVITE sip:a@b SIP/2.0\r\nA(b): x\r\n\r\n",
        "\r\nA: 1\r\n\r\n",                           /* empty start line */
        "INVITE sip:a@b\r\n\r\nX: SIP/2.0\r\n\r\n",    /* no version: libosip2 reads on */
        "INVITE sip:a@b SIP/2.0 x\r\nA: 1\r\n\r\n",
        "INVITE  sip:a@b SIP/2.0\r\nA: 1\r\n\r\n",
        "INVITE sip:a@b SIP/2.\r\nA: 1\r\n\r\n",
        "INVITE sip:a@b SIP/.0\r\nA: 1\r\n\r\n",
        "INVITE sip:a@b HTTP/1.1\r\nA: 1\r\n\r\n",
        "SIP/2.0 200 OK\r\nA: 1\r\n\r\n",
        " INVITE sip:a@b SIP/2.0\r\n\r\n",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (clid__sip_raw_scan(bad[i], strlen(bad[i]), &r) != CLID_ERR_SIP_PARSE)
            fail_msg("accepted: %s", bad[i]);
    /* a NUL in a header */
    static const char nul[] = "INVITE sip:a@b SIP/2.0\r\nA: 1\0x\r\n\r\n";
    assert_err(clid__sip_raw_scan(nul, sizeof nul - 1, &r), CLID_ERR_SIP_PARSE);
    /* but anything in the body */
    static const char body[] = "INVITE sip:a@b SIP/2.0\r\nA: 1\r\n\r\n\0\r\x01";
    assert_err(clid__sip_raw_scan(body, sizeof body - 1, &r), CLID_OK);
}

static void raw_addresses(void **state)
{
    (void)state;
    static const char v[] = "\"A, \\\"B\\\" <x>\" <sip:+1@h;user=phone>;tag=\"q,;\" , "
                            "Bob Smith <tel:+2;p=1>, sip:+3@h;tag=4,<sip:4@h>";
    size_t pos = 0, end = sizeof v - 1;
    clid__sip_addr a;
    assert_err(clid__sip_next_addr(v, &pos, end, &a), CLID_OK);
    assert_true(a.bracketed);
    assert_memory_equal(v + a.uri, "sip:+1@h;user=phone", a.uri_end - a.uri);
    assert_memory_equal(v + a.params, ";tag=\"q,;\"", a.end - a.params);
    assert_err(clid__sip_next_addr(v, &pos, end, &a), CLID_OK);
    assert_memory_equal(v + a.start, "Bob Smith <tel:+2;p=1>", a.end - a.start);
    assert_memory_equal(v + a.uri, "tel:+2;p=1", a.uri_end - a.uri);
    assert_err(clid__sip_next_addr(v, &pos, end, &a), CLID_OK);
    assert_false(a.bracketed);
    assert_memory_equal(v + a.uri, "sip:+3@h", a.uri_end - a.uri);
    assert_memory_equal(v + a.params, ";tag=4", a.end - a.params);
    assert_err(clid__sip_next_addr(v, &pos, end, &a), CLID_OK);
    assert_memory_equal(v + a.uri, "sip:4@h", a.uri_end - a.uri);
    assert_int_equal(pos, end);

    static const char *const bad[] = {"", "  ", ",<sip:a@b>", "\"open <sip:a@b>", "<sip:a@b",
                                      "\"x\" sip:a@b", "a\"b\" <sip:x@y>", "<>", "\"x\"<>"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        pos = 0;
        if (clid__sip_next_addr(bad[i], &pos, strlen(bad[i]), &a) != CLID_ERR_SIP_PARSE)
            fail_msg("accepted address: '%s'", bad[i]);
    }

    static const char p[] = " ; a = 1 ;B;c=\"x;y\";;d=e";
    pos = 0;
    clid__sip_param prm;
    const char *names[] = {"a", "b", "c", "", "d"};
    for (size_t i = 0; i < 5; i++) {
        assert_true(clid__sip_next_param(p, &pos, sizeof p - 1, &prm));
        assert_true(prm.name_len == strlen(names[i]));
        assert_true(clid__sip_param_is(p, &prm, names[i]));
    }
    assert_false(clid__sip_next_param(p, &pos, sizeof p - 1, &prm));

    char tn[CLID_TN_BUF];
    static const struct {
        const char *uri;
        const char *tn; /* NULL: not a number */
    } u[] = {
        {"sip:+1-202-555-0100@h;user=phone", "12025550100"},
        {"sips:12025550100@h", "12025550100"},
        {"SIP:%2b12025550100@h", "12025550100"},
        {"sip:+12025550100;tgrp=x;trunk-context=y@h", "12025550100"},
        {"sip:+12025550100:secret@h", "12025550100"},
        {"tel:+1(202)555.0100;ext=1", "12025550100"},
        {"TEL:+12025550100", "12025550100"},
        {"sip:alice@h", NULL},
        {"sip:+1202?5550100@h", NULL}, /* '?' is a user character, not a number's end */
        {"sip:+1202%3F5550100@h", NULL},
        {"tel:+1202?5550100", NULL},
        {"sip:+1202%3B1@h", NULL},
        {"sip:anonymous@anonymous.invalid", NULL},
        {"sip:h", NULL},
        {"sip:+1%0D%0A@h", NULL},
        {"sip:+1%00@h", NULL},
        {"sip:+1%2@h", NULL},
        {"sip:%zz@h", NULL},
        {"tel:sip:12025550100", NULL},
        {"mailto:12025550100@h", NULL},
        {"urn:service:sos", NULL},
        {"12025550100", NULL},
    };
    for (size_t i = 0; i < sizeof u / sizeof u[0]; i++) {
        clid_err rc = clid__sip_uri_text_tn(u[i].uri, strlen(u[i].uri), tn);
        if (u[i].tn != NULL ? (rc != CLID_OK || strcmp(tn, u[i].tn) != 0) : rc == CLID_OK)
            fail_msg("%s: %s '%s'", u[i].uri, clid_err_name(rc), tn);
    }
}

/* verstat refuses URIs it cannot edit safely; signing them is fine. */
static void verstat_refusals(void **state)
{
    (void)state;
    static const char *const pai[] = {
        "<sip:+12025550100;x=\"a;verstat=b\"@h>", /* a quote in a URI */
        "<sip:+12025550100;x=a\xc3\xa9@h>",        /* non-ASCII */
        "<sip:+12025550100;x={a}@h>",
    };
    size_t len = 0;
    char *in = read_golden("to_not_tn", ".sip", &len);
    for (size_t i = 0; i < sizeof pai / sizeof pai[0]; i++) {
        char *line = tp_cat("P-Asserted-Identity: ", pai[i], NULL);
        size_t n = 0, got = 0;
        char *m = insert_line(in, len, "Call-ID:", line, "\r\n", &n);
        char tn1[CLID_TN_BUF], tn2[CLID_TN_BUF];
        assert_err(clid_sip_get_tns(m, n, tn1, tn2), CLID_OK);
        assert_string_equal(tn1, ORIG);
        char out[2048];
        assert_err(clid_sip_add_verstat(m, n, CLID_VERSTAT_PASSED, out, sizeof out, &got),
                   CLID_ERR_SIP_PARSE);
        size_t s_len = 0;
        char *signed_m = sign_ok(m, n, &s_len);
        assert_err(verify_msg(signed_m, s_len, NULL), CLID_OK);
        free(signed_m);
        free(m);
        free(line);
    }
    free(in);
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
        cmocka_unit_test(golden),
        cmocka_unit_test(tampered_to),
        cmocka_unit_test(date_checks),
        cmocka_unit_test(stale_and_future),
        cmocka_unit_test(no_identity),
        cmocka_unit_test(several_identities),
        cmocka_unit_test(anonymous_caller),
        cmocka_unit_test(not_requests),
        cmocka_unit_test(size_bounds),
        cmocka_unit_test(buffer_contract),
        cmocka_unit_test(injection),
        cmocka_unit_test(osip_variants),
        cmocka_unit_test(parse_date),
        cmocka_unit_test(raw_scanner),
        cmocka_unit_test(raw_addresses),
        cmocka_unit_test(verstat_refusals),
        cmocka_unit_test(four_threads),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
