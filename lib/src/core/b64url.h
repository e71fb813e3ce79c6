/* base64url without padding (RFC 4648 §5, as JWS uses it: RFC 7515 §2). */
#ifndef CLID_B64URL_H
#define CLID_B64URL_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid_errors.h>

/* Characters needed for n bytes (no padding, no NUL). */
size_t clid__b64url_encoded_len(size_t n);
/* Writes exactly clid__b64url_encoded_len(n) characters (no NUL); returns that. */
size_t clid__b64url_encode(const uint8_t *in, size_t n, char *out);
/* Largest byte count n characters can decode to. */
size_t clid__b64url_decoded_max(size_t n);
/*
 * Strict decoding: only [A-Za-z0-9_-], no padding, no whitespace, a length
 * that is not 1 mod 4, and zero unused bits in the last character (so that
 * each byte string has exactly one encoding: a signature cannot be altered
 * without changing what was signed). CLID_ERR_BASE64 otherwise;
 * CLID_ERR_BUFFER_TOO_SMALL when cap < the decoded size.
 */
clid_err clid__b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len);

#endif
