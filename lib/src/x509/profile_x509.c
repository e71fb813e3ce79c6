/*
 * The rules both profiles share (profile_rules.h, marked SQ): the X.509
 * shape ATIS-1000080 v005 §6.4.1 and §6.4.1.1 give STI certificates, which
 * clid's Q.3063 profile adopts (docs/q3063-profile.md §4): version, serial
 * number, signature and key algorithms, extensions, basicConstraints and
 * keyUsage per role, key identifiers, CRL distribution point, TNAuthList
 * presence, validity and chain order. A few SHAKEN-only checks that need
 * the same parsing are made here too (sti.ku.ca-single, sti.crldp.issuer);
 * clid__lint_add drops them under the Q.3063 profile.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "x509/profile.h"
#include "x509/x509_load.h"

#define ADD(rule, ...) clid__lint_add(l, c, CLID__R_##rule, __VA_ARGS__)

static int is_ca(const clid__lint_cert *c)
{
    return c->role != CLID_CERT_ROLE_END_ENTITY;
}

/* ------------------------------------------------------------------------ */
/* Version, serial number, algorithms                                        */
/* ------------------------------------------------------------------------ */

static void version(clid__lint *l, const clid__lint_cert *c)
{
    long v = X509_get_version(c->x);
    if (v != X509_VERSION_3)
        ADD(CERT_VERSION, "version %ld, not 3", v + 1);
}

static void serial(clid__lint *l, const clid__lint_cert *c)
{
    const ASN1_INTEGER *s = X509_get0_serialNumber(c->x);
    const unsigned char *p = ASN1_STRING_get0_data(s);
    size_t len = (size_t)ASN1_STRING_length(s);
    size_t skip = 0;
    while (skip < len && p[skip] == 0)
        skip++;
    size_t mag = len - skip; /* significant octets of the magnitude */
    int negative = ASN1_STRING_type(s) == V_ASN1_NEG_INTEGER;
    if (negative || mag == 0) {
        ADD(SERIAL_POSITIVE, "the serial number is %s", negative ? "negative" : "zero");
        return;
    }
    /* DER adds a leading 00 when the first octet's high bit is set. */
    size_t der = mag + ((p[skip] & 0x80) ? 1 : 0);
    if (der > 20)
        ADD(SERIAL_LENGTH, "the serial number takes %zu octets", der);
    if (mag < 8) {
        ADD(SERIAL_ENTROPY, "the serial number has %zu significant octet%s (%zu bits at most)", mag,
            mag == 1 ? "" : "s", mag * 8);
        return;
    }
    /* A CSPRNG gives 32 low bits below 2^16 once in 65536 serials; a
     * counter does so for its first 65536 certificates. */
    uint32_t low = (uint32_t)p[len - 4] << 24 | (uint32_t)p[len - 3] << 16 |
                   (uint32_t)p[len - 2] << 8 | (uint32_t)p[len - 1];
    if (low < 65536)
        ADD(SERIAL_SEQUENTIAL, "the serial number ends in %08" PRIX32 ": a counter?", low);
}

static const char *obj_name(const ASN1_OBJECT *obj, char *buf, size_t cap)
{
    int n = OBJ_obj2txt(buf, (int)cap, obj, 0);
    if (n <= 0 || (size_t)n >= cap)
        snprintf(buf, cap, "?");
    return buf;
}

static void signature_alg(clid__lint *l, const clid__lint_cert *c)
{
    const X509_ALGOR *alg = NULL;
    X509_get0_signature(NULL, &alg, c->x);
    const ASN1_OBJECT *obj = NULL;
    int ptype = V_ASN1_UNDEF;
    const void *pval = NULL;
    X509_ALGOR_get0(&obj, &ptype, &pval, alg);
    char name[96];
    if (OBJ_obj2nid(obj) != NID_ecdsa_with_SHA256)
        ADD(SIG_ALG, "signed with %s, not ecdsa-with-SHA256", obj_name(obj, name, sizeof name));
    else if (ptype != V_ASN1_UNDEF)
        ADD(SIG_ALG, "ecdsa-with-SHA256 with parameters (they must be absent)");
    else if (X509_ALGOR_cmp(alg, X509_get0_tbs_sigalg(c->x)) != 0)
        ADD(SIG_ALG, "the TBS certificate names another signature algorithm");
}

static void key_alg(clid__lint *l, const clid__lint_cert *c)
{
    X509_PUBKEY *pub = X509_get_X509_PUBKEY(c->x);
    ASN1_OBJECT *alg = NULL;
    X509_ALGOR *pa = NULL;
    if (pub == NULL || !X509_PUBKEY_get0_param(&alg, NULL, NULL, &pa, pub)) {
        ADD(KEY_ALG, "the subjectPublicKeyInfo cannot be read");
        return;
    }
    char name[96];
    if (OBJ_obj2nid(alg) != NID_X9_62_id_ecPublicKey) {
        ADD(KEY_ALG, "the key is %s, not id-ecPublicKey", obj_name(alg, name, sizeof name));
        return;
    }
    int ptype = V_ASN1_UNDEF;
    const void *pval = NULL;
    X509_ALGOR_get0(NULL, &ptype, &pval, pa);
    if (ptype != V_ASN1_OBJECT)
        ADD(KEY_ALG, "an EC key with explicit curve parameters, not the namedCurve P-256");
    else if (OBJ_obj2nid(pval) != NID_X9_62_prime256v1)
        ADD(KEY_ALG, "an EC key on %s, not P-256", obj_name(pval, name, sizeof name));
    else if (X509_get0_pubkey(c->x) == NULL)
        ADD(KEY_ALG, "the public key is not a point of P-256");
}

/* ------------------------------------------------------------------------ */
/* Extensions in general                                                     */
/* ------------------------------------------------------------------------ */

static int decode_failed(clid_err rc)
{
    return rc != CLID_OK && rc != CLID_ERR_EXT_ABSENT && rc != CLID_ERR_EXT_DUPLICATE;
}

static void extensions(clid__lint *l, const clid__lint_cert *c)
{
    int n = X509_get_ext_count(c->x);
    char oid[128], other[128];
    for (int i = 0; i < n; i++) {
        X509_EXTENSION *ext = X509_get_ext(c->x, i);
        clid__lint_oid(ext, oid, sizeof oid);
        int before = 0;
        for (int j = 0; j < i; j++)
            before += strcmp(clid__lint_oid(X509_get_ext(c->x, j), other, sizeof other), oid) == 0;
        if (before == 1) /* reported once, at its second occurrence */
            ADD(EXT_DUPLICATE, "extension %s appears more than once", oid);
        /* A critical SKI or AKI is refused by OpenSSL too, but has its own
         * rule (ski.critical, aki.critical). */
        int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
        if (X509_EXTENSION_get_critical(ext) > 0 && !clid__lint_ext_processed(ext, c->role) &&
            nid != NID_subject_key_identifier && nid != NID_authority_key_identifier)
            ADD(EXT_UNKNOWN_CRITICAL, "critical extension %s is processed by no relying party "
                "clid knows of", oid);
    }

    if (decode_failed(c->tnauth_err))
        ADD(EXT_DECODE, "TNAuthList: %s: %s", clid_err_name(c->tnauth_err),
            clid_err_str(c->tnauth_err));
    static const clid_jwtcc_kind kinds[] = {CLID_JWTCC_RFC8226, CLID_JWTCC_RFC9118};
    static const char *const names[] = {"JWTClaimConstraints", "EnhancedJWTClaimConstraints"};
    for (size_t k = 0; k < 2; k++) {
        clid_jwtcc *cc = NULL;
        clid_err rc = clid_x509_get_jwtcc(c->x, kinds[k], &cc, NULL);
        clid_jwtcc_free(cc);
        if (decode_failed(rc))
            ADD(EXT_DECODE, "%s: %s: %s", names[k], clid_err_name(rc), clid_err_str(rc));
    }
    if (decode_failed(c->entity_err))
        ADD(EXT_DECODE, "SignallingEntity: %s: %s", clid_err_name(c->entity_err),
            clid_err_str(c->entity_err));
}

/* ------------------------------------------------------------------------ */
/* basicConstraints and keyUsage per role                                    */
/* ------------------------------------------------------------------------ */

static void basic_constraints(clid__lint *l, const clid__lint_cert *c)
{
    int crit = -1;
    BASIC_CONSTRAINTS *bc = X509_get_ext_d2i(c->x, NID_basic_constraints, &crit, NULL);
    if (crit == -1) {
        ADD(BC_PRESENT, "no basicConstraints");
    } else if (crit >= 0 && bc == NULL) {
        ADD(BC_PRESENT, "basicConstraints does not decode");
    } else if (bc != NULL) {
        if (!crit)
            ADD(BC_CRITICAL, "basicConstraints is not critical");
        if (is_ca(c) && !bc->ca)
            ADD(BC_CA, "the %s issues certificate %zu but has no cA TRUE",
                clid_cert_role_name(c->role), c->index - 1);
        else if (!is_ca(c) && bc->ca)
            ADD(BC_CA, "the signer has cA TRUE: it must be an end entity");
        if (!is_ca(c) && bc->pathlen != NULL)
            ADD(BC_PATHLEN, "an end entity with a pathLenConstraint");
    }
    BASIC_CONSTRAINTS_free(bc);
}

static const char *const ku_names[9] = {
    "digitalSignature", "nonRepudiation", "keyEncipherment", "dataEncipherment", "keyAgreement",
    "keyCertSign",      "cRLSign",        "encipherOnly",    "decipherOnly",
};

/* "keyCertSign, cRLSign" for the bits of `mask` (bit n = KeyUsage bit n). */
static const char *ku_list(unsigned mask, char *buf, size_t cap)
{
    size_t o = 0;
    buf[0] = '\0';
    for (int b = 0; b < 9; b++)
        if (mask & (1u << b))
            o += (size_t)snprintf(buf + o, o < cap ? cap - o : 0, "%s%s", o ? ", " : "",
                                  ku_names[b]);
    if (o == 0)
        snprintf(buf, cap, "no bit");
    return buf;
}

/* X.690 §11.2.2: a named bit list in DER has no trailing 0 bits, so the
 * unused-bits count equals the trailing zero bits of the last octet. */
static int ku_is_der(const ASN1_OCTET_STRING *os)
{
    const unsigned char *p = ASN1_STRING_get0_data(os);
    int len = ASN1_STRING_length(os);
    if (len < 3 || p[0] != 0x03 || p[1] != len - 2)
        return 0;
    if (len == 3)
        return p[2] == 0;
    unsigned last = p[len - 1];
    if (last == 0)
        return 0;
    unsigned tz = 0;
    while (!(last & 1u)) {
        last >>= 1;
        tz++;
    }
    return p[2] == tz;
}

static void key_usage(clid__lint *l, const clid__lint_cert *c)
{
    int crit = -1;
    ASN1_BIT_STRING *ku = X509_get_ext_d2i(c->x, NID_key_usage, &crit, NULL);
    if (crit == -1) {
        ADD(KU_PRESENT, "no keyUsage");
    } else if (crit >= 0 && ku == NULL) {
        ADD(KU_PRESENT, "keyUsage does not decode");
    } else if (ku != NULL) {
        if (!crit)
            ADD(KU_CRITICAL, "keyUsage is not critical");
        unsigned mask = 0;
        for (int b = 0; b < 9; b++)
            if (ASN1_BIT_STRING_get_bit(ku, b))
                mask |= 1u << b;
        char list[160];
        const unsigned ds = 1u << 0, cert_sign = 1u << 5, crl_sign = 1u << 6;
        if (!is_ca(c) && mask != ds) {
            ADD(KU_EE, "keyUsage of the end entity is %s, not digitalSignature alone",
                ku_list(mask, list, sizeof list));
        } else if (is_ca(c) && !(mask & cert_sign)) {
            ADD(KU_CA, "keyUsage of the %s lacks keyCertSign (%s)", clid_cert_role_name(c->role),
                ku_list(mask, list, sizeof list));
        } else if (is_ca(c) && (mask & ~(cert_sign | crl_sign | ds))) {
            ADD(KU_CA, "keyUsage of the %s has %s", clid_cert_role_name(c->role),
                ku_list(mask & ~(cert_sign | crl_sign | ds), list, sizeof list));
        } else if (is_ca(c) && mask != cert_sign) {
            ADD(STI_KU_CA_SINGLE, "keyUsage of the %s is %s, not keyCertSign alone",
                clid_cert_role_name(c->role), ku_list(mask, list, sizeof list));
        }
        int idx = X509_get_ext_by_NID(c->x, NID_key_usage, -1);
        if (idx >= 0 && !ku_is_der(X509_EXTENSION_get_data(X509_get_ext(c->x, idx))))
            ADD(KU_DER, "the keyUsage BIT STRING is not DER (its unused-bits count does not "
                "match its last octet)");
    }
    ASN1_BIT_STRING_free(ku);
}

/* ------------------------------------------------------------------------ */
/* Key identifiers                                                           */
/* ------------------------------------------------------------------------ */

static int ext_critical_by_nid(X509 *x, int nid)
{
    int idx = X509_get_ext_by_NID(x, nid, -1);
    return idx >= 0 && X509_EXTENSION_get_critical(X509_get_ext(x, idx)) > 0;
}

static void key_ids(clid__lint *l, const clid__lint_cert *c)
{
    if (X509_get_ext_by_NID(c->x, NID_subject_key_identifier, -1) < 0) {
        ADD(SKI_PRESENT, "no subjectKeyIdentifier");
    } else {
        if (ext_critical_by_nid(c->x, NID_subject_key_identifier))
            ADD(SKI_CRITICAL, "subjectKeyIdentifier is critical");
        const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(c->x);
        unsigned char md[EVP_MAX_MD_SIZE];
        unsigned int mdlen = 0;
        if (ski == NULL)
            ADD(SKI_SHA1, "subjectKeyIdentifier does not decode");
        else if (!X509_pubkey_digest(c->x, EVP_sha1(), md, &mdlen))
            ; /* no readable key: key.alg says so */
        else if (ASN1_STRING_length(ski) != 20)
            ADD(SKI_SHA1, "subjectKeyIdentifier is %d octets, not the 20 of a SHA-1 hash",
                ASN1_STRING_length(ski));
        else if (mdlen != 20 || memcmp(ASN1_STRING_get0_data(ski), md, 20) != 0)
            ADD(SKI_SHA1, "subjectKeyIdentifier is not the SHA-1 hash of the public key");
    }

    if (X509_get_ext_by_NID(c->x, NID_authority_key_identifier, -1) < 0) {
        /* Optional on roots (ATIS-1000080 v005 §6.4.1). */
        if (c->role != CLID_CERT_ROLE_ROOT)
            ADD(AKI_PRESENT, "no authorityKeyIdentifier");
        return;
    }
    if (ext_critical_by_nid(c->x, NID_authority_key_identifier))
        ADD(AKI_CRITICAL, "authorityKeyIdentifier is critical");
    const ASN1_OCTET_STRING *kid = X509_get0_authority_key_id(c->x);
    if (kid == NULL) {
        ADD(AKI_KEYID, "authorityKeyIdentifier has no keyIdentifier");
        return;
    }
    const ASN1_OCTET_STRING *issuer_ski = c->issuer ? X509_get0_subject_key_id(c->issuer) : NULL;
    if (issuer_ski != NULL && ASN1_OCTET_STRING_cmp(kid, issuer_ski) != 0) {
        if (c->issuer == c->x)
            ADD(AKI_MATCH, "the root's keyIdentifier is not its own subjectKeyIdentifier");
        else
            ADD(AKI_MATCH, "keyIdentifier is not the subjectKeyIdentifier of its issuer, "
                "certificate %zu", c->index + 1);
    }
}

/* ------------------------------------------------------------------------ */
/* CRL distribution points                                                   */
/* ------------------------------------------------------------------------ */

static int is_http_uri(const GENERAL_NAME *gn)
{
    if (gn->type != GEN_URI)
        return 0;
    const char *s = (const char *)ASN1_STRING_get0_data(gn->d.uniformResourceIdentifier);
    size_t n = (size_t)ASN1_STRING_length(gn->d.uniformResourceIdentifier);
    return (n > 7 && strncasecmp(s, "http://", 7) == 0) ||
           (n > 8 && strncasecmp(s, "https://", 8) == 0);
}

static int has_dirname(const GENERAL_NAMES *names)
{
    for (int i = 0; i < sk_GENERAL_NAME_num(names); i++) {
        const GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type == GEN_DIRNAME && X509_NAME_entry_count(gn->d.directoryName) > 0)
            return 1;
    }
    return 0;
}

static void crl_dp(clid__lint *l, const clid__lint_cert *c)
{
    int crit = -1;
    STACK_OF(DIST_POINT) *dps = X509_get_ext_d2i(c->x, NID_crl_distribution_points, &crit, NULL);
    if (c->role == CLID_CERT_ROLE_ROOT) {
        if (crit != -1)
            ADD(CRLDP_ROOT, "a root with CRL distribution points");
    } else if (crit == -1) {
        ADD(CRLDP_PRESENT, "no CRL distribution points");
    } else if (crit >= 0 && dps == NULL) {
        ADD(CRLDP_FORM, "CRL distribution points do not decode");
    } else if (dps != NULL) {
        int n = sk_DIST_POINT_num(dps);
        const DIST_POINT *dp = n > 0 ? sk_DIST_POINT_value(dps, 0) : NULL;
        const GENERAL_NAMES *full = dp && dp->distpoint && dp->distpoint->type == 0
                                        ? dp->distpoint->name.fullname
                                        : NULL;
        if (n != 1)
            ADD(CRLDP_FORM, "%d distribution points, not one", n);
        else if (full == NULL)
            ADD(CRLDP_FORM, "the distribution point has no fullName");
        else if (sk_GENERAL_NAME_num(full) != 1 || !is_http_uri(sk_GENERAL_NAME_value(full, 0)))
            ADD(CRLDP_FORM, "the distribution point's fullName is not one http or https URI");
        if (dp != NULL && !has_dirname(dp->CRLissuer))
            ADD(STI_CRLDP_ISSUER, "the distribution point has no cRLIssuer directory name");
    }
    sk_DIST_POINT_pop_free(dps, DIST_POINT_free);
}

/* ------------------------------------------------------------------------ */
/* TNAuthList presence, validity, chain order                                */
/* ------------------------------------------------------------------------ */

static void tnauth(clid__lint *l, const clid__lint_cert *c)
{
    if (!is_ca(c) && c->tnauth_err == CLID_ERR_EXT_ABSENT)
        ADD(TNAUTH_PRESENT, "the end entity has no TNAuthList");
    if (c->tnauth_err != CLID_ERR_EXT_ABSENT && c->tnauth_critical)
        ADD(TNAUTH_CRITICAL, "TNAuthList is critical");
}

static const char *rfc3339(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, cap, "%" PRId64, t);
    return buf;
}

/* RFC 5280 §4.1.2.5: UTCTime YYMMDDHHMMSSZ for 1950-2049, GeneralizedTime
 * YYYYMMDDHHMMSSZ from 2050; NULL when `t` is so, else what is wrong. */
static const char *time_form(const ASN1_TIME *t)
{
    int len = ASN1_STRING_length(t);
    const unsigned char *p = ASN1_STRING_get0_data(t);
    struct tm tm;
    if (ASN1_TIME_to_tm(t, &tm) != 1)
        return "does not parse";
    int year = tm.tm_year + 1900;
    if (ASN1_STRING_type(t) == V_ASN1_UTCTIME)
        return len == 13 && p[12] == 'Z' ? NULL : "is not a UTCTime YYMMDDHHMMSSZ";
    if (ASN1_STRING_type(t) != V_ASN1_GENERALIZEDTIME)
        return "is neither UTCTime nor GeneralizedTime";
    if (len != 15 || p[14] != 'Z')
        return "is not a GeneralizedTime YYYYMMDDHHMMSSZ";
    return year < 2050 ? "is a GeneralizedTime before 2050 (UTCTime is required)" : NULL;
}

static void validity(clid__lint *l, const clid__lint_cert *c)
{
    const ASN1_TIME *nb = X509_get0_notBefore(c->x), *na = X509_get0_notAfter(c->x);
    const char *bad;
    if ((bad = time_form(nb)) != NULL)
        ADD(VALIDITY_ENCODING, "notBefore %s", bad);
    if ((bad = time_form(na)) != NULL)
        ADD(VALIDITY_ENCODING, "notAfter %s", bad);
    int64_t from, until;
    if (!clid__asn1_time_unix(nb, &from) || !clid__asn1_time_unix(na, &until))
        return;
    char b1[32], b2[32], b3[32], b4[32];
    if (from > until)
        ADD(VALIDITY_RANGE, "notBefore %s is after notAfter %s", rfc3339(from, b1, sizeof b1),
            rfc3339(until, b2, sizeof b2));
    int64_t ifrom, iuntil;
    if (c->issuer != NULL && c->issuer != c->x && clid__asn1_time_unix(X509_get0_notBefore(c->issuer), &ifrom) &&
        clid__asn1_time_unix(X509_get0_notAfter(c->issuer), &iuntil) && (from < ifrom || until > iuntil))
        ADD(VALIDITY_ISSUER, "valid %s to %s, beyond its issuer's %s to %s",
            rfc3339(from, b1, sizeof b1), rfc3339(until, b2, sizeof b2),
            rfc3339(ifrom, b3, sizeof b3), rfc3339(iuntil, b4, sizeof b4));
    if (l->at != 0 && l->at < from)
        ADD(VALIDITY_AT, "not valid before %s (lint time %s)", rfc3339(from, b1, sizeof b1),
            rfc3339(l->at, b2, sizeof b2));
    else if (l->at != 0 && l->at > until)
        ADD(VALIDITY_AT, "expired at %s (lint time %s)", rfc3339(until, b1, sizeof b1),
            rfc3339(l->at, b2, sizeof b2));
}

static void chain_order(clid__lint *l, const clid__lint_cert *c)
{
    if (c->index + 1 < l->n && c->issuer != l->certs[c->index + 1].x)
        ADD(CHAIN_ORDER, "its issuer is not certificate %zu, the next in the chain",
            c->index + 1);
}

void clid__lint_x509(clid__lint *l, const clid__lint_cert *c)
{
    version(l, c);
    serial(l, c);
    signature_alg(l, c);
    key_alg(l, c);
    extensions(l, c);
    basic_constraints(l, c);
    key_usage(l, c);
    key_ids(l, c);
    crl_dp(l, c);
    tnauth(l, c);
    validity(l, c);
    chain_order(l, c);
}
