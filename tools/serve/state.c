/* clid serve: the snapshot (stub; the real one follows). */
#include "serve/state.h"

#include <stdio.h>

int serve_state_new(const serve_state_cfg *c, clid_clock_fn clock, void *clock_arg,
                    serve_state **out, char *err, size_t cap)
{
    (void)c;
    (void)clock;
    (void)clock_arg;
    if (out)
        *out = NULL;
    if (err && cap)
        snprintf(err, cap, "serve_state_new: not implemented yet");
    return -1;
}

serve_state *serve_state_ref(serve_state *s) { return s; }
void serve_state_unref(serve_state *s) { (void)s; }
int serve_state_ready(const serve_state *s) { (void)s; return 0; }
int serve_state_can_sign(const serve_state *s) { (void)s; return 0; }
const char *serve_state_chain_pem(const serve_state *s, size_t *len)
{
    (void)s;
    if (len)
        *len = 0;
    return NULL;
}
const char *serve_state_x5u_path(const serve_state *s) { (void)s; return NULL; }
void serve_state_stats(const serve_state *s, clid_verifier_stats *v, clid_fetcher_stats *f)
{
    (void)s;
    if (v)
        *v = (clid_verifier_stats){0};
    if (f)
        *f = (clid_fetcher_stats){0};
}
clid_verifier *serve_state_verifier(const serve_state *s) { (void)s; return NULL; }
const clid_signer *serve_state_signer(const serve_state *s) { (void)s; return NULL; }
const clid_ctx *serve_state_ctx(const serve_state *s) { (void)s; return NULL; }
