/*
 * clid ca: the STI-PA's CRL (docs/ca.md, "The STI-PA CRL").
 *
 * In SHAKEN every STI certificate's CRL Distribution Points name one CRL,
 * published by the policy administrator: an HTTPS URL and a cRLIssuer that
 * names the STI-PA CRL signer (ATIS-1000080; RFC 5280 §4.2.1.13). That CRL
 * is indirect (RFC 5280 §5.2.5): signed by the STI-PA CRL signer, not by
 * the STI-CAs whose certificates it lists, each entry naming the issuer it
 * belongs to in a certificateIssuer extension (§5.3.3). A CA directory
 * plays that role too (`init` makes it; --sti-pa-crl-url chooses the URL):
 * a CRL signer under the root (keyUsage cRLSign
 * only), the distribution point in the intermediate and every SP and SP CA
 * certificate, and `crl` writing the indirect CRL: the only CRL, or besides
 * the per-CA ones with init --direct-crls.
 */
#include "ca.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

/* ------------------------------------------------------------------------ */
/* Building blocks                                                           */
/* ------------------------------------------------------------------------ */

static GENERAL_NAMES *one_name(int type, void *value)
{
    GENERAL_NAMES *g = GENERAL_NAMES_new();
    GENERAL_NAME *n = GENERAL_NAME_new();
    if (g == NULL || n == NULL || value == NULL || !sk_GENERAL_NAME_push(g, n)) {
        GENERAL_NAMES_free(g);
        GENERAL_NAME_free(n);
        return NULL;
    }
    GENERAL_NAME_set0_value(n, type, value);
    return g;
}

static GENERAL_NAMES *uri_names(const char *url)
{
    ASN1_IA5STRING *u = ASN1_IA5STRING_new();
    if (u == NULL || ASN1_STRING_set(u, url, -1) != 1) {
        ASN1_IA5STRING_free(u);
        return NULL;
    }
    GENERAL_NAMES *g = one_name(GEN_URI, u);
    if (g == NULL)
        ASN1_IA5STRING_free(u);
    return g;
}

static GENERAL_NAMES *dir_names(const X509_NAME *name)
{
    X509_NAME *d = X509_NAME_dup(name);
    GENERAL_NAMES *g = one_name(GEN_DIRNAME, d);
    if (g == NULL)
        X509_NAME_free(d);
    return g;
}

static DIST_POINT_NAME *full_name(const char *url)
{
    DIST_POINT_NAME *dpn = DIST_POINT_NAME_new();
    if (dpn == NULL)
        return NULL;
    dpn->type = 0;
    if ((dpn->name.fullname = uri_names(url)) == NULL) {
        DIST_POINT_NAME_free(dpn);
        return NULL;
    }
    return dpn;
}

int ca_add_stipa_dp(X509 *x, const char *url, const X509_NAME *crl_issuer)
{
    CRL_DIST_POINTS *dps = CRL_DIST_POINTS_new();
    DIST_POINT *dp = DIST_POINT_new();
    int ok = dps != NULL && dp != NULL && (dp->distpoint = full_name(url)) != NULL &&
             (dp->CRLissuer = dir_names(crl_issuer)) != NULL && sk_DIST_POINT_push(dps, dp);
    if (ok)
        dp = NULL;
    /* Non-critical (RFC 5280 §4.2.1.13 "SHOULD be non-critical"). */
    ok = ok && X509_add1_ext_i2d(x, NID_crl_distribution_points, dps, 0, X509V3_ADD_DEFAULT) == 1;
    DIST_POINT_free(dp);
    CRL_DIST_POINTS_free(dps);
    return ok ? 0 : -1;
}

int ca_stipa_url_ok(const char *u)
{
    if (strncmp(u, "https://", 8) != 0 && strncmp(u, "http://", 7) != 0)
        return 0;
    if (strlen(u) > 1024)
        return 0;
    for (const char *p = u; *p; p++)
        if (*p <= ' ' || *p >= 0x7F)
            return 0;
    return 1;
}

X509 *ca_make_crl_signer(const char *name, const char *org, const char *country, EVP_PKEY *key,
                         X509 *root, EVP_PKEY *root_key, const ca_serial *serial, int64_t nb,
                         int64_t na)
{
    char cn[160];
    snprintf(cn, sizeof cn, "%s STI-PA CRL", name);
    X509 *x = X509_new();
    X509_NAME *subject = ca_make_name(cn, org, country);
    /* RFC 5280 §4.2.1.3: a key that signs CRLs and nothing else; an end
     * entity (§4.2.1.9), so it can issue no certificate. */
    int ok = x != NULL && subject != NULL && X509_set_version(x, X509_VERSION_3) == 1 &&
             ca_set_serial(x, serial) == 0 && X509_set_subject_name(x, subject) == 1 &&
             X509_set_issuer_name(x, X509_get_subject_name(root)) == 1 &&
             ca_set_validity(x, nb, na) == 0 && X509_set_pubkey(x, key) == 1 &&
             ca_add_ext(x, root, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
             ca_add_ext(x, root, NID_key_usage, "critical,cRLSign") == 0 &&
             ca_add_ext(x, root, NID_subject_key_identifier, "hash") == 0 &&
             ca_add_ext(x, root, NID_authority_key_identifier, "keyid:always") == 0 &&
             X509_sign(x, root_key, EVP_sha256()) > 0;
    X509_NAME_free(subject);
    if (!ok) {
        tool_openssl_errors();
        X509_free(x);
        return NULL;
    }
    return x;
}

int ca_stipa_load(ca_dir *d, int with_key)
{
    if (ca_config_str(d, "sti_pa_crl_url") == NULL)
        return TOOL_EXIT_OK;
    char path[4096];
    int rc;
    snprintf(path, sizeof path, "%s/crl-signer.pem", d->path);
    if (d->crl_signer == NULL && (rc = ca_cert_load(path, &d->crl_signer, NULL)) != TOOL_EXIT_OK)
        return rc;
    if (!with_key || d->crl_signer_key != NULL)
        return TOOL_EXIT_OK;
    snprintf(path, sizeof path, "%s/crl-signer.key", d->path);
    if ((rc = ca_key_load(path, &d->crl_signer_key)) != TOOL_EXIT_OK)
        return rc;
    if (X509_check_private_key(d->crl_signer, d->crl_signer_key) != 1) {
        tool_openssl_errors();
        tool_error("%s: crl-signer.key does not match crl-signer.pem (an inconsistent CA "
                   "directory)",
                   d->path);
        return TOOL_EXIT_DATAERR;
    }
    return TOOL_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* The indirect CRL                                                          */
/* ------------------------------------------------------------------------ */

/* The issuer of index entry `e` when it is the root or the intermediate
 * (the STI-CA role): the certificates an STI-PA CRL lists. */
static X509 *entry_issuer(const ca_dir *d, json_t *e)
{
    ca_serial is;
    const char *kind = json_string_value(json_object_get(e, "kind"));
    if (kind == NULL || strcmp(kind, "crl-signer") == 0 ||
        ca_entry_serial(e, "issuer_serial", &is) != 0)
        return NULL;
    return ca_serial_eq(&is, &d->inter_serial)  ? d->inter
           : ca_serial_eq(&is, &d->root_serial) ? d->root
                                                : NULL;
}

X509_CRL *ca_stipa_crl(const ca_dir *d, int64_t at, long days, uint64_t number, size_t *count)
{
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *last = ASN1_TIME_set(NULL, (time_t)at);
    ASN1_TIME *next = ASN1_TIME_set(NULL, (time_t)(at + (int64_t)days * 86400));
    ASN1_INTEGER *num = ASN1_INTEGER_new();
    ISSUING_DIST_POINT *idp = ISSUING_DIST_POINT_new();
    X509_EXTENSION *aki = NULL;
    const char *url = ca_config_str(d, "sti_pa_crl_url");
    int ok = crl != NULL && last != NULL && next != NULL && num != NULL && idp != NULL &&
             url != NULL && X509_CRL_set_version(crl, X509_CRL_VERSION_2) == 1 &&
             X509_CRL_set_issuer_name(crl, X509_get_subject_name(d->crl_signer)) == 1 &&
             X509_CRL_set1_lastUpdate(crl, last) == 1 && X509_CRL_set1_nextUpdate(crl, next) == 1;
    *count = 0;
    json_t *certs = ca_index_certs(d);
    for (size_t i = 0; ok && i < json_array_size(certs); i++) {
        json_t *e = json_array_get(certs, i);
        X509 *issuer = entry_issuer(d, e);
        if (json_is_null(json_object_get(e, "revoked")) || issuer == NULL)
            continue;
        /* Every entry names its issuer (RFC 5280 §5.3.3), so the order of
         * the entries does not matter and they may be sorted. */
        GENERAL_NAMES *g = dir_names(X509_get_subject_name(issuer));
        ok = g != NULL && ca_crl_add_revoked(crl, e, g) == 0;
        GENERAL_NAMES_free(g);
        ++*count;
    }
    /* RFC 5280 §5.2.5: critical, indirectCRL; the distribution point name
     * is the URL the certificates name, so a relying party can tell this
     * CRL is the one they point to (§6.3.3 (b)(2)(i)). */
    if (ok) {
        idp->indirectCRL = 0xFF;
        idp->distpoint = full_name(url);
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, d->crl_signer, NULL, NULL, crl, 0);
        aki = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
        ok = idp->distpoint != NULL &&
             X509_CRL_add1_ext_i2d(crl, NID_issuing_distribution_point, idp, 1, 0) == 1 &&
             aki != NULL && X509_CRL_add_ext(crl, aki, -1) == 1 &&
             ASN1_INTEGER_set_uint64(num, number) == 1 &&
             X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1 &&
             X509_CRL_sort(crl) == 1 && X509_CRL_sign(crl, d->crl_signer_key, EVP_sha256()) > 0;
    }
    X509_EXTENSION_free(aki);
    ISSUING_DIST_POINT_free(idp);
    ASN1_TIME_free(last);
    ASN1_TIME_free(next);
    ASN1_INTEGER_free(num);
    if (ok)
        return crl;
    tool_openssl_errors();
    tool_error("ca crl: building the STI-PA CRL failed (damaged index entry or OpenSSL error)");
    X509_CRL_free(crl);
    return NULL;
}

int ca_stipa_stage(ca_dir *d, ca_txn *t, int64_t at, long days, uint64_t number, size_t *n,
                   const char *extra_out)
{
    ca_buf pem = {0}, der = {0};
    char l1[4200], l2[4200];
    int rc = TOOL_EXIT_FAIL;
    X509_CRL *crl = ca_stipa_crl(d, at, days, number, n);
    if (crl == NULL)
        goto out;
    if (ca_buf_crl(&pem, crl) != 0 || ca_buf_crl_der(&der, crl) != 0) {
        tool_error("ca crl: out of memory");
        goto out;
    }
    snprintf(l1, sizeof l1, "%s/sti-pa.crl", d->path);
    snprintf(l2, sizeof l2, "%s/sti-pa-crl.pem", d->path);
    if ((rc = ca_txn_write(t, d->fd, l1, "sti-pa.crl", der.p, der.len, 0644, 0, "sti-pa-crl")) ==
        TOOL_EXIT_OK)
        rc = ca_txn_write(t, d->fd, l2, "sti-pa-crl.pem", pem.p, pem.len, 0644, 0,
                          "sti-pa-crl-pem");
    if (rc == TOOL_EXIT_OK && extra_out != NULL)
        rc = ca_txn_write_path(t, extra_out, pem.p, pem.len, 0644, 0, "out");
out:
    X509_CRL_free(crl);
    ca_buf_free(&pem);
    ca_buf_free(&der);
    return rc;
}
