/*
 * Unit test of the verifier with its cache of validated intermediates
 * (x509/issuer_cache.h; issue 11 item 4): a verifier that has validated the
 * STI-CA's path verifies calls signed by NEW leaves under it; each result
 * (verdict, reason, SIP status, detail, warnings, revocation checked, signer)
 * must be exactly that of a verifier with an empty cache, for good leaves and
 * for each kind of bad one, under the lenient and the strict policy. The
 * x509-level proofs of each check are in lib/tests/x509/test_signer_cert_fastleaf.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "verify_fixture.h"

static void same_result(const clid_result *a, const clid_result *b)
{
    assert_string_equal(clid_err_name(clid_result_reason(a)), clid_err_name(clid_result_reason(b)));
    assert_int_equal(clid_result_verstat(a), clid_result_verstat(b));
    assert_int_equal(clid_result_sip_status(a), clid_result_sip_status(b));
    assert_string_equal(clid_result_detail(a), clid_result_detail(b));
    assert_int_equal(clid_result_warning_count(a), clid_result_warning_count(b));
    for (size_t i = 0; i < clid_result_warning_count(a); i++)
        assert_string_equal(clid_err_name(clid_result_warning(a, i)),
                            clid_err_name(clid_result_warning(b, i)));
    assert_int_equal(clid_result_revocation_checked(a), clid_result_revocation_checked(b));
    const char *sa = clid_result_signer_subject(a), *sb = clid_result_signer_subject(b);
    assert_string_equal(sa ? sa : "", sb ? sb : "");
}

static clid_err verify_chain(clid_verifier *v, const char *identity, const char *pem,
                             clid_result *r)
{
    clid_verify_input in = input(identity);
    in.chain_pem = pem;
    in.chain_len = strlen(pem);
    return clid_verify_identity(v, &in, r);
}

static void new_leaves_verify_as_with_an_empty_cache(void **state)
{
    (void)state;
    tp_cert *revoked = tp_issue(&(tp_spec){.cn = "SP revoked", .tnauth = "tn:" ORIG}, inter);
    tp_cert *impostor = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1}, other_root);
    const struct {
        tp_spec spec;
        const tp_cert *issuer;
        clid_err want_lenient, want_strict;
    } kinds[] = {
        {{.cn = "SP good", .tnauth = "tn:" ORIG}, NULL, CLID_OK, CLID_OK},
        {{.cn = "SP spc", .tnauth = "spc:709J"}, NULL, CLID_OK, CLID_OK},
        {{.cn = "SP no aki", .tnauth = "tn:" ORIG, .no_aki_ski = 1}, NULL, CLID_OK,
         CLID_ERR_CERT_NO_AKI},
        {{.cn = "SP other number", .tnauth = "tn:19995550100"}, NULL,
         CLID_ERR_TN_NOT_AUTHORIZED, CLID_ERR_TN_NOT_AUTHORIZED},
        {{.cn = "SP expired", .tnauth = "tn:" ORIG, .not_before = TP_T0 - 9 * TP_DAY,
          .not_after = TP_T0 - TP_DAY},
         NULL, CLID_ERR_CERT_EXPIRED, CLID_ERR_CERT_EXPIRED},
        {{.cn = "SP impostor's", .tnauth = "tn:" ORIG}, impostor, CLID_ERR_CERT_UNTRUSTED,
         CLID_ERR_CERT_UNTRUSTED},
    };
    clid_ctx *c = bare_ctx();
    char *crl = tp_crl(inter, TP_T0 - TP_DAY, TP_T0 + 7 * TP_DAY, (long[]){revoked->serial}, 1, 0);
    assert_int_equal(clid_ctx_add_crl_pem(c, crl, strlen(crl)), CLID_OK);
    free(crl);
    clid_result *warm_res = NULL, *cold_res = NULL;
    assert_int_equal(clid_result_new(&warm_res), CLID_OK);
    assert_int_equal(clid_result_new(&cold_res), CLID_OK);
    clid_claims claims = default_claims();

    for (int strict = 0; strict <= 1; strict++) {
        assert_int_equal(clid_ctx_set_strict(c, strict), CLID_OK);
        clid_verifier *warm = tp_verifier_new(c);
        /* The first call under the STI-CA validates its whole path. */
        char *h = sign_hdr(sp->key, URL_X, &claims);
        assert_int_equal(verify_chain(warm, h, chain_sp, warm_res), CLID_OK);
        free(h);
        for (size_t k = 0; k <= sizeof kinds / sizeof kinds[0]; k++) {
            int last = k == sizeof kinds / sizeof kinds[0];
            tp_cert *l = last ? revoked : tp_issue(&kinds[k].spec,
                                                   kinds[k].issuer ? kinds[k].issuer : inter);
            clid_err want = last ? CLID_ERR_CERT_REVOKED
                                 : strict ? kinds[k].want_strict : kinds[k].want_lenient;
            char *pem = tp_cat(l->pem, inter->pem, NULL);
            h = sign_hdr(l->key, URL_X, &claims);
            clid_verifier *cold = tp_verifier_new(c);
            clid_err rw = verify_chain(warm, h, pem, warm_res);
            clid_err rc = verify_chain(cold, h, pem, cold_res);
            assert_string_equal(clid_err_name(rw), clid_err_name(want));
            assert_string_equal(clid_err_name(rc), clid_err_name(want));
            same_result(warm_res, cold_res);
            clid_verifier_free(cold);
            free(h);
            free(pem);
            if (!last)
                tp_free(l);
        }
        clid_verifier_free(warm);
    }
    clid_result_free(warm_res);
    clid_result_free(cold_res);
    clid_ctx_free(c);
    tp_free(revoked);
    tp_free(impostor);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_leaves_verify_as_with_an_empty_cache),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
