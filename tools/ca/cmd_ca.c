/*
 * clid ca: a test CA for interop labs (docs/ca.md).
 *
 *   clid ca init DIR [--name NAME] [--org NAME] [--country CC] [--days N]
 *                [--not-before TIME] [--crl-url URL] [--sti-pa-crl-url URL] [--direct-crls]
 *   clid ca issue DIR --out PREFIX ...        (ca_issue.c)
 *   clid ca csr --key KEY --out FILE ...      (ca_csr.c)
 *   clid ca revoke DIR SERIAL|CERT ...        (ca_crl.c)
 *   clid ca crl DIR ...                       (ca_crl.c)
 *   clid ca list DIR [--json]
 *   clid ca export DIR --out FILE
 *
 * The hierarchy is ATIS-1000080's: a root (the trust anchor), one
 * intermediate (the STI-CA role) that signs service-provider certificates,
 * and below an SP CA the RFC 9060 delegates; the STI-PA's CRL signer and
 * its indirect CRL too (ca_stipa.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include "ca.h"
#include "commands.h"

void ca_help(FILE *f)
{
    fputs(
        "usage: clid ca init DIR [--name NAME] [--org NAME] [--country CC] [--days N]\n"
        "                [--not-before TIME] [--crl-url URL] [--sti-pa-crl-url URL]\n"
        "                [--direct-crls] [--seed S]\n"
        "       clid ca issue DIR --out PREFIX [--spc CODE] [--tn TN]... [--range START+COUNT]...\n"
        "                [--country CC]... [--carrier ICC] [--mccmnc MCC-MNC]...\n"
        "                [--ispc Z-AAA-B]... [--role ROLE] [--operator NAME] [--cn NAME]\n"
        "                [--org NAME] [--csr FILE] [--days N] [--not-before TIME] [--ca]\n"
        "                [--delegate-of PARENT.pem --parent-key KEY] [--crl-url URL]\n"
        "                [--seed S]\n"
        "       clid ca csr --key KEY [--new-key] [the extension options of issue] --out FILE\n"
        "       clid ca revoke DIR SERIAL|CERT [--reason R] [--at TIME]\n"
        "       clid ca crl DIR [--out FILE] [--days N] [--at TIME]\n"
        "                [--delegate-of PARENT.pem --parent-key KEY]\n"
        "       clid ca list DIR [--json]\n"
        "       clid ca export DIR --out FILE\n"
        "\n"
        "A test CA for interop labs: a P-256 root and intermediate in DIR, service-provider\n"
        "certificates with TNAuthList (RFC 8226) and SignallingEntity (clid's Q.3063\n"
        "profile), SP CA certificates (--ca) and RFC 9060 delegates below them, the STI-PA's\n"
        "CRL signer, revocation and CRLs. Every certificate states its profile: shaken\n"
        "(ATIS-1000080 v005), q3063, or none with the reason; it is linted against it\n"
        "before anything is written. NOT for production.\n"
        "\n"
        "  init     create DIR (must not exist, or be empty): root and intermediate (default\n"
        "           3650 days; subjects C=CC (default US), O=--org (default NAME), CN \"NAME\n"
        "           SHAKEN root\"/\"NAME SHAKEN intermediate\"), the STI-PA CRL signer\n"
        "           (crl-signer.pem) whose indirect CRL every certificate names (URL: --sti-pa-\n"
        "           crl-url, default sti-pa.crl next to --crl-url), index, CRL number, first CRL.\n"
        "           The CAs' keyUsage is keyCertSign alone; --direct-crls: cRLSign too, and\n"
        "           they sign CRLs of their own (crl.pem, inter.crl, root.crl)\n"
        "           --seed S: every key and serial derived from S (HKDF-SHA256), for\n"
        "           reproducible TEST PKIs only: whoever knows S has the keys. DIR keeps S\n"
        "  issue    write PREFIX.key (mode 0600; not with --csr) and PREFIX.pem (the\n"
        "           certificate, then its CA certificates: what x5u serves); print the serial\n"
        "           (16 random octets) and the profile.\n"
        "           --spc makes a SHAKEN certificate: C, O (--org, default \"SP <SPC>\"), CN\n"
        "           \"SHAKEN <SPC>\", TNAuthList of that single SPC (digits and A-Z only).\n"
        "           --tn/--range: for numbers (profile none, or q3063 with a SignallingEntity:\n"
        "           --role, --country ...). --ca: an SP CA (CA:TRUE, pathlen 0; no\n"
        "           SignallingEntity). --delegate-of: a delegate signed by that SP CA, whose\n"
        "           TNAuthList must be within the parent's. --csr: the request's TNAuthList\n"
        "           and SignallingEntity must be within what the options allow.\n"
        "           Default 365 days from now; CRL DP the STI-PA's; policy\n"
        "           2.16.840.1.114569.1.1.1. In a seeded DIR (or with --seed S) the key\n"
        "           and serial derive from the seed, the CA's name and PREFIX's basename\n"
        "  csr      a PKCS#10 request carrying the extension options (--new-key: create KEY)\n"
        "  revoke   mark a certificate revoked (reason names from RFC 5280 §5.3.1)\n"
        "  crl      sign the CRLs (default 30 days): the STI-PA's indirect CRL, DIR/sti-pa.crl\n"
        "           (DER, what its URL serves) and DIR/sti-pa-crl.pem, and --out FILE; with\n"
        "           direct CRLs also the intermediate's and the root's: DIR/crl.pem (PEM, both;\n"
        "           then --out copies it), DIR/inter.crl and DIR/root.crl (DER);\n"
        "           with --delegate-of, the SP CA's CRL for its delegates, to --out\n"
        "  list     issued certificates, their status and profile\n"
        "  export   the trust bundle for verifiers: the root certificate only\n"
        "\n"
        "TIME is Unix seconds or RFC 3339 (2026-01-01T00:00:00Z). Manual: docs/ca.md\n",
        f);
}

/* ------------------------------------------------------------------------ */
/* init                                                                      */
/* ------------------------------------------------------------------------ */

static const tool_opt init_opts[] = {
    {"--name", NULL, 1, 0},    {"--days", NULL, 1, 0},   {"--not-before", NULL, 1, 0},
    {"--crl-url", NULL, 1, 0}, {"--help", "-h", 0, 0},   {"--sti-pa-crl-url", NULL, 1, 0},
    {"--country", NULL, 1, 0}, {"--org", NULL, 1, 0},    {"--direct-crls", NULL, 0, 0},
    {"--seed", NULL, 1, 0},
};
enum {
    INIT_NAME,
    INIT_DAYS,
    INIT_NOT_BEFORE,
    INIT_CRL_URL,
    INIT_HELP,
    INIT_STIPA_URL,
    INIT_COUNTRY,
    INIT_ORG,
    INIT_DIRECT_CRLS,
    INIT_SEED
};

typedef struct init_job {
    const char *path, *name, *org, *country, *crl_url, *stipa_url;
    const char *seed; /* --seed, or NULL: random keys and serials */
    char stipa_buf[1100]; /* the STI-PA CRL URL derived from --crl-url */
    int direct_crls;
    long days;
    int64_t nb;
} init_job;

/* A CA certificate: the root (issuer == NULL, self-signed) or the
 * intermediate, which names the STI-PA's CRL. ATIS-1000080 v005 §6.4.1
 * (zlint e_atis_subject_dn, e_atis_ca_subject_cn): C, O and CN each once,
 * the CN containing "SHAKEN", a root's also "ROOT". */
static X509 *make_ca_cert(const init_job *j, const char *role, EVP_PKEY *key, X509 *issuer,
                          EVP_PKEY *issuer_key, const ca_serial *serial, int64_t na,
                          const X509 *crl_signer)
{
    char cn[160];
    snprintf(cn, sizeof cn, "%s SHAKEN %s", j->name, role);
    X509 *x = X509_new();
    X509_NAME *subject = ca_make_name(cn, j->org, j->country);
    X509 *signer = issuer ? issuer : x;
    /* keyCertSign alone (ATIS-1000080 v005 §6.4.1) when the STI-PA signs
     * every CRL; cRLSign too when these CAs sign their own (--direct-crls). */
    const char *ku = j->direct_crls ? "critical,keyCertSign,cRLSign" : "critical,keyCertSign";
    int defect = issuer != NULL && ca_hook_defect("init");
    int ok = x != NULL && subject != NULL && X509_set_version(x, X509_VERSION_3) == 1 &&
             ca_set_serial(x, serial) == 0 && X509_set_subject_name(x, subject) == 1 &&
             X509_set_issuer_name(x, X509_get_subject_name(signer)) == 1 &&
             ca_set_validity(x, j->nb, na) == 0 && X509_set_pubkey(x, key) == 1 &&
             /* The intermediate has pathlen 1: SP CAs (pathlen 0) sit below it
              * for RFC 9060 delegation. No TNAuthList on either (ATIS-1000080). */
             ca_add_ext(x, signer, NID_basic_constraints,
                        issuer ? "critical,CA:TRUE,pathlen:1" : "critical,CA:TRUE") == 0 &&
             (defect || ca_add_ext(x, signer, NID_key_usage, ku) == 0) &&
             ca_add_ext(x, signer, NID_subject_key_identifier, "hash") == 0 &&
             ca_add_ext(x, signer, NID_authority_key_identifier, "keyid:always") == 0 &&
             /* Roots carry no policy and no distribution point (ATIS-1000080
              * v005 §6.4.1: sti.policy.root, crldp.root). */
             (issuer == NULL || ca_add_policy(x, CA_POLICY_OID) == 0) &&
             (issuer == NULL ||
              ca_add_stipa_dp(x, j->stipa_url, X509_get_subject_name(crl_signer)) == 0) &&
             X509_sign(x, issuer ? issuer_key : key, EVP_sha256()) > 0;
    X509_NAME_free(subject);
    if (!ok) {
        tool_openssl_errors();
        X509_free(x);
        return NULL;
    }
    return x;
}

/* Unlinks every entry of a directory that is not itself a directory. */
static void clear_dir(int fd)
{
    int dfd = dup(fd);
    DIR *dir = dfd >= 0 ? fdopendir(dfd) : NULL;
    if (dir == NULL) {
        if (dfd >= 0)
            close(dfd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dir)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            unlinkat(fd, e->d_name, 0);
    closedir(dir);
}

/* Removes the half-built temporary directory of a failed init. */
static void remove_tree(int parent, const char *name)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return;
    int cfd = openat(fd, "certs", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
    if (cfd >= 0) {
        clear_dir(cfd);
        close(cfd);
        unlinkat(fd, "certs", AT_REMOVEDIR);
    }
    clear_dir(fd);
    close(fd);
    unlinkat(parent, name, AT_REMOVEDIR);
}

/* 1 when `path` does not exist or is an empty directory (rename(2) may
 * replace an empty directory), else 0. */
static int empty_or_absent(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT;
    if (!S_ISDIR(st.st_mode))
        return 0;
    DIR *dir = opendir(path);
    if (dir == NULL)
        return 0;
    int entries = 0;
    struct dirent *e;
    while ((e = readdir(dir)) != NULL)
        entries += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
    closedir(dir);
    return entries == 0;
}

/* The CA certificates as the x5u chains will serve them (intermediate, then
 * root) linted against the SHAKEN profile they claim: anything else is an
 * internal error. */
static int init_claim(const ca_dir *d, ca_claim *claim)
{
    X509 *chain[2] = {d->inter, d->root};
    int rc;
    memset(claim, 0, sizeof *claim);
    claim->profile = CLID_CERT_PROFILE_SHAKEN;
    if ((rc = ca_claim_check("ca init", claim, chain, 2)) != TOOL_EXIT_OK)
        return rc;
    if (claim->profile != CLID_CERT_PROFILE_SHAKEN) {
        tool_error("ca init: internal error: the root and intermediate do not follow the shaken "
                   "profile (%s); nothing written",
                   claim->reason);
        return TOOL_EXIT_SOFTWARE;
    }
    return TOOL_EXIT_OK;
}

/* The STI-PA CRL signer is no STI certificate: an end entity that signs CRLs. */
#define SIGNER_REASON                                                                          \
    "the STI-PA CRL signer: an end entity with keyUsage cRLSign that signs the indirect CRL "  \
    "(RFC 5280 §5.2.5), no STI certificate: ATIS-1000080 v005's end-entity rules "           \
    "(ku.ee, tnauth.present) are for signers of PASSporTs"

/* The label of a seeded key or serial of init: the CA's name and the role. */
static void init_label(const init_job *j, const char *role, char *out, size_t cap)
{
    snprintf(out, cap, "init/%s/%s", j->name, role);
}

/* Three distinct serials (the directory is new: nothing else to avoid):
 * random, or derived from --seed (the next alternative on a collision). */
static int init_serials(const init_job *j, ca_serial *root, ca_serial *inter, ca_serial *signer)
{
    if (j->seed != NULL) {
        char l[3][CA_MAX_SEED_LABEL];
        init_label(j, "root", l[0], sizeof l[0]);
        init_label(j, "intermediate", l[1], sizeof l[1]);
        init_label(j, "crl-signer", l[2], sizeof l[2]);
        unsigned k = 0;
        if (ca_seed_serial(j->seed, l[0], 0, root) != 0)
            return -1;
        do {
            if (ca_seed_serial(j->seed, l[1], k, inter) != 0)
                return -1;
        } while (ca_serial_eq(root, inter) && ++k < 64);
        k = 0;
        do {
            if (ca_seed_serial(j->seed, l[2], k, signer) != 0)
                return -1;
        } while ((ca_serial_eq(root, signer) || ca_serial_eq(inter, signer)) && ++k < 64);
        return k < 64 ? 0 : -1;
    }
    do {
        if (ca_serial_random(root) != 0 || ca_serial_random(inter) != 0 ||
            ca_serial_random(signer) != 0)
            return -1;
    } while (ca_serial_eq(root, inter) || ca_serial_eq(root, signer) ||
             ca_serial_eq(inter, signer));
    return 0;
}

/* Everything is written into a temporary sibling directory, which is then
 * renamed to DIR: a DIR that exists is complete. */
static int init_write(const init_job *j, int parent, const char *tmpname, const char *base)
{
    ca_dir d;
    memset(&d, 0, sizeof d);
    d.fd = d.certs_fd = d.lock_fd = -1;
    ca_txn t = {.cmd = "init"};
    ca_claim claim = {0};
    ca_buf rk = {0}, rp = {0}, ik = {0}, ip = {0}, ix = {0}, cf = {0}, sk = {0}, sp = {0};
    ca_serial signer_serial;
    int rc = TOOL_EXIT_FAIL;
    char created[32], certname[64], signername[64];
    d.path = j->path;
    d.fd = openat(parent, tmpname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d.fd < 0 || mkdirat(d.fd, "certs", 0755) != 0 ||
        (d.certs_fd = openat(d.fd, "certs", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        tool_error("%s: cannot create: %s", j->path, strerror(errno));
        goto out;
    }
    /* Serials: 16 random octets each (ATIS-1000080 v005 §6.4.1.1). */
    if (init_serials(j, &d.root_serial, &d.inter_serial, &signer_serial) != 0) {
        tool_openssl_errors();
        tool_error("ca init: cannot draw serial numbers (CSPRNG failure)");
        goto out;
    }
    if (j->seed != NULL) {
        char l[CA_MAX_SEED_LABEL];
        init_label(j, "root", l, sizeof l);
        d.root_key = ca_seed_key(j->seed, l);
        init_label(j, "intermediate", l, sizeof l);
        d.inter_key = ca_seed_key(j->seed, l);
        init_label(j, "crl-signer", l, sizeof l);
        d.crl_signer_key = ca_seed_key(j->seed, l);
    } else {
        d.root_key = ca_key_generate();
        d.inter_key = ca_key_generate();
        d.crl_signer_key = ca_key_generate();
    }
    int64_t na = j->nb + (int64_t)j->days * 86400;
    if (d.root_key == NULL || d.inter_key == NULL || d.crl_signer_key == NULL ||
        (d.root = make_ca_cert(j, "root", d.root_key, NULL, NULL, &d.root_serial, na, NULL)) ==
            NULL ||
        (d.crl_signer = ca_make_crl_signer(j->name, j->org, j->country, d.crl_signer_key, d.root,
                                           d.root_key, &signer_serial, j->nb, na)) == NULL ||
        (d.inter = make_ca_cert(j, "intermediate", d.inter_key, d.root, d.root_key,
                                &d.inter_serial, na, d.crl_signer)) == NULL) {
        tool_error("ca init: creating the root and intermediate failed in OpenSSL");
        goto out;
    }
    if ((rc = init_claim(&d, &claim)) != TOOL_EXIT_OK)
        goto out;
    rc = TOOL_EXIT_FAIL;
    ca_format_time(ca_now(), created, sizeof created);
    snprintf(certname, sizeof certname, "%s.pem", d.inter_serial.hex);
    snprintf(signername, sizeof signername, "%s.pem", signer_serial.hex);
    /* The STI-PA role: its URL and signer in ca.json, the signer in the
     * index (so that it can be revoked, with direct CRLs in the root's). */
    d.config = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:s}",
                         "version", 1, "name", j->name, "org", j->org, "country", j->country,
                         "crl_url", j->crl_url, "root_serial", d.root_serial.hex, "inter_serial",
                         d.inter_serial.hex, "created", created, "sti_pa_crl_url", j->stipa_url,
                         "crl_signer_serial", signer_serial.hex, "direct_crls", j->direct_crls,
                         "root_profile", "shaken");
    d.index = json_pack("{s:i, s:[o]}", "version", 1, "certificates",
                        ca_index_entry(d.inter, "intermediate", &d.root_serial, "shaken", NULL));
    if (d.config == NULL || d.index == NULL ||
        json_array_append_new(ca_index_certs(&d),
                              ca_index_entry(d.crl_signer, "crl-signer", &d.root_serial, "none",
                                             SIGNER_REASON)) != 0) {
        tool_error("ca init: out of memory");
        goto out;
    }
    /* The seed is kept: issue derives from it without --seed (docs/ca.md). */
    if (j->seed != NULL && json_object_set_new(d.config, "seed", json_string(j->seed)) != 0) {
        tool_error("ca init: out of memory");
        goto out;
    }
    char *config = json_dumps(d.config, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    int built = config != NULL && ca_buf_key(&rk, d.root_key) == 0 &&
                ca_buf_cert(&rp, d.root) == 0 && ca_buf_key(&ik, d.inter_key) == 0 &&
                ca_buf_cert(&ip, d.inter) == 0 && ca_index_bytes(d.index, &ix) == 0 &&
                ca_buf_add(&cf, config, strlen(config)) == 0 && ca_buf_add(&cf, "\n", 1) == 0 &&
                ca_buf_key(&sk, d.crl_signer_key) == 0 && ca_buf_cert(&sp, d.crl_signer) == 0;
    free(config);
    if (!built) {
        tool_error("ca init: out of memory");
        goto out;
    }
    size_t n1, n2, n3;
    if ((rc = ca_txn_write(&t, d.fd, j->path, "crl-signer.key", sk.p, sk.len, 0600, 1,
                           "crl-signer.key")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "crl-signer.pem", sp.p, sp.len, 0644, 1,
                           "crl-signer.pem")) ||
        (rc = ca_txn_write(&t, d.certs_fd, j->path, signername, sp.p, sp.len, 0644, 1, "cert")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "root.key", rk.p, rk.len, 0600, 1, "root.key")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "inter.key", ik.p, ik.len, 0600, 1, "inter.key")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "root.pem", rp.p, rp.len, 0644, 1, "root.pem")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "inter.pem", ip.p, ip.len, 0644, 1, "inter.pem")) ||
        (rc = ca_txn_write(&t, d.certs_fd, j->path, certname, ip.p, ip.len, 0644, 1, "cert")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "ca.json", cf.p, cf.len, 0644, 1, "ca.json")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "index.json", ix.p, ix.len, 0644, 1, "index")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "lock", "", 0, 0644, 1, "lock")) ||
        (rc = ca_crl_stage(&d, &t, j->nb > ca_now() ? j->nb : ca_now(), CA_CRL_DAYS, 1, NULL, &n1,
                           &n2, &n3)) ||
        (rc = ca_txn_commit(&t)))
        goto out;
    /* The directory appears complete or not at all. */
    if (renameat(parent, tmpname, parent, base) != 0 || fsync(parent) != 0) {
        tool_error("%s: cannot create: %s", j->path, strerror(errno));
        rc = TOOL_EXIT_FAIL;
        goto out;
    }
    rc = ca_hook("init", "rename") == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
    if (rc == TOOL_EXIT_OK) {
        printf("root %s, intermediate %s, STI-PA CRL signer %s: %s/root.pem is the trust "
               "anchor, %s/crl-signer.pem the CRL signer\n",
               d.root_serial.hex, d.inter_serial.hex, signer_serial.hex, j->path, j->path);
        /* Both CA certificates: "profile: shaken", and their warnings. */
        ca_claim_print(&claim, stdout, 2,
                       "root and intermediate; the STI-PA CRL signer: none, no STI certificate");
    }
out:
    ca_claim_free(&claim);
    ca_txn_end(&t);
    ca_buf_free(&rk);
    ca_buf_free(&rp);
    ca_buf_free(&ik);
    ca_buf_free(&ip);
    ca_buf_free(&ix);
    ca_buf_free(&cf);
    ca_buf_free(&sk);
    ca_buf_free(&sp);
    ca_dir_close(&d);
    return rc;
}

/* ATIS-1000080's CRL URL is an HTTP(S) one: by default the STI-PA CRL is
 * served next to --crl-url, "sti-pa.crl" in its directory
 * (http://pki.lab/intermediate.crl -> http://pki.lab/sti-pa.crl). */
static int derive_stipa_url(init_job *j)
{
    const char *u = j->crl_url;
    const char *host = strstr(u, "://");
    if (host == NULL)
        return -1;
    const char *slash = strchr(host + 3, '/');
    const char *last = slash ? strrchr(slash, '/') : NULL;
    size_t keep = last ? (size_t)(last - u) : strlen(u);
    const char *q = strpbrk(host + 3, "?#");
    if (q != NULL && (size_t)(q - u) < keep)
        return -1; /* a query before the path's end: no directory to put it in */
    if (keep + sizeof "/sti-pa.crl" > sizeof j->stipa_buf)
        return -1;
    memcpy(j->stipa_buf, u, keep);
    snprintf(j->stipa_buf + keep, sizeof j->stipa_buf - keep, "/sti-pa.crl");
    j->stipa_url = j->stipa_buf;
    return ca_stipa_url_ok(j->stipa_url) ? 0 : -1;
}

static int one_line(const char *s, size_t max)
{
    return strlen(s) <= max && strpbrk(s, "\r\n") == NULL;
}

int ca_cmd_init(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("ca init", "ca", argc, argv, init_opts,
                             sizeof init_opts / sizeof init_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[INIT_HELP]) {
        ca_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 1)
        return tool_usage_error("ca init", "ca", "expects exactly one DIR");
    init_job j;
    memset(&j, 0, sizeof j);
    j.path = a.pos[0];
    j.name = a.value[INIT_NAME] ? a.value[INIT_NAME] : CA_DEFAULT_NAME;
    j.org = a.value[INIT_ORG] ? a.value[INIT_ORG] : j.name;
    j.country = a.value[INIT_COUNTRY] ? a.value[INIT_COUNTRY] : CA_DEFAULT_COUNTRY;
    j.crl_url = a.value[INIT_CRL_URL] ? a.value[INIT_CRL_URL] : CA_DEFAULT_CRL_URL;
    j.stipa_url = a.value[INIT_STIPA_URL];
    j.direct_crls = a.seen[INIT_DIRECT_CRLS] != 0;
    j.seed = a.value[INIT_SEED];
    if (j.seed != NULL && !ca_seed_ok(j.seed))
        return tool_usage_error("ca init", "ca",
                                "--seed: 1 to %d bytes without control characters",
                                CA_MAX_SEED);
    j.days = CA_INIT_DAYS;
    j.nb = ca_now();
    /* "NAME SHAKEN intermediate" within the 64 characters of a CN
     * (RFC 5280 ub-common-name). */
    if (!one_line(j.name, CA_MAX_NAME))
        return tool_usage_error("ca init", "ca", "--name: at most %d bytes on one line",
                                CA_MAX_NAME);
    if (!one_line(j.org, 64))
        return tool_usage_error("ca init", "ca",
                                "--org: at most 64 bytes on one line (RFC 5280 "
                                "ub-organization-name)");
    if (strlen(j.country) != 2 || j.country[0] < 'A' || j.country[0] > 'Z' ||
        j.country[1] < 'A' || j.country[1] > 'Z')
        return tool_usage_error("ca init", "ca",
                                "--country '%s': expected an ISO 3166-1 alpha-2 code in capitals "
                                "(US, CA, FR)",
                                j.country);
    if (strstr(j.crl_url, "://") == NULL || strpbrk(j.crl_url, " ,\t\r\n") != NULL)
        return tool_usage_error("ca init", "ca",
                                "--crl-url '%s': expected an absolute URL without spaces or commas",
                                j.crl_url);
    if (j.stipa_url != NULL && !ca_stipa_url_ok(j.stipa_url))
        return tool_usage_error("ca init", "ca",
                                "--sti-pa-crl-url '%s': expected an http(s) URL of printable "
                                "ASCII without spaces",
                                j.stipa_url);
    if (j.stipa_url == NULL && derive_stipa_url(&j) != 0)
        return tool_usage_error("ca init", "ca",
                                "--crl-url '%s': the STI-PA CRL URL is derived from it (sti-pa.crl "
                                "in its directory) and must be http(s): give --sti-pa-crl-url",
                                j.crl_url);
    if ((a.value[INIT_DAYS] && (rc = ca_parse_days("ca init", a.value[INIT_DAYS], &j.days))) ||
        (a.value[INIT_NOT_BEFORE] &&
         (rc = ca_parse_time_opt("ca init", "--not-before", a.value[INIT_NOT_BEFORE], &j.nb))))
        return rc;
    char path[4096];
    snprintf(path, sizeof path, "%s", j.path);
    for (size_t n = strlen(path); n > 1 && path[n - 1] == '/'; n--)
        path[n - 1] = '\0'; /* "lab/" names the directory "lab" */
    const char *base = NULL;
    int parent = ca_open_parent(path, &base);
    if (parent < 0)
        return TOOL_EXIT_FAIL;
    char tmpname[300];
    snprintf(tmpname, sizeof tmpname, ".tmp.%ld.%s", (long)getpid(), base);
    if (!empty_or_absent(path)) {
        tool_error("%s: exists and is not an empty directory; not changed", j.path);
        rc = TOOL_EXIT_FAIL;
    } else if (mkdirat(parent, tmpname, 0755) != 0) {
        tool_error("%s: cannot create: %s", j.path, strerror(errno));
        rc = TOOL_EXIT_FAIL;
    } else if ((rc = init_write(&j, parent, tmpname, base)) != TOOL_EXIT_OK) {
        remove_tree(parent, tmpname);
    }
    close(parent);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Dispatch                                                                  */
/* ------------------------------------------------------------------------ */

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} subcommands[] = {
    {"init", ca_cmd_init},     {"issue", ca_cmd_issue}, {"csr", ca_cmd_csr},
    {"revoke", ca_cmd_revoke}, {"crl", ca_cmd_crl},     {"list", ca_cmd_list},
    {"export", ca_cmd_export},
};

void cmd_ca_help(FILE *f)
{
    ca_help(f);
}

int cmd_ca(int argc, char **argv)
{
    if (argc < 2)
        return tool_usage_error(
            "ca", "ca", "expects a subcommand (init, issue, csr, revoke, crl, list, export)");
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        ca_help(stdout);
        return TOOL_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(subcommands[i].name, sub) == 0)
            return subcommands[i].run(argc - 2, argv + 2);
    return tool_usage_error("ca", "ca", "unknown subcommand '%s'", sub);
}

int cmd_ca_quiet(const char *who, const char *first, ...)
{
    char *argv[40];
    int argc = 0;
    argv[argc++] = (char *)(uintptr_t) "ca";
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a != NULL && argc < 39; a = va_arg(ap, const char *))
        argv[argc++] = (char *)(uintptr_t)a;
    va_end(ap);
    argv[argc] = NULL;
    fflush(stdout);
    int saved = dup(STDOUT_FILENO), null = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (saved >= 0 && null >= 0)
        dup2(null, STDOUT_FILENO);
    int rc = cmd_ca(argc, argv);
    fflush(stdout);
    if (saved >= 0) {
        dup2(saved, STDOUT_FILENO);
        close(saved);
    }
    if (null >= 0)
        close(null);
    if (rc != TOOL_EXIT_OK)
        tool_error("%s: clid ca %s failed (exit %d)", who, argc > 1 ? argv[1] : "", rc);
    return rc;
}
