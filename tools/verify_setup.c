/* The verification context options of clid verify and clid trace, and the
 * verifier clid sign --div --trust checks an original with
 * (verify_setup.h). */
#define _POSIX_C_SOURCE 200809L /* strndup */

#include "verify_setup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_setup.h"
#include "util.h"

int tool_input_error(const char *prefix, const char *what, const char *path, clid_err e)
{
    tool_error("%s%s: %s: %s: %s", prefix, path, what, clid_err_name(e), clid_err_str(e));
    return TOOL_EXIT_NOINPUT;
}

int tool_is_dir(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    /* fopen succeeds on a directory; reading it fails with EISDIR. */
    char c;
    size_t n = fread(&c, 1, 1, f);
    int dir = n == 0 && ferror(f);
    fclose(f);
    return dir;
}

static int add_x5u_map(clid_ctx *ctx, const tool_verify_setup *s, const char *m)
{
    /* URL=FILE: URLs may contain '=' in queries, file names rarely do:
     * split at the last '='. */
    const char *eq = strrchr(m, '=');
    if (eq == NULL || eq == m || eq[1] == '\0')
        return tool_usage_error(s->cmd, s->cmd, "--x5u-map wants URL=FILE, got '%s'", m);
    char *url = strndup(m, (size_t)(eq - m));
    if (url == NULL)
        return TOOL_EXIT_FAIL;
    clid_err e = clid_ctx_add_x5u_file(ctx, url, eq + 1);
    free(url);
    if (e == CLID_ERR_IO)
        return tool_input_error(s->err_prefix, "x5u map", eq + 1, e);
    if (e != CLID_OK)
        return tool_usage_error(s->cmd, s->cmd, "--x5u-map '%s': %s", m, clid_err_str(e));
    return TOOL_EXIT_OK;
}

int tool_verify_load(clid_ctx *ctx, const tool_verify_setup *s)
{
    clid_err e;
    for (int i = 0; i < s->n_trust; i++) {
        const char *p = s->trust[i];
        e = tool_is_dir(p) ? clid_ctx_add_trust_dir(ctx, p) : clid_ctx_add_trust_file(ctx, p);
        if (e != CLID_OK)
            return tool_input_error(s->err_prefix, "trust anchors", p, e);
    }
    for (int i = 0; i < s->n_crl; i++)
        if ((e = clid_ctx_add_crl_file(ctx, s->crl[i])) != CLID_OK)
            return tool_input_error(s->err_prefix, "CRL", s->crl[i], e);
    for (int i = 0; i < s->n_crl_signer; i++)
        if ((e = clid_ctx_add_crl_signer_file(ctx, s->crl_signer[i])) != CLID_OK)
            return tool_input_error(s->err_prefix, "CRL signer", s->crl_signer[i], e);
    for (int i = 0; i < s->n_x5u_map; i++) {
        int rc = add_x5u_map(ctx, s, s->x5u_map[i]);
        if (rc != TOOL_EXIT_OK)
            return rc;
    }
    return TOOL_EXIT_OK;
}

int tool_verify_policy(clid_ctx *ctx, const tool_verify_setup *s)
{
    const char *cmd = s->cmd;
    clid_err e = CLID_OK;
    if (s->max_age != NULL) {
        char *end = NULL;
        unsigned long v = strtoul(s->max_age, &end, 10);
        if (*end != '\0' || s->max_age[0] == '-' || v > 86400UL * 366)
            return tool_usage_error(cmd, cmd, "--max-age: not a number of seconds");
        e = clid_ctx_set_freshness(ctx, (unsigned)v, CLID_DEFAULT_MAX_SKEW);
    }
    if (e == CLID_OK && s->tn_policy != NULL) {
        if (strcmp(s->tn_policy, "spc") == 0)
            e = clid_ctx_set_tn_policy(ctx, CLID_TN_POLICY_SPC_OR_TN);
        else if (strcmp(s->tn_policy, "tn") == 0)
            e = clid_ctx_set_tn_policy(ctx, CLID_TN_POLICY_TN_REQUIRED);
        else
            return tool_usage_error(cmd, cmd, "--tn-policy must be spc or tn");
    }
    for (int i = 0; e == CLID_OK && i < s->n_ppt; i++)
        if ((e = clid_ctx_accept_ppt(ctx, s->ppt[i])) != CLID_OK)
            return tool_usage_error(cmd, cmd, "--accept-ppt '%s': %s", s->ppt[i],
                                    clid_err_str(e));
    if (e == CLID_OK && s->require_entity)
        e = clid_ctx_set_require_entity(ctx, 1);
    if (e == CLID_OK && s->cert_profile != NULL) {
        clid_cert_profile p = CLID_CERT_PROFILE_NONE;
        if (clid_cert_profile_from_name(s->cert_profile, &p) != CLID_OK ||
            p == CLID_CERT_PROFILE_NONE)
            return tool_usage_error(cmd, cmd, "--cert-profile must be shaken or q3063");
        e = clid_ctx_set_cert_profile(ctx, p);
    }
    if (e == CLID_OK && s->crl_policy != NULL) {
        const char *p = s->crl_policy;
        if (strcmp(p, "if-present") == 0)
            e = clid_ctx_set_crl_policy(ctx, CLID_CRL_IF_PRESENT);
        else if (strcmp(p, "required") == 0)
            e = clid_ctx_set_crl_policy(ctx, CLID_CRL_REQUIRED);
        else if (strcmp(p, "ignore") == 0)
            e = clid_ctx_set_crl_policy(ctx, CLID_CRL_IGNORE);
        else
            return tool_usage_error(cmd, cmd,
                                    "--crl-policy must be if-present, required or ignore");
    }
    if (e == CLID_OK && s->strict)
        e = clid_ctx_set_strict(ctx, 1);
    if (e != CLID_OK) {
        tool_error("%s: %s", cmd, clid_err_str(e));
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

int tool_verifier_open(const tool_verify_setup *s, const struct tool_fetch_opts *fo,
                       tool_verifier *out)
{
    memset(out, 0, sizeof *out);
    if (clid_ctx_new(&out->ctx) != CLID_OK) {
        tool_error("%s: %s", s->cmd, clid_err_str(CLID_ERR_NOMEM));
        return TOOL_EXIT_FAIL;
    }
    int rc = tool_verify_policy(out->ctx, s);
    if (rc == TOOL_EXIT_OK)
        rc = tool_verify_load(out->ctx, s);
    if (rc == TOOL_EXIT_OK)
        rc = tool_fetch_setup(s->cmd, out->ctx, fo, &out->fetch);
    if (rc == TOOL_EXIT_OK && clid_verifier_new(out->ctx, &out->v) != CLID_OK) {
        tool_error("%s: %s", s->cmd, clid_err_str(CLID_ERR_NOMEM));
        rc = TOOL_EXIT_FAIL;
    }
    return rc;
}

void tool_verifier_close(tool_verifier *t)
{
    /* the verifier holds the context, the context the fetcher's callback */
    clid_verifier_free(t->v);
    clid_ctx_free(t->ctx);
    tool_fetch_free(t->fetch);
    memset(t, 0, sizeof *t);
}
