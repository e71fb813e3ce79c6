/*
 * The signer's certificate chain (signer_cert.h): parsing, with its facts
 * extracted once (leaf key, TNAuthList, claim constraints, SignallingEntity,
 * names), and the reference count that lets the cache share an entry with
 * verifications in flight. Validation is in chain_validate.c.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "core/internal.h"
#include "x509/crl.h"
#include "x509/issuer_cache.h"
#include "x509/profile_enforce.h"
#include "x509/signer_cert.h"
#include "x509/x509_load.h"

/* ------------------------------------------------------------------------ */
/* Loading                                                                   */
/* ------------------------------------------------------------------------ */

static const clid__pem_errs chain_errs = {
    .none = CLID_ERR_X5U_NOT_PEM,
    .wrong_type = CLID_ERR_X5U_NOT_PEM,
    .too_many = CLID_ERR_CERT_CHAIN_TOO_LONG,
};

static char *name_rfc2253(const X509_NAME *name)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *out = NULL;
    if (bio == NULL)
        return NULL;
    /* XN_FLAG_RFC2253 escapes control and non-ASCII bytes, so the result is
     * printable ASCII and safe to log or put in JSON. */
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *data = NULL;
        long n = BIO_get_mem_data(bio, &data);
        if (n >= 0)
            out = clid__strndup(n > 0 ? data : "", (size_t)n);
    }
    BIO_free(bio);
    return out;
}

static char *serial_hex(const X509 *x)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    char *out = hex ? clid__strndup(hex, strlen(hex)) : NULL;
    OPENSSL_free(hex);
    BN_free(bn);
    return out;
}

/* An extension that is present but unusable is a fact to report at the
 * authority step; running out of memory is not. */
static int fatal(clid_err rc)
{
    return rc == CLID_ERR_NOMEM || rc == CLID_ERR_INTERNAL || rc == CLID_ERR_INVALID_ARGUMENT;
}

static clid_err extract_facts(clid__signer_cert *c)
{
    X509 *leaf = sk_X509_value(c->chain, 0);

    /* Cache each certificate's decoded extensions now, single-threaded,
     * rather than on first use by concurrent validations. */
    for (int i = 0; i < sk_X509_num(c->chain); i++)
        (void)X509_check_purpose(sk_X509_value(c->chain, i), -1, 0);

    EVP_PKEY *pkey = X509_get0_pubkey(leaf);
    if (pkey == NULL) {
        c->key_err = CLID_ERR_KEY_TYPE; /* an algorithm OpenSSL cannot even decode */
    } else {
        c->key_err = clid__es256_key_new(pkey, 0, &c->key);
        if (fatal(c->key_err))
            return c->key_err;
    }

    c->tnauth_err = clid_x509_get_tnauth(leaf, &c->tnauth, NULL);
    if (fatal(c->tnauth_err))
        return c->tnauth_err;

    clid_err rc = clid_x509_get_jwtcc(leaf, CLID_JWTCC_RFC8226, &c->jwtcc, NULL);
    if (fatal(rc))
        return rc;
    c->jwtcc_err = rc == CLID_ERR_EXT_ABSENT ? CLID_OK : rc;
    rc = clid_x509_get_jwtcc(leaf, CLID_JWTCC_RFC9118, &c->ejwtcc, NULL);
    if (fatal(rc))
        return rc;
    if (c->jwtcc_err == CLID_OK && rc != CLID_ERR_EXT_ABSENT)
        c->jwtcc_err = rc;

    c->entity_err = clid_x509_get_entity(leaf, &c->entity, NULL);
    if (fatal(c->entity_err))
        return c->entity_err;

    c->subject = name_rfc2253(X509_get_subject_name(leaf));
    c->issuer = name_rfc2253(X509_get_issuer_name(leaf));
    c->serial = serial_hex(leaf);
    if (c->subject == NULL || c->issuer == NULL || c->serial == NULL)
        return CLID_ERR_NOMEM;
    if (!clid__asn1_time_unix(X509_get0_notBefore(leaf), &c->not_before) ||
        !clid__asn1_time_unix(X509_get0_notAfter(leaf), &c->not_after))
        return CLID_ERR_CERT_PARSE;
    return CLID_OK;
}

/* The certificates after the leaf (an intermediate the verifier validated
 * before) from the cache of validated intermediates, by DER hash. */
static X509 *reuse_issuer(void *arg, size_t index, const uint8_t *der, size_t len)
{
    uint8_t h[32];
    unsigned int n = 0;
    if (index == 0 || EVP_Digest(der, len, h, &n, EVP_sha256(), NULL) != 1 || n != 32)
        return NULL;
    return clid__issuer_cache_cert(arg, h);
}

clid_err clid__signer_cert_load(const char *pem, size_t len, clid__signer_cert **out)
{
    return clid__signer_cert_load_ic(pem, len, NULL, out);
}

clid_err clid__signer_cert_load_ic(const char *pem, size_t len, clid__issuer_cache *ic,
                                   clid__signer_cert **out)
{
    CLID_ENSURE(pem != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_ENSURE(len <= CLID_CHAIN_MAX_LEN, CLID_ERR_X5U_TOO_LARGE);
    clid__signer_cert *c = calloc(1, sizeof *c);
    if (c == NULL)
        return CLID_ERR_NOMEM;
    c->refs = 1;
    clid_err rc = CLID_ERR_INTERNAL;
    ERR_set_mark();
    if (EVP_Digest(pem, len, c->chain_hash, NULL, EVP_sha256(), NULL) != 1)
        goto out;
    rc = clid__pem_certs_reuse(pem, len, CLID_CHAIN_MAX_CERTS, &chain_errs,
                               ic != NULL ? reuse_issuer : NULL, ic, &c->chain);
    if (rc != CLID_OK)
        goto out;
    rc = extract_facts(c);
out:
    ERR_pop_to_mark();
    if (rc != CLID_OK) {
        clid__signer_cert_release(c);
        return rc;
    }
    *out = c;
    return CLID_OK;
}

void clid__signer_cert_ref(clid__signer_cert *c)
{
    if (c != NULL)
        __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
}

void clid__signer_cert_release(clid__signer_cert *c)
{
    if (c == NULL || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    sk_X509_pop_free(c->chain, X509_free);
    clid__crl_path_free_all(c->paths);
    clid__es256_key_free(c->key);
    clid_tnauth_free(c->tnauth);
    clid_jwtcc_free(c->jwtcc);
    clid_jwtcc_free(c->ejwtcc);
    clid_entity_free(c->entity);
    clid__profile_memo_free(c->profile_memo);
    free(c->subject);
    free(c->issuer);
    free(c->serial);
    free(c);
}
