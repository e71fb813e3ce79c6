/*
 * The certificate-profile lint (clid_lint.h) inside the library: the rule
 * engine shared by clid_lint_chain() and the verifier's profile policy
 * (profile_enforce.c), and what the rule files (profile_x509.c,
 * profile_sti.c, profile_q3063.c) see of a certificate.
 *
 * Each certificate's extensions clid decodes are decoded once, when the
 * run starts; the rules then only read.
 */
#ifndef CLID_X509_PROFILE_H
#define CLID_X509_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include <clid/clid_ext.h>
#include <clid/clid_lint.h>

#include "x509/profile_rules.h"

/* What the rules know of one certificate of the chain. */
typedef struct clid__lint_cert {
    X509 *x;
    size_t index;
    clid_cert_role role;
    int linted;            /* findings are reported on it (else it is context: an issuer) */
    X509 *issuer;          /* the next certificate when it names this one's issuer, or
                              this one when self-issued; NULL otherwise */
    int self_issued;       /* subject == issuer */
    clid_tnauth *tnauth;   /* decoded TNAuthList, or NULL */
    clid_err tnauth_err;   /* CLID_OK, CLID_ERR_EXT_ABSENT, a decoding error */
    int tnauth_critical;
    clid_entity *entity;   /* decoded SignallingEntity, or NULL */
    clid_err entity_err;
    int entity_critical;
} clid__lint_cert;

typedef struct clid__lint {
    clid_lint_report *report;
    clid_cert_profile profile;
    clid__lint_cert certs[CLID_LINT_MAX_CERTS];
    size_t n;         /* certificates in the chain */
    int64_t at;       /* validity.at time, 0: not checked */
    clid_err failure; /* sticky: CLID_ERR_NOMEM while recording */
} clid__lint;

/*
 * Runs every rule of `profile` over chain[0..n), reporting findings on the
 * first `n_lint` certificates only (those after are issuers, used for the
 * AKI, validity and delegation rules). With `leaf_is_signer`, certificate
 * 0 is an end entity whatever its basicConstraints say (the verifier's
 * signer). Replaces what `r` held.
 */
clid_err clid__lint_run(clid_lint_report *r, clid_cert_profile profile, X509 *const *chain,
                        size_t n, size_t n_lint, int leaf_is_signer, int64_t at);

/* Records a finding of `rule` on `c` (a printf-style message). Findings on
 * context certificates, and rules outside the run's profile, are dropped. */
void clid__lint_add(clid__lint *l, const clid__lint_cert *c, clid__lint_rule_id rule,
                    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* Whether `rule` belongs to the run's profile. */
int clid__lint_wants(const clid__lint *l, clid__lint_rule_id rule);

/* The rule groups, in profile_x509.c, profile_sti.c and profile_q3063.c. */
void clid__lint_x509(clid__lint *l, const clid__lint_cert *c);
void clid__lint_sti(clid__lint *l, const clid__lint_cert *c);
void clid__lint_q3063(clid__lint *l, const clid__lint_cert *c);

/* ------------------------------------------------------------------------ */
/* Helpers shared by the rule files                                          */
/* ------------------------------------------------------------------------ */

/* The dotted OID of an extension into buf (cap >= 96); "" when it does not fit. */
const char *clid__lint_oid(X509_EXTENSION *ext, char *buf, size_t cap);
/* The index of the extension with this dotted OID, or -1; -2 when present twice. */
int clid__lint_ext_index(const X509 *x, const char *oid);
/* Whether extension `ext` of a certificate in role `role` is processed by
 * OpenSSL or by clid's verifier (so may be critical: RFC 5280 §4.2). */
int clid__lint_ext_processed(X509_EXTENSION *ext, clid_cert_role role);
/* The first CN of `name` as UTF-8 into buf (NUL-terminated), or NULL when
 * there is none, it does not fit, or it holds a NUL. */
const char *clid__lint_cn(const X509_NAME *name, char *buf, size_t cap);
/* The first SPC entry of a TNAuthList, or NULL. */
const char *clid__lint_first_spc(const clid_tnauth *l);

/* The report's storage (lint_report.c). */
void clid__lint_report_reset(clid_lint_report *r);
/* Records certificate i's role and subject (RFC 2253 of `x`). */
clid_err clid__lint_report_add_cert(clid_lint_report *r, const X509 *x, clid_cert_role role);
/* Appends a finding (message copied and made printable ASCII). */
clid_err clid__lint_report_add(clid_lint_report *r, clid__lint_rule_id rule, size_t cert,
                               const char *message);
/* Sorts the findings by certificate, then rule, keeping the order of equal ones. */
void clid__lint_report_sort(clid_lint_report *r);

/* For the verifier: the first error of a report, as "rule (clause):
 * certificate N: message [subject]", into detail. 0 when there is none. */
int clid__lint_first_error(const clid_lint_report *r, char *detail, size_t cap);

#endif
