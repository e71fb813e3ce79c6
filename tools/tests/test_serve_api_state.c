/*
 * clid serve, part A: the state snapshot (accessors, every configuration
 * error) and the dispatch of serve_api_handle (names, bad endpoint, body
 * bounds)
 * (tools/serve/api.h, state.h; docs/serve-api.md), without HTTP; the PKI,
 * clock and helpers are serve_api_fixture.h's.
 */
#include "serve_api_fixture.h"

/* ------------------------------------------------------------------------ */
/* The state                                                                 */
/* ------------------------------------------------------------------------ */

static void state_accessors(void **state)
{
    (void)state;
    serve_state *s = std_state();
    assert_int_equal(serve_state_ready(s), 1);
    assert_int_equal(serve_state_can_sign(s), 1);
    size_t len = 0;
    const char *pem = serve_state_chain_pem(s, &len);
    assert_non_null(pem);
    assert_int_equal(len, strlen(g_spc->pem) + strlen(g_intc->pem));
    assert_memory_equal(pem, g_spc->pem, strlen(g_spc->pem));
    assert_string_equal(serve_state_x5u_path(s), "/certs/sp.pem");
    clid_verifier_stats vs;
    clid_fetcher_stats fs;
    serve_state_stats(s, &vs, &fs);
    assert_int_equal(vs.verifications, 0);
    assert_int_equal(fs.requests, 0);
    /* A reference keeps it alive after the creator's unref. */
    assert_ptr_equal(serve_state_ref(s), s);
    serve_state_unref(s);
    assert_int_equal(serve_state_ready(s), 1);
    serve_state_unref(s);
    serve_state_unref(NULL);
    assert_null(serve_state_ref(NULL));

    /* Without trust or signer: not ready, cannot sign, no chain. */
    serve_state_cfg c = {0};
    s = new_state(&c);
    assert_int_equal(serve_state_ready(s), 0);
    assert_int_equal(serve_state_can_sign(s), 0);
    assert_null(serve_state_chain_pem(s, &len));
    assert_int_equal(len, 0);
    assert_null(serve_state_x5u_path(s));
    serve_state_unref(s);
}

static void state_errors(void **state)
{
    (void)state;
    static const char *missing[] = {"/nonexistent/root.pem"};
    static const char *badmap[] = {"no-equals-sign"};
    static const char *badppt = "bad ppt!";
    char err[512];
    serve_state *s = (serve_state *)1;

    serve_state_cfg c = base_cfg();
    c.trust = missing;
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_null(s);
    assert_non_null(strstr(err, "verify.trust[0]"));

    c = base_cfg();
    c.crl_policy = "sometimes";
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "verify.crl_policy"));

    c = base_cfg();
    c.cert_profile = "strictest";
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "verify.cert_profile"));

    c = base_cfg();
    c.x5u_map = badmap;
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "verify.x5u_map[0]"));

    c = base_cfg();
    c.ppt_accept[0] = badppt;
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "verify.ppt_accept[0]"));

    c = base_cfg();
    c.sign_cert = NULL;
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "sign.cert"));

    c = base_cfg();
    c.sign_key = NULL;
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "sign.key"));

    c = base_cfg();
    c.sign_x5u = NULL;
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "sign.x5u"));

    /* The key must match the certificate: a signer whose Identity no
     * verifier could accept is refused at load time. */
    c = base_cfg();
    c.sign_key = g_other_key;
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "sign.cert"));

    c = base_cfg();
    c.sign_x5u = "https://bad url/";
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "sign.x5u"));

    /* A CRL file that is not a CRL; a CRL signer that is not a
     * certificate; an x5u CA file that does not exist. */
    static const char *notcrl[1], *notcert[1];
    notcrl[0] = g_key;
    notcert[0] = g_key;
    c = base_cfg();
    c.crl = notcrl;
    c.ncrl = 1;
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "verify.crl[0]"));
    c = base_cfg();
    c.crl_signer = notcert;
    c.ncrl_signer = 1;
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "verify.crl_signer[0]"));
    c = base_cfg();
    c.x5u_fetch = 1;
    c.x5u_ca = "/nonexistent/ca.pem";
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "verify.x5u_ca"));
    c = base_cfg();
    c.x5u_fetch = 1;
    c.fetch_timeout_ms = 700000; /* over the fetcher's 600000 ms */
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "verify.fetch_timeout_ms"));
    static const char *badprefix[1] = {"has space"};
    c = base_cfg();
    c.crl_fetch = 1;
    c.crl_url_allow = badprefix;
    c.ncrl_url_allow = 1;
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), -1);
    assert_non_null(strstr(err, "verify.crl_url_allow[0]"));

    /* Everything a fetcher takes, and trust from a directory (g_dir: its
     * .pem files are certificates, the .key files are skipped). */
    static const char *dir[1], *prefix[2] = {"https://crl.example/", "http://127.0.0.1/"};
    dir[0] = g_dir;
    c = base_cfg();
    c.trust = dir;
    c.x5u_fetch = 1;
    c.allow_http = 1;
    c.allow_private = 1;
    c.cache_dir = g_cache;
    c.cache_entries = 8;
    c.fetch_timeout_ms = 500;
    c.crl_fetch = 1;
    c.crl_url_allow = prefix;
    c.ncrl_url_allow = 2;
    c.crl_policy = "ignore";
    assert_int_equal(serve_state_new(&c, test_clock, NULL, &s, err, sizeof err), 0);
    assert_int_equal(serve_state_ready(s), 1);
    clid_fetcher_stats fs = {.requests = 99};
    serve_state_stats(s, NULL, &fs);
    assert_int_equal(fs.requests, 0);
    serve_state_unref(s);

    c = base_cfg();
    c.crl_policy = "required";
    c.cert_profile = "shaken";
    c.max_age = 300;
    c.strict = 1;
    c.ppt_accept[0] = "shaken";
    c.ppt_accept[1] = "div";
    assert_int_equal(serve_state_new(&c, NULL, NULL, &s, err, sizeof err), 0);
    serve_state_unref(s);
}


static void reply_and_names(void **state)
{
    (void)state;
    serve_reply r = {0};
    serve_reply_clear(&r);
    serve_reply_clear(NULL);
    assert_string_equal(serve_ep_name(SERVE_EP_SIGNING), "signing");
    assert_string_equal(serve_ep_name(SERVE_EP_VERIFICATION), "verification");
    assert_string_equal(serve_ep_name(SERVE_EP_SIP), "sip");
    assert_string_equal(serve_ep_name(SERVE_EP_NCOUNT), "unknown");
    serve_api_handle(NULL, SERVE_EP_VERIFICATION, "{}", 2, 0, &r);
    assert_int_equal(r.http_status, 500);
    assert_non_null(json_object_get(r.body, "error"));
    serve_reply_clear(&r);
    serve_state *st = std_state();
    serve_api_handle(st, SERVE_EP_NCOUNT, "{}", 2, 0, &r);
    assert_int_equal(r.http_status, 500);
    serve_reply_clear(&r);
    /* The body is body[0..len): not NUL-terminated, bytes after it unread. */
    static const char b[] = SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST) "}garbage";
    serve_api_handle(st, SERVE_EP_SIGNING, b, sizeof b - 1 - strlen("}garbage"), 0, &r);
    assert_int_equal(r.http_status, 200);
    serve_reply_clear(&r);
    serve_api_handle(st, SERVE_EP_SIGNING, b, sizeof b - 1, 0, &r);
    assert_int_equal(r.http_status, 400);
    serve_reply_clear(&r);
    /* NULL body with length 0: an empty body. */
    serve_api_handle(st, SERVE_EP_VERIFICATION, NULL, 0, 0, &r);
    assert_int_equal(r.http_status, 400);
    assert_string_equal(jstr(json_object_get(r.body, "error"), "code"), "invalid_json");
    serve_reply_clear(&r);
    serve_state_unref(st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(state_accessors, reset_clock),
        cmocka_unit_test_setup(state_errors, reset_clock),
        cmocka_unit_test_setup(reply_and_names, reset_clock),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
