/*
 * clid serve, part A: POST /stir/v1/verification, every member, error and
 * verdict
 * (tools/serve/api.h, state.h; docs/serve-api.md), without HTTP; the PKI,
 * clock and helpers are serve_api_fixture.h's.
 */
#include "serve_api_fixture.h"

/* ------------------------------------------------------------------------ */
/* Verification                                                              */
/* ------------------------------------------------------------------------ */


static void verify_bad_input(void **state)
{
    (void)state;
    serve_state *st = std_state();
    static const struct {
        const char *body;
        const char *code;
        const char *path;
    } cases[] = {
        {"", "invalid_json", "$"},
        {"{\"verificationRequest\":", "invalid_json", "$"},
        {"42", "wrong_type", "$"},
        {"{}", "missing_member", "verificationRequest"},
        {"{\"verificationRequest\":\"x\"}", "wrong_type", "verificationRequest"},
        {VR(V_TO "," V_ID), "missing_member", "verificationRequest.from"},
        {VR("\"from\":[]," V_TO "," V_ID), "wrong_type", "verificationRequest.from"},
        {VR("\"from\":{}," V_TO "," V_ID), "missing_member", "verificationRequest.from.tn"},
        {VR("\"from\":{\"tn\":1}," V_TO "," V_ID), "wrong_type", "verificationRequest.from.tn"},
        {VR("\"from\":{\"tn\":\"1202555010012345\"}," V_TO "," V_ID), "invalid_value",
         "verificationRequest.from.tn"},
        {VR("\"from\":{\"tn\":\"sip:12025550100@x\"}," V_TO "," V_ID), "invalid_value",
         "verificationRequest.from.tn"},
        {VR(V_FROM "," V_ID), "missing_member", "verificationRequest.to"},
        {VR(V_FROM ",\"to\":{\"tn\":\"12025550199\"}," V_ID), "wrong_type",
         "verificationRequest.to.tn"},
        {VR(V_FROM ",\"to\":{\"tn\":[]}," V_ID), "invalid_value", "verificationRequest.to.tn"},
        {VR(V_FROM ",\"to\":{\"tn\":[\"1\",\"2\"]}," V_ID), "invalid_value",
         "verificationRequest.to.tn"},
        {VR(V_FROM ",\"to\":{\"tn\":[null]}," V_ID), "wrong_type",
         "verificationRequest.to.tn[0]"},
        {VR(V_FROM ",\"to\":{\"tn\":[\"12x\"]}," V_ID), "invalid_value",
         "verificationRequest.to.tn[0]"},
        {VR(V_FROM "," V_TO), "missing_member", "verificationRequest.identity"},
        {VR(V_FROM "," V_TO ",\"identity\":{}"), "wrong_type", "verificationRequest.identity"},
        {VR(V_FROM "," V_TO ",\"identity\":\"\""), "invalid_value",
         "verificationRequest.identity"},
        {VR(V_FROM "," V_TO ",\"identity\":\"a.b.c\\r\\nX-Evil: 1\""), "invalid_value",
         "verificationRequest.identity"},
        {VR(V_FROM "," V_TO ",\"identity\":\"a.b.c\\u00e9\""), "invalid_value",
         "verificationRequest.identity"},
        {VR(V_FROM "," V_TO "," V_ID ",\"time\":\"now\""), "wrong_type",
         "verificationRequest.time"},
        {VR(V_FROM "," V_TO "," V_ID ",\"time\":1767225600.25"), "wrong_type",
         "verificationRequest.time"},
        {VR(V_FROM "," V_TO "," V_ID ",\"time\":1e9"), "wrong_type", "verificationRequest.time"},
        {VR(V_FROM "," V_TO "," V_ID ",\"time\":0"), "invalid_value", "verificationRequest.time"},
        {VR(V_FROM "," V_TO "," V_ID ",\"time\":-1"), "invalid_value",
         "verificationRequest.time"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(st, SERVE_EP_VERIFICATION, cases[i].body, 400, cases[i].code,
                     cases[i].path);
    /* An identity over CLID_IDENTITY_MAX_LEN bytes. */
    char *big = malloc(CLID_IDENTITY_MAX_LEN + 200);
    int n = snprintf(big, 100, "{\"verificationRequest\":{" V_FROM "," V_TO ",\"identity\":\"");
    memset(big + n, 'a', CLID_IDENTITY_MAX_LEN + 1);
    strcpy(big + n + CLID_IDENTITY_MAX_LEN + 1, "\"}}");
    expect_error(st, SERVE_EP_VERIFICATION, big, 400, "invalid_value",
                 "verificationRequest.identity");
    /* ... and exactly at the limit: read, then refused as a verdict. */
    strcpy(big + n + CLID_IDENTITY_MAX_LEN, "\"}}");
    serve_reply r;
    call(st, SERVE_EP_VERIFICATION, big, &r);
    assert_int_equal(r.http_status, 200);
    assert_string_equal(r.verstat, "TN-Validation-Failed");
    serve_reply_clear(&r);
    free(big);
    serve_state_unref(st);
}

static void verify_garbage_identity(void **state)
{
    (void)state;
    serve_state *st = std_state();
    static const char *const junk[] = {
        "abc", "a.b.c", "....", "x;info=<https://cert.example.org/certs/sp.pem>;alg=ES256",
        "eyJhbGciOiJFUzI1NiJ9.e30.AAAA;info=<" X5U ">;alg=ES256;ppt=shaken"};
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++) {
        serve_reply r;
        json_t *v = api_verify_identity(st, ORIG, DEST, junk[i], 0, &r);
        assert_string_equal(jstr(v, "verstat"), "TN-Validation-Failed");
        int rc = (int)json_integer_value(json_object_get(v, "reasoncode"));
        assert_true(rc == 436 || rc == 438);
        assert_string_equal(jstr(v, "reasontext"),
                            rc == 436 ? "Bad Identity Info" : "Invalid Identity Header");
        assert_int_equal(strncmp(jstr(v, "reason"), "CLID_ERR_", 9), 0);
        serve_reply_clear(&r);
    }
    serve_state_unref(st);
}

static void verify_forged(void **state)
{
    (void)state;
    serve_state *st = std_state();
    /* The forger signs with its own key, naming the genuine x5u. */
    serve_state_cfg c = base_cfg();
    c.sign_key = g_other_key;
    c.sign_cert = g_other_chain;
    serve_state *forger = new_state(&c);
    char *id = api_sign_identity(forger, ORIG, DEST, TP_T0);
    serve_reply r;
    json_t *v = api_verify_identity(st, ORIG, DEST, id, 0, &r);
    expect_verdict(v, "TN-Validation-Failed", "CLID_ERR_SIGNATURE_INVALID", 438);
    serve_reply_clear(&r);
    free(id);
    /* The genuine one on the same state passes. */
    id = api_sign_identity(st, ORIG, DEST, TP_T0);
    v = api_verify_identity(st, ORIG, DEST, id, 0, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    serve_reply_clear(&r);
    /* Bound to the request: another caller or callee fails. */
    v = api_verify_identity(st, "12025550101", DEST, id, 0, &r);
    expect_verdict(v, "TN-Validation-Failed", "CLID_ERR_ORIG_MISMATCH", 438);
    serve_reply_clear(&r);
    v = api_verify_identity(st, ORIG, "12025550101", id, 0, &r);
    expect_verdict(v, "TN-Validation-Failed", "CLID_ERR_DEST_MISMATCH", 438);
    serve_reply_clear(&r);
    free(id);
    serve_state_unref(forger);
    serve_state_unref(st);
}

static void verify_stale(void **state)
{
    (void)state;
    serve_state *st = std_state();
    char *id = api_sign_identity(st, ORIG, DEST, TP_T0);
    serve_reply r;
    /* The injected clock moves 61 s: stale (CLID_DEFAULT_MAX_AGE 60). */
    atomic_store(&g_now, TP_T0 + 61);
    json_t *v = api_verify_identity(st, ORIG, DEST, id, 0, &r);
    expect_verdict(v, "TN-Validation-Failed", "CLID_ERR_IAT_STALE", 403);
    assert_string_equal(jstr(v, "reasontext"), "Stale Date");
    serve_reply_clear(&r);
    /* 60 s is still fresh. */
    atomic_store(&g_now, TP_T0 + 60);
    v = api_verify_identity(st, ORIG, DEST, id, 0, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    serve_reply_clear(&r);
    /* The request's "time" wins over the clock. */
    atomic_store(&g_now, TP_T0 + 3600);
    v = api_verify_identity(st, ORIG, DEST, id, TP_T0 + 5, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    serve_reply_clear(&r);
    v = api_verify_identity(st, ORIG, DEST, id, TP_T0 + 500, &r);
    expect_verdict(v, "TN-Validation-Failed", "CLID_ERR_IAT_STALE", 403);
    serve_reply_clear(&r);
    /* A longer max_age in the configuration accepts it. */
    serve_state_cfg c = base_cfg();
    c.max_age = 7200;
    serve_state *lax = new_state(&c);
    v = api_verify_identity(lax, ORIG, DEST, id, 0, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    serve_reply_clear(&r);
    serve_state_unref(lax);
    free(id);
    serve_state_unref(st);
}

static void verify_untrusted_and_unmapped(void **state)
{
    (void)state;
    serve_state *st = std_state();
    char *id = api_sign_identity(st, ORIG, DEST, TP_T0);
    /* A verifier without the x5u map: 436 (no fetcher configured). */
    serve_state_cfg c = base_cfg();
    c.nx5u_map = 0;
    serve_state *nomap = new_state(&c);
    serve_reply r;
    json_t *v = api_verify_identity(nomap, ORIG, DEST, id, 0, &r);
    expect_verdict(v, "TN-Validation-Failed", "CLID_ERR_X5U_UNMAPPED", 436);
    serve_reply_clear(&r);
    serve_state_unref(nomap);
    /* A verifier that trusts another root: 437. */
    static const char *other[1];
    other[0] = g_other_chain; /* the forger's leaf as its only anchor */
    c = base_cfg();
    c.trust = other;
    serve_state *wrong = new_state(&c);
    v = api_verify_identity(wrong, ORIG, DEST, id, 0, &r);
    assert_string_equal(jstr(v, "verstat"), "TN-Validation-Failed");
    assert_int_equal(json_integer_value(json_object_get(v, "reasoncode")), 437);
    serve_reply_clear(&r);
    serve_state_unref(wrong);
    free(id);
    serve_state_unref(st);
}

static void verify_warnings_and_strict(void **state)
{
    (void)state;
    static const char *map[2];
    map[0] = g_map;
    map[1] = g_lmap;
    serve_state_cfg c = base_cfg();
    c.sign_key = g_lkey;
    c.sign_cert = g_lchain;
    c.sign_x5u = X5U_LENIENT;
    c.x5u_map = map;
    c.nx5u_map = 2;
    serve_state *lenient = new_state(&c);
    char *id = api_sign_identity(lenient, ORIG, DEST, TP_T0);
    serve_reply r;
    json_t *v = api_verify_identity(lenient, ORIG, DEST, id, 0, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    json_t *w = json_object_get(v, "warnings");
    assert_int_equal(json_array_size(w), 1);
    assert_string_equal(json_string_value(json_array_get(w, 0)), "CLID_ERR_CERT_NO_AKI");
    serve_reply_clear(&r);
    /* Under strict the deviation is the failure (437). */
    c.strict = 1;
    serve_state *strict = new_state(&c);
    v = api_verify_identity(strict, ORIG, DEST, id, 0, &r);
    expect_verdict(v, "TN-Validation-Failed", "CLID_ERR_CERT_NO_AKI", 437);
    serve_reply_clear(&r);
    serve_state_unref(strict);
    serve_state_unref(lenient);
    free(id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(verify_bad_input, reset_clock),
        cmocka_unit_test_setup(verify_garbage_identity, reset_clock),
        cmocka_unit_test_setup(verify_forged, reset_clock),
        cmocka_unit_test_setup(verify_stale, reset_clock),
        cmocka_unit_test_setup(verify_untrusted_and_unmapped, reset_clock),
        cmocka_unit_test_setup(verify_warnings_and_strict, reset_clock),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
