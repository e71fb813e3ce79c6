/*
 * SIP-I signing and verification (clid_isup.h, lib/src/isup/sipi.c) over
 * the SIP fixture (sip_fixture.c: a SHAKEN PKI, a verifier at TP_T0): a
 * SIP-I INVITE (multipart/mixed SDP + binary application/ISUP, RFC 3204)
 * is built here with the IAM codec, signed, edited the way a forger or a
 * gateway would, and verified.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clid/clid_ext.h>
#include <clid/clid_isup.h>

#include "sip/sip_fixture.h"

#define OTHER "12025550177"

typedef struct iam_spec {
    const char *cg;  /* calling digits; NULL: no Calling Party Number */
    unsigned cg_nai; /* 0: international */
    unsigned apri;
    const char *cd;
    unsigned cd_nai;
} iam_spec;

static size_t make_iam(const iam_spec *sp_, uint8_t *out, size_t cap)
{
    clid_isup_iam *iam = NULL;
    assert_err(clid_isup_iam_new(&iam), CLID_OK);
    clid_isup_number n;
    memset(&n, 0, sizeof n);
    n.nai = sp_->cd_nai ? sp_->cd_nai : CLID_ISUP_NAI_INTERNATIONAL;
    n.npi = 1;
    strcpy(n.digits, sp_->cd);
    assert_err(clid_isup_iam_set_number(iam, CLID_ISUP_CALLED_PARTY_NUMBER, &n), CLID_OK);
    if (sp_->cg != NULL) {
        memset(&n, 0, sizeof n);
        n.nai = sp_->cg_nai ? sp_->cg_nai : CLID_ISUP_NAI_INTERNATIONAL;
        n.npi = 1;
        n.apri = sp_->apri;
        n.screening = 3; /* network provided */
        strcpy(n.digits, sp_->cg);
        assert_err(clid_isup_iam_set_number(iam, CLID_ISUP_CALLING_PARTY_NUMBER, &n), CLID_OK);
    }
    size_t len = 0;
    assert_err(clid_isup_iam_encode(iam, out, cap, &len), CLID_OK);
    clid_isup_iam_free(iam);
    return len;
}

/* A SIP-I INVITE from ORIG to DEST carrying iam[0..iam_len). malloc'd. */
static char *make_invite(const uint8_t *iam, size_t iam_len, size_t *out_len)
{
    static const char pre[] = "--b1\r\nContent-Type: application/sdp\r\n\r\n"
                              "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
                              "t=0 0\r\nm=audio 40000 RTP/AVP 8\r\n"
                              "--b1\r\nContent-Type: application/ISUP;version=itu-t92+\r\n"
                              "Content-Disposition: signal;handling=required\r\n\r\n";
    static const char post[] = "\r\n--b1--\r\n";
    size_t body = sizeof pre - 1 + iam_len + sizeof post - 1;
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "INVITE sip:+" DEST "@example.net;user=phone SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-sipi\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:+" ORIG "@example.net;user=phone>;tag=1\r\n"
                     "To: <sip:+" DEST "@example.net;user=phone>\r\n"
                     "Call-ID: sipi-1@192.0.2.1\r\n"
                     "CSeq: 1 INVITE\r\n"
                     "Contact: <sip:gw@192.0.2.1:5060>\r\n"
                     "MIME-Version: 1.0\r\n"
                     "Content-Type: multipart/mixed;boundary=b1\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     body);
    assert_true(n > 0 && (size_t)n < sizeof head);
    *out_len = (size_t)n + body;
    char *m = malloc(*out_len);
    assert_non_null(m);
    memcpy(m, head, (size_t)n);
    memcpy(m + n, pre, sizeof pre - 1);
    memcpy(m + (size_t)n + sizeof pre - 1, iam, iam_len);
    memcpy(m + (size_t)n + sizeof pre - 1 + iam_len, post, sizeof post - 1);
    return m;
}

static char *invite(const iam_spec *s, size_t *len)
{
    uint8_t iam[CLID_ISUP_MAX_LEN];
    size_t n = make_iam(s, iam, sizeof iam);
    return make_invite(iam, n, len);
}

static const iam_spec plain = {.cg = ORIG, .cd = DEST};

static char *sipi_sign(const clid_sipi_opts *o, const char *msg, size_t len, size_t *out_len,
                       clid_err *rc)
{
    size_t cap = len + CLID_SIP_SIGN_EXTRA + 2 * CLID_CLI_TOKEN_MAX + 1;
    char *out = malloc(cap);
    assert_non_null(out);
    char *copy = dup_exact(msg, len);
    *rc = clid_sipi_sign(signer, &sign_opts, o, copy, len, out, cap, out_len);
    free(copy);
    if (*rc != CLID_OK) {
        free(out);
        return NULL;
    }
    return out;
}

static char *sipi_sign_ok(const char *msg, size_t len, size_t *out_len)
{
    clid_err rc;
    char *out = sipi_sign(NULL, msg, len, out_len, &rc);
    assert_err(rc, CLID_OK);
    return out;
}

static clid_err sipi_verify(const clid_sipi_opts *base, const char *msg, size_t len,
                            clid_result *res)
{
    clid_sipi_opts o;
    memset(&o, 0, sizeof o);
    if (base != NULL)
        o = *base;
    o.verify.now = t0;
    char *copy = dup_exact(msg, len);
    clid_err rc = clid_sipi_verify(ver, &o, copy, len, res);
    free(copy);
    if (res != NULL)
        assert_int_equal(clid_result_reason(res), rc);
    return rc;
}

/* The message with its IAM edited by `edit`. malloc'd. */
static char *edit_iam(const char *msg, size_t len, void (*edit)(clid_isup_iam *), size_t *out_len)
{
    clid_sipi_part part;
    assert_err(clid_sipi_find_isup(msg, len, &part), CLID_OK);
    clid_isup_iam *iam = NULL;
    assert_err(clid_isup_iam_parse((const uint8_t *)msg + part.offset, part.len, &iam), CLID_OK);
    edit(iam);
    uint8_t buf[CLID_ISUP_MAX_LEN];
    size_t n = 0;
    assert_err(clid_isup_iam_encode(iam, buf, sizeof buf, &n), CLID_OK);
    clid_isup_iam_free(iam);
    size_t cap = len + CLID_ISUP_MAX_LEN + 1;
    char *out = malloc(cap);
    assert_non_null(out);
    assert_err(clid_sipi_replace_isup(msg, len, buf, n, out, cap, out_len), CLID_OK);
    return out;
}

/* The message without its "Identity:" line. malloc'd. */
static char *strip_identity(const char *msg, size_t len, size_t *out_len)
{
    const char *needle = "\r\nIdentity: ";
    const char *p = NULL;
    for (size_t i = 0; i + strlen(needle) <= len; i++)
        if (memcmp(msg + i, needle, strlen(needle)) == 0) {
            p = msg + i + 2;
            break;
        }
    assert_non_null(p);
    const char *e = strstr(p, "\r\n");
    assert_non_null(e);
    e += 2;
    *out_len = len - (size_t)(e - p);
    char *out = malloc(*out_len);
    assert_non_null(out);
    memcpy(out, msg, (size_t)(p - msg));
    memcpy(out + (p - msg), e, len - (size_t)(e - msg));
    return out;
}

/* The number parameter `code` of the IAM now reads OTHER. */
static void set_other(clid_isup_iam *iam, unsigned code)
{
    clid_isup_number n;
    assert_err(clid_isup_iam_get_number(iam, code, 0, &n), CLID_OK);
    strcpy(n.digits, OTHER);
    assert_err(clid_isup_iam_set_number(iam, code, &n), CLID_OK);
}

static void set_calling_other(clid_isup_iam *iam)
{
    set_other(iam, CLID_ISUP_CALLING_PARTY_NUMBER);
}

static void set_called_other(clid_isup_iam *iam)
{
    set_other(iam, CLID_ISUP_CALLED_PARTY_NUMBER);
}

/* The last octet of the token (inside its signature) flipped. */
static void flip_token(clid_isup_iam *iam)
{
    uint8_t tok[CLID_CLI_TOKEN_MAX];
    size_t n = 0;
    assert_err(clid_isup_iam_get_apm(iam, CLID_ISUP_APM_CONTEXT_DEFAULT, tok, sizeof tok, &n),
               CLID_OK);
    tok[n - 1] ^= 0x01;
    assert_err(clid_isup_iam_set_apm(iam, CLID_ISUP_APM_CONTEXT_DEFAULT, tok, n), CLID_OK);
}

static void sign_then_verify(void **state)
{
    (void)state;
    size_t len = 0, slen = 0;
    char *msg = invite(&plain, &len);
    char *s = sipi_sign_ok(msg, len, &slen);
    /* The IAM now carries the token in the APM of clid's default context. */
    clid_sipi_part part;
    assert_err(clid_sipi_find_isup(s, slen, &part), CLID_OK);
    clid_isup_iam *iam = NULL;
    assert_err(clid_isup_iam_parse((const uint8_t *)s + part.offset, part.len, &iam), CLID_OK);
    uint8_t tok[CLID_CLI_TOKEN_MAX];
    size_t tok_len = 0;
    assert_err(clid_isup_iam_get_apm(iam, CLID_ISUP_APM_CONTEXT_DEFAULT, tok, sizeof tok,
                                     &tok_len),
               CLID_OK);
    assert_true(tok_len > 64);
    clid_isup_iam_free(iam);

    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    assert_err(sipi_verify(NULL, s, slen, res), CLID_OK);
    assert_string_equal(clid_result_orig(res), ORIG);
    assert_int_equal(clid_result_warning_count(res), 0);
    assert_int_equal(clid_result_sip_status(res), 0);
    /* The unsigned request: no identity, no token. */
    assert_err(sipi_verify(NULL, msg, len, res), CLID_ERR_NO_IDENTITY);
    clid_result_free(res);
    free(s);
    free(msg);
}

/* The plain INVITE, signed, then its IAM edited by `edit`. malloc'd. */
static char *signed_then_edited(void (*edit)(clid_isup_iam *), size_t *out_len)
{
    size_t len = 0, slen = 0;
    char *msg = invite(&plain, &len);
    char *s = sipi_sign_ok(msg, len, &slen);
    char *e = edit_iam(s, slen, edit, out_len);
    free(s);
    free(msg);
    return e;
}

static void calling_changed_after_signing(void **state)
{
    (void)state;
    size_t elen = 0;
    char *e = signed_then_edited(set_calling_other, &elen);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    /* The Identity header still verifies against From; the IAM shows
     * another number: the consistency check catches it. */
    assert_err(sipi_verify(NULL, e, elen, res), CLID_ERR_ISUP_CALLING_MISMATCH);
    assert_int_equal(clid_result_sip_status(res), 438);
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_FAILED);
    /* clid_sip_verify alone passes the same request: the gap this closes. */
    assert_err(verify_msg(e, elen, NULL), CLID_OK);
    clid_result_free(res);
    free(e);
}

static void called_changed_after_signing(void **state)
{
    (void)state;
    size_t elen = 0;
    char *e = signed_then_edited(set_called_other, &elen);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    assert_err(sipi_verify(NULL, e, elen, res), CLID_ERR_ISUP_CALLED_MISMATCH);
    assert_int_equal(clid_result_sip_status(res), 438);
    clid_result_free(res);
    free(e);
}

static void identity_stripped_verifies_from_token(void **state)
{
    (void)state;
    size_t len = 0, slen = 0, tlen = 0;
    char *msg = invite(&plain, &len);
    char *s = sipi_sign_ok(msg, len, &slen);
    char *t = strip_identity(s, slen, &tlen);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    assert_err(sipi_verify(NULL, t, tlen, res), CLID_OK);
    assert_string_equal(clid_result_orig(res), ORIG);
    assert_string_equal(clid_result_origid(res), ORIGID);

    /* TDM->SIP: the Identity header put back is the one signed, bit for
     * bit, in the same place: the whole request comes back. */
    size_t cap = tlen + CLID_SIP_SIGN_EXTRA + 1, n = 0;
    char *back = malloc(cap);
    assert_non_null(back);
    assert_err(clid_sipi_token_to_identity(NULL, t, tlen, back, cap, &n), CLID_OK);
    assert_int_equal(n, slen);
    assert_memory_equal(back, s, slen);
    free(back);
    /* No token in the IAM: nothing to put back. */
    assert_err(clid_sipi_token_to_identity(NULL, msg, len, back = malloc(cap), cap, &n),
               CLID_ERR_ISUP_PARAM_ABSENT);
    free(back);
    /* Another APM context: the token is not found there. */
    clid_sipi_opts o;
    memset(&o, 0, sizeof o);
    o.apm_context = 91;
    assert_err(sipi_verify(&o, t, tlen, res), CLID_ERR_NO_IDENTITY);
    clid_result_free(res);
    free(t);
    free(s);
    free(msg);
}

static void token_tampered_fails(void **state)
{
    (void)state;
    size_t len = 0, slen = 0, tlen = 0, elen = 0;
    char *msg = invite(&plain, &len);
    char *s = sipi_sign_ok(msg, len, &slen);
    char *t = strip_identity(s, slen, &tlen);
    char *e = edit_iam(t, tlen, flip_token, &elen);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    clid_err rc = sipi_verify(NULL, e, elen, res);
    assert_true(rc != CLID_OK);
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_FAILED);
    /* Without the Identity header the token decides: the calling number
     * changed in the IAM rebuilds another orig, whose signature fails. */
    char *c = edit_iam(t, tlen, set_calling_other, &elen);
    rc = sipi_verify(NULL, c, elen, res);
    assert_true(rc != CLID_OK);
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_FAILED);
    clid_result_free(res);
    free(c);
    free(e);
    free(t);
    free(s);
    free(msg);
}

static void presentation_restricted_is_a_warning(void **state)
{
    (void)state;
    iam_spec r = plain;
    r.apri = 1;
    size_t len = 0, slen = 0;
    char *msg = invite(&r, &len);
    char *s = sipi_sign_ok(msg, len, &slen);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    assert_err(sipi_verify(NULL, s, slen, res), CLID_OK);
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_PASSED);
    assert_int_equal(clid_result_warning_count(res), 1);
    assert_int_equal(clid_result_warning(res, 0), CLID_ERR_ISUP_PRESENTATION_RESTRICTED);
    clid_result_free(res);
    free(s);
    free(msg);
}

static void national_numbers_and_country_code(void **state)
{
    (void)state;
    /* ORIG/DEST are +1 numbers: national significant numbers with NAI 3. */
    iam_spec nat = {.cg = &ORIG[1], .cg_nai = CLID_ISUP_NAI_NATIONAL, .cd = &DEST[1],
                    .cd_nai = CLID_ISUP_NAI_NATIONAL};
    size_t len = 0, slen = 0;
    char *msg = invite(&nat, &len);
    char *s = sipi_sign_ok(msg, len, &slen);
    assert_err(sipi_verify(NULL, s, slen, NULL), CLID_OK);
    /* Read with another country code, the IAM names other numbers. */
    clid_sipi_opts o;
    memset(&o, 0, sizeof o);
    o.country_code = "44";
    assert_err(sipi_verify(&o, s, slen, NULL), CLID_ERR_ISUP_CALLING_MISMATCH);
    free(s);
    free(msg);
}

static void signing_refuses_inconsistent_iam(void **state)
{
    (void)state;
    iam_spec bad = {.cg = OTHER, .cd = DEST};
    size_t len = 0, slen = 0;
    char *msg = invite(&bad, &len);
    clid_err rc;
    assert_null(sipi_sign(NULL, msg, len, &slen, &rc));
    assert_err(rc, CLID_ERR_ISUP_CALLING_MISMATCH);
    free(msg);
    iam_spec bad_cd = {.cg = ORIG, .cd = OTHER};
    msg = invite(&bad_cd, &len);
    assert_null(sipi_sign(NULL, msg, len, &slen, &rc));
    assert_err(rc, CLID_ERR_ISUP_CALLED_MISMATCH);
    free(msg);
    /* No Calling Party Number: nothing displayed, nothing to check. */
    iam_spec none = {.cd = DEST};
    msg = invite(&none, &len);
    char *s = sipi_sign_ok(msg, len, &slen);
    assert_err(sipi_verify(NULL, s, slen, NULL), CLID_OK);
    free(s);
    free(msg);
}

static void not_sipi(void **state)
{
    (void)state;
    static const char plain_sip[] = "INVITE sip:+" DEST "@example.net SIP/2.0\r\n"
                                    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-x\r\n"
                                    "From: <sip:+" ORIG "@example.net>;tag=1\r\n"
                                    "To: <sip:+" DEST "@example.net>\r\n"
                                    "Call-ID: x\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n";
    size_t slen = 0;
    clid_err rc;
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    assert_null(sipi_sign(NULL, plain_sip, sizeof plain_sip - 1, &slen, &rc));
    assert_err(rc, CLID_ERR_ISUP_ABSENT);
    assert_err(sipi_verify(NULL, plain_sip, sizeof plain_sip - 1, res), CLID_ERR_ISUP_ABSENT);
    assert_err(clid_sipi_verify(NULL, NULL, plain_sip, 1, NULL), CLID_ERR_INVALID_ARGUMENT);
    clid_result_free(res);
}

/* Hostile IAMs: every octet of the ISUP part of a signed request, with and
 * without its Identity header, flipped in turn. Whatever the result, no
 * crash, no leak (valgrind), the result's reason is the return value, and
 * a pass never comes with IAM numbers other than the signed ones. */
static void every_iam_octet_flipped(void **state)
{
    (void)state;
    size_t len = 0, slen = 0, tlen = 0;
    char *msg = invite(&plain, &len);
    char *s = sipi_sign_ok(msg, len, &slen);
    char *t = strip_identity(s, slen, &tlen);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    char *const variants[2] = {s, t};
    const size_t lens[2] = {slen, tlen};
    for (int v = 0; v < 2; v++) {
        clid_sipi_part part;
        assert_err(clid_sipi_find_isup(variants[v], lens[v], &part), CLID_OK);
        for (size_t i = 0; i < part.len; i++) {
            for (unsigned bit = 0x01; bit <= 0x80; bit <<= 3) {
                char *m = dup_exact(variants[v], lens[v]);
                m[part.offset + i] = (char)(m[part.offset + i] ^ bit);
                clid_err rc = sipi_verify(NULL, m, lens[v], res);
                if (rc == CLID_OK) {
                    clid_isup_iam *iam = NULL;
                    clid_isup_number n;
                    assert_err(clid_isup_iam_parse((const uint8_t *)m + part.offset, part.len,
                                                   &iam),
                               CLID_OK);
                    if (clid_isup_iam_get_number(iam, CLID_ISUP_CALLING_PARTY_NUMBER, 0, &n) ==
                        CLID_OK)
                        assert_true(n.digits[0] == '\0' || strcmp(n.digits, ORIG) == 0);
                    clid_isup_iam_free(iam);
                }
                free(m);
            }
        }
    }
    clid_result_free(res);
    free(t);
    free(s);
    free(msg);
}

/* A PASSporT no token can carry (an x5u longer than the token's 512
 * characters, section 5.3 of the profile) is refused without an SSGW and
 * re-signed with one (Q.3063 §8.1); the token then verifies under the
 * SSGW's certificate. */
static void ssgw_resigns_what_no_token_carries(void **state)
{
    (void)state;
    clid_entity *ent = NULL;
    assert_err(clid_entity_new(CLID_ROLE_INTERNATIONAL_GATEWAY, &ent), CLID_OK);
    assert_err(clid_entity_add_country(ent, "1"), CLID_OK);
    tp_cert *gw = tp_issue(&(tp_spec){.cn = "gateway 1", .tnauth = "range:12025550000+1000",
                                      .entity = ent},
                           inter);
    char *chain_gw = tp_cat(gw->pem, inter->pem, NULL);
    static const char url_gw[] = "https://cert.example.org/ssgw.pem";
    char long_url[640];
    memset(long_url, 'a', sizeof long_url);
    memcpy(long_url, "https://cert.example.org/", 25);
    memcpy(long_url + sizeof long_url - 5, ".pem", 5);
    clid_signer *sig_long = tp_signer_new(sp, long_url, &t0);
    clid_signer *sig_gw = tp_signer_new(gw, url_gw, &t0);

    size_t len = 0, slen = 0, tlen = 0;
    char *msg = invite(&plain, &len);
    size_t cap = len + CLID_SIP_SIGN_EXTRA + 2 * CLID_CLI_TOKEN_MAX + 1;
    char *out = malloc(cap);
    assert_non_null(out);
    clid_sipi_opts o;
    memset(&o, 0, sizeof o);
    assert_err(clid_sipi_sign(sig_long, &sign_opts, &o, msg, len, out, cap, &slen),
               CLID_ERR_CLI_TOKEN_NOT_RECONSTRUCTIBLE);
    o.ssgw = sig_gw;
    assert_err(clid_sipi_sign(sig_long, &sign_opts, &o, msg, len, out, cap, &slen), CLID_OK);
    char *t = strip_identity(out, slen, &tlen);

    clid_ctx *c2 = tp_ctx_new(root, &t0);
    tp_ctx_map(c2, url_gw, chain_gw);
    clid_verifier *v2 = tp_verifier_new(c2);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    clid_sipi_opts vo;
    memset(&vo, 0, sizeof vo);
    vo.verify.now = t0;
    assert_err(clid_sipi_verify(v2, &vo, t, tlen, res), CLID_OK);
    assert_string_equal(clid_result_x5u(res), url_gw);
    assert_string_equal(clid_result_orig(res), ORIG);

    clid_result_free(res);
    clid_verifier_free(v2);
    clid_ctx_free(c2);
    free(t);
    free(out);
    free(msg);
    clid_signer_free(sig_gw);
    clid_signer_free(sig_long);
    free(chain_gw);
    tp_free(gw);
    clid_entity_free(ent);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(sign_then_verify),
        cmocka_unit_test(calling_changed_after_signing),
        cmocka_unit_test(called_changed_after_signing),
        cmocka_unit_test(identity_stripped_verifies_from_token),
        cmocka_unit_test(token_tampered_fails),
        cmocka_unit_test(presentation_restricted_is_a_warning),
        cmocka_unit_test(national_numbers_and_country_code),
        cmocka_unit_test(signing_refuses_inconsistent_iam),
        cmocka_unit_test(not_sipi),
        cmocka_unit_test(every_iam_octet_flipped),
        cmocka_unit_test(ssgw_resigns_what_no_token_carries),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
