/*
 * The fixture shared by the verification pipeline tests (test_verify*.c):
 * a test PKI, a context and verifier over it, and the means to make
 * Identity headers, signed by clid or forged by hand with one defect, and
 * to verify them asserting the exact code, verstat and SIP status.
 *
 * Headers with a single defect are forged by hand: the JOSE header and
 * claims are written as JSON text, base64url-encoded and signed with the
 * signer certificate's key, so that only the defect under test is present.
 */
#ifndef CLID_TEST_VERIFY_FIXTURE_H
#define CLID_TEST_VERIFY_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include <clid/clid.h>

#include "support/testpki.h"

#define T0_STR "1767225600" /* TP_T0 */
#define URL_SP "https://cert.example.org/sp.pem"
#define URL_RANGE "https://cert.example.org/range.pem"
#define URL_UNTRUSTED "https://cert.example.org/untrusted.pem"
#define URL_X "https://cert.example.org/x.pem" /* per-test contexts */
#define URL_F "https://fetch.example.org/sp.pem"
#define ORIG "12025550100"
#define DEST "13035550199"
#define ORIGID "4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"

#define PASSED CLID_VERSTAT_PASSED
#define FAILED CLID_VERSTAT_FAILED
#define NOVAL CLID_VERSTAT_NO_VALIDATION

/* JSON building blocks for forged PASSporTs (RFC 8225 canonical order). */
#define Q(s) "\"" s "\""
#define HDR(alg, ppt, typ, x5u)                                                                   \
    "{\"alg\":" alg ",\"ppt\":" ppt ",\"typ\":" typ ",\"x5u\":" x5u "}"
#define HDR_SP HDR(Q("ES256"), Q("shaken"), Q("passport"), Q(URL_SP))
#define HDR_X HDR(Q("ES256"), Q("shaken"), Q("passport"), Q(URL_X))
#define CLAIMS(attest, dest, iat, orig, origid)                                                   \
    "{\"attest\":" attest ",\"dest\":" dest ",\"iat\":" iat ",\"orig\":" orig                     \
    ",\"origid\":" origid "}"
#define C_DEST "{\"tn\":[" Q(DEST) "]}"
#define C_ORIG "{\"tn\":" Q(ORIG) "}"
#define CLAIMS_OK CLAIMS(Q("A"), C_DEST, T0_STR, C_ORIG, Q(ORIGID))
#define PARAMS_SP ";info=<" URL_SP ">;alg=ES256;ppt=shaken"
#define PARAMS_X ";info=<" URL_X ">;alg=ES256;ppt=shaken"

extern tp_cert *root, *inter, *sp, *range_leaf, *other_root, *other_inter, *untrusted_leaf;
extern char *chain_sp, *chain_range, *chain_untrusted;
extern int64_t t0; /* TP_T0 */

/* The shared context (trust: root; clock: TP_T0; x5u map: URL_SP, URL_RANGE,
 * URL_UNTRUSTED), verifier and result. */
extern clid_ctx *ctx;
extern clid_verifier *ver;
extern clid_result *res;

/* cmocka group setup and teardown: the PKI, ctx, ver and res above. */
int group_setup(void **state);
int group_teardown(void **state);

/* ------------------------------------------------------------------------ */
/* Contexts                                                                  */
/* ------------------------------------------------------------------------ */

/* The clock, key PEM, mapping and verifier helpers are testpki.h's
 * (tp_fixed_clock, tp_key_pem, tp_ctx_map, tp_verifier_new). */
/* A context trusting `root`, with the fixed clock and nothing mapped. */
clid_ctx *bare_ctx(void);
/* bare_ctx with the shared map. */
clid_ctx *new_ctx(void);

/* ------------------------------------------------------------------------ */
/* Making headers                                                            */
/* ------------------------------------------------------------------------ */

clid_claims default_claims(void);
/* An Identity value for `c` signed by clid with `key` for `x5u` (no
 * certificate on the signer, so no pre-flight: the verifier must refuse). */
char *sign_hdr(EVP_PKEY *key, const char *x5u, const clid_claims *c);
char *sign_default(EVP_PKEY *key, const char *x5u);
char *b64(const void *data, size_t n);

enum sig_form { SIG_RAW, SIG_DER, SIG_SHORT };

/*
 * "<b64 hdr>.<b64 claims>.<b64 sig><params>", where sig is `key`'s ES256
 * signature over the header and `signed_claims` (normally `claims`: a
 * different text makes a tampered PASSporT), raw r||s or DER.
 */
char *forge_ex(const char *hdr, const char *claims, const char *signed_claims, EVP_PKEY *key,
               enum sig_form form, const char *params);
/* forge_ex signed by sp, raw. */
char *forge(const char *hdr, const char *claims, const char *params);

/* ------------------------------------------------------------------------ */
/* Verifying                                                                 */
/* ------------------------------------------------------------------------ */

clid_verify_input input(const char *identity);
/* The code, and the result's reason, verstat and SIP status. Names are
 * compared so that a failure prints them. */
void check(clid_err rc, clid_err code, clid_verstat vs, int sip);
/* Verifies `in` with `v` into the shared result. */
clid_err verify_on(clid_verifier *v, const clid_verify_input *in);
/* Verifies `identity` (orig ORIG, dest DEST) with the shared verifier. */
void expect(const char *identity, clid_err code, clid_verstat vs, int sip);
/* Same, taking ownership of `identity`. */
void expect_free(char *identity, clid_err code, clid_verstat vs, int sip);

/*
 * A scenario with its own context: `leaf` (and `ca1`, `ca2`, `ca3` after it) is
 * served at URL_X; the header is `identity` or, when NULL, one signed by
 * `key` (NULL: the leaf's) for orig (NULL: ORIG) and div. `cfg` adjusts the
 * context, `crl` is loaded into it.
 */
typedef struct scen {
    const tp_cert *leaf, *ca1, *ca2, *ca3;
    EVP_PKEY *key;
    const char *orig;
    const char *div;
    const char *identity;
    const char *crl;
    void (*cfg)(clid_ctx *);
} scen;

clid_err run(const scen *s);
/* leaf under inter at URL_X, signed by itself, default claims. */
clid_err run_leaf(const tp_cert *leaf);

/* ------------------------------------------------------------------------ */
/* Fetching                                                                  */
/* ------------------------------------------------------------------------ */

/* A fetcher serving chains from a table, counting its calls. */
typedef struct fetch_table {
    size_t n;
    const char *url[6];
    const char *pem[6];
    int64_t max_age;
    clid_err rc;      /* returned instead of a chain unless CLID_OK */
    int overflow;     /* claims more bytes than `cap` */
    unsigned calls;   /* atomic */
} fetch_table;

clid_err table_fetch(void *arg, const char *url, uint8_t *buf, size_t cap, size_t *len,
                     int64_t *max_age);
/* How often `t` was called. */
unsigned calls(fetch_table *t);

#endif /* CLID_TEST_VERIFY_FIXTURE_H */
