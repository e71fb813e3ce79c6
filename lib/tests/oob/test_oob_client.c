/*
 * The CPS client and the gateway flow (clid_oob.h; oob_client.c,
 * oob_gateway.c, fetch_http.c) against a scripted fake CPS on loopback
 * (cps_fake.c). What each test catches when the feature breaks is said
 * above it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <clid/clid.h>
#include <clid/clid_fetch.h>
#include <clid/clid_oob.h>
#include <clid/clid_sip.h>

#include "cps_fake.h"
#include "fetch/fetch_internal.h"
#include "support/clid_test.h" /* assert_err */
#include "support/testpki.h"

#define URL "https://cert.example.org/sp1234.pem"
#define ORIG "12025550100"
#define DEST "12025550199"
#define AUD "cps.test"

static tp_cert *root, *inter, *sp;
static char *chain;
static int64_t t0 = TP_T0;
static clid_ctx *ctx;
static clid_verifier *ver;
static clid_signer *signer;
static clid_fetcher *fetcher;
static fake_cps *cps;
static char passport[CLID_OOB_MAX_PASSPORT_LEN];       /* ORIG -> DEST, full form */
static char other_passport[CLID_OOB_MAX_PASSPORT_LEN]; /* ORIG -> another number */

static void sign_pp(const char *dest, char *out)
{
    const char *dests[1] = {dest};
    clid_claims c = {.orig = ORIG, .dest = dests, .dest_count = 1, .attest = 'A'};
    size_t n = 0;
    assert_err(clid_sign_passport(signer, &c, 0, out, CLID_OOB_MAX_PASSPORT_LEN, &n), CLID_OK);
}

static int group_setup(void **state)
{
    (void)state;
    root = tp_test_root();
    inter = tp_test_stica(root);
    sp = tp_issue(&(tp_spec){.cn = "SHAKEN 1234", .tnauth = "spc:1234"}, inter);
    chain = tp_cat(sp->pem, inter->pem, NULL);
    ctx = tp_ctx_new(root, &t0);
    tp_ctx_map(ctx, URL, chain);
    ver = tp_verifier_new(ctx);
    signer = tp_signer_new(sp, URL, &t0);
    sign_pp(DEST, passport);
    sign_pp("12025550111", other_passport);

    /* The CPS is on loopback over http: both allowed explicitly. */
    assert_err(clid_fetcher_new(&fetcher), CLID_OK);
    assert_err(clid_fetcher_allow_http(fetcher, 1), CLID_OK);
    assert_err(clid_fetcher_allow_private(fetcher, 1), CLID_OK);
    cps = fake_start();
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    fake_stop(cps);
    clid_fetcher_free(fetcher);
    clid_signer_free(signer);
    clid_verifier_free(ver);
    clid_ctx_free(ctx);
    tp_free(sp);
    tp_free(inter);
    tp_free(root);
    free(chain);
    return 0;
}

static clid_oob_client *client_on(unsigned port)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/oob", port);
    clid_oob_client *c = NULL;
    assert_err(clid_oob_client_new(fetcher, url, &c), CLID_OK);
    assert_err(clid_oob_client_set_aud(c, AUD), CLID_OK);
    assert_err(clid_oob_client_set_timeout_ms(c, 10000), CLID_OK);
    return c;
}

static clid_oob_client *client(void)
{
    return client_on(fake_port(cps));
}

static char *body_of(const char *const *pp, size_t n)
{
    char *b = malloc(CLID_OOB_MAX_BODY + 1);
    size_t len = 0;
    assert_non_null(b);
    assert_err(clid_oob_body_build(pp, n, b, CLID_OOB_MAX_BODY + 1, &len), CLID_OK);
    return b;
}

static uint64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static const char INVITE[] =
    "INVITE sip:+" DEST "@example.net SIP/2.0\r\n"
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK776asdhds\r\n"
    "Max-Forwards: 70\r\n"
    "To: <sip:+" DEST "@example.net;user=phone>\r\n"
    "From: <sip:+" ORIG "@example.com;user=phone>;tag=1928301774\r\n"
    "Call-ID: a84b4c76e66710@pc33.example.com\r\n"
    "CSeq: 314159 INVITE\r\n"
    "Contact: <sip:alice@192.0.2.1>\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

/* ------------------------------------------------------------------------ */
/* Publish                                                                   */
/* ------------------------------------------------------------------------ */

/* Catches: a wrong path, method, Content-Type or body, and a token the CPS
 * side (clid_oob_check_request) would refuse (claims, digest, binding). */
static void publish_sends_path_headers_body_and_token(void **state)
{
    (void)state;
    fake_answer a = {.status = 201, .body = "{}"};
    fake_script(cps, &a, 1);
    clid_oob_client *c = client();
    const char *pp[1] = {passport};
    clid_oob_publish_opts o = {.orig = "+1 202 555 0100", .dest = DEST, .passports = pp,
                               .passport_count = 1, .retention = 30};
    int status = 0;
    assert_err(clid_oob_publish(c, signer, &o, &status), CLID_OK);
    assert_int_equal(status, 201);
    assert_int_equal(fake_count(cps), 1);
    const fake_req *r = fake_get(cps, 0);
    assert_string_equal(r->method, "POST");
    assert_string_equal(r->url, "/oob/passports/" DEST "/" ORIG);
    assert_non_null(r->content_type);
    assert_string_equal(r->content_type, "application/json");
    char *want = body_of(pp, 1);
    assert_string_equal(r->body, want);
    free(want);
    assert_non_null(r->authorization);
    assert_memory_equal(r->authorization, "Bearer ", 7);

    clid_oob_grant *g = NULL;
    assert_err(clid_oob_grant_new(&g), CLID_OK);
    clid_oob_check_opts co = {.aud = AUD};
    clid_oob_request rq = {.action = CLID_OOB_PUBLISH, .dest = DEST, .orig = ORIG,
                           .authorization = r->authorization, .body = r->body,
                           .body_len = r->body_len, .now = t0};
    clid_err rc = clid_oob_check_request(ver, &co, &rq, g);
    if (rc != CLID_OK)
        fail_msg("check_request: %s (%s)", clid_err_name(rc), clid_oob_grant_detail(g));
    assert_int_equal(clid_oob_grant_action(g), CLID_OOB_PUBLISH);
    assert_string_equal(clid_oob_grant_orig(g), ORIG);
    assert_string_equal(clid_oob_grant_dest(g), DEST);
    assert_string_equal(clid_oob_grant_iss(g), "1234");
    assert_true(clid_oob_grant_exp(g) - clid_oob_grant_iat(g) == 30);
    /* Another audience refuses the same token. */
    co.aud = "other.cps";
    assert_err(clid_oob_check_request(ver, &co, &rq, g), CLID_ERR_OOB_TOKEN_AUDIENCE);
    clid_oob_grant_free(g);
    clid_oob_client_free(c);
}

/* Catches: the ATIS-1000105 restriction (spc) or the mesh's republish
 * action (ATIS-1000096) not reaching the token. */
static void publish_carries_spc_and_republish(void **state)
{
    (void)state;
    fake_script(cps, &(fake_answer){.status = 201, .body = "{}"}, 1);
    clid_oob_client *c = client();
    const char *pp[1] = {passport};
    clid_oob_publish_opts o = {.orig = ORIG, .dest = DEST, .passports = pp, .passport_count = 1,
                               .spc = "5678", .republish = 1};
    assert_err(clid_oob_publish(c, signer, &o, NULL), CLID_OK);
    const fake_req *r = fake_get(cps, 0);
    assert_non_null(r);
    clid_oob_grant *g = NULL;
    assert_err(clid_oob_grant_new(&g), CLID_OK);
    clid_oob_check_opts co = {.aud = AUD};
    clid_oob_request rq = {.action = CLID_OOB_PUBLISH, .dest = DEST, .orig = ORIG,
                           .authorization = r->authorization, .body = r->body,
                           .body_len = r->body_len, .now = t0};
    clid_err rc = clid_oob_check_request(ver, &co, &rq, g);
    if (rc != CLID_OK)
        fail_msg("check_request: %s (%s)", clid_err_name(rc), clid_oob_grant_detail(g));
    assert_int_equal(clid_oob_grant_action(g), CLID_OOB_REPUBLISH);
    assert_string_equal(clid_oob_grant_spc(g), "5678");
    /* Default retention: 60 s. */
    assert_true(clid_oob_grant_exp(g) - clid_oob_grant_iat(g) == 60);
    clid_oob_grant_free(g);
    /* Out of range: refused before anything is sent. */
    o.retention = 61;
    assert_err(clid_oob_publish(c, signer, &o, NULL), CLID_ERR_INVALID_ARGUMENT);
    o.retention = 0;
    o.passport_count = CLID_OOB_MAX_PASSPORTS + 1;
    assert_err(clid_oob_publish(c, signer, &o, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(fake_count(cps), 1);
    clid_oob_client_free(c);
}

/* Catches: a 5xx (or any status but 201) taken for success. */
static void publish_500_is_cps_status(void **state)
{
    (void)state;
    fake_answer a = {.status = 500, .body = "{\"error\":{}}"};
    fake_script(cps, &a, 1);
    clid_oob_client *c = client();
    const char *pp[1] = {passport};
    clid_oob_publish_opts o = {.orig = ORIG, .dest = DEST, .passports = pp, .passport_count = 1};
    int status = 0;
    assert_err(clid_oob_publish(c, signer, &o, &status), CLID_ERR_OOB_CPS_STATUS);
    assert_int_equal(status, 500);
    clid_oob_client_free(c);
}

/* Catches: a redirect followed (the CPS URL is configuration: a 3xx must
 * not move the request elsewhere). */
static void redirect_is_not_followed(void **state)
{
    (void)state;
    char loc[128];
    snprintf(loc, sizeof loc, "http://127.0.0.1:%u/elsewhere", fake_port(cps));
    fake_answer a[2] = {{.status = 302, .location = loc}, {.status = 201, .body = "{}"}};
    fake_script(cps, a, 2);
    clid_oob_client *c = client();
    const char *pp[1] = {passport};
    clid_oob_publish_opts o = {.orig = ORIG, .dest = DEST, .passports = pp, .passport_count = 1};
    int status = 0;
    assert_err(clid_oob_publish(c, signer, &o, &status), CLID_ERR_OOB_CPS_STATUS);
    assert_int_equal(status, 302);
    assert_int_equal(fake_count(cps), 1);
    clid_oob_client_free(c);
}

/* Catches: a port nobody listens on reported as anything but unreachable. */
static void closed_port_is_unreachable(void **state)
{
    (void)state;
    int s = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(s >= 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof sa), 0);
    socklen_t sl = sizeof sa;
    assert_int_equal(getsockname(s, (struct sockaddr *)&sa, &sl), 0);
    close(s); /* bound, never listening, closed: connections are refused */
    clid_oob_client *c = client_on(ntohs(sa.sin_port));
    clid_oob_passports *p = NULL;
    int status = -1;
    assert_err(clid_oob_retrieve(c, signer, ORIG, DEST, &p, &status),
               CLID_ERR_OOB_CPS_UNREACHABLE);
    assert_null(p);
    assert_int_equal(status, 0);
    clid_oob_client_free(c);
}

/* Catches: a private or loopback CPS accepted without allow_private, at
 * configuration (IP literal) and at connection (a name resolving there). */
static void url_policy_refuses_private_unless_allowed(void **state)
{
    (void)state;
    fake_answer a = {.status = 201, .body = "{}"};
    fake_script(cps, &a, 1);
    clid_fetcher *strict = NULL;
    assert_err(clid_fetcher_new(&strict), CLID_OK);
    assert_err(clid_fetcher_allow_http(strict, 1), CLID_OK);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/", fake_port(cps));
    clid_oob_client *c = NULL;
    assert_err(clid_oob_client_new(strict, url, &c), CLID_ERR_X5U_URL_POLICY);
    assert_null(c);
    snprintf(url, sizeof url, "http://localhost:%u/", fake_port(cps));
    assert_err(clid_oob_client_new(strict, url, &c), CLID_OK);
    const char *pp[1] = {passport};
    clid_oob_publish_opts o = {.orig = ORIG, .dest = DEST, .passports = pp, .passport_count = 1};
    assert_err(clid_oob_publish(c, signer, &o, NULL), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(fake_count(cps), 0);
    clid_oob_client_free(c);
    /* https only by default. */
    clid_fetcher *dflt = NULL;
    assert_err(clid_fetcher_new(&dflt), CLID_OK);
    assert_err(clid_oob_client_new(dflt, "http://cps.example.net/", &c), CLID_ERR_X5U_URL_POLICY);
    /* A base with a query would swallow the path. */
    assert_err(clid_fetcher_allow_query(dflt, 1), CLID_OK);
    assert_err(clid_oob_client_new(dflt, "https://cps.example.net/?x=1", &c),
               CLID_ERR_X5U_URL_POLICY);
    clid_fetcher_free(dflt);
    clid_fetcher_free(strict);
}

/* Catches: a slow CPS holding the caller past the client's timeout, and
 * the egress budget not bounding the publish. */
static void slow_cps_is_cut_at_the_timeout(void **state)
{
    (void)state;
    fake_script(cps, &(fake_answer){.status = 201, .body = "{}", .delay_ms = 1500}, 1);
    clid_oob_client *c = client();
    assert_err(clid_oob_client_set_timeout_ms(c, 200), CLID_OK);
    const char *pp[1] = {passport};
    clid_oob_publish_opts o = {.orig = ORIG, .dest = DEST, .passports = pp, .passport_count = 1};
    uint64_t start = mono_ms();
    assert_err(clid_oob_publish(c, signer, &o, NULL), CLID_ERR_OOB_CPS_UNREACHABLE);
    assert_true(mono_ms() - start < 1200);
    /* The client allows 10 s; the egress budget of 200 ms wins. */
    assert_err(clid_oob_client_set_timeout_ms(c, 10000), CLID_OK);
    char signed_req[CLID_SIP_MAX_LEN + 1];
    size_t n = 0;
    clid_sip_sign_opts so = {.attest = 'A'};
    assert_err(clid_sip_sign(signer, &so, INVITE, strlen(INVITE), signed_req, sizeof signed_req,
                             &n),
               CLID_OK);
    start = mono_ms();
    assert_err(clid_oob_egress(c, signer, signed_req, n, 200, NULL), CLID_ERR_OOB_CPS_UNREACHABLE);
    assert_true(mono_ms() - start < 1200);
    clid_oob_client_free(c);
}

/* Catches: request header fields that could smuggle another field (CR, LF)
 * or a method other than GET and POST reaching curl. */
static void http_request_refuses_bad_fields(void **state)
{
    (void)state;
    clid__fetch_cfg cfg;
    assert_err(clid__fetcher_cfg_copy(fetcher, &cfg), CLID_OK);
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/x", fake_port(cps));
    fake_script(cps, &(fake_answer){.status = 200, .body = "ok"}, 1);
    const char *bad[1] = {"X-A: 1\r\nX-B: 2"};
    clid__http_req rq = {.method = "GET", .url = url, .headers = bad, .n_headers = 1,
                         .total_ms = 5000, .max_body = 100};
    clid__http_resp resp;
    assert_err(clid__http_run(&cfg, &rq, &resp), CLID_ERR_INVALID_ARGUMENT);
    const char *nocolon[1] = {"X-A 1"};
    rq.headers = nocolon;
    assert_err(clid__http_run(&cfg, &rq, &resp), CLID_ERR_INVALID_ARGUMENT);
    rq.n_headers = 0;
    rq.method = "PUT";
    assert_err(clid__http_run(&cfg, &rq, &resp), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(fake_count(cps), 0);
    rq.method = "GET";
    assert_err(clid__http_run(&cfg, &rq, &resp), CLID_OK);
    assert_int_equal(resp.status, 200);
    assert_int_equal(resp.len, 2);
    assert_string_equal((const char *)resp.body, "ok");
    clid__http_resp_free(&resp);
    clid__fetch_cfg_release(&cfg);
}

/* ------------------------------------------------------------------------ */
/* Retrieve                                                                  */
/* ------------------------------------------------------------------------ */

/* Catches: a wrong method or path, a retrieve token the CPS refuses, and
 * the answer's PASSporTs not handed back as sent. */
static void retrieve_gets_passports(void **state)
{
    (void)state;
    const char *pp[1] = {passport};
    char *body = body_of(pp, 1);
    fake_answer a = {.status = 200, .body = body};
    fake_script(cps, &a, 1);
    clid_oob_client *c = client();
    clid_oob_passports *p = NULL;
    int status = 0;
    assert_err(clid_oob_retrieve(c, signer, ORIG, DEST, &p, &status), CLID_OK);
    assert_int_equal(status, 200);
    assert_int_equal(clid_oob_passports_count(p), 1);
    assert_string_equal(clid_oob_passports_get(p, 0), passport);
    const fake_req *r = fake_get(cps, 0);
    assert_string_equal(r->method, "GET");
    assert_string_equal(r->url, "/oob/passports/" DEST "/" ORIG);
    clid_oob_grant *g = NULL;
    assert_err(clid_oob_grant_new(&g), CLID_OK);
    clid_oob_check_opts co = {.aud = AUD};
    clid_oob_request rq = {.action = CLID_OOB_RETRIEVE, .dest = DEST, .orig = ORIG,
                           .authorization = r->authorization, .now = t0};
    clid_err rc = clid_oob_check_request(ver, &co, &rq, g);
    if (rc != CLID_OK)
        fail_msg("check_request: %s (%s)", clid_err_name(rc), clid_oob_grant_detail(g));
    assert_int_equal(clid_oob_grant_action(g), CLID_OOB_RETRIEVE);
    clid_oob_grant_free(g);

    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    size_t best = 99;
    assert_err(clid_oob_verify_passports(ver, p, ORIG, DEST, 0, res, &best), CLID_OK);
    assert_int_equal(best, 0);
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_PASSED);
    clid_result_free(res);
    clid_oob_passports_free(p);
    clid_oob_client_free(c);
    free(body);
}

/* Catches: a 404 reported as a CPS failure instead of "no record". */
static void retrieve_404_is_not_found(void **state)
{
    (void)state;
    fake_answer a = {.status = 404, .body = "{\"error\":{}}"};
    fake_script(cps, &a, 1);
    clid_oob_client *c = client();
    clid_oob_passports *p = NULL;
    int status = 0;
    assert_err(clid_oob_retrieve(c, signer, ORIG, DEST, &p, &status), CLID_ERR_OOB_NOT_FOUND);
    assert_int_equal(status, 404);
    assert_null(p);
    clid_oob_client_free(c);
}

/* Catches: an answer over CLID_OOB_MAX_BODY read whole (announced by
 * Content-Length, or chunked without one), and a non-JSON 200 accepted. */
static void oversized_answer_refused(void **state)
{
    (void)state;
    size_t n = CLID_OOB_MAX_BODY + 100;
    char *big = malloc(n + 1);
    assert_non_null(big);
    memset(big, 'a', n);
    big[n] = 0;
    clid_oob_client *c = client();
    clid_oob_passports *p = NULL;
    for (int chunked = 0; chunked <= 1; chunked++) {
        fake_answer a = {.status = 200, .body = big, .chunked = chunked};
        fake_script(cps, &a, 1);
        int status = 0;
        assert_err(clid_oob_retrieve(c, signer, ORIG, DEST, &p, &status),
                   CLID_ERR_OOB_BODY_PARSE);
        assert_int_equal(status, 200);
        assert_null(p);
    }
    fake_answer junk = {.status = 200, .body = "not json"};
    fake_script(cps, &junk, 1);
    assert_err(clid_oob_retrieve(c, signer, ORIG, DEST, &p, NULL), CLID_ERR_OOB_BODY_PARSE);
    clid_oob_client_free(c);
    free(big);
}

/* Catches: a number that is not a number reaching the URL. */
static void path_numbers_must_be_numbers(void **state)
{
    (void)state;
    fake_script(cps, &(fake_answer){.status = 404}, 1);
    clid_oob_client *c = client();
    clid_oob_passports *p = NULL;
    assert_err(clid_oob_retrieve(c, signer, "alice", DEST, &p, NULL), CLID_ERR_BAD_TN);
    assert_err(clid_oob_retrieve(c, signer, ORIG, "1#2", &p, NULL), CLID_ERR_BAD_TN);
    assert_int_equal(fake_count(cps), 0);
    clid_oob_client_free(c);
}

/* Catches: the best verdict not being "first pass, else first failure". */
static void verify_passports_keeps_best(void **state)
{
    (void)state;
    const char *two[2] = {other_passport, passport};
    char *body = body_of(two, 2);
    clid_oob_passports *p = NULL;
    assert_err(clid_oob_passports_parse(body, strlen(body), &p), CLID_OK);
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    size_t best = 99;
    assert_err(clid_oob_verify_passports(ver, p, ORIG, DEST, 0, res, &best), CLID_OK);
    assert_int_equal(best, 1);
    clid_oob_passports_free(p);
    free(body);
    /* Both for other numbers: the first failure. */
    const char *bad[2] = {other_passport, passport};
    body = body_of(bad, 2);
    assert_err(clid_oob_passports_parse(body, strlen(body), &p), CLID_OK);
    clid_err rc = clid_oob_verify_passports(ver, p, ORIG, "12025550122", 0, res, &best);
    assert_err(rc, CLID_ERR_DEST_MISMATCH);
    assert_int_equal(best, 0);
    assert_err(clid_result_reason(res), rc);
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_FAILED);
    clid_oob_passports_free(p);
    free(body);
    clid_result_free(res);
}

/* ------------------------------------------------------------------------ */
/* Gateway                                                                   */
/* ------------------------------------------------------------------------ */

/* Catches: a request without Identity causing a publish. */
static void egress_without_identity_sends_nothing(void **state)
{
    (void)state;
    fake_script(cps, &(fake_answer){.status = 201, .body = "{}"}, 1);
    clid_oob_client *c = client();
    size_t published = 99;
    assert_err(clid_oob_egress(c, signer, INVITE, strlen(INVITE), 1000, &published),
               CLID_ERR_NO_IDENTITY);
    assert_int_equal(published, 0);
    assert_int_equal(fake_count(cps), 0);
    /* A compact PASSporT only: its claims would not cross the TDM segment. */
    const char *dests[1] = {DEST};
    clid_claims cl = {.orig = ORIG, .dest = dests, .dest_count = 1, .attest = 'A'};
    char compact[CLID_OOB_MAX_PASSPORT_LEN];
    size_t n = 0;
    assert_err(clid_sign_passport(signer, &cl, 1, compact, sizeof compact, &n), CLID_OK);
    char req[CLID_OOB_MAX_PASSPORT_LEN + 1024];
    size_t head = strlen(INVITE) - 2; /* before the empty line */
    snprintf(req, sizeof req, "%.*sIdentity: %s;info=<" URL ">;alg=ES256;ppt=shaken\r\n\r\n",
             (int)head, INVITE, compact);
    assert_err(clid_oob_egress(c, signer, req, strlen(req), 1000, &published),
               CLID_ERR_NO_IDENTITY);
    assert_int_equal(fake_count(cps), 0);
    clid_oob_client_free(c);
}

/* Catches: the request's PASSporT not published under its numbers. */
static void egress_publishes_identity(void **state)
{
    (void)state;
    fake_script(cps, &(fake_answer){.status = 201, .body = "{}"}, 1);
    clid_oob_client *c = client();
    char signed_req[CLID_SIP_MAX_LEN + 1];
    size_t n = 0;
    clid_sip_sign_opts so = {.attest = 'A'};
    assert_err(clid_sip_sign(signer, &so, INVITE, strlen(INVITE), signed_req, sizeof signed_req,
                             &n),
               CLID_OK);
    size_t published = 0;
    assert_err(clid_oob_egress(c, signer, signed_req, n, 1000, &published), CLID_OK);
    assert_int_equal(published, 1);
    assert_int_equal(fake_count(cps), 1);
    const fake_req *r = fake_get(cps, 0);
    assert_string_equal(r->url, "/oob/passports/" DEST "/" ORIG);
    /* The body holds the JWS of the Identity header, without parameters. */
    const char *id = strstr(signed_req, "Identity: ");
    assert_non_null(id);
    id += 10;
    size_t jws_len = strcspn(id, ";");
    assert_non_null(strstr(r->body, "[\""));
    assert_memory_equal(strstr(r->body, "[\"") + 2, id, jws_len);
    clid_oob_client_free(c);
}

/* Catches: no retry after 404 (publish and call setup race), or retries
 * that outlive the record's arrival; the result not written in band. */
static void ingress_retries_until_record_appears(void **state)
{
    (void)state;
    const char *pp[1] = {passport};
    char *body = body_of(pp, 1);
    fake_answer a[3] = {{.status = 404}, {.status = 404}, {.status = 200, .body = body}};
    fake_script(cps, a, 3);
    clid_oob_client *c = client();
    clid_oob_ingress_opts o = {.budget_ms = 20000, .retry_ms = 20};
    char *out = malloc(CLID_SIP_MAX_LEN + 1);
    size_t out_len = 0;
    clid_result *res = NULL;
    assert_err(clid_result_new(&res), CLID_OK);
    assert_err(clid_oob_ingress(c, signer, ver, &o, INVITE, strlen(INVITE), res, out,
                                CLID_SIP_MAX_LEN + 1, &out_len),
               CLID_OK);
    assert_int_equal(fake_count(cps), 3);
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_PASSED);
    assert_non_null(strstr(out, "verstat=TN-Validation-Passed"));
    assert_non_null(strstr(out, "\r\nIdentity: "));
    assert_non_null(strstr(out, passport));
    /* What came out verifies in band. */
    clid_sip_verify_opts vo = {.now = t0};
    assert_err(clid_sip_verify(ver, &vo, out, out_len, NULL), CLID_OK);
    clid_result_free(res);
    free(out);
    free(body);
    clid_oob_client_free(c);
}

/* Catches: retrying past the budget (a proxy holding the call), or giving
 * up long before it; the request not marked No-TN-Validation. */
static void ingress_gives_up_at_budget(void **state)
{
    (void)state;
    fake_script(cps, &(fake_answer){.status = 404}, 1);
    clid_oob_client *c = client();
    clid_oob_ingress_opts o = {.budget_ms = 600, .retry_ms = 50};
    char *out = malloc(CLID_SIP_MAX_LEN + 1);
    size_t out_len = 0;
    uint64_t start = mono_ms();
    assert_err(clid_oob_ingress(c, signer, ver, &o, INVITE, strlen(INVITE), NULL, out,
                                CLID_SIP_MAX_LEN + 1, &out_len),
               CLID_ERR_OOB_NOT_FOUND);
    uint64_t took = mono_ms() - start;
    assert_true(took >= 500);    /* it kept trying until close to the budget */
    assert_true(took < 600 + 5000); /* the last transfer is bounded by what was left */
    assert_true(fake_count(cps) >= 2);
    assert_non_null(strstr(out, "verstat=No-TN-Validation"));
    assert_null(strstr(out, "Identity:"));
    free(out);
    clid_oob_client_free(c);
}

/* Catches: a request signed in band sent to the CPS instead of refused. */
static void ingress_refuses_request_with_identity(void **state)
{
    (void)state;
    fake_script(cps, &(fake_answer){.status = 404}, 1);
    clid_oob_client *c = client();
    char signed_req[CLID_SIP_MAX_LEN + 1];
    size_t n = 0;
    clid_sip_sign_opts so = {.attest = 'A'};
    assert_err(clid_sip_sign(signer, &so, INVITE, strlen(INVITE), signed_req, sizeof signed_req,
                             &n),
               CLID_OK);
    char *out = malloc(CLID_SIP_MAX_LEN + 1);
    size_t out_len = 0;
    assert_err(clid_oob_ingress(c, signer, ver, NULL, signed_req, n, NULL, out,
                                CLID_SIP_MAX_LEN + 1, &out_len),
               CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(fake_count(cps), 0);
    free(out);
    clid_oob_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(publish_sends_path_headers_body_and_token),
        cmocka_unit_test(publish_carries_spc_and_republish),
        cmocka_unit_test(publish_500_is_cps_status),
        cmocka_unit_test(redirect_is_not_followed),
        cmocka_unit_test(closed_port_is_unreachable),
        cmocka_unit_test(url_policy_refuses_private_unless_allowed),
        cmocka_unit_test(slow_cps_is_cut_at_the_timeout),
        cmocka_unit_test(http_request_refuses_bad_fields),
        cmocka_unit_test(retrieve_gets_passports),
        cmocka_unit_test(retrieve_404_is_not_found),
        cmocka_unit_test(oversized_answer_refused),
        cmocka_unit_test(path_numbers_must_be_numbers),
        cmocka_unit_test(verify_passports_keeps_best),
        cmocka_unit_test(egress_without_identity_sends_nothing),
        cmocka_unit_test(egress_publishes_identity),
        cmocka_unit_test(ingress_retries_until_record_appears),
        cmocka_unit_test(ingress_gives_up_at_budget),
        cmocka_unit_test(ingress_refuses_request_with_identity),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
