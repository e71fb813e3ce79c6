/*
 * clid: certificate-profile lint (docs/lint.md).
 *
 * Checks each certificate of a chain against a certificate profile:
 *   - "shaken": ATIS-1000080 v005 §6.4.1 (STI certificates) and the STI
 *     governance policy (certificate policies, names), as far as their text
 *     is public (docs/lint.md cites the public source of every rule);
 *   - "q3063": clid's Q.3063 profile (docs/q3063-profile.md §4), which
 *     shares the ATIS-1000080 rules on keys, signatures, serials, basic
 *     constraints, key usage and key identifiers, and replaces the
 *     SHAKEN-only ones by the SignallingEntity rules.
 * Every finding names its rule (a stable id such as "sti.crldp.issuer"),
 * the clause it comes from, its severity and the certificate concerned.
 *
 * The same rules back the verifier's profile policy
 * (clid_ctx_set_cert_profile in clid.h).
 *
 * Roles. A chain is leaf first (as served at an x5u URL). A certificate
 * whose basicConstraints say cA, or that issues the one before it in the
 * chain, is a CA: a root when its subject and issuer names are equal, else
 * an intermediate. Every other certificate is an end entity.
 *
 * Ownership, thread safety and errors as in clid.h: a report belongs to one
 * thread at a time; the rule table is constant. Strings returned by getters
 * are borrowed and live until the report is reused or freed.
 */
#ifndef CLID_LINT_H
#define CLID_LINT_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include <clid/clid_errors.h>
#include <clid/clid_export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum clid_cert_profile {
    CLID_CERT_PROFILE_NONE = 0,   /* no profile (the verifier's default) */
    CLID_CERT_PROFILE_SHAKEN = 1, /* ATIS-1000080 v005 and the STI governance policy */
    CLID_CERT_PROFILE_Q3063 = 2   /* clid's Q.3063 profile (docs/q3063-profile.md §4) */
} clid_cert_profile;

/* "none", "shaken", "q3063"; NULL outside the enum. */
CLID_API const char *clid_cert_profile_name(clid_cert_profile p);
/* The reverse; CLID_ERR_INVALID_ARGUMENT for any other name. */
CLID_API CLID_WUR clid_err clid_cert_profile_from_name(const char *name, clid_cert_profile *out);

typedef enum clid_lint_severity {
    CLID_LINT_WARNING = 1, /* a "should", a best practice, or a heuristic */
    CLID_LINT_ERROR = 2    /* a "shall" of the profile */
} clid_lint_severity;

/* "warning", "error"; NULL outside the enum. */
CLID_API const char *clid_lint_severity_name(clid_lint_severity s);

typedef enum clid_cert_role {
    CLID_CERT_ROLE_END_ENTITY = 0,
    CLID_CERT_ROLE_INTERMEDIATE = 1,
    CLID_CERT_ROLE_ROOT = 2
} clid_cert_role;

/* "end-entity", "intermediate", "root"; NULL outside the enum. */
CLID_API const char *clid_cert_role_name(clid_cert_role r);

/* One finding; no string is NULL. `subject` and `message` are printable
 * ASCII (certificate text is escaped: RFC 2253 in names, \xNN elsewhere);
 * `rule` and `clause` come from the rule table (UTF-8: "§"). */
typedef struct clid_lint_finding {
    const char *rule;            /* "sti.crldp.issuer" */
    const char *clause;          /* "ATIS-1000080 v005 §6.4.1" */
    clid_lint_severity severity;
    size_t cert_index;           /* position in the chain, 0 = the leaf */
    const char *subject;         /* that certificate's subject, RFC 2253 */
    const char *message;         /* what is wrong, one line */
} clid_lint_finding;

typedef struct clid_lint_report clid_lint_report;

CLID_API CLID_WUR clid_err clid_lint_report_new(clid_lint_report **out);
CLID_API void clid_lint_report_free(clid_lint_report *r);

/* Most certificates linted in one chain. */
#define CLID_LINT_MAX_CERTS 16

/*
 * Lints chain[0..n) (leaf first, 1 <= n <= CLID_LINT_MAX_CERTS) against
 * `profile` (SHAKEN or Q3063), replacing what `r` held. `at` (Unix
 * seconds) is the time at which each certificate must be valid; 0 skips
 * that rule (the time is never read behind the caller's back).
 * Returns CLID_OK whatever the findings (read them with the getters), or
 * CLID_ERR_INVALID_ARGUMENT / CLID_ERR_NOMEM, leaving `r` empty.
 */
CLID_API CLID_WUR clid_err clid_lint_chain(clid_lint_report *r, clid_cert_profile profile,
                                           X509 *const *chain, size_t n, int64_t at);

/* Findings, in chain order, then in the order of the rule table. */
CLID_API size_t clid_lint_count(const clid_lint_report *r);
CLID_API size_t clid_lint_error_count(const clid_lint_report *r);
CLID_API size_t clid_lint_warning_count(const clid_lint_report *r);
/* CLID_ERR_INVALID_ARGUMENT when i >= clid_lint_count. */
CLID_API CLID_WUR clid_err clid_lint_get(const clid_lint_report *r, size_t i,
                                         clid_lint_finding *out);

/* The certificates linted: how many, each one's role and subject. */
CLID_API size_t clid_lint_cert_count(const clid_lint_report *r);
CLID_API clid_cert_role clid_lint_cert_role(const clid_lint_report *r, size_t i);
CLID_API const char *clid_lint_cert_subject(const clid_lint_report *r, size_t i); /* "" if none */

/* ------------------------------------------------------------------------ */
/* The rule table (docs/lint.md)                                             */
/* ------------------------------------------------------------------------ */

typedef struct clid_lint_rule {
    const char *id;
    clid_lint_severity severity;
    unsigned profiles;   /* bit (1u << CLID_CERT_PROFILE_SHAKEN) and/or (1u << ..._Q3063) */
    const char *roles;   /* "all", "ee", "ca", "root", "intermediate", "ee+intermediate" */
    const char *clause;  /* the clause the rule comes from */
    const char *source;  /* its public source: a zlint lint name, an RFC, clid's docs */
    const char *summary; /* what it requires */
} clid_lint_rule;

CLID_API size_t clid_lint_rule_count(void);
/* CLID_ERR_INVALID_ARGUMENT when i >= clid_lint_rule_count(). */
CLID_API CLID_WUR clid_err clid_lint_rule_get(size_t i, clid_lint_rule *out);

#ifdef __cplusplus
}
#endif
#endif /* CLID_LINT_H */
