/*
 * Certificates and CRLs from files and buffers (x509_load.h): the strict
 * PEM block reader shared by trust anchors, CRLs and signer chains.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "core/internal.h"
#include "x509/x509_load.h"

clid_err clid__read_file(const char *path, size_t max, clid_err too_large, char **out,
                         size_t *out_len)
{
    CLID_ENSURE(path != NULL && out != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    *out_len = 0;
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return CLID_ERR_IO;
    clid_err rc = CLID_ERR_IO;
    char *buf = NULL;
    struct stat st;
    /* A directory or a FIFO is a configuration mistake, not an empty file. */
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode))
        goto out;
    /* Read up to max + 1 bytes whatever st_size says: the file may grow. */
    size_t cap = (size_t)st.st_size < max ? (size_t)st.st_size + 1 : max + 1;
    buf = malloc(cap + 1);
    if (buf == NULL) {
        rc = CLID_ERR_NOMEM;
        goto out;
    }
    size_t n = 0;
    for (;;) {
        if (n == cap) {
            if (cap > max)
                break;
            size_t ncap = cap * 2 > max + 1 ? max + 1 : cap * 2;
            char *nb = realloc(buf, ncap + 1);
            if (nb == NULL) {
                rc = CLID_ERR_NOMEM;
                goto out;
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                goto out;
            break;
        }
    }
    if (n > max) {
        rc = too_large;
        goto out;
    }
    buf[n] = '\0';
    *out = buf;
    *out_len = n;
    buf = NULL;
    rc = CLID_OK;
out:
    free(buf);
    fclose(f);
    return rc;
}

int clid__pem_next(BIO *bio, char **type, uint8_t **der, size_t *len)
{
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long dlen = 0;
    *type = NULL;
    *der = NULL;
    *len = 0;
    /* The PEM reader reports the end of the input as an error: keep the
     * caller's error queue as it was, whatever happens here. */
    ERR_set_mark();
    int ok = PEM_read_bio(bio, &name, &header, &data, &dlen);
    int result;
    if (ok != 1) {
        unsigned long e = ERR_peek_last_error();
        result = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE ? 0
                                                                                          : -1;
    } else if (header[0] != '\0' || dlen <= 0) {
        /* RFC 7468 §2: headers are not part of the format (RFC 1421 encryption
         * has no place in a certificate or CRL); an empty block holds nothing. */
        result = -1;
    } else {
        *type = name;
        *der = data;
        *len = (size_t)dlen;
        name = NULL;
        data = NULL;
        result = 1;
    }
    ERR_pop_to_mark();
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
    return result;
}

X509 *clid__x509_from_der(const uint8_t *der, size_t len)
{
    if (len == 0 || len > LONG_MAX)
        return NULL;
    const unsigned char *p = der;
    ERR_set_mark();
    X509 *x = d2i_X509(NULL, &p, (long)len);
    ERR_pop_to_mark();
    /* Bytes after the certificate mean the block is not one certificate. */
    if (x != NULL && p != der + len) {
        X509_free(x);
        x = NULL;
    }
    return x;
}

X509_CRL *clid__crl_from_der(const uint8_t *der, size_t len)
{
    if (len == 0 || len > LONG_MAX)
        return NULL;
    const unsigned char *p = der;
    ERR_set_mark();
    X509_CRL *c = d2i_X509_CRL(NULL, &p, (long)len);
    ERR_pop_to_mark();
    if (c != NULL && p != der + len) {
        X509_CRL_free(c);
        c = NULL;
    }
    return c;
}

clid_err clid__pem_certs(const char *pem, size_t len, size_t max_certs, const clid__pem_errs *errs,
                         STACK_OF(X509) **out)
{
    return clid__pem_certs_reuse(pem, len, max_certs, errs, NULL, NULL, out);
}

clid_err clid__pem_certs_reuse(const char *pem, size_t len, size_t max_certs,
                               const clid__pem_errs *errs, clid__x509_reuse_fn reuse,
                               void *reuse_arg, STACK_OF(X509) **out)
{
    CLID_ENSURE(pem != NULL && errs != NULL && out != NULL && len <= INT_MAX,
                CLID_ERR_INVALID_ARGUMENT);
    if (len == 0)
        return errs->none;
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    if (bio == NULL)
        return CLID_ERR_NOMEM;
    int created = 0;
    if (*out == NULL) {
        *out = sk_X509_new_null();
        if (*out == NULL) {
            BIO_free(bio);
            return CLID_ERR_NOMEM;
        }
        created = 1;
    }
    size_t start = (size_t)sk_X509_num(*out);
    size_t count = 0;
    clid_err rc = CLID_OK;
    for (;;) {
        char *type = NULL;
        uint8_t *der = NULL;
        size_t dlen = 0;
        int r = clid__pem_next(bio, &type, &der, &dlen);
        if (r == 0)
            break;
        X509 *x = NULL;
        /* Skip nothing silently: a key or CRL block among certificates is a
         * mistake worth reporting, not explanatory text. */
        if (r < 0) {
            rc = CLID_ERR_CERT_PARSE;
        } else if (strcmp(type, PEM_STRING_X509) != 0) {
            rc = errs->wrong_type;
        } else if ((reuse == NULL || (x = reuse(reuse_arg, count, der, dlen)) == NULL) &&
                   (x = clid__x509_from_der(der, dlen)) == NULL) {
            rc = CLID_ERR_CERT_PARSE;
        } else if (++count > max_certs) {
            rc = errs->too_many;
        } else if (!sk_X509_push(*out, x)) {
            rc = CLID_ERR_NOMEM;
        } else {
            x = NULL;
        }
        X509_free(x);
        OPENSSL_free(type);
        OPENSSL_free(der);
        if (rc != CLID_OK)
            break;
    }
    BIO_free(bio);
    if (rc == CLID_OK && count == 0)
        rc = errs->none;
    if (rc != CLID_OK) {
        /* Leave *out as the caller gave it. */
        while ((size_t)sk_X509_num(*out) > start)
            X509_free(sk_X509_pop(*out));
        if (created) {
            sk_X509_free(*out);
            *out = NULL;
        }
    }
    return rc;
}

clid_err clid__crls_parse(const char *buf, size_t len, STACK_OF(X509_CRL) **out)
{
    CLID_ENSURE(buf != NULL && out != NULL && len <= INT_MAX, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    if (len == 0)
        return CLID_ERR_CERT_PARSE;
    STACK_OF(X509_CRL) *crls = sk_X509_CRL_new_null();
    if (crls == NULL)
        return CLID_ERR_NOMEM;
    clid_err rc = CLID_OK;
    if ((unsigned char)buf[0] == 0x30) {
        /* A DER CertificateList starts with its SEQUENCE tag (RFC 5280 §5.1);
         * PEM text never does. */
        X509_CRL *c = clid__crl_from_der((const uint8_t *)buf, len);
        if (c == NULL)
            rc = CLID_ERR_CERT_PARSE;
        else if (!sk_X509_CRL_push(crls, c)) {
            X509_CRL_free(c);
            rc = CLID_ERR_NOMEM;
        }
    } else {
        BIO *bio = BIO_new_mem_buf(buf, (int)len);
        if (bio == NULL)
            rc = CLID_ERR_NOMEM;
        while (rc == CLID_OK) {
            char *type = NULL;
            uint8_t *der = NULL;
            size_t dlen = 0;
            int r = clid__pem_next(bio, &type, &der, &dlen);
            if (r == 0)
                break;
            X509_CRL *c = NULL;
            if (r < 0 || strcmp(type, PEM_STRING_X509_CRL) != 0 ||
                (c = clid__crl_from_der(der, dlen)) == NULL)
                rc = CLID_ERR_CERT_PARSE;
            else if (!sk_X509_CRL_push(crls, c)) {
                X509_CRL_free(c);
                rc = CLID_ERR_NOMEM;
            }
            OPENSSL_free(type);
            OPENSSL_free(der);
        }
        BIO_free(bio);
    }
    if (rc == CLID_OK && sk_X509_CRL_num(crls) == 0)
        rc = CLID_ERR_CERT_PARSE;
    if (rc != CLID_OK) {
        sk_X509_CRL_pop_free(crls, X509_CRL_free);
        return rc;
    }
    *out = crls;
    return CLID_OK;
}

int clid__asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return 0;
    *out = (int64_t)timegm(&tm);
    return 1;
}

void clid__detail(char *detail, size_t cap, const char *fmt, ...)
{
    if (detail == NULL || cap == 0)
        return;
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(detail, cap, fmt, ap);
    va_end(ap);
}
