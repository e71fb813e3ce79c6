/*
 * What the PASSporT tests (test_passport*.c) share: the claims of the
 * secsipidx reference token, the headers around them, and the means to
 * make a JWS from JSON text and parse it.
 */
#ifndef CLID_TEST_PASSPORT_FIXTURE_H
#define CLID_TEST_PASSPORT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>

#include "passport/passport.h"

#define HDR_SHAKEN                                                                                \
    "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","                                 \
    "\"x5u\":\"http://127.0.0.1:8090/v1/pub/ec256-cert.pem\"}"
#define HDR_DIV                                                                                   \
    "{\"alg\":\"ES256\",\"ppt\":\"div\",\"typ\":\"passport\","                                    \
    "\"x5u\":\"https://cert.example.org/a\"}"
#define HDR_NOPPT "{\"alg\":\"ES256\",\"typ\":\"passport\",\"x5u\":\"https://cert.example.org/a\"}"
#define UUID "123e4567-e89b-12d3-a456-426614174000"
/* peers notes §2.4: what secsipidx signs for these claims */
#define SECSIPIDX_CLAIMS                                                                          \
    "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12155552000\"]},\"iat\":1795305094,"                   \
    "\"orig\":{\"tn\":\"12155551000\"},\"origid\":\"" UUID "\"}"
#define CLAIMS_DIV                                                                                \
    "{\"dest\":{\"tn\":[\"12155552000\"]},\"div\":{\"tn\":\"12155553000\"},\"iat\":1795305094,"   \
    "\"orig\":{\"tn\":\"12155551000\"}}"

/* `data` base64url-encoded, malloc'd. */
char *b64(const void *data, size_t len);
/* "b64(header).b64(claims).b64(sig)", malloc'd. */
char *make_jws_sig(const char *header, const char *claims, const uint8_t *sig, size_t sig_len);
/* Parses `jws` from an exact-size heap copy and checks the result code. */
clid_err parse(const char *jws, clid__passport *p);

#endif /* CLID_TEST_PASSPORT_FIXTURE_H */
