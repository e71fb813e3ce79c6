/*
 * clid ca revoke DIR SERIAL|CERT [--reason R] [--at TIME]
 * clid ca crl DIR [--out FILE] [--days N] [--at TIME]
 *     [--delegate-of PARENT.pem --parent-key KEY]
 *
 * Revocation marks the certificate in the index; `crl` publishes. One
 * RFC 5280 §5 v2 CRL per issuing CA: the intermediate's (SP, SP CA
 * certificates) and the root's (the intermediate itself), each with
 * authorityKeyIdentifier and cRLNumber, signed by that CA. DIR/crl.pem holds
 * both in PEM (what `clid verify --crl` and `openssl verify -CRLfile` load);
 * DIR/inter.crl and DIR/root.crl hold them in DER, what a CRL distribution
 * point serves. Delegates are revoked by their SP CA, whose key DIR does
 * not hold: `crl --delegate-of` signs that CRL with the key given.
 */
#include "ca.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/x509v3.h>

/* RFC 5280 §5.3.1 CRLReason; 7 is unused and removeFromCRL (8) belongs to
 * delta CRLs only, so neither can be given. */
static const struct {
    const char *name;
    int code;
} reasons[] = {
    {"unspecified", 0},          {"keyCompromise", 1},       {"cACompromise", 2},
    {"affiliationChanged", 3},   {"superseded", 4},          {"cessationOfOperation", 5},
    {"certificateHold", 6},      {"privilegeWithdrawn", 9},  {"aACompromise", 10},
};
#define NREASONS (sizeof reasons / sizeof reasons[0])

static int reason_code(const char *name)
{
    for (size_t i = 0; i < NREASONS; i++)
        if (name != NULL && strcasecmp(name, reasons[i].name) == 0)
            return reasons[i].code;
    return -1;
}

/* ------------------------------------------------------------------------ */
/* Building a CRL                                                            */
/* ------------------------------------------------------------------------ */

int ca_crl_add_revoked(X509_CRL *crl, json_t *entry, GENERAL_NAMES *issuer)
{
    json_t *rev = json_object_get(entry, "revoked");
    ca_serial serial;
    int64_t when;
    if (ca_entry_serial(entry, "serial", &serial) != 0 ||
        ca_parse_time(json_string_value(json_object_get(rev, "date")), &when) != 0)
        return -1;
    X509_REVOKED *r = X509_REVOKED_new();
    ASN1_INTEGER *ai = ca_serial_asn1(&serial);
    ASN1_TIME *t = ASN1_TIME_set(NULL, (time_t)when);
    ASN1_ENUMERATED *re = NULL;
    int code = reason_code(json_string_value(json_object_get(rev, "reason")));
    int ok = r != NULL && ai != NULL && t != NULL && X509_REVOKED_set_serialNumber(r, ai) == 1 &&
             X509_REVOKED_set_revocationDate(r, t) == 1;
    /* RFC 5280 §5.3.1: omit the reasonCode rather than say "unspecified". */
    if (ok && code > 0) {
        re = ASN1_ENUMERATED_new();
        ok = re != NULL && ASN1_ENUMERATED_set(re, code) == 1 &&
             X509_REVOKED_add1_ext_i2d(r, NID_crl_reason, re, 0, 0) == 1;
    }
    /* RFC 5280 §5.3.3: certificateIssuer is always critical. */
    if (ok && issuer != NULL)
        ok = X509_REVOKED_add1_ext_i2d(r, NID_certificate_issuer, issuer, 1, 0) == 1;
    ok = ok && X509_CRL_add0_revoked(crl, r) == 1;
    if (!ok)
        X509_REVOKED_free(r);
    ASN1_INTEGER_free(ai);
    ASN1_TIME_free(t);
    ASN1_ENUMERATED_free(re);
    return ok ? 0 : -1;
}

/* The CRL of `issuer`: every revoked index entry whose issuer_serial is its. */
static X509_CRL *build_crl(const ca_dir *d, X509 *issuer, EVP_PKEY *key,
                           const ca_serial *issuer_serial, int64_t at, long days, uint64_t number,
                           size_t *count)
{
    X509_CRL *crl = X509_CRL_new();
    ASN1_TIME *last = ASN1_TIME_set(NULL, (time_t)at);
    ASN1_TIME *next = ASN1_TIME_set(NULL, (time_t)(at + (int64_t)days * 86400));
    ASN1_INTEGER *num = ASN1_INTEGER_new();
    X509_EXTENSION *aki = NULL;
    int ok = crl != NULL && last != NULL && next != NULL && num != NULL &&
             X509_CRL_set_version(crl, X509_CRL_VERSION_2) == 1 &&
             X509_CRL_set_issuer_name(crl, X509_get_subject_name(issuer)) == 1 &&
             X509_CRL_set1_lastUpdate(crl, last) == 1 && X509_CRL_set1_nextUpdate(crl, next) == 1;
    *count = 0;
    json_t *certs = ca_index_certs(d);
    for (size_t i = 0; ok && i < json_array_size(certs); i++) {
        json_t *e = json_array_get(certs, i);
        ca_serial is;
        if (json_is_null(json_object_get(e, "revoked")) ||
            ca_entry_serial(e, "issuer_serial", &is) != 0 || !ca_serial_eq(&is, issuer_serial))
            continue;
        ok = ca_crl_add_revoked(crl, e, NULL) == 0;
        ++*count;
    }
    /* RFC 5280 §5.2.1 and §5.2.3: AKI and cRLNumber are mandatory in v2 CRLs. */
    if (ok) {
        X509V3_CTX ctx;
        X509V3_set_ctx(&ctx, issuer, NULL, NULL, crl, 0);
        aki = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
        ok = aki != NULL && X509_CRL_add_ext(crl, aki, -1) == 1 &&
             ASN1_INTEGER_set_uint64(num, number) == 1 &&
             X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, 0) == 1 &&
             X509_CRL_sort(crl) == 1 && X509_CRL_sign(crl, key, EVP_sha256()) > 0;
    }
    X509_EXTENSION_free(aki);
    ASN1_TIME_free(last);
    ASN1_TIME_free(next);
    ASN1_INTEGER_free(num);
    if (ok)
        return crl;
    tool_openssl_errors();
    tool_error("ca crl: building the CRL failed (damaged index entry or OpenSSL error)");
    X509_CRL_free(crl);
    return NULL;
}

static int stage_counter(ca_dir *d, ca_txn *t, uint64_t next)
{
    char text[32], label[4200];
    snprintf(text, sizeof text, "%llu\n", (unsigned long long)next);
    snprintf(label, sizeof label, "%s/crlnumber", d->path);
    return ca_txn_write(t, d->fd, label, "crlnumber", text, strlen(text), 0644, 0, "crlnumber");
}

int ca_direct_crls(const ca_dir *d)
{
    /* Directories made before clid ca init chose (no key) sign them. */
    json_t *v = json_object_get(d->config, "direct_crls");
    return v == NULL || json_is_true(v);
}

int ca_crl_stage(ca_dir *d, ca_txn *t, int64_t at, long days, uint64_t number,
                 const char *extra_out, size_t *n_inter, size_t *n_root, size_t *n_stipa)
{
    ca_buf pem = {0}, inter_der = {0}, root_der = {0};
    char l1[4200], l2[4200], l3[4200];
    int rc = TOOL_EXIT_FAIL;
    X509_CRL *ic = NULL, *rc_ = NULL;
    *n_inter = *n_root = *n_stipa = 0;
    /* The number is spent first: a crash later never reuses it. */
    if (!ca_direct_crls(d) && d->crl_signer_key == NULL) {
        tool_error("%s/ca.json: no direct CRLs and no STI-PA CRL signer; not a consistent "
                   "clid CA directory",
                   d->path);
        return TOOL_EXIT_DATAERR;
    }
    if (!ca_direct_crls(d)) {
        /* The STI-PA signs revocation for the root and the intermediate,
         * whose keyUsage (keyCertSign alone, ATIS-1000080 v005) cannot
         * sign a CRL: its CRL is the only one (docs/ca.md section 3a). */
        if ((rc = stage_counter(d, t, number + 1)) == TOOL_EXIT_OK)
            rc = ca_stipa_stage(d, t, at, days, number, n_stipa, extra_out);
        return rc;
    }
    ic = build_crl(d, d->inter, d->inter_key, &d->inter_serial, at, days, number, n_inter);
    rc_ = build_crl(d, d->root, d->root_key, &d->root_serial, at, days, number, n_root);
    if (ic == NULL || rc_ == NULL)
        goto out;
    if (ca_buf_crl(&pem, ic) != 0 || ca_buf_crl(&pem, rc_) != 0 ||
        ca_buf_crl_der(&inter_der, ic) != 0 || ca_buf_crl_der(&root_der, rc_) != 0) {
        tool_error("ca crl: out of memory");
        goto out;
    }
    snprintf(l1, sizeof l1, "%s/crl.pem", d->path);
    snprintf(l2, sizeof l2, "%s/inter.crl", d->path);
    snprintf(l3, sizeof l3, "%s/root.crl", d->path);
    if ((rc = stage_counter(d, t, number + 1)) != TOOL_EXIT_OK ||
        (rc = ca_txn_write(t, d->fd, l1, "crl.pem", pem.p, pem.len, 0644, 0, "crl")) !=
            TOOL_EXIT_OK ||
        (rc = ca_txn_write(t, d->fd, l2, "inter.crl", inter_der.p, inter_der.len, 0644, 0,
                           "inter-crl")) != TOOL_EXIT_OK ||
        (rc = ca_txn_write(t, d->fd, l3, "root.crl", root_der.p, root_der.len, 0644, 0,
                           "root-crl")) != TOOL_EXIT_OK)
        goto out;
    if (d->crl_signer_key != NULL &&
        (rc = ca_stipa_stage(d, t, at, days, number, n_stipa, NULL)) != TOOL_EXIT_OK)
        goto out;
    if (extra_out != NULL)
        rc = ca_txn_write_path(t, extra_out, pem.p, pem.len, 0644, 0, "out");
out:
    X509_CRL_free(ic);
    X509_CRL_free(rc_);
    ca_buf_free(&pem);
    ca_buf_free(&inter_der);
    ca_buf_free(&root_der);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* clid ca crl                                                               */
/* ------------------------------------------------------------------------ */

static const tool_opt crl_opts[] = {
    {"--out", NULL, 1, 0},         {"--days", NULL, 1, 0},       {"--at", NULL, 1, 0},
    {"--delegate-of", NULL, 1, 0}, {"--parent-key", NULL, 1, 0}, {"--help", "-h", 0, 0},
};
enum { CRL_OUT, CRL_DAYS, CRL_AT, CRL_PARENT, CRL_PARENT_KEY, CRL_HELP };

/* The CRL of an SP CA for its delegates; only --out and crlnumber change. */
static int sp_ca_crl(ca_dir *d, ca_txn *t, const tool_args *a, int64_t at, long days)
{
    X509 *parent = NULL;
    EVP_PKEY *key = NULL;
    X509_CRL *crl = NULL;
    ca_buf pem = {0};
    ca_serial serial;
    size_t n = 0;
    json_t *e = NULL;
    int rc = ca_cert_load(a->value[CRL_PARENT], &parent, NULL);
    if (rc == TOOL_EXIT_OK)
        rc = ca_key_load(a->value[CRL_PARENT_KEY], &key);
    if (rc != TOOL_EXIT_OK)
        goto out;
    if (ca_get_serial(parent, &serial) != 0 || (e = ca_index_find(d, &serial)) == NULL ||
        strcmp(json_string_value(json_object_get(e, "kind")), "sp-ca") != 0 ||
        X509_check_private_key(parent, key) != 1) {
        tool_openssl_errors();
        tool_error("ca crl: --delegate-of %s: not an SP CA of this CA, or --parent-key does "
                   "not match it",
                   a->value[CRL_PARENT]);
        rc = TOOL_EXIT_DATAERR;
        goto out;
    }
    rc = TOOL_EXIT_FAIL;
    if ((crl = build_crl(d, parent, key, &serial, at, days, d->next_crlnumber, &n)) == NULL)
        goto out;
    if (ca_buf_crl(&pem, crl) != 0)
        goto out;
    if ((rc = stage_counter(d, t, d->next_crlnumber + 1)) == TOOL_EXIT_OK &&
        (rc = ca_txn_write_path(t, a->value[CRL_OUT], pem.p, pem.len, 0644, 0, "out")) ==
            TOOL_EXIT_OK &&
        (rc = ca_txn_commit(t)) == TOOL_EXIT_OK)
        printf("crlNumber %llu: %zu revoked by the SP CA\n",
               (unsigned long long)d->next_crlnumber, n);
out:
    X509_CRL_free(crl);
    ca_buf_free(&pem);
    X509_free(parent);
    EVP_PKEY_free(key);
    return rc;
}

int ca_cmd_crl(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("ca crl", "ca", argc, argv, crl_opts,
                             sizeof crl_opts / sizeof crl_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[CRL_HELP]) {
        ca_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 1)
        return tool_usage_error("ca crl", "ca", "expects exactly one DIR");
    if ((a.value[CRL_PARENT] == NULL) != (a.value[CRL_PARENT_KEY] == NULL))
        return tool_usage_error("ca crl", "ca", "--delegate-of and --parent-key go together");
    if (a.value[CRL_PARENT] != NULL && a.value[CRL_OUT] == NULL)
        return tool_usage_error("ca crl", "ca", "--delegate-of needs --out FILE");
    long days = CA_CRL_DAYS;
    int64_t at = ca_now();
    if ((a.value[CRL_DAYS] != NULL &&
         (rc = ca_parse_days("ca crl", a.value[CRL_DAYS], &days)) != TOOL_EXIT_OK) ||
        (a.value[CRL_AT] != NULL &&
         (rc = ca_parse_time_opt("ca crl", "--at", a.value[CRL_AT], &at)) != TOOL_EXIT_OK))
        return rc;

    ca_dir d;
    ca_txn t = {.cmd = "crl"};
    size_t ni = 0, nr = 0, ns = 0;
    if ((rc = ca_dir_open(a.pos[0], CA_LOCK_EXCLUSIVE, &d)) != TOOL_EXIT_OK)
        goto out;
    if (a.value[CRL_PARENT] != NULL) {
        rc = sp_ca_crl(&d, &t, &a, at, days);
        goto out;
    }
    if ((rc = ca_dir_load(&d, ca_direct_crls(&d) ? CA_KEYS_BOTH : CA_KEYS_NONE)) !=
            TOOL_EXIT_OK ||
        (rc = ca_stipa_load(&d, 1)) != TOOL_EXIT_OK ||
        (rc = ca_crl_stage(&d, &t, at, days, d.next_crlnumber, a.value[CRL_OUT], &ni, &nr,
                           &ns)) != TOOL_EXIT_OK ||
        (rc = ca_txn_commit(&t)) != TOOL_EXIT_OK)
        goto out;
    if (!ca_direct_crls(&d))
        printf("crlNumber %llu: %zu revoked in the STI-PA CRL\n",
               (unsigned long long)d.next_crlnumber, ns);
    else if (d.crl_signer_key != NULL)
        printf("crlNumber %llu: %zu revoked by the intermediate, %zu by the root, %zu in the "
               "STI-PA CRL\n",
               (unsigned long long)d.next_crlnumber, ni, nr, ns);
    else
        printf("crlNumber %llu: %zu revoked by the intermediate, %zu by the root\n",
               (unsigned long long)d.next_crlnumber, ni, nr);
out:
    ca_txn_end(&t);
    ca_dir_close(&d);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* clid ca revoke                                                            */
/* ------------------------------------------------------------------------ */

static const tool_opt revoke_opts[] = {
    {"--reason", NULL, 1, 0},
    {"--at", NULL, 1, 0},
    {"--help", "-h", 0, 0},
};
enum { REV_REASON, REV_AT, REV_HELP };

/* A SERIAL is hex digits (optional 0x, ':' separators); anything else is a
 * certificate file. "./1234" names a file called 1234. */
static int looks_like_serial(const char *s)
{
    ca_serial v;
    return strchr(s, '/') == NULL && strchr(s, '.') == NULL && ca_serial_parse(s, &v) == 0;
}

/* Finds the entry for the operand; for a file, the certificate must be the
 * very one this CA issued (same serial and same SHA-256). */
static int find_target(const ca_dir *d, const char *operand, json_t **entry)
{
    ca_serial serial = {""};
    X509 *x = NULL;
    char sha[65] = "";
    if (looks_like_serial(operand)) {
        (void)ca_serial_parse(operand, &serial);
    } else {
        int rc = ca_cert_load(operand, &x, NULL);
        if (rc != TOOL_EXIT_OK)
            return rc;
        if (ca_get_serial(x, &serial) != 0 || ca_cert_sha256(x, sha, sizeof sha) != 0)
            serial.hex[0] = '\0';
        X509_free(x);
    }
    *entry = ca_index_find(d, &serial);
    if (*entry != NULL && sha[0] != '\0' &&
        strcmp(sha, json_string_value(json_object_get(*entry, "sha256"))) != 0)
        *entry = NULL;
    if (*entry == NULL) {
        tool_error("ca revoke: %s: no such certificate in %s/index.json", operand, d->path);
        return TOOL_EXIT_DATAERR;
    }
    return TOOL_EXIT_OK;
}

int ca_cmd_revoke(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("ca revoke", "ca", argc, argv, revoke_opts,
                             sizeof revoke_opts / sizeof revoke_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[REV_HELP]) {
        ca_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 2)
        return tool_usage_error("ca revoke", "ca", "expects DIR and a SERIAL or CERT");
    const char *reason = a.value[REV_REASON];
    int code = reason ? reason_code(reason) : 0;
    if (code < 0)
        return tool_usage_error("ca revoke", "ca",
                                "--reason '%s': expected an RFC 5280 reason: unspecified, "
                                "keyCompromise, cACompromise, affiliationChanged, superseded, "
                                "cessationOfOperation, certificateHold, privilegeWithdrawn, "
                                "aACompromise",
                                reason);
    int64_t at = ca_now();
    if (a.value[REV_AT] != NULL &&
        (rc = ca_parse_time_opt("ca revoke", "--at", a.value[REV_AT], &at)) != TOOL_EXIT_OK)
        return rc;

    ca_dir d;
    ca_txn t = {.cmd = "revoke"};
    ca_buf index = {0};
    json_t *entry = NULL;
    char when[32], label[4200];
    if ((rc = ca_dir_open(a.pos[0], CA_LOCK_EXCLUSIVE, &d)) != TOOL_EXIT_OK ||
        (rc = find_target(&d, a.pos[1], &entry)) != TOOL_EXIT_OK)
        goto out;
    const char *serial = json_string_value(json_object_get(entry, "serial"));
    json_t *old = json_object_get(entry, "revoked");
    const char *kind = json_string_value(json_object_get(entry, "kind"));
    if (!ca_direct_crls(&d) && strcmp(kind, "crl-signer") == 0) {
        /* Its revocation would go into the root's CRL, which a root with
         * keyCertSign alone does not sign; the STI-PA CRL cannot revoke
         * its own signer. Verifiers drop it from their configuration. */
        tool_error("ca revoke: %s: the STI-PA CRL signer: no CRL of this CA directory can "
                   "revoke it (the root signs none, docs/ca.md section 3a); remove it from "
                   "verifiers' --crl-signer instead",
                   serial);
        rc = TOOL_EXIT_FAIL;
        goto out;
    }
    if (!json_is_null(old)) {
        tool_error("ca revoke: %s: already revoked on %s", serial,
                   json_string_value(json_object_get(old, "date")));
        rc = TOOL_EXIT_FAIL;
        goto out;
    }
    ca_format_time(at, when, sizeof when);
    json_t *rev = json_object();
    rc = TOOL_EXIT_FAIL;
    /* Reason names are stored as RFC 5280 spells them. */
    for (size_t i = 0; i < NREASONS && reason != NULL; i++)
        if (reasons[i].code == code)
            reason = reasons[i].name;
    if (tool_json_put(rev, "date", json_string(when)) != 0 ||
        tool_json_put(rev, "reason", reason ? json_string(reason) : json_null()) != 0) {
        json_decref(rev);
        tool_error("ca revoke: out of memory");
        goto out;
    }
    if (json_object_set_new(entry, "revoked", rev) != 0 || ca_index_bytes(d.index, &index) != 0) {
        tool_error("ca revoke: out of memory"); /* set_new consumed rev */
        goto out;
    }
    snprintf(label, sizeof label, "%s/index.json", d.path);
    if ((rc = ca_txn_write(&t, d.fd, label, "index.json", index.p, index.len, 0644, 0,
                           "index")) == TOOL_EXIT_OK &&
        (rc = ca_txn_commit(&t)) == TOOL_EXIT_OK)
        printf("%s\n", serial);
out:
    ca_txn_end(&t);
    ca_buf_free(&index);
    ca_dir_close(&d);
    return rc;
}
