/*
 * clid verify --identity VALUE (--orig TN --dest TN | --no-binding) [--trust FILE]...
 *             [--crl FILE]... [--x5u-map URL=FILE]... [--chain FILE] [--at TIME]
 *             [--date TIME] [--max-age SECONDS] [--tn-policy spc|tn]
 *             [--accept-ppt PPT]... [--require-entity] [--strict] [--json]
 *             [--allow-http-x5u] [--allow-private-x5u] [--cache-dir DIR] [--x5u-ca FILE]
 *             [--cert-profile shaken|q3063]
 *             [--crl-signer FILE]... [--crl-fetch [--crl-url-allow PREFIX]...]
 *             [--crl-policy if-present|required|ignore]
 * clid verify [the same options but --identity/--orig/--dest/--date]
 *             [--output FILE] FILE|-
 *
 * Verifies one Identity header value (docs/verification.md); without
 * --identity, or with an empty one, the call has none, which is
 * No-TN-Validation (428). A non-empty value is bound to --orig and --dest,
 * both required unless --no-binding (analysis of a PASSporT without its
 * request) leaves the missing ones unchecked, which the output then says
 * ("binding: not checked: ..."; JSON "binding"). With FILE,
 * verifies a SIP request (clid_sip.h): its Identity headers, bound to its
 * caller, callee and Date; --output writes the request with the verstat
 * parameter added to the caller's URI. Prints
 *   <verstat>
 *   reason: <CLID_... name>
 *   sip: <status, 0 when passed>
 *   [detail: <text>]
 *   [warning: <CLID_... name>: <text>]...  profile deviations accepted
 * or, with --json, one object ("warnings": [{"name", "text"}...]). With
 * --strict, profile deviations fail instead (docs/verification.md,
 * "Strict and lenient"). Exit status: 0 TN-Validation-Passed,
 * 1 TN-Validation-Failed, 2 No-TN-Validation, 64 usage, 65 FILE is not a SIP
 * request clid accepts, 66 unreadable input.
 * With --isup, FILE is a SIP-I request: clid_sipi_verify (its Identity
 * headers or, without any, the CLI token in the IAM; then the IAM's
 * numbers checked against what was verified, docs/q3063-profile.md).
 * Rich Call Data (docs/rcd.md): the verified values are printed as
 * "rcd-name: ..." lines (JSON: the "rcd" object); --rcd-content URL=FILE
 * serves a jcl/icn URL's content offline; with FILE, --present-rcd OUT
 * writes the request as a terminating SBC presents it (verstat as
 * --output, and the verified RCD as RFC 9796 Call-Info, clid_sip_add_rcd).
 * Scripts depend on these names and this output (issue 3 item 7).
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_isup.h>
#include <clid/clid_sip.h>

#include "commands.h"
#include "fetch_setup.h"
#include "rcd_args.h"
#include "isup/isup.h"
#include "verify_setup.h"
#include "timearg.h"
#include "util.h"

void cmd_verify_help(FILE *f)
{
    fputs("usage: clid verify --identity VALUE (--orig TN --dest TN | --no-binding)\n"
          "                   [--trust FILE]...\n"
          "                   [--crl FILE]... [--x5u-map URL=FILE]... [--chain FILE]\n"
          "                   [--at TIME] [--date TIME] [--max-age SECONDS]\n"
          "                   [--tn-policy spc|tn] [--accept-ppt PPT]... [--require-entity]\n"
          "                   [--strict]\n"
          "                   [--allow-http-x5u] [--allow-private-x5u] [--cache-dir DIR]\n"
          "                   [--x5u-ca FILE] [--cert-profile shaken|q3063]\n"
          "                   [--crl-signer FILE]... [--crl-fetch [--crl-url-allow PREFIX]...]\n"
          "                   [--crl-policy if-present|required|ignore] [--json]\n"
          "       clid verify [options] [--output FILE] FILE|-\n"
          "       clid verify --isup [--country-code CC] [--apm-context N] [options]\n"
          "                   [--output FILE] FILE|-\n"
          "\n"
          "Verifies an Identity header value and prints the verstat, then 'reason: NAME'\n"
          "and 'sip: CODE' (0 when passed), then 'warning: NAME: TEXT' for each profile\n"
          "deviation accepted, or one JSON object with --json.\n"
          "With FILE (- for standard input), verifies a SIP request instead: its\n"
          "Identity headers (one passing is enough), bound to its caller\n"
          "(P-Asserted-Identity or From), callee (To or Request-URI) and Date header.\n"
          "\n"
          "  --identity VALUE   the Identity header value (without 'Identity:'); without\n"
          "                     it, or empty, the call is unsigned: No-TN-Validation, sip 428\n"
          "  --orig TN          the request's calling number (P-Asserted-Identity or From)\n"
          "  --dest TN          the request's called number (To or Request-URI); both are\n"
          "                     required with --identity\n"
          "  --no-binding       analysis only: leave --orig and/or --dest out, unchecked\n"
          "                     (the output says so); a PASSporT not bound to its request\n"
          "                     proves nothing about a call\n"
          "  --trust FILE       trust anchors (PEM); repeat for several; a directory is read\n"
          "                     for *.pem and *.crt files\n"
          "  --crl FILE         a CRL (PEM or DER); repeat for several\n"
          "  --x5u-map URL=FILE serve the chain for URL from FILE (offline labs, traces)\n"
          "  --chain FILE       use this chain instead of retrieving the x5u URL\n"
          "  --at TIME          verification time, Unix seconds or RFC 3339; default: now\n"
          "  --date TIME        the request's Date header, checked against iat\n"
          "  --max-age SECONDS  freshness window for iat (default 60)\n"
          "  --tn-policy P      spc: an SPC authorizes any TN (default, SHAKEN);\n"
          "                     tn: a TN or range entry must cover the number\n"
          "  --accept-ppt PPT   accepted PASSporT types (default shaken); repeatable\n"
          "  --require-entity   the signer's SignallingEntity must be present\n"
          "  --strict           profile deviations (no AKI on an intermediate, an origid\n"
          "                     that is no UUID, no alg parameter, ...) fail the call;\n"
          "                     by default they pass with a 'warning:' line each\n"
          "  --allow-http-x5u   let the fetcher use http x5u URLs (default: https only)\n"
          "  --allow-private-x5u let the fetcher reach loopback and private addresses\n"
          "  --cache-dir DIR    keep fetched certificates in DIR across runs\n"
          "  --x5u-ca FILE      trust anchors for the x5u servers' TLS (default: system)\n"
          "  --cert-profile P   the signer's chain must conform to profile P: shaken\n"
          "                     (ATIS-1000080 v005) or q3063 (clid's Q.3063 profile);\n"
          "                     else CLID_ERR_CERT_PROFILE, 437 (see 'clid cert lint');\n"
          "                     implies the strict policy\n"
          "  --crl-signer FILE  certificates that may sign CRLs for other issuers (the\n"
          "                     STI-PA CRL signer); repeatable\n"
          "  --crl-fetch        fetch the CRLs the signer's certificates name in their CRL\n"
          "                     distribution points (after the chain validated), with the\n"
          "                     x5u fetcher's policy\n"
          "  --crl-url-allow PREFIX  fetch only CRL URLs under PREFIX; repeatable (default\n"
          "                     with --crl-fetch: any https URL)\n"
          "  --crl-policy P     if-present (default: a CRL that cannot be had is a warning),\n"
          "                     required (it fails the call), ignore (no revocation check)\n"
          "  --output FILE      with FILE: write the request with ;verstat= added to the\n"
          "                     caller's URI (unchanged when the caller is no number)\n"
          "  --json             print one JSON object\n"
          "  --isup             FILE is a SIP-I request (application/ISUP body): its\n"
          "                     Identity headers or, with none, the CLI token in the IAM;\n"
          "                     then the IAM's Calling/Called Party Numbers must be the\n"
          "                     verified orig and the callee (CLID_ERR_ISUP_*_MISMATCH,\n"
          "                     438; docs/q3063-profile.md)\n"
          "  --country-code CC  with --isup: for national numbers in the IAM (default 1)\n"
          "  --apm-context N    with --isup: the token's APM context, 1..127 (default 90)\n"
          "  --rcd-content URL=FILE  the content a Rich Call Data URL (jcl, icn) serves,\n"
          "                     checked against its rcdi digest (offline; repeatable);\n"
          "                     other URLs are fetched like x5u (docs/rcd.md)\n"
          "  --present-rcd OUT  with FILE: write the request as a terminating SBC presents\n"
          "                     it: verstat as --output, and the verified Rich Call Data as\n"
          "                     RFC 9796 Call-Info (upstream RCD Call-Info removed)\n"
          "\n"
          "With FILE, --identity, --orig, --dest and --date come from the request\n"
          "(--no-binding is refused there).\n"
          "Without --x5u-map or --chain, x5u URLs are fetched (builds with the fetcher).\n"
          "\n"
          "exit status: 0 TN-Validation-Passed, 1 TN-Validation-Failed, 2 No-TN-Validation,\n"
          "64 usage error, 65 FILE is not a SIP request, 66 an input file cannot be read\n"
          "or used\n",
          f);
}

enum { OPT_IDENTITY, OPT_ORIG, OPT_DEST, OPT_TRUST, OPT_CRL, OPT_MAP, OPT_CHAIN, OPT_AT,
       OPT_DATE, OPT_MAX_AGE, OPT_TN_POLICY, OPT_PPT, OPT_REQ_ENTITY, OPT_JSON, OPT_OUTPUT,
       OPT_ALLOW_HTTP, OPT_ALLOW_PRIVATE, OPT_CACHE_DIR, OPT_X5U_CA, OPT_CERT_PROFILE,
       OPT_NO_BINDING, OPT_STRICT, OPT_HELP,
       /* revocation as deployed (docs/verification.md "Revocation") */
       OPT_CRL_SIGNER, OPT_CRL_FETCH, OPT_CRL_ALLOW, OPT_CRL_POLICY,
       /* SIP-I (issue 13) */
       OPT_ISUP, OPT_CC, OPT_APM_CTX,
       /* Rich Call Data (issue 14; rcd_args.h) */
       OPT_RCD_CONTENT, OPT_PRESENT_RCD };

static const tool_opt verify_opts[] = {
    /* "" is an Identity header without a value: no identity (428). */
    [OPT_IDENTITY] = {"--identity", NULL, TOOL_VALUE_MAY_BE_EMPTY, 0},
    [OPT_ORIG] = {"--orig", NULL, 1, 0},
    [OPT_DEST] = {"--dest", NULL, 1, 0},
    [OPT_TRUST] = {"--trust", NULL, 1, 1},
    [OPT_CRL] = {"--crl", NULL, 1, 1},
    [OPT_MAP] = {"--x5u-map", NULL, 1, 1},
    [OPT_CHAIN] = {"--chain", NULL, 1, 0},
    [OPT_AT] = {"--at", NULL, 1, 0},
    [OPT_DATE] = {"--date", NULL, 1, 0},
    [OPT_MAX_AGE] = {"--max-age", NULL, 1, 0},
    [OPT_TN_POLICY] = {"--tn-policy", NULL, 1, 0},
    [OPT_PPT] = {"--accept-ppt", NULL, 1, 1},
    [OPT_REQ_ENTITY] = {"--require-entity", NULL, 0, 0},
    [OPT_JSON] = {"--json", NULL, 0, 0},
    [OPT_OUTPUT] = {"--output", NULL, 1, 0},
    [OPT_ALLOW_HTTP] = {"--allow-http-x5u", NULL, 0, 0},
    [OPT_ALLOW_PRIVATE] = {"--allow-private-x5u", NULL, 0, 0},
    [OPT_CACHE_DIR] = {"--cache-dir", NULL, 1, 0},
    [OPT_X5U_CA] = {"--x5u-ca", NULL, 1, 0},
    [OPT_CERT_PROFILE] = {"--cert-profile", NULL, 1, 0},
    [OPT_NO_BINDING] = {"--no-binding", NULL, 0, 0},
    [OPT_STRICT] = {"--strict", NULL, 0, 0},
    [OPT_HELP] = {"--help", "-h", 0, 0},
    [OPT_CRL_SIGNER] = {"--crl-signer", NULL, 1, 1},
    [OPT_CRL_FETCH] = {"--crl-fetch", NULL, 0, 0},
    [OPT_CRL_ALLOW] = {"--crl-url-allow", NULL, 1, 1},
    [OPT_CRL_POLICY] = {"--crl-policy", NULL, 1, 0},
    [OPT_ISUP] = {"--isup", NULL, 0, 0},
    [OPT_CC] = {"--country-code", NULL, 1, 0},
    [OPT_APM_CTX] = {"--apm-context", NULL, 1, 0},
    [OPT_RCD_CONTENT] = {"--rcd-content", NULL, 1, 1},
    [OPT_PRESENT_RCD] = {"--present-rcd", NULL, 1, 0},
};

#define NOPTS (sizeof verify_opts / sizeof verify_opts[0])

/* Trust, CRLs, the offline map and the policy flags into ctx
 * (verify_setup.h, shared with clid trace). */
static int configure(clid_ctx *ctx, const tool_args *a)
{
    tool_verify_setup s = {
        .cmd = "verify",
        .err_prefix = "",
        .trust = a->values[OPT_TRUST],
        .n_trust = a->seen[OPT_TRUST],
        .crl = a->values[OPT_CRL],
        .n_crl = a->seen[OPT_CRL],
        .crl_signer = a->values[OPT_CRL_SIGNER],
        .n_crl_signer = a->seen[OPT_CRL_SIGNER],
        .x5u_map = a->values[OPT_MAP],
        .n_x5u_map = a->seen[OPT_MAP],
        .ppt = a->values[OPT_PPT],
        .n_ppt = a->seen[OPT_PPT],
        .max_age = a->seen[OPT_MAX_AGE] ? a->value[OPT_MAX_AGE] : NULL,
        .tn_policy = a->seen[OPT_TN_POLICY] ? a->value[OPT_TN_POLICY] : NULL,
        .cert_profile = a->seen[OPT_CERT_PROFILE] ? a->value[OPT_CERT_PROFILE] : NULL,
        .crl_policy = a->seen[OPT_CRL_POLICY] ? a->value[OPT_CRL_POLICY] : NULL,
        .require_entity = a->seen[OPT_REQ_ENTITY],
        .strict = a->seen[OPT_STRICT],
    };
    int rc = tool_verify_policy(ctx, &s);
    return rc == TOOL_EXIT_OK ? tool_verify_load(ctx, &s) : rc;
}

static json_t *opt_string(const char *s)
{
    return s ? tool_json_string(s) : json_null();
}

static json_t *tnauth_json(const clid_tnauth *l)
{
    if (l == NULL)
        return json_null();
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < clid_tnauth_count(l); i++) {
        clid_tnauth_entry en;
        if (clid_tnauth_get(l, i, &en) != CLID_OK)
            continue;
        json_t *o = json_object();
        const char *kind = en.kind == CLID_TNAUTH_SPC ? "spc"
                           : en.kind == CLID_TNAUTH_TN ? "tn"
                                                       : "range";
        tool_json_put(o, "type", json_string(kind));
        tool_json_put(o, en.kind == CLID_TNAUTH_RANGE ? "start" : "value",
                      tool_json_string(en.value));
        if (en.kind == CLID_TNAUTH_RANGE)
            tool_json_put(o, "count", json_integer((json_int_t)en.count));
        tool_json_push(arr, o);
    }
    return arr;
}

static json_t *entity_json(const clid_entity *e)
{
    if (e == NULL)
        return json_null();
    json_t *o = json_object();
    tool_json_put(o, "role", json_string(clid_entity_role_name(clid_entity_get_role(e))));
    json_t *cc = json_array();
    for (size_t i = 0; i < clid_entity_country_count(e); i++)
        tool_json_push(cc, json_string(clid_entity_country(e, i)));
    tool_json_put(o, "country_codes", cc);
    tool_json_put(o, "carrier_code", opt_string(clid_entity_carrier(e)));
    tool_json_put(o, "operator_name", opt_string(clid_entity_operator_name(e)));
    return o;
}

/* "checked" (and held), "skipped" (--no-binding) or "not checked" (the
 * verification ended before it held). */
static const char *binding_state(const clid_result *r, unsigned skip, unsigned skip_bit,
                                 unsigned bound_bit)
{
    if (skip & skip_bit)
        return "skipped";
    return (clid_result_binding_checked(r) & bound_bit) ? "checked" : "not checked";
}


/* The profile deviations accepted (clid_result_warning), in order. */
static json_t *warnings_json(const clid_result *r)
{
    json_t *arr = json_array();
    for (size_t i = 0; arr && i < clid_result_warning_count(r); i++) {
        clid_err w = clid_result_warning(r, i);
        json_t *o = json_object();
        tool_json_put(o, "name", json_string(clid_err_name(w)));
        tool_json_put(o, "text", json_string(clid_err_str(w)));
        tool_json_push(arr, o);
    }
    return arr;
}

/* Diverted calls (RFC 8946): the div links in chain order, the failed
 * one, a div-o's carried original; null when the request had none. */
static json_t *div_chain_json(const clid_result *r)
{
    size_t n = clid_result_div_count(r);
    if (n == 0 && clid_result_div_opt(r) == NULL)
        return json_null();
    json_t *o = json_object();
    json_t *links = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *l = json_object();
        tool_json_put(l, "from", opt_string(clid_result_div_from(r, i)));
        tool_json_put(l, "to", opt_string(clid_result_div_to(r, i)));
        tool_json_put(l, "iat", json_integer((json_int_t)clid_result_div_iat(r, i)));
        tool_json_put(l, "spc", opt_string(clid_result_div_spc(r, i)));
        tool_json_push(links, l);
    }
    tool_json_put(o, "links", links);
    int failed = clid_result_div_failed_link(r);
    tool_json_put(o, "failed_link", failed >= 0 ? json_integer(failed) : json_null());
    tool_json_put(o, "opt", opt_string(clid_result_div_opt(r)));
    return o;
}

static json_t *result_json(const clid_result *r, unsigned skip)
{
    json_t *o = json_object();
    tool_json_put(o, "verstat", json_string(clid_verstat_str(clid_result_verstat(r))));
    tool_json_put(o, "reason", json_string(clid_err_name(clid_result_reason(r))));
    tool_json_put(o, "reason_text", json_string(clid_err_str(clid_result_reason(r))));
    tool_json_put(o, "sip_status", json_integer(clid_result_sip_status(r)));
    const char *detail = clid_result_detail(r);
    tool_json_put(o, "detail", detail[0] ? tool_json_string(detail) : json_null());
    json_t *binding = json_object();
    tool_json_put(binding, "orig", json_string(binding_state(r, skip, CLID_VERIFY_SKIP_ORIG_BINDING,
                                                             CLID_BINDING_ORIG)));
    tool_json_put(binding, "dest", json_string(binding_state(r, skip, CLID_VERIFY_SKIP_DEST_BINDING,
                                                             CLID_BINDING_DEST)));
    tool_json_put(o, "binding", binding);
    tool_json_put(o, "revocation_checked", json_boolean(clid_result_revocation_checked(r)));
    tool_json_put(o, "warnings", warnings_json(r));

    json_t *claims = json_object();
    tool_json_put(claims, "ppt", opt_string(clid_result_ppt(r)));
    tool_json_put(claims, "orig", opt_string(clid_result_orig(r)));
    json_t *dest = json_array();
    for (size_t i = 0; i < clid_result_dest_count(r); i++)
        tool_json_push(dest, tool_json_string(clid_result_dest(r, i)));
    tool_json_put(claims, "dest", dest);
    char attest[2] = {clid_result_attest(r), '\0'};
    tool_json_put(claims, "attest", attest[0] ? json_string(attest) : json_null());
    tool_json_put(claims, "origid", opt_string(clid_result_origid(r)));
    tool_json_put(claims, "div", opt_string(clid_result_div(r)));
    int64_t iat = clid_result_iat(r);
    tool_json_put(claims, "iat", iat ? json_integer((json_int_t)iat) : json_null());
    tool_json_put(claims, "x5u", opt_string(clid_result_x5u(r)));
    tool_json_put(o, "claims", claims);

    json_t *signer = json_null();
    if (clid_result_signer_subject(r) != NULL) {
        signer = json_object();
        tool_json_put(signer, "subject", tool_json_string(clid_result_signer_subject(r)));
        tool_json_put(signer, "issuer", opt_string(clid_result_signer_issuer(r)));
        tool_json_put(signer, "serial", opt_string(clid_result_signer_serial(r)));
        tool_json_put(signer, "not_after",
                      json_integer((json_int_t)clid_result_signer_not_after(r)));
        tool_json_put(signer, "spc", opt_string(clid_result_signer_spc(r)));
        tool_json_put(signer, "tnauthlist", tnauth_json(clid_result_signer_tnauth(r)));
        tool_json_put(signer, "signalling_entity", entity_json(clid_result_signer_entity(r)));
    }
    tool_json_put(o, "signer", signer);
    tool_json_put(o, "div_chain", div_chain_json(r));
    tool_json_put(o, "rcd", tool_rcd_json(r));
    return o;
}

static int exit_for(clid_verstat v)
{
    switch (v) {
    case CLID_VERSTAT_PASSED: return 0;
    case CLID_VERSTAT_FAILED: return 1;
    case CLID_VERSTAT_NO_VALIDATION: return 2;
    }
    return 2;
}

/* Reads a whole file for --chain. */
static int read_chain(const char *path, char **pem, size_t *len)
{
    uint8_t *buf = NULL;
    int rc = tool_read_file(path, CLID_CHAIN_MAX_LEN, &buf, len);
    if (rc != TOOL_EXIT_OK)
        return TOOL_EXIT_NOINPUT;
    *pem = (char *)buf;
    return TOOL_EXIT_OK;
}

/* The verdict on stdout: three lines (and a detail, and the bindings left
 * unchecked), or one JSON object. */
static int print_result(const clid_result *res, int json, unsigned skip)
{
    if (json) {
        json_t *j = result_json(res, skip);
        int bad = j == NULL || tool_json_print(stdout, j) != 0;
        json_decref(j);
        return bad ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
    }
    printf("%s\nreason: %s\nsip: %d\n", clid_verstat_str(clid_result_verstat(res)),
           clid_err_name(clid_result_reason(res)), clid_result_sip_status(res));
    const char *detail = clid_result_detail(res);
    if (detail[0] != '\0') {
        char *safe = tool_sanitize(detail, strlen(detail));
        printf("detail: %s\n", safe ? safe : "");
        free(safe);
    }
    if (skip != 0)
        printf("binding: not checked: %s\n",
               skip == (CLID_VERIFY_SKIP_ORIG_BINDING | CLID_VERIFY_SKIP_DEST_BINDING)
                   ? "orig, dest"
               : skip == CLID_VERIFY_SKIP_ORIG_BINDING ? "orig"
                                                      : "dest");
    /* One line per profile deviation accepted (docs/verification.md,
     * "Strict and lenient"); the texts are the error table's, never input. */
    for (size_t i = 0; i < clid_result_warning_count(res); i++) {
        clid_err w = clid_result_warning(res, i);
        printf("warning: %s: %s\n", clid_err_name(w), clid_err_str(w));
    }
    tool_rcd_print(res);
    return fflush(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

/* --output: the request with the verdict's verstat on the caller's URI. A
 * request whose caller is no number has no URI to mark: written unchanged. */
static int write_marked(const char *path, const char *msg, size_t len, clid_verstat vs)
{
    size_t cap = len + CLID_SIP_VERSTAT_EXTRA + 1, n = 0;
    char *out = malloc(cap);
    if (out == NULL) {
        tool_error("verify: out of memory");
        return TOOL_EXIT_FAIL;
    }
    clid_err e = clid_sip_add_verstat(msg, len, vs, out, cap, &n);
    int rc;
    if (e == CLID_OK) {
        rc = tool_write_file(path, out, n);
    } else if (e == CLID_ERR_SIP_NO_CALLER) {
        rc = tool_write_file(path, msg, len);
    } else {
        tool_error("%s: verstat: %s: %s", path, clid_err_name(e), clid_err_str(e));
        rc = TOOL_EXIT_FAIL;
    }
    free(out);
    return rc;
}

/* --present-rcd: the marked request (write_marked's edit) with the
 * verified Rich Call Data as Call-Info (clid_sip_add_rcd); a failed or
 * unsigned call gets only the removal of upstream RCD Call-Info. */
static int write_presented(const char *path, const char *msg, size_t len, const clid_result *r)
{
    size_t cap = len + CLID_SIP_VERSTAT_EXTRA + 1, n = 0;
    char *marked = malloc(cap);
    char *out = NULL;
    clid_err e = marked == NULL ? CLID_ERR_NOMEM
                                : clid_sip_add_verstat(msg, len, clid_result_verstat(r), marked,
                                                       cap, &n);
    if (e == CLID_ERR_SIP_NO_CALLER && marked != NULL) {
        memcpy(marked, msg, len);
        n = len;
        e = CLID_OK;
    }
    size_t out_len = 0;
    if (e == CLID_OK) {
        size_t ocap = n + CLID_SIP_RCD_EXTRA + 1;
        out = malloc(ocap);
        e = out == NULL ? CLID_ERR_NOMEM : clid_sip_add_rcd(marked, n, r, out, ocap, &out_len);
    }
    int rc;
    if (e == CLID_OK) {
        rc = tool_write_file(path, out, out_len);
    } else {
        tool_error("%s: Call-Info: %s: %s", path, clid_err_name(e), clid_err_str(e));
        rc = TOOL_EXIT_FAIL;
    }
    free(out);
    free(marked);
    return rc;
}

static int request_mode_usage(const tool_args *a)
{
    static const int not_with_file[] = {OPT_IDENTITY, OPT_ORIG, OPT_DEST, OPT_DATE,
                                        OPT_NO_BINDING};
    for (size_t i = 0; i < sizeof not_with_file / sizeof not_with_file[0]; i++)
        if (a->seen[not_with_file[i]])
            return tool_usage_error("verify", "verify", "%s: not with a SIP request FILE (the "
                                    "request has it)", verify_opts[not_with_file[i]].name);
    if (a->seen[OPT_OUTPUT] && strcmp(a->value[OPT_OUTPUT], "-") == 0)
        return tool_usage_error("verify", "verify", "--output: a file, not standard output "
                                "(the verdict is printed there)");
    if (a->seen[OPT_PRESENT_RCD] && strcmp(a->value[OPT_PRESENT_RCD], "-") == 0)
        return tool_usage_error("verify", "verify", "--present-rcd: a file, not standard "
                                "output (the verdict is printed there)");
    return TOOL_EXIT_OK;
}

int cmd_verify(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("verify", "verify", argc - 1, argv + 1, verify_opts, NOPTS, &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[OPT_HELP]) {
        cmd_verify_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos > 1)
        return tool_usage_error("verify", "verify", "unexpected operand '%s'", a.pos[1]);
    int request = a.npos == 1;
    if (request && (rc = request_mode_usage(&a)) != TOOL_EXIT_OK)
        return rc;
    if (!request && (a.seen[OPT_OUTPUT] || a.seen[OPT_ISUP] || a.seen[OPT_PRESENT_RCD]))
        return tool_usage_error("verify", "verify", "%s: only with a SIP request FILE",
                                a.seen[OPT_OUTPUT] ? "--output"
                                : a.seen[OPT_ISUP] ? "--isup"
                                                   : "--present-rcd");
    if (!a.seen[OPT_ISUP] && (a.seen[OPT_CC] || a.seen[OPT_APM_CTX]))
        return tool_usage_error("verify", "verify", "%s: only with --isup",
                                a.seen[OPT_CC] ? "--country-code" : "--apm-context");
    clid_sipi_opts so;
    memset(&so, 0, sizeof so);
    so.country_code = a.value[OPT_CC];
    if (a.seen[OPT_APM_CTX] &&
        (rc = tool_isup_apm_context("verify", a.value[OPT_APM_CTX], &so.apm_context)) !=
            TOOL_EXIT_OK)
        return rc;

    clid_verify_input in;
    memset(&in, 0, sizeof in);
    in.identity = a.value[OPT_IDENTITY];
    in.orig = a.value[OPT_ORIG];
    in.dest = a.value[OPT_DEST];
    /* A PASSporT is about the call it came with (RFC 8224 §6.2 step 1):
     * without the request's numbers a "passed" says nothing about a call,
     * so leaving them out is an explicit choice, never a default. */
    int has_identity = in.identity != NULL && in.identity[0] != '\0';
    if (!request && has_identity && !a.seen[OPT_NO_BINDING] && (!in.orig || !in.dest))
        return tool_usage_error("verify", "verify",
                                "--identity needs --orig and --dest (the request's numbers), "
                                "or --no-binding to analyse the PASSporT without them");
    if (a.seen[OPT_NO_BINDING] && in.orig && in.dest)
        return tool_usage_error("verify", "verify",
                                "--no-binding: --orig and --dest are both given, nothing is "
                                "left unchecked");
    unsigned skip = 0;
    if (!request) {
        skip = (in.orig ? 0 : CLID_VERIFY_SKIP_ORIG_BINDING) |
               (in.dest ? 0 : CLID_VERIFY_SKIP_DEST_BINDING);
        in.skip = skip;
        if (!has_identity)
            skip = 0; /* nothing to bind: an unsigned call says nothing about bindings */
    }
    if (a.seen[OPT_AT] && (tool_parse_time(a.value[OPT_AT], &in.now) != 0 || in.now == 0))
        return tool_usage_error("verify", "verify", "--at: not Unix seconds or RFC 3339");
    if (a.seen[OPT_DATE] && (tool_parse_time(a.value[OPT_DATE], &in.date) != 0 || in.date == 0))
        return tool_usage_error("verify", "verify", "--date: not Unix seconds or RFC 3339");

    clid_ctx *ctx = NULL;
    clid_verifier *v = NULL;
    clid_result *res = NULL;
    char *chain = NULL;
    uint8_t *msg = NULL;
    size_t msg_len = 0;
    void *fetcher = NULL;
    if (clid_ctx_new(&ctx) != CLID_OK || clid_result_new(&res) != CLID_OK) {
        rc = TOOL_EXIT_FAIL;
        goto out;
    }
    if ((rc = configure(ctx, &a)) != TOOL_EXIT_OK)
        goto out;
    if (a.seen[OPT_CRL_ALLOW] && !a.seen[OPT_CRL_FETCH]) {
        rc = tool_usage_error("verify", "verify", "--crl-url-allow: only with --crl-fetch");
        goto out;
    }
    tool_fetch_opts fo = {a.seen[OPT_ALLOW_HTTP], a.seen[OPT_ALLOW_PRIVATE],
                          a.value[OPT_CACHE_DIR], a.value[OPT_X5U_CA],
                          a.seen[OPT_CRL_FETCH], a.values[OPT_CRL_ALLOW], a.seen[OPT_CRL_ALLOW]};
    if ((rc = tool_fetch_setup("verify", ctx, &fo, &fetcher)) != TOOL_EXIT_OK)
        goto out;
    if ((rc = tool_rcd_content_map("verify", ctx, a.values[OPT_RCD_CONTENT],
                                   a.seen[OPT_RCD_CONTENT])) != TOOL_EXIT_OK)
        goto out;
    if (a.seen[OPT_CHAIN]) {
        if ((rc = read_chain(a.value[OPT_CHAIN], &chain, &in.chain_len)) != TOOL_EXIT_OK)
            goto out;
        in.chain_pem = chain;
    }
    if (request && (rc = tool_read_file(a.pos[0], CLID_SIP_MAX_LEN, &msg, &msg_len)) !=
                       TOOL_EXIT_OK)
        goto out;
    if (clid_verifier_new(ctx, &v) != CLID_OK) {
        rc = TOOL_EXIT_FAIL;
        goto out;
    }
    clid_err verdict;
    if (request) {
        clid_sip_verify_opts o = {.now = in.now, .chain_pem = in.chain_pem,
                                  .chain_len = in.chain_len};
        if (a.seen[OPT_ISUP]) {
            so.verify = o;
            verdict = clid_sipi_verify(v, &so, (const char *)msg, msg_len, res);
        } else {
            verdict = clid_sip_verify(v, &o, (const char *)msg, msg_len, res);
        }
        /* An IAM that does not parse, or no IAM, is not a SIP-I request. */
        if (verdict == CLID_ERR_SIP_PARSE || verdict == CLID_ERR_SIP_TOO_LARGE ||
            verdict == CLID_ERR_ISUP_PARSE || verdict == CLID_ERR_ISUP_TOO_LARGE ||
            verdict == CLID_ERR_ISUP_ABSENT) {
            /* Not a verdict on a call: the input is not a request. */
            const char *detail = clid_result_detail(res);
            tool_error("%s: SIP request: %s: %s%s%s%s", a.pos[0], clid_err_name(verdict),
                       clid_err_str(verdict), detail[0] ? " (" : "", detail,
                       detail[0] ? ")" : "");
            rc = TOOL_EXIT_DATAERR;
            goto out;
        }
    } else {
        /* As the one Identity header of a request (clid_verify_identities):
         * a div-o PASSporT is then verified with the original it carries
         * (RFC 8946 §5); anything else exactly as clid_verify_identity. */
        const char *ids[1] = {in.identity};
        clid_verify_input one = in;
        one.identity = NULL;
        verdict = clid_verify_identities(v, &one, ids, 1, res);
    }
    (void)verdict; /* also in res, with everything else printed below */

    if ((rc = print_result(res, a.seen[OPT_JSON], skip)) != TOOL_EXIT_OK)
        goto out;
    if (request && a.seen[OPT_OUTPUT] &&
        (rc = write_marked(a.value[OPT_OUTPUT], (const char *)msg, msg_len,
                           clid_result_verstat(res))) != TOOL_EXIT_OK)
        goto out;
    if (request && a.seen[OPT_PRESENT_RCD] &&
        (rc = write_presented(a.value[OPT_PRESENT_RCD], (const char *)msg, msg_len, res)) !=
            TOOL_EXIT_OK)
        goto out;
    rc = exit_for(clid_result_verstat(res));
out:
    free(msg);
    free(chain);
    clid_verifier_free(v);
    clid_result_free(res);
    clid_ctx_free(ctx);
    tool_fetch_free(fetcher);
    return rc;
}
