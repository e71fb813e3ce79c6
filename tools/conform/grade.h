/*
 * clid conform grade: explains every defect of what a participant's signer
 * produced (Identity header values, whole SIP requests) and of the
 * certificates it handed in, each in plain words with its clause.
 *
 *   grade.c         the command: inputs (files, directories), output
 *   grade_jose.c    the "explain everything" checks of one Identity value
 *                   (parameters, base64url, JOSE header, claims, signature
 *                   form, freshness, binding), parsed with jansson and
 *                   OpenSSL, independent of the library's verdict
 *   grade_verify.c  the library's verdict (clid.h, strict policy) and the
 *                   profile deviations it warns of (lenient policy), added
 *                   where the checks above did not already explain them
 *   grade_cert.c    certificates with the library's lint (clid_lint.h)
 *
 * A defect is a JSON object {"id", "clause", "text"} (plus "reason", the
 * clid_err name the library reports for it, when there is one): "text" is
 * one sentence that names the clause, e.g. "the signature is DER-encoded
 * (71 bytes); RFC 7518 §3.4 requires the 64-byte r‖s form".
 */
#ifndef CLID_TOOL_CONFORM_GRADE_H
#define CLID_TOOL_CONFORM_GRADE_H

#include <stdint.h>

#include <jansson.h>

#include <openssl/x509.h>

#include <clid/clid.h>
#include <clid/clid_lint.h>

/* What the call was: the numbers the signer was asked to sign for, and the
 * times to hold iat against (0 / NULL: not given, that check not made). */
typedef struct grade_call {
    const char *orig;  /* the calling TN (--orig, or the request's caller) */
    const char *dest;  /* the called TN (--dest, or the request's callee) */
    int64_t date;      /* the SIP Date header (--date, or the request's) */
    int64_t at;        /* --at: when the value was produced / received */
    unsigned max_age;  /* freshness window, seconds (--max-age, default 60) */
} grade_call;

/* Appends a defect. `reason` (a clid_err name) may be NULL. */
void grade_add(json_t *defects, const char *id, const char *clause, const char *reason,
               const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* 1 when a defect in the list carries this clid_err name as its reason. */
int grade_has_reason(const json_t *defects, const char *reason);

/*
 * grade_jose.c: every check of one Identity header value; appends one
 * defect per finding to `defects`; `out` receives what the verification
 * needs to know (iat for its time, whether it is a div PASSporT).
 */
typedef struct grade_facts {
    int64_t iat; /* the claims' iat, 0 if none could be read */
    int div;     /* the JOSE header says ppt "div" (RFC 8946) */
} grade_facts;
void grade_identity_checks(const char *value, const grade_call *call, json_t *defects,
                           grade_facts *out);

/* --- grade_verify.c: the library's verdict -------------------------------- */

typedef struct grade_ver_opts {
    const char *const *trust; /* --trust FILE|DIR... */
    int ntrust;
    const char *const *crl; /* --crl FILE... */
    int ncrl;
    const char *const *crl_signer; /* --crl-signer FILE... */
    int ncrl_signer;
    const char *const *map; /* --x5u-map URL=FILE... */
    int nmap;
    const char *chain;    /* --chain FILE, or NULL */
    const char *x5u_ca;   /* --x5u-ca FILE, or NULL */
    int allow_private;    /* --allow-private-x5u */
    unsigned max_age;
} grade_ver_opts;

typedef struct grade_ver grade_ver;

/* A tool exit code; prints its error. */
int grade_ver_new(const grade_ver_opts *o, grade_ver **out);
void grade_ver_free(grade_ver *g);

/*
 * Verifies `value` for `call` under the strict policy (the verdict) and
 * the lenient one (the profile deviations it warns of). Sets item's
 * "verdict" {verstat, reason, sip, detail, at} and appends a defect for the
 * verdict's reason and each warning that `defects` does not yet explain.
 * The verification time: --at, else the Date, else iat, else now.
 */
void grade_ver_identity(grade_ver *g, const char *value, const grade_call *call,
                        const grade_facts *facts, json_t *item, json_t *defects);

/* The strict verdict on a whole SIP request (clid_sip_verify: one passing
 * Identity header is enough, RFC 8224 §6.2) into item's "verdict", at `at`
 * (0: now). The headers' own defects are graded one by one. */
void grade_ver_sip(grade_ver *g, const char *msg, size_t len, int64_t at, json_t *item);

/* --- grade_cert.c: certificates -------------------------------------------- */

/*
 * Lints chain[0..n) (leaf first) against `profile` at `at` (0: validity
 * not checked): each error-level finding becomes a defect, each warning an
 * entry of `warnings`. 0, or -1 when the lint could not run (printed).
 */
int grade_chain(X509 *const *chain, size_t n, clid_cert_profile profile, int64_t at,
                json_t *defects, json_t *warnings);

#endif /* CLID_TOOL_CONFORM_GRADE_H */
