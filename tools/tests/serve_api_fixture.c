/*
 * The shared fixture of the clid serve API tests: see serve_api_fixture.h.
 */
#include "serve_api_fixture.h"

#include <unistd.h>

#include <openssl/pem.h>

_Atomic int64_t g_now = TP_T0;
int64_t test_clock(void *arg)
{
    (void)arg;
    return atomic_load(&g_now);
}

char g_dir[64];
char g_root[128], g_chain[128], g_key[128], g_other_key[128], g_other_chain[128];
char g_map[256];
tp_cert *g_rootc, *g_intc, *g_spc, *g_oroot, *g_osp, *g_lint, *g_lsp;
char g_lchain[128], g_lkey[128], g_lmap[256], g_cache[128];

void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(fputs(text, f) >= 0, 1);
    fclose(f);
}

void write_key(const char *path, EVP_PKEY *k)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL), 1);
    fclose(f);
}

int group_setup(void **state)
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

int group_teardown(void **state)
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

int reset_clock(void **state)
{
    (void)state;
    atomic_store(&g_now, TP_T0);
    return 0;
}

/* The configuration every test starts from: trust the root, the x5u URL
 * mapped to the genuine chain, signing with the genuine key. */
serve_state_cfg base_cfg(void)
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

serve_state *new_state(const serve_state_cfg *c)
{
    serve_state *s = NULL;
    char err[512];
    if (serve_state_new(c, test_clock, NULL, &s, err, sizeof err) != 0) {
        print_error("serve_state_new: %s\n", err);
        fail();
    }
    return s;
}

serve_state *std_state(void)
{
    serve_state_cfg c = base_cfg();
    return new_state(&c);
}

/* Runs one request; the reply must be a JSON object with a reason. */
void call(serve_state *st, serve_ep ep, const char *body, serve_reply *r)
{
    serve_api_handle(st, ep, body, strlen(body), 0, r);
    assert_non_null(r->body);
    assert_true(json_is_object(r->body));
    assert_non_null(r->reason);
}

const char *jstr(json_t *o, const char *path)
{
    json_t *v = json_object_get(o, path);
    return v ? json_string_value(v) : NULL;
}

/* Expects an error reply: status, code, and (when given) the path and a
 * piece of the message. */
void expect_error(serve_state *st, serve_ep ep, const char *body, int status,
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
char *api_sign_identity(serve_state *st, const char *orig, const char *dest, int64_t iat)
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
json_t *api_verify_identity(serve_state *st, const char *from, const char *to,
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

void expect_verdict(json_t *v, const char *verstat, const char *reason, int code)
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
