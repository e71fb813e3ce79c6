/*
 * Fuzz target: the signer's certificate chain as a verifier receives it
 * from an x5u URL (signer_cert.c: strict PEM reading, at most
 * CLID_CHAIN_MAX_CERTS certificates, the leaf's facts extracted), and the
 * certificate-profile lint over every chain that loads. Hostile bytes must
 * give a clean error or a loaded chain, never a crash or leak.
 */
#include <clid/clid.h>

#include "fuzz_common.h"
#include "x509/signer_cert.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clid__signer_cert *c = NULL;
    clid_err rc = clid__signer_cert_load((const char *)data, size, &c);
    if (rc != CLID_OK) {
        FUZZ_CHECK(c == NULL);
        return 0;
    }
    FUZZ_CHECK(c != NULL && c->chain != NULL && sk_X509_num(c->chain) >= 1);
    FUZZ_CHECK(c->subject != NULL && c->serial != NULL);
    /* A key is present exactly when it is a usable P-256 key. */
    FUZZ_CHECK((c->key != NULL) == (c->key_err == CLID_OK));
    /* The certificate-profile lint (clid_lint.h) reads every extension of
     * every certificate: it must answer for any chain that loads. */
    X509 *certs[CLID_LINT_MAX_CERTS];
    size_t n = (size_t)sk_X509_num(c->chain);
    if (n > CLID_LINT_MAX_CERTS)
        n = CLID_LINT_MAX_CERTS;
    for (size_t i = 0; i < n; i++)
        certs[i] = sk_X509_value(c->chain, (int)i);
    clid_lint_report *r = NULL;
    FUZZ_CHECK(clid_lint_report_new(&r) == CLID_OK);
    for (int p = CLID_CERT_PROFILE_SHAKEN; p <= CLID_CERT_PROFILE_Q3063; p++) {
        FUZZ_CHECK(clid_lint_chain(r, (clid_cert_profile)p, certs, n, 1767225600) == CLID_OK);
        FUZZ_CHECK(clid_lint_cert_count(r) == n);
        FUZZ_CHECK(clid_lint_error_count(r) + clid_lint_warning_count(r) == clid_lint_count(r));
        for (size_t i = 0; i < clid_lint_count(r); i++) {
            clid_lint_finding f;
            FUZZ_CHECK(clid_lint_get(r, i, &f) == CLID_OK && f.cert_index < n);
            for (const char *m = f.message; *m; m++)
                FUZZ_CHECK(*m >= 0x20 && *m < 0x7f);
        }
    }
    clid_lint_report_free(r);
    clid__signer_cert_release(c);
    return 0;
}
