/*
 * The fixture shared by the out-of-band SHAKEN tests (test_oob_*.c): a test
 * PKI with SHAKEN certificates for SPC 1234 (the originating SP), 5678 (the
 * terminating SP), 9999 (no authority for 1234), one without TNAuthList
 * and one under an untrusted root; a context (clock TP_T0, chains mapped by
 * URL) and verifier; signers over those certificates; and the means to
 * forge tokens with one defect (JSON written by the test, signed ES256).
 */
#ifndef CLID_TEST_OOB_FIXTURE_H
#define CLID_TEST_OOB_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>

#include <clid/clid.h>
#include <clid/clid_oob.h>

#include "support/testpki.h"

#define URL_1234 "https://cert.example.org/sp1234.pem"
#define URL_5678 "https://cert.example.org/sp5678.pem"
#define URL_9999 "https://cert.example.org/sp9999.pem"
#define URL_NOTN "https://cert.example.org/notn.pem"
#define URL_UNTRUSTED "https://cert.example.org/untrusted.pem"
#define URL_UNMAPPED "https://cert.example.org/unmapped.pem"
#define AUD "cps.example.net"
#define ORIG "12025550100"
#define DEST "13035550199"

extern tp_cert *root, *inter, *sp1234, *sp5678, *sp9999, *notn, *other_root, *untrusted;
extern int64_t t0;
extern clid_ctx *ctx;
extern clid_verifier *ver;
extern clid_signer *s1234, *s5678, *s9999, *suntrusted;
/* Two PASSporTs for ORIG -> DEST signed by s1234, one for another orig. */
extern char *pp1, *pp2, *pp_other;

int group_setup(void **state);
int group_teardown(void **state);

/* clid_oob_token_sign with the params, asserted CLID_OK; malloc'd. */
char *sign_token(const clid_signer *s, const clid_oob_token_params *p);
/* Publish params for ORIG -> DEST over `pp` (n of them), aud AUD. */
clid_oob_token_params publish_params(const char *const *pp, size_t n);
clid_oob_token_params retrieve_params(void);
/* {"passports":[...]} malloc'd. */
char *body_of(const char *const *pp, size_t n);

/* A token "<b64 hdr>.<b64 claims>.<sig>" signed with `key` (raw ES256). */
char *forge_token(const char *hdr, const char *claims, EVP_PKEY *key);
/* The claims of a valid publish (over pp1) or retrieve token, as JSON to
 * alter; forge_json signs them with sp1234 under a header naming URL_1234. */
json_t *publish_claims(void);
json_t *retrieve_claims(void);
char *forge_json(const json_t *claims);
#define HDR_OK "{\"alg\":\"ES256\",\"typ\":\"JWT\",\"x5u\":\"" URL_1234 "\"}"

/* A request for ORIG -> DEST with "Bearer <token>", now t0. The
 * authorization string is kept in a static buffer (one request at a time). */
clid_oob_request publish_rq(const char *token, const char *body);
clid_oob_request retrieve_rq(const char *token);

/* Checks `rq` with the shared verifier and opts {AUD}; asserts the code by
 * name (so that a failure prints both). */
void expect_rq(const clid_oob_request *rq, clid_err code);

#endif
