/*
 * Fuzz target: the signer's certificate chain as a verifier receives it
 * from an x5u URL (signer_cert.c: strict PEM reading, at most
 * CLID_CHAIN_MAX_CERTS certificates, the leaf's facts extracted). Hostile
 * bytes must give a clean error or a loaded chain, never a crash or leak.
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
    clid__signer_cert_release(c);
    return 0;
}
