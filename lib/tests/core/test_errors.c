/*
 * The error table (clid_errors.h): every code is named, explained, classed,
 * and mapped to a SIP response and verstat that agree with RFC 8224 §6.2.2
 * and §13 and 3GPP TS 24.229 §7.2A.20.
 */
#include "support/clid_test.h"

/* The table's own spelling of every name, to check the lookup against. */
static const char *const expected_names[] = {
#define CT_X_NAME(name, cls, sip, verstat, text) #name,
    CLID_ERRORS(CT_X_NAME)
#undef CT_X_NAME
};

static void table_size_matches_enum(void **state)
{
    (void)state;
    assert_int_equal(sizeof expected_names / sizeof expected_names[0], CLID_ERR__COUNT);
    /* Codes are numbered from 0 with CLID_OK first: callers test `rc != 0`. */
    assert_int_equal(CLID_OK, 0);
}

static void names_unique_and_match(void **state)
{
    (void)state;
    for (int i = 0; i < CLID_ERR__COUNT; i++) {
        const char *n = clid_err_name((clid_err)i);
        assert_non_null(n);
        assert_string_equal(n, expected_names[i]);
        assert_true(strncmp(n, "CLID_", 5) == 0);
        for (int j = 0; j < i; j++)
            if (strcmp(n, clid_err_name((clid_err)j)) == 0)
                fail_msg("codes %d and %d share the name %s", i, j, n);
    }
}

static void texts_unique_and_non_empty(void **state)
{
    (void)state;
    for (int i = 0; i < CLID_ERR__COUNT; i++) {
        const char *t = clid_err_str((clid_err)i);
        assert_non_null(t);
        assert_true(strlen(t) > 0);
        for (int j = 0; j < i; j++)
            if (strcmp(t, clid_err_str((clid_err)j)) == 0)
                fail_msg("%s and %s share the text \"%s\"", clid_err_name((clid_err)i),
                         clid_err_name((clid_err)j), t);
    }
}

static void classes(void **state)
{
    (void)state;
    assert_int_equal(clid_err_class_of(CLID_OK), CLID_CLASS_NONE);
    for (int i = 1; i < CLID_ERR__COUNT; i++) {
        clid_err_class c = clid_err_class_of((clid_err)i);
        if (c == CLID_CLASS_NONE)
            fail_msg("%s has class NONE", clid_err_name((clid_err)i));
        assert_true(c >= CLID_CLASS_USAGE && c <= CLID_CLASS_FETCH);
        /* Usage and resource failures are the caller's or the machine's,
         * never a verdict on a call: no SIP response (table comment). */
        if (c == CLID_CLASS_USAGE || c == CLID_CLASS_RESOURCE)
            assert_int_equal(clid_err_sip_status((clid_err)i), 0);
    }
    /* A few fixed points, so a row moved to the wrong class is noticed. */
    assert_int_equal(clid_err_class_of(CLID_ERR_NOMEM), CLID_CLASS_RESOURCE);
    assert_int_equal(clid_err_class_of(CLID_ERR_BUFFER_TOO_SMALL), CLID_CLASS_USAGE);
    assert_int_equal(clid_err_class_of(CLID_ERR_DER_MALFORMED), CLID_CLASS_PARSE);
    assert_int_equal(clid_err_class_of(CLID_ERR_EXT_DUPLICATE), CLID_CLASS_CERT);
    assert_int_equal(clid_err_class_of(CLID_ERR_SIGNATURE_INVALID), CLID_CLASS_CRYPTO);
    assert_int_equal(clid_err_class_of(CLID_ERR_IAT_STALE), CLID_CLASS_POLICY);
    assert_int_equal(clid_err_class_of(CLID_ERR_X5U_TIMEOUT), CLID_CLASS_FETCH);
}

static void class_names(void **state)
{
    (void)state;
    static const struct {
        clid_err_class c;
        const char *name;
    } want[] = {
        {CLID_CLASS_NONE, "none"},       {CLID_CLASS_USAGE, "usage"},
        {CLID_CLASS_RESOURCE, "resource"}, {CLID_CLASS_PARSE, "parse"},
        {CLID_CLASS_CRYPTO, "crypto"},   {CLID_CLASS_CERT, "certificate"},
        {CLID_CLASS_POLICY, "policy"},   {CLID_CLASS_FETCH, "fetch"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        assert_string_equal(clid_err_class_name(want[i].c), want[i].name);
    assert_string_equal(clid_err_class_name((clid_err_class)99), "unknown");
}

static int sip_allowed(int s)
{
    return s == 0 || s == 400 || s == 403 || s == 428 || s == 436 || s == 437 || s == 438;
}

static void sip_status_and_verstat(void **state)
{
    (void)state;
    for (int i = 0; i < CLID_ERR__COUNT; i++) {
        clid_err e = (clid_err)i;
        int s = clid_err_sip_status(e);
        clid_verstat v = clid_err_verstat(e);
        if (!sip_allowed(s))
            fail_msg("%s maps to SIP %d", clid_err_name(e), s);
        /* Only success passes validation. */
        if ((v == CLID_VERSTAT_PASSED) != (e == CLID_OK))
            fail_msg("%s: verstat PASSED iff CLID_OK", clid_err_name(e));
        /* RFC 8224 §6.2.2: 403/436/437/438 reject a present but bad
         * Identity: the TN validation failed. */
        if (s == 403 || s == 436 || s == 437 || s == 438)
            if (v != CLID_VERSTAT_FAILED)
                fail_msg("%s: SIP %d must give TN-Validation-Failed", clid_err_name(e), s);
        /* 428 means there was nothing to validate. */
        if (s == 428 && v != CLID_VERSTAT_NO_VALIDATION)
            fail_msg("%s: SIP 428 must give No-TN-Validation", clid_err_name(e));
        /* The reason phrase follows the status. */
        if (s == 0)
            assert_string_equal(clid_err_sip_reason(e), "");
        else
            assert_true(strlen(clid_err_sip_reason(e)) > 0);
    }
    assert_int_equal(clid_err_sip_status(CLID_OK), 0);
    assert_int_equal(clid_err_sip_status(CLID_ERR_NO_IDENTITY), 428);
    assert_int_equal(clid_err_sip_status(CLID_ERR_IAT_STALE), 403);
    assert_int_equal(clid_err_sip_status(CLID_ERR_X5U_UNREACHABLE), 436);
    assert_int_equal(clid_err_sip_status(CLID_ERR_CERT_EXPIRED), 437);
    assert_int_equal(clid_err_sip_status(CLID_ERR_SIGNATURE_INVALID), 438);
    assert_int_equal(clid_err_sip_status(CLID_ERR_SIP_PARSE), 400);
    /* RFC 8224 §13 reason phrases. */
    assert_string_equal(clid_err_sip_reason(CLID_ERR_IAT_STALE), "Stale Date");
    assert_string_equal(clid_err_sip_reason(CLID_ERR_NO_IDENTITY), "Use Identity Header");
    assert_string_equal(clid_err_sip_reason(CLID_ERR_X5U_TIMEOUT), "Bad Identity Info");
    assert_string_equal(clid_err_sip_reason(CLID_ERR_CERT_REVOKED), "Unsupported Credential");
    assert_string_equal(clid_err_sip_reason(CLID_ERR_JWS_SYNTAX), "Invalid Identity Header");
    assert_string_equal(clid_err_sip_reason(CLID_ERR_SIP_PARSE), "Bad Request");
    assert_string_equal(clid_err_sip_reason(CLID_ERR_NOMEM), "");
}

static void verstat_strings(void **state)
{
    (void)state;
    assert_string_equal(clid_verstat_str(CLID_VERSTAT_PASSED), "TN-Validation-Passed");
    assert_string_equal(clid_verstat_str(CLID_VERSTAT_FAILED), "TN-Validation-Failed");
    assert_string_equal(clid_verstat_str(CLID_VERSTAT_NO_VALIDATION), "No-TN-Validation");
    assert_string_equal(clid_verstat_str((clid_verstat)42), "No-TN-Validation");
    assert_int_equal(clid_err_verstat(CLID_OK), CLID_VERSTAT_PASSED);
    assert_int_equal(clid_err_verstat(CLID_ERR_NO_IDENTITY), CLID_VERSTAT_NO_VALIDATION);
    assert_int_equal(clid_err_verstat(CLID_ERR_TN_NOT_AUTHORIZED), CLID_VERSTAT_FAILED);
}

static void from_name_round_trip(void **state)
{
    (void)state;
    for (int i = 0; i < CLID_ERR__COUNT; i++)
        assert_int_equal(clid_err_from_name(clid_err_name((clid_err)i)), i);
    assert_int_equal(clid_err_from_name(NULL), CLID_ERR__COUNT);
    assert_int_equal(clid_err_from_name(""), CLID_ERR__COUNT);
    assert_int_equal(clid_err_from_name("CLID_ERR_UNKNOWN"), CLID_ERR__COUNT);
    assert_int_equal(clid_err_from_name("clid_ok"), CLID_ERR__COUNT); /* exact match only */
    assert_int_equal(clid_err_from_name("CLID_OK "), CLID_ERR__COUNT);
    assert_int_equal(clid_err_from_name("CLID_ERR_NOMEM"), CLID_ERR_NOMEM);
}

/* Values outside the table come from casts or from a newer library; the
 * lookups must neither crash nor claim success or a SIP verdict. */
static void out_of_range(void **state)
{
    (void)state;
    const clid_err bad[] = {CLID_ERR__COUNT, (clid_err)(CLID_ERR__COUNT + 1), (clid_err)-1,
                            (clid_err)0x7fffffff};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_string_equal(clid_err_name(bad[i]), "CLID_ERR_UNKNOWN");
        assert_non_null(clid_err_str(bad[i]));
        assert_true(strlen(clid_err_str(bad[i])) > 0);
        assert_int_not_equal(clid_err_class_of(bad[i]), CLID_CLASS_NONE);
        assert_int_equal(clid_err_sip_status(bad[i]), 0);
        assert_string_equal(clid_err_sip_reason(bad[i]), "");
        assert_int_not_equal(clid_err_verstat(bad[i]), CLID_VERSTAT_PASSED);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(table_size_matches_enum),
        cmocka_unit_test(names_unique_and_match),
        cmocka_unit_test(texts_unique_and_non_empty),
        cmocka_unit_test(classes),
        cmocka_unit_test(class_names),
        cmocka_unit_test(sip_status_and_verstat),
        cmocka_unit_test(verstat_strings),
        cmocka_unit_test(from_name_round_trip),
        cmocka_unit_test(out_of_range),
    };
    return cmocka_run_group_tests_name("errors", tests, NULL, NULL);
}
