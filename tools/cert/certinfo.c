/* Collecting the facts of a certificate into one JSON object; see certinfo.h. */
#include "certinfo.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/objects.h>

/* ------------------------------------------------------------------------ */
/* Basic certificate fields                                                  */
/* ------------------------------------------------------------------------ */

/* RFC 2253 form (most specific RDN first, as `openssl x509 -nameopt RFC2253`)
 * but with UTF-8 left as UTF-8; control characters stay escaped. */
static json_t *name_json(const X509_NAME *name)
{
    json_t *j = NULL;
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return NULL;
    unsigned long flags = XN_FLAG_RFC2253 & ~(unsigned long)ASN1_STRFLGS_ESC_MSB;
    if (X509_NAME_print_ex(bio, name, 0, flags) >= 0) {
        char *data = NULL;
        long n = BIO_get_mem_data(bio, &data);
        char *s = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (s != NULL) {
            if (n > 0)
                memcpy(s, data, (size_t)n);
            s[n] = '\0';
            j = tool_json_string(s);
            free(s);
        }
    }
    BIO_free(bio);
    return j;
}

/* Upper-case hex without separators, as `openssl x509 -serial` prints it. */
static json_t *serial_json(const X509 *x)
{
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(x), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    json_t *j = hex ? json_string(hex) : NULL;
    OPENSSL_free(hex);
    BN_free(bn);
    return j;
}

/* RFC 3339 in UTC: "2026-11-22T00:30:00Z". */
static json_t *time_json(const ASN1_TIME *t)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return NULL;
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    if (n < 0 || (size_t)n >= sizeof buf)
        return NULL;
    return json_string(buf);
}

/* "EC P-256", "RSA 2048", "ED25519", ...; "unknown" when OpenSSL cannot load the key. */
static json_t *key_type_json(const X509 *x)
{
    char buf[96];
    EVP_PKEY *pk = X509_get0_pubkey(x);
    if (pk == NULL) {
        tool_openssl_errors();
        return json_string("unknown");
    }
    if (EVP_PKEY_is_a(pk, "EC")) {
        char group[64];
        size_t glen = 0;
        if (EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                           &glen) != 1) {
            tool_openssl_errors();
            return json_string("EC (explicit curve parameters)");
        }
        const char *nist = EC_curve_nid2nist(OBJ_sn2nid(group));
        snprintf(buf, sizeof buf, "EC %s", nist ? nist : group);
    } else if (EVP_PKEY_is_a(pk, "RSA") || EVP_PKEY_is_a(pk, "RSA-PSS") ||
               EVP_PKEY_is_a(pk, "DSA")) {
        snprintf(buf, sizeof buf, "%s %d", EVP_PKEY_get0_type_name(pk), EVP_PKEY_get_bits(pk));
    } else {
        const char *name = EVP_PKEY_get0_type_name(pk);
        snprintf(buf, sizeof buf, "%s", name ? name : "unknown");
    }
    return json_string(buf);
}

/* ------------------------------------------------------------------------ */
/* Extensions                                                                */
/* ------------------------------------------------------------------------ */

/* The last number of a range, written with the width of `start` (a range never
 * changes the number of digits); JSON null when start is not all digits. */
static json_t *range_last_json(const char *start, uint64_t count)
{
    size_t len = strlen(start);
    if (len == 0 || len > 19 || count == 0 || strspn(start, "0123456789") != len)
        return json_null();
    uint64_t v = strtoull(start, NULL, 10);
    if (v > UINT64_MAX - (count - 1))
        return json_null();
    char buf[32];
    int n = snprintf(buf, sizeof buf, "%0*" PRIu64, (int)len, v + (count - 1));
    if (n < 0 || (size_t)n != len)
        return json_null();
    return json_string(buf);
}

static json_t *tnauth_json(const clid_tnauth *l, int critical)
{
    json_t *o = json_object();
    json_t *entries = json_array();
    int bad = tool_json_put(o, "critical", json_boolean(critical));
    for (size_t i = 0; !bad && i < clid_tnauth_count(l); i++) {
        clid_tnauth_entry e;
        if (clid_tnauth_get(l, i, &e) != CLID_OK || e.count > (uint64_t)LLONG_MAX) {
            bad = 1;
            break;
        }
        json_t *je = json_object();
        switch (e.kind) {
        case CLID_TNAUTH_SPC:
            bad |= tool_json_put(je, "type", json_string("spc"));
            bad |= tool_json_put(je, "value", tool_json_string(e.value));
            break;
        case CLID_TNAUTH_TN:
            bad |= tool_json_put(je, "type", json_string("tn"));
            bad |= tool_json_put(je, "value", tool_json_string(e.value));
            break;
        case CLID_TNAUTH_RANGE:
            bad |= tool_json_put(je, "type", json_string("range"));
            bad |= tool_json_put(je, "start", tool_json_string(e.value));
            bad |= tool_json_put(je, "count", json_integer((json_int_t)e.count));
            bad |= tool_json_put(je, "last", range_last_json(e.value, e.count));
            break;
        default:
            bad = 1;
        }
        bad |= tool_json_push(entries, je);
    }
    bad |= tool_json_put(o, "entries", entries);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *jwtcc_json(const clid_jwtcc *c, int critical)
{
    json_t *o = json_object();
    json_t *inc = json_array();
    json_t *perm = json_array();
    int bad = tool_json_put(o, "critical", json_boolean(critical));
    for (size_t i = 0; i < clid_jwtcc_must_include_count(c); i++)
        bad |= tool_json_push(inc, tool_json_string(clid_jwtcc_must_include(c, i)));
    for (size_t i = 0; i < clid_jwtcc_permitted_count(c); i++) {
        json_t *pv = json_object();
        json_t *vals = json_array();
        bad |= tool_json_put(pv, "claim", tool_json_string(clid_jwtcc_permitted_claim(c, i)));
        for (size_t j = 0; j < clid_jwtcc_permitted_value_count(c, i); j++)
            bad |= tool_json_push(vals, tool_json_string(clid_jwtcc_permitted_value(c, i, j)));
        bad |= tool_json_put(pv, "values", vals);
        bad |= tool_json_push(perm, pv);
    }
    bad |= tool_json_put(o, "must_include", inc);
    bad |= tool_json_put(o, "permitted_values", perm);
    if (clid_jwtcc_get_kind(c) == CLID_JWTCC_RFC9118) {
        json_t *exc = json_array();
        for (size_t i = 0; i < clid_jwtcc_must_exclude_count(c); i++)
            bad |= tool_json_push(exc, tool_json_string(clid_jwtcc_must_exclude(c, i)));
        bad |= tool_json_put(o, "must_exclude", exc);
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *string_or_null(const char *s)
{
    return s ? tool_json_string(s) : json_null();
}

static json_t *entity_json(const clid_entity *e, int critical)
{
    json_t *o = json_object();
    json_t *cc = json_array();
    json_t *plmn = json_array();
    json_t *spc = json_array();
    int bad = tool_json_put(o, "critical", json_boolean(critical));
    const char *role = clid_entity_role_name(clid_entity_get_role(e));
    bad |= tool_json_put(o, "role", json_string(role ? role : "unknown"));
    for (size_t i = 0; i < clid_entity_country_count(e); i++)
        bad |= tool_json_push(cc, tool_json_string(clid_entity_country(e, i)));
    bad |= tool_json_put(o, "country_codes", cc);
    bad |= tool_json_put(o, "carrier_code", string_or_null(clid_entity_carrier(e)));
    for (size_t i = 0; i < clid_entity_plmn_count(e); i++) {
        json_t *p = json_object();
        bad |= tool_json_put(p, "mcc", tool_json_string(clid_entity_plmn_mcc(e, i)));
        bad |= tool_json_put(p, "mnc", tool_json_string(clid_entity_plmn_mnc(e, i)));
        bad |= tool_json_push(plmn, p);
    }
    bad |= tool_json_put(o, "mobile_networks", plmn);
    for (size_t i = 0; i < clid_entity_ispc_count(e); i++) {
        unsigned code = clid_entity_ispc(e, i);
        char text[16];
        json_t *p = json_object();
        bad |= tool_json_put(p, "code", json_integer((json_int_t)code));
        if (clid_ispc_format(code, text, sizeof text) == CLID_OK)
            bad |= tool_json_put(p, "zaaab", json_string(text));
        else
            bad = 1;
        bad |= tool_json_push(spc, p);
    }
    bad |= tool_json_put(o, "signalling_point_codes", spc);
    bad |= tool_json_put(o, "operator_name", string_or_null(clid_entity_operator_name(e)));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/*
 * Each reader turns "absent" into JSON null, a decoded value into its object,
 * and anything else into the library's error code, which names the problem.
 */
static clid_err tnauth_field(const X509 *x, json_t **out)
{
    clid_tnauth *l = NULL;
    int crit = 0;
    clid_err rc = clid_x509_get_tnauth(x, &l, &crit);
    if (rc == CLID_ERR_EXT_ABSENT) {
        *out = json_null();
        return CLID_OK;
    }
    if (rc != CLID_OK)
        return rc;
    *out = tnauth_json(l, crit);
    clid_tnauth_free(l);
    return *out ? CLID_OK : CLID_ERR_NOMEM;
}

static clid_err jwtcc_field(const X509 *x, clid_jwtcc_kind kind, json_t **out)
{
    clid_jwtcc *c = NULL;
    int crit = 0;
    clid_err rc = clid_x509_get_jwtcc(x, kind, &c, &crit);
    if (rc == CLID_ERR_EXT_ABSENT) {
        *out = json_null();
        return CLID_OK;
    }
    if (rc != CLID_OK)
        return rc;
    *out = jwtcc_json(c, crit);
    clid_jwtcc_free(c);
    return *out ? CLID_OK : CLID_ERR_NOMEM;
}

static clid_err jwtcc8226_field(const X509 *x, json_t **out)
{
    return jwtcc_field(x, CLID_JWTCC_RFC8226, out);
}

static clid_err jwtcc9118_field(const X509 *x, json_t **out)
{
    return jwtcc_field(x, CLID_JWTCC_RFC9118, out);
}

static clid_err entity_field(const X509 *x, json_t **out)
{
    clid_entity *e = NULL;
    int crit = 0;
    clid_err rc = clid_x509_get_entity(x, &e, &crit);
    if (rc == CLID_ERR_EXT_ABSENT) {
        *out = json_null();
        return CLID_OK;
    }
    if (rc != CLID_OK)
        return rc;
    *out = entity_json(e, crit);
    clid_entity_free(e);
    return *out ? CLID_OK : CLID_ERR_NOMEM;
}

clid_err certinfo_collect(const X509 *x, json_t **out, const char **where)
{
    *out = NULL;
    *where = "certificate";
    json_t *o = json_object();
    if (o == NULL)
        return CLID_ERR_NOMEM;
    int bad = 0;
    bad |= tool_json_put(o, "subject", name_json(X509_get_subject_name(x)));
    bad |= tool_json_put(o, "issuer", name_json(X509_get_issuer_name(x)));
    bad |= tool_json_put(o, "serial", serial_json(x));
    if (bad) {
        json_decref(o);
        return CLID_ERR_NOMEM;
    }
    /* A time OpenSSL cannot read is a malformed certificate, not a display problem. */
    json_t *nb = time_json(X509_get0_notBefore(x));
    json_t *na = time_json(X509_get0_notAfter(x));
    if (nb == NULL || na == NULL) {
        json_decref(nb);
        json_decref(na);
        json_decref(o);
        *where = "validity";
        return CLID_ERR_CERT_PARSE;
    }
    bad |= tool_json_put(o, "not_before", nb);
    bad |= tool_json_put(o, "not_after", na);
    bad |= tool_json_put(o, "key_type", key_type_json(x));
    if (bad) {
        json_decref(o);
        return CLID_ERR_NOMEM;
    }

    static const struct {
        const char *key;  /* JSON key */
        const char *name; /* name in messages and text output */
        clid_err (*read)(const X509 *, json_t **);
    } fields[] = {
        {"tnauthlist", "TNAuthList", tnauth_field},
        {"jwt_claim_constraints", "JWTClaimConstraints", jwtcc8226_field},
        {"enhanced_jwt_claim_constraints", "EnhancedJWTClaimConstraints", jwtcc9118_field},
        {"signalling_entity", "SignallingEntity", entity_field},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        json_t *v = NULL;
        clid_err rc = fields[i].read(x, &v);
        if (rc == CLID_OK && tool_json_put(o, fields[i].key, v) != 0)
            rc = CLID_ERR_NOMEM;
        if (rc != CLID_OK) {
            json_decref(o);
            *where = fields[i].name;
            return rc;
        }
    }
    *out = o;
    return CLID_OK;
}
