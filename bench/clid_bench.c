/*
 * clid_bench: clid's signing and verification throughput against raw
 * OpenSSL ECDSA P-256, in one run, on one core (DESIGN.md "Performance
 * targets"; docs/performance.md).
 *
 * What is measured (each for --seconds of thread CPU time, after a warm-up):
 *   raw_sign     EVP_PKEY_sign of a SHA-256 digest, EVP_PKEY_CTX reused
 *                (what `openssl speed ecdsap256` measures);
 *   raw_verify   EVP_PKEY_verify likewise;
 *   sign         clid_sign_identity: claims in, Identity header value out,
 *                with a fixed origid (no RNG for the UUID);
 *   sign_uuid    the same with a random version-4 origid;
 *   verify_warm  clid_verify_identity with every check on (trust anchor,
 *                CRL of the STI-CA, TNAuthList, freshness against an
 *                injected clock, SIP Date, orig/dest binding), the chain
 *                from the offline x5u map, the verifier's cache warm, over
 *                a pool of distinct pre-signed headers;
 *   verify_cold  the same with the cache emptied before each verification,
 *                so each pays a chain parse, a path validation and the
 *                signature check;
 *   verify_new_leaf  a cold verification of a leaf never seen before under
 *                the STI-CA that earlier verifications validated (NLEAF
 *                distinct leaves, each signing its own header, cycled
 *                through a certificate cache far smaller than NLEAF): the
 *                leaf's parse, its partial-chain validation (one signature)
 *                and the PASSporT signature; ratio to verify_cold;
 *   raw_cold     the floor for verify_cold in plain OpenSSL: parse the same
 *                PEM chain, X509_verify_cert with the same anchor, CRL and
 *                flags, and one EVP_PKEY_verify with a fresh context. The
 *                design target "cold costs no more than a certificate parse
 *                + a chain validation + a signature check" is verify_cold
 *                against this.
 *
 * Why CPU time: the machines that run this are shared, and CPU time of the
 * measuring thread is what the work costs, whatever else runs. Wall time is
 * printed too; when the two disagree the run was disturbed. Within a round
 * each raw path and the clid paths compared with it alternate in 0.25 s
 * slices, each ratio is taken within its round, and the median over the
 * rounds is reported, so background load that comes and goes hits raw and
 * clid alike.
 *
 * Every clid call is checked: a benchmark of failures is worthless, so any
 * failure ends the run with the reason's name.
 *
 * Only clid's public API is used for the clid figures; OpenSSL directly for
 * the raw baseline and for the throw-away PKI.
 */
#define _GNU_SOURCE /* sched_setaffinity, CPU_SET */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <clid/clid.h>

/* The bench's "now": certificates, CRL and iat are all built around it and
 * the clocks of signer and context return it, so a run never depends on the
 * real date. */
#define T0 INT64_C(1767225600) /* 2026-01-01T00:00:00Z */
#define DAY INT64_C(86400)

#define X5U "https://cert.example.net/sp1234.pem"
#define FIXED_ORIGID "123e4567-e89b-12d3-a456-426614174000"
#define POOL 1000      /* distinct pre-signed headers for the verify paths */
#define RAW_POOL 64    /* distinct digests for the raw paths */
#define NLEAF 2000     /* distinct leaves for verify_new_leaf */
#define NLEAF_CACHE 64 /* its verifier's certificate cache: far below NLEAF */
#define MAX_ROUNDS 99
#define MAX_THREADS 64

/* ------------------------------------------------------------------------ */
/* Failure handling                                                          */
/* ------------------------------------------------------------------------ */

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("clid_bench: ", stderr);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    ERR_print_errors_fp(stderr);
    exit(1);
}

#define NEED(cond, what)                                                                          \
    do {                                                                                          \
        if (!(cond))                                                                              \
            die("%s failed", what);                                                               \
    } while (0)

#define CLID_NEED(call)                                                                           \
    do {                                                                                          \
        clid_err rc_ = (call);                                                                    \
        if (rc_ != CLID_OK)                                                                       \
            die("%s: %s", #call, clid_err_name(rc_));                                             \
    } while (0)

/* ------------------------------------------------------------------------ */
/* Throw-away PKI: root -> STI-CA -> SP leaf (P-256, TNAuthList SPC)         */
/* ------------------------------------------------------------------------ */

struct cert {
    X509 *x;
    EVP_PKEY *key;
    char *pem;
};

static char *bio_string(BIO *bio)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    NEED(n >= 0, "BIO_get_mem_data");
    char *s = malloc((size_t)n + 1);
    NEED(s != NULL, "malloc");
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    return s;
}

static void add_ext(X509 *x, X509V3_CTX *v3, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, v3, nid, value);
    NEED(ext != NULL && X509_add_ext(x, ext, -1) == 1, "adding an extension");
    X509_EXTENSION_free(ext);
}

/* A certificate as ATIS-1000080 shapes them: critical basicConstraints and
 * keyUsage, SKI/AKI (clid validates with X509_V_FLAG_X509_STRICT). */
static struct cert issue(const char *cn, long serial, int ca, const char *spc,
                         const struct cert *issuer)
{
    struct cert c = {0};
    c.key = EVP_EC_gen("P-256");
    NEED(c.key != NULL, "EVP_EC_gen");
    X509 *x = X509_new();
    NEED(x != NULL && X509_set_version(x, X509_VERSION_3), "X509_new");
    NEED(ASN1_INTEGER_set(X509_get_serialNumber(x), serial), "serial");
    X509_NAME *name = X509_NAME_new();
    NEED(name != NULL && X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                                                    (const unsigned char *)cn, -1, -1, 0),
         "subject");
    NEED(X509_set_subject_name(x, name), "subject");
    NEED(X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->x) : name), "issuer");
    X509_NAME_free(name);
    NEED(ASN1_TIME_set(X509_getm_notBefore(x), (time_t)(T0 - 30 * DAY)) &&
             ASN1_TIME_set(X509_getm_notAfter(x), (time_t)(T0 + 365 * DAY)),
         "validity");
    NEED(X509_set_pubkey(x, c.key), "X509_set_pubkey");

    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer ? issuer->x : x, x, NULL, NULL, 0);
    add_ext(x, &v3, NID_basic_constraints, ca ? "critical,CA:TRUE" : "critical,CA:FALSE");
    add_ext(x, &v3, NID_key_usage,
            ca ? "critical,keyCertSign,cRLSign" : "critical,digitalSignature");
    add_ext(x, &v3, NID_subject_key_identifier, "hash");
    add_ext(x, &v3, NID_authority_key_identifier, "keyid:always");
    if (spc != NULL) {
        clid_tnauth *l = NULL;
        CLID_NEED(clid_tnauth_new(&l));
        CLID_NEED(clid_tnauth_add_spc(l, spc));
        CLID_NEED(clid_x509_add_tnauth(x, l, 0));
        clid_tnauth_free(l);
    }
    NEED(X509_sign(x, issuer ? issuer->key : c.key, EVP_sha256()) > 0, "X509_sign");
    BIO *bio = BIO_new(BIO_s_mem());
    NEED(bio != NULL && PEM_write_bio_X509(bio, x), "PEM_write_bio_X509");
    c.pem = bio_string(bio);
    BIO_free(bio);
    c.x = x;
    return c;
}

static void cert_free(struct cert *c)
{
    X509_free(c->x);
    EVP_PKEY_free(c->key);
    free(c->pem);
}

/* A current CRL by `ca` (with its AKI, as RFC 5280 §5.2.1 wants) listing a
 * few serials that are not the leaf's, so the lookup has something to do. */
static char *make_crl(const struct cert *ca)
{
    X509_CRL *crl = X509_CRL_new();
    NEED(crl != NULL && X509_CRL_set_version(crl, X509_CRL_VERSION_2), "X509_CRL_new");
    NEED(X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->x)), "CRL issuer");
    ASN1_TIME *last = ASN1_TIME_set(NULL, (time_t)(T0 - DAY));
    ASN1_TIME *next = ASN1_TIME_set(NULL, (time_t)(T0 + 7 * DAY));
    NEED(last != NULL && next != NULL, "ASN1_TIME_set");
    NEED(X509_CRL_set1_lastUpdate(crl, last) && X509_CRL_set1_nextUpdate(crl, next), "CRL times");
    for (long serial = 9000; serial < 9016; serial++) {
        X509_REVOKED *r = X509_REVOKED_new();
        ASN1_INTEGER *sn = ASN1_INTEGER_new();
        NEED(r != NULL && sn != NULL && ASN1_INTEGER_set(sn, serial), "revoked entry");
        NEED(X509_REVOKED_set_serialNumber(r, sn) && X509_REVOKED_set_revocationDate(r, last),
             "revoked entry");
        NEED(X509_CRL_add0_revoked(crl, r), "X509_CRL_add0_revoked");
        ASN1_INTEGER_free(sn);
    }
    NEED(X509_CRL_sort(crl), "X509_CRL_sort");
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, ca->x, NULL, NULL, crl, 0);
    X509_EXTENSION *aki = X509V3_EXT_conf_nid(NULL, &v3, NID_authority_key_identifier,
                                              "keyid:always");
    NEED(aki != NULL && X509_CRL_add_ext(crl, aki, -1), "CRL AKI");
    X509_EXTENSION_free(aki);
    NEED(X509_CRL_sign(crl, ca->key, EVP_sha256()) > 0, "X509_CRL_sign");
    BIO *bio = BIO_new(BIO_s_mem());
    NEED(bio != NULL && PEM_write_bio_X509_CRL(bio, crl), "PEM_write_bio_X509_CRL");
    char *pem = bio_string(bio);
    BIO_free(bio);
    ASN1_TIME_free(last);
    ASN1_TIME_free(next);
    X509_CRL_free(crl);
    return pem;
}

static char *key_pem(EVP_PKEY *key)
{
    BIO *bio = BIO_new(BIO_s_mem());
    NEED(bio != NULL && PEM_write_bio_PrivateKey(bio, key, NULL, NULL, 0, NULL, NULL),
         "PEM_write_bio_PrivateKey");
    char *s = bio_string(bio);
    BIO_free(bio);
    return s;
}

/* ------------------------------------------------------------------------ */
/* The fixture                                                               */
/* ------------------------------------------------------------------------ */

struct call {
    char orig_req[24]; /* as the request shows them: "+1..." */
    char dest_req[24];
    char orig[16];     /* as the signer is given them */
    char dest[16];
    int64_t iat;
    char header[2048]; /* pre-signed Identity value */
};

struct fixture {
    struct cert root, ca, leaf;
    char *chain_pem; /* leaf then STI-CA: what x5u serves */
    char *crl_pem;
    clid_ctx *ctx;
    clid_signer *signer;
    clid_verifier *verifier;
    struct call *calls; /* POOL of them */
    /* verify_new_leaf: NLEAF leaves under `ca`, each with its chain and a
     * header it signed, and a verifier of its own with a small cache. */
    char **nl_chain;
    struct call *nl_calls;
    clid_verifier *nl_verifier;
    /* raw OpenSSL */
    X509_STORE *raw_store;
    STACK_OF(X509_CRL) *raw_crls;
    EVP_PKEY_CTX *raw_sign_ctx;
    EVP_PKEY_CTX *raw_verify_ctx;
    unsigned char digest[RAW_POOL][32];
    unsigned char sig[RAW_POOL][72];
    size_t sig_len[RAW_POOL];
};

static int64_t fixed_clock(void *arg)
{
    (void)arg;
    return T0;
}

static void fixture_init(struct fixture *f)
{
    memset(f, 0, sizeof *f);
    f->root = issue("Bench STI-PA Root", 1, 1, NULL, NULL);
    f->ca = issue("Bench STI-CA", 2, 1, NULL, &f->root);
    f->leaf = issue("SHAKEN 1234", 3, 0, "1234", &f->ca);
    size_t leaf_len = strlen(f->leaf.pem), ca_len = strlen(f->ca.pem);
    f->chain_pem = malloc(leaf_len + ca_len + 1);
    NEED(f->chain_pem != NULL, "malloc");
    memcpy(f->chain_pem, f->leaf.pem, leaf_len);
    memcpy(f->chain_pem + leaf_len, f->ca.pem, ca_len + 1);
    f->crl_pem = make_crl(&f->ca);

    CLID_NEED(clid_ctx_new(&f->ctx));
    CLID_NEED(clid_ctx_add_trust_pem(f->ctx, f->root.pem, strlen(f->root.pem)));
    CLID_NEED(clid_ctx_add_crl_pem(f->ctx, f->crl_pem, strlen(f->crl_pem)));
    CLID_NEED(clid_ctx_set_crl_policy(f->ctx, CLID_CRL_IF_PRESENT));
    CLID_NEED(clid_ctx_set_tn_policy(f->ctx, CLID_TN_POLICY_SPC_OR_TN));
    CLID_NEED(clid_ctx_set_require_tnauth(f->ctx, 1));
    CLID_NEED(clid_ctx_set_freshness(f->ctx, CLID_DEFAULT_MAX_AGE, CLID_DEFAULT_MAX_SKEW));
    CLID_NEED(clid_ctx_set_clock(f->ctx, fixed_clock, NULL));
    CLID_NEED(clid_ctx_add_x5u_pem(f->ctx, X5U, f->chain_pem, strlen(f->chain_pem)));

    char *kp = key_pem(f->leaf.key);
    CLID_NEED(clid_signer_new(&f->signer));
    CLID_NEED(clid_signer_set_key_pem(f->signer, kp, strlen(kp)));
    OPENSSL_cleanse(kp, strlen(kp));
    free(kp);
    /* With the certificate set, the signer also checks the orig TN against
     * the TNAuthList, as a production signer would be configured. */
    CLID_NEED(clid_signer_set_cert_pem(f->signer, f->chain_pem, strlen(f->chain_pem)));
    CLID_NEED(clid_signer_set_x5u(f->signer, X5U));
    CLID_NEED(clid_signer_set_clock(f->signer, fixed_clock, NULL));

    CLID_NEED(clid_verifier_new(f->ctx, &f->verifier));

    /* Distinct calls: numbers, origid's last digits and iat all vary. */
    f->calls = calloc(POOL, sizeof *f->calls);
    NEED(f->calls != NULL, "calloc");
    for (size_t i = 0; i < POOL; i++) {
        struct call *c = &f->calls[i];
        snprintf(c->orig, sizeof c->orig, "1215555%04zu", i);
        snprintf(c->dest, sizeof c->dest, "1303555%04zu", (i * 7) % 10000);
        snprintf(c->orig_req, sizeof c->orig_req, "+%s", c->orig);
        snprintf(c->dest_req, sizeof c->dest_req, "+%s", c->dest);
        c->iat = T0 - (int64_t)(i % 50);
        char origid[40];
        snprintf(origid, sizeof origid, "123e4567-e89b-12d3-a456-42661417%04zu", i);
        const char *dest[1] = {c->dest};
        clid_claims cl = {.orig = c->orig, .dest = dest, .dest_count = 1, .attest = 'A',
                          .origid = origid, .iat = c->iat};
        size_t len = 0;
        CLID_NEED(clid_sign_identity(f->signer, &cl, c->header, sizeof c->header, &len));
    }

    /* verify_new_leaf: distinct leaves (keys, serials, names) under the same
     * STI-CA, each signing one call. */
    f->nl_chain = calloc(NLEAF, sizeof *f->nl_chain);
    f->nl_calls = calloc(NLEAF, sizeof *f->nl_calls);
    NEED(f->nl_chain != NULL && f->nl_calls != NULL, "calloc");
    for (size_t i = 0; i < NLEAF; i++) {
        char cn[48];
        snprintf(cn, sizeof cn, "SHAKEN 1234 leaf %zu", i);
        struct cert leaf = issue(cn, 100000 + (long)i, 0, "1234", &f->ca);
        size_t ll = strlen(leaf.pem), cl = strlen(f->ca.pem);
        f->nl_chain[i] = malloc(ll + cl + 1);
        NEED(f->nl_chain[i] != NULL, "malloc");
        memcpy(f->nl_chain[i], leaf.pem, ll);
        memcpy(f->nl_chain[i] + ll, f->ca.pem, cl + 1);
        char *lkp = key_pem(leaf.key);
        clid_signer *s = NULL;
        CLID_NEED(clid_signer_new(&s));
        CLID_NEED(clid_signer_set_key_pem(s, lkp, strlen(lkp)));
        CLID_NEED(clid_signer_set_x5u(s, X5U));
        CLID_NEED(clid_signer_set_clock(s, fixed_clock, NULL));
        OPENSSL_cleanse(lkp, strlen(lkp));
        free(lkp);
        struct call *c = &f->nl_calls[i];
        *c = f->calls[i % POOL];
        const char *dest[1] = {c->dest};
        char origid[40];
        snprintf(origid, sizeof origid, "223e4567-e89b-12d3-a456-42661417%04zu", i % 10000);
        clid_claims cl2 = {.orig = c->orig, .dest = dest, .dest_count = 1, .attest = 'A',
                           .origid = origid, .iat = c->iat};
        size_t len = 0;
        CLID_NEED(clid_sign_identity(s, &cl2, c->header, sizeof c->header, &len));
        clid_signer_free(s);
        cert_free(&leaf);
    }
    CLID_NEED(clid_verifier_new(f->ctx, &f->nl_verifier));
    CLID_NEED(clid_verifier_set_cache_size(f->nl_verifier, NLEAF_CACHE));

    /* raw_cold: the same anchor and CRL as the clid context. */
    f->raw_store = X509_STORE_new();
    NEED(f->raw_store != NULL && X509_STORE_add_cert(f->raw_store, f->root.x) == 1, "store");
    BIO *bio = BIO_new_mem_buf(f->crl_pem, -1);
    X509_CRL *crl = bio ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    f->raw_crls = sk_X509_CRL_new_null();
    NEED(crl != NULL && f->raw_crls != NULL && sk_X509_CRL_push(f->raw_crls, crl), "CRL");

    /* Raw: one context per operation, initialized once and reused. */
    EVP_PKEY *pub = X509_get0_pubkey(f->leaf.x);
    f->raw_sign_ctx = EVP_PKEY_CTX_new_from_pkey(NULL, f->leaf.key, NULL);
    f->raw_verify_ctx = EVP_PKEY_CTX_new_from_pkey(NULL, pub, NULL);
    NEED(f->raw_sign_ctx != NULL && EVP_PKEY_sign_init(f->raw_sign_ctx) == 1, "sign ctx");
    NEED(f->raw_verify_ctx != NULL && EVP_PKEY_verify_init(f->raw_verify_ctx) == 1,
         "verify ctx");
    for (size_t i = 0; i < RAW_POOL; i++) {
        char msg[32];
        snprintf(msg, sizeof msg, "raw message %zu", i);
        unsigned int n = 0;
        NEED(EVP_Digest(msg, strlen(msg), f->digest[i], &n, EVP_sha256(), NULL) == 1,
             "EVP_Digest");
        f->sig_len[i] = sizeof f->sig[i];
        NEED(EVP_PKEY_sign(f->raw_sign_ctx, f->sig[i], &f->sig_len[i], f->digest[i], 32) == 1,
             "EVP_PKEY_sign");
    }
}

static void fixture_free(struct fixture *f)
{
    X509_STORE_free(f->raw_store);
    sk_X509_CRL_pop_free(f->raw_crls, X509_CRL_free);
    EVP_PKEY_CTX_free(f->raw_sign_ctx);
    EVP_PKEY_CTX_free(f->raw_verify_ctx);
    free(f->calls);
    for (size_t i = 0; f->nl_chain != NULL && i < NLEAF; i++)
        free(f->nl_chain[i]);
    free(f->nl_chain);
    free(f->nl_calls);
    clid_verifier_free(f->nl_verifier);
    clid_verifier_free(f->verifier);
    clid_signer_free(f->signer);
    clid_ctx_free(f->ctx);
    free(f->crl_pem);
    free(f->chain_pem);
    cert_free(&f->leaf);
    cert_free(&f->ca);
    cert_free(&f->root);
}

/* ------------------------------------------------------------------------ */
/* The operations                                                            */
/* ------------------------------------------------------------------------ */

/* Per-thread state of an operation: the shared fixture and what a thread
 * must not share (its result object, its output buffer). */
struct worker {
    struct fixture *f;
    clid_result *res;
    char out[2048];
};

typedef void (*op_fn)(struct worker *w, size_t i);

static void op_raw_sign(struct worker *w, size_t i)
{
    struct fixture *f = w->f;
    unsigned char sig[72];
    size_t len = sizeof sig;
    if (EVP_PKEY_sign(f->raw_sign_ctx, sig, &len, f->digest[i % RAW_POOL], 32) != 1)
        die("raw_sign: EVP_PKEY_sign failed");
}

static void op_raw_verify(struct worker *w, size_t i)
{
    struct fixture *f = w->f;
    size_t k = i % RAW_POOL;
    if (EVP_PKEY_verify(f->raw_verify_ctx, f->sig[k], f->sig_len[k], f->digest[k], 32) != 1)
        die("raw_verify: EVP_PKEY_verify failed");
}

/* The CRL policy clid applies (CLID_CRL_IF_PRESENT): the root published no
 * CRL here, so the STI-CA certificate is not checked against one. */
static int raw_verify_cb(int ok, X509_STORE_CTX *sctx)
{
    return ok || X509_STORE_CTX_get_error(sctx) == X509_V_ERR_UNABLE_TO_GET_CRL;
}

static void op_raw_cold(struct worker *w, size_t i)
{
    struct fixture *f = w->f;
    BIO *bio = BIO_new_mem_buf(f->chain_pem, -1);
    X509 *leaf = bio ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    X509 *ca = leaf ? PEM_read_bio_X509(bio, NULL, NULL, NULL) : NULL;
    BIO_free(bio);
    STACK_OF(X509) *untrusted = sk_X509_new_null();
    X509_STORE_CTX *sctx = X509_STORE_CTX_new();
    if (ca == NULL || untrusted == NULL || sctx == NULL || !sk_X509_push(untrusted, ca) ||
        X509_STORE_CTX_init(sctx, f->raw_store, leaf, untrusted) != 1)
        die("raw_cold: set-up failed");
    X509_STORE_CTX_set_verify_cb(sctx, raw_verify_cb);
    X509_STORE_CTX_set0_crls(sctx, f->raw_crls);
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(sctx);
    X509_VERIFY_PARAM_set_time(param, (time_t)T0);
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT | X509_V_FLAG_CRL_CHECK |
                                           X509_V_FLAG_CRL_CHECK_ALL);
    if (X509_verify_cert(sctx) != 1)
        die("raw_cold: X509_verify_cert: %s",
            X509_verify_cert_error_string(X509_STORE_CTX_get_error(sctx)));
    EVP_PKEY_CTX *pctx = EVP_PKEY_CTX_new_from_pkey(NULL, X509_get0_pubkey(leaf), NULL);
    size_t k = i % RAW_POOL;
    if (pctx == NULL || EVP_PKEY_verify_init(pctx) != 1 ||
        EVP_PKEY_verify(pctx, f->sig[k], f->sig_len[k], f->digest[k], 32) != 1)
        die("raw_cold: EVP_PKEY_verify failed");
    EVP_PKEY_CTX_free(pctx);
    X509_STORE_CTX_free(sctx);
    sk_X509_pop_free(untrusted, X509_free);
    X509_free(leaf);
}

static void do_sign(struct worker *w, size_t i, const char *origid, const char *what)
{
    const struct call *c = &w->f->calls[i % POOL];
    const char *dest[1] = {c->dest};
    /* iat 0: the signer's (injected) clock, as a live signer works. */
    clid_claims cl = {.orig = c->orig, .dest = dest, .dest_count = 1, .attest = 'A',
                      .origid = origid};
    size_t len = 0;
    clid_err rc = clid_sign_identity(w->f->signer, &cl, w->out, sizeof w->out, &len);
    if (rc != CLID_OK || len == 0)
        die("%s: clid_sign_identity: %s", what, clid_err_name(rc));
}

static void op_sign(struct worker *w, size_t i)
{
    do_sign(w, i, FIXED_ORIGID, "sign");
}

static void op_sign_uuid(struct worker *w, size_t i)
{
    do_sign(w, i, NULL, "sign_uuid");
}

static void do_verify(struct worker *w, size_t i, const char *what)
{
    const struct call *c = &w->f->calls[i % POOL];
    clid_verify_input in = {.identity = c->header, .orig = c->orig_req, .dest = c->dest_req,
                            .date = c->iat};
    clid_err rc = clid_verify_identity(w->f->verifier, &in, w->res);
    if (rc != CLID_OK || clid_result_verstat(w->res) != CLID_VERSTAT_PASSED)
        die("%s: clid_verify_identity: %s (%s)", what, clid_err_name(rc),
            clid_result_detail(w->res));
}

static void op_verify_warm(struct worker *w, size_t i)
{
    do_verify(w, i, "verify_warm");
}

static void op_verify_cold(struct worker *w, size_t i)
{
    clid_verifier_clear_cache(w->f->verifier);
    do_verify(w, i, "verify_cold");
}

/* A leaf not in the certificate cache (NLEAF distinct ones cycled through
 * a cache of NLEAF_CACHE): its chain is parsed and validated, the STI-CA's
 * path being the one validated by earlier verifications. The chain is given
 * by the caller, as x5u would serve it (leaf then STI-CA). */
static void op_verify_new_leaf(struct worker *w, size_t i)
{
    struct fixture *f = w->f;
    const struct call *c = &f->nl_calls[i % NLEAF];
    const char *chain = f->nl_chain[i % NLEAF];
    clid_verify_input in = {.identity = c->header, .orig = c->orig_req, .dest = c->dest_req,
                            .date = c->iat, .chain_pem = chain, .chain_len = strlen(chain)};
    clid_err rc = clid_verify_identity(f->nl_verifier, &in, w->res);
    if (rc != CLID_OK || clid_result_verstat(w->res) != CLID_VERSTAT_PASSED)
        die("verify_new_leaf: clid_verify_identity: %s (%s)", clid_err_name(rc),
            clid_result_detail(w->res));
}

/* ------------------------------------------------------------------------ */
/* Timing                                                                    */
/* ------------------------------------------------------------------------ */

static double now_s(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        die("clock_gettime: %s", strerror(errno));
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct sample {
    size_t ops;
    double cpu_s; /* this thread's CPU time */
    double wall_s;
};

/* Runs `fn` until `seconds` of this thread's CPU time have passed. The clock
 * is read every `batch` operations (a CPU-time read is a system call, ~0.3
 * µs: negligible against batches of tens of µs). */
static struct sample run_for(op_fn fn, struct worker *w, double seconds, size_t *counter)
{
    const size_t batch = 16;
    size_t n = 0;
    double c0 = now_s(CLOCK_THREAD_CPUTIME_ID), w0 = now_s(CLOCK_MONOTONIC);
    double c1 = c0;
    do {
        for (size_t k = 0; k < batch; k++)
            fn(w, (*counter)++);
        n += batch;
        c1 = now_s(CLOCK_THREAD_CPUTIME_ID);
    } while (c1 - c0 < seconds);
    return (struct sample){.ops = n, .cpu_s = c1 - c0, .wall_s = now_s(CLOCK_MONOTONIC) - w0};
}

/* Exactly `ops` operations, for instruction-counting profilers: the
 * difference between two counts divided by the difference in ops is the
 * cost of one operation, set-up excluded. */
static struct sample run_n(op_fn fn, struct worker *w, size_t ops, size_t *counter)
{
    double c0 = now_s(CLOCK_THREAD_CPUTIME_ID), w0 = now_s(CLOCK_MONOTONIC);
    for (size_t k = 0; k < ops; k++)
        fn(w, (*counter)++);
    double c1 = now_s(CLOCK_THREAD_CPUTIME_ID), w1 = now_s(CLOCK_MONOTONIC);
    return (struct sample){.ops = ops, .cpu_s = c1 - c0, .wall_s = w1 - w0};
}

static double per_s(size_t ops, double s)
{
    return s > 0 ? (double)ops / s : 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(const double *v, size_t n)
{
    double tmp[MAX_ROUNDS];
    memcpy(tmp, v, n * sizeof *v);
    qsort(tmp, n, sizeof *tmp, cmp_double);
    return n % 2 ? tmp[n / 2] : (tmp[n / 2 - 1] + tmp[n / 2]) / 2;
}

/* The median over rounds of clid/raw measured in the same round: the two
 * ran seconds apart, so a load that came and went affects both or neither,
 * which the ratio of two medians would not guarantee. */
static double median_ratio(const double *clid, const double *raw, int rounds)
{
    double r[MAX_ROUNDS];
    for (int i = 0; i < rounds; i++)
        r[i] = raw[i] > 0 ? clid[i] / raw[i] : 0;
    return median(r, (size_t)rounds);
}

/* ------------------------------------------------------------------------ */
/* Multi-threaded verify_warm (and sign): one verifier shared by T threads   */
/* ------------------------------------------------------------------------ */

struct mt_arg {
    struct worker w;
    op_fn fn;
    int cpu; /* -1: not pinned */
    double seconds;
    pthread_barrier_t *start;
    size_t ops;
    double cpu_s;
    int pinned;
};

static void *mt_main(void *p)
{
    struct mt_arg *a = p;
    if (a->cpu >= 0) {
        cpu_set_t set;
        CPU_ZERO(&set);
        CPU_SET(a->cpu, &set);
        a->pinned = sched_setaffinity(0, sizeof set, &set) == 0;
    }
    size_t counter = (size_t)a->cpu * 7919u; /* different headers per thread */
    /* Warm-up outside the timed part, so every thread starts hot. */
    for (int k = 0; k < 64; k++)
        a->fn(&a->w, counter++);
    pthread_barrier_wait(a->start);
    double c0 = now_s(CLOCK_THREAD_CPUTIME_ID), w0 = now_s(CLOCK_MONOTONIC);
    size_t n = 0;
    do {
        for (int k = 0; k < 16; k++)
            a->fn(&a->w, counter++);
        n += 16;
    } while (now_s(CLOCK_MONOTONIC) - w0 < a->seconds);
    a->cpu_s = now_s(CLOCK_THREAD_CPUTIME_ID) - c0;
    a->ops = n;
    return NULL;
}

/* Total ops/s by wall time of T threads started together. */
static double run_threads(struct fixture *f, op_fn fn, int threads, double seconds,
                          double *cpu_per_op_us, int *unpinned)
{
    struct mt_arg args[MAX_THREADS];
    pthread_t tids[MAX_THREADS];
    pthread_barrier_t start;
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    NEED(pthread_barrier_init(&start, NULL, (unsigned)threads + 1) == 0, "barrier");
    for (int t = 0; t < threads; t++) {
        memset(&args[t], 0, sizeof args[t]);
        args[t].w.f = f;
        CLID_NEED(clid_result_new(&args[t].w.res));
        args[t].fn = fn;
        args[t].cpu = ncpu > 0 ? (int)(t % ncpu) : -1;
        args[t].seconds = seconds;
        args[t].start = &start;
        NEED(pthread_create(&tids[t], NULL, mt_main, &args[t]) == 0, "pthread_create");
    }
    pthread_barrier_wait(&start);
    double w0 = now_s(CLOCK_MONOTONIC);
    size_t total = 0;
    double cpu = 0;
    *unpinned = 0;
    for (int t = 0; t < threads; t++) {
        pthread_join(tids[t], NULL);
        *unpinned += !args[t].pinned;
        total += args[t].ops;
        cpu += args[t].cpu_s;
        clid_result_free(args[t].w.res);
    }
    double wall = now_s(CLOCK_MONOTONIC) - w0;
    pthread_barrier_destroy(&start);
    *cpu_per_op_us = total ? cpu / (double)total * 1e6 : 0;
    return (double)total / wall;
}

/* ------------------------------------------------------------------------ */
/* Main                                                                      */
/* ------------------------------------------------------------------------ */

/* Whether `name` is one of the comma-separated names in `list`. */
static int in_list(const char *list, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, name, n) == 0)
            return 1;
        p += len + (p[len] == ',');
    }
    return 0;
}

static void usage(void)
{
    fprintf(stderr,
            "usage: clid_bench [--seconds S] [--rounds R] [--cpu N] [--threads T]\n"
            "  --seconds S  CPU seconds per measurement (default 2)\n"
            "  --rounds R   interleaved rounds; the median is reported (default 3, max %d)\n"
            "  --cpu N      pin to CPU N (default 0)\n"
            "  --threads T  also measure verify_warm and sign with T threads (max %d)\n"
            "  --only LIST  run only these comma-separated paths (raw_sign, sign, sign_uuid,\n"
            "               raw_verify, verify_warm, raw_cold, verify_cold, verify_new_leaf);\n"
            "               a ratio is\n"
            "               printed when its raw path runs too\n"
            "  --ops N      exactly N operations per path and round, no warm-up (for\n"
            "               instruction-counting profilers; replaces --seconds)\n",
            MAX_ROUNDS, MAX_THREADS);
    exit(64);
}

static void cpu_model(char *out, size_t cap)
{
    snprintf(out, cap, "unknown");
    FILE *fp = fopen("/proc/cpuinfo", "r");
    if (fp == NULL)
        return;
    char line[512];
    while (fgets(line, sizeof line, fp)) {
        if (strncmp(line, "model name", 10) == 0) {
            char *colon = strchr(line, ':');
            if (colon != NULL) {
                colon += 1 + (colon[1] == ' ');
                colon[strcspn(colon, "\n")] = '\0';
                snprintf(out, cap, "%s", colon);
            }
            break;
        }
    }
    fclose(fp);
}

enum {
    P_RAW_SIGN,
    P_SIGN,
    P_SIGN_UUID,
    P_RAW_VERIFY,
    P_VERIFY_WARM,
    P_RAW_COLD,
    P_VERIFY_COLD,
    P_VERIFY_NEW_LEAF,
    P_N
};

static const struct path {
    const char *name;
    op_fn fn;
    int base; /* the raw path its ratio is taken to, or -1 */
} paths[P_N] = {
    [P_RAW_SIGN] = {"raw_sign", op_raw_sign, -1},
    [P_SIGN] = {"sign", op_sign, P_RAW_SIGN},
    [P_SIGN_UUID] = {"sign_uuid", op_sign_uuid, P_RAW_SIGN},
    [P_RAW_VERIFY] = {"raw_verify", op_raw_verify, -1},
    [P_VERIFY_WARM] = {"verify_warm", op_verify_warm, P_RAW_VERIFY},
    [P_RAW_COLD] = {"raw_cold", op_raw_cold, -1},
    [P_VERIFY_COLD] = {"verify_cold", op_verify_cold, P_RAW_VERIFY},
    [P_VERIFY_NEW_LEAF] = {"verify_new_leaf", op_verify_new_leaf, P_VERIFY_COLD},
};

/* Paths measured together (see main); -1 ends a group. */
#define GROUP_MAX 4
static const int groups[][GROUP_MAX] = {
    {P_RAW_SIGN, P_SIGN, P_SIGN_UUID, -1},
    {P_RAW_VERIFY, P_VERIFY_WARM, -1},
    {P_RAW_COLD, P_VERIFY_COLD, P_VERIFY_NEW_LEAF, -1},
};
#define SLICE_S 0.25 /* seconds of one slice */

int main(int argc, char **argv)
{
    double seconds = 2;
    int rounds = 3, cpu = 0, threads = 0;
    const char *only = NULL;
    size_t fixed_ops = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (i + 1 >= argc)
            usage();
        char *end = NULL;
        if (strcmp(a, "--seconds") == 0) {
            seconds = strtod(argv[++i], &end);
            if (*end || !(seconds > 0 && seconds <= 3600))
                usage();
        } else if (strcmp(a, "--rounds") == 0) {
            rounds = (int)strtol(argv[++i], &end, 10);
            if (*end || rounds < 1 || rounds > MAX_ROUNDS)
                usage();
        } else if (strcmp(a, "--cpu") == 0) {
            cpu = (int)strtol(argv[++i], &end, 10);
            if (*end || cpu < 0 || cpu >= CPU_SETSIZE)
                usage();
        } else if (strcmp(a, "--threads") == 0) {
            threads = (int)strtol(argv[++i], &end, 10);
            if (*end || threads < 1 || threads > MAX_THREADS)
                usage();
        } else if (strcmp(a, "--ops") == 0) {
            fixed_ops = strtoul(argv[++i], &end, 10);
            if (*end || fixed_ops < 1)
                usage();
        } else if (strcmp(a, "--only") == 0) {
            only = argv[++i];
        } else {
            usage();
        }
    }
    int selected[P_N];
    int any = 0;
    for (int p = 0; p < P_N; p++) {
        selected[p] = only == NULL || in_list(only, paths[p].name);
        any |= selected[p];
    }
    if (!any)
        usage();

    /* Pin before anything is measured (and before the fixture, so its
     * allocations are made from this CPU's arenas). */
    char pin[96];
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set) == 0) {
        snprintf(pin, sizeof pin, "pinned to cpu %d", cpu);
    } else {
        snprintf(pin, sizeof pin, "NOT pinned (cpu %d: %s)", cpu, strerror(errno));
        fprintf(stderr, "clid_bench: warning: %s; figures may mix CPUs\n", pin);
    }

    char model[256], budget[64];
    cpu_model(model, sizeof model);
    if (fixed_ops > 0)
        snprintf(budget, sizeof budget, "%zu ops", fixed_ops);
    else
        snprintf(budget, sizeof budget, "%g s", seconds);
    printf("# clid_bench: %s; clid %s; CPU: %s (%ld online); %s; %s x %d rounds per path\n",
           OpenSSL_version(OPENSSL_VERSION), clid_version(), model,
           sysconf(_SC_NPROCESSORS_ONLN), pin, budget, rounds);
    printf("# ops/s by the thread's CPU time (wall clock: wall_ops/s); ratio: median over rounds "
           "of clid/raw measured in the same round\n");
    fflush(stdout);

    struct fixture f;
    fixture_init(&f);
    struct worker w = {.f = &f};
    CLID_NEED(clid_result_new(&w.res));

    double cpu_ops[P_N][MAX_ROUNDS], wall_ops[P_N][MAX_ROUNDS];
    size_t counter[P_N] = {0};
    /* The warm-up lets lazy initialization, caches and the CPU's frequency
     * settle before the clock starts; the verify_warm one also (re)fills the
     * certificate cache that verify_cold empties. */
    double warm = seconds / 10 < 0.2 ? seconds / 10 : 0.2;
    /* A raw path and the clid paths compared with it are measured in short
     * alternating slices, so that load coming and going within a round
     * falls on both sides of each ratio. */
    size_t slices = fixed_ops > 0 ? 1 : (size_t)(seconds / SLICE_S + 0.5);
    if (slices < 1)
        slices = 1;
    for (int r = 0; r < rounds; r++) {
        for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++) {
            struct sample acc[P_N] = {{0}};
            for (int k = 0; k < GROUP_MAX && groups[g][k] >= 0; k++) {
                int p = groups[g][k];
                if (selected[p] && fixed_ops == 0)
                    (void)run_for(paths[p].fn, &w, warm, &counter[p]);
            }
            for (size_t sl = 0; sl < slices; sl++) {
                for (int k = 0; k < GROUP_MAX && groups[g][k] >= 0; k++) {
                    int p = groups[g][k];
                    if (!selected[p])
                        continue;
                    struct sample s =
                        fixed_ops > 0
                            ? run_n(paths[p].fn, &w, fixed_ops, &counter[p])
                            : run_for(paths[p].fn, &w, seconds / (double)slices, &counter[p]);
                    acc[p].ops += s.ops;
                    acc[p].cpu_s += s.cpu_s;
                    acc[p].wall_s += s.wall_s;
                }
            }
            for (int k = 0; k < GROUP_MAX && groups[g][k] >= 0; k++) {
                int p = groups[g][k];
                if (!selected[p])
                    continue;
                cpu_ops[p][r] = per_s(acc[p].ops, acc[p].cpu_s);
                wall_ops[p][r] = per_s(acc[p].ops, acc[p].wall_s);
                printf("#   round %d %-11s cpu_ops/s=%.0f wall_ops/s=%.0f ops=%zu\n", r + 1,
                       paths[p].name, cpu_ops[p][r], wall_ops[p][r], acc[p].ops);
            }
            fflush(stdout);
        }
    }

    double med[P_N];
    for (int p = 0; p < P_N; p++)
        med[p] = selected[p] ? median(cpu_ops[p], (size_t)rounds) : 0;
    for (int p = 0; p < P_N; p++) {
        if (!selected[p])
            continue;
        printf("%s ops/s=%.0f", paths[p].name, med[p]);
        if (paths[p].base >= 0 && selected[paths[p].base])
            printf(" ratio=%.2f", median_ratio(cpu_ops[p], cpu_ops[paths[p].base], rounds));
        if (p == P_VERIFY_COLD && selected[P_RAW_COLD])
            printf(" vs_raw_cold=%.2f", median_ratio(cpu_ops[p], cpu_ops[P_RAW_COLD], rounds));
        printf(" us/op=%.1f wall_ops/s=%.0f\n", 1e6 / med[p],
               median(wall_ops[p], (size_t)rounds));
    }

    if (threads > 0) {
        /* Scaling: ops/s of T threads together by wall time, each pinned to
         * its own CPU where there are enough, against one thread's ops/s. */
        static const int mt_paths[] = {P_VERIFY_WARM, P_SIGN};
        for (size_t k = 0; k < sizeof mt_paths / sizeof mt_paths[0]; k++) {
            int p = mt_paths[k];
            if (!selected[p])
                continue;
            double us = 0;
            int unpinned = 0;
            double mt = run_threads(&f, paths[p].fn, threads, seconds, &us, &unpinned);
            printf("%s_mt threads=%d ops/s=%.0f (wall, all threads) scaling=%.2f "
                   "cpu_us/op=%.1f%s\n",
                   paths[p].name, threads, mt, mt / med[p], us,
                   unpinned ? " (some threads could not be pinned)" : "");
        }
    }

    clid_result_free(w.res);
    fixture_free(&f);
    return 0;
}
