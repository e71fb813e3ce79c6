/*
 * clid serve, part A: the API handlers and the state snapshot, without HTTP
 * (tools/serve/api.h, state.h; docs/serve-api.md). The PKI is made in memory
 * (lib/tests/support/testpki) and written to a temporary directory, since
 * serve_state_new reads files as the configuration names them. Time is the
 * injected clock (g_now), never the machine's.
 *
 * threads_share_and_swap is meant for ThreadSanitizer too (the library
 * starts no threads; only this test does). A TSan build of just this test:
 *   cmake -S . -B build/tsan -DCMAKE_C_COMPILER=clang \
 *     -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS=-fsanitize=thread \
 *     -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread \
 *     -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread
 *   cmake --build build/tsan -j2 --target test_serve_api
 *   TSAN_OPTIONS=halt_on_error=1 build/tsan/tools/tests/test_serve_api
 * (it reports a data race when serve_state's counter is made non-atomic).
 */
#include "clid_test.h"
#include "testpki.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <unistd.h>

#include <openssl/pem.h>

#include <clid/clid_sip.h>

#include "serve/api.h"
#include "serve/state.h"

#define X5U "https://cert.example.org/certs/sp.pem"
#define ORIG "12025550100"
#define DEST "12025550199"

static _Atomic int64_t g_now = TP_T0;
static int64_t test_clock(void *arg)
{
    (void)arg;
    return atomic_load(&g_now);
}

static char g_dir[64];
static char g_root[128], g_chain[128], g_key[128], g_other_key[128], g_other_chain[128];
static char g_map[256];
static tp_cert *g_rootc, *g_intc, *g_spc, *g_oroot, *g_osp, *g_lint, *g_lsp;
/* A chain with a profile deviation the lenient policy accepts: an
 * intermediate without AKI (docs/verification.md: warning CERT_NO_AKI). */
#define X5U_LENIENT "https://cert.example.org/certs/lenient.pem"
static char g_lchain[128], g_lkey[128], g_lmap[256], g_cache[128];

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    fclose(f);
}

static void write_key(const char *path, EVP_PKEY *k)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
    fclose(f);
}

static int group_setup(void **state)
{
    (void)state;
    /* jansson's hash seed is made once, before any thread parses. */
    json_object_seed(0);
    strcpy(g_dir, "/tmp/clid-serve-api-XXXXXX");
    assert_non_null(mkdtemp(g_dir));
    g_rootc = tp_issue(&(tp_spec){.cn = "Serve Root", .ca = 1}, NULL);
    g_intc = tp_issue(&(tp_spec){.cn = "Serve STI-CA", .ca = 1}, g_rootc);
    g_spc = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, g_intc);
    /* The forger: a well-formed chain of its own for the same SPC, under a
     * root the verifier does not trust; it signs with its own key but names
     * the genuine x5u URL. */
    g_oroot = tp_issue(&(tp_spec){.cn = "Forger Root", .ca = 1}, NULL);
    g_osp = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, g_oroot);
    snprintf(g_root, sizeof g_root, "%s/root.pem", g_dir);
    snprintf(g_chain, sizeof g_chain, "%s/chain.pem", g_dir);
    snprintf(g_key, sizeof g_key, "%s/sp.key", g_dir);
    snprintf(g_other_key, sizeof g_other_key, "%s/forger.key", g_dir);
    snprintf(g_other_chain, sizeof g_other_chain, "%s/forger.pem", g_dir);
    snprintf(g_map, sizeof g_map, "%s=%s", X5U, g_chain);
    g_lint = tp_issue(&(tp_spec){.cn = "Serve STI-CA no AKI", .ca = 1, .aki = ""}, g_rootc);
    g_lsp = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, g_lint);
    snprintf(g_lchain, sizeof g_lchain, "%s/lenient.pem", g_dir);
    snprintf(g_lkey, sizeof g_lkey, "%s/lenient.key", g_dir);
    snprintf(g_lmap, sizeof g_lmap, "%s=%s", X5U_LENIENT, g_lchain);
    snprintf(g_cache, sizeof g_cache, "%s/cache", g_dir);
    char *lchain = tp_cat(g_lsp->pem, g_lint->pem, NULL);
    write_file(g_lchain, lchain);
    free(lchain);
    write_key(g_lkey, g_lsp->key);
    write_file(g_root, g_rootc->pem);
    char *chain = tp_cat(g_spc->pem, g_intc->pem, NULL);
    write_file(g_chain, chain);
    free(chain);
    write_file(g_other_chain, g_osp->pem);
    write_key(g_key, g_spc->key);
    write_key(g_other_key, g_osp->key);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    const char *files[] = {g_root, g_chain, g_key, g_other_key, g_other_chain, g_lchain, g_lkey};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        unlink(files[i]);
    rmdir(g_cache);
    rmdir(g_dir);
    tp_free(g_spc);
    tp_free(g_intc);
    tp_free(g_rootc);
    tp_free(g_osp);
    tp_free(g_oroot);
    tp_free(g_lsp);
    tp_free(g_lint);
    return 0;
}

static int reset_clock(void **state)
{
    (void)state;
    atomic_store(&g_now, TP_T0);
    return 0;
}

/* The configuration every test starts from: trust the root, the x5u URL
 * mapped to the genuine chain, signing with the genuine key. */
static serve_state_cfg base_cfg(void)
{
    static const char *trust[1];
    static const char *map[1];
    trust[0] = g_root;
    map[0] = g_map;
    serve_state_cfg c = {0};
    c.trust = trust;
    c.ntrust = 1;
    c.x5u_map = map;
    c.nx5u_map = 1;
    c.sign_key = g_key;
    c.sign_cert = g_chain;
    c.sign_x5u = X5U;
    return c;
}

static serve_state *new_state(const serve_state_cfg *c)
{
    serve_state *s = NULL;
    char err[512];
    if (serve_state_new(c, test_clock, NULL, &s, err, sizeof err) != 0) {
        print_error("serve_state_new: %s\n", err);
        fail();
    }
    return s;
}

static serve_state *std_state(void)
{
    serve_state_cfg c = base_cfg();
    return new_state(&c);
}

/* Runs one request; the reply must be a JSON object with a reason. */
static void call(serve_state *st, serve_ep ep, const char *body, serve_reply *r)
{
    serve_api_handle(st, ep, body, strlen(body), 0, r);
    assert_non_null(r->body);
    assert_true(json_is_object(r->body));
    assert_non_null(r->reason);
}

static const char *jstr(json_t *o, const char *path)
{
    json_t *v = json_object_get(o, path);
    return v ? json_string_value(v) : NULL;
}

/* Expects an error reply: status, code, and (when given) the path and a
 * piece of the message. */
static void expect_error(serve_state *st, serve_ep ep, const char *body, int status,
                         const char *code, const char *path)
{
    serve_reply r;
    call(st, ep, body, &r);
    json_t *e = json_object_get(r.body, "error");
    if (r.http_status != status || !e || strcmp(jstr(e, "code"), code) != 0 ||
        (path && (!jstr(e, "path") || strcmp(jstr(e, "path"), path) != 0)) ||
        (path && !strstr(jstr(e, "message"), path))) {
        char *d = json_dumps(r.body, 0);
        print_error("body %s\n -> %d %s (want %d %s %s)\n", body, r.http_status, d, status, code,
                    path ? path : "");
        free(d);
        fail();
    }
    assert_null(r.verstat);
    serve_reply_clear(&r);
}

/* Signs with the API; returns the identity (malloc'd). */
static char *api_sign_identity(serve_state *st, const char *orig, const char *dest, int64_t iat)
{
    char body[512];
    if (iat)
        snprintf(body, sizeof body,
                 "{\"signingRequest\":{\"attest\":\"A\",\"dest\":{\"tn\":[\"%s\"]},\"iat\":%lld,"
                 "\"orig\":{\"tn\":\"%s\"},\"origid\":\"123e4567-e89b-42d3-a456-426614174000\"}}",
                 dest, (long long)iat, orig);
    else
        snprintf(body, sizeof body,
                 "{\"signingRequest\":{\"attest\":\"A\",\"dest\":{\"tn\":[\"%s\"]},"
                 "\"orig\":{\"tn\":\"%s\"}}}",
                 dest, orig);
    serve_reply r;
    call(st, SERVE_EP_SIGNING, body, &r);
    if (r.http_status != 200) {
        char *d = json_dumps(r.body, 0);
        print_error("sign: %d %s\n", r.http_status, d);
        free(d);
        fail();
    }
    assert_string_equal(r.reason, "CLID_OK");
    const char *id = jstr(json_object_get(r.body, "signingResponse"), "identity");
    assert_non_null(id);
    char *copy = strdup(id);
    serve_reply_clear(&r);
    return copy;
}

/* Verifies with the API; returns the verificationResponse (a reference). */
static json_t *api_verify_identity(serve_state *st, const char *from, const char *to,
                                   const char *identity, int64_t time_member, serve_reply *r)
{
    json_t *rq = json_pack("{s:{s:{s:s},s:{s:[s]},s:s}}", "verificationRequest", "from", "tn",
                           from, "to", "tn", to, "identity", identity);
    if (time_member)
        json_object_set_new(json_object_get(rq, "verificationRequest"), "time",
                            json_integer(time_member));
    char *body = json_dumps(rq, 0);
    json_decref(rq);
    call(st, SERVE_EP_VERIFICATION, body, r);
    free(body);
    assert_int_equal(r->http_status, 200);
    json_t *v = json_object_get(r->body, "verificationResponse");
    assert_non_null(v);
    assert_non_null(r->verstat);
    assert_string_equal(r->verstat, jstr(v, "verstat"));
    assert_string_equal(r->reason, jstr(v, "reason"));
    assert_true(json_is_array(json_object_get(v, "warnings")));
    return v;
}

static void expect_verdict(json_t *v, const char *verstat, const char *reason, int code)
{
    assert_string_equal(jstr(v, "verstat"), verstat);
    assert_string_equal(jstr(v, "reason"), reason);
    json_t *rc = json_object_get(v, "reasoncode");
    if (code == 0) {
        assert_null(rc);
        assert_null(json_object_get(v, "reasontext"));
    } else {
        assert_true(json_is_integer(rc));
        assert_int_equal(json_integer_value(rc), code);
        assert_non_null(jstr(v, "reasontext"));
    }
}

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

#define SR(inner) "{\"signingRequest\":{" inner "}}"
#define GOOD_DEST "\"dest\":{\"tn\":[\"12025550199\"]}"
#define GOOD_ORIG "\"orig\":{\"tn\":\"12025550100\"}"

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

/* ------------------------------------------------------------------------ */
/* Verification                                                              */
/* ------------------------------------------------------------------------ */

#define VR(inner) "{\"verificationRequest\":{" inner "}}"
#define V_FROM "\"from\":{\"tn\":\"12025550100\"}"
#define V_TO "\"to\":{\"tn\":[\"12025550199\"]}"
#define V_ID "\"identity\":\"abc\""

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

/* ------------------------------------------------------------------------ */
/* Threads: requests on one shared state while another thread swaps states   */
/* ------------------------------------------------------------------------ */

/* How H holds "the current state": loading the pointer and taking a
 * reference must not interleave with a swap dropping the last reference,
 * so both happen under one mutex (held for a few instructions). */
static pthread_mutex_t g_cur_mu = PTHREAD_MUTEX_INITIALIZER;
static serve_state *g_cur;
static char *g_id;
static atomic_int g_failures;
static atomic_bool g_stop;

static serve_state *current(void)
{
    pthread_mutex_lock(&g_cur_mu);
    serve_state *s = serve_state_ref(g_cur);
    pthread_mutex_unlock(&g_cur_mu);
    return s;
}

#define N_WORKERS 4
#define N_PER_WORKER 150

static void *worker(void *arg)
{
    (void)arg;
    char body[CLID_IDENTITY_MAX_LEN + 256];
    snprintf(body, sizeof body, "{\"verificationRequest\":{" V_FROM "," V_TO ",\"identity\":\"%s\"}}",
             g_id);
    for (int i = 0; i < N_PER_WORKER; i++) {
        serve_state *s = current();
        serve_reply r;
        serve_api_handle(s, (i % 5) == 4 ? SERVE_EP_SIGNING : SERVE_EP_VERIFICATION,
                         (i % 5) == 4 ? SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST) : body,
                         strlen((i % 5) == 4 ? SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST)
                                             : body),
                         0, &r);
        int ok = r.http_status == 200 &&
                 ((i % 5) == 4 || (r.verstat && strcmp(r.verstat, "TN-Validation-Passed") == 0));
        if (!ok)
            atomic_fetch_add(&g_failures, 1);
        serve_reply_clear(&r);
        serve_state_unref(s);
    }
    return NULL;
}

static void *swapper(void *arg)
{
    (void)arg;
    unsigned swaps = 0;
    while (!atomic_load(&g_stop) || swaps < 3) {
        serve_state_cfg c = base_cfg();
        serve_state *n = NULL;
        char err[256];
        if (serve_state_new(&c, test_clock, NULL, &n, err, sizeof err) != 0) {
            atomic_fetch_add(&g_failures, 1);
            break;
        }
        pthread_mutex_lock(&g_cur_mu);
        serve_state *old = g_cur;
        g_cur = n;
        pthread_mutex_unlock(&g_cur_mu);
        serve_state_unref(old); /* freed here or by its last request */
        swaps++;
    }
    return NULL;
}

static void threads_share_and_swap(void **state)
{
    (void)state;
    g_cur = std_state();
    g_id = api_sign_identity(g_cur, ORIG, DEST, TP_T0);
    atomic_store(&g_failures, 0);
    atomic_store(&g_stop, false);
    /* One shared state first: every verification uses one verifier. */
    pthread_t t[N_WORKERS], sw;
    for (int i = 0; i < N_WORKERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
    for (int i = 0; i < N_WORKERS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&g_failures), 0);
    clid_verifier_stats vs;
    serve_state_stats(g_cur, &vs, NULL);
    assert_int_equal(vs.verifications, N_WORKERS * (N_PER_WORKER - N_PER_WORKER / 5));
    /* Then the same while states are swapped under the workers. */
    assert_int_equal(pthread_create(&sw, NULL, swapper, NULL), 0);
    for (int i = 0; i < N_WORKERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
    for (int i = 0; i < N_WORKERS; i++)
        pthread_join(t[i], NULL);
    atomic_store(&g_stop, true);
    pthread_join(sw, NULL);
    assert_int_equal(atomic_load(&g_failures), 0);
    serve_state_unref(g_cur);
    g_cur = NULL;
    free(g_id);
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
        cmocka_unit_test_setup(sign_ok, reset_clock),
        cmocka_unit_test_setup(sign_bad_input, reset_clock),
        cmocka_unit_test_setup(sign_not_configured, reset_clock),
        cmocka_unit_test_setup(verify_bad_input, reset_clock),
        cmocka_unit_test_setup(verify_garbage_identity, reset_clock),
        cmocka_unit_test_setup(verify_forged, reset_clock),
        cmocka_unit_test_setup(verify_stale, reset_clock),
        cmocka_unit_test_setup(verify_untrusted_and_unmapped, reset_clock),
        cmocka_unit_test_setup(verify_warnings_and_strict, reset_clock),
        cmocka_unit_test_setup(sip_verify, reset_clock),
        cmocka_unit_test_setup(threads_share_and_swap, reset_clock),
        cmocka_unit_test_setup(reply_and_names, reset_clock),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
