/*
 * The fixture shared by the verification pipeline tests (test_verify*.c):
 * see verify_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "core/b64url.h"
#include "core/es256.h"
#include "verify_fixture.h"

tp_cert *root, *inter, *sp, *range_leaf, *other_root, *other_inter, *untrusted_leaf;
char *chain_sp, *chain_range, *chain_untrusted;
int64_t t0 = TP_T0;

clid_ctx *ctx;
clid_verifier *ver;
clid_result *res;

/* A context trusting `root`, with the fixed clock and nothing mapped. */
clid_ctx *bare_ctx(void)
{
    return tp_ctx_new(root, &t0);
}

/* bare_ctx with the shared map. */
clid_ctx *new_ctx(void)
{
    clid_ctx *c = bare_ctx();
    tp_ctx_map(c, URL_SP, chain_sp);
    tp_ctx_map(c, URL_RANGE, chain_range);
    tp_ctx_map(c, URL_UNTRUSTED, chain_untrusted);
    return c;
}

int group_setup(void **state)
{
    (void)state;
    assert_int_equal(TP_T0, 1767225600);
    root = tp_test_root();
    inter = tp_test_stica(root);
    sp = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, inter);
    range_leaf = tp_issue(&(tp_spec){.cn = "SHAKEN range", .tnauth = "range:12025550000+100"},
                          inter);
    other_root = tp_issue(&(tp_spec){.cn = "Test Root", .ca = 1}, NULL); /* same name */
    other_inter = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1}, other_root);
    untrusted_leaf = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"},
                              other_inter);
    chain_sp = tp_cat(sp->pem, inter->pem, NULL);
    chain_range = tp_cat(range_leaf->pem, inter->pem, NULL);
    chain_untrusted = tp_cat(untrusted_leaf->pem, other_inter->pem, NULL);
    ctx = new_ctx();
    ver = tp_verifier_new(ctx);
    assert_int_equal(clid_result_new(&res), CLID_OK);
    return 0;
}

int group_teardown(void **state)
{
    (void)state;
    clid_result_free(res);
    clid_verifier_free(ver);
    clid_ctx_free(ctx);
    tp_cert *all[] = {root, inter, sp, range_leaf, other_root, other_inter, untrusted_leaf};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
        tp_free(all[i]);
    free(chain_sp);
    free(chain_range);
    free(chain_untrusted);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Making headers                                                            */
/* ------------------------------------------------------------------------ */

clid_claims default_claims(void)
{
    static const char *const dest[] = {DEST};
    return (clid_claims){.orig = ORIG, .dest = dest, .dest_count = 1, .attest = 'A',
                         .origid = ORIGID};
}

/* An Identity value for `c` signed by clid with `key` for `x5u` (no
 * certificate on the signer, so no pre-flight: the verifier must refuse). */
char *sign_hdr(EVP_PKEY *key, const char *x5u, const clid_claims *c)
{
    clid_signer *s = tp_signer_key(key, NULL, x5u, &t0);
    size_t need = 0;
    assert_int_equal(clid_sign_identity(s, c, NULL, 0, &need), CLID_ERR_BUFFER_TOO_SMALL);
    char *out = malloc(need);
    assert_non_null(out);
    size_t len = 0;
    assert_int_equal(clid_sign_identity(s, c, out, need, &len), CLID_OK);
    clid_signer_free(s);
    return out;
}

char *sign_default(EVP_PKEY *key, const char *x5u)
{
    clid_claims c = default_claims();
    return sign_hdr(key, x5u, &c);
}

char *b64(const void *data, size_t n)
{
    char *s = malloc(clid__b64url_encoded_len(n) + 1);
    assert_non_null(s);
    s[clid__b64url_encode(data, n, s)] = '\0';
    return s;
}

char *forge_ex(const char *hdr, const char *claims, const char *signed_claims,
               EVP_PKEY *key, enum sig_form form, const char *params)
{
    char *h = b64(hdr, strlen(hdr));
    char *c = b64(claims, strlen(claims));
    char *cs = b64(signed_claims, strlen(signed_claims));
    char *input = tp_cat(h, ".", cs, NULL);
    clid__es256_key *k = NULL;
    assert_int_equal(clid__es256_key_new(key, 1, &k), CLID_OK);
    uint8_t raw[CLID_ES256_SIG_LEN];
    assert_int_equal(clid__es256_sign(k, (const uint8_t *)input, strlen(input), raw), CLID_OK);
    clid__es256_key_free(k);
    char *sig = NULL;
    if (form == SIG_DER) {
        uint8_t der[80];
        size_t der_len = 0;
        assert_int_equal(clid__ecdsa_raw_to_der(raw, der, sizeof der, &der_len), CLID_OK);
        sig = b64(der, der_len);
    } else {
        sig = b64(raw, form == SIG_SHORT ? 63 : sizeof raw);
    }
    char *out = tp_cat(h, ".", c, ".", sig, params, NULL);
    free(h);
    free(c);
    free(cs);
    free(input);
    free(sig);
    return out;
}

char *forge(const char *hdr, const char *claims, const char *params)
{
    return forge_ex(hdr, claims, claims, sp->key, SIG_RAW, params);
}

/* ------------------------------------------------------------------------ */
/* Verifying                                                                 */
/* ------------------------------------------------------------------------ */

clid_verify_input input(const char *identity)
{
    return (clid_verify_input){.identity = identity, .orig = ORIG, .dest = DEST};
}

/* The code, and the result's reason, verstat and SIP status. Names are
 * compared so that a failure prints them. */
void check(clid_err rc, clid_err code, clid_verstat vs, int sip)
{
    assert_string_equal(clid_err_name(rc), clid_err_name(code));
    assert_string_equal(clid_err_name(clid_result_reason(res)), clid_err_name(code));
    assert_int_equal(clid_result_verstat(res), vs);
    assert_int_equal(clid_result_sip_status(res), sip);
}

clid_err verify_on(clid_verifier *v, const clid_verify_input *in)
{
    return clid_verify_identity(v, in, res);
}

/* Verifies `identity` (orig ORIG, dest DEST) with the shared verifier. */
void expect(const char *identity, clid_err code, clid_verstat vs, int sip)
{
    clid_verify_input in = input(identity);
    check(verify_on(ver, &in), code, vs, sip);
}

/* Same, taking ownership of `identity`. */
void expect_free(char *identity, clid_err code, clid_verstat vs, int sip)
{
    expect(identity, code, vs, sip);
    free(identity);
}

clid_err run(const scen *s)
{
    clid_ctx *c = bare_ctx();
    char *chain = tp_cat(s->leaf->pem, s->ca1 ? s->ca1->pem : "", s->ca2 ? s->ca2->pem : "",
                         s->ca3 ? s->ca3->pem : "", NULL);
    tp_ctx_map(c, URL_X, chain);
    free(chain);
    if (s->crl)
        assert_int_equal(clid_ctx_add_crl_pem(c, s->crl, strlen(s->crl)), CLID_OK);
    if (s->cfg)
        s->cfg(c);
    clid_verifier *v = tp_verifier_new(c);
    char *hdr = NULL;
    clid_claims cl = default_claims();
    cl.orig = s->orig ? s->orig : ORIG;
    cl.div = s->div;
    if (s->identity == NULL)
        hdr = sign_hdr(s->key ? s->key : s->leaf->key, URL_X, &cl);
    clid_verify_input in = input(s->identity ? s->identity : hdr);
    in.orig = cl.orig;
    clid_err rc = verify_on(v, &in);
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);
    return rc;
}

/* leaf under inter at URL_X, signed by itself, default claims. */
clid_err run_leaf(const tp_cert *leaf)
{
    return run(&(scen){.leaf = leaf, .ca1 = inter});
}

/* ------------------------------------------------------------------------ */
/* Fetching                                                                  */
/* ------------------------------------------------------------------------ */

clid_err table_fetch(void *arg, const char *url, uint8_t *buf, size_t cap, size_t *len,
                     int64_t *max_age)
{
    fetch_table *t = arg;
    __atomic_add_fetch(&t->calls, 1, __ATOMIC_SEQ_CST);
    if (t->rc != CLID_OK)
        return t->rc;
    for (size_t i = 0; i < t->n; i++) {
        if (strcmp(url, t->url[i]) != 0)
            continue;
        size_t n = strlen(t->pem[i]);
        if (n > cap)
            return CLID_ERR_X5U_TOO_LARGE;
        memcpy(buf, t->pem[i], n);
        *len = t->overflow ? cap + 1 : n;
        *max_age = t->max_age;
        return CLID_OK;
    }
    return CLID_ERR_X5U_HTTP_STATUS;
}

unsigned calls(fetch_table *t)
{
    return __atomic_load_n(&t->calls, __ATOMIC_SEQ_CST);
}
