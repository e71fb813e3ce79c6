/* The chain tests' in-memory PKI (testpki.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509v3.h>

#include "support/testpki.h"

static void die(const char *what)
{
    fprintf(stderr, "testpki: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    abort();
}

#define NEED(cond, what)                                                                          \
    do {                                                                                          \
        if (!(cond))                                                                              \
            die(what);                                                                            \
    } while (0)

static long next_serial = 4096;

static char *bio_to_string(BIO *bio)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    NEED(n >= 0, "BIO_get_mem_data");
    char *s = malloc((size_t)n + 1);
    NEED(s != NULL, "malloc");
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    return s;
}

static void add_conf_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
    NEED(ext != NULL, "X509V3_EXT_conf_nid");
    NEED(X509_add_ext(x, ext, -1) == 1, "X509_add_ext");
    X509_EXTENSION_free(ext);
}

static void add_raw_ext(X509 *x, const char *oid, int critical, const uint8_t *der, size_t len)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    NEED(obj && os && ASN1_OCTET_STRING_set(os, der, (int)len), "raw extension");
    X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, obj, critical, os);
    NEED(ext != NULL, "X509_EXTENSION_create_by_OBJ");
    /* X509_add_ext appends even when the OID is present: how a duplicate is made. */
    NEED(X509_add_ext(x, ext, -1) == 1, "X509_add_ext");
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
}

static GENERAL_NAMES *uri_names(const char *url)
{
    GENERAL_NAMES *g = GENERAL_NAMES_new();
    GENERAL_NAME *n = GENERAL_NAME_new();
    ASN1_IA5STRING *u = ASN1_IA5STRING_new();
    NEED(g && n && u && ASN1_STRING_set(u, url, -1), "uri name");
    GENERAL_NAME_set0_value(n, GEN_URI, u);
    NEED(sk_GENERAL_NAME_push(g, n), "push");
    return g;
}

static GENERAL_NAMES *dir_names(const X509_NAME *name)
{
    GENERAL_NAMES *g = GENERAL_NAMES_new();
    GENERAL_NAME *n = GENERAL_NAME_new();
    X509_NAME *d = X509_NAME_dup(name);
    NEED(g && n && d, "dir name");
    GENERAL_NAME_set0_value(n, GEN_DIRNAME, d);
    NEED(sk_GENERAL_NAME_push(g, n), "push");
    return g;
}

static DIST_POINT_NAME *dp_name(const char *url)
{
    DIST_POINT_NAME *dpn = DIST_POINT_NAME_new();
    NEED(dpn != NULL, "DIST_POINT_NAME_new");
    dpn->type = 0;
    dpn->name.fullname = uri_names(url);
    return dpn;
}

static void add_crl_dp(X509 *x, const tp_spec *s)
{
    CRL_DIST_POINTS *dps = CRL_DIST_POINTS_new();
    DIST_POINT *dp = DIST_POINT_new();
    NEED(dps && dp, "CRL_DIST_POINTS_new");
    if (s->crl_dp_url)
        dp->distpoint = dp_name(s->crl_dp_url);
    if (s->crl_dp_issuer)
        dp->CRLissuer = dir_names(X509_get_subject_name(s->crl_dp_issuer->x));
    if (s->crl_dp_reasons) {
        dp->reasons = ASN1_BIT_STRING_new();
        NEED(dp->reasons && ASN1_BIT_STRING_set_bit(dp->reasons, 1, 1), "reasons");
    }
    NEED(sk_DIST_POINT_push(dps, dp), "push");
    NEED(X509_add1_ext_i2d(x, NID_crl_distribution_points, dps, 0, X509V3_ADD_DEFAULT) == 1,
         "add crl dp");
    CRL_DIST_POINTS_free(dps);
}

clid_tnauth *tp_tnauth(const char *spec)
{
    clid_tnauth *l = NULL;
    NEED(clid_tnauth_new(&l) == CLID_OK, "clid_tnauth_new");
    char *copy = strdup(spec);
    NEED(copy != NULL, "strdup");
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        if (strncmp(tok, "spc:", 4) == 0) {
            NEED(clid_tnauth_add_spc(l, tok + 4) == CLID_OK, "add_spc");
        } else if (strncmp(tok, "tn:", 3) == 0) {
            NEED(clid_tnauth_add_tn(l, tok + 3) == CLID_OK, "add_tn");
        } else if (strncmp(tok, "range:", 6) == 0) {
            char *plus = strchr(tok, '+');
            NEED(plus != NULL, "range syntax");
            *plus = '\0';
            NEED(clid_tnauth_add_range(l, tok + 6, strtoull(plus + 1, NULL, 10)) == CLID_OK,
                 "add_range");
        } else {
            die("tnauth spec");
        }
    }
    free(copy);
    return l;
}

static EVP_PKEY *new_key(int rsa)
{
    EVP_PKEY *k = rsa ? EVP_RSA_gen(1024) : EVP_EC_gen("P-256");
    NEED(k != NULL, "key generation");
    return k;
}

tp_cert *tp_issue(const tp_spec *s, const tp_cert *issuer)
{
    tp_cert *c = calloc(1, sizeof *c);
    NEED(c != NULL, "calloc");
    c->key = new_key(s->rsa);
    c->serial = next_serial++;
    X509 *x = X509_new();
    NEED(x != NULL, "X509_new");
    c->x = x;
    NEED(X509_set_version(x, X509_VERSION_3), "set_version");
    NEED(ASN1_INTEGER_set(X509_get_serialNumber(x), c->serial), "serial");

    X509_NAME *name = X509_NAME_new();
    NEED(name && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                            (const unsigned char *)s->cn, -1, -1, 0),
         "subject");
    NEED(X509_set_subject_name(x, name), "set_subject");
    NEED(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->x) : name), "issuer");
    X509_NAME_free(name);

    int64_t nb = s->not_before, na = s->not_after;
    if (nb == 0 && na == 0) {
        nb = TP_T0 - 30 * TP_DAY;
        na = TP_T0 + 365 * TP_DAY;
    }
    NEED(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb), "notBefore");
    NEED(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na), "notAfter");
    NEED(X509_set_pubkey(x, c->key), "set_pubkey");

    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer ? issuer->x : x, x, NULL, NULL, 0);
    const char *bc = s->bc ? s->bc : s->ca ? "critical,CA:TRUE" : "critical,CA:FALSE";
    if (*bc)
        add_conf_ext(x, &v3, NID_basic_constraints, bc);
    const char *ku = s->ku ? s->ku
                     : s->ca ? "critical,keyCertSign,cRLSign"
                             : "critical,digitalSignature";
    if (*ku)
        add_conf_ext(x, &v3, NID_key_usage, ku);
    if (!s->no_aki_ski) {
        const char *ski = s->ski ? s->ski : "hash";
        const char *aki = s->aki ? s->aki : "keyid:always";
        if (*ski)
            add_conf_ext(x, &v3, NID_subject_key_identifier, ski);
        if (*aki)
            add_conf_ext(x, &v3, NID_authority_key_identifier, aki);
    }
    if (s->tnauth) {
        clid_tnauth *l = tp_tnauth(s->tnauth);
        NEED(clid_x509_add_tnauth(x, l, s->tnauth_critical) == CLID_OK, "add_tnauth");
        clid_tnauth_free(l);
        if (s->tnauth_twice) {
            const uint8_t *der = NULL;
            size_t len = 0;
            NEED(clid_x509_get_ext_der(x, CLID_OID_TNAUTHLIST, &der, &len, NULL) == CLID_OK,
                 "get_ext_der");
            uint8_t *copy = malloc(len);
            NEED(copy != NULL, "malloc");
            memcpy(copy, der, len);
            add_raw_ext(x, CLID_OID_TNAUTHLIST, s->tnauth_critical, copy, len);
            free(copy);
        }
    }
    if (s->tnauth_raw)
        add_raw_ext(x, CLID_OID_TNAUTHLIST, s->tnauth_critical, s->tnauth_raw, s->tnauth_raw_len);
    if (s->critical_oid) {
        static const uint8_t null_der[] = {0x05, 0x00};
        add_raw_ext(x, s->critical_oid, 1, null_der, sizeof null_der);
    }
    if (s->entity_critical) {
        clid_entity *e = NULL;
        NEED(clid_entity_new(CLID_ROLE_ORIGINATING_GATEWAY, &e) == CLID_OK, "entity_new");
        NEED(clid_entity_add_country(e, "1") == CLID_OK, "entity_add_country");
        NEED(clid_x509_add_entity(x, e, 1) == CLID_OK, "add_entity");
        clid_entity_free(e);
    }
    if (s->jwtcc_critical) {
        clid_jwtcc *j = NULL;
        NEED(clid_jwtcc_new(CLID_JWTCC_RFC8226, &j) == CLID_OK, "jwtcc_new");
        NEED(clid_jwtcc_add_must_include(j, "orig") == CLID_OK, "jwtcc_add");
        NEED(clid_x509_add_jwtcc(x, j, 1) == CLID_OK, "add_jwtcc");
        clid_jwtcc_free(j);
    }

    if (s->crl_dp_url || s->crl_dp_issuer)
        add_crl_dp(x, s);
    if (s->jwtcc)
        NEED(clid_x509_add_jwtcc(x, s->jwtcc, 0) == CLID_OK, "add_jwtcc");
    if (s->entity)
        NEED(clid_x509_add_entity(x, s->entity, 0) == CLID_OK, "add_entity");
    if (s->raw_oid)
        add_raw_ext(x, s->raw_oid, 0, s->raw_der, s->raw_der_len);

    NEED(X509_sign(x, issuer ? issuer->key : c->key, EVP_sha256()) > 0, "X509_sign");
    BIO *bio = BIO_new(BIO_s_mem());
    NEED(bio && PEM_write_bio_X509(bio, x), "PEM_write_bio_X509");
    c->pem = bio_to_string(bio);
    BIO_free(bio);
    return c;
}

void tp_free(tp_cert *c)
{
    if (c == NULL)
        return;
    X509_free(c->x);
    EVP_PKEY_free(c->key);
    free(c->pem);
    free(c);
}

char *tp_crl(const tp_cert *issuer, int64_t last, int64_t next, const long *revoked, size_t n,
             int flags)
{
    X509_CRL *crl = X509_CRL_new();
    NEED(crl != NULL, "X509_CRL_new");
    NEED(X509_CRL_set_version(crl, X509_CRL_VERSION_2), "crl version");
    NEED(X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer->x)), "crl issuer");
    ASN1_TIME *t_last = ASN1_TIME_set(NULL, (time_t)last);
    ASN1_TIME *t_next = ASN1_TIME_set(NULL, (time_t)next);
    NEED(t_last && t_next, "ASN1_TIME_set");
    NEED(X509_CRL_set1_lastUpdate(crl, t_last) && X509_CRL_set1_nextUpdate(crl, t_next),
         "crl times");
    for (size_t i = 0; i < n; i++) {
        X509_REVOKED *r = X509_REVOKED_new();
        ASN1_INTEGER *sn = ASN1_INTEGER_new();
        NEED(r && sn && ASN1_INTEGER_set(sn, revoked[i]), "revoked entry");
        NEED(X509_REVOKED_set_serialNumber(r, sn) && X509_REVOKED_set_revocationDate(r, t_last),
             "revoked fields");
        NEED(X509_CRL_add0_revoked(crl, r), "add0_revoked");
        ASN1_INTEGER_free(sn);
    }
    NEED(X509_CRL_sort(crl), "X509_CRL_sort");
    /* RFC 5280 §5.2.1: conforming CRLs carry the issuer's key identifier. */
    if (!(flags & TP_CRL_NO_AKI)) {
        X509V3_CTX v3;
        X509V3_set_ctx(&v3, issuer->x, NULL, NULL, crl, 0);
        X509_EXTENSION *aki = X509V3_EXT_conf_nid(NULL, &v3, NID_authority_key_identifier,
                                                  "keyid:always");
        NEED(aki && X509_CRL_add_ext(crl, aki, -1), "crl aki");
        X509_EXTENSION_free(aki);
    }
    NEED(X509_CRL_sign(crl, issuer->key, EVP_sha256()) > 0, "X509_CRL_sign");

    unsigned char *der = NULL;
    int len = i2d_X509_CRL(crl, &der);
    NEED(len > 0, "i2d_X509_CRL");
    if (flags & TP_CRL_BAD_SIG)
        der[len - 1] ^= 0x01; /* the signature's last byte: still DER, no longer valid */
    BIO *bio = BIO_new(BIO_s_mem());
    NEED(bio && PEM_write_bio(bio, PEM_STRING_X509_CRL, "", der, len), "PEM_write_bio");
    char *pem = bio_to_string(bio);
    BIO_free(bio);
    OPENSSL_free(der);
    ASN1_TIME_free(t_last);
    ASN1_TIME_free(t_next);
    X509_CRL_free(crl);
    return pem;
}

static ASN1_OBJECT *unknown_oid(void)
{
    ASN1_OBJECT *o = OBJ_txt2obj("1.3.6.1.4.1.99999.42", 1);
    NEED(o != NULL, "OBJ_txt2obj");
    return o;
}

static X509_EXTENSION *unknown_critical_ext(void)
{
    static const uint8_t null_der[] = {0x05, 0x00};
    ASN1_OBJECT *o = unknown_oid();
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    NEED(os && ASN1_OCTET_STRING_set(os, null_der, 2), "octet string");
    X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, o, 1, os);
    NEED(ext != NULL, "extension");
    ASN1_OBJECT_free(o);
    ASN1_OCTET_STRING_free(os);
    return ext;
}

char *tp_crl_ex(const tp_crl_spec *s, size_t *len)
{
    X509_CRL *crl = X509_CRL_new();
    NEED(crl != NULL, "X509_CRL_new");
    NEED(X509_CRL_set_version(crl, X509_CRL_VERSION_2), "crl version");
    const tp_cert *named = s->name_of ? s->name_of : s->signer;
    NEED(X509_CRL_set_issuer_name(crl, X509_get_subject_name(named->x)), "crl issuer");
    ASN1_TIME *t_last = ASN1_TIME_set(NULL, (time_t)s->last);
    NEED(t_last && X509_CRL_set1_lastUpdate(crl, t_last), "lastUpdate");
    if (s->next) {
        ASN1_TIME *t_next = ASN1_TIME_set(NULL, (time_t)s->next);
        NEED(t_next && X509_CRL_set1_nextUpdate(crl, t_next), "nextUpdate");
        ASN1_TIME_free(t_next);
    }
    /* Entries in the given order: certificateIssuer applies to the entries
     * that follow (RFC 5280 §5.3.3), so the order is part of the test. */
    for (size_t i = 0; i < s->n; i++) {
        X509_REVOKED *r = X509_REVOKED_new();
        ASN1_INTEGER *sn = ASN1_INTEGER_new();
        NEED(r && sn && ASN1_INTEGER_set(sn, s->revoked[i].serial), "revoked entry");
        NEED(X509_REVOKED_set_serialNumber(r, sn) && X509_REVOKED_set_revocationDate(r, t_last),
             "revoked fields");
        if (s->revoked[i].issuer) {
            GENERAL_NAMES *g = dir_names(X509_get_subject_name(s->revoked[i].issuer->x));
            NEED(X509_REVOKED_add1_ext_i2d(r, NID_certificate_issuer, g, 1, 0) == 1,
                 "certificateIssuer");
            GENERAL_NAMES_free(g);
        }
        if (s->revoked[i].critical_unknown) {
            X509_EXTENSION *ext = unknown_critical_ext();
            NEED(X509_REVOKED_add_ext(r, ext, -1), "entry ext");
            X509_EXTENSION_free(ext);
        }
        NEED(X509_CRL_add0_revoked(crl, r), "add0_revoked");
        ASN1_INTEGER_free(sn);
    }
    if (s->idp) {
        ISSUING_DIST_POINT *idp = ISSUING_DIST_POINT_new();
        NEED(idp != NULL, "ISSUING_DIST_POINT_new");
        idp->indirectCRL = s->indirect ? 0xFF : 0;
        idp->onlyuser = s->only_user ? 0xFF : 0;
        idp->onlyCA = s->only_ca ? 0xFF : 0;
        if (s->idp_url)
            idp->distpoint = dp_name(s->idp_url);
        if (s->some_reasons) {
            idp->onlysomereasons = ASN1_BIT_STRING_new();
            NEED(idp->onlysomereasons && ASN1_BIT_STRING_set_bit(idp->onlysomereasons, 1, 1),
                 "onlySomeReasons");
        }
        NEED(X509_CRL_add1_ext_i2d(crl, NID_issuing_distribution_point, idp, 1, 0) == 1,
             "add idp");
        ISSUING_DIST_POINT_free(idp);
    }
    if (s->delta) {
        ASN1_INTEGER *base = ASN1_INTEGER_new();
        NEED(base && ASN1_INTEGER_set(base, 1), "delta base");
        NEED(X509_CRL_add1_ext_i2d(crl, NID_delta_crl, base, 1, 0) == 1, "add delta");
        ASN1_INTEGER_free(base);
    }
    if (s->critical_unknown) {
        X509_EXTENSION *ext = unknown_critical_ext();
        NEED(X509_CRL_add_ext(crl, ext, -1), "crl ext");
        X509_EXTENSION_free(ext);
    }
    if (!s->no_aki) {
        X509V3_CTX v3;
        X509V3_set_ctx(&v3, s->signer->x, NULL, NULL, crl, 0);
        X509_EXTENSION *aki = X509V3_EXT_conf_nid(NULL, &v3, NID_authority_key_identifier,
                                                  "keyid:always");
        NEED(aki && X509_CRL_add_ext(crl, aki, -1), "crl aki");
        X509_EXTENSION_free(aki);
    }
    NEED(X509_CRL_sign(crl, s->signer->key, EVP_sha256()) > 0, "X509_CRL_sign");
    unsigned char *der = NULL;
    int n = i2d_X509_CRL(crl, &der);
    NEED(n > 0, "i2d_X509_CRL");
    char *out;
    if (s->der) {
        out = malloc((size_t)n);
        NEED(out != NULL, "malloc");
        memcpy(out, der, (size_t)n);
        *len = (size_t)n;
    } else {
        BIO *bio = BIO_new(BIO_s_mem());
        NEED(bio && PEM_write_bio(bio, PEM_STRING_X509_CRL, "", der, n), "PEM_write_bio");
        out = bio_to_string(bio);
        BIO_free(bio);
        if (len)
            *len = strlen(out);
    }
    OPENSSL_free(der);
    ASN1_TIME_free(t_last);
    X509_CRL_free(crl);
    return out;
}

char *tp_cat(const char *first, ...)
{
    va_list ap;
    size_t total = 0;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *))
        total += strlen(s);
    va_end(ap);
    char *out = malloc(total + 1);
    NEED(out != NULL, "malloc");
    size_t at = 0;
    va_start(ap, first);
    for (const char *s = first; s; s = va_arg(ap, const char *)) {
        memcpy(out + at, s, strlen(s));
        at += strlen(s);
    }
    va_end(ap);
    out[at] = '\0';
    return out;
}

char *tp_pem_with_trailing(const tp_cert *c, size_t extra)
{
    unsigned char *der = NULL;
    int len = i2d_X509(c->x, &der);
    NEED(len > 0, "i2d_X509");
    unsigned char *buf = malloc((size_t)len + extra);
    NEED(buf != NULL, "malloc");
    memcpy(buf, der, (size_t)len);
    memset(buf + len, 0, extra);
    BIO *bio = BIO_new(BIO_s_mem());
    NEED(bio && PEM_write_bio(bio, PEM_STRING_X509, "", buf, len + (long)extra), "PEM_write_bio");
    char *pem = bio_to_string(bio);
    BIO_free(bio);
    free(buf);
    OPENSSL_free(der);
    return pem;
}
