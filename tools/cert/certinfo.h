/*
 * What `clid cert show` and `clid demo` print about a certificate.
 *
 * The facts of each certificate are first collected into one JSON object
 * (the --json output; keys documented in docs/cli.md), and the text form is
 * rendered from that same object, so the two outputs cannot disagree.
 */
#ifndef CLID_TOOL_CERTINFO_H
#define CLID_TOOL_CERTINFO_H

#include <stdio.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "util.h"

/*
 * Collects subject, issuer, serial, validity, key type and the decoded
 * TNAuthList, (Enhanced)JWTClaimConstraints and SignallingEntity of `x`.
 * An absent extension is JSON null. A present one that does not decode
 * (non-DER, duplicated, constraint violation) fails the whole call: the
 * error is returned and *where names the field ("TNAuthList", ...).
 */
clid_err certinfo_collect(const X509 *x, json_t **out, const char **where);

/* Renders one collected object as text. 0 on success, -1 on a write error. */
int certinfo_print_text(FILE *f, const json_t *info);

/*
 * Collects every certificate of `certs`, then prints them all as text or as
 * one JSON object {"file": file_name_or_null, "certificates": [...]}.
 * Nothing is printed on stdout when any certificate fails: the failure is
 * one line on stderr ("clid: LABEL: [certificate N: ]FIELD: CODE: text")
 * and the return value is TOOL_EXIT_DATAERR. Returns a TOOL_EXIT_* code.
 */
int certinfo_show(const char *label, const char *file_name, const tool_certs *certs, int json);

#endif /* CLID_TOOL_CERTINFO_H */
