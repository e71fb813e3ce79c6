/*
 * The lint's public API around the rules (clid_lint.h, lint_report.c): the
 * rule table, names, argument checks, report reuse and getters.
 */
#include "support/clid_test.h"

#include <openssl/x509.h>

#include "support/lintpki.h"
#include "x509/profile.h"

static void rule_table_is_sound(void **state)
{
    (void)state;
    size_t n = clid_lint_rule_count();
    assert_int_equal(n, CLID__R_COUNT);
    for (size_t i = 0; i < n; i++) {
        clid_lint_rule r;
        assert_ok(clid_lint_rule_get(i, &r));
        assert_true(strlen(r.id) > 0 && strlen(r.clause) > 0 && strlen(r.source) > 0 &&
                    strlen(r.summary) > 0 && strlen(r.roles) > 0);
        assert_true(r.severity == CLID_LINT_ERROR || r.severity == CLID_LINT_WARNING);
        assert_true(r.profiles != 0);
        assert_int_equal(r.profiles & ~((1u << CLID_CERT_PROFILE_SHAKEN) |
                                        (1u << CLID_CERT_PROFILE_Q3063)),
                         0);
        /* Profile-specific rules say so in their id. */
        if (strncmp(r.id, "sti.", 4) == 0)
            assert_int_equal(r.profiles, 1u << CLID_CERT_PROFILE_SHAKEN);
        if (strncmp(r.id, "q3063.", 6) == 0)
            assert_int_equal(r.profiles, 1u << CLID_CERT_PROFILE_Q3063);
        for (size_t j = 0; j < i; j++) {
            clid_lint_rule o;
            assert_ok(clid_lint_rule_get(j, &o));
            assert_string_not_equal(o.id, r.id);
        }
    }
    clid_lint_rule r;
    assert_err(clid_lint_rule_get(n, &r), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_lint_rule_get(0, NULL), CLID_ERR_INVALID_ARGUMENT);
}

static void names(void **state)
{
    (void)state;
    clid_cert_profile p = CLID_CERT_PROFILE_NONE;
    assert_ok(clid_cert_profile_from_name("shaken", &p));
    assert_int_equal(p, CLID_CERT_PROFILE_SHAKEN);
    assert_ok(clid_cert_profile_from_name("q3063", &p));
    assert_int_equal(p, CLID_CERT_PROFILE_Q3063);
    assert_ok(clid_cert_profile_from_name("none", &p));
    assert_int_equal(p, CLID_CERT_PROFILE_NONE);
    assert_err(clid_cert_profile_from_name("SHAKEN", &p), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_cert_profile_from_name("", &p), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_cert_profile_from_name(NULL, &p), CLID_ERR_INVALID_ARGUMENT);
    assert_string_equal(clid_cert_profile_name(CLID_CERT_PROFILE_Q3063), "q3063");
    assert_null(clid_cert_profile_name((clid_cert_profile)7));
    assert_string_equal(clid_lint_severity_name(CLID_LINT_ERROR), "error");
    assert_string_equal(clid_lint_severity_name(CLID_LINT_WARNING), "warning");
    assert_null(clid_lint_severity_name((clid_lint_severity)0));
    assert_string_equal(clid_cert_role_name(CLID_CERT_ROLE_END_ENTITY), "end-entity");
    assert_string_equal(clid_cert_role_name(CLID_CERT_ROLE_INTERMEDIATE), "intermediate");
    assert_string_equal(clid_cert_role_name(CLID_CERT_ROLE_ROOT), "root");
    assert_null(clid_cert_role_name((clid_cert_role)3));
}

static void arguments_and_reuse(void **state)
{
    (void)state;
    tp_cert *root = NULL, *inter = NULL, *ee = NULL;
    lp_shaken_chain(&root, &inter, &ee);
    clid_lint_report *r = NULL;
    assert_err(clid_lint_report_new(NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_ok(clid_lint_report_new(&r));
    X509 *chain[CLID_LINT_MAX_CERTS + 1];
    for (size_t i = 0; i <= CLID_LINT_MAX_CERTS; i++)
        chain[i] = ee->x;

    /* A run with findings, then bad arguments: the report is left empty. */
    X509 *two[2] = {ee->x, root->x}; /* ee's issuer is not root: chain.order, aki, ... */
    assert_ok(clid_lint_chain(r, CLID_CERT_PROFILE_SHAKEN, two, 2, TP_T0));
    assert_true(clid_lint_count(r) > 0);
    assert_err(clid_lint_chain(r, CLID_CERT_PROFILE_NONE, chain, 1, 0), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_lint_count(r), 0);
    assert_int_equal(clid_lint_cert_count(r), 0);
    assert_err(clid_lint_chain(r, CLID_CERT_PROFILE_SHAKEN, chain, 0, 0),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_lint_chain(r, CLID_CERT_PROFILE_SHAKEN, chain, CLID_LINT_MAX_CERTS + 1, 0),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_lint_chain(r, CLID_CERT_PROFILE_SHAKEN, NULL, 1, 0), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_lint_chain(r, (clid_cert_profile)9, chain, 1, 0), CLID_ERR_INVALID_ARGUMENT);
    X509 *with_null[2] = {ee->x, NULL};
    assert_err(clid_lint_chain(r, CLID_CERT_PROFILE_SHAKEN, with_null, 2, 0),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_lint_chain(NULL, CLID_CERT_PROFILE_SHAKEN, chain, 1, 0),
               CLID_ERR_INVALID_ARGUMENT);
    /* Sixteen certificates are allowed (the same leaf: no issuer, no order). */
    assert_ok(clid_lint_chain(r, CLID_CERT_PROFILE_SHAKEN, chain, CLID_LINT_MAX_CERTS, TP_T0));
    assert_int_equal(clid_lint_cert_count(r), CLID_LINT_MAX_CERTS);

    /* A clean run replaces everything. */
    X509 *good[3] = {ee->x, inter->x, root->x};
    assert_ok(clid_lint_chain(r, CLID_CERT_PROFILE_SHAKEN, good, 3, TP_T0));
    assert_int_equal(clid_lint_count(r), 0);
    assert_int_equal(clid_lint_error_count(r), 0);
    assert_int_equal(clid_lint_warning_count(r), 0);
    assert_int_equal(clid_lint_cert_count(r), 3);
    assert_string_equal(clid_lint_cert_subject(r, 0), "CN=SHAKEN 709J,O=Example Telecom,C=US");
    assert_string_equal(clid_lint_cert_subject(r, 3), "");
    assert_int_equal(clid_lint_cert_role(r, 2), CLID_CERT_ROLE_ROOT);
    clid_lint_finding f;
    assert_err(clid_lint_get(r, 0, &f), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_lint_get(NULL, 0, &f), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_lint_count(NULL), 0);
    assert_int_equal(clid_lint_cert_count(NULL), 0);

    clid_lint_report_free(r);
    clid_lint_report_free(NULL);
    tp_free(root);
    tp_free(inter);
    tp_free(ee);
}

/* The verifier's detail line: rule, clause, certificate, message, subject. */
static void first_error_detail(void **state)
{
    (void)state;
    tp_cert *root = NULL, *inter = NULL;
    lp_shaken_chain(&root, &inter, NULL);
    tp_cert *ee = lp_issue(&(lp_spec){.subject = LP_SHAKEN_EE_SUBJECT,
                                      .ext = LP_BC_EE LP_KU_EE LP_SKI LP_AKI LP_CP
                                          LP_CRLDP_DIRECT LP_SPC},
                           inter);
    X509 *chain[3] = {ee->x, inter->x, root->x};
    clid_lint_report *r = NULL;
    assert_ok(clid_lint_report_new(&r));
    assert_ok(clid__lint_run(r, CLID_CERT_PROFILE_SHAKEN, chain, 3, 2, 1, 0));
    char detail[256];
    assert_int_equal(clid__lint_first_error(r, detail, sizeof detail), 1);
    assert_string_equal(detail, "sti.crldp.issuer (ATIS-1000080 v005 §6.4.1): certificate 0: the "
                                "distribution point has no cRLIssuer directory name "
                                "[CN=SHAKEN 709J,O=Example Telecom,C=US]");
    X509 *good[3] = {inter->x, root->x};
    assert_ok(clid__lint_run(r, CLID_CERT_PROFILE_SHAKEN, good, 2, 1, 0, 0));
    assert_int_equal(clid__lint_first_error(r, detail, sizeof detail), 0);
    clid_lint_report_free(r);
    tp_free(root);
    tp_free(inter);
    tp_free(ee);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rule_table_is_sound),
        cmocka_unit_test(names),
        cmocka_unit_test(arguments_and_reuse),
        cmocka_unit_test(first_error_detail),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
