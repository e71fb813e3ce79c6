/*
 * clid serve: POST /stir/v1/sip/div (tools/serve/api_div.c; docs/serve-api.md),
 * the retargeting proxy's div signing (RFC 8946 §4), without HTTP; the PKI,
 * clock and helpers are serve_api_fixture.h's.
 */
#include "serve_api_fixture.h"

#include <clid/clid_sip.h>

/* The retargeted target (the Request-URI after call forwarding). */
#define NEW_DEST "12025550111"

/* A request for DEST retargeted to NEW_DEST: To keeps the original target
 * (RFC 3261 §16.6: a proxy does not change it), `hist` records the
 * retargeting, `identity` is the original PASSporT (NULL: none). */
static char *retargeted(const char *hist, const char *identity)
{
    char *m = malloc(16384);
    int n = snprintf(m, 16384,
                     "INVITE sip:+" NEW_DEST "@example.net SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK776\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:+" ORIG "@example.com>;tag=1928\r\n"
                     "To: <sip:+" DEST "@example.net>\r\n"
                     "Call-ID: a84b4c76e66710\r\n"
                     "CSeq: 314159 INVITE\r\n%s",
                     hist ? hist : "");
    if (identity)
        n += snprintf(m + n, 16384 - (size_t)n, "Identity: %s\r\n", identity);
    snprintf(m + n, 16384 - (size_t)n, "Content-Length: 0\r\n\r\n");
    return m;
}

#define HI_OK                                                                                  \
    "History-Info: <sip:+" DEST "@example.net>;index=1,<sip:+" NEW_DEST                          \
    "@example.net>;index=1.1;rc=1\r\n"

/* Expects a refusal with `status`, error code and clid reason. */
static void expect_refused(serve_state *st, const char *msg, int status, const char *code,
                           const char *reason)
{
    serve_reply r;
    call(st, SERVE_EP_SIP_DIV, msg, &r);
    json_t *e = json_object_get(r.body, "error");
    if (r.http_status != status || !e || strcmp(jstr(e, "code"), code) != 0 ||
        strcmp(r.reason, reason) != 0 || strcmp(jstr(e, "reason"), reason) != 0) {
        char *d = json_dumps(r.body, 0);
        print_error("-> %d %s %s (want %d %s %s)\n", r.http_status, r.reason, d, status, code,
                    reason);
        free(d);
        fail();
    }
    serve_reply_clear(&r);
}

static void sip_div(void **state)
{
    (void)state;
    /* the terminating side accepts div PASSporTs (verify.ppt_accept) */
    serve_state_cfg dc = base_cfg();
    dc.ppt_accept[0] = "shaken";
    dc.ppt_accept[1] = "div";
    serve_state *st = new_state(&dc);
    char *id = api_sign_identity(st, ORIG, DEST, TP_T0);

    /* History-Info names the diverting number (index 1) and the new target
     * (index 1.1, rc=1): the div PASSporT vouches for DEST -> NEW_DEST. */
    char *m = retargeted(HI_OK, id);
    serve_reply r;
    call(st, SERVE_EP_SIP_DIV, m, &r);
    if (r.http_status != 200) {
        char *d = json_dumps(r.body, 0);
        print_error("div: %d %s\n", r.http_status, d);
        free(d);
        fail();
    }
    assert_string_equal(r.reason, "CLID_OK");
    assert_null(r.verstat);
    json_t *v = json_object_get(r.body, "sipDivResponse");
    assert_string_equal(jstr(v, "div"), DEST);
    assert_string_equal(jstr(v, "dest"), NEW_DEST);
    const char *div_id = jstr(v, "identity");
    assert_non_null(div_id);
    assert_non_null(strstr(div_id, ";ppt=div"));
    assert_null(strchr(div_id, '\r'));
    assert_null(strchr(div_id, '\n'));
    /* the value is the one clid_sip_sign_div put in the request: a request
     * carrying it is one a further div must extend, and the chain now ends
     * at NEW_DEST, so the same diversion again does not */
    char *twice = malloc(strlen(m) + strlen(div_id) + 64);
    char *blank = strstr(m, "Content-Length:");
    sprintf(twice, "%.*sIdentity: %s\r\n%s", (int)(blank - m), m, div_id, blank);
    expect_refused(st, twice, 422, "signing_refused", "CLID_ERR_DIV_CHAIN_LINK");
    /* and the terminating side verifies the chain with /stir/v1/sip: one
     * link, DEST -> NEW_DEST, none broken */
    serve_reply vr;
    call(st, SERVE_EP_SIP, twice, &vr);
    assert_int_equal(vr.http_status, 200);
    json_t *sv = json_object_get(vr.body, "sipVerificationResponse");
    if (strcmp(jstr(sv, "verstat"), "TN-Validation-Passed") != 0) {
        char *d = json_dumps(sv, 0);
        print_error("%s\n", d);
        free(d);
    }
    expect_verdict(sv, "TN-Validation-Passed", "CLID_OK", 0);
    json_t *dv = json_object_get(sv, "div_chain");
    assert_true(json_is_null(json_object_get(dv, "failed_link")));
    assert_true(json_is_null(json_object_get(dv, "opt")));
    json_t *links = json_object_get(dv, "links");
    assert_int_equal(json_array_size(links), 1);
    assert_string_equal(jstr(json_array_get(links, 0), "from"), DEST);
    assert_string_equal(jstr(json_array_get(links, 0), "to"), NEW_DEST);
    serve_reply_clear(&vr);
    free(twice);
    serve_reply_clear(&r);
    free(m);

    /* Diversion (RFC 5806) when there is no History-Info */
    m = retargeted("Diversion: <sip:+" DEST "@example.net>;reason=unconditional\r\n", id);
    call(st, SERVE_EP_SIP_DIV, m, &r);
    assert_int_equal(r.http_status, 200);
    assert_string_equal(jstr(json_object_get(r.body, "sipDivResponse"), "div"), DEST);
    serve_reply_clear(&r);
    free(m);

    /* no record of the retargeting: nothing to vouch for */
    m = retargeted(NULL, id);
    expect_refused(st, m, 422, "signing_refused", "CLID_ERR_SIP_NO_DIVERSION");
    free(m);
    /* History-Info naming another original target: the div would not chain
     * to the original PASSporT (RFC 8946 §4) */
    m = retargeted("History-Info: <sip:+12025550188@example.net>;index=1,<sip:+" NEW_DEST
                   "@example.net>;index=1.1;rc=1\r\n",
                   id);
    expect_refused(st, m, 422, "signing_refused", "CLID_ERR_DIV_CHAIN_LINK");
    free(m);
    /* bogus indices */
    m = retargeted("History-Info: <sip:+" DEST "@example.net>;index=1,<sip:+" NEW_DEST
                   "@example.net>;index=1.1;rc=7\r\n",
                   id);
    expect_refused(st, m, 422, "signing_refused", "CLID_ERR_SIP_HISTORY_INFO");
    free(m);
    /* an original that does not verify is not vouched for: its reason */
    char *forged = strdup(id);
    char *sig = strchr(strchr(forged, '.') + 1, '.') + 5;
    *sig = *sig == 'A' ? 'B' : 'A';
    m = retargeted(HI_OK, forged);
    expect_refused(st, m, 422, "signing_refused", "CLID_ERR_SIGNATURE_INVALID");
    free(m);
    free(forged);
    /* not a request */
    expect_refused(st, "", 400, "invalid_sip", "CLID_ERR_SIP_PARSE");
    expect_refused(st, "hello", 400, "invalid_sip", "CLID_ERR_SIP_PARSE");
    free(id);
    serve_state_unref(st);

    /* no signer configured */
    serve_state_cfg c = base_cfg();
    c.sign_key = c.sign_cert = c.sign_x5u = NULL;
    st = new_state(&c);
    m = retargeted(HI_OK, NULL);
    expect_refused(st, m, 503, "signing_not_configured", "CLID_ERR_UNSUPPORTED");
    free(m);
    serve_state_unref(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(sip_div, reset_clock),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
