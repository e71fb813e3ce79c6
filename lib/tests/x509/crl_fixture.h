/*
 * The fixture shared by the revocation-as-deployed tests (test_crl*.c): a
 * SHAKEN-shaped PKI in memory and the means to validate its chain with the
 * distribution-point checks (x509/crl.h).
 *
 *   root (trust anchor)
 *    ├── inter   STI-CA; CRL DP: URL_STIPA + cRLIssuer "STI-PA CRL"
 *    │    └── leaf  SHAKEN 709J; the same CRL DP (ATIS-1000080)
 *    └── stipa   "STI-PA CRL": the STI-PA CRL signer, keyUsage cRLSign
 *   other_inter  another STI-CA under root (its serials are not ours)
 */
#ifndef CLID_TEST_CRL_FIXTURE_H
#define CLID_TEST_CRL_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>

#include "support/testpki.h"
#include "verify/ctx_internal.h"
#include "x509/crl.h"
#include "x509/crl_store.h"
#include "x509/signer_cert.h"

#define URL_STIPA "https://crl.sti-pa.test/sti-pa.crl"

extern tp_cert *root, *inter, *leaf, *stipa, *other_inter;
extern char *chain; /* leaf + inter */

int group_setup(void **state);
int group_teardown(void **state);

/* A context trusting root, with stipa as CRL signer (when `with_signer`). */
clid_ctx *shaken_ctx(int with_signer);
/* Adds `pem` to ctx as a CRL and frees it. */
void add_crl(clid_ctx *ctx, char *pem);
/* An indirect CRL of stipa (IDP indirectCRL, distribution point
 * URL_STIPA), current at TP_T0 (TP_T0 - 1 day .. TP_T0 + 7 days). */
char *stipa_crl(const tp_revoked *r, size_t n);
/* The spec stipa_crl uses, to alter one field. */
tp_crl_spec stipa_spec(const tp_revoked *r, size_t n);

/* Validates `pem` under ctx at `at` with `store` (may be NULL): the code;
 * *rev and `detail` (256 bytes, may be NULL) as clid__signer_cert_validate_rev
 * leaves them. */
clid_err check_chain(const clid_ctx *ctx, clid__crl_store *store, const char *pem, int64_t at,
                     clid__revocation *rev, char *detail);
/* check_chain of `chain` at TP_T0 without a store. */
clid_err check_at_t0(const clid_ctx *ctx, clid__revocation *rev);

#endif
