/*
 * The library's verdict on a participant's Identity value (grade.h): the
 * strict policy (clid_ctx_set_strict: every profile deviation is the
 * failure) gives the verdict an event reports; the lenient one lists every
 * profile deviation as a warning (the strict verdict stops at the first).
 * What they find that grade_jose.c did not already explain (a chain that
 * does not validate, a signature of another key, a TN outside the
 * certificate's TNAuthList, ...) becomes a defect of its own.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <clid/clid_sip.h>

#include "conform/grade.h"
#include "fetch_setup.h"
#include "util.h"

struct grade_ver {
    clid_ctx *ctx[2]; /* [0] strict, [1] lenient */
    clid_verifier *v[2];
    void *fetch[2];
    char *chain_pem;
    size_t chain_len;
};

static int is_dir(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    char c;
    int dir = fread(&c, 1, 1, f) == 0 && ferror(f);
    fclose(f);
    return dir;
}

static int load_error(const char *what, const char *path, clid_err e)
{
    tool_error("conform grade: %s: %s: %s: %s", path, what, clid_err_name(e), clid_err_str(e));
    return TOOL_EXIT_NOINPUT;
}

static int configure(clid_ctx *ctx, int strict, const grade_ver_opts *o, void **fetch)
{
    clid_err e = clid_ctx_set_strict(ctx, strict);
    /* Signers may send div PASSporTs (RFC 8946) next to the shaken one. */
    if (e == CLID_OK)
        e = clid_ctx_accept_ppt(ctx, "shaken");
    if (e == CLID_OK)
        e = clid_ctx_accept_ppt(ctx, "div");
    if (e == CLID_OK)
        e = clid_ctx_set_freshness(ctx, o->max_age, CLID_DEFAULT_MAX_SKEW);
    if (e != CLID_OK) {
        tool_error("conform grade: %s", clid_err_str(e));
        return TOOL_EXIT_FAIL;
    }
    for (int i = 0; i < o->ntrust; i++) {
        const char *p = o->trust[i];
        e = is_dir(p) ? clid_ctx_add_trust_dir(ctx, p) : clid_ctx_add_trust_file(ctx, p);
        if (e != CLID_OK)
            return load_error("trust anchors", p, e);
    }
    for (int i = 0; i < o->ncrl; i++)
        if ((e = clid_ctx_add_crl_file(ctx, o->crl[i])) != CLID_OK)
            return load_error("CRL", o->crl[i], e);
    for (int i = 0; i < o->ncrl_signer; i++)
        if ((e = clid_ctx_add_crl_signer_file(ctx, o->crl_signer[i])) != CLID_OK)
            return load_error("CRL signer", o->crl_signer[i], e);
    for (int i = 0; i < o->nmap; i++) {
        const char *m = o->map[i];
        const char *eq = strrchr(m, '=');
        if (eq == NULL || eq == m || eq[1] == '\0')
            return tool_usage_error("conform grade", "conform",
                                    "--x5u-map wants URL=FILE, got '%s'", m);
        char *url = strndup(m, (size_t)(eq - m));
        if (url == NULL)
            return TOOL_EXIT_FAIL;
        e = clid_ctx_add_x5u_file(ctx, url, eq + 1);
        free(url);
        if (e != CLID_OK)
            return load_error("x5u map", eq + 1, e);
    }
    /* URLs the map does not cover are fetched, with the fetcher's policy:
     * https only (a participant's http URL is a defect, not a retrieval). */
    tool_fetch_opts fo = {0};
    fo.allow_private = o->allow_private;
    fo.ca_file = o->x5u_ca;
    return tool_fetch_setup("conform grade", ctx, &fo, fetch);
}

int grade_ver_new(const grade_ver_opts *o, grade_ver **out)
{
    grade_ver *g = calloc(1, sizeof *g);
    if (g == NULL)
        return TOOL_EXIT_FAIL;
    int rc = TOOL_EXIT_OK;
    for (int k = 0; k < 2 && rc == TOOL_EXIT_OK; k++) {
        if (clid_ctx_new(&g->ctx[k]) != CLID_OK) {
            rc = TOOL_EXIT_FAIL;
            break;
        }
        rc = configure(g->ctx[k], k == 0, o, &g->fetch[k]);
        if (rc == TOOL_EXIT_OK && clid_verifier_new(g->ctx[k], &g->v[k]) != CLID_OK)
            rc = TOOL_EXIT_FAIL;
    }
    if (rc == TOOL_EXIT_OK && o->chain != NULL) {
        uint8_t *buf = NULL;
        rc = tool_read_file(o->chain, TOOL_MAX_FILE, &buf, &g->chain_len);
        g->chain_pem = (char *)buf;
    }
    if (rc != TOOL_EXIT_OK) {
        grade_ver_free(g);
        return rc;
    }
    *out = g;
    return TOOL_EXIT_OK;
}

void grade_ver_free(grade_ver *g)
{
    if (g == NULL)
        return;
    for (int k = 0; k < 2; k++) {
        clid_verifier_free(g->v[k]);
        clid_ctx_free(g->ctx[k]);
        tool_fetch_free(g->fetch[k]);
    }
    free(g->chain_pem);
    free(g);
}

/* The library's reason as a defect, unless the checks explained it. */
static void add_reason(json_t *defects, clid_err e, const char *detail, const char *how,
                       int at_given)
{
    const char *name = clid_err_name(e);
    if (grade_has_reason(defects, name))
        return;
    /* Syntax the checks already explained in detail (padding, alphabet,
     * parts, parameters) is one defect, not two. */
    if ((e == CLID_ERR_IDENTITY_SYNTAX || e == CLID_ERR_JWS_SYNTAX || e == CLID_ERR_BASE64) &&
        (grade_has_reason(defects, "CLID_ERR_BASE64") ||
         grade_has_reason(defects, "CLID_ERR_JWS_SYNTAX") ||
         grade_has_reason(defects, "CLID_ERR_IDENTITY_SYNTAX")))
        return;
    /* Without --at the verification time is the Date: a stale or future
     * iat is then the Date mismatch already explained. */
    if (!at_given && (e == CLID_ERR_IAT_STALE || e == CLID_ERR_IAT_FUTURE) &&
        grade_has_reason(defects, "CLID_ERR_DATE_MISMATCH"))
        return;
    /* An origid that is empty is PASSPORT_ORIGID to the library and the
     * same defect as "not a UUID" here; "not canonical" likewise. */
    if (e == CLID_ERR_PASSPORT_ORIGID && grade_has_reason(defects, "CLID_ERR_PASSPORT_ORIGID_NOT_UUID"))
        return;
    char *d = detail && detail[0] ? tool_sanitize(detail, strlen(detail) > 300 ? 300 : strlen(detail))
                                  : NULL;
    grade_add(defects, "verify.reason", "", name, "%s: %s (%s)%s%s", how, clid_err_str(e), name,
              d ? "; detail: " : "", d ? d : "");
    free(d);
}

void grade_ver_identity(grade_ver *g, const char *value, const grade_call *call,
                        const grade_facts *facts, json_t *item, json_t *defects)
{
    int64_t iat = facts->iat;
    int64_t at = call->at ? call->at : call->date ? call->date : iat ? iat : (int64_t)time(NULL);
    clid_verify_input in = {0};
    in.identity = value;
    in.orig = call->orig;
    /* A div PASSporT's dest is the new target, which a retargeted request
     * names only in its Request-URI: its binding is the request's business
     * (grade_ver_sip); grade_jose.c compares div with the callee. */
    int skip_dest = call->dest == NULL || facts->div;
    in.dest = skip_dest ? NULL : call->dest;
    in.skip = (call->orig ? 0 : CLID_VERIFY_SKIP_ORIG_BINDING) |
              (skip_dest ? CLID_VERIFY_SKIP_DEST_BINDING : 0);
    in.now = at;
    in.date = call->date;
    in.chain_pem = g->chain_pem;
    in.chain_len = g->chain_len;

    clid_result *r[2] = {NULL, NULL};
    for (int k = 0; k < 2; k++) {
        if (clid_result_new(&r[k]) != CLID_OK) {
            clid_result_free(r[0]);
            return;
        }
        /* The verdict is read from the result; the return value repeats its reason. */
        clid_err ignored = clid_verify_identity(g->v[k], &in, r[k]);
        (void)ignored;
    }
    clid_err reason = clid_result_reason(r[0]);
    json_t *v = json_object();
    json_object_set_new(v, "verstat", json_string(clid_verstat_str(clid_result_verstat(r[0]))));
    json_object_set_new(v, "reason", json_string(clid_err_name(reason)));
    json_object_set_new(v, "sip", json_integer(clid_result_sip_status(r[0])));
    const char *detail = clid_result_detail(r[0]);
    json_object_set_new(v, "detail", detail[0] ? tool_json_string(detail) : json_null());
    json_object_set_new(v, "at", json_integer((json_int_t)at));
    json_object_set_new(item, "verdict", v);

    /* The profile deviations first (the lenient run lists them all), then
     * the strict verdict's reason, when the checks left them unexplained. */
    for (size_t i = 0; i < clid_result_warning_count(r[1]); i++) {
        clid_err w = clid_result_warning(r[1], i);
        /* A CRL the grader could not have says nothing of the signer: a
         * note (give --crl), not a defect. */
        if (w == CLID_ERR_CRL_UNAVAILABLE)
            grade_add(json_object_get(item, "warnings"), "verify.crl-unavailable", "RFC 5280 §6.3",
                      clid_err_name(w), "revocation not checked: %s (give the CRL with --crl)",
                      clid_err_str(w));
        else
            add_reason(defects, w, NULL, "the verifier warns", call->at != 0);
    }
    if (reason == CLID_ERR_DIV_WITHOUT_ORIGINAL)
        /* Never a pass alone (RFC 8946 §3): the request's verdict says
         * whether its original passed. Not the signer's defect. */
        grade_add(json_object_get(item, "warnings"), "verify.div-alone", "RFC 8946 §3",
                  clid_err_name(reason),
                  "a div PASSporT is verified with the original it extends: see the request's "
                  "verdict (--sip)");
    else if (reason != CLID_OK)
        add_reason(defects, reason, detail, "the strict verifier refuses it", call->at != 0);
    clid_result_free(r[0]);
    clid_result_free(r[1]);
}

void grade_ver_sip(grade_ver *g, const char *msg, size_t len, int64_t at, json_t *item)
{
    clid_result *r = NULL;
    if (clid_result_new(&r) != CLID_OK)
        return;
    clid_sip_verify_opts o = {0};
    o.now = at ? at : (int64_t)time(NULL);
    o.chain_pem = g->chain_pem;
    o.chain_len = g->chain_len;
    clid_err ignored = clid_sip_verify(g->v[0], &o, msg, len, r);
    (void)ignored;
    json_t *v = json_object();
    json_object_set_new(v, "verstat", json_string(clid_verstat_str(clid_result_verstat(r))));
    json_object_set_new(v, "reason", json_string(clid_err_name(clid_result_reason(r))));
    json_object_set_new(v, "sip", json_integer(clid_result_sip_status(r)));
    const char *detail = clid_result_detail(r);
    json_object_set_new(v, "detail", detail[0] ? tool_json_string(detail) : json_null());
    json_object_set_new(v, "at", json_integer((json_int_t)o.now));
    json_object_set_new(item, "verdict", v);
    clid_result_free(r);
}
