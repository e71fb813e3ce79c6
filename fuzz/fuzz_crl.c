/*
 * Fuzz target: a CRL as a verifier fetches it from a CRL distribution point,
 * and the distribution-point logic of revocation as deployed (x509/crl.h):
 * parsing (DER or PEM, the facts, the entries' certificateIssuer, the
 * issuingDistributionPoint), whether it is the CRL a certificate's CRL
 * Distribution Points name (scope, cRLIssuer), entry lookup by issuer and
 * serial, the URL allow-list, and the whole check over a two-certificate
 * path whose certificate carries the distribution points.
 *
 * Input: 1 byte of flags, 2 bytes (big-endian) of length N, N bytes of a
 * CRLDistributionPoints extension value (DER), then the CRL. Flag bits:
 * 0 the certificate is a CA; 1 a CRL fetcher is set (answering with the
 * CRL); 2 the policy is CLID_CRL_REQUIRED; 3 the CRL is also loaded.
 * fuzz/make_crl_seeds.py writes the seeds.
 */
#include <string.h>

#include <openssl/x509v3.h>

#include <clid/clid.h>

#include "fuzz_common.h"
#include "x509/crl.h"
#include "x509/crl_store.h"

static const uint8_t *crl_bytes;
static size_t crl_len;

/* A CRL fetcher answering with the input's CRL. */
static clid_err fetch_input(void *arg, const char *url, uint8_t *buf, size_t cap, size_t *len,
                            int64_t *max_age)
{
    (void)arg;
    (void)url;
    *max_age = -1;
    if (crl_len > cap)
        return CLID_ERR_X5U_TOO_LARGE;
    memcpy(buf, crl_bytes, crl_len);
    *len = crl_len;
    return CLID_OK;
}

/* A certificate with the distribution points, the serial and the issuer
 * the lookups need (unsigned: only its fields are read). */
static X509 *cert_with(STACK_OF(DIST_POINT) *dps, const X509_NAME *issuer, long serial,
                       int ca)
{
    X509 *x = X509_new();
    FUZZ_CHECK(x != NULL);
    FUZZ_CHECK(X509_set_version(x, X509_VERSION_3) == 1);
    FUZZ_CHECK(ASN1_INTEGER_set(X509_get_serialNumber(x), serial) == 1);
    if (issuer != NULL)
        FUZZ_CHECK(X509_set_issuer_name(x, issuer) == 1);
    if (dps != NULL)
        (void)X509_add1_ext_i2d(x, NID_crl_distribution_points, dps, 0, X509V3_ADD_DEFAULT);
    if (ca) {
        X509_EXTENSION *bc = X509V3_EXT_conf_nid(NULL, NULL, NID_basic_constraints,
                                                 "critical,CA:TRUE");
        FUZZ_CHECK(bc != NULL && X509_add_ext(x, bc, -1) == 1);
        X509_EXTENSION_free(bc);
    }
    /* Decode the extensions now, as the verifier does before sharing. */
    (void)X509_check_purpose(x, -1, 0);
    return x;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    unsigned flags = data[0];
    size_t n = ((size_t)data[1] << 8) | data[2];
    if (n > size - 3)
        return 0;
    const uint8_t *dp_der = data + 3;
    crl_bytes = data + 3 + n;
    crl_len = size - 3 - n;

    clid__crl *c = NULL;
    clid_err rc = clid__crl_parse(crl_bytes, crl_len, &c);
    if (rc != CLID_OK) {
        FUZZ_CHECK(c == NULL);
        FUZZ_CHECK(rc == CLID_ERR_CRL_NOT_A_CRL || rc == CLID_ERR_NOMEM);
    } else {
        FUZZ_CHECK(c != NULL && c->crl != NULL);
        FUZZ_CHECK(c->bad == CLID_OK || c->bad == CLID_ERR_CRL_INVALID);
        if (c->bad == CLID_OK)
            FUZZ_CHECK(c->next_update > c->this_update);
        FUZZ_CHECK(!c->indirect || c->idp != NULL);
    }

    const unsigned char *p = dp_der;
    STACK_OF(DIST_POINT) *dps = d2i_CRL_DIST_POINTS(NULL, &p, (long)n);
    const X509_NAME *crl_issuer = c != NULL ? X509_CRL_get_issuer(c->crl) : NULL;
    for (int i = 0; i < sk_DIST_POINT_num(dps); i++) {
        const DIST_POINT *dp = sk_DIST_POINT_value(dps, i);
        const X509_NAME *name = clid__crl_dp_issuer(dp);
        char why[160] = "";
        const X509_NAME *want = name ? name : crl_issuer;
        int in = clid__crl_in_scope(c, dp, want, flags & 1, why, sizeof why);
        FUZZ_CHECK(in == 0 || in == 1);
        /* A refusal always says why. */
        if (in == 0 && c != NULL && want != NULL)
            FUZZ_CHECK(why[0] != '\0');
    }

    /* The whole check: [cert, issuer] with the cert naming the CRL's
     * issuer as its own issuer, under a trust without anchors or signers. */
    static X509_STORE *store;
    if (store == NULL)
        store = X509_STORE_new();
    STACK_OF(X509) *signers = sk_X509_new_null();
    X509 *x = cert_with(dps, crl_issuer, 4096, flags & 1);
    X509 *top = cert_with(NULL, NULL, 1, 1);
    static char https_prefix[] = "https://";
    char *prefix = https_prefix;
    clid__crl *list[1] = {c};
    clid__trust trust = {
        .store = store,
        .crl_policy = (flags & 4) ? CLID_CRL_REQUIRED : CLID_CRL_IF_PRESENT,
        .max_depth = 4,
        .generation = 1,
        .crl_list = (flags & 8) && c != NULL ? list : NULL,
        .n_crl_list = (flags & 8) && c != NULL ? 1 : 0,
        .crl_signers = signers,
        .crl_fetch = (flags & 2) ? fetch_input : NULL,
        .crl_prefixes = &prefix,
        .n_crl_prefixes = 1,
    };
    (void)clid__crl_dp_handles(&trust, x);
    STACK_OF(X509) *chain = sk_X509_new_null();
    FUZZ_CHECK(chain != NULL && sk_X509_push(chain, x) && sk_X509_push(chain, top));
    clid__crl_path *path = NULL;
    char detail[256];
    if (clid__crl_path_new(chain, 1, 1u, &path, detail, sizeof detail) == CLID_OK) {
        clid__crl_store *st = NULL;
        FUZZ_CHECK(clid__crl_store_new(&st) == CLID_OK);
        clid__revocation rev;
        rc = clid__crl_check(&trust, st, path, 1767225600, &rev, detail, sizeof detail);
        /* Nothing is signed by a trusted key here: never a revocation. */
        FUZZ_CHECK(rc == CLID_OK || rc == CLID_ERR_CRL_INVALID || rc == CLID_ERR_CRL_UNAVAILABLE);
        FUZZ_CHECK(!rev.revoked && (rc != CLID_OK || !rev.checked || !rev.unavailable));
        clid__crl_store_free(st);
        clid__crl_path_free_all(path);
    }
    sk_X509_free(chain);
    X509_free(x);
    X509_free(top);
    sk_X509_free(signers);
    CRL_DIST_POINTS_free(dps);
    clid__crl_release(c);
    return 0;
}
