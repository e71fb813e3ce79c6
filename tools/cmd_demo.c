/*
 * clid demo [--out FILE] [--json]
 *
 * The README's "main job" for now: make a throwaway P-256 key and a
 * self-signed certificate carrying a TNAuthList (SPC, one TN, a range) and a
 * SignallingEntity (an international gateway for +44), then decode it from
 * its DER bytes exactly as `clid cert show` does. Later issues turn this into
 * a sign-and-verify demo.
 *
 * The values are illustrative: +44 20 7946 0xxx is Ofcom's range reserved
 * for drama, MCC 001 / MNC 01 is the E.212 test network, and the carrier
 * code and point code are made up.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

#include "certinfo.h"
#include "commands.h"
#include "util.h"

#define DEMO_DAYS 30

void cmd_demo_help(FILE *f)
{
    fputs("usage: clid demo [--out FILE] [--json]\n"
          "\n"
          "Generates a throwaway EC P-256 key (never written anywhere) and a self-signed\n"
          "certificate carrying a TNAuthList (SPC, a TN and a range) and a\n"
          "SignallingEntity (international gateway, country code 44, carrier code,\n"
          "MCC/MNC, ISPC, operator name), then prints it decoded as 'clid cert show'\n"
          "does.\n"
          "\n"
          "  --out FILE  also write the certificate there (PEM; the file is replaced)\n"
          "  --json      print the JSON form of 'clid cert show --json'\n",
          f);
}

/* Adds an extension OpenSSL knows by name ("critical,CA:FALSE" syntax). */
static int add_std_ext(X509 *x, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, x, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* 16 bytes with the top bits set to 01: positive (RFC 5280 §4.1.2.2), always
 * 16 octets long, and 126 random bits. */
static int set_random_serial(X509 *x)
{
    unsigned char raw[16];
    if (RAND_bytes(raw, sizeof raw) != 1)
        return -1;
    raw[0] = (unsigned char)((raw[0] & 0x3F) | 0x40);
    BIGNUM *bn = BN_bin2bn(raw, sizeof raw, NULL);
    int ok = bn != NULL && BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)) != NULL;
    BN_free(bn);
    return ok ? 0 : -1;
}

static int set_names(X509 *x)
{
    X509_NAME *n = X509_get_subject_name(x);
    static const struct {
        const char *field, *value;
    } rdns[] = {
        {"C", "GB"},
        {"O", "clid demo operator"},
        {"CN", "clid demo international gateway"},
    };
    for (size_t i = 0; i < sizeof rdns / sizeof rdns[0]; i++)
        if (X509_NAME_add_entry_by_txt(n, rdns[i].field, MBSTRING_ASC,
                                       (const unsigned char *)rdns[i].value, -1, -1, 0) != 1)
            return -1;
    return X509_set_issuer_name(x, n) == 1 ? 0 : -1;
}

/* The clid extension fields, built and attached through the public API. */
static clid_err add_clid_exts(X509 *x)
{
    clid_err rc = CLID_OK;
    clid_tnauth *l = NULL;
    clid_entity *e = NULL;
    unsigned ispc = 0;
#define STEP(expr)             \
    do {                       \
        rc = (expr);           \
        if (rc != CLID_OK)     \
            goto out;          \
    } while (0)
    STEP(clid_tnauth_new(&l));
    STEP(clid_tnauth_add_spc(l, "CLIDDEMO"));
    STEP(clid_tnauth_add_tn(l, "442079460123"));
    STEP(clid_tnauth_add_range(l, "442079460000", 1000));
    STEP(clid_x509_add_tnauth(x, l, 0)); /* non-critical: OpenSSL refuses unknown critical ones */
    STEP(clid_entity_new(CLID_ROLE_INTERNATIONAL_GATEWAY, &e));
    STEP(clid_entity_add_country(e, "44"));
    STEP(clid_entity_set_carrier(e, "CLIDGB"));
    STEP(clid_entity_add_plmn(e, "001", "01"));
    STEP(clid_ispc_parse("2-100-3", &ispc));
    STEP(clid_entity_add_ispc(e, ispc));
    STEP(clid_entity_set_operator_name(e, "clid demo operator"));
    STEP(clid_x509_add_entity(x, e, 0)); /* non-critical by the profile's definition */
#undef STEP
out:
    clid_tnauth_free(l);
    clid_entity_free(e);
    return rc;
}

/* Returns the signed certificate, or NULL after printing why. */
static X509 *make_cert(void)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    const char *step = "key generation";
    if (key == NULL || x == NULL)
        goto fail;
    step = "certificate fields";
    if (X509_set_version(x, X509_VERSION_3) != 1 || set_random_serial(x) != 0 ||
        set_names(x) != 0 || X509_gmtime_adj(X509_getm_notBefore(x), 0) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(x), 60L * 60 * 24 * DEMO_DAYS) == NULL ||
        X509_set_pubkey(x, key) != 1)
        goto fail;
    step = "standard extensions";
    if (add_std_ext(x, NID_basic_constraints, "critical,CA:FALSE") != 0 ||
        add_std_ext(x, NID_key_usage, "critical,digitalSignature") != 0 ||
        add_std_ext(x, NID_subject_key_identifier, "hash") != 0)
        goto fail;
    clid_err rc = add_clid_exts(x);
    if (rc != CLID_OK) {
        tool_error("demo: adding the clid extensions: %s: %s", clid_err_name(rc),
                   clid_err_str(rc));
        goto out_fail;
    }
    step = "signing";
    if (X509_sign(x, key, EVP_sha256()) <= 0)
        goto fail;
    EVP_PKEY_free(key); /* throwaway: the key never leaves this process */
    return x;
fail:
    tool_openssl_errors();
    tool_error("demo: %s failed in OpenSSL", step);
out_fail:
    EVP_PKEY_free(key);
    X509_free(x);
    return NULL;
}

static int write_pem(const char *path, X509 *x)
{
    FILE *f = fopen(path, "w");
    if (f == NULL) {
        tool_error("%s: cannot create: %s", path, strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    int ok = PEM_write_X509(f, x) == 1;
    ok &= fclose(f) == 0;
    if (!ok) {
        tool_openssl_errors();
        tool_error("%s: cannot write the certificate", path);
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

static const tool_opt demo_opts[] = {
    {"--out", NULL, 1, 0},
    {"--json", NULL, 0, 0},
    {"--help", "-h", 0, 0},
};
enum { OPT_OUT, OPT_JSON, OPT_HELP };

int cmd_demo(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("demo", "demo", argc - 1, argv + 1, demo_opts,
                             sizeof demo_opts / sizeof demo_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[OPT_HELP]) {
        cmd_demo_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 0)
        return tool_usage_error("demo", "demo", "takes no operands");
    const char *out = a.value[OPT_OUT];

    X509 *x = make_cert();
    if (x == NULL)
        return TOOL_EXIT_FAIL;
    if (out != NULL && (rc = write_pem(out, x)) != TOOL_EXIT_OK) {
        X509_free(x);
        return rc;
    }
    /* Show what a reader of the DER bytes sees, not the in-memory object. */
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    X509_free(x);
    if (len <= 0) {
        tool_openssl_errors();
        tool_error("demo: cannot encode the certificate");
        return TOOL_EXIT_FAIL;
    }
    tool_certs certs = {.n = 0};
    rc = tool_parse_certs("demo", der, (size_t)len, &certs);
    OPENSSL_free(der);
    if (rc != TOOL_EXIT_OK)
        return rc;
    fprintf(stderr,
            "clid demo: throwaway P-256 key (discarded) and self-signed certificate%s%s; "
            "decoded:\n",
            out ? " written to " : "", out ? out : "");
    rc = certinfo_show("demo", out, &certs, a.seen[OPT_JSON]);
    tool_certs_free(&certs);
    return rc;
}
