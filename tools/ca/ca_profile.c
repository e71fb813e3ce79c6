/*
 * clid ca: which certificate profile a certificate follows, and the proof
 * (docs/ca.md section 3, "Profiles").
 *
 * Every certificate clid ca makes states a profile: "shaken" (ATIS-1000080
 * v005), "q3063" (clid's Q.3063 profile) or "none" with the reason. The
 * claim is first derived from what the certificate is (its kind, its
 * TNAuthList, its SignallingEntity, its CRL distribution point); then,
 * before anything is written, the chain as it will be served (the new
 * certificate, its CA certificates, the root) is linted against the claim
 * with the library's lint (clid_lint.h), the one `clid cert lint` runs:
 *
 *   - an error in a CA certificate above the new one (a directory made by
 *     an earlier version, whose root and intermediate do not follow the
 *     profile): the claim becomes "none", the reason naming it;
 *   - an error in one of the rules on values the operator chose
 *     (VALUE_RULES: a SignallingEntity role that does not sign, numbers
 *     outside the listed country codes; tests need such certificates): the
 *     claim becomes "none", the reason naming the rule;
 *   - any other error in the new certificate: clid ca built it wrong. That
 *     is an internal error (exit 70): nothing is written.
 */
#include "ca.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Rules whose breach the operator asked for (a value on the command line
 * or in the CSR), not a defect of clid ca's building. */
static const char *const VALUE_RULES[] = {"q3063.entity.role", "q3063.entity.country"};

static void claim_none(ca_claim *c, const char *fmt, ...) TOOL_PRINTF(2, 3);
static void claim_none(ca_claim *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    c->profile = CLID_CERT_PROFILE_NONE;
    vsnprintf(c->reason, sizeof c->reason, fmt, ap);
    va_end(ap);
}

static int http_url(const char *u)
{
    return u != NULL && (strncmp(u, "http://", 7) == 0 || strncmp(u, "https://", 8) == 0);
}

void ca_claim_candidate(ca_claim *c, ca_kind kind, const ca_spec *s, const char *dp_url,
                        int dp_crl_issuer, int dp_explicit)
{
    memset(c, 0, sizeof *c);
    clid_tnauth_entry e = {0};
    int spc_only = clid_tnauth_count(s->tnauth) == 1 &&
                   clid_tnauth_get(s->tnauth, 0, &e) == CLID_OK && e.kind == CLID_TNAUTH_SPC;
    if (kind == CA_KIND_SP_CA || s->entity != NULL) {
        /* The Q.3063 profile (docs/q3063-profile.md §4): an end entity
         * with a SignallingEntity, or an SP CA (CA certificates may carry a
         * TNAuthList, §4.2); one http(s) CRL distribution point, with or
         * without cRLIssuer. */
        if (dp_url == NULL)
            claim_none(c, "no CRL distribution point (crldp.present): the Q.3063 profile wants "
                          "one; give --crl-url (a delegate's CRL is its SP CA's)");
        else if (!http_url(dp_url))
            claim_none(c, "the CRL distribution point is not an http(s) URI (crldp.form)");
        else
            c->profile = CLID_CERT_PROFILE_Q3063;
    } else if (kind == CA_KIND_DELEGATE) {
        claim_none(c, "an RFC 9060 delegate certificate: outside ATIS-1000080 v005, which "
                      "allows no TNAuthList on its SP CA (sti.tnauth.ca), and without a "
                      "SignallingEntity no Q.3063-profile end entity (q3063.entity.present)");
    } else if (!spc_only) {
        claim_none(c, "a certificate for telephone numbers (RFC 8226): ATIS-1000080 v005 wants "
                      "a single SPC on end entities (sti.tnauth.spc), and without a "
                      "SignallingEntity it is no Q.3063-profile end entity "
                      "(q3063.entity.present)");
    } else if (!dp_crl_issuer) {
        claim_none(c, "its CRL distribution point has no cRLIssuer (sti.crldp.issuer): %s",
                   dp_explicit ? "--crl-url names a CRL of its own"
                               : "this CA directory has no STI-PA CRL signer (made before clid "
                                 "ca init made one)");
    } else {
        c->profile = CLID_CERT_PROFILE_SHAKEN;
    }
}

static int is_value_rule(const char *rule)
{
    for (size_t i = 0; i < sizeof VALUE_RULES / sizeof VALUE_RULES[0]; i++)
        if (strcmp(rule, VALUE_RULES[i]) == 0)
            return 1;
    return 0;
}

int ca_claim_check(const char *cmd, ca_claim *c, X509 *const *chain, size_t n)
{
    clid_lint_finding f;
    const char *name = clid_cert_profile_name(c->profile);
    if (c->profile == CLID_CERT_PROFILE_NONE)
        return TOOL_EXIT_OK;
    if (clid_lint_report_new(&c->report) != CLID_OK ||
        clid_lint_chain(c->report, c->profile, chain, n, 0) != CLID_OK) {
        tool_error("%s: out of memory", cmd);
        return TOOL_EXIT_FAIL;
    }
    size_t count = clid_lint_count(c->report), internal = 0, first = 0;
    for (size_t i = 0; i < count; i++) {
        if (clid_lint_get(c->report, i, &f) != CLID_OK || f.severity != CLID_LINT_ERROR ||
            f.cert_index == 0)
            continue;
        claim_none(c, "its issuer does not follow the %s profile: certificate %zu (%s): %s: %s",
                   name, f.cert_index, f.subject, f.rule, f.message);
        return TOOL_EXIT_OK;
    }
    for (size_t i = 0; i < count; i++)
        if (clid_lint_get(c->report, i, &f) == CLID_OK && f.severity == CLID_LINT_ERROR &&
            !is_value_rule(f.rule) && internal++ == 0)
            first = i;
    if (internal > 0) {
        if (clid_lint_get(c->report, first, &f) != CLID_OK)
            f.rule = f.clause = f.message = "?";
        tool_error("%s: internal error: the certificate does not follow the %s profile it would "
                   "claim (%zu error%s; %s [%s]: %s); nothing written",
                   cmd, name, internal, internal == 1 ? "" : "s", f.rule, f.clause, f.message);
        return TOOL_EXIT_SOFTWARE;
    }
    for (size_t i = 0; i < count; i++)
        if (clid_lint_get(c->report, i, &f) == CLID_OK && f.severity == CLID_LINT_ERROR) {
            claim_none(c, "%s: %s", f.rule, f.message);
            break;
        }
    return TOOL_EXIT_OK;
}

void ca_claim_print(const ca_claim *c, FILE *out, size_t upto, const char *note)
{
    if (c->profile == CLID_CERT_PROFILE_NONE) {
        fprintf(out, "profile: none (%s)\n", c->reason);
        return;
    }
    fprintf(out, "profile: %s%s%s%s\n", clid_cert_profile_name(c->profile), note ? " (" : "",
            note ? note : "", note ? ")" : "");
    for (size_t i = 0; c->report != NULL && i < clid_lint_count(c->report); i++) {
        clid_lint_finding f;
        if (clid_lint_get(c->report, i, &f) == CLID_OK && f.severity == CLID_LINT_WARNING &&
            f.cert_index < upto)
            fprintf(out, "warning: %s [%s]: %s\n", f.rule, f.clause, f.message);
    }
}

const char *ca_claim_reason(const ca_claim *c)
{
    return c->profile == CLID_CERT_PROFILE_NONE ? c->reason : NULL;
}

void ca_claim_free(ca_claim *c)
{
    clid_lint_report_free(c->report);
    c->report = NULL;
}
