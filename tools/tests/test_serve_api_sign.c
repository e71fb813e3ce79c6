/*
 * clid serve, part A: POST /stir/v1/signing, every member and error
 * (tools/serve/api.h, state.h; docs/serve-api.md), without HTTP; the PKI,
 * clock and helpers are serve_api_fixture.h's.
 */
#include "serve_api_fixture.h"

/* ------------------------------------------------------------------------ */
/* Signing                                                                   */
/* ------------------------------------------------------------------------ */

static void sign_ok(void **state)
{
    (void)state;
    serve_state *st = std_state();
    char *id = api_sign_identity(st, "+1 (202) 555-0100", DEST, TP_T0);
    assert_non_null(strstr(id, ";info=<" X5U ">"));
    assert_non_null(strstr(id, "ppt=shaken"));
    serve_reply r;
    json_t *v = api_verify_identity(st, ORIG, DEST, id, 0, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    assert_string_equal(jstr(v, "attest"), "A");
    assert_string_equal(jstr(v, "origid"), "123e4567-e89b-42d3-a456-426614174000");
    assert_int_equal(json_integer_value(json_object_get(v, "iat")), TP_T0);
    assert_string_equal(jstr(v, "x5u"), X5U);
    assert_int_equal(json_array_size(json_object_get(v, "warnings")), 0);
    serve_reply_clear(&r);
    serve_reply_clear(&r); /* twice is harmless */
    free(id);

    /* Optional members absent: iat is the request's time, origid random;
     * several dest numbers. */
    serve_reply s;
    call(st, SERVE_EP_SIGNING,
         "{\"signingRequest\":{\"attest\":\"C\",\"dest\":{\"tn\":[\"12025550199\","
         "\"12025550198\"]},\"orig\":{\"tn\":\"12025550100\"},\"unknown\":[1,2]},\"x\":1}",
         &s);
    assert_int_equal(s.http_status, 200);
    id = strdup(jstr(json_object_get(s.body, "signingResponse"), "identity"));
    serve_reply_clear(&s);
    v = api_verify_identity(st, ORIG, "12025550198", id, 0, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    assert_string_equal(jstr(v, "attest"), "C");
    assert_int_equal(json_integer_value(json_object_get(v, "iat")), TP_T0);
    serve_reply_clear(&r);
    free(id);

    /* The `now` H passes is the default iat. */
    serve_api_handle(st, SERVE_EP_SIGNING,
                     "{\"signingRequest\":{\"attest\":\"B\",\"dest\":{\"tn\":[\"12025550199\"]},"
                     "\"orig\":{\"tn\":\"12025550100\"}}}",
                     strlen("{\"signingRequest\":{\"attest\":\"B\",\"dest\":{\"tn\":[\"12025550199\"]},"
                            "\"orig\":{\"tn\":\"12025550100\"}}}"),
                     TP_T0 - 10, &s);
    assert_int_equal(s.http_status, 200);
    id = strdup(jstr(json_object_get(s.body, "signingResponse"), "identity"));
    serve_reply_clear(&s);
    v = api_verify_identity(st, ORIG, DEST, id, 0, &r);
    assert_int_equal(json_integer_value(json_object_get(v, "iat")), TP_T0 - 10);
    serve_reply_clear(&r);
    free(id);
    serve_state_unref(st);
}


static void sign_bad_input(void **state)
{
    (void)state;
    serve_state *st = std_state();
    static const struct {
        const char *body;
        int status;
        const char *code;
        const char *path;
    } cases[] = {
        /* not JSON, not an object */
        {"", 400, "invalid_json", "$"},
        {"{", 400, "invalid_json", "$"},
        {"{\"signingRequest\":{}}}", 400, "invalid_json", "$"},
        {"nul", 400, "invalid_json", "$"},
        {"[1]", 400, "wrong_type", "$"},
        {"\"x\"", 400, "wrong_type", "$"},
        {"{\"a\":1,\"a\":2}", 400, "invalid_json", "$"},
        {"{\"signingRequest\":{\"attest\":\"A\",\"attest\":\"B\"}}", 400, "invalid_json", "$"},
        /* the envelope */
        {"{}", 400, "missing_member", "signingRequest"},
        {"{\"signingRequest\":null}", 400, "missing_member", "signingRequest"},
        {"{\"signingRequest\":[]}", 400, "wrong_type", "signingRequest"},
        /* attest */
        {SR(GOOD_DEST "," GOOD_ORIG), 400, "missing_member", "signingRequest.attest"},
        {SR("\"attest\":1," GOOD_DEST "," GOOD_ORIG), 400, "wrong_type", "signingRequest.attest"},
        {SR("\"attest\":\"D\"," GOOD_DEST "," GOOD_ORIG), 400, "invalid_value",
         "signingRequest.attest"},
        {SR("\"attest\":\"a\"," GOOD_DEST "," GOOD_ORIG), 400, "invalid_value",
         "signingRequest.attest"},
        {SR("\"attest\":\"AB\"," GOOD_DEST "," GOOD_ORIG), 400, "invalid_value",
         "signingRequest.attest"},
        {SR("\"attest\":\"\"," GOOD_DEST "," GOOD_ORIG), 400, "invalid_value",
         "signingRequest.attest"},
        /* orig */
        {SR("\"attest\":\"A\"," GOOD_DEST), 400, "missing_member", "signingRequest.orig"},
        {SR("\"attest\":\"A\"," GOOD_DEST ",\"orig\":\"12025550100\""), 400, "wrong_type",
         "signingRequest.orig"},
        {SR("\"attest\":\"A\"," GOOD_DEST ",\"orig\":{}"), 400, "missing_member",
         "signingRequest.orig.tn"},
        {SR("\"attest\":\"A\"," GOOD_DEST ",\"orig\":{\"tn\":12025550100}"), 400, "wrong_type",
         "signingRequest.orig.tn"},
        {SR("\"attest\":\"A\"," GOOD_DEST ",\"orig\":{\"tn\":[\"12025550100\"]}"), 400,
         "wrong_type", "signingRequest.orig.tn"},
        {SR("\"attest\":\"A\"," GOOD_DEST ",\"orig\":{\"tn\":\"\"}"), 400, "invalid_value",
         "signingRequest.orig.tn"},
        {SR("\"attest\":\"A\"," GOOD_DEST ",\"orig\":{\"tn\":\"1202555010012345\"}"), 400,
         "invalid_value", "signingRequest.orig.tn"}, /* 16 digits */
        {SR("\"attest\":\"A\"," GOOD_DEST
            ",\"orig\":{\"tn\":\"1-2-0-2-5-5-5-0-1-0-0-1-2-3-4-5-6-7\"}"),
         400, "invalid_value", "signingRequest.orig.tn"}, /* over 32 bytes */
        {SR("\"attest\":\"A\"," GOOD_DEST ",\"orig\":{\"tn\":\"1202555010a\"}"), 400,
         "invalid_value", "signingRequest.orig.tn"},
        {SR("\"attest\":\"A\"," GOOD_DEST ",\"orig\":{\"tn\":\"tel:+12025550100\"}"), 400,
         "invalid_value", "signingRequest.orig.tn"},
        {SR("\"attest\":\"A\"," GOOD_DEST ",\"orig\":{\"tn\":\"12025550100;tgrp=x\"}"), 400,
         "invalid_value", "signingRequest.orig.tn"},
        {SR("\"attest\":\"A\"," GOOD_DEST ",\"orig\":{\"tn\":\"1202+5550100\"}"), 400,
         "invalid_value", "signingRequest.orig.tn"},
        {SR("\"attest\":\"A\"," GOOD_DEST ",\"orig\":{\"tn\":\"---\"}"), 400, "invalid_value",
         "signingRequest.orig.tn"},
        {SR("\"attest\":\"A\"," GOOD_DEST ",\"orig\":{\"tn\":\"12025550100\\r\\n\"}"), 400,
         "invalid_value", "signingRequest.orig.tn"},
        {SR("\"attest\":\"A\"," GOOD_DEST ",\"orig\":{\"tn\":\"1202\\u00005550100\"}"), 400,
         "invalid_json", "$"},
        /* dest */
        {SR("\"attest\":\"A\"," GOOD_ORIG), 400, "missing_member", "signingRequest.dest"},
        {SR("\"attest\":\"A\"," GOOD_ORIG ",\"dest\":{\"tn\":\"12025550199\"}"), 400,
         "wrong_type", "signingRequest.dest.tn"},
        {SR("\"attest\":\"A\"," GOOD_ORIG ",\"dest\":{\"tn\":[]}"), 400, "invalid_value",
         "signingRequest.dest.tn"},
        {SR("\"attest\":\"A\"," GOOD_ORIG ",\"dest\":{\"tn\":[\"1\",\"2\",\"3\",\"4\",\"5\","
            "\"6\",\"7\",\"8\",\"9\",\"10\",\"11\",\"12\",\"13\",\"14\",\"15\",\"16\",\"17\"]}"),
         400, "invalid_value", "signingRequest.dest.tn"},
        {SR("\"attest\":\"A\"," GOOD_ORIG ",\"dest\":{\"tn\":[\"12025550199\",7]}"), 400,
         "wrong_type", "signingRequest.dest.tn[1]"},
        {SR("\"attest\":\"A\"," GOOD_ORIG ",\"dest\":{\"tn\":[\"12025550199\",\"x\"]}"), 400,
         "invalid_value", "signingRequest.dest.tn[1]"},
        /* iat */
        {SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST ",\"iat\":\"1767225600\""), 400,
         "wrong_type", "signingRequest.iat"},
        {SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST ",\"iat\":1767225600.5"), 400,
         "wrong_type", "signingRequest.iat"},
        {SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST ",\"iat\":1767225600.0"), 400,
         "wrong_type", "signingRequest.iat"},
        {SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST ",\"iat\":1.7e9"), 400, "wrong_type",
         "signingRequest.iat"},
        {SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST ",\"iat\":true"), 400, "wrong_type",
         "signingRequest.iat"},
        {SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST ",\"iat\":0"), 400, "invalid_value",
         "signingRequest.iat"},
        {SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST ",\"iat\":-5"), 400, "invalid_value",
         "signingRequest.iat"},
        {SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST ",\"iat\":999999999999999"), 400,
         "invalid_value", "signingRequest.iat"},
        {SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST ",\"iat\":99999999999999999999999"), 400,
         "invalid_json", "$"},
        /* origid */
        {SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST ",\"origid\":5"), 400, "wrong_type",
         "signingRequest.origid"},
        {SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST ",\"origid\":\"not-a-uuid\""), 400,
         "invalid_value", "signingRequest.origid"},
        {SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST
            ",\"origid\":\"123e4567-e89b-42d3-a456-42661417400g\""),
         400, "invalid_value", "signingRequest.origid"},
        {SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST
            ",\"origid\":\"123e4567-e89b-42d3-a456-4266141740000\""),
         400, "invalid_value", "signingRequest.origid"},
        /* rcd (RFC 9795): its shape here, its values the library's rules */
#define RCD_OK(inner) SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST ",\"rcd\":" inner)
        {RCD_OK("\"Q\""), 400, "wrong_type", "signingRequest.rcd"},
        {RCD_OK("{}"), 400, "missing_member", "signingRequest.rcd.nam"},
        {RCD_OK("{\"nam\":7}"), 400, "wrong_type", "signingRequest.rcd.nam"},
        {RCD_OK("{\"nam\":\"Q\",\"crn\":[]}"), 400, "wrong_type", "signingRequest.rcd.crn"},
        {RCD_OK("{\"nam\":\"Q\",\"apn\":\"12x\"}"), 400, "invalid_value",
         "signingRequest.rcd.apn"},
        {RCD_OK("{\"nam\":\"Q\",\"jcd\":{\"fn\":\"Q\"}}"), 400, "wrong_type",
         "signingRequest.rcd.jcd"},
        {RCD_OK("{\"nam\":\"\"}"), 400, "invalid_value", "signingRequest.rcd"},
        {RCD_OK("{\"nam\":\"Q\\r\\nX-Evil: 1\"}"), 400, "invalid_value",
         "signingRequest.rcd"},
        {RCD_OK("{\"nam\":\"Q\",\"jcl\":\"ftp://x.example/j\"}"), 400, "invalid_value",
         "signingRequest.rcd"},
        {RCD_OK("{\"nam\":\"Q\",\"icn\":\"https://x.example/a b.png\"}"), 400,
         "invalid_value", "signingRequest.rcd"},
        {RCD_OK("{\"nam\":\"Q\",\"jcd\":[\"vcard\",[]],\"jcl\":\"https://x.example/j\"}"),
         400, "invalid_value", "signingRequest.rcd"},
        {RCD_OK("{\"nam\":\"Q\",\"jcd\":[1,2]}"), 400, "invalid_value", "signingRequest.rcd"},
#undef RCD_OK
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        expect_error(st, SERVE_EP_SIGNING, cases[i].body, cases[i].status, cases[i].code,
                     cases[i].path);
    /* A NUL byte inside the body (not an escape): not JSON. */
    serve_reply r;
    serve_api_handle(st, SERVE_EP_SIGNING, "{\"a\":\0}", 7, 0, &r);
    assert_int_equal(r.http_status, 400);
    assert_string_equal(jstr(json_object_get(r.body, "error"), "code"), "invalid_json");
    serve_reply_clear(&r);
    /* The neighbours that pass: separators and '+' canonicalized, 15 digits. */
    char *id = api_sign_identity(st, "+1.202.555.0100", "(202) 555-0199", 0);
    free(id);
    id = api_sign_identity(st, "120255501001234", "#31*", 0);
    free(id);
    serve_state_unref(st);
}

/* signingRequest.rcd signs Rich Call Data (RFC 9795) into the shaken
 * PASSporT; /stir/v1/verification gives the verified values back. */
static void sign_rcd(void **state)
{
    (void)state;
    serve_state *st = std_state();
    serve_reply r;
    call(st, SERVE_EP_SIGNING,
         SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST ",\"iat\":1767225600,"
            "\"rcd\":{\"nam\":\"Q Branch \u00e9\",\"crn\":\"For your ears only\","
            "\"apn\":\"+1 202 555 0123\","
            "\"jcd\":[\"vcard\",[[\"version\",{},\"text\",\"4.0\"],"
            "[\"fn\",{},\"text\",\"Q Branch\"]]],"
            "\"icn\":\"https://rcd.example/q.png\"}"),
         &r);
    assert_int_equal(r.http_status, 200);
    char *id = strdup(jstr(json_object_get(r.body, "signingResponse"), "identity"));
    serve_reply_clear(&r);
    json_t *v = api_verify_identity(st, ORIG, DEST, id, 1767225600, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    json_t *rcd = json_object_get(v, "rcd");
    assert_string_equal(jstr(rcd, "name"), "Q Branch \xc3\xa9");
    assert_string_equal(jstr(rcd, "reason"), "For your ears only");
    assert_string_equal(jstr(rcd, "apn"), "12025550123");
    assert_non_null(strstr(jstr(rcd, "jcard"), "\"fn\""));
    /* no digest could be given for the icon: not presented (docs/rcd.md) */
    assert_true(json_is_null(json_object_get(rcd, "icon_url")));
    serve_reply_clear(&r);
    free(id);
    serve_state_unref(st);
}

static void sign_not_configured(void **state)
{
    (void)state;
    serve_state_cfg c = base_cfg();
    c.sign_key = c.sign_cert = c.sign_x5u = NULL;
    serve_state *st = new_state(&c);
    expect_error(st, SERVE_EP_SIGNING, SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST), 503,
                 "signing_not_configured", NULL);
    serve_reply r;
    call(st, SERVE_EP_SIGNING, "{", &r); /* refused before the body is read */
    assert_int_equal(r.http_status, 503);
    assert_string_equal(r.reason, "CLID_ERR_UNSUPPORTED");
    serve_reply_clear(&r);
    serve_state_unref(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(sign_ok, reset_clock),
        cmocka_unit_test_setup(sign_bad_input, reset_clock),
        cmocka_unit_test_setup(sign_rcd, reset_clock),
        cmocka_unit_test_setup(sign_not_configured, reset_clock),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
