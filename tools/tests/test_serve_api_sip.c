/*
 * clid serve, part A: the whole-SIP-request endpoint
 * (tools/serve/api.h, state.h; docs/serve-api.md), without HTTP; the PKI,
 * clock and helpers are serve_api_fixture.h's.
 */
#include "serve_api_fixture.h"

#include <clid/clid_sip.h>

/* ------------------------------------------------------------------------ */
/* Whole SIP requests                                                        */
/* ------------------------------------------------------------------------ */

static char *sip_request(const char *pai_or_null, const char *identity)
{
    char *m = malloc(16384);
    int n = snprintf(m, 16384,
                     "INVITE sip:+12025550199@example.net SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK776\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:+12025550100@example.com>;tag=1928\r\n"
                     "To: <sip:+12025550199@example.net>\r\n"
                     "%s%s%s"
                     "Call-ID: a84b4c76e66710\r\n"
                     "CSeq: 314159 INVITE\r\n",
                     pai_or_null ? "P-Asserted-Identity: " : "", pai_or_null ? pai_or_null : "",
                     pai_or_null ? "\r\n" : "");
    if (identity)
        n += snprintf(m + n, 16384 - (size_t)n, "Identity: %s\r\n", identity);
    snprintf(m + n, 16384 - (size_t)n, "Content-Length: 0\r\n\r\n");
    return m;
}

static json_t *sip_call(serve_state *st, const char *msg, serve_reply *r)
{
    call(st, SERVE_EP_SIP, msg, r);
    if (r->http_status != 200) {
        char *d = json_dumps(r->body, 0);
        print_error("sip: %d %s\n%s\n", r->http_status, d, msg);
        free(d);
        fail();
    }
    json_t *v = json_object_get(r->body, "sipVerificationResponse");
    assert_non_null(v);
    assert_string_equal(r->verstat, jstr(v, "verstat"));
    return v;
}

static void sip_verify(void **state)
{
    (void)state;
    serve_state *st = std_state();
    char *id = api_sign_identity(st, ORIG, DEST, TP_T0);

    /* Signed by the API, verified whole: passes; P-Asserted-Identity names
     * the caller and is the field marked. */
    char *m = sip_request("<sip:+12025550100@example.com;user=phone>", id);
    serve_reply r;
    json_t *v = sip_call(st, m, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    json_t *c = json_object_get(v, "caller");
    assert_string_equal(jstr(c, "header"), "P-Asserted-Identity");
    assert_string_equal(jstr(c, "value"),
                        "<sip:+12025550100;verstat=TN-Validation-Passed@example.com;user=phone>");
    assert_string_equal(jstr(c, "old_value"), "<sip:+12025550100@example.com;user=phone>");
    assert_true(json_is_false(json_object_get(v, "strip_identity")));
    assert_true(json_is_null(json_object_get(v, "reject")));
    assert_true(json_is_null(json_object_get(v, "div_chain"))); /* not diverted */
    assert_true(json_is_null(json_object_get(v, "rcd")));       /* no Rich Call Data */
    assert_true(json_is_null(json_object_get(v, "call_info"))); /* nothing to present */
    serve_reply_clear(&r);
    free(m);

    /* Without P-Asserted-Identity, From is marked (header parameters kept). */
    m = sip_request(NULL, id);
    v = sip_call(st, m, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    c = json_object_get(v, "caller");
    assert_string_equal(jstr(c, "header"), "From");
    assert_string_equal(jstr(c, "value"),
                        "<sip:+12025550100;verstat=TN-Validation-Passed@example.com>;tag=1928");
    serve_reply_clear(&r);
    free(m);

    /* Another caller asserted: the PASSporT does not bind: reject 438,
     * strip, and the asserted caller marked Failed. */
    m = sip_request("<tel:+12025550111>", id);
    v = sip_call(st, m, &r);
    expect_verdict(v, "TN-Validation-Failed", "CLID_ERR_ORIG_MISMATCH", 438);
    c = json_object_get(v, "caller");
    assert_string_equal(jstr(c, "value"), "<tel:+12025550111;verstat=TN-Validation-Failed>");
    assert_true(json_is_true(json_object_get(v, "strip_identity")));
    json_t *rj = json_object_get(v, "reject");
    assert_int_equal(json_integer_value(json_object_get(rj, "code")), 438);
    assert_string_equal(jstr(rj, "reason"), "Invalid Identity Header");
    serve_reply_clear(&r);
    free(m);

    /* A spoofed verstat already present with the verdict's value: the
     * field is still found and reported (nothing changes in it). */
    m = sip_request("<tel:+12025550100;verstat=TN-Validation-Passed>", id);
    v = sip_call(st, m, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    c = json_object_get(v, "caller");
    assert_string_equal(jstr(c, "header"), "P-Asserted-Identity");
    assert_string_equal(jstr(c, "value"), "<tel:+12025550100;verstat=TN-Validation-Passed>");
    assert_string_equal(jstr(c, "old_value"), jstr(c, "value"));
    serve_reply_clear(&r);
    free(m);

    /* Stale by the injected clock: 403. */
    atomic_store(&g_now, TP_T0 + 120);
    m = sip_request(NULL, id);
    v = sip_call(st, m, &r);
    expect_verdict(v, "TN-Validation-Failed", "CLID_ERR_IAT_STALE", 403);
    assert_int_equal(json_integer_value(json_object_get(json_object_get(v, "reject"), "code")),
                     403);
    serve_reply_clear(&r);
    free(m);
    atomic_store(&g_now, TP_T0);

    /* No Identity: No-TN-Validation, nothing rejected or stripped. */
    m = sip_request(NULL, NULL);
    v = sip_call(st, m, &r);
    assert_string_equal(jstr(v, "verstat"), "No-TN-Validation");
    assert_string_equal(jstr(v, "reason"), "CLID_ERR_NO_IDENTITY");
    assert_true(json_is_null(json_object_get(v, "reject")));
    assert_true(json_is_false(json_object_get(v, "strip_identity")));
    assert_string_equal(jstr(json_object_get(v, "caller"), "value"),
                        "<sip:+12025550100;verstat=No-TN-Validation@example.com>;tag=1928");
    serve_reply_clear(&r);
    free(m);

    /* An anonymous caller: nothing to mark. */
    m = sip_request(NULL, id);
    char *from = strstr(m, "<sip:+12025550100@example.com>");
    static const char anon[] = "<sip:anonymous@anonymous.invalid>";
    memmove(from + strlen(anon), from + strlen("<sip:+12025550100@example.com>"),
            strlen(from + strlen("<sip:+12025550100@example.com>")) + 1);
    memcpy(from, anon, strlen(anon));
    v = sip_call(st, m, &r);
    assert_string_equal(jstr(v, "verstat"), "TN-Validation-Failed");
    assert_true(json_is_null(json_object_get(v, "caller")));
    serve_reply_clear(&r);
    free(m);

    /* Compact From ("f:", RFC 3261 §7.3.3): the name as written. */
    m = sip_request(NULL, id);
    from = strstr(m, "From: ");
    memmove(from + 1, from + 4, strlen(from + 4) + 1);
    from[0] = 'f';
    v = sip_call(st, m, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    c = json_object_get(v, "caller");
    assert_string_equal(jstr(c, "header"), "f");
    assert_string_equal(jstr(c, "value"),
                        "<sip:+12025550100;verstat=TN-Validation-Passed@example.com>;tag=1928");
    serve_reply_clear(&r);
    free(m);

    /* A folded P-Asserted-Identity with two entries (RFC 3261 §7.3.1):
     * the value is unfolded, the whole field given, the TN entry marked. */
    m = sip_request("<sip:alice@example.com>,\r\n <tel:+12025550100>", id);
    v = sip_call(st, m, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    c = json_object_get(v, "caller");
    assert_string_equal(jstr(c, "header"), "P-Asserted-Identity");
    assert_string_equal(jstr(c, "value"),
                        "<sip:alice@example.com>, <tel:+12025550100;verstat=TN-Validation-Passed>");
    assert_string_equal(jstr(c, "old_value"), "<sip:alice@example.com>, <tel:+12025550100>");
    serve_reply_clear(&r);
    free(m);

    /* Not SIP: 400 invalid_sip; empty: 400. */
    expect_error(st, SERVE_EP_SIP, "hello", 400, "invalid_sip", NULL);
    expect_error(st, SERVE_EP_SIP, "", 400, "invalid_sip", NULL);
    expect_error(st, SERVE_EP_SIP, "SIP/2.0 200 OK\r\nCall-ID: x\r\n\r\n", 400, "invalid_sip",
                 NULL);
    char *huge = malloc(CLID_SIP_MAX_LEN + 2);
    memset(huge, 'a', CLID_SIP_MAX_LEN + 1);
    huge[CLID_SIP_MAX_LEN + 1] = '\0';
    expect_error(st, SERVE_EP_SIP, huge, 413, "too_large", NULL);
    free(huge);
    free(id);
    serve_state_unref(st);
}

/* A shaken PASSporT with Rich Call Data (RFC 9795), signed with the
 * fixture's key for the mapped x5u. */
static char *sign_rcd_identity(void)
{
    clid_signer *sg = NULL;
    assert_int_equal(clid_signer_new(&sg), CLID_OK);
    assert_int_equal(clid_signer_set_key_file(sg, g_key), CLID_OK);
    assert_int_equal(clid_signer_set_x5u(sg, X5U), CLID_OK);
    const char *dests[1] = {DEST};
    const clid_rcd rcd = {.nam = "Q Branch", .crn = "For your ears only"};
    clid_claims c = {.orig = ORIG, .dest = dests, .dest_count = 1, .attest = 'A',
                     .origid = "de305d54-75b4-431b-adb2-eb6b9e546014", .iat = TP_T0,
                     .rcd = &rcd};
    char buf[CLID_IDENTITY_MAX_LEN];
    size_t n = 0;
    assert_int_equal(clid_sign_identity(sg, &c, buf, sizeof buf, &n), CLID_OK);
    clid_signer_free(sg);
    return strdup(buf);
}

#define INFO_ENTRY "<http://www.example.com/alice/>;purpose=info"
/* Upstream Call-Info: an RCD claim nobody verified, beside a plain entry. */
#define SPOOFED "\r\nCall-Info: <https://evil.example/j.json>;purpose=jcard;verified, " INFO_ENTRY

/* Rich Call Data through /stir/v1/sip (docs/serve-api.md, docs/rcd.md): the
 * verified values in "rcd", and in "call_info" the Call-Info fields the
 * request is to carry: upstream RCD claims removed whatever the verdict,
 * the verified RCD added only for a pass. */
static void sip_rcd(void **state)
{
    (void)state;
    serve_state *st = std_state();
    char *id = sign_rcd_identity();
    serve_reply r;

    char *m = sip_request("<tel:+12025550100>" SPOOFED, id);
    json_t *v = sip_call(st, m, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    json_t *rcd = json_object_get(v, "rcd");
    assert_string_equal(jstr(rcd, "name"), "Q Branch");
    assert_string_equal(jstr(rcd, "reason"), "For your ears only");
    json_t *vals = json_object_get(json_object_get(v, "call_info"), "values");
    assert_int_equal(json_array_size(vals), 2);
    assert_string_equal(json_string_value(json_array_get(vals, 0)), INFO_ENTRY);
    const char *added = json_string_value(json_array_get(vals, 1));
    assert_non_null(added);
    assert_true(strncmp(added, "<data:application/json;base64,", 30) == 0);
    assert_non_null(strstr(added, ">;purpose=jcard;verified"));
    assert_non_null(strstr(added, ";call-reason=\"For your ears only\""));
    assert_null(strstr(added, "evil.example"));
    serve_reply_clear(&r);
    free(m);

    /* Another caller asserted: failed; the PASSporT's RCD is reported as
     * carried but none of its values (clid_result_rcd_*: a pass only), and
     * the spoofed claim is still removed (the plain entry kept). */
    m = sip_request("<tel:+12025550111>" SPOOFED, id);
    v = sip_call(st, m, &r);
    expect_verdict(v, "TN-Validation-Failed", "CLID_ERR_ORIG_MISMATCH", 438);
    rcd = json_object_get(v, "rcd");
    assert_true(json_is_true(json_object_get(json_object_get(rcd, "flags"), "present")));
    assert_true(json_is_null(json_object_get(rcd, "name")));
    assert_true(json_is_null(json_object_get(rcd, "reason")));
    vals = json_object_get(json_object_get(v, "call_info"), "values");
    assert_int_equal(json_array_size(vals), 1);
    assert_string_equal(json_string_value(json_array_get(vals, 0)), INFO_ENTRY);
    serve_reply_clear(&r);
    free(m);

    /* Only a spoofed claim upstream and no Identity: every Call-Info goes. */
    m = sip_request("<tel:+12025550100>\r\nCall-Info: <https://evil.example/i.png>;purpose=icon",
                    NULL);
    v = sip_call(st, m, &r);
    assert_string_equal(jstr(v, "verstat"), "No-TN-Validation");
    vals = json_object_get(json_object_get(v, "call_info"), "values");
    assert_non_null(vals);
    assert_int_equal(json_array_size(vals), 0);
    serve_reply_clear(&r);
    free(m);

    /* /stir/v1/verification reports the same verified values. */
    v = api_verify_identity(st, ORIG, DEST, id, TP_T0, &r);
    expect_verdict(v, "TN-Validation-Passed", "CLID_OK", 0);
    rcd = json_object_get(v, "rcd");
    assert_string_equal(jstr(rcd, "name"), "Q Branch");
    assert_true(json_is_true(json_object_get(json_object_get(rcd, "flags"), "present")));
    serve_reply_clear(&r);
    free(id);
    serve_state_unref(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(sip_verify, reset_clock),
        cmocka_unit_test_setup(sip_rcd, reset_clock),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
