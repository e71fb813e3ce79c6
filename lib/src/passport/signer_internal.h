/*
 * What other modules need of a clid_signer without seeing its structure:
 * the out-of-band CPS bearer token (oob/oob_token.c) is a JWS signed with
 * the same key, x5u and clock as the signer's PASSporTs, and its default
 * iss is an SPC of the signer's certificate (OOB-SPEC "Token").
 */
#ifndef CLID_SIGNER_INTERNAL_H
#define CLID_SIGNER_INTERNAL_H

#include <stddef.h>

#include <clid/clid.h>
#include <clid/clid_ext.h>

#define CLID__UUID_BUF 37

/* The signer's x5u, NULL when not set. */
const char *clid__signer_x5u(const clid_signer *s);
/* The TNAuthList of the signer's certificate, NULL without one. */
const clid_tnauth *clid__signer_tnauth(const clid_signer *s);
/* 1 when the signer has a key. */
int clid__signer_has_key(const clid_signer *s);
/* Signs `input` ("<b64 header>.<b64 claims>") with ES256 and writes the JWS
 * "<input>.<b64url signature>" into out[cap] (buffer contract of
 * clid_sign_identity). */
clid_err clid__signer_jws(const clid_signer *s, const char *input, size_t input_len, char *out,
                          size_t cap, size_t *out_len);
/* A random version-4 UUID, RFC 4122 §4.4 (lower-case hex). */
clid_err clid__random_uuid(char out[CLID__UUID_BUF]);

#endif
