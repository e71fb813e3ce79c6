/*
 * clid ca issue DIR --out PREFIX [extension options] [--csr FILE] [--days N]
 *     [--not-before TIME] [--ca] [--delegate-of PARENT.pem --parent-key KEY]
 *     [--crl-url URL]
 *
 * Three kinds of certificate (docs/ca.md):
 *   sp        an end entity signed by DIR's intermediate: the ATIS-1000080
 *             SHAKEN profile (CN "SHAKEN <SPC>", a single SPC, non-critical
 *             TNAuthList, keyUsage digitalSignature, CRL distribution point,
 *             SHAKEN certificate policy), or TN-scoped with --tn/--range;
 *   sp-ca     (--ca) a service provider's CA certificate, CA:TRUE pathlen:0
 *             with a TNAuthList: the parent of RFC 9060 delegates;
 *   delegate  (--delegate-of) an end entity signed by an sp-ca whose
 *             TNAuthList must be encompassed by the parent's (RFC 9060 §4).
 *
 * Every certificate states the profile it follows (shaken, q3063, or none
 * with the reason) and is linted against it before anything is written
 * (ca_profile.c).
 *
 * Everything is checked and built before DIR changes; DIR then changes in
 * one transaction (ca_store.c): certs/SERIAL.pem, index.json, and last
 * PREFIX.key and PREFIX.pem.
 */
#include "ca.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/x509v3.h>

static const tool_opt issue_opts[] = {
    CA_EXT_OPTIONS,
    {"--out", NULL, 1, 0},
    {"--csr", NULL, 1, 0},
    {"--days", NULL, 1, 0},
    {"--not-before", NULL, 1, 0},
    {"--delegate-of", NULL, 1, 0},
    {"--parent-key", NULL, 1, 0},
    {"--crl-url", NULL, 1, 0},
    {"--ca", NULL, 0, 0},
    {"--help", "-h", 0, 0},
    {"--org", NULL, 1, 0},
    {"--seed", NULL, 1, 0},
};
enum {
    OPT_OUT = CA_OPT_EXT_COUNT,
    OPT_CSR,
    OPT_DAYS,
    OPT_NOT_BEFORE,
    OPT_DELEGATE_OF,
    OPT_PARENT_KEY,
    OPT_CRL_URL,
    OPT_CA,
    OPT_HELP,
    OPT_ORG,
    OPT_SEED
};

typedef struct issue_job {
    const char *dir, *out, *csr, *parent_path, *crl_url, *org;
    const char *seed; /* --seed, else the seeded DIR's, else NULL (random) */
    ca_kind kind;
    ca_spec spec;     /* the operator's allowance; after --csr, what is granted */
    EVP_PKEY *key;    /* generated here (NULL with --csr) */
    EVP_PKEY *pub;    /* the subject's public key */
    X509 *parent;     /* --delegate-of */
    EVP_PKEY *parent_key;
    int64_t not_before;
    long days;
    int nb_given, days_given;
} issue_job;

static void job_free(issue_job *j)
{
    ca_spec_free(&j->spec);
    EVP_PKEY_free(j->key);
    EVP_PKEY_free(j->pub);
    X509_free(j->parent);
    EVP_PKEY_free(j->parent_key);
}

/* A URL goes into "URI:<url>" of OpenSSL's config syntax, where a comma
 * would start another name: allow printable ASCII without ',' or spaces. */
static int url_ok(const char *u)
{
    if (strstr(u, "://") == NULL || strlen(u) > 1024)
        return 0;
    for (const char *p = u; *p; p++)
        if (*p <= ' ' || *p >= 0x7F || *p == ',')
            return 0;
    return 1;
}

static int parse_job(int argc, char **argv, issue_job *j, int *help)
{
    tool_args a;
    int rc = tool_parse_args("ca issue", "ca", argc, argv, issue_opts,
                             sizeof issue_opts / sizeof issue_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[OPT_HELP]) {
        *help = 1;
        return TOOL_EXIT_OK;
    }
    if (a.npos != 1)
        return tool_usage_error("ca issue", "ca", "expects exactly one DIR");
    j->dir = a.pos[0];
    j->out = a.value[OPT_OUT];
    j->csr = a.value[OPT_CSR];
    j->parent_path = a.value[OPT_DELEGATE_OF];
    j->crl_url = a.value[OPT_CRL_URL];
    j->org = a.value[OPT_ORG];
    j->seed = a.value[OPT_SEED];
    if (j->seed != NULL && !ca_seed_ok(j->seed))
        return tool_usage_error("ca issue", "ca",
                                "--seed: 1 to %d bytes without control characters",
                                CA_MAX_SEED);
    j->kind = a.seen[OPT_CA] ? CA_KIND_SP_CA : j->parent_path ? CA_KIND_DELEGATE : CA_KIND_SP;
    if (j->out == NULL)
        return tool_usage_error("ca issue", "ca", "--out PREFIX is required");
    if (j->org != NULL && (strlen(j->org) > 64 || strpbrk(j->org, "\r\n") != NULL))
        return tool_usage_error("ca issue", "ca",
                                "--org: at most 64 bytes on one line (RFC 5280 "
                                "ub-organization-name)");
    /* clid's Q.3063 profile §4.3: the verifier reads a SignallingEntity on
     * the signer only; on an SP CA it would restrict nothing while looking
     * as if it did (q3063.entity.ca). */
    for (int k = CA_OPT_COUNTRY; k <= CA_OPT_OPERATOR && a.seen[OPT_CA]; k++)
        if (a.seen[k])
            return tool_usage_error("ca issue", "ca",
                                    "--ca: an SP CA carries no SignallingEntity (clid Q.3063 "
                                    "profile §4.3), so %s cannot go with it%s",
                                    issue_opts[k].name,
                                    k == CA_OPT_OPERATOR ? "; --org NAME sets the subject's O"
                                                         : "");
    if (a.seen[OPT_CA] && j->parent_path != NULL)
        return tool_usage_error("ca issue", "ca",
                                "--ca and --delegate-of: an SP CA has pathlen 0, so a delegate "
                                "cannot be a CA (RFC 9060 delegates are end entities)");
    if ((j->parent_path == NULL) != (a.value[OPT_PARENT_KEY] == NULL))
        return tool_usage_error("ca issue", "ca", "--delegate-of and --parent-key go together");
    if (j->crl_url != NULL && !url_ok(j->crl_url))
        return tool_usage_error("ca issue", "ca",
                                "--crl-url '%s': expected an absolute URL without spaces or commas",
                                j->crl_url);
    j->days = CA_ISSUE_DAYS;
    if (a.value[OPT_DAYS] != NULL) {
        j->days_given = 1;
        if ((rc = ca_parse_days("ca issue", a.value[OPT_DAYS], &j->days)) != TOOL_EXIT_OK)
            return rc;
    }
    if (a.value[OPT_NOT_BEFORE] != NULL) {
        j->nb_given = 1;
        rc = ca_parse_time_opt("ca issue", "--not-before", a.value[OPT_NOT_BEFORE],
                               &j->not_before);
        if (rc != TOOL_EXIT_OK)
            return rc;
    } else {
        j->not_before = ca_now();
    }
    if ((rc = ca_spec_from_args("ca issue", &a, &j->spec)) != TOOL_EXIT_OK)
        return rc;
    /* Refuse a bad command line before reading any file. The values of a
     * CSR are linted again once they replace these. */
    if (j->csr == NULL && (rc = ca_spec_lint("ca issue", &j->spec, j->kind, TOOL_EXIT_USAGE)))
        return rc;
    if (j->parent_path != NULL &&
        (rc = ca_key_load(a.value[OPT_PARENT_KEY], &j->parent_key)) != TOOL_EXIT_OK)
        return rc;
    return TOOL_EXIT_OK;
}

/* RFC 9060: the parent must be a CA that may issue end entities (pathlen 0
 * suffices), hold the key given, and carry a TNAuthList that encompasses
 * the delegate's. SPC entries are not taken to stand for every TN here
 * (stricter than a SHAKEN verifier's default), so a delegate issued by
 * clid passes verifiers with either TN policy. */
static int check_parent(issue_job *j)
{
    int rc = ca_cert_load(j->parent_path, &j->parent, NULL);
    if (rc != TOOL_EXIT_OK)
        return rc;
    const char *why = NULL;
    clid_tnauth *ptn = NULL;
    clid_err e = clid_x509_get_tnauth(j->parent, &ptn, NULL);
    if (X509_check_ca(j->parent) != 1 || (X509_get_extension_flags(j->parent) & EXFLAG_CA) == 0)
        why = "is not a CA certificate (issue it with 'clid ca issue --ca')";
    else if (e != CLID_OK)
        why = "carries no valid TNAuthList, so it cannot delegate numbers";
    else if (X509_check_private_key(j->parent, j->parent_key) != 1)
        why = "does not match --parent-key";
    if (why != NULL) {
        tool_openssl_errors();
        clid_tnauth_free(ptn);
        tool_error("ca issue: --delegate-of %s: the parent %s", j->parent_path, why);
        return TOOL_EXIT_DATAERR;
    }
    if (!clid_tnauth_encompasses(ptn, j->spec.tnauth, 0)) {
        char want[256], have[256];
        ca_tnauth_summary(j->spec.tnauth, want, sizeof want);
        ca_tnauth_summary(ptn, have, sizeof have);
        tool_error("ca issue: %s: %s (delegate: %s; parent: %s)",
                   clid_err_name(CLID_ERR_DELEGATE_NOT_ENCOMPASSED),
                   clid_err_str(CLID_ERR_DELEGATE_NOT_ENCOMPASSED), want, have);
        clid_tnauth_free(ptn);
        return TOOL_EXIT_DATAERR;
    }
    clid_tnauth_free(ptn);
    return TOOL_EXIT_OK;
}

/* The parent must be an sp-ca of this DIR, still valid in its index. */
static int check_parent_in_dir(issue_job *j, ca_dir *d, ca_serial *parent_serial)
{
    const char *why = NULL;
    json_t *e = NULL;
    if (ca_get_serial(j->parent, parent_serial) == 0)
        e = ca_index_find(d, parent_serial);
    char sha[65];
    if (X509_check_issued(d->inter, j->parent) != X509_V_OK ||
        X509_verify(j->parent, X509_get0_pubkey(d->inter)) != 1)
        why = "was not issued by this CA's intermediate";
    else if (e == NULL || ca_cert_sha256(j->parent, sha, sizeof sha) != 0 ||
             strcmp(sha, json_string_value(json_object_get(e, "sha256"))) != 0)
        why = "is not in this CA's index";
    else if (strcmp(json_string_value(json_object_get(e, "kind")), "sp-ca") != 0)
        why = "is not an SP CA of this CA";
    else if (!json_is_null(json_object_get(e, "revoked")))
        why = "is revoked";
    if (why == NULL)
        return TOOL_EXIT_OK;
    tool_openssl_errors();
    tool_error("ca issue: --delegate-of %s: the parent %s", j->parent_path, why);
    return TOOL_EXIT_DATAERR;
}

/* The validity lies within the issuer's (RFC 5280 does not require it, but
 * a certificate that outlives its issuer only fails later, at a relying
 * party). Defaults are clamped; explicit values are refused. */
static int validity(issue_job *j, X509 *issuer, int64_t *nb, int64_t *na)
{
    int64_t ib, ia;
    if (ca_asn1_time_unix(X509_get0_notBefore(issuer), &ib) != 0 ||
        ca_asn1_time_unix(X509_get0_notAfter(issuer), &ia) != 0) {
        tool_error("ca issue: the issuer's validity cannot be read");
        return TOOL_EXIT_DATAERR;
    }
    *nb = j->not_before;
    *na = j->not_before + (int64_t)j->days * 86400;
    char b[32], a[32];
    ca_format_time(ib, b, sizeof b);
    ca_format_time(ia, a, sizeof a);
    if (*nb < ib) {
        if (j->nb_given) {
            tool_error("ca issue: --not-before lies before the issuer's notBefore %s", b);
            return TOOL_EXIT_DATAERR;
        }
        *nb = ib;
    }
    if (*na > ia) {
        if (j->days_given) {
            tool_error("ca issue: the certificate would outlive its issuer (notAfter %s); "
                       "use fewer --days",
                       a);
            return TOOL_EXIT_DATAERR;
        }
        *na = ia;
    }
    if (*na <= *nb) {
        tool_error("ca issue: the certificate would end before it starts (issuer valid %s to %s)",
                   b, a);
        return TOOL_EXIT_DATAERR;
    }
    return TOOL_EXIT_OK;
}

/* `crl_issuer` set: the distribution point is the STI-PA's (ATIS-1000080),
 * `crl_url` with that cRLIssuer. */
static X509 *build_cert(issue_job *j, const char *crl_url, const X509_NAME *crl_issuer,
                        const ca_serial *serial, X509 *issuer, EVP_PKEY *issuer_key, int64_t nb,
                        int64_t na, const char *country)
{
    X509 *x = X509_new();
    X509_NAME *subject = ca_spec_subject(&j->spec, j->kind, j->org, country);
    char dp[1100];
    int defect = ca_hook_defect("issue");
    int ok = x != NULL && subject != NULL && X509_set_version(x, X509_VERSION_3) == 1 &&
             ca_set_serial(x, serial) == 0 && X509_set_subject_name(x, subject) == 1 &&
             X509_set_issuer_name(x, X509_get_subject_name(issuer)) == 1 &&
             ca_set_validity(x, nb, na) == 0 && X509_set_pubkey(x, j->pub) == 1;
    /* RFC 5280 §4.2.1.9 and §4.2.1.3, critical as ATIS-1000080 and
     * X509_V_FLAG_X509_STRICT expect; an SP CA only signs certificates and
     * the CRL of its delegates (clid ca crl --delegate-of), an end entity
     * only signs PASSporTs. */
    if (j->kind == CA_KIND_SP_CA)
        ok = ok &&
             ca_add_ext(x, issuer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0") == 0 &&
             (defect ||
              ca_add_ext(x, issuer, NID_key_usage, "critical,keyCertSign,cRLSign") == 0);
    else
        ok = ok && ca_add_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
             (defect || ca_add_ext(x, issuer, NID_key_usage, "critical,digitalSignature") == 0);
    ok = ok && ca_add_ext(x, issuer, NID_subject_key_identifier, "hash") == 0 &&
         ca_add_ext(x, issuer, NID_authority_key_identifier, "keyid:always") == 0;
    if (ok && crl_url != NULL && crl_issuer != NULL) {
        ok = ca_add_stipa_dp(x, crl_url, crl_issuer) == 0;
    } else if (ok && crl_url != NULL) {
        snprintf(dp, sizeof dp, "URI:%s", crl_url);
        ok = ca_add_ext(x, issuer, NID_crl_distribution_points, dp) == 0;
    }
    ok = ok && ca_add_policy(x, CA_POLICY_OID) == 0;
    clid_err e = ok ? ca_spec_add_exts(&j->spec, x) : CLID_OK;
    /* The signature just made is checked before anything is written. */
    ok = ok && e == CLID_OK && X509_sign(x, issuer_key, EVP_sha256()) > 0 &&
         X509_verify(x, X509_get0_pubkey(issuer)) == 1;
    X509_NAME_free(subject);
    if (ok)
        return x;
    tool_openssl_errors();
    if (e != CLID_OK)
        tool_error("ca issue: %s: %s", clid_err_name(e), clid_err_str(e));
    else
        tool_error("ca issue: building the certificate failed in OpenSSL");
    X509_free(x);
    return NULL;
}

/* Writes everything in one transaction; see the order in ca_store.c. */
static int commit(issue_job *j, ca_dir *d, X509 *x, const ca_serial *serial,
                  const ca_serial *issuer_serial, const ca_claim *claim)
{
    ca_txn t = {.cmd = "issue"};
    ca_buf cert = {0}, index = {0}, key = {0}, chain = {0};
    char name[64], label[4200], prefix_key[4200], prefix_pem[4200], index_label[4200];
    int rc = TOOL_EXIT_FAIL;
    json_t *entry =
        ca_index_entry(x, ca_kind_name(j->kind), issuer_serial,
                       clid_cert_profile_name(claim->profile), ca_claim_reason(claim));
    if (entry == NULL || json_array_append_new(ca_index_certs(d), entry) != 0 ||
        ca_buf_cert(&cert, x) != 0 || ca_index_bytes(d->index, &index) != 0 ||
        (j->key != NULL && ca_buf_key(&key, j->key) != 0) || ca_buf_cert(&chain, x) != 0 ||
        (j->parent != NULL && ca_buf_cert(&chain, j->parent) != 0) ||
        ca_buf_cert(&chain, d->inter) != 0) {
        tool_error("ca issue: out of memory");
        goto out;
    }
    snprintf(name, sizeof name, "%s.pem", serial->hex);
    snprintf(label, sizeof label, "%s/certs/%s", d->path, name);
    snprintf(prefix_key, sizeof prefix_key, "%s.key", j->out);
    snprintf(prefix_pem, sizeof prefix_pem, "%s.pem", j->out);
    snprintf(index_label, sizeof index_label, "%s/index.json", d->path);
    /* certs/SERIAL.pem first: it spends the serial (ca_serial_new never
     * draws one that has a file), then the index records it. */
    if ((rc = ca_txn_write(&t, d->certs_fd, label, name, cert.p, cert.len, 0644, 1, "cert")) !=
            TOOL_EXIT_OK ||
        (rc = ca_txn_write(&t, d->fd, index_label, "index.json", index.p, index.len, 0644, 0,
                           "index")) != TOOL_EXIT_OK ||
        (j->key != NULL && (rc = ca_txn_write_path(&t, prefix_key, key.p, key.len, 0600, 1,
                                                   "key")) != TOOL_EXIT_OK) ||
        (rc = ca_txn_write_path(&t, prefix_pem, chain.p, chain.len, 0644, 1, "chain")) !=
            TOOL_EXIT_OK)
        goto out;
    rc = ca_txn_commit(&t);
out:
    ca_txn_end(&t);
    ca_buf_free(&cert);
    ca_buf_free(&index);
    ca_buf_free(&key);
    ca_buf_free(&chain);
    return rc;
}

/* The CA's country (the intermediate's C), for the subjects it issues. */
static const char *ca_country(X509 *inter, char *buf, size_t cap)
{
    int n = X509_NAME_get_text_by_NID(X509_get_subject_name(inter), NID_countryName, buf,
                                      (int)cap);
    return n == 2 ? buf : NULL;
}

/*
 * Seeded issue (docs/ca.md "Seeded test PKIs"): the seed is --seed or the
 * one DIR keeps (init --seed); both given and different is refused, since
 * the PKI would no longer be reproducible from one seed. The label is the
 * CA's name and PREFIX's basename, so a suite written under another
 * directory derives the same keys.
 */
static int resolve_seed(issue_job *j, const ca_dir *d, char *label, size_t cap)
{
    const char *kept = ca_config_str(d, "seed");
    if (j->seed != NULL && kept != NULL && strcmp(j->seed, kept) != 0)
        return tool_usage_error("ca issue", "ca",
                                "--seed: %s was made with another seed; give that one or none",
                                j->dir);
    if (j->seed == NULL)
        j->seed = kept;
    const char *base = strrchr(j->out, '/');
    base = base != NULL ? base + 1 : j->out;
    const char *name = ca_config_str(d, "name");
    snprintf(label, cap, "issue/%s/%s", name != NULL ? name : "", base);
    return TOOL_EXIT_OK;
}

/* A seeded serial not yet in the index nor spent by a certs/SERIAL.pem
 * (ca_serial_new's rule): the label's first alternative that is free. */
static int seeded_serial(const ca_dir *d, const char *seed, const char *label, ca_serial *out)
{
    for (unsigned k = 0; k < 64; k++) {
        char name[CA_SERIAL_HEX + 8];
        if (ca_seed_serial(seed, label, k, out) != 0)
            break;
        snprintf(name, sizeof name, "%s.pem", out->hex);
        if (ca_index_find(d, out) == NULL && !ca_exists_at(d->certs_fd, name))
            return 0;
    }
    tool_openssl_errors();
    tool_error("%s: cannot derive a free serial number from the seed for '%s'", d->path, label);
    return -1;
}

static int issue(issue_job *j)
{
    int rc;
    if (j->csr != NULL) {
        if ((rc = ca_csr_check(j->csr, &j->spec, &j->pub)) != TOOL_EXIT_OK ||
            (rc = ca_spec_lint("ca issue", &j->spec, j->kind, TOOL_EXIT_DATAERR)) != TOOL_EXIT_OK)
            return rc;
    }
    if (j->parent_path != NULL && (rc = check_parent(j)) != TOOL_EXIT_OK)
        return rc;

    ca_dir d;
    ca_serial issuer_serial, serial;
    ca_claim claim = {0};
    int64_t nb, na;
    char country[8];
    X509 *x = NULL;
    if ((rc = ca_dir_open(j->dir, CA_LOCK_EXCLUSIVE, &d)) != TOOL_EXIT_OK ||
        (rc = ca_dir_load(&d, CA_KEYS_INTER)) != TOOL_EXIT_OK)
        goto out;
    if (j->parent != NULL) {
        if ((rc = check_parent_in_dir(j, &d, &issuer_serial)) != TOOL_EXIT_OK)
            goto out;
    } else {
        issuer_serial = d.inter_serial;
    }
    char label[CA_MAX_SEED_LABEL];
    if ((rc = resolve_seed(j, &d, label, sizeof label)) != TOOL_EXIT_OK)
        goto out;
    if (j->csr == NULL) {
        /* The subject's key: derived in a seeded DIR, else random. */
        j->key = j->seed != NULL ? ca_seed_key(j->seed, label) : ca_key_generate();
        if (j->key == NULL || EVP_PKEY_up_ref(j->key) != 1) {
            tool_openssl_errors();
            tool_error("ca issue: key generation failed");
            rc = TOOL_EXIT_FAIL;
            goto out;
        }
        j->pub = j->key;
    }
    X509 *issuer = j->parent ? j->parent : d.inter;
    EVP_PKEY *issuer_key = j->parent ? j->parent_key : d.inter_key;
    /* A delegate's CRL is its SP CA's, not this CA's: only an explicit URL.
     * With the STI-PA role, SP certificates and SP CAs name the STI-PA's
     * CRL (ATIS-1000080) unless --crl-url says otherwise. */
    const char *crl_url = j->crl_url ? j->crl_url
                          : j->parent ? NULL
                                      : ca_config_str(&d, "crl_url");
    const X509_NAME *crl_issuer = NULL;
    if (j->crl_url == NULL && j->parent == NULL && ca_config_str(&d, "sti_pa_crl_url") != NULL) {
        if ((rc = ca_stipa_load(&d, 0)) != TOOL_EXIT_OK)
            goto out;
        crl_url = ca_config_str(&d, "sti_pa_crl_url");
        crl_issuer = X509_get_subject_name(d.crl_signer);
    }
    if ((rc = validity(j, issuer, &nb, &na)) != TOOL_EXIT_OK)
        goto out;
    rc = TOOL_EXIT_FAIL;
    if ((j->seed != NULL ? seeded_serial(&d, j->seed, label, &serial)
                         : ca_serial_new(&d, &serial)) != 0)
        goto out;
    ca_claim_candidate(&claim, j->kind, &j->spec, crl_url, crl_issuer != NULL,
                       j->crl_url != NULL);
    x = build_cert(j, crl_url, crl_issuer, &serial, issuer, issuer_key, nb, na,
                   ca_country(d.inter, country, sizeof country));
    if (x == NULL)
        goto out;
    /* The chain as served, and the root: linted against the claim before
     * anything is written (ca_profile.c). */
    X509 *chain[4] = {x, j->parent ? j->parent : d.inter, j->parent ? d.inter : d.root, d.root};
    if ((rc = ca_claim_check("ca issue", &claim, chain, j->parent ? 4 : 3)) != TOOL_EXIT_OK)
        goto out;
    rc = commit(j, &d, x, &serial, &issuer_serial, &claim);
    if (rc == TOOL_EXIT_OK) {
        printf("%s\n", serial.hex);
        ca_claim_print(&claim, stdout, 1, NULL);
    }
out:
    ca_claim_free(&claim);
    X509_free(x);
    ca_dir_close(&d);
    return rc;
}

int ca_cmd_issue(int argc, char **argv)
{
    issue_job j;
    memset(&j, 0, sizeof j);
    int help = 0;
    int rc = parse_job(argc, argv, &j, &help);
    if (rc == TOOL_EXIT_OK && help)
        ca_help(stdout);
    else if (rc == TOOL_EXIT_OK)
        rc = issue(&j);
    job_free(&j);
    return rc;
}
