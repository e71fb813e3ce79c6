/*
 * The certificate-profile lint engine (profile.h, clid_lint.h): the role of
 * each certificate, its decoded extensions, the dispatch to the rule groups
 * of the profile, and the helpers the rule files share.
 *
 * Roles come from the chain as served (leaf first, RFC 7515 §4.1.5) and
 * from basicConstraints: a certificate that says cA, or that issues the one
 * before it, is a CA (a root when self-issued, RFC 5280 §3.3 and §6.1,
 * else an intermediate); anything else is an end entity. A rule that cannot
 * be evaluated because another rule's subject is missing (no SPC to compare
 * the CN with, no issuer in the chain for the AKI) stays silent: that other
 * rule reports it, so one defect gives one finding.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "core/internal.h"
#include "x509/profile.h"

/* ------------------------------------------------------------------------ */
/* Helpers for the rule files                                                */
/* ------------------------------------------------------------------------ */

const char *clid__lint_oid(X509_EXTENSION *ext, char *buf, size_t cap)
{
    int n = OBJ_obj2txt(buf, (int)cap, X509_EXTENSION_get_object(ext), 1);
    if (n <= 0 || (size_t)n >= cap)
        buf[0] = '\0';
    return buf;
}

int clid__lint_ext_index(const X509 *x, const char *oid)
{
    char buf[128];
    int found = -1;
    for (int i = 0; i < X509_get_ext_count(x); i++) {
        if (strcmp(clid__lint_oid(X509_get_ext(x, i), buf, sizeof buf), oid) != 0)
            continue;
        if (found >= 0)
            return -2;
        found = i;
    }
    return found;
}

int clid__lint_ext_processed(X509_EXTENSION *ext, clid_cert_role role)
{
    if (X509_supported_extension(ext))
        return 1;
    char buf[128];
    const char *oid = clid__lint_oid(ext, buf, sizeof buf);
    /* What chain_validate.c accepts as critical: TNAuthList anywhere (it is
     * decoded and checked for delegation), the claim constraints and the
     * SignallingEntity on the signer, where the verifier enforces them. */
    if (strcmp(oid, CLID_OID_TNAUTHLIST) == 0)
        return 1;
    return role == CLID_CERT_ROLE_END_ENTITY &&
           (strcmp(oid, CLID_OID_JWT_CLAIM_CONSTRAINTS) == 0 ||
            strcmp(oid, CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS) == 0 ||
            strcmp(oid, CLID_OID_SIGNALLING_ENTITY) == 0);
}

const char *clid__lint_cn(const X509_NAME *name, char *buf, size_t cap)
{
    int i = X509_NAME_get_index_by_NID(name, NID_commonName, -1);
    if (i < 0)
        return NULL;
    const ASN1_STRING *s = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i));
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, s);
    const char *out = NULL;
    if (n >= 0 && (size_t)n < cap && memchr(utf8, 0, (size_t)n) == NULL) {
        memcpy(buf, utf8, (size_t)n);
        buf[n] = '\0';
        out = buf;
    }
    OPENSSL_free(utf8);
    return out;
}

const char *clid__lint_first_spc(const clid_tnauth *l)
{
    for (size_t i = 0; i < clid_tnauth_count(l); i++) {
        clid_tnauth_entry e;
        if (clid_tnauth_get(l, i, &e) == CLID_OK && e.kind == CLID_TNAUTH_SPC)
            return e.value;
    }
    return NULL;
}

void clid__lint_add(clid__lint *l, const clid__lint_cert *c, clid__lint_rule_id rule,
                    const char *fmt, ...)
{
    if (!c->linted || !clid__lint_wants(l, rule) || l->failure != CLID_OK)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    l->failure = clid__lint_report_add(l->report, rule, c->index, msg);
}

/* ------------------------------------------------------------------------ */
/* The run                                                                   */
/* ------------------------------------------------------------------------ */

static int bc_says_ca(X509 *x)
{
    /* NULL when absent, repeated or undecodable: not a CA by its own word. */
    BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(x, NID_basic_constraints, NULL, NULL);
    int ca = bc != NULL && bc->ca;
    BASIC_CONSTRAINTS_free(bc);
    return ca;
}

/* Whether the critical flag of any occurrence of `oid` is set. */
static int ext_critical(const X509 *x, const char *oid)
{
    char buf[128];
    for (int i = 0; i < X509_get_ext_count(x); i++) {
        X509_EXTENSION *ext = X509_get_ext(x, i);
        if (strcmp(clid__lint_oid(ext, buf, sizeof buf), oid) == 0 &&
            X509_EXTENSION_get_critical(ext) > 0)
            return 1;
    }
    return 0;
}

static int fatal(clid_err rc)
{
    return rc == CLID_ERR_NOMEM || rc == CLID_ERR_INTERNAL || rc == CLID_ERR_INVALID_ARGUMENT;
}

static clid_err setup_cert(clid__lint *l, X509 *const *chain, size_t i, size_t n_lint,
                           int leaf_is_signer)
{
    clid__lint_cert *c = &l->certs[i];
    X509 *x = chain[i];
    c->x = x;
    c->index = i;
    c->linted = i < n_lint;
    c->self_issued = X509_NAME_cmp(X509_get_subject_name(x), X509_get_issuer_name(x)) == 0;
    if (i + 1 < l->n &&
        X509_NAME_cmp(X509_get_issuer_name(x), X509_get_subject_name(chain[i + 1])) == 0)
        c->issuer = chain[i + 1];
    else if (c->self_issued)
        c->issuer = x;

    int issues_previous =
        i > 0 && X509_NAME_cmp(X509_get_issuer_name(chain[i - 1]), X509_get_subject_name(x)) == 0;
    int ca = bc_says_ca(x) || issues_previous;
    if (i == 0 && leaf_is_signer)
        ca = 0;
    c->role = !ca ? CLID_CERT_ROLE_END_ENTITY
              : c->self_issued ? CLID_CERT_ROLE_ROOT
                               : CLID_CERT_ROLE_INTERMEDIATE;

    c->tnauth_err = clid_x509_get_tnauth(x, &c->tnauth, NULL);
    if (fatal(c->tnauth_err))
        return c->tnauth_err;
    c->tnauth_critical = ext_critical(x, CLID_OID_TNAUTHLIST);
    c->entity_err = clid_x509_get_entity(x, &c->entity, NULL);
    if (fatal(c->entity_err))
        return c->entity_err;
    c->entity_critical = ext_critical(x, CLID_OID_SIGNALLING_ENTITY);
    if (c->linted)
        CLID_TRY(clid__lint_report_add_cert(l->report, x, c->role));
    return CLID_OK;
}

static void clear(clid__lint *l)
{
    for (size_t i = 0; i < l->n; i++) {
        clid_tnauth_free(l->certs[i].tnauth);
        clid_entity_free(l->certs[i].entity);
    }
}

clid_err clid__lint_run(clid_lint_report *r, clid_cert_profile profile, X509 *const *chain,
                        size_t n, size_t n_lint, int leaf_is_signer, int64_t at)
{
    CLID_ENSURE(r != NULL, CLID_ERR_INVALID_ARGUMENT);
    clid__lint_report_reset(r);
    CLID_ENSURE(chain != NULL && n >= 1 && n <= CLID_LINT_MAX_CERTS && n_lint <= n,
                CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(profile == CLID_CERT_PROFILE_SHAKEN || profile == CLID_CERT_PROFILE_Q3063,
                CLID_ERR_INVALID_ARGUMENT);
    for (size_t i = 0; i < n; i++)
        CLID_ENSURE(chain[i] != NULL, CLID_ERR_INVALID_ARGUMENT);

    clid__lint *l = calloc(1, sizeof *l);
    CLID_ENSURE(l != NULL, CLID_ERR_NOMEM);
    l->report = r;
    l->profile = profile;
    l->n = n;
    l->at = at;
    clid_err rc = CLID_OK;
    for (size_t i = 0; i < n && rc == CLID_OK; i++) {
        rc = setup_cert(l, chain, i, n_lint, leaf_is_signer);
        if (rc != CLID_OK)
            l->n = i + 1; /* what clear() must free */
    }
    for (size_t i = 0; i < n_lint && rc == CLID_OK; i++) {
        clid__lint_x509(l, &l->certs[i]);
        if (profile == CLID_CERT_PROFILE_SHAKEN)
            clid__lint_sti(l, &l->certs[i]);
        else
            clid__lint_q3063(l, &l->certs[i]);
        rc = l->failure;
    }
    clear(l);
    free(l);
    if (rc != CLID_OK) {
        clid__lint_report_reset(r);
        return rc;
    }
    clid__lint_report_sort(r);
    return CLID_OK;
}

clid_err clid_lint_chain(clid_lint_report *r, clid_cert_profile profile, X509 *const *chain,
                         size_t n, int64_t at)
{
    return clid__lint_run(r, profile, chain, n, n, 0, at);
}
