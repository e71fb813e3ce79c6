/*
 * The fixture shared by the signer chain tests (test_signer_cert*.c): a
 * test PKI, root -> STI-CA (inter) -> SP leaf (SPC 709J), and the means to
 * load a chain and validate it under a context, returning the code.
 */
#ifndef CLID_TEST_SIGNER_CERT_FIXTURE_H
#define CLID_TEST_SIGNER_CERT_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>

#include "support/testpki.h"
/* The tests configure a clid_ctx and validate against its trust member. */
#include "verify/ctx_internal.h"
#include "x509/signer_cert.h"

/* The shared PKI: root -> STI-CA (inter) -> SP leaf (SPC 709J), and a root
 * with the same name and another key. */
extern tp_cert *root, *inter, *leaf, *other_root;
extern char *chain; /* leaf + inter */

/* cmocka group setup and teardown: the PKI above. */
int group_setup(void **state);
int group_teardown(void **state);

/* A new context trusting `anchor` (NULL: nothing). */
clid_ctx *ctx_trusting(const tp_cert *anchor);
/* Loads `pem`, asserting success. */
clid__signer_cert *load(const char *pem);
/* Adds `crl_pem` to `ctx` and frees it. */
void add_crl(clid_ctx *ctx, char *crl_pem);
/* Loads `pem`, validates it under `ctx` at `at`, returns the code. */
clid_err validate_pem(const clid_ctx *ctx, const char *pem, int64_t at);
/* leaf_pem + inter under the shared root, validated at TP_T0. */
clid_err validate_under_inter(const char *leaf_pem);
/* A CRL by `issuer` revoking the `n` serials, current at TP_T0. malloc'd. */
char *crl_of(const tp_cert *issuer, const long *revoked, size_t n);

#endif /* CLID_TEST_SIGNER_CERT_FIXTURE_H */
