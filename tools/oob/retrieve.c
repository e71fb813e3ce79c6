/*
 * clid oob retrieve (oob.h): the PASSporTs the CPS holds for a call, and
 * with --trust their best verdict (clid_oob_verify_passports), printed as
 * clid verify prints one.
 */
#include <stdlib.h>
#include <string.h>

#include "fetch_setup.h"
#include "oob/oob.h"
#include "timearg.h"
#include "verify_setup.h"

/* Trust, CRLs, the offline map, the policy flags and the x5u fetcher. */
static int configure(clid_ctx *ctx, const tool_args *a, void **fetcher)
{
    tool_verify_setup s = {
        .cmd = "oob",
        .err_prefix = "oob retrieve: ",
        .trust = a->values[OOB_TRUST],
        .n_trust = a->seen[OOB_TRUST],
        .crl = a->values[OOB_CRL],
        .n_crl = a->seen[OOB_CRL],
        .crl_signer = a->values[OOB_CRL_SIGNER],
        .n_crl_signer = a->seen[OOB_CRL_SIGNER],
        .x5u_map = a->values[OOB_MAP],
        .n_x5u_map = a->seen[OOB_MAP],
        .ppt = a->values[OOB_PPT],
        .n_ppt = a->seen[OOB_PPT],
        .max_age = a->seen[OOB_MAX_AGE] ? a->value[OOB_MAX_AGE] : NULL,
        .tn_policy = a->seen[OOB_TN_POLICY] ? a->value[OOB_TN_POLICY] : NULL,
        .cert_profile = a->seen[OOB_CERT_PROFILE] ? a->value[OOB_CERT_PROFILE] : NULL,
        .crl_policy = a->seen[OOB_CRL_POLICY] ? a->value[OOB_CRL_POLICY] : NULL,
        .require_entity = a->seen[OOB_REQ_ENTITY],
        .strict = a->seen[OOB_STRICT],
    };
    int rc = tool_verify_policy(ctx, &s);
    if (rc == TOOL_EXIT_OK)
        rc = tool_verify_load(ctx, &s);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a->seen[OOB_CRL_ALLOW] && !a->seen[OOB_CRL_FETCH])
        return tool_usage_error("oob", "oob", "--crl-url-allow: only with --crl-fetch");
    tool_fetch_opts fo = {a->seen[OOB_X5U_HTTP], a->seen[OOB_X5U_PRIVATE],
                          a->value[OOB_CACHE_DIR], a->value[OOB_X5U_CA],
                          a->seen[OOB_CRL_FETCH], a->values[OOB_CRL_ALLOW],
                          a->seen[OOB_CRL_ALLOW]};
    return tool_fetch_setup("oob", ctx, &fo, fetcher);
}

static int exit_for(clid_verstat v)
{
    return v == CLID_VERSTAT_PASSED ? 0 : v == CLID_VERSTAT_FAILED ? 1 : 2;
}

/* The lines of clid verify: verstat, reason, sip, detail. */
static void print_verdict(clid_verstat vs, clid_err reason, int sip, const char *detail)
{
    printf("%s\nreason: %s\nsip: %d\n", clid_verstat_str(vs), clid_err_name(reason), sip);
    if (detail != NULL && detail[0] != '\0') {
        char *safe = tool_sanitize(detail, strlen(detail));
        printf("detail: %s\n", safe ? safe : "");
        free(safe);
    }
}

/* The verifier of --trust and the other verify options, made before the
 * CPS is asked, so that a bad option costs no request. */
typedef struct oob_verify {
    clid_ctx *ctx;
    clid_verifier *v;
    void *fetcher;
    int64_t now;
} oob_verify;

static void verify_free(oob_verify *w)
{
    clid_verifier_free(w->v);
    clid_ctx_free(w->ctx);
    tool_fetch_free(w->fetcher);
    memset(w, 0, sizeof *w);
}

static int verify_setup(const tool_args *a, oob_verify *w)
{
    memset(w, 0, sizeof *w);
    if (a->seen[OOB_AT] && (tool_parse_time(a->value[OOB_AT], &w->now) != 0 || w->now == 0))
        return tool_usage_error("oob", "oob", "--at: not Unix seconds or RFC 3339");
    if (clid_ctx_new(&w->ctx) != CLID_OK)
        return TOOL_EXIT_FAIL;
    int rc = configure(w->ctx, a, &w->fetcher);
    if (rc == TOOL_EXIT_OK && clid_verifier_new(w->ctx, &w->v) != CLID_OK)
        rc = TOOL_EXIT_FAIL;
    return rc;
}

/* Verifies what was retrieved; prints the verdict and returns its exit. */
static int verify(const tool_args *a, oob_verify *w, const clid_oob_passports *p)
{
    clid_result *res = NULL;
    if (clid_result_new(&res) != CLID_OK)
        return TOOL_EXIT_FAIL;
    size_t best = 0;
    clid_err verdict = clid_oob_verify_passports(w->v, p, a->value[OOB_ORIG], a->value[OOB_DEST],
                                                 w->now, res, &best);
    (void)verdict; /* also in res, printed below */
    print_verdict(clid_result_verstat(res), clid_result_reason(res),
                  clid_result_sip_status(res), clid_result_detail(res));
    printf("passport: %zu\n", best);
    int rc = fflush(stdout) == 0 ? exit_for(clid_result_verstat(res)) : TOOL_EXIT_FAIL;
    clid_result_free(res);
    return rc;
}

int oob_retrieve(const tool_args *a)
{
    int rc = oob_refuse_range("retrieve", a, OOB_SPC, OOB_SIP, "publish only");
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a->npos > 0)
        return tool_usage_error("oob", "oob", "retrieve: unexpected operand '%s'", a->pos[0]);
    if (!a->seen[OOB_ORIG] || !a->seen[OOB_DEST])
        return tool_usage_error("oob", "oob", "retrieve: --orig and --dest are required");
    int verifying = a->seen[OOB_TRUST];
    if (!verifying && (rc = oob_refuse_range("retrieve", a, OOB_CRL, OOB_CRL_ALLOW,
                                             "only with --trust (verification)")) != 0)
        return rc;
    oob_verify w = {0};
    if (verifying && (rc = verify_setup(a, &w)) != TOOL_EXIT_OK) {
        verify_free(&w);
        return rc;
    }
    oob_setup s;
    rc = oob_setup_new("retrieve", a, &s);
    clid_oob_passports *p = NULL;
    int status = 0;
    clid_err e = CLID_OK;
    if (rc == TOOL_EXIT_OK)
        e = clid_oob_retrieve(s.client, s.signer, a->value[OOB_ORIG], a->value[OOB_DEST], &p,
                              &status);
    if (rc == TOOL_EXIT_OK && e == CLID_OK) {
        for (size_t i = 0; i < clid_oob_passports_count(p); i++)
            printf("%s\n", clid_oob_passports_get(p, i));
        rc = verifying ? verify(a, &w, p) : (fflush(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL);
    } else if (rc == TOOL_EXIT_OK) {
        /* No record, or the CPS refused or failed: as for a call that
         * arrived without Identity, No-TN-Validation (exit 2). */
        if (e != CLID_ERR_OOB_NOT_FOUND)
            tool_error("oob retrieve: %s: %s: %s (status %d)", a->value[OOB_CPS],
                       clid_err_name(e), clid_err_str(e), status);
        if (verifying)
            print_verdict(clid_err_verstat(e), e, 0, NULL);
        rc = e == CLID_ERR_BAD_TN ? TOOL_EXIT_DATAERR : exit_for(clid_err_verstat(e));
    }
    clid_oob_passports_free(p);
    oob_setup_free(&s);
    verify_free(&w);
    return rc;
}
