/*
 * The shared fixture of the clid serve API tests (test_serve_api_*.c): a
 * PKI made in memory (lib/tests/support/testpki) and written to a temporary
 * directory, since serve_state_new reads files as the configuration names
 * them; the injected clock (g_now), never the machine's; and the helpers
 * that run one request through serve_api_handle and check its reply. Each
 * test file is its own cmocka group with group_setup/group_teardown and
 * reset_clock before every test.
 */
#ifndef CLID_SERVE_API_FIXTURE_H
#define CLID_SERVE_API_FIXTURE_H

#include "clid_test.h"
#include "testpki.h"

#include <stdatomic.h>

#include "serve/api.h"
#include "serve/state.h"

#define X5U "https://cert.example.org/certs/sp.pem"
#define ORIG "12025550100"
#define DEST "12025550199"
/* A chain with a profile deviation the lenient policy accepts: an
 * intermediate without AKI (docs/verification.md: warning CERT_NO_AKI). */
#define X5U_LENIENT "https://cert.example.org/certs/lenient.pem"

/* Request bodies (the members named in docs/serve-api.md). */
#define SR(inner) "{\"signingRequest\":{" inner "}}"
#define GOOD_DEST "\"dest\":{\"tn\":[\"12025550199\"]}"
#define GOOD_ORIG "\"orig\":{\"tn\":\"12025550100\"}"
#define VR(inner) "{\"verificationRequest\":{" inner "}}"
#define V_FROM "\"from\":{\"tn\":\"12025550100\"}"
#define V_TO "\"to\":{\"tn\":[\"12025550199\"]}"
#define V_ID "\"identity\":\"abc\""

extern _Atomic int64_t g_now;
extern char g_dir[64];
extern char g_root[128], g_chain[128], g_key[128], g_other_key[128], g_other_chain[128];
extern char g_map[256];
extern tp_cert *g_rootc, *g_intc, *g_spc, *g_oroot, *g_osp, *g_lint, *g_lsp;
extern char g_lchain[128], g_lkey[128], g_lmap[256], g_cache[128];

int64_t test_clock(void *arg);
void write_file(const char *path, const char *text);
void write_key(const char *path, EVP_PKEY *k);
/* cmocka group setup/teardown (the PKI and its files) and per-test setup. */
int group_setup(void **state);
int group_teardown(void **state);
int reset_clock(void **state);
/* The configuration every test starts from: trust the root, the x5u URL
 * mapped to the genuine chain, signing with the genuine key. */
serve_state_cfg base_cfg(void);
serve_state *new_state(const serve_state_cfg *c);
serve_state *std_state(void);
/* Runs one request; the reply must be a JSON object with a reason. */
void call(serve_state *st, serve_ep ep, const char *body, serve_reply *r);
const char *jstr(json_t *o, const char *path);
/* Expects an error reply: status, code, and (when given) the path and a
 * piece of the message. */
void expect_error(serve_state *st, serve_ep ep, const char *body, int status, const char *code,
                  const char *path);
/* Signs with the API; returns the identity (malloc'd). */
char *api_sign_identity(serve_state *st, const char *orig, const char *dest, int64_t iat);
/* Verifies with the API; returns the verificationResponse (a reference). */
json_t *api_verify_identity(serve_state *st, const char *from, const char *to,
                            const char *identity, int64_t time_member, serve_reply *r);
void expect_verdict(json_t *v, const char *verstat, const char *reason, int code);

#endif
