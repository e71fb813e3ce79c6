/*
 * The extension fields in real OpenSSL certificates: a P-256 self-signed
 * certificate built here, each extension added, signed, serialized and
 * parsed again (deps notes §2.2), plus the duplicate rule of RFC 5280 §4.2
 * that OpenSSL does not enforce for unknown extensions (deps notes O1).
 */
#include "support/clid_test.h"

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* One key for the whole group: P-256 key generation is the slow part under
 * valgrind, and nothing here depends on the key itself. */
static EVP_PKEY *key;

static int group_setup(void **state)
{
    (void)state;
    key = EVP_EC_gen("P-256");
    return key ? 0 : -1;
}

static int group_teardown(void **state)
{
    (void)state;
    EVP_PKEY_free(key);
    return 0;
}

static X509 *new_cert(void)
{
    X509 *x = X509_new();
    assert_non_null(x);
    assert_int_equal(X509_set_version(x, X509_VERSION_3), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 42), 1);
    X509_NAME *n = X509_get_subject_name(x);
    assert_int_equal(X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC,
                                                (const unsigned char *)"clid unit test", -1, -1, 0),
                     1);
    assert_int_equal(X509_set_issuer_name(x, n), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), 0));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    assert_int_equal(X509_set_pubkey(x, key), 1);
    return x;
}

static void sign(X509 *x)
{
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
}

/* i2d then d2i: what a verifier sees is a parsed certificate, not the
 * builder's in-memory object. Frees `x`. */
static X509 *reparse(X509 *x)
{
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    assert_true(len > 0);
    const unsigned char *p = der;
    X509 *y = d2i_X509(NULL, &p, len);
    assert_non_null(y);
    assert_ptr_equal(p, der + len);
    OPENSSL_free(der);
    X509_free(x);
    return y;
}

/* Adds an extension with plain OpenSSL, bypassing clid's duplicate check. */
static void raw_add(X509 *x, const char *oid, int critical, const uint8_t *der, size_t len)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    assert_non_null(obj);
    assert_non_null(os);
    assert_int_equal(ASN1_OCTET_STRING_set(os, der, (int)len), 1);
    X509_EXTENSION *ext = X509_EXTENSION_create_by_OBJ(NULL, obj, critical, os);
    assert_non_null(ext);
    assert_int_equal(X509_add_ext(x, ext, -1), 1);
    X509_EXTENSION_free(ext);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(obj);
}

static clid_tnauth *sample_tnauth(void)
{
    clid_tnauth *l = NULL;
    assert_ok(clid_tnauth_new(&l));
    assert_ok(clid_tnauth_add_spc(l, "709J"));
    assert_ok(clid_tnauth_add_tn(l, "12025551000"));
    assert_ok(clid_tnauth_add_range(l, "12025550000", 100));
    return l;
}

static clid_jwtcc *sample_jwtcc(clid_jwtcc_kind kind)
{
    clid_jwtcc *c = NULL;
    assert_ok(clid_jwtcc_new(kind, &c));
    assert_ok(clid_jwtcc_add_must_include(c, "rcd"));
    assert_ok(clid_jwtcc_add_permitted(c, "attest", "A"));
    if (kind == CLID_JWTCC_RFC9118)
        assert_ok(clid_jwtcc_add_must_exclude(c, "div"));
    else
        assert_ok(clid_jwtcc_add_permitted(c, "attest", "B"));
    return c;
}

static clid_entity *sample_entity(void)
{
    clid_entity *e = NULL;
    assert_ok(clid_entity_new(CLID_ROLE_INTERNATIONAL_GATEWAY, &e));
    assert_ok(clid_entity_add_country(e, "44"));
    assert_ok(clid_entity_set_carrier(e, "ABC1"));
    assert_ok(clid_entity_add_plmn(e, "234", "15"));
    assert_ok(clid_entity_add_ispc(e, 4242));
    assert_ok(clid_entity_set_operator_name(e, "Example"));
    return e;
}

/* The extension's bytes in the certificate are exactly clid's encoding. */
static void assert_ext_bytes(const X509 *x, const char *oid, const uint8_t *want, size_t want_len,
                             int want_critical)
{
    const uint8_t *der = NULL;
    size_t len = 0;
    int critical = -1;
    assert_ok(clid_x509_get_ext_der(x, oid, &der, &len, &critical));
    assert_int_equal(len, want_len);
    assert_memory_equal(der, want, len);
    assert_int_equal(critical, want_critical);
}

static void round_trip_all(void **state)
{
    (void)state;
    clid_tnauth *l = sample_tnauth();
    clid_jwtcc *c8 = sample_jwtcc(CLID_JWTCC_RFC8226);
    clid_jwtcc *c9 = sample_jwtcc(CLID_JWTCC_RFC9118);
    clid_entity *e = sample_entity();

    X509 *x = new_cert();
    assert_ok(clid_x509_add_tnauth(x, l, 0));
    assert_ok(clid_x509_add_jwtcc(x, c8, 0));
    assert_ok(clid_x509_add_jwtcc(x, c9, 0));
    assert_ok(clid_x509_add_entity(x, e, 0));
    assert_int_equal(X509_get_ext_count(x), 4);
    sign(x);
    x = reparse(x);
    assert_int_equal(X509_verify(x, key), 1);

    clid_tnauth *l2 = NULL;
    clid_jwtcc *c8b = NULL, *c9b = NULL;
    clid_entity *e2 = NULL;
    int crit = -1;
    assert_ok(clid_x509_get_tnauth(x, &l2, &crit));
    assert_int_equal(crit, 0);
    assert_true(clid_tnauth_equal(l, l2));
    crit = -1;
    assert_ok(clid_x509_get_jwtcc(x, CLID_JWTCC_RFC8226, &c8b, &crit));
    assert_int_equal(crit, 0);
    assert_true(clid_jwtcc_equal(c8, c8b));
    assert_ok(clid_x509_get_jwtcc(x, CLID_JWTCC_RFC9118, &c9b, NULL));
    assert_true(clid_jwtcc_equal(c9, c9b));
    assert_ok(clid_x509_get_entity(x, &e2, NULL));
    assert_true(clid_entity_equal(e, e2));

    /* The raw extension values are the codec's encodings, byte for byte. */
    uint8_t buf[256];
    size_t n = 0;
    assert_ok(clid_tnauth_encode(l, buf, sizeof buf, &n));
    assert_ext_bytes(x, CLID_OID_TNAUTHLIST, buf, n, 0);
    assert_ok(clid_jwtcc_encode(c8, buf, sizeof buf, &n));
    assert_ext_bytes(x, CLID_OID_JWT_CLAIM_CONSTRAINTS, buf, n, 0);
    assert_ok(clid_jwtcc_encode(c9, buf, sizeof buf, &n));
    assert_ext_bytes(x, CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS, buf, n, 0);
    assert_ok(clid_entity_encode(e, buf, sizeof buf, &n));
    assert_ext_bytes(x, CLID_OID_SIGNALLING_ENTITY, buf, n, 0);

    /* OpenSSL finds each under its numeric OID. */
    const char *oids[] = {CLID_OID_TNAUTHLIST, CLID_OID_JWT_CLAIM_CONSTRAINTS,
                          CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS, CLID_OID_SIGNALLING_ENTITY};
    for (size_t i = 0; i < 4; i++) {
        ASN1_OBJECT *obj = OBJ_txt2obj(oids[i], 1);
        assert_non_null(obj);
        assert_true(X509_get_ext_by_OBJ(x, obj, -1) >= 0);
        ASN1_OBJECT_free(obj);
    }

    clid_tnauth_free(l2);
    clid_jwtcc_free(c8b);
    clid_jwtcc_free(c9b);
    clid_entity_free(e2);
    X509_free(x);
    clid_tnauth_free(l);
    clid_jwtcc_free(c8);
    clid_jwtcc_free(c9);
    clid_entity_free(e);
}

static void critical_flag(void **state)
{
    (void)state;
    clid_tnauth *l = sample_tnauth();
    clid_entity *e = sample_entity();
    clid_jwtcc *c = sample_jwtcc(CLID_JWTCC_RFC9118);
    X509 *x = new_cert();
    assert_ok(clid_x509_add_tnauth(x, l, 1));
    assert_ok(clid_x509_add_entity(x, e, 7)); /* any non-zero means critical */
    assert_ok(clid_x509_add_jwtcc(x, c, 0));
    sign(x);
    x = reparse(x);
    clid_tnauth *l2 = NULL;
    clid_entity *e2 = NULL;
    clid_jwtcc *c2 = NULL;
    int crit = -1;
    assert_ok(clid_x509_get_tnauth(x, &l2, &crit));
    assert_int_equal(crit, 1);
    crit = -1;
    assert_ok(clid_x509_get_entity(x, &e2, &crit));
    assert_int_equal(crit, 1);
    crit = -1;
    assert_ok(clid_x509_get_jwtcc(x, CLID_JWTCC_RFC9118, &c2, &crit));
    assert_int_equal(crit, 0);
    /* OpenSSL agrees on the DER BOOLEAN. */
    ASN1_OBJECT *obj = OBJ_txt2obj(CLID_OID_TNAUTHLIST, 1);
    int idx = X509_get_ext_by_OBJ(x, obj, -1);
    assert_true(idx >= 0);
    assert_int_equal(X509_EXTENSION_get_critical(X509_get_ext(x, idx)), 1);
    ASN1_OBJECT_free(obj);
    clid_tnauth_free(l2);
    clid_entity_free(e2);
    clid_jwtcc_free(c2);
    X509_free(x);
    clid_tnauth_free(l);
    clid_entity_free(e);
    clid_jwtcc_free(c);
}

static void absent(void **state)
{
    (void)state;
    X509 *x = new_cert();
    sign(x);
    x = reparse(x);
    clid_tnauth *l = (clid_tnauth *)&l;
    clid_jwtcc *c = (clid_jwtcc *)&c;
    clid_entity *e = (clid_entity *)&e;
    assert_err(clid_x509_get_tnauth(x, &l, NULL), CLID_ERR_EXT_ABSENT);
    assert_null(l);
    assert_err(clid_x509_get_jwtcc(x, CLID_JWTCC_RFC8226, &c, NULL), CLID_ERR_EXT_ABSENT);
    assert_null(c);
    assert_err(clid_x509_get_jwtcc(x, CLID_JWTCC_RFC9118, &c, NULL), CLID_ERR_EXT_ABSENT);
    assert_err(clid_x509_get_entity(x, &e, NULL), CLID_ERR_EXT_ABSENT);
    assert_null(e);
    const uint8_t *der = NULL;
    size_t len = 0;
    assert_err(clid_x509_get_ext_der(x, CLID_OID_TNAUTHLIST, &der, &len, NULL),
               CLID_ERR_EXT_ABSENT);
    X509_free(x);

    /* 1.27 and 1.33 are different extensions: one does not stand in for
     * the other. */
    x = new_cert();
    clid_jwtcc *c8 = sample_jwtcc(CLID_JWTCC_RFC8226);
    assert_ok(clid_x509_add_jwtcc(x, c8, 0));
    assert_err(clid_x509_get_jwtcc(x, CLID_JWTCC_RFC9118, &c, NULL), CLID_ERR_EXT_ABSENT);
    assert_ok(clid_x509_get_jwtcc(x, CLID_JWTCC_RFC8226, &c, NULL));
    clid_jwtcc_free(c);
    clid_jwtcc_free(c8);
    X509_free(x);
}

/* RFC 5280 §4.2: "A certificate MUST NOT include more than one instance of a
 * particular extension." */
static void duplicate_raw(void **state)
{
    (void)state;
    clid_tnauth *l = sample_tnauth();
    clid_jwtcc *c8 = sample_jwtcc(CLID_JWTCC_RFC8226);
    clid_jwtcc *c9 = sample_jwtcc(CLID_JWTCC_RFC9118);
    clid_entity *e = sample_entity();
    uint8_t t[128], j8[128], j9[128], en[128];
    size_t tn = 0, j8n = 0, j9n = 0, enn = 0;
    assert_ok(clid_tnauth_encode(l, t, sizeof t, &tn));
    assert_ok(clid_jwtcc_encode(c8, j8, sizeof j8, &j8n));
    assert_ok(clid_jwtcc_encode(c9, j9, sizeof j9, &j9n));
    assert_ok(clid_entity_encode(e, en, sizeof en, &enn));

    X509 *x = new_cert();
    assert_ok(clid_x509_add_tnauth(x, l, 0));
    assert_ok(clid_x509_add_jwtcc(x, c8, 0));
    assert_ok(clid_x509_add_jwtcc(x, c9, 0));
    assert_ok(clid_x509_add_entity(x, e, 0));
    /* The second copies differ from the first (one in criticality, one in
     * content): which one would win must never be a question. */
    raw_add(x, CLID_OID_TNAUTHLIST, 1, t, tn);
    raw_add(x, CLID_OID_JWT_CLAIM_CONSTRAINTS, 0, j8, j8n);
    raw_add(x, CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS, 0, j9, j9n);
    raw_add(x, CLID_OID_SIGNALLING_ENTITY, 0, (const uint8_t *)"\x30\x03\x80\x01\x00", 5);
    assert_int_equal(X509_get_ext_count(x), 8);
    sign(x);
    x = reparse(x); /* OpenSSL parses it without complaint */

    clid_tnauth *l2 = (clid_tnauth *)&l2;
    clid_jwtcc *c2 = (clid_jwtcc *)&c2;
    clid_entity *e2 = (clid_entity *)&e2;
    assert_err(clid_x509_get_tnauth(x, &l2, NULL), CLID_ERR_EXT_DUPLICATE);
    assert_null(l2);
    assert_err(clid_x509_get_jwtcc(x, CLID_JWTCC_RFC8226, &c2, NULL), CLID_ERR_EXT_DUPLICATE);
    assert_null(c2);
    assert_err(clid_x509_get_jwtcc(x, CLID_JWTCC_RFC9118, &c2, NULL), CLID_ERR_EXT_DUPLICATE);
    assert_err(clid_x509_get_entity(x, &e2, NULL), CLID_ERR_EXT_DUPLICATE);
    assert_null(e2);
    const uint8_t *der = NULL;
    size_t len = 0;
    assert_err(clid_x509_get_ext_der(x, CLID_OID_TNAUTHLIST, &der, &len, NULL),
               CLID_ERR_EXT_DUPLICATE);
    /* Adding to such a certificate is refused as well. */
    assert_err(clid_x509_add_tnauth(x, l, 0), CLID_ERR_EXT_DUPLICATE);
    assert_int_equal(X509_get_ext_count(x), 8);
    X509_free(x);

    /* Three copies, not adjacent. */
    x = new_cert();
    raw_add(x, CLID_OID_TNAUTHLIST, 0, t, tn);
    raw_add(x, CLID_OID_SIGNALLING_ENTITY, 0, en, enn);
    raw_add(x, CLID_OID_TNAUTHLIST, 0, t, tn);
    raw_add(x, CLID_OID_TNAUTHLIST, 0, t, tn);
    assert_err(clid_x509_get_tnauth(x, &l2, NULL), CLID_ERR_EXT_DUPLICATE);
    assert_ok(clid_x509_get_entity(x, &e2, NULL)); /* the other one is fine */
    clid_entity_free(e2);
    X509_free(x);

    clid_tnauth_free(l);
    clid_jwtcc_free(c8);
    clid_jwtcc_free(c9);
    clid_entity_free(e);
}

static void add_refuses_second(void **state)
{
    (void)state;
    clid_tnauth *l = sample_tnauth();
    clid_jwtcc *c8 = sample_jwtcc(CLID_JWTCC_RFC8226);
    clid_jwtcc *c9 = sample_jwtcc(CLID_JWTCC_RFC9118);
    clid_entity *e = sample_entity();
    X509 *x = new_cert();
    assert_ok(clid_x509_add_tnauth(x, l, 0));
    assert_err(clid_x509_add_tnauth(x, l, 0), CLID_ERR_EXT_DUPLICATE);
    assert_err(clid_x509_add_tnauth(x, l, 1), CLID_ERR_EXT_DUPLICATE);
    assert_ok(clid_x509_add_jwtcc(x, c8, 0));
    assert_err(clid_x509_add_jwtcc(x, c8, 0), CLID_ERR_EXT_DUPLICATE);
    assert_ok(clid_x509_add_jwtcc(x, c9, 0)); /* a different OID */
    assert_err(clid_x509_add_jwtcc(x, c9, 0), CLID_ERR_EXT_DUPLICATE);
    assert_ok(clid_x509_add_entity(x, e, 0));
    assert_err(clid_x509_add_entity(x, e, 0), CLID_ERR_EXT_DUPLICATE);
    assert_err(clid_x509_add_ext_der(x, CLID_OID_TNAUTHLIST, 0,
                                     (const uint8_t *)"\x30\x08\xA0\x06\x16\x04" "709J", 10),
               CLID_ERR_EXT_DUPLICATE);
    assert_int_equal(X509_get_ext_count(x), 4);
    clid_tnauth *l2 = NULL;
    assert_ok(clid_x509_get_tnauth(x, &l2, NULL)); /* the first one stands */
    assert_true(clid_tnauth_equal(l, l2));
    clid_tnauth_free(l2);
    X509_free(x);
    clid_tnauth_free(l);
    clid_jwtcc_free(c8);
    clid_jwtcc_free(c9);
    clid_entity_free(e);
}

/* The strict decoder applies inside certificates too: a BER-only or broken
 * extension value fails with the codec's own reason. */
static void bad_values_in_cert(void **state)
{
    (void)state;
    X509 *x = new_cert();
    raw_add(x, CLID_OID_TNAUTHLIST, 0, (const uint8_t *)"\x30\x81\x08\xA0\x06\x16\x04" "709J", 11);
    raw_add(x, CLID_OID_JWT_CLAIM_CONSTRAINTS, 0, (const uint8_t *)"\x30\x00", 2);
    raw_add(x, CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS, 0, (const uint8_t *)"\x05\x00", 2);
    raw_add(x, CLID_OID_SIGNALLING_ENTITY, 0, (const uint8_t *)"\x30\x03\x80\x01\x09", 5);
    sign(x);
    x = reparse(x);
    clid_tnauth *l = (clid_tnauth *)&l;
    clid_jwtcc *c = (clid_jwtcc *)&c;
    clid_entity *e = (clid_entity *)&e;
    assert_err(clid_x509_get_tnauth(x, &l, NULL), CLID_ERR_DER_NOT_CANONICAL);
    assert_null(l);
    assert_err(clid_x509_get_jwtcc(x, CLID_JWTCC_RFC8226, &c, NULL), CLID_ERR_DER_CONSTRAINT);
    assert_null(c);
    c = (clid_jwtcc *)&c;
    assert_err(clid_x509_get_jwtcc(x, CLID_JWTCC_RFC9118, &c, NULL), CLID_ERR_DER_MALFORMED);
    assert_null(c);
    assert_err(clid_x509_get_entity(x, &e, NULL), CLID_ERR_BAD_ENTITY);
    assert_null(e);
    /* The raw accessor still hands out the bytes for diagnostics. */
    const uint8_t *der = NULL;
    size_t len = 0;
    int crit = -1;
    assert_ok(clid_x509_get_ext_der(x, CLID_OID_TNAUTHLIST, &der, &len, &crit));
    assert_int_equal(len, 11);
    assert_memory_equal(der, "\x30\x81\x08", 3);
    assert_int_equal(crit, 0);
    X509_free(x);

    /* An empty extnValue OCTET STRING. */
    x = new_cert();
    raw_add(x, CLID_OID_TNAUTHLIST, 0, (const uint8_t *)"", 0);
    assert_err(clid_x509_get_tnauth(x, &l, NULL), CLID_ERR_DER_MALFORMED);
    X509_free(x);
}

static void raw_der_api(void **state)
{
    (void)state;
    X509 *x = new_cert();
    const char *oid = "1.3.6.1.4.1.99999.1.1";
    const uint8_t v[] = {0x30, 0x03, 0x02, 0x01, 0x05};
    assert_ok(clid_x509_add_ext_der(x, oid, 1, v, sizeof v));
    const uint8_t *der = NULL;
    size_t len = 0;
    int crit = -1;
    assert_ok(clid_x509_get_ext_der(x, oid, &der, &len, &crit));
    assert_int_equal(len, sizeof v);
    assert_memory_equal(der, v, sizeof v);
    assert_int_equal(crit, 1);
    assert_ok(clid_x509_get_ext_der(x, oid, &der, &len, NULL));

    /* Arguments. */
    assert_err(clid_x509_add_ext_der(NULL, oid, 0, v, sizeof v), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_add_ext_der(x, NULL, 0, v, sizeof v), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_add_ext_der(x, "1.2.3", 0, NULL, 1), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_add_ext_der(x, "1.2.3", 0, v, 0), CLID_ERR_INVALID_ARGUMENT);
    uint8_t *big = calloc(1, CLID_EXT_MAX_DER + 1);
    assert_non_null(big);
    assert_err(clid_x509_add_ext_der(x, "1.2.3", 0, big, CLID_EXT_MAX_DER + 1),
               CLID_ERR_INVALID_ARGUMENT);
    free(big);
    /* Numeric OIDs only (OBJ_txt2obj(oid, 1)): names and junk are refused. */
    assert_err(clid_x509_add_ext_der(x, "not an oid", 0, v, sizeof v), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_add_ext_der(x, "basicConstraints", 0, v, sizeof v),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_get_ext_der(x, "not an oid", &der, &len, NULL),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_get_ext_der(NULL, oid, &der, &len, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_get_ext_der(x, oid, NULL, &len, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_get_ext_der(x, oid, &der, NULL, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(X509_get_ext_count(x), 1);

    clid_tnauth *l = NULL;
    clid_jwtcc *c = NULL;
    clid_entity *e = NULL;
    assert_err(clid_x509_get_tnauth(NULL, &l, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_get_tnauth(x, NULL, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_get_jwtcc(x, (clid_jwtcc_kind)5, &c, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_get_jwtcc(x, CLID_JWTCC_RFC8226, NULL, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_get_entity(x, NULL, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_get_entity(NULL, &e, NULL), CLID_ERR_INVALID_ARGUMENT);

    /* Values with no encoding are refused before touching the certificate. */
    assert_ok(clid_tnauth_new(&l));
    assert_err(clid_x509_add_tnauth(x, l, 0), CLID_ERR_DER_CONSTRAINT);
    assert_err(clid_x509_add_tnauth(NULL, l, 0), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_x509_add_tnauth(x, NULL, 0), CLID_ERR_INVALID_ARGUMENT);
    clid_tnauth_free(l);
    assert_ok(clid_jwtcc_new(CLID_JWTCC_RFC9118, &c));
    assert_err(clid_x509_add_jwtcc(x, c, 0), CLID_ERR_DER_CONSTRAINT);
    assert_err(clid_x509_add_jwtcc(x, NULL, 0), CLID_ERR_INVALID_ARGUMENT);
    clid_jwtcc_free(c);
    assert_err(clid_x509_add_entity(x, NULL, 0), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(X509_get_ext_count(x), 1);
    X509_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(round_trip_all),   cmocka_unit_test(critical_flag),
        cmocka_unit_test(absent),           cmocka_unit_test(duplicate_raw),
        cmocka_unit_test(add_refuses_second), cmocka_unit_test(bad_values_in_cert),
        cmocka_unit_test(raw_der_api),
    };
    return cmocka_run_group_tests_name("ext_x509", tests, group_setup, group_teardown);
}
