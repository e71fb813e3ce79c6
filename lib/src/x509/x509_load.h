/*
 * Reading certificates and CRLs from files and buffers, shared by the
 * context (trust anchors, CRLs) and the signer chain loader.
 *
 * PEM (RFC 7468) is read block by block with OpenSSL's PEM reader. Text
 * outside the blocks is allowed, as RFC 7468 §2 requires ("data before the
 * encapsulation boundaries are permitted"); inside, clid is strict: every
 * block must be of the expected type, carry no RFC 1421 headers (no
 * encrypted certificates), decode as base64, and hold exactly one DER value
 * with no trailing bytes.
 */
#ifndef CLID_X509_LOAD_H
#define CLID_X509_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include <clid/clid_errors.h>

/* Largest trust or CRL file read (a big CA's CRL runs to megabytes). */
#define CLID_FILE_MAX (64u * 1024u * 1024u)

/*
 * Reads the whole regular file `path` into a malloc'd buffer with a NUL
 * after the last byte. CLID_ERR_IO when it cannot be opened or read, or is
 * not a regular file; `too_large` when it holds more than `max` bytes.
 */
clid_err clid__read_file(const char *path, size_t max, clid_err too_large, char **out,
                         size_t *out_len);

/*
 * The next PEM block of `bio`: 1 with *type and *der (OPENSSL_free both),
 * 0 at the end of the input, -1 when a block is malformed (bad boundaries,
 * bad base64, headers) or on allocation failure. Leaves no error on the
 * OpenSSL error queue.
 */
int clid__pem_next(BIO *bio, char **type, uint8_t **der, size_t *len);

/* One DER certificate filling exactly `len` bytes, else NULL. */
X509 *clid__x509_from_der(const uint8_t *der, size_t len);
/* One DER CRL filling exactly `len` bytes, else NULL. */
X509_CRL *clid__crl_from_der(const uint8_t *der, size_t len);

/* What clid__pem_certs answers for each way a buffer can be unusable. */
typedef struct clid__pem_errs {
    clid_err none;       /* no PEM block at all */
    clid_err wrong_type; /* a block that is not a CERTIFICATE */
    clid_err too_many;   /* more than max_certs certificates */
} clid__pem_errs;

/*
 * Every certificate of a PEM buffer, appended to *out (created when NULL);
 * at most `max_certs`. CLID_ERR_CERT_PARSE for a CERTIFICATE block that is
 * malformed or does not hold exactly one certificate; the codes in `errs`
 * otherwise. On failure *out is as the caller gave it.
 */
clid_err clid__pem_certs(const char *pem, size_t len, size_t max_certs, const clid__pem_errs *errs,
                         STACK_OF(X509) **out);

/*
 * clid__pem_certs, asking `reuse` first for each certificate block (its
 * 0-based index among the certificates and its DER): a certificate it
 * returns (a reference the loader takes over) was parsed before from the
 * same bytes and is used instead of parsing them again; NULL: parsed here.
 */
typedef X509 *(*clid__x509_reuse_fn)(void *arg, size_t index, const uint8_t *der, size_t len);
clid_err clid__pem_certs_reuse(const char *pem, size_t len, size_t max_certs,
                               const clid__pem_errs *errs, clid__x509_reuse_fn reuse,
                               void *reuse_arg, STACK_OF(X509) **out);

/*
 * Every CRL of a buffer: one DER CRL, or PEM with one or more "X509 CRL"
 * blocks. CLID_ERR_CERT_PARSE for anything else, including no CRL at all.
 */
clid_err clid__crls_parse(const char *buf, size_t len, STACK_OF(X509_CRL) **out);

/* Unix seconds of an ASN1_TIME (UTCTime or GeneralizedTime, RFC 5280
 * §4.1.2.5): 1, or 0 when it cannot be read (or `t` is NULL). */
int clid__asn1_time_unix(const ASN1_TIME *t, int64_t *out);

/* printf into `detail` (cap bytes) when it is not NULL: the reason a check
 * gives for logs and results. */
void clid__detail(char *detail, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
