/* The Identity header field value (RFC 8224 §4.1). */
#ifndef CLID_IDENTITY_H
#define CLID_IDENTITY_H

#include <stddef.h>

#include <clid/clid_errors.h>

/* Slices of the parsed value: they point into the caller's string. A field
 * that is absent has ptr NULL and len 0. */
typedef struct clid__slice {
    const char *ptr;
    size_t len;
} clid__slice;

typedef struct clid__identity {
    clid__slice jws;  /* signed-identity-digest: "h.c.s" or compact "..s" */
    clid__slice info; /* the URI inside <...> (or bare, tolerated) */
    clid__slice alg;  /* token */
    clid__slice ppt;  /* token, quotes removed */
} clid__identity;

/*
 * Parses `value` (the text after "Identity:"), `len` bytes, at most
 * CLID_IDENTITY_MAX_LEN (else CLID_ERR_IDENTITY_TOO_LARGE).
 * Tolerant where RFC 8224 allows it: whitespace around ";" and "=" (SWS),
 * any parameter order, case-insensitive parameter names, a quoted ppt, an
 * info URI without angle brackets, unknown generic parameters (skipped).
 * Strict where it matters: the digest is only base64url characters and
 * dots; a parameter may not repeat; no control characters anywhere; an info
 * parameter is required (CLID_ERR_IDENTITY_NO_INFO); alg, when present, is
 * "ES256" (CLID_ERR_IDENTITY_ALG). Other defects: CLID_ERR_IDENTITY_SYNTAX.
 */
clid_err clid__identity_parse(const char *value, size_t len, clid__identity *out);

/* Writes "<jws>;info=<info>;alg=ES256;ppt=<ppt>" NUL-terminated;
 * CLID_ERR_HEADER_INJECTION for CR, LF, controls, '<', '>' or spaces in
 * info, or anything but a token in ppt. Buffer contract as clid_sign_identity. */
clid_err clid__identity_format(const char *jws, size_t jws_len, const char *info, const char *ppt,
                               char *out, size_t cap, size_t *out_len);

#endif
