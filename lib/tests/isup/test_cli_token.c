/*
 * The CLI token (isup/cli_token.c, asn1/asn1_clitoken.c; clid_isup.h):
 * PASSporT -> token -> PASSporT reproduces the JWS byte for byte and the
 * rebuilt Identity verifies through the standard pipeline; tampering and
 * strict DER negatives; what is not reconstructible; re-signing at the SSGW
 * with a Q.3063-profile certificate; the measured sizes.
 */
#include "support/clid_test.h"

#include <openssl/evp.h>

#include <clid/clid_isup.h>

#include "asn1/clitoken_codec.h"
#include "core/b64url.h"
#include "core/es256.h"
#include "support/testpki.h"

#define ORIG "12025550100"
#define DEST "13035550199"
#define DEST2 "13035550198"
#define ORIGID "4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
#define URL_SP "https://cert.example.org/sp.pem"
#define URL_SSGW "https://cert.example.org/ssgw.pem"
/* 40 characters: the size target of issue 13. */
#define URL_40 "https://cert.example.org/shaken/sp01.pem"
#define T0_STR "1767225600"
#define SIZE_TARGET 170

static tp_cert *root, *inter, *sp, *ssgw;
static char *chain_sp, *chain_ssgw;
static clid_entity *ent_gw;
static clid_signer *sig_sp, *sig_sp40, *sig_ssgw;
static clid_ctx *ctx;
static clid_verifier *ver;
static clid_result *res;
static int64_t t0 = TP_T0;

static int setup(void **state)
{
    (void)state;
    root = tp_test_root();
    inter = tp_test_stica(root);
    sp = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, inter);
    /* The SSGW: clid's Q.3063 profile, SignallingEntity international
     * gateway for country code 1, and the TNs it vouches for. */
    assert_ok(clid_entity_new(CLID_ROLE_INTERNATIONAL_GATEWAY, &ent_gw));
    assert_ok(clid_entity_add_country(ent_gw, "1"));
    ssgw = tp_issue(&(tp_spec){.cn = "gateway 1", .tnauth = "range:12025550000+1000",
                               .entity = ent_gw},
                    inter);
    chain_sp = tp_cat(sp->pem, inter->pem, NULL);
    chain_ssgw = tp_cat(ssgw->pem, inter->pem, NULL);
    sig_sp = tp_signer_new(sp, URL_SP, &t0);
    sig_sp40 = tp_signer_new(sp, URL_40, &t0);
    sig_ssgw = tp_signer_new(ssgw, URL_SSGW, &t0);
    ctx = tp_ctx_new(root, &t0);
    tp_ctx_map(ctx, URL_SP, chain_sp);
    tp_ctx_map(ctx, URL_40, chain_sp);
    tp_ctx_map(ctx, URL_SSGW, chain_ssgw);
    ver = tp_verifier_new(ctx);
    assert_ok(clid_result_new(&res));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    clid_result_free(res);
    clid_verifier_free(ver);
    clid_ctx_free(ctx);
    clid_signer_free(sig_sp);
    clid_signer_free(sig_sp40);
    clid_signer_free(sig_ssgw);
    clid_entity_free(ent_gw);
    free(chain_sp);
    free(chain_ssgw);
    tp_cert *all[] = {root, inter, sp, ssgw};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tp_free(all[i]);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

/* A PASSporT signed by `s` for orig and the n destinations. */
static char *sign(const clid_signer *s, const char *orig, const char *const *dest, size_t n)
{
    clid_claims c = {.orig = orig, .dest = dest, .dest_count = n, .attest = 'A',
                     .origid = ORIGID};
    char *out = malloc(CLID_IDENTITY_MAX_LEN);
    assert_non_null(out);
    size_t len = 0;
    assert_ok(clid_sign_passport(s, &c, 0, out, CLID_IDENTITY_MAX_LEN, &len));
    assert_int_equal(strlen(out), len);
    return out;
}

static char *sign_default(void)
{
    static const char *const dest[] = {DEST};
    return sign(sig_sp, ORIG, dest, 1);
}

/* The token of `jws`, asserting success; *len its size. */
static uint8_t *token(const char *jws, const char *io, const char *id, size_t *len)
{
    uint8_t *t = malloc(CLID_CLI_TOKEN_MAX);
    assert_non_null(t);
    assert_ok(clid_cli_token_from_passport(jws, strlen(jws), io, id, t, CLID_CLI_TOKEN_MAX, len));
    assert_true(*len > 0 && *len <= CLID_CLI_TOKEN_MAX);
    return t;
}

/* The Identity a token rebuilds (asserting success), malloc'd. */
static char *identity(const uint8_t *t, size_t len, const char *io, const char *id)
{
    size_t need = 0;
    assert_err(clid_cli_token_to_identity(t, len, io, id, NULL, 0, &need),
               CLID_ERR_BUFFER_TOO_SMALL);
    char *out = malloc(need);
    assert_non_null(out);
    size_t n = 0;
    assert_ok(clid_cli_token_to_identity(t, len, io, id, out, need, &n));
    assert_int_equal(n + 1, need);
    assert_int_equal(strlen(out), n);
    return out;
}

/* Identity -> its JWS part is `jws` byte for byte. */
static void assert_jws_is(const char *ident, const char *jws)
{
    const char *semi = strchr(ident, ';');
    assert_non_null(semi);
    assert_int_equal((size_t)(semi - ident), strlen(jws));
    assert_memory_equal(ident, jws, strlen(jws));
}

static clid_err verify(const char *ident, const char *orig, const char *dest)
{
    clid_verify_input in = {.identity = ident, .orig = orig, .dest = dest};
    return clid_verify_identity(ver, &in, res);
}

static char *b64(const char *s)
{
    char *o = malloc(clid__b64url_encoded_len(strlen(s)) + 1);
    assert_non_null(o);
    o[clid__b64url_encode((const uint8_t *)s, strlen(s), o)] = '\0';
    return o;
}

/* A JWS of header and claims JSON text as written, signed with sp's key. */
static char *forge(const char *hdr, const char *claims)
{
    char *h = b64(hdr), *c = b64(claims);
    char *input = tp_cat(h, ".", c, NULL);
    clid__es256_key *k = NULL;
    assert_ok(clid__es256_key_new(sp->key, 1, &k));
    uint8_t raw[CLID_ES256_SIG_LEN];
    assert_ok(clid__es256_sign(k, (const uint8_t *)input, strlen(input), raw));
    clid__es256_key_free(k);
    char sig[100];
    sig[clid__b64url_encode(raw, sizeof raw, sig)] = '\0';
    char *out = tp_cat(input, ".", sig, NULL);
    free(h);
    free(c);
    free(input);
    return out;
}

#define Q(s) "\"" s "\""
#define HDR_SP "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":" Q(URL_SP) "}"
#define CLAIMS_OK                                                                                 \
    "{\"attest\":\"A\",\"dest\":{\"tn\":[" Q(DEST) "]},\"iat\":" T0_STR ",\"orig\":{\"tn\":" Q(   \
        ORIG) "},\"origid\":" Q(ORIGID) "}"

/* ------------------------------------------------------------------------ */
/* Round trips                                                               */
/* ------------------------------------------------------------------------ */

/* Made by clid_sign_passport: the rebuilt JWS is the original, and the
 * rebuilt Identity verifies; with orig/dest carried and omitted. */
static void roundtrip_clid(void **state)
{
    (void)state;
    char *jws = sign_default();
    /* The forged canonical text is what clid signs: the rebuild rules hold. */
    char *forged = forge(HDR_SP, CLAIMS_OK);
    assert_memory_equal(jws, forged, strchr(strchr(jws, '.') + 1, '.') - jws);
    free(forged);

    size_t full_len = 0, omit_len = 0;
    uint8_t *full = token(jws, NULL, NULL, &full_len);
    uint8_t *omit = token(jws, ORIG, DEST, &omit_len);
    /* orig (11 digits) and dest (one of 11) are 13 + 15 bytes of DER, and
     * here the body's length grows into its long form (one byte more). */
    assert_int_equal(full_len, omit_len + 13 + 15 + 1);

    char *id1 = identity(full, full_len, NULL, NULL);
    assert_jws_is(id1, jws);
    assert_string_equal(strchr(id1, ';'), ";info=<" URL_SP ">;alg=ES256;ppt=shaken");
    assert_ok(verify(id1, ORIG, DEST));
    /* The IAM numbers are ignored when the token carries its own. */
    char *id1b = identity(full, full_len, "442079460000", "442079460001");
    assert_string_equal(id1b, id1);

    char *id2 = identity(omit, omit_len, ORIG, DEST);
    assert_string_equal(id2, id1);
    /* The IAM's numbers in any spelling clid_tn_canonicalize takes. */
    char *id3 = identity(omit, omit_len, "+1-202-555-0100", "tel:+13035550199");
    assert_string_equal(id3, id1);
    size_t alt_len = 0;
    uint8_t *alt = token(jws, "+1 202 555 0100", "sip:+13035550199@example.net", &alt_len);
    assert_int_equal(alt_len, omit_len);
    assert_memory_equal(alt, omit, omit_len);

    /* Only one of them omitted. */
    size_t o1 = 0, o2 = 0;
    uint8_t *t1 = token(jws, ORIG, NULL, &o1);
    uint8_t *t2 = token(jws, "12025550101", DEST, &o2);
    assert_int_equal(o1, omit_len + 15 + 1);
    assert_int_equal(o2, omit_len + 13 + 1);
    free(id1b);
    id1b = identity(t1, o1, ORIG, "19995550000");
    assert_string_equal(id1b, id1);
    free(id1b);
    id1b = identity(t2, o2, "19995550000", DEST);
    assert_string_equal(id1b, id1);

    free(t1);
    free(t2);
    free(alt);
    free(id1);
    free(id1b);
    free(id2);
    free(id3);
    free(full);
    free(omit);
    free(jws);
}

/* Several destinations: dest is carried even when the IAM's called number
 * is one of them (an IAM has one called number). */
static void roundtrip_multi_dest(void **state)
{
    (void)state;
    static const char *const dest[] = {DEST, DEST2, "*72", "4420#79"};
    char *jws = sign(sig_sp, ORIG, dest, 4);
    size_t len = 0;
    uint8_t *t = token(jws, ORIG, DEST, &len);
    char *id = identity(t, len, ORIG, "19995550000");
    assert_jws_is(id, jws);
    assert_ok(verify(id, ORIG, DEST2));
    free(id);
    free(t);
    free(jws);
}

/* The omitted numbers stand for the IAM's: another IAM number rebuilds
 * another PASSporT, whose signature fails; none at all rebuilds nothing. */
static void omitted_numbers(void **state)
{
    (void)state;
    char *jws = sign_default();
    size_t len = 0;
    uint8_t *t = token(jws, ORIG, DEST, &len);
    char *id = identity(t, len, "12025550101", DEST);
    assert_err(verify(id, "12025550101", DEST), CLID_ERR_SIGNATURE_INVALID);
    free(id);
    id = identity(t, len, ORIG, DEST2);
    assert_err(verify(id, ORIG, DEST2), CLID_ERR_SIGNATURE_INVALID);
    free(id);
    char buf[2048];
    size_t n = 0;
    assert_err(clid_cli_token_to_identity(t, len, NULL, DEST, buf, sizeof buf, &n),
               CLID_ERR_CLI_TOKEN_PARSE);
    assert_err(clid_cli_token_to_identity(t, len, ORIG, NULL, buf, sizeof buf, &n),
               CLID_ERR_CLI_TOKEN_PARSE);
    assert_err(clid_cli_token_to_identity(t, len, "not a number", DEST, buf, sizeof buf, &n),
               CLID_ERR_BAD_TN);
    uint8_t out[CLID_CLI_TOKEN_MAX];
    assert_err(clid_cli_token_from_passport(jws, strlen(jws), ORIG, "x", out, sizeof out, &n),
               CLID_ERR_BAD_TN);
    free(t);
    free(jws);
}

/* Issue 13's target: <= 170 bytes with a 40-character x5u, orig and dest
 * omitted (docs/q3063-profile.md prints these sizes). */
static void size_measured(void **state)
{
    (void)state;
    assert_int_equal(strlen(URL_40), 40);
    static const char *const dest[] = {DEST};
    char *jws = sign(sig_sp40, ORIG, dest, 1);
    size_t omit = 0, full = 0;
    uint8_t *a = token(jws, ORIG, DEST, &omit);
    uint8_t *b = token(jws, NULL, NULL, &full);
    printf("CLI token, 40-character x5u: %zu bytes with orig/dest omitted, %zu with both "
           "(PASSporT %zu characters)\n",
           omit, full, strlen(jws));
    assert_true(omit <= SIZE_TARGET);
    assert_int_equal(omit, 144); /* the figure in the docs */
    assert_int_equal(full, 172);
    char *id = identity(a, omit, ORIG, DEST);
    assert_jws_is(id, jws);
    assert_ok(verify(id, ORIG, DEST));
    free(id);
    free(a);
    free(b);
    free(jws);
}

/* ------------------------------------------------------------------------ */
/* Tampering                                                                 */
/* ------------------------------------------------------------------------ */

/* Offset of the signature's 64 bytes in a token (after "04 40"). */
static size_t sig_offset(const uint8_t *t, size_t len)
{
    for (size_t i = 4; i + 2 < len; i++)
        if (t[i] == 0x04 && t[i + 1] == 0x40)
            return i + 2;
    fail_msg("no signature in the token");
    return 0;
}

static void tamper_signature_and_claims(void **state)
{
    (void)state;
    char *jws = sign_default();
    size_t len = 0;
    uint8_t *t = token(jws, NULL, NULL, &len);
    size_t so = sig_offset(t, len);
    size_t picks[] = {so, so + 31, so + 32, so + 63};
    for (size_t i = 0; i < sizeof picks / sizeof picks[0]; i++) {
        t[picks[i]] ^= 0x01;
        char *id = identity(t, len, NULL, NULL); /* still a token */
        assert_err(verify(id, ORIG, DEST), CLID_ERR_SIGNATURE_INVALID);
        free(id);
        t[picks[i]] ^= 0x01;
    }
    /* attest A -> B (0A 01 00 -> 0A 01 01) right after the signature. */
    assert_int_equal(t[so + 64], 0x0A);
    t[so + 66] = 1;
    char *id = identity(t, len, NULL, NULL);
    assert_non_null(strstr(id, "."));
    assert_err(verify(id, ORIG, DEST), CLID_ERR_SIGNATURE_INVALID);
    free(id);
    t[so + 66] = 0;
    /* iat + 1: the last byte of the INTEGER after attest. */
    assert_int_equal(t[so + 67], 0x02);
    t[so + 68 + t[so + 68]] ^= 0x01;
    id = identity(t, len, NULL, NULL);
    assert_err(verify(id, ORIG, DEST), CLID_ERR_SIGNATURE_INVALID);
    free(id);
    free(t);
    free(jws);
}

/* ------------------------------------------------------------------------ */
/* Strict DER                                                                */
/* ------------------------------------------------------------------------ */

typedef struct tokspec {
    long version;
    uint8_t body_tag;     /* 0xA0: shaken */
    size_t sig_len;       /* 64 */
    size_t origid_len;    /* 16 */
    uint8_t attest;       /* 0..2 */
    const char *iat_hex;  /* the INTEGER's TLV */
    const char *x5u;
    const char *orig;     /* NULL: omitted */
    int long_len;         /* the outer length in long form with a leading zero (BER) */
} tokspec;

#define IAT_T0 "02 04 69 55 B9 00"
#define GOOD {1, 0xA0, 64, 16, 0, IAT_T0, URL_SP, ORIG, 0}

static uint8_t *mk_token(const tokspec *s, size_t *len)
{
    uint8_t sig[80], oid[32];
    memset(sig, 0x5A, sizeof sig);
    memset(oid, 0x11, sizeof oid);
    size_t n = 0, m = 0;
    uint8_t *body = ct_tlv(0x04, sig, s->sig_len, 0, &n);
    uint8_t att[3] = {0x0A, 0x01, s->attest};
    body = ct_cat(body, n, ct_dup(att, 3), 3, &n);
    uint8_t *part = ct_hex(s->iat_hex, &m);
    body = ct_cat(body, n, part, m, &n);
    part = ct_tlv(0x04, oid, s->origid_len, 0, &m);
    body = ct_cat(body, n, part, m, &n);
    part = ct_tlv(0x16, (uint8_t *)(uintptr_t)s->x5u, strlen(s->x5u), 0, &m);
    body = ct_cat(body, n, part, m, &n);
    if (s->orig != NULL) {
        part = ct_tlv(0x80, (uint8_t *)(uintptr_t)s->orig, strlen(s->orig), 0, &m);
        body = ct_cat(body, n, part, m, &n);
    }
    body = ct_tlv(s->body_tag, body, n, 1, &n);
    uint8_t vers[3] = {0x02, 0x01, (uint8_t)s->version};
    body = ct_cat(ct_dup(vers, 3), 3, body, n, &n);
    if (!s->long_len)
        return ct_tlv(0x30, body, n, 1, len);
    assert_true(n <= 0xff);
    uint8_t hdr[4] = {0x30, 0x82, 0x00, (uint8_t)n};
    return ct_cat(ct_dup(hdr, 4), 4, body, n, len);
}

static clid_err decode(const uint8_t *t, size_t len)
{
    char buf[4096];
    size_t n = 0;
    return clid_cli_token_to_identity(t, len, ORIG, DEST, buf, sizeof buf, &n);
}

static void der_golden(void **state)
{
    (void)state;
    size_t len = 0;
    uint8_t *t = mk_token(&(tokspec)GOOD, &len);
    assert_ok(decode(t, len));
    /* The codec's value re-encodes to the same bytes. */
    clid__cli_token v;
    assert_ok(clid__asn1_clitoken_decode(t, len, &v));
    assert_int_equal(v.attest, 'A');
    assert_int_equal(v.iat, TP_T0);
    assert_string_equal(v.orig, ORIG);
    assert_int_equal(v.dest_count, 0);
    uint8_t *re = NULL;
    size_t re_len = 0;
    assert_ok(clid__asn1_clitoken_encode(&v, &re, &re_len));
    assert_int_equal(re_len, len);
    assert_memory_equal(re, t, len);
    free(re);
    free(t);
}

static void der_negatives(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        tokspec s;
    } bad[] = {
        {"version 2", {2, 0xA0, 64, 16, 0, IAT_T0, URL_SP, ORIG, 0}},
        {"version 0", {0, 0xA0, 64, 16, 0, IAT_T0, URL_SP, ORIG, 0}},
        {"unknown body [1]", {1, 0xA1, 64, 16, 0, IAT_T0, URL_SP, ORIG, 0}},
        {"signature 63 bytes", {1, 0xA0, 63, 16, 0, IAT_T0, URL_SP, ORIG, 0}},
        {"signature 65 bytes", {1, 0xA0, 65, 16, 0, IAT_T0, URL_SP, ORIG, 0}},
        {"origid 15 bytes", {1, 0xA0, 64, 15, 0, IAT_T0, URL_SP, ORIG, 0}},
        {"origid 17 bytes", {1, 0xA0, 64, 17, 0, IAT_T0, URL_SP, ORIG, 0}},
        {"attest 3", {1, 0xA0, 64, 16, 3, IAT_T0, URL_SP, ORIG, 0}},
        {"iat negative", {1, 0xA0, 64, 16, 0, "02 01 FF", URL_SP, ORIG, 0}},
        {"iat padded", {1, 0xA0, 64, 16, 0, "02 05 00 69 55 B9 00", URL_SP, ORIG, 0}},
        {"iat 2^63", {1, 0xA0, 64, 16, 0, "02 09 00 80 00 00 00 00 00 00 00", URL_SP, ORIG, 0}},
        {"x5u with a space", {1, 0xA0, 64, 16, 0, IAT_T0, "https://a b", ORIG, 0}},
        {"x5u empty", {1, 0xA0, 64, 16, 0, IAT_T0, "", ORIG, 0}},
        {"orig not a TN", {1, 0xA0, 64, 16, 0, IAT_T0, URL_SP, "1202555a", 0}},
        {"orig 16 digits", {1, 0xA0, 64, 16, 0, IAT_T0, URL_SP, "1202555010012345", 0}},
        {"orig empty", {1, 0xA0, 64, 16, 0, IAT_T0, URL_SP, "", 0}},
        {"long-form length", {1, 0xA0, 64, 16, 0, IAT_T0, URL_SP, ORIG, 1}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        size_t len = 0;
        uint8_t *t = mk_token(&bad[i].s, &len);
        clid_err rc = decode(t, len);
        if (rc != CLID_ERR_CLI_TOKEN_PARSE)
            fail_msg("%s: %s", bad[i].name, clid_err_name(rc));
        free(t);
    }

    size_t len = 0;
    uint8_t *t = mk_token(&(tokspec)GOOD, &len);
    /* Every truncation, and a trailing byte. */
    for (size_t n = 0; n < len; n++) {
        uint8_t *c = ct_dup(t, n);
        assert_err(decode(c, n), CLID_ERR_CLI_TOKEN_PARSE);
        free(c);
    }
    uint8_t *c = malloc(len + 1);
    assert_non_null(c);
    memcpy(c, t, len);
    c[len] = 0x00;
    assert_err(decode(c, len + 1), CLID_ERR_CLI_TOKEN_PARSE);
    /* An embedded NUL in x5u (asn1c decodes it). */
    memcpy(c, t, len);
    size_t x = 0;
    for (size_t i = 0; i + 1 < len; i++)
        if (c[i] == 0x16 && c[i + 1] == strlen(URL_SP))
            x = i + 2;
    assert_true(x > 0);
    c[x + 10] = 0x00;
    assert_err(decode(c, len), CLID_ERR_CLI_TOKEN_PARSE);
    free(c);

    /* Every single-byte change: refused, or accepted as a value that
     * re-encodes to exactly the bytes (one encoding per value). */
    for (size_t i = 0; i < len; i++) {
        static const uint8_t deltas[] = {0x01, 0x80, 0xFF};
        for (size_t d = 0; d < sizeof deltas; d++) {
            uint8_t *m = ct_dup(t, len);
            m[i] ^= deltas[d];
            clid__cli_token v;
            clid_err rc = clid__asn1_clitoken_decode(m, len, &v);
            if (rc == CLID_OK) {
                uint8_t *re = NULL;
                size_t re_len = 0;
                assert_ok(clid__asn1_clitoken_encode(&v, &re, &re_len));
                assert_int_equal(re_len, len);
                assert_memory_equal(re, m, len);
                free(re);
            } else {
                assert_err(rc, CLID_ERR_CLI_TOKEN_PARSE);
            }
            free(m);
        }
    }
    assert_err(decode(t, 0), CLID_ERR_CLI_TOKEN_PARSE);
    assert_err(decode(t, CLID_CLI_TOKEN_MAX + 1), CLID_ERR_CLI_TOKEN_PARSE);
    free(t);
}

/* ------------------------------------------------------------------------ */
/* Not reconstructible                                                       */
/* ------------------------------------------------------------------------ */

static void not_reconstructible(void **state)
{
    (void)state;
    static const struct {
        const char *name, *hdr, *claims;
    } cases[] = {
        {"extra claim", HDR_SP,
         "{\"attest\":\"A\",\"dest\":{\"tn\":[" Q(DEST) "]},\"iat\":" T0_STR
         ",\"orig\":{\"tn\":" Q(ORIG) "},\"origid\":" Q(ORIGID) ",\"rcd\":{\"nam\":\"x\"}}"},
        {"space in claims", HDR_SP,
         "{\"attest\": \"A\",\"dest\":{\"tn\":[" Q(DEST) "]},\"iat\":" T0_STR
         ",\"orig\":{\"tn\":" Q(ORIG) "},\"origid\":" Q(ORIGID) "}"},
        {"newline in header",
         "{\"alg\":\"ES256\",\n\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":" Q(URL_SP) "}",
         CLAIMS_OK},
        {"claims key order", HDR_SP,
         "{\"dest\":{\"tn\":[" Q(DEST) "]},\"attest\":\"A\",\"iat\":" T0_STR
         ",\"orig\":{\"tn\":" Q(ORIG) "},\"origid\":" Q(ORIGID) "}"},
        {"header key order",
         "{\"typ\":\"passport\",\"alg\":\"ES256\",\"ppt\":\"shaken\",\"x5u\":" Q(URL_SP) "}",
         CLAIMS_OK},
        {"extra header member",
         "{\"alg\":\"ES256\",\"kid\":\"k\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":" Q(
             URL_SP) "}",
         CLAIMS_OK},
        {"non-UUID origid", HDR_SP,
         "{\"attest\":\"A\",\"dest\":{\"tn\":[" Q(DEST) "]},\"iat\":" T0_STR
         ",\"orig\":{\"tn\":" Q(ORIG) "},\"origid\":\"call-1234\"}"},
        {"upper-case origid", HDR_SP,
         "{\"attest\":\"A\",\"dest\":{\"tn\":[" Q(DEST) "]},\"iat\":" T0_STR
         ",\"orig\":{\"tn\":" Q(ORIG) "},\"origid\":\"4B3E8F6A-1C2D-4E5F-8A9B-0C1D2E3F4A5B\"}"},
        {"escaped slash in x5u",
         "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":"
         "\"https:\\/\\/cert.example.org\\/sp.pem\"}",
         CLAIMS_OK},
        {"dest uri too", HDR_SP,
         "{\"attest\":\"A\",\"dest\":{\"tn\":[" Q(DEST) "],\"uri\":[\"sip:b@example.com\"]},"
         "\"iat\":" T0_STR ",\"orig\":{\"tn\":" Q(ORIG) "},\"origid\":" Q(ORIGID) "}"},
        {"ppt div",
         "{\"alg\":\"ES256\",\"ppt\":\"div\",\"typ\":\"passport\",\"x5u\":" Q(URL_SP) "}",
         "{\"dest\":{\"tn\":[" Q(DEST) "]},\"div\":{\"tn\":" Q(ORIG) "},\"iat\":" T0_STR
         ",\"orig\":{\"tn\":" Q(ORIG) "}}"},
    };
    uint8_t out[CLID_CLI_TOKEN_MAX];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *jws = forge(cases[i].hdr, cases[i].claims);
        size_t n = 0;
        clid_err rc = clid_cli_token_from_passport(jws, strlen(jws), NULL, NULL, out, sizeof out, &n);
        if (rc != CLID_ERR_CLI_TOKEN_NOT_RECONSTRUCTIBLE)
            fail_msg("%s: %s", cases[i].name, clid_err_name(rc));
        free(jws);
    }
    /* The compact form (RFC 8225 §7). */
    char *jws = sign_default();
    char *compact = tp_cat("..", strrchr(jws, '.') + 1, NULL);
    size_t n = 0;
    assert_err(clid_cli_token_from_passport(compact, strlen(compact), NULL, NULL, out, sizeof out,
                                            &n),
               CLID_ERR_CLI_TOKEN_NOT_RECONSTRUCTIBLE);
    /* A JWS that is no PASSporT at all keeps its own error. */
    assert_err(clid_cli_token_from_passport("a.b", 3, NULL, NULL, out, sizeof out, &n),
               CLID_ERR_JWS_SYNTAX);
    /* Control: the canonical forged text is reconstructible. */
    char *ok = forge(HDR_SP, CLAIMS_OK);
    assert_ok(clid_cli_token_from_passport(ok, strlen(ok), NULL, NULL, out, sizeof out, &n));
    free(ok);
    free(compact);
    free(jws);
}

/* ------------------------------------------------------------------------ */
/* Re-signing at the SSGW                                                    */
/* ------------------------------------------------------------------------ */

static void resign_ssgw(void **state)
{
    (void)state;
    /* Not reconstructible (an extra claim, upper-case origid). */
    char *jws = forge(HDR_SP,
                      "{\"attest\":\"B\",\"dest\":{\"tn\":[" Q(DEST) "]},\"iat\":" T0_STR
                      ",\"orig\":{\"tn\":" Q(ORIG) "},\"origid\":"
                      "\"4B3E8F6A-1C2D-4E5F-8A9B-0C1D2E3F4A5B\",\"rcd\":{\"nam\":\"x\"}}");
    size_t need = 0;
    assert_err(clid_cli_token_resign(sig_ssgw, jws, strlen(jws), ORIG, DEST, NULL, 0, &need),
               CLID_ERR_BUFFER_TOO_SMALL);
    uint8_t out[CLID_CLI_TOKEN_MAX];
    size_t len = 0;
    assert_ok(clid_cli_token_resign(sig_ssgw, jws, strlen(jws), ORIG, DEST, out, sizeof out, &len));
    assert_int_equal(len, need);
    char *id = identity(out, len, ORIG, DEST);
    assert_non_null(strstr(id, ";info=<" URL_SSGW ">"));
    assert_ok(verify(id, ORIG, DEST));
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_PASSED);
    /* The claims kept: attest B, origid (lower case), iat. */
    const char *c = strchr(id, '.') + 1;
    size_t clen = (size_t)(strchr(c, '.') - c);
    uint8_t claims[512];
    size_t dlen = 0;
    assert_ok(clid__b64url_decode(c, clen, claims, sizeof claims - 1, &dlen));
    claims[dlen] = '\0';
    assert_string_equal((char *)claims,
                        "{\"attest\":\"B\",\"dest\":{\"tn\":[" Q(DEST) "]},\"iat\":" T0_STR
                        ",\"orig\":{\"tn\":" Q(ORIG) "},\"origid\":" Q(ORIGID) "}");
    free(id);

    /* A non-UUID origid gets a fresh one; the result still verifies. */
    char *j2 = forge(HDR_SP, "{\"attest\":\"A\",\"dest\":{\"tn\":[" Q(DEST) "]},\"iat\":" T0_STR
                             ",\"orig\":{\"tn\":" Q(ORIG) "},\"origid\":\"call-1\"}");
    assert_ok(clid_cli_token_resign(sig_ssgw, j2, strlen(j2), NULL, NULL, out, sizeof out, &len));
    id = identity(out, len, NULL, NULL);
    assert_ok(verify(id, ORIG, DEST));
    free(id);

    /* The SSGW's authority applies: a TN outside its TNAuthList and
     * country code is refused at signing (the signer's pre-flight). */
    static const char *const dest[] = {DEST};
    char *j3 = sign(sig_sp, "442079460000", dest, 1);
    assert_err(clid_cli_token_resign(sig_ssgw, j3, strlen(j3), NULL, NULL, out, sizeof out, &len),
               CLID_ERR_TN_NOT_AUTHORIZED);
    /* The compact form and other ppt values are not re-signed. */
    char *compact = tp_cat("..", strrchr(j3, '.') + 1, NULL);
    assert_err(clid_cli_token_resign(sig_ssgw, compact, strlen(compact), NULL, NULL, out,
                                     sizeof out, &len),
               CLID_ERR_CLI_TOKEN_NOT_RECONSTRUCTIBLE);
    assert_err(clid_cli_token_resign(NULL, j3, strlen(j3), NULL, NULL, out, sizeof out, &len),
               CLID_ERR_INVALID_ARGUMENT);
    free(compact);
    free(j3);
    free(j2);
    free(jws);
}

/* ------------------------------------------------------------------------ */
/* Arguments and buffers                                                     */
/* ------------------------------------------------------------------------ */

static void arguments(void **state)
{
    (void)state;
    char *jws = sign_default();
    size_t need = 0, len = 0;
    assert_err(clid_cli_token_from_passport(jws, strlen(jws), NULL, NULL, NULL, 0, &need),
               CLID_ERR_BUFFER_TOO_SMALL);
    uint8_t out[CLID_CLI_TOKEN_MAX];
    assert_err(clid_cli_token_from_passport(jws, strlen(jws), NULL, NULL, out, need - 1, &len),
               CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, need);
    assert_ok(clid_cli_token_from_passport(jws, strlen(jws), NULL, NULL, out, need, &len));
    assert_err(clid_cli_token_from_passport(NULL, 0, NULL, NULL, out, sizeof out, &len),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_cli_token_from_passport(jws, strlen(jws), NULL, NULL, out, sizeof out, NULL),
               CLID_ERR_INVALID_ARGUMENT);
    char buf[16];
    assert_err(clid_cli_token_to_identity(NULL, 0, NULL, NULL, buf, sizeof buf, &len),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_cli_token_to_identity(out, need, NULL, NULL, buf, sizeof buf, NULL),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_cli_token_to_identity(out, need, NULL, NULL, buf, sizeof buf, &len),
               CLID_ERR_BUFFER_TOO_SMALL);
    assert_true(len > sizeof buf);
    free(jws);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(roundtrip_clid),
        cmocka_unit_test(roundtrip_multi_dest),
        cmocka_unit_test(omitted_numbers),
        cmocka_unit_test(size_measured),
        cmocka_unit_test(tamper_signature_and_claims),
        cmocka_unit_test(der_golden),
        cmocka_unit_test(der_negatives),
        cmocka_unit_test(not_reconstructible),
        cmocka_unit_test(resign_ssgw),
        cmocka_unit_test(arguments),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
