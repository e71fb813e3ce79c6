/*
 * Unit tests of the signer (sign.c) through the public API, what it
 * produces: the origid, the buffer contract, the clock, the output forms
 * (full Identity value, full and compact PASSporT, div), that what it signs
 * verifies, and one signer shared by four threads. The fixture is
 * sign_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64url.h"
#include "core/es256.h"
#include "passport/passport.h"
#include "sign_fixture.h"

/* ------------------------------------------------------------------------ */
/* Output                                                                    */
/* ------------------------------------------------------------------------ */

static void origid_generated_v4(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, NULL);
    clid_claims c = default_claims();
    char seen[8][CLID_UUID_BUF];
    for (size_t n = 0; n < 8; n++) {
        char buf[2048];
        assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
        jws_parts p = split_jws(buf);
        json_t *claims = decode_part(p.c, p.c_len);
        const char *u = json_string_value(json_object_get(claims, "origid"));
        assert_non_null(u);
        assert_true(clid__is_uuid(u));
        /* RFC 4122 §4.4: version 4, variant 10xx; clid writes lower case. */
        assert_int_equal(u[14], '4');
        assert_non_null(strchr("89ab", u[19]));
        for (const char *q = u; *q; q++)
            assert_false(*q >= 'A' && *q <= 'F');
        for (size_t i = 0; i < n; i++)
            assert_string_not_equal(seen[i], u);
        memcpy(seen[n], u, CLID_UUID_BUF);
        json_decref(claims);
    }
    /* A given origid is used as is. */
    c.origid = "4B3E8F6A-1C2D-4E5F-8A9B-0C1D2E3F4A5B";
    char buf[2048];
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    jws_parts p = split_jws(buf);
    json_t *claims = decode_part(p.c, p.c_len);
    assert_string_equal(json_string_value(json_object_get(claims, "origid")), c.origid);
    json_decref(claims);
    clid_signer_free(s);
}

static void buffer_contract(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, NULL);
    clid_claims c = default_claims();
    c.origid = ORIGID;

    /* Size query: the capacity needed, the NUL included. */
    size_t need = 0;
    assert_int_equal(clid_sign_identity(s, &c, NULL, 0, &need), CLID_ERR_BUFFER_TOO_SMALL);
    char *buf = malloc(need);
    assert_non_null(buf);
    size_t len = 0;
    assert_int_equal(clid_sign_identity(s, &c, buf, need - 1, &len), CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, need);
    len = 0;
    assert_int_equal(clid_sign_identity(s, &c, buf, need, &len), CLID_OK);
    assert_int_equal(len, need - 1);
    assert_int_equal(strlen(buf), need - 1);
    free(buf);

    /* The same for the PASSporT alone, full and compact. */
    for (int compact = 0; compact <= 1; compact++) {
        need = 0;
        assert_int_equal(clid_sign_passport(s, &c, compact, NULL, 0, &need),
                         CLID_ERR_BUFFER_TOO_SMALL);
        buf = malloc(need);
        assert_non_null(buf);
        assert_int_equal(clid_sign_passport(s, &c, compact, buf, need - 1, &len),
                         CLID_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(len, need);
        assert_int_equal(clid_sign_passport(s, &c, compact, buf, need, &len), CLID_OK);
        assert_int_equal(len, need - 1);
        assert_int_equal(strlen(buf), need - 1);
        if (compact)
            assert_int_equal(need, 2 + 86 + 1); /* "..", 64 bytes in base64url, NUL */
        free(buf);
    }
    assert_int_equal(clid_sign_passport(s, &c, 0, NULL, 0, NULL), CLID_ERR_INVALID_ARGUMENT);
    clid_signer_free(s);
}

static int64_t counting_clock(void *arg)
{
    int64_t *calls = arg;
    (*calls)++;
    return TP_T0 + 1000;
}

static int64_t zero_clock(void *arg)
{
    (void)arg;
    return 0;
}

static int64_t iat_of(const char *value)
{
    jws_parts p = split_jws(value);
    json_t *claims = decode_part(p.c, p.c_len);
    json_t *iat = json_object_get(claims, "iat");
    assert_true(json_is_integer(iat));
    int64_t v = (int64_t)json_integer_value(iat);
    json_decref(claims);
    return v;
}

static void clock_sets_iat(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, NULL);
    clid_claims c = default_claims();
    char buf[2048];
    int64_t calls = 0;
    assert_int_equal(clid_signer_set_clock(s, counting_clock, &calls), CLID_OK);
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    assert_int_equal(iat_of(buf), TP_T0 + 1000);
    assert_int_equal(calls, 1);
    /* An explicit iat wins, and the clock is not consulted. */
    c.iat = TP_T0 - 5;
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    assert_int_equal(iat_of(buf), TP_T0 - 5);
    assert_int_equal(calls, 1);
    /* A clock that says 0 gives no usable iat. */
    c.iat = 0;
    assert_int_equal(clid_signer_set_clock(s, zero_clock, NULL), CLID_OK);
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_INVALID_ARGUMENT);
    /* NULL restores the default clock, time(). */
    assert_int_equal(clid_signer_set_clock(s, NULL, NULL), CLID_OK);
    int64_t before = (int64_t)time(NULL);
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    int64_t iat = iat_of(buf);
    assert_true(iat >= before && iat <= (int64_t)time(NULL));
    assert_int_equal(clid_signer_set_clock(NULL, NULL, NULL), CLID_ERR_INVALID_ARGUMENT);
    clid_signer_free(s);
}

static void output_shape(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, leaf_spc);
    clid_claims c = default_claims();
    c.origid = ORIGID;
    char buf[2048];
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);

    /* <jws>;info=<URL>;alg=ES256;ppt=shaken */
    static const char tail[] = ";info=<" X5U ">;alg=ES256;ppt=shaken";
    size_t n = strlen(buf);
    assert_true(n > sizeof tail);
    assert_string_equal(buf + n - (sizeof tail - 1), tail);
    jws_parts p = split_jws(buf);
    assert_int_equal(p.h_len + 1 + p.c_len + 1 + p.s_len, n - (sizeof tail - 1));
    for (size_t i = 0; i < n - (sizeof tail - 1); i++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.",
                               buf[i]));

    /* Canonical JSON (RFC 8225 §9): sorted members, no whitespace. */
    char json[1024];
    decode_bytes(p.h, p.h_len, json, sizeof json);
    assert_string_equal(json, "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","
                              "\"x5u\":\"" X5U "\"}");
    decode_bytes(p.c, p.c_len, json, sizeof json);
    assert_string_equal(json, "{\"attest\":\"A\",\"dest\":{\"tn\":[\"" DEST "\"]},"
                              "\"iat\":1767225600,\"orig\":{\"tn\":\"" ORIG "\"},"
                              "\"origid\":\"" ORIGID "\"}");
    /* Raw r||s (RFC 7518 §3.4), verifying over "header.claims". */
    uint8_t sig[80];
    size_t sig_len = 0;
    assert_int_equal(clid__b64url_decode(p.s, p.s_len, sig, sizeof sig, &sig_len), CLID_OK);
    assert_int_equal(sig_len, 64);
    clid__es256_key *k = NULL;
    assert_int_equal(clid__es256_key_new(X509_get0_pubkey(leaf_spc->x), 0, &k), CLID_OK);
    assert_int_equal(clid__es256_verify(k, (const uint8_t *)buf, p.h_len + 1 + p.c_len, sig, 64),
                     CLID_OK);

    /* The PASSporT alone is the same JWS without the parameters. */
    size_t len = 0;
    char pp[2048];
    assert_int_equal(clid_sign_passport(s, &c, 0, pp, sizeof pp, &len), CLID_OK);
    assert_int_equal(len, (size_t)(p.s + p.s_len - buf));
    assert_memory_equal(pp, buf, p.h_len + 1 + p.c_len);
    assert_null(strchr(pp, ';'));
    clid__es256_key_free(k);
    clid_signer_free(s);
}

static void compact_form(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, NULL);
    clid_claims c = default_claims();
    c.origid = ORIGID;
    char buf[256];
    size_t len = 0;
    assert_int_equal(clid_sign_passport(s, &c, 1, buf, sizeof buf, &len), CLID_OK);
    /* RFC 8225 §7: "..<signature>". */
    assert_int_equal(len, 2 + 86);
    assert_memory_equal(buf, "..", 2);
    assert_null(strchr(buf + 2, '.'));
    uint8_t sig[80];
    size_t sig_len = 0;
    assert_int_equal(clid__b64url_decode(buf + 2, len - 2, sig, sizeof sig, &sig_len), CLID_OK);
    assert_int_equal(sig_len, 64);
    /* The signature is over the full form's header and claims, which a
     * verifier rebuilds from the request. */
    const char *const dest[] = {DEST};
    clid__passport_in in = {.ppt = "shaken", .x5u = X5U, .iat = TP_T0, .orig = ORIG,
                            .dest = dest, .dest_count = 1, .attest = 'A', .origid = ORIGID};
    char *input = NULL;
    size_t input_len = 0;
    assert_int_equal(clid__passport_signing_input(&in, &input, &input_len), CLID_OK);
    clid__es256_key *k = NULL;
    assert_int_equal(clid__es256_key_new(X509_get0_pubkey(leaf_spc->x), 0, &k), CLID_OK);
    assert_int_equal(clid__es256_verify(k, (const uint8_t *)input, input_len, sig, 64), CLID_OK);
    clid__es256_key_free(k);
    free(input);
    clid_signer_free(s);
}

static void div_passport(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, leaf_spc);
    clid_claims c = default_claims();
    c.div = "+1 202 555 0123";
    c.attest = 'Z';   /* ignored: a div PASSporT carries no attest */
    c.origid = "bad"; /* nor origid */
    char buf[2048];
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    static const char tail[] = ";info=<" X5U ">;alg=ES256;ppt=div";
    size_t n = strlen(buf);
    assert_string_equal(buf + n - (sizeof tail - 1), tail);
    jws_parts p = split_jws(buf);
    char json[1024];
    decode_bytes(p.h, p.h_len, json, sizeof json);
    assert_string_equal(json, "{\"alg\":\"ES256\",\"ppt\":\"div\",\"typ\":\"passport\","
                              "\"x5u\":\"" X5U "\"}");
    decode_bytes(p.c, p.c_len, json, sizeof json);
    assert_string_equal(json, "{\"dest\":{\"tn\":[\"" DEST "\"]},\"div\":{\"tn\":\"12025550123\"},"
                              "\"iat\":1767225600,\"orig\":{\"tn\":\"" ORIG "\"}}");
    clid_signer_free(s);
}

/* ------------------------------------------------------------------------ */
/* What the signer produces verifies                                         */
/* ------------------------------------------------------------------------ */

static clid_verifier *verifier_for(clid_ctx **ctx_out, const tp_cert *leaf, int div)
{
    clid_ctx *ctx = NULL;
    assert_int_equal(clid_ctx_new(&ctx), CLID_OK);
    assert_int_equal(clid_ctx_add_trust_pem(ctx, root->pem, strlen(root->pem)), CLID_OK);
    char *chain = tp_cat(leaf->pem, inter->pem, NULL);
    assert_int_equal(clid_ctx_add_x5u_pem(ctx, X5U, chain, strlen(chain)), CLID_OK);
    free(chain);
    assert_int_equal(clid_ctx_set_clock(ctx, tp_fixed_clock, &t0), CLID_OK);
    if (div)
        assert_int_equal(clid_ctx_accept_ppt(ctx, "div"), CLID_OK);
    clid_verifier *v = NULL;
    assert_int_equal(clid_verifier_new(ctx, &v), CLID_OK);
    *ctx_out = ctx;
    return v;
}

static void signed_header_verifies(void **state)
{
    (void)state;
    clid_ctx *ctx = NULL;
    clid_verifier *v = verifier_for(&ctx, leaf_range, 0);
    clid_signer *s = new_signer(key_range, leaf_range);
    static const char *const dests[] = {DEST, "13035550100"};
    clid_claims c = {.orig = "12025550042", .dest = dests, .dest_count = 2, .attest = 'C'};
    char buf[2048];
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    clid_result *r = NULL;
    assert_int_equal(clid_result_new(&r), CLID_OK);
    clid_verify_input in = {.identity = buf, .orig = "12025550042", .dest = "13035550100"};
    assert_int_equal(clid_verify_identity(v, &in, r), CLID_OK);
    assert_int_equal(clid_result_verstat(r), CLID_VERSTAT_PASSED);
    assert_int_equal(clid_result_sip_status(r), 0);
    assert_int_equal(clid_result_attest(r), 'C');
    assert_int_equal(clid_result_iat(r), TP_T0);
    clid_verifier_free(v);
    clid_ctx_free(ctx);

    /* A div PASSporT, where the verifier accepts div: every check of its
     * own holds, but alone it never passes (RFC 8946). */
    v = verifier_for(&ctx, leaf_range, 1);
    c.orig = "14155550100";
    c.div = "12025550042";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    in.orig = "14155550100";
    assert_int_equal(clid_verify_identity(v, &in, r), CLID_ERR_DIV_WITHOUT_ORIGINAL);
    assert_string_equal(clid_result_ppt(r), "div");
    assert_string_equal(clid_result_div(r), "12025550042");
    clid_result_free(r);
    clid_verifier_free(v);
    clid_ctx_free(ctx);
    clid_signer_free(s);
}

/* ------------------------------------------------------------------------ */
/* One signer, four threads                                                  */
/* ------------------------------------------------------------------------ */

typedef struct sign_arg {
    const clid_signer *s;
    const clid__es256_key *pub;
    int failures;
} sign_arg;

static void *sign_loop(void *p)
{
    sign_arg *a = p;
    clid_claims c = default_claims();
    for (int i = 0; i < 50; i++) {
        char buf[2048];
        size_t len = 0;
        c.iat = TP_T0 + i;
        if (clid_sign_identity(a->s, &c, buf, sizeof buf, &len) != CLID_OK) {
            a->failures++;
            continue;
        }
        /* Each header carries its own claims and a signature over them. */
        const char *d1 = strchr(buf, '.');
        const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
        const char *semi = strchr(buf, ';');
        uint8_t sig[80];
        size_t sig_len = 0;
        if (d2 == NULL || semi == NULL ||
            clid__b64url_decode(d2 + 1, (size_t)(semi - d2 - 1), sig, sizeof sig, &sig_len) !=
                CLID_OK ||
            clid__es256_verify(a->pub, (const uint8_t *)buf, (size_t)(d2 - buf), sig, sig_len) !=
                CLID_OK) {
            a->failures++;
            continue;
        }
        char claims[1024];
        size_t n = 0;
        if (clid__b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), (uint8_t *)claims,
                                sizeof claims - 1, &n) != CLID_OK) {
            a->failures++;
            continue;
        }
        claims[n] = '\0';
        char iat[32];
        snprintf(iat, sizeof iat, "\"iat\":%lld,", (long long)c.iat);
        if (strstr(claims, iat) == NULL)
            a->failures++;
    }
    return NULL;
}

static void four_threads_one_signer(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, leaf_spc);
    clid__es256_key *pub = NULL;
    assert_int_equal(clid__es256_key_new(X509_get0_pubkey(leaf_spc->x), 0, &pub), CLID_OK);
    pthread_t th[4];
    sign_arg args[4];
    for (int t = 0; t < 4; t++) {
        args[t] = (sign_arg){.s = s, .pub = pub};
        assert_int_equal(pthread_create(&th[t], NULL, sign_loop, &args[t]), 0);
    }
    for (int t = 0; t < 4; t++) {
        assert_int_equal(pthread_join(th[t], NULL), 0);
        assert_int_equal(args[t].failures, 0);
    }
    clid__es256_key_free(pub);
    clid_signer_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(origid_generated_v4),
        cmocka_unit_test(buffer_contract),
        cmocka_unit_test(clock_sets_iat),
        cmocka_unit_test(output_shape),
        cmocka_unit_test(compact_form),
        cmocka_unit_test(div_passport),
        cmocka_unit_test(signed_header_verifies),
        cmocka_unit_test(four_threads_one_signer),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
