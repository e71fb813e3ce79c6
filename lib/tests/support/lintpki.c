/* Certificates from openssl configuration text (lintpki.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/conf.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "support/lintpki.h"

static void die(const char *what)
{
    fprintf(stderr, "lintpki: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    abort();
}

#define NEED(cond, what)                                                                          \
    do {                                                                                          \
        if (!(cond))                                                                              \
            die(what);                                                                            \
    } while (0)

/* The sections every extension text may name. */
static const char sections[] = "[lp_crldp]\n"
                               "fullname=URI:https://sti-pa.example.com/crl\n"
                               "CRLissuer=dirName:lp_crl_issuer\n"
                               "[lp_crldp_direct]\n"
                               "fullname=URI:https://ca.example.com/inter.crl\n"
                               "[lp_crldp_ldap]\n"
                               "fullname=URI:ldap://ca.example.com/cn=crl\n"
                               "CRLissuer=dirName:lp_crl_issuer\n"
                               "[lp_crl_issuer]\n"
                               "C=US\n"
                               "O=STI-PA\n"
                               "CN=STI-PA CRL\n";

static EVP_PKEY *new_key(int kind)
{
    EVP_PKEY *k = kind == LP_KEY_RSA    ? EVP_RSA_gen(1024)
                  : kind == LP_KEY_P384 ? EVP_EC_gen("P-384")
                                        : EVP_EC_gen("P-256");
    NEED(k != NULL, "key generation");
    return k;
}

static X509_NAME *parse_subject(const char *s)
{
    X509_NAME *name = X509_NAME_new();
    NEED(name != NULL, "X509_NAME_new");
    char *copy = strdup(s);
    NEED(copy != NULL && copy[0] == '/', "subject syntax");
    char *save = NULL;
    for (char *tok = strtok_r(copy + 1, "/", &save); tok; tok = strtok_r(NULL, "/", &save)) {
        char *eq = strchr(tok, '=');
        NEED(eq != NULL, "subject attribute");
        *eq = '\0';
        NEED(X509_NAME_add_entry_by_txt(name, tok, MBSTRING_UTF8, (unsigned char *)eq + 1, -1,
                                        -1, 0),
             "X509_NAME_add_entry_by_txt");
    }
    free(copy);
    return name;
}

static void set_serial(X509 *x, const char *hex)
{
    BIGNUM *bn = NULL;
    if (hex != NULL) {
        NEED(BN_hex2bn(&bn, hex) > 0, "BN_hex2bn");
    } else {
        unsigned char r[16];
        NEED(RAND_bytes(r, sizeof r) == 1, "RAND_bytes");
        r[0] = (unsigned char)((r[0] & 0x7F) | 0x40); /* positive, 16 significant octets */
        r[15] |= 0x80;                               /* never counter-like */
        bn = BN_bin2bn(r, sizeof r, NULL);
        NEED(bn != NULL, "BN_bin2bn");
    }
    NEED(BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL, "BN_to_ASN1_INTEGER");
    BN_free(bn);
}

static void add_extensions(X509 *x, X509 *issuer, const char *ext)
{
    size_t n = strlen(sections) + strlen(ext) + 16;
    char *text = malloc(n);
    NEED(text != NULL, "malloc");
    snprintf(text, n, "%s[lp_ext]\n%s", sections, ext);
    BIO *bio = BIO_new_mem_buf(text, -1);
    CONF *conf = NCONF_new(NULL);
    long line = 0;
    NEED(bio && conf && NCONF_load_bio(conf, bio, &line) > 0, "NCONF_load_bio");
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, x, NULL, NULL, 0);
    X509V3_set_nconf(&v3, conf);
    NEED(X509V3_EXT_add_nconf(conf, &v3, "lp_ext", x) == 1, "X509V3_EXT_add_nconf");
    NCONF_free(conf);
    BIO_free(bio);
    free(text);
}

static void dup_extension(X509 *x, const char *oid)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    NEED(obj != NULL, "OBJ_txt2obj");
    int idx = X509_get_ext_by_OBJ(x, obj, -1);
    NEED(idx >= 0, "dup_oid present");
    X509_EXTENSION *copy = X509_EXTENSION_dup(X509_get_ext(x, idx));
    NEED(copy != NULL && X509_add_ext(x, copy, -1) == 1, "X509_add_ext");
    X509_EXTENSION_free(copy);
    ASN1_OBJECT_free(obj);
}

tp_cert *lp_issue(const lp_spec *s, const tp_cert *issuer)
{
    tp_cert *c = calloc(1, sizeof *c);
    NEED(c != NULL, "calloc");
    c->key = new_key(s->key);
    X509 *x = X509_new();
    NEED(x != NULL, "X509_new");
    c->x = x;
    NEED(X509_set_version(x, s->version ? s->version - 1 : X509_VERSION_3), "version");
    set_serial(x, s->serial);

    X509_NAME *name = parse_subject(s->subject);
    NEED(X509_set_subject_name(x, name), "set_subject");
    NEED(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->x) : name), "issuer");
    X509_NAME_free(name);

    int64_t nb = s->not_before, na = s->not_after;
    if (nb == 0 && na == 0) {
        nb = TP_T0 - 30 * TP_DAY;
        na = TP_T0 + 365 * TP_DAY;
    }
    NEED(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb), "notBefore");
    if (s->not_before_str)
        NEED(ASN1_TIME_set_string(X509_getm_notBefore(x), s->not_before_str), "notBefore str");
    NEED(ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na), "notAfter");
    NEED(X509_set_pubkey(x, c->key), "set_pubkey");

    if (s->ext)
        add_extensions(x, issuer ? issuer->x : x, s->ext);
    if (s->tnauth) {
        clid_tnauth *l = tp_tnauth(s->tnauth);
        NEED(clid_x509_add_tnauth(x, l, 0) == CLID_OK, "add_tnauth");
        clid_tnauth_free(l);
    }
    if (s->entity)
        NEED(clid_x509_add_entity(x, s->entity, s->entity_critical) == CLID_OK, "add_entity");
    if (s->dup_oid)
        dup_extension(x, s->dup_oid);

    const EVP_MD *md = s->sha384 ? EVP_sha384() : EVP_sha256();
    NEED(X509_sign(x, issuer ? issuer->key : c->key, md) > 0, "X509_sign");
    c->pem = lp_pem(c, NULL);
    return c;
}

void lp_shaken_chain(tp_cert **root, tp_cert **inter, tp_cert **ee)
{
    tp_cert *r = lp_issue(&(lp_spec){.subject = LP_SHAKEN_ROOT_SUBJECT, .ext = LP_SHAKEN_ROOT_EXT},
                          NULL);
    tp_cert *i = NULL, *e = NULL;
    if (inter != NULL || ee != NULL)
        i = lp_issue(&(lp_spec){.subject = LP_SHAKEN_INTER_SUBJECT, .ext = LP_SHAKEN_INTER_EXT}, r);
    if (ee != NULL)
        e = lp_issue(&(lp_spec){.subject = LP_SHAKEN_EE_SUBJECT, .ext = LP_SHAKEN_EE_EXT}, i);
    if (root != NULL)
        *root = r;
    else
        tp_free(r);
    if (inter != NULL)
        *inter = i;
    else
        tp_free(i);
    if (ee != NULL)
        *ee = e;
}

char *lp_pem(const tp_cert *first, ...)
{
    BIO *bio = BIO_new(BIO_s_mem());
    NEED(bio != NULL, "BIO_new");
    va_list ap;
    va_start(ap, first);
    for (const tp_cert *c = first; c; c = va_arg(ap, const tp_cert *))
        NEED(PEM_write_bio_X509(bio, c->x), "PEM_write_bio_X509");
    va_end(ap);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    NEED(n >= 0, "BIO_get_mem_data");
    char *s = malloc((size_t)n + 1);
    NEED(s != NULL, "malloc");
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    BIO_free(bio);
    return s;
}
