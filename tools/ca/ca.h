/*
 * clid ca: a test certificate authority for interop labs (docs/ca.md).
 *
 * Internal interfaces shared by the `clid ca` files:
 *   cmd_ca.c    dispatch, help, init, list, export
 *   ca_store.c  the CA directory: lock, atomic transactions, index, serials
 *   ca_x509.c   times, keys, PEM buffers, certificate and CRL building blocks
 *   ca_ext.c    --spc/--tn/--range and SignallingEntity options, their checks
 *   ca_issue.c  clid ca issue (end entity, SP CA, RFC 9060 delegates)
 *   ca_csr.c    clid ca csr, and the CSR checks of issue --csr (Q.TSCA)
 *   ca_crl.c    clid ca revoke, clid ca crl
 *   ca_stipa.c  the STI-PA role: CRL signer, CRL distribution point with
 *               cRLIssuer, the indirect CRL
 *   ca_profile.c the profile each certificate claims, checked with the
 *               library's lint (clid_lint.h) before anything is written
 *   ca_seed.c   --seed: keys and serials derived from a seed (test PKIs)
 */
#ifndef CLID_TOOL_CA_H
#define CLID_TOOL_CA_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <clid/clid.h>

#include "util.h"

/* ATIS-1000080 SHAKEN certificate policy (as seen in production STI-CA certificates). */
#define CA_POLICY_OID "2.16.840.1.114569.1.1.1"
/* RFC 6761 reserves .invalid: a placeholder that can never resolve by accident. */
#define CA_DEFAULT_CRL_URL "http://crl.clid-ca.invalid/intermediate.crl"
#define CA_DEFAULT_NAME "clid test CA"
#define CA_MAX_NAME 44 /* "NAME SHAKEN intermediate" fits a 64-character CN */
/* ATIS-1000080 is the US framework; any ISO 3166-1 alpha-2 code with --country. */
#define CA_DEFAULT_COUNTRY "US"
#define CA_INIT_DAYS 3650
#define CA_ISSUE_DAYS 365
#define CA_CRL_DAYS 30
#define CA_MAX_DAYS 36500
#define CA_MAX_INDEX (16 * 1024 * 1024) /* index.json; ~40000 certificates */
#define CA_MAX_SMALL (64 * 1024)        /* keys, CSRs, ca.json, counters */
#define CA_LOCK_WAIT_SECONDS 60

/* ------------------------------------------------------------------------ */
/* ca_x509.c                                                                 */
/* ------------------------------------------------------------------------ */

/* Unix seconds or RFC 3339 ("2026-01-01T00:00:00Z", offsets, fractions dropped). 0 / -1. */
int ca_parse_time(const char *s, int64_t *out);
/* "YYYY-MM-DDThh:mm:ssZ"; `out` has room for 32 bytes. */
void ca_format_time(int64_t t, char *out, size_t cap);
int ca_asn1_time_unix(const ASN1_TIME *t, int64_t *out);
/* --days N: 1..CA_MAX_DAYS. On error prints a usage line and returns TOOL_EXIT_USAGE. */
int ca_parse_days(const char *cmd, const char *value, long *out);
/* --at / --not-before TIME. Usage error when malformed. */
int ca_parse_time_opt(const char *cmd, const char *opt, const char *value, int64_t *out);
int64_t ca_now(void);

/* Growable byte buffer for file contents built in memory. */
typedef struct ca_buf {
    char *p;
    size_t len;
} ca_buf;
int ca_buf_add(ca_buf *b, const void *data, size_t len);
int ca_buf_cert(ca_buf *b, X509 *x);          /* PEM CERTIFICATE */
int ca_buf_crl(ca_buf *b, X509_CRL *c);       /* PEM X509 CRL */
int ca_buf_crl_der(ca_buf *b, X509_CRL *c);   /* DER, what a CRL distribution point serves */
int ca_buf_key(ca_buf *b, EVP_PKEY *k);       /* unencrypted PKCS#8 PEM */
int ca_buf_req(ca_buf *b, X509_REQ *r);       /* PEM CERTIFICATE REQUEST */
void ca_buf_free(ca_buf *b);

EVP_PKEY *ca_key_generate(void);
/* 1 when `k` is an EC P-256 key (ES256, RFC 7518 §3.4). */
int ca_key_is_p256(const EVP_PKEY *k);
/* Reads a PEM private key (encrypted keys are refused, never prompted for)
 * and requires P-256. Prints one line and returns a TOOL_EXIT_* code. */
int ca_key_load(const char *path, EVP_PKEY **out);
/* Reads the first certificate of a PEM/DER file (all of them in `all` if not NULL). */
int ca_cert_load(const char *path, X509 **out, tool_certs *all);

/*
 * A certificate serial number (RFC 5280 §4.1.2.2: positive, at most 20
 * octets) in its canonical text form: upper-case hex, two digits per octet,
 * no leading zero octet, as `openssl x509 -serial` and `clid cert show`
 * print it. The form every file of DIR and every message uses.
 */
#define CA_SERIAL_HEX 41
typedef struct ca_serial {
    char hex[CA_SERIAL_HEX];
} ca_serial;
/* Hex digits, optional 0x and ':' separators; 1..20 octets, not zero. 0/-1. */
int ca_serial_parse(const char *s, ca_serial *out);
int ca_serial_eq(const ca_serial *a, const ca_serial *b);
int ca_set_serial(X509 *x, const ca_serial *s);
int ca_get_serial(const X509 *x, ca_serial *out);
ASN1_INTEGER *ca_serial_asn1(const ca_serial *s);
/* 16 octets from the CSPRNG (ATIS-1000080 v005 §6.4.1.1: at least 64 bits):
 * bit 127 clear (positive), bit 126 set (always 16 octets, 32 digits), and
 * drawn again when the low 32 bits are below 65536, the lint's counter
 * heuristic (serial.sequential). 0/-1. */
int ca_serial_random(ca_serial *out);
/* Adds an extension OpenSSL knows by NID, from its config syntax ("critical,CA:FALSE"). */
int ca_add_ext(X509 *x, X509 *issuer, int nid, const char *value);
int ca_add_policy(X509 *x, const char *oid);
int ca_set_validity(X509 *x, int64_t not_before, int64_t not_after);
/* C (optional), O (optional), CN, in this order (ATIS-1000080's C, O, CN). */
X509_NAME *ca_make_name(const char *cn, const char *org, const char *country);
/* SHA-256 of the DER certificate as 64 lower-case hex digits. */
int ca_cert_sha256(const X509 *x, char *out, size_t cap);
/* RFC 2253 subject (UTF-8 kept); malloc'ed; NULL on failure. */
char *ca_name_string(const X509_NAME *n);

/* ------------------------------------------------------------------------ */
/* ca_store.c                                                                */
/* ------------------------------------------------------------------------ */

/*
 * An open CA directory. Opening takes the lock (flock on DIR/lock: shared
 * for readers, exclusive for writers) and loads ca.json and index.json; an
 * exclusive open also removes temporary files a crashed writer left.
 */
typedef struct ca_dir {
    const char *path;
    int fd;       /* the directory */
    int certs_fd; /* DIR/certs */
    int lock_fd;
    json_t *config; /* ca.json */
    json_t *index;  /* index.json: {"version": 1, "certificates": [...]} */
    uint64_t next_crlnumber;
    ca_serial root_serial, inter_serial;
    X509 *root, *inter;
    EVP_PKEY *root_key, *inter_key;
    X509 *crl_signer;         /* the STI-PA CRL signer (ca_stipa_load), or NULL */
    EVP_PKEY *crl_signer_key;
} ca_dir;

enum { CA_LOCK_SHARED = 0, CA_LOCK_EXCLUSIVE = 1 };
/* What ca_dir_load reads besides the two certificates: only the keys used. */
enum { CA_KEYS_NONE = 0, CA_KEYS_INTER = 1, CA_KEYS_BOTH = 2 };

int ca_dir_open(const char *path, int lock, ca_dir *d);
/* Loads root.pem and inter.pem, and the private keys `keys` says. */
int ca_dir_load(ca_dir *d, int keys);
void ca_dir_close(ca_dir *d);
const char *ca_config_str(const ca_dir *d, const char *key);

/* The entries array, and the entry with `serial` (NULL when none). */
json_t *ca_index_certs(const ca_dir *d);
json_t *ca_index_find(const ca_dir *d, const ca_serial *serial);
/* The serial of index entry `e` (0), or -1 when it has none that parses. */
int ca_entry_serial(json_t *e, const char *key, ca_serial *out);
/*
 * A new serial for a certificate of DIR (exclusive lock held): random
 * (ca_serial_random), and drawn again while the index holds it or
 * certs/SERIAL.pem exists (a certificate a crashed issue left unlisted).
 * 0/-1 after printing why.
 */
int ca_serial_new(const ca_dir *d, ca_serial *out);
/* A new index entry describing `x`, issued by the certificate with
 * `issuer_serial`, following `profile` ("shaken", "q3063" or "none";
 * `reason` says why for "none", else NULL). */
json_t *ca_index_entry(X509 *x, const char *kind, const ca_serial *issuer_serial,
                       const char *profile, const char *reason);
/* The index as the bytes of index.json. */
int ca_index_bytes(const json_t *index, ca_buf *out);

/*
 * Transactions: every file is first written to a temporary file in its
 * final directory and fsync'ed (ca_txn_write); nothing visible changes
 * until ca_txn_commit renames them into place, in the order they were
 * added, fsync'ing the directory after each rename. A failure before the
 * commit leaves every directory as it was (ca_txn_abort removes the
 * temporary files). `step` names the file for the failure hooks.
 */
#define CA_TXN_MAX 24
typedef struct ca_txn_file {
    int dirfd;
    char label[512]; /* the path for messages */
    char name[256];
    char tmp[300];
    const char *step;
    int no_clobber;
    int state; /* 0 unused, 1 temporary written, 2 committed */
} ca_txn_file;

typedef struct ca_txn {
    const char *cmd; /* "issue", ...: hook steps are "<cmd>:<step>" */
    ca_txn_file f[CA_TXN_MAX];
    size_t n;
    int fds[4]; /* directories opened for the transaction, closed by ca_txn_end */
    size_t nfds;
} ca_txn;

int ca_txn_write(ca_txn *t, int dirfd, const char *label, const char *name, const void *data,
                 size_t len, mode_t mode, int no_clobber, const char *step);
/* Like ca_txn_write, into the directory of `path` (opened and kept until ca_txn_end). */
int ca_txn_write_path(ca_txn *t, const char *path, const void *data, size_t len, mode_t mode,
                      int no_clobber, const char *step);
/* Renames everything into place. On failure the files not yet renamed are removed. */
int ca_txn_commit(ca_txn *t);
/* Removes temporary files that were not committed and closes the directories. */
void ca_txn_end(ca_txn *t);

/*
 * Opens the directory that will hold `path` (O_DIRECTORY) and gives the
 * final component in *base (pointing into `path`). -1 after printing why.
 */
int ca_open_parent(const char *path, const char **base);
/* 1 when `name` exists in `dirfd` (any type), 0 when not. */
int ca_exists_at(int dirfd, const char *name);

/*
 * Failure injection for tests (docs/ca.md "Crash safety"): when
 * CLID_CA_CRASH_AT equals "<cmd>:<step>" the process kills itself with
 * SIGKILL there; when CLID_CA_FAIL_AT does, the step fails as a write error
 * would (returns -1). Otherwise returns 0. Either only makes clid stop
 * earlier, which anyone able to set its environment could do anyway.
 */
int ca_hook(const char *cmd, const char *step);
/*
 * A defect for tests of the profile check: 1 when CLID_CA_FAIL_AT equals
 * "<cmd>:profile"; the command then builds its certificate without keyUsage,
 * which the lint must refuse before anything is written (exit 70).
 */
int ca_hook_defect(const char *cmd);

/* ------------------------------------------------------------------------ */
/* ca_ext.c                                                                  */
/* ------------------------------------------------------------------------ */

/* The extension options shared by `issue` and `csr`, first in their tables. */
#define CA_EXT_OPTIONS                                                                         \
    {"--spc", NULL, 1, 0}, {"--tn", NULL, 1, 1}, {"--range", NULL, 1, 1},                      \
        {"--country", NULL, 1, 1}, {"--carrier", NULL, 1, 0}, {"--mccmnc", NULL, 1, 1},        \
        {"--ispc", NULL, 1, 1}, {"--role", NULL, 1, 0}, {"--operator", NULL, 1, 0},            \
        {"--cn", NULL, 1, 0}
enum {
    CA_OPT_SPC,
    CA_OPT_TN,
    CA_OPT_RANGE,
    CA_OPT_COUNTRY,
    CA_OPT_CARRIER,
    CA_OPT_MCCMNC,
    CA_OPT_ISPC,
    CA_OPT_ROLE,
    CA_OPT_OPERATOR,
    CA_OPT_CN,
    CA_OPT_EXT_COUNT
};

/* What a certificate (or CSR) says about its holder. */
typedef struct ca_spec {
    clid_tnauth *tnauth; /* NULL: no TNAuthList */
    clid_entity *entity; /* NULL: no SignallingEntity */
    const char *cn;      /* --cn, borrowed */
} ca_spec;

/* Builds the spec from the options (every value validated). TOOL_EXIT_*. */
int ca_spec_from_args(const char *cmd, const tool_args *a, ca_spec *out);
void ca_spec_free(ca_spec *s);

/* Certificate kinds, as recorded in the index. */
typedef enum ca_kind { CA_KIND_SP, CA_KIND_SP_CA, CA_KIND_DELEGATE } ca_kind;
const char *ca_kind_name(ca_kind k);

/*
 * The certificate profile checks on what is about to be certified
 * (ATIS-1000080 and RFC 8226): a TNAuthList is present, SPCs are digits and
 * upper-case letters, at most one SPC, and an SP certificate with an SPC
 * carries nothing else. Prints one line and returns TOOL_EXIT_DATAERR (or
 * `usage_rc` when the values came from the command line).
 */
int ca_spec_lint(const char *cmd, const ca_spec *s, ca_kind kind, int usage_rc);

/* Subject: C = `country` (the CA's; none when NULL); O = `org` (--org), else
 * the SignallingEntity's operator name, else "SP <SPC>" with an SPC, else
 * none; CN "SHAKEN <SPC>" (ATIS-1000080), else derived, or --cn. */
X509_NAME *ca_spec_subject(const ca_spec *s, ca_kind kind, const char *org, const char *country);

/* Adds TNAuthList and SignallingEntity as non-critical extensions. */
clid_err ca_spec_add_exts(const ca_spec *s, X509 *x);

/* 1 when every field of `req` is allowed by `allowed` (subset), else 0 with *why set. */
int ca_entity_within(const clid_entity *req, const clid_entity *allowed, const char **why);

/* One-line text for a TNAuthList ("SPC 709J", "TN 1202...", "range 1202+100, ..."). */
void ca_tnauth_summary(const clid_tnauth *l, char *out, size_t cap);
json_t *ca_tnauth_json(const clid_tnauth *l);

/* ------------------------------------------------------------------------ */
/* ca_profile.c                                                              */
/* ------------------------------------------------------------------------ */

/* The profile a certificate follows: SHAKEN, Q3063, or NONE with the reason. */
typedef struct ca_claim {
    clid_cert_profile profile;
    char reason[600];          /* why NONE; empty otherwise */
    clid_lint_report *report;  /* the lint of the chain (ca_claim_check), or NULL */
} ca_claim;

/*
 * The claim a certificate of `kind` with `s` and the CRL distribution point
 * `dp_url` (NULL: none; `dp_crl_issuer`: with the STI-PA's cRLIssuer;
 * `dp_explicit`: from --crl-url) makes: SHAKEN for an SP certificate with a
 * single SPC, no SignallingEntity and the STI-PA's distribution point;
 * Q3063 for an end entity with a SignallingEntity, or an SP CA, with an
 * http(s) distribution point; otherwise NONE with the reason.
 */
void ca_claim_candidate(ca_claim *c, ca_kind kind, const ca_spec *s, const char *dp_url,
                        int dp_crl_issuer, int dp_explicit);
/*
 * Lints chain[0..n) (the new certificate, its CA certificates, the root)
 * against the claim (nothing for NONE). An error in a CA certificate above
 * it, or in a rule on a value the operator chose, makes the claim NONE
 * with that reason; any other error in chain[0] is an internal error: one
 * line printed, TOOL_EXIT_SOFTWARE. Otherwise TOOL_EXIT_OK.
 */
int ca_claim_check(const char *cmd, ca_claim *c, X509 *const *chain, size_t n);
/* "profile: NAME" (" (NOTE)" when not NULL) or "profile: none (REASON)",
 * then one "warning: RULE [CLAUSE]: MESSAGE" line per lint warning on
 * chain[0..upto). */
void ca_claim_print(const ca_claim *c, FILE *out, size_t upto, const char *note);
/* The reason when NONE, else NULL (for the index). */
const char *ca_claim_reason(const ca_claim *c);
void ca_claim_free(ca_claim *c);

/* ------------------------------------------------------------------------ */
/* ca_seed.c                                                                 */
/* ------------------------------------------------------------------------ */

/*
 * Seeded test PKIs (--seed S, docs/ca.md): keys and serials derived from S
 * and a label with HKDF-SHA256, instead of drawn from the CSPRNG. Whoever
 * knows S has every key: test PKIs only.
 */
#define CA_MAX_SEED 256
#define CA_MAX_SEED_LABEL 600
/* 1 when `seed` is 1..CA_MAX_SEED bytes without control characters. */
int ca_seed_ok(const char *seed);
/* The P-256 key of `label` (a valid scalar 1..n-1); NULL on failure. */
EVP_PKEY *ca_seed_key(const char *seed, const char *label);
/* The serial of `label` (the `counter`th alternative when a previous one
 * collides: 0 first), shaped like ca_serial_random's. 0/-1. */
int ca_seed_serial(const char *seed, const char *label, unsigned counter, ca_serial *out);

/* ------------------------------------------------------------------------ */
/* Subcommands                                                               */
/* ------------------------------------------------------------------------ */

int ca_cmd_init(int argc, char **argv);
int ca_cmd_issue(int argc, char **argv);
int ca_cmd_csr(int argc, char **argv);
int ca_cmd_revoke(int argc, char **argv);
int ca_cmd_crl(int argc, char **argv);
int ca_cmd_list(int argc, char **argv);
int ca_cmd_export(int argc, char **argv);

/* 1 when the root and the intermediate sign CRLs of their own (init
 * --direct-crls, and directories made before that choice existed). */
int ca_direct_crls(const ca_dir *d);
/* Shared by init and crl: builds the CRLs and adds them to `t`: crlnumber,
 * then with direct CRLs crl.pem, inter.crl, root.crl, and with the STI-PA
 * CRL signer's key loaded sti-pa.crl and sti-pa-crl.pem (*n_stipa
 * entries); `extra_out` (when not NULL) last: a copy of crl.pem, or of
 * sti-pa-crl.pem without direct CRLs. */
int ca_crl_stage(ca_dir *d, ca_txn *t, int64_t at, long days, uint64_t number,
                 const char *extra_out, size_t *n_inter, size_t *n_root, size_t *n_stipa);
/* Adds the revoked index entry `e` to `crl`, with a certificateIssuer
 * extension (RFC 5280 §5.3.3, critical) when `issuer` is not NULL. 0/-1. */
int ca_crl_add_revoked(X509_CRL *crl, json_t *e, GENERAL_NAMES *issuer);

/* ------------------------------------------------------------------------ */
/* ca_stipa.c                                                                */
/* ------------------------------------------------------------------------ */

/* 1 when `url` can be the STI-PA CRL's: http(s), printable ASCII, at most
 * 1024 bytes. */
int ca_stipa_url_ok(const char *url);
/* The STI-PA CRL signer: C=COUNTRY, O=ORG, CN="NAME STI-PA CRL", issued by
 * the root, CA:FALSE, keyUsage cRLSign only. NULL after printing OpenSSL's
 * errors. */
X509 *ca_make_crl_signer(const char *name, const char *org, const char *country, EVP_PKEY *key,
                         X509 *root, EVP_PKEY *root_key, const ca_serial *serial, int64_t nb,
                         int64_t na);
/* The CRL distribution point of ATIS-1000080: one point, fullName `url`,
 * cRLIssuer `crl_issuer` (a directoryName). 0/-1. */
int ca_add_stipa_dp(X509 *x, const char *url, const X509_NAME *crl_issuer);
/* Loads DIR/crl-signer.pem (and its key when `with_key`) into `d` when
 * ca.json names an STI-PA CRL URL; nothing otherwise. TOOL_EXIT_*. */
int ca_stipa_load(ca_dir *d, int with_key);
/* The indirect CRL: every revoked certificate of the root and the
 * intermediate (not the CRL signer itself), each entry with its
 * certificateIssuer, issuingDistributionPoint indirectCRL with the URL,
 * AKI, cRLNumber `number`; signed by the CRL signer. */
X509_CRL *ca_stipa_crl(const ca_dir *d, int64_t at, long days, uint64_t number, size_t *count);
/* Adds sti-pa.crl (DER: what the URL serves) and sti-pa-crl.pem to `t`, and
 * a copy of the PEM to `extra_out` when not NULL. */
int ca_stipa_stage(ca_dir *d, ca_txn *t, int64_t at, long days, uint64_t number, size_t *n,
                   const char *extra_out);

/*
 * The CSR checks of issue --csr (Q.TSCA: the information elements a CSR
 * requests are verified against what the operator allows). Reads the CSR,
 * verifies its signature, requires a P-256 key, and replaces `spec`'s
 * TNAuthList and SignallingEntity by the requested ones when they are within
 * `spec` (the operator's allowance). Returns TOOL_EXIT_*; *pubkey is the
 * CSR's key (caller frees).
 */
int ca_csr_check(const char *path, ca_spec *spec, EVP_PKEY **pubkey);

void ca_help(FILE *f);

#endif /* CLID_TOOL_CA_H */
