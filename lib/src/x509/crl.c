/*
 * One CRL (crl.h): parsing, the facts the revocation checks need, whether
 * it is the CRL a distribution point names (RFC 5280 §6.3.3 (b)), and its
 * entries (§5.3.3). The checks over a validated chain are in crl_check.c.
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>

#include "core/internal.h"
#include "x509/crl.h"
#include "x509/x509_load.h"

/* ------------------------------------------------------------------------ */
/* Facts                                                                     */
/* ------------------------------------------------------------------------ */

static int mark_bad(clid__crl *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int mark_bad(clid__crl *c, const char *fmt, ...)
{
    c->bad = CLID_ERR_CRL_INVALID;
    va_list ap;
    va_start(ap, fmt);
    (void)vsnprintf(c->why, sizeof c->why, fmt, ap);
    va_end(ap);
    return 0;
}

static void oid_text(const ASN1_OBJECT *obj, char *buf, size_t cap)
{
    if (OBJ_obj2txt(buf, (int)cap, obj, 1) <= 0)
        snprintf(buf, cap, "?");
}

/* CRL extensions (RFC 5280 §5.2): issuingDistributionPoint is processed;
 * a delta CRL (§5.2.4) is not a complete CRL; any other critical extension
 * is one clid does not process, which makes the CRL unusable (§5.2, §6.3.3
 * (j) of a "conforming" relying party). */
static int check_crl_exts(clid__crl *c)
{
    int n_idp = 0;
    for (int i = 0; i < X509_CRL_get_ext_count(c->crl); i++) {
        X509_EXTENSION *ext = X509_CRL_get_ext(c->crl, i);
        const ASN1_OBJECT *obj = X509_EXTENSION_get_object(ext);
        int nid = OBJ_obj2nid(obj);
        if (nid == NID_issuing_distribution_point) {
            n_idp++;
        } else if (nid == NID_delta_crl) {
            return mark_bad(c, "a delta CRL (RFC 5280 §5.2.4): only complete CRLs are used");
        } else if (X509_EXTENSION_get_critical(ext) && nid != NID_crl_number &&
                   nid != NID_authority_key_identifier) {
            char oid[80];
            oid_text(obj, oid, sizeof oid);
            return mark_bad(c, "unsupported critical CRL extension %s", oid);
        }
    }
    if (n_idp > 1)
        return mark_bad(c, "issuingDistributionPoint repeated (RFC 5280 §5.2)");
    if (n_idp == 1) {
        int crit = 0;
        c->idp = X509_CRL_get_ext_d2i(c->crl, NID_issuing_distribution_point, &crit, NULL);
        if (c->idp == NULL)
            return mark_bad(c, "issuingDistributionPoint does not decode");
        c->indirect = c->idp->indirectCRL != 0;
    }
    return 1;
}

/* Entry extensions (RFC 5280 §5.3): certificateIssuer (§5.3.3) only in an
 * indirect CRL; other critical entry extensions are not processed here. */
static int check_entries(clid__crl *c)
{
    STACK_OF(X509_REVOKED) *revs = X509_CRL_get_REVOKED(c->crl);
    for (int i = 0; i < sk_X509_REVOKED_num(revs); i++) {
        X509_REVOKED *r = sk_X509_REVOKED_value(revs, i);
        for (int j = 0; j < X509_REVOKED_get_ext_count(r); j++) {
            X509_EXTENSION *ext = X509_REVOKED_get_ext(r, j);
            int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
            if (nid == NID_certificate_issuer) {
                if (!c->indirect)
                    return mark_bad(c, "entry %d has a certificateIssuer but the CRL is not "
                                       "indirect (RFC 5280 §5.3.3)", i);
                int crit = 0;
                GENERAL_NAMES *g = X509_REVOKED_get_ext_d2i(r, NID_certificate_issuer, &crit, NULL);
                if (g == NULL)
                    return mark_bad(c, "entry %d: certificateIssuer repeated or malformed", i);
                GENERAL_NAMES_free(g);
            } else if (X509_EXTENSION_get_critical(ext) && nid != NID_crl_reason &&
                       nid != NID_invalidity_date) {
                char oid[80];
                oid_text(X509_EXTENSION_get_object(ext), oid, sizeof oid);
                return mark_bad(c, "entry %d: unsupported critical extension %s", i, oid);
            }
        }
    }
    return 1;
}

static clid_err facts(clid__crl *c)
{
    unsigned char *der = NULL;
    int len = i2d_X509_CRL(c->crl, &der);
    if (len <= 0)
        return CLID_ERR_CRL_NOT_A_CRL;
    unsigned int hl = 0;
    int ok = EVP_Digest(der, (size_t)len, c->hash, &hl, EVP_sha256(), NULL) == 1 && hl == 32;
    OPENSSL_free(der);
    CLID_ENSURE(ok, CLID_ERR_INTERNAL);

    if (!clid__asn1_time_unix(X509_CRL_get0_lastUpdate(c->crl), &c->this_update))
        return (void)mark_bad(c, "thisUpdate cannot be read"), CLID_OK;
    /* RFC 5280 §5.1.2.5: conforming CRL issuers MUST include nextUpdate;
     * without it there is no telling when the CRL stops being current. */
    if (X509_CRL_get0_nextUpdate(c->crl) == NULL)
        return (void)mark_bad(c, "no nextUpdate (RFC 5280 §5.1.2.5)"), CLID_OK;
    if (!clid__asn1_time_unix(X509_CRL_get0_nextUpdate(c->crl), &c->next_update))
        return (void)mark_bad(c, "nextUpdate cannot be read"), CLID_OK;
    if (c->next_update <= c->this_update)
        return (void)mark_bad(c, "nextUpdate is not after thisUpdate"), CLID_OK;
    if (check_crl_exts(c) && check_entries(c)) {
        /* OpenSSL sorts the entries on the first lookup, under the CRL's
         * lock; doing it now, before the CRL is shared, keeps lookups from
         * concurrent verifications read-only. */
        X509_REVOKED *r = NULL;
        ASN1_INTEGER *zero = ASN1_INTEGER_new();
        CLID_ENSURE(zero != NULL, CLID_ERR_NOMEM);
        (void)X509_CRL_get0_by_serial(c->crl, &r, zero);
        ASN1_INTEGER_free(zero);
    }
    return CLID_OK;
}

clid_err clid__crl_wrap(X509_CRL *crl, clid__crl **out)
{
    CLID_ENSURE(crl != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    clid__crl *c = calloc(1, sizeof *c);
    CLID_ENSURE(c != NULL, CLID_ERR_NOMEM);
    c->refs = 1;
    X509_CRL_up_ref(crl);
    c->crl = crl;
    ERR_set_mark();
    clid_err rc = facts(c);
    ERR_pop_to_mark();
    if (rc != CLID_OK) {
        clid__crl_release(c);
        return rc;
    }
    *out = c;
    return CLID_OK;
}

clid_err clid__crl_parse(const uint8_t *buf, size_t len, clid__crl **out)
{
    CLID_ENSURE(buf != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_ENSURE(len > 0 && len <= CLID_CRL_MAX_LEN, CLID_ERR_CRL_NOT_A_CRL);
    STACK_OF(X509_CRL) *crls = NULL;
    clid_err rc = clid__crls_parse((const char *)buf, len, &crls);
    if (rc == CLID_ERR_NOMEM)
        return rc;
    if (rc != CLID_OK || sk_X509_CRL_num(crls) != 1) {
        sk_X509_CRL_pop_free(crls, X509_CRL_free);
        return CLID_ERR_CRL_NOT_A_CRL;
    }
    rc = clid__crl_wrap(sk_X509_CRL_value(crls, 0), out);
    sk_X509_CRL_pop_free(crls, X509_CRL_free);
    return rc;
}

void clid__crl_ref(clid__crl *c)
{
    if (c != NULL)
        __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
}

void clid__crl_release(clid__crl *c)
{
    if (c == NULL || __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) != 0)
        return;
    ISSUING_DIST_POINT_free(c->idp);
    X509_CRL_free(c->crl);
    free(c);
}

/* ------------------------------------------------------------------------ */
/* Scope (RFC 5280 §6.3.3 (b))                                               */
/* ------------------------------------------------------------------------ */

const X509_NAME *clid__crl_dp_issuer(const DIST_POINT *dp)
{
    for (int i = 0; dp != NULL && i < sk_GENERAL_NAME_num(dp->CRLissuer); i++) {
        const GENERAL_NAME *g = sk_GENERAL_NAME_value(dp->CRLissuer, i);
        if (g->type == GEN_DIRNAME)
            return g->d.directoryName;
    }
    return NULL;
}

/* Whether two GENERAL_NAMES share a name. */
static int names_meet(const GENERAL_NAMES *a, const GENERAL_NAMES *b)
{
    for (int i = 0; i < sk_GENERAL_NAME_num(a); i++)
        for (int j = 0; j < sk_GENERAL_NAME_num(b); j++)
            if (GENERAL_NAME_cmp(sk_GENERAL_NAME_value(a, i), sk_GENERAL_NAME_value(b, j)) == 0)
                return 1;
    return 0;
}

/* §6.3.3 (b)(2)(i): the distribution point name of the CRL must be one the
 * certificate names: its distribution point's, else its cRLIssuer. Only
 * full names are compared (relative names would need the issuer's DN to be
 * completed; SHAKEN uses URIs). */
static int dp_names_match(const ISSUING_DIST_POINT *idp, const DIST_POINT *dp, char *why,
                          size_t cap)
{
    if (idp->distpoint->type != 0) {
        clid__detail(why, cap, "the CRL's distribution point is a relative name (not supported)");
        return 0;
    }
    const GENERAL_NAMES *crl_names = idp->distpoint->name.fullname;
    if (dp->distpoint != NULL) {
        if (dp->distpoint->type != 0) {
            clid__detail(why, cap, "the certificate's distribution point is a relative name (not "
                          "supported)");
            return 0;
        }
        if (names_meet(crl_names, dp->distpoint->name.fullname))
            return 1;
    } else if (names_meet(crl_names, dp->CRLissuer)) {
        return 1;
    }
    clid__detail(why, cap, "the CRL's issuingDistributionPoint names another distribution point");
    return 0;
}

int clid__crl_in_scope(const clid__crl *c, const DIST_POINT *dp, const X509_NAME *crl_issuer,
                       int is_ca, char *why, size_t cap)
{
    if (c == NULL || dp == NULL || crl_issuer == NULL)
        return 0;
    if (X509_NAME_cmp(X509_CRL_get_issuer(c->crl), crl_issuer) != 0) {
        clid__detail(why, cap, "the CRL is issued by another name than the distribution point expects");
        return 0;
    }
    /* §6.3.3 (b)(1): a cRLIssuer asks for an indirect CRL. */
    if (dp->CRLissuer != NULL && !c->indirect) {
        clid__detail(why, cap, "the CRL is not marked indirect (issuingDistributionPoint indirectCRL, "
                      "RFC 5280 §5.2.5)");
        return 0;
    }
    const ISSUING_DIST_POINT *idp = c->idp;
    if (idp == NULL)
        return 1;
    if (idp->onlyuser && is_ca) {
        clid__detail(why, cap, "the CRL covers end-entity certificates only");
        return 0;
    }
    if (idp->onlyCA && !is_ca) {
        clid__detail(why, cap, "the CRL covers CA certificates only");
        return 0;
    }
    if (idp->onlyattr) {
        clid__detail(why, cap, "the CRL covers attribute certificates only");
        return 0;
    }
    /* A partial CRL (onlySomeReasons) is not enough alone; clid does not
     * combine partial CRLs. */
    if (idp->onlysomereasons != NULL) {
        clid__detail(why, cap, "the CRL covers some revocation reasons only (onlySomeReasons)");
        return 0;
    }
    if (idp->distpoint != NULL && !dp_names_match(idp, dp, why, cap))
        return 0;
    return 1;
}

int clid__crl_lists(const clid__crl *c, X509 *x)
{
    if (c == NULL || x == NULL)
        return 0;
    /* OpenSSL's lookup matches the serial and the entry's issuer with the
     * certificate's issuer: the certificateIssuer of the entry or of the
     * nearest entry before it in the encoded order, else the CRL issuer
     * (RFC 5280 §5.3.3), resolved while parsing. 2 is removeFromCRL, which
     * belongs to delta CRLs. The entries were sorted when the CRL was made
     * (facts()), so this only reads. The cast: OpenSSL 3.0's prototype is
     * not const-correct. */
    X509_REVOKED *r = NULL;
    return X509_CRL_get0_by_cert((X509_CRL *)c->crl, &r, x) == 1;
}
