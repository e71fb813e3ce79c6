/*
 * clid ca: a test CA for interop labs (docs/ca.md).
 *
 *   clid ca init DIR [--name NAME] [--days N] [--not-before TIME] [--crl-url URL]
 *                [--sti-pa-crl-url URL]
 *   clid ca issue DIR --out PREFIX ...        (ca_issue.c)
 *   clid ca csr --key KEY --out FILE ...      (ca_csr.c)
 *   clid ca revoke DIR SERIAL|CERT ...        (ca_crl.c)
 *   clid ca crl DIR ...                       (ca_crl.c)
 *   clid ca list DIR [--json]
 *   clid ca export DIR --out FILE
 *
 * The hierarchy is ATIS-1000080's: a root (the trust anchor), one
 * intermediate (the STI-CA role) that signs service-provider certificates,
 * and below an SP CA the RFC 9060 delegates; with --sti-pa-crl-url, the
 * STI-PA's CRL signer and its indirect CRL too (ca_stipa.c).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "ca.h"
#include "commands.h"

void ca_help(FILE *f)
{
    fputs(
        "usage: clid ca init DIR [--name NAME] [--days N] [--not-before TIME] [--crl-url URL]\n"
        "                [--sti-pa-crl-url URL]\n"
        "       clid ca issue DIR --out PREFIX [--spc CODE] [--tn TN]... [--range START+COUNT]...\n"
        "                [--country CC]... [--carrier ICC] [--mccmnc MCC-MNC]...\n"
        "                [--ispc Z-AAA-B]... [--role ROLE] [--operator NAME] [--cn NAME]\n"
        "                [--csr FILE] [--days N] [--not-before TIME] [--ca]\n"
        "                [--delegate-of PARENT.pem --parent-key KEY] [--crl-url URL]\n"
        "       clid ca csr --key KEY [--new-key] [the extension options of issue] --out FILE\n"
        "       clid ca revoke DIR SERIAL|CERT [--reason R] [--at TIME]\n"
        "       clid ca crl DIR [--out FILE] [--days N] [--at TIME]\n"
        "                [--delegate-of PARENT.pem --parent-key KEY]\n"
        "       clid ca list DIR [--json]\n"
        "       clid ca export DIR --out FILE\n"
        "\n"
        "A test CA for interop labs: a P-256 root and intermediate in DIR, service-provider\n"
        "certificates with TNAuthList (RFC 8226) and SignallingEntity (clid's Q.3063\n"
        "profile) in the ATIS-1000080 profile, SP CA certificates (--ca) and RFC 9060\n"
        "delegates below them, revocation and CRLs. NOT for production.\n"
        "\n"
        "  init     create DIR (must not exist, or be empty): root and intermediate\n"
        "           (default 3650 days), index, serial and CRL number, first CRL.\n"
        "           --sti-pa-crl-url: also the STI-PA CRL signer (crl-signer.pem, keyUsage\n"
        "           cRLSign, under the root); the intermediate, SP and SP CA certificates\n"
        "           then name the STI-PA's indirect CRL at URL (CRL DP with cRLIssuer)\n"
        "  issue    write PREFIX.key (mode 0600; not with --csr) and PREFIX.pem (the\n"
        "           certificate, then its CA certificates: what x5u serves); print the serial.\n"
        "           --spc makes a SHAKEN certificate: CN \"SHAKEN <SPC>\", TNAuthList of that\n"
        "           single SPC (digits and A-Z only). --tn/--range: TN-scoped. --ca: an SP CA\n"
        "           (CA:TRUE, pathlen 0). --delegate-of: a delegate signed by that SP CA, whose\n"
        "           TNAuthList must be within the parent's. --csr: the request's TNAuthList\n"
        "           and SignallingEntity must be within what the options allow.\n"
        "           Default 365 days from now; CRL URL from init; policy 2.16.840.1.114569.1.1.1\n"
        "  csr      a PKCS#10 request carrying the extension options (--new-key: create KEY)\n"
        "  revoke   mark a certificate revoked (reason names from RFC 5280 §5.3.1)\n"
        "  crl      sign the intermediate's and the root's CRLs (default 30 days): DIR/crl.pem\n"
        "           (PEM, both), DIR/inter.crl and DIR/root.crl (DER), and --out FILE;\n"
        "           with the STI-PA role, also its indirect CRL: DIR/sti-pa.crl (DER, what\n"
        "           the URL serves) and DIR/sti-pa-crl.pem;\n"
        "           with --delegate-of, the SP CA's CRL for its delegates, to --out\n"
        "  list     issued certificates and their status\n"
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
};
enum { INIT_NAME, INIT_DAYS, INIT_NOT_BEFORE, INIT_CRL_URL, INIT_HELP, INIT_STIPA_URL };

/* A CA certificate: the root (issuer == NULL, self-signed) or the
 * intermediate, which names the STI-PA's CRL when `stipa_url` is set. */
static X509 *make_ca_cert(const char *name, const char *role, EVP_PKEY *key, X509 *issuer,
                          EVP_PKEY *issuer_key, uint64_t serial, int64_t nb, int64_t na,
                          const char *stipa_url, const X509 *crl_signer)
{
    char cn[160];
    snprintf(cn, sizeof cn, "%s %s", name, role);
    X509 *x = X509_new();
    X509_NAME *subject = ca_make_name(cn, name);
    X509 *signer = issuer ? issuer : x;
    int ok = x != NULL && subject != NULL && X509_set_version(x, X509_VERSION_3) == 1 &&
             ca_set_serial(x, serial) == 0 && X509_set_subject_name(x, subject) == 1 &&
             X509_set_issuer_name(x, X509_get_subject_name(signer)) == 1 &&
             ca_set_validity(x, nb, na) == 0 && X509_set_pubkey(x, key) == 1 &&
             /* The intermediate has pathlen 1: SP CAs (pathlen 0) sit below it
              * for RFC 9060 delegation. No TNAuthList on either (ATIS-1000080). */
             ca_add_ext(x, signer, NID_basic_constraints,
                        issuer ? "critical,CA:TRUE,pathlen:1" : "critical,CA:TRUE") == 0 &&
             ca_add_ext(x, signer, NID_key_usage, "critical,keyCertSign,cRLSign") == 0 &&
             ca_add_ext(x, signer, NID_subject_key_identifier, "hash") == 0 &&
             ca_add_ext(x, signer, NID_authority_key_identifier, "keyid:always") == 0 &&
             (issuer == NULL || ca_add_policy(x, CA_POLICY_OID) == 0) &&
             (stipa_url == NULL ||
              ca_add_stipa_dp(x, stipa_url, X509_get_subject_name(crl_signer)) == 0) &&
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

typedef struct init_job {
    const char *path, *name, *crl_url, *stipa_url;
    long days;
    int64_t nb;
} init_job;

/* Everything is written into a temporary sibling directory, which is then
 * renamed to DIR: a DIR that exists is complete. */
static int init_write(const init_job *j, int parent, const char *tmpname, const char *base)
{
    ca_dir d;
    memset(&d, 0, sizeof d);
    d.fd = d.certs_fd = d.lock_fd = -1;
    ca_txn t = {.cmd = "init"};
    ca_buf rk = {0}, rp = {0}, ik = {0}, ip = {0}, ix = {0}, cf = {0}, ct = {0}, sk = {0},
           sp = {0};
    uint64_t base_serial = 0;
    int rc = TOOL_EXIT_FAIL;
    char hex[24], rs[24], is[24], ss[24], created[32], certname[64], signername[64];
    d.path = j->path;
    d.fd = openat(parent, tmpname, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d.fd < 0 || mkdirat(d.fd, "certs", 0755) != 0 ||
        (d.certs_fd = openat(d.fd, "certs", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
        tool_error("%s: cannot create: %s", j->path, strerror(errno));
        goto out;
    }
    /* Serials: a random 63-bit start (bit 62 set, so always 8 octets and
     * positive, RFC 5280 §4.1.2.2), then one up per certificate. A lab that
     * recreates its CA does not reuse the old serials. */
    if (RAND_bytes((unsigned char *)&base_serial, sizeof base_serial) != 1)
        goto out;
    base_serial = (base_serial & UINT64_C(0x3FFFFFFF00000000)) | UINT64_C(0x4000000000000000);
    d.root_serial = base_serial;
    d.inter_serial = base_serial + 1;
    uint64_t signer_serial = base_serial + 2; /* with the STI-PA role */
    d.root_key = ca_key_generate();
    d.inter_key = ca_key_generate();
    if (j->stipa_url != NULL)
        d.crl_signer_key = ca_key_generate();
    int64_t na = j->nb + (int64_t)j->days * 86400;
    if (d.root_key == NULL || d.inter_key == NULL ||
        (j->stipa_url != NULL && d.crl_signer_key == NULL) ||
        (d.root = make_ca_cert(j->name, "root", d.root_key, NULL, NULL, d.root_serial, j->nb,
                               na, NULL, NULL)) == NULL ||
        (j->stipa_url != NULL &&
         (d.crl_signer = ca_make_crl_signer(j->name, d.crl_signer_key, d.root, d.root_key,
                                            signer_serial, j->nb, na)) == NULL) ||
        (d.inter = make_ca_cert(j->name, "intermediate", d.inter_key, d.root, d.root_key,
                                d.inter_serial, j->nb, na, j->stipa_url, d.crl_signer)) ==
            NULL) {
        tool_error("ca init: creating the root and intermediate failed in OpenSSL");
        goto out;
    }
    ca_serial_hex(d.root_serial, rs, sizeof rs);
    ca_serial_hex(d.inter_serial, is, sizeof is);
    ca_serial_hex(signer_serial, ss, sizeof ss);
    ca_serial_hex(j->stipa_url ? signer_serial + 1 : base_serial + 2, hex, sizeof hex);
    ca_format_time(ca_now(), created, sizeof created);
    snprintf(certname, sizeof certname, "%s.pem", is);
    snprintf(signername, sizeof signername, "%s.pem", ss);
    d.config = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s}", "version", 1, "name", j->name,
                         "crl_url", j->crl_url, "root_serial", rs, "inter_serial", is, "created",
                         created);
    d.index = json_pack("{s:i, s:[o]}", "version", 1, "certificates",
                        ca_index_entry(d.inter, "intermediate", d.root_serial));
    /* The STI-PA role: its URL and signer in ca.json, the signer in the
     * index (so that it can be revoked, in the root's CRL). */
    if (j->stipa_url != NULL && d.config != NULL && d.index != NULL &&
        (tool_json_put(d.config, "sti_pa_crl_url", json_string(j->stipa_url)) != 0 ||
         tool_json_put(d.config, "crl_signer_serial", json_string(ss)) != 0 ||
         json_array_append_new(ca_index_certs(&d),
                               ca_index_entry(d.crl_signer, "crl-signer", d.root_serial)) != 0)) {
        tool_error("ca init: out of memory");
        goto out;
    }
    char *config = d.config ? json_dumps(d.config, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
    int built = config != NULL && d.index != NULL && ca_buf_key(&rk, d.root_key) == 0 &&
                ca_buf_cert(&rp, d.root) == 0 && ca_buf_key(&ik, d.inter_key) == 0 &&
                ca_buf_cert(&ip, d.inter) == 0 && ca_index_bytes(d.index, &ix) == 0 &&
                ca_buf_add(&cf, config, strlen(config)) == 0 && ca_buf_add(&cf, "\n", 1) == 0 &&
                ca_buf_add(&ct, hex, strlen(hex)) == 0 && ca_buf_add(&ct, "\n", 1) == 0 &&
                (d.crl_signer == NULL ||
                 (ca_buf_key(&sk, d.crl_signer_key) == 0 && ca_buf_cert(&sp, d.crl_signer) == 0));
    free(config);
    if (!built) {
        tool_error("ca init: out of memory");
        goto out;
    }
    size_t n1, n2, n3;
    if ((d.crl_signer != NULL &&
         ((rc = ca_txn_write(&t, d.fd, j->path, "crl-signer.key", sk.p, sk.len, 0600, 1,
                             "crl-signer.key")) ||
          (rc = ca_txn_write(&t, d.fd, j->path, "crl-signer.pem", sp.p, sp.len, 0644, 1,
                             "crl-signer.pem")) ||
          (rc = ca_txn_write(&t, d.certs_fd, j->path, signername, sp.p, sp.len, 0644, 1,
                             "cert")))) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "root.key", rk.p, rk.len, 0600, 1, "root.key")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "inter.key", ik.p, ik.len, 0600, 1, "inter.key")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "root.pem", rp.p, rp.len, 0644, 1, "root.pem")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "inter.pem", ip.p, ip.len, 0644, 1, "inter.pem")) ||
        (rc = ca_txn_write(&t, d.certs_fd, j->path, certname, ip.p, ip.len, 0644, 1, "cert")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "ca.json", cf.p, cf.len, 0644, 1, "ca.json")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "index.json", ix.p, ix.len, 0644, 1, "index")) ||
        (rc = ca_txn_write(&t, d.fd, j->path, "serial", ct.p, ct.len, 0644, 1, "serial")) ||
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
    if (rc == TOOL_EXIT_OK && d.crl_signer != NULL)
        printf("root %s, intermediate %s, STI-PA CRL signer %s: %s/root.pem is the trust "
               "anchor, %s/crl-signer.pem the CRL signer\n",
               rs, is, ss, j->path, j->path);
    else if (rc == TOOL_EXIT_OK)
        printf("root %s, intermediate %s: %s/root.pem is the trust anchor\n", rs, is, j->path);
out:
    ca_txn_end(&t);
    ca_buf_free(&rk);
    ca_buf_free(&rp);
    ca_buf_free(&ik);
    ca_buf_free(&ip);
    ca_buf_free(&ix);
    ca_buf_free(&cf);
    ca_buf_free(&ct);
    ca_buf_free(&sk);
    ca_buf_free(&sp);
    ca_dir_close(&d);
    return rc;
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
    init_job j = {.path = a.pos[0],
                  .name = a.value[INIT_NAME] ? a.value[INIT_NAME] : CA_DEFAULT_NAME,
                  .crl_url = a.value[INIT_CRL_URL] ? a.value[INIT_CRL_URL] : CA_DEFAULT_CRL_URL,
                  .stipa_url = a.value[INIT_STIPA_URL],
                  .days = CA_INIT_DAYS,
                  .nb = ca_now()};
    if (strlen(j.name) > 48 || strpbrk(j.name, "\r\n") != NULL)
        return tool_usage_error("ca init", "ca", "--name: at most 48 bytes on one line");
    if (strstr(j.crl_url, "://") == NULL || strpbrk(j.crl_url, " ,\t\r\n") != NULL)
        return tool_usage_error("ca init", "ca",
                                "--crl-url '%s': expected an absolute URL without spaces or commas",
                                j.crl_url);
    if (j.stipa_url != NULL && !ca_stipa_url_ok(j.stipa_url))
        return tool_usage_error("ca init", "ca",
                                "--sti-pa-crl-url '%s': expected an http(s) URL of printable "
                                "ASCII without spaces",
                                j.stipa_url);
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
