/*
 * clid demo [--out FILE] [--json]
 *
 * The README's "main job" for now: make a throwaway P-256 key and a
 * self-signed certificate carrying a TNAuthList (SPC, one TN, a range) and a
 * SignallingEntity (an international gateway for +44), then decode it from
 * its DER bytes exactly as `clid cert show` does; then sign a call with the
 * throwaway key and verify it, and show a replayed and a forged header being
 * refused (the README's "main job").
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

#include "cert/certinfo.h"
#include "commands.h"
#include "util.h"

#define DEMO_DAYS 30

void cmd_demo_help(FILE *f)
{
    fputs("usage: clid demo [--out FILE] [--json] [--no-call]\n"
          "\n"
          "Generates a throwaway EC P-256 key (never written anywhere) and a self-signed\n"
          "certificate carrying a TNAuthList (SPC, a TN and a range) and a\n"
          "SignallingEntity (international gateway, country code 44, carrier code,\n"
          "MCC/MNC, ISPC, operator name), then prints it decoded as 'clid cert show'\n"
          "does. Then it signs a call from a number in the certificate's range with the\n"
          "throwaway key (an RFC 8224 Identity header) and verifies it with the\n"
          "certificate as trust anchor, and shows a replayed and a forged header being\n"
          "refused.\n"
          "\n"
          "  --out FILE  also write the certificate there (PEM; the file is replaced)\n"
          "  --json      print only the JSON form of 'clid cert show --json'\n"
          "  --no-call   print only the certificate\n",
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

/* Returns the signed certificate (and its key in *key_out), or NULL after
 * printing why. */
static X509 *make_cert(EVP_PKEY **key_out)
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
    *key_out = key; /* throwaway: the key never leaves this process */
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


/* ------------------------------------------------------------------------ */
/* The call: sign with the demo key, verify with the demo certificate as the */
/* trust anchor, then show two forgeries being refused.                      */
/* ------------------------------------------------------------------------ */

#define DEMO_X5U "https://certs.demo.clid.invalid/demo.pem"
#define DEMO_ORIG "+44 20 7946 0123"
#define DEMO_DEST "+1 212 555 0100"

static char *to_pem(int (*write)(BIO *, void *), void *obj)
{
    BIO *b = BIO_new(BIO_s_mem());
    char *data = NULL, *out = NULL;
    if (b != NULL && write(b, obj) == 1) {
        long n = BIO_get_mem_data(b, &data);
        out = n > 0 ? strndup(data, (size_t)n) : NULL;
    }
    BIO_free(b);
    return out;
}

static int write_cert(BIO *b, void *x)
{
    return PEM_write_bio_X509(b, x);
}

static int write_key(BIO *b, void *k)
{
    return PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL);
}

static void print_verdict(clid_verifier *v, const char *what, const char *identity,
                          const char *orig)
{
    clid_verify_input in = {.identity = identity, .orig = orig, .dest = DEMO_DEST};
    clid_result *r = NULL;
    if (clid_result_new(&r) != CLID_OK)
        return;
    clid_err e = clid_verify_identity(v, &in, r);
    printf("\n%s\n%s\nreason: %s\nsip: %d\n", what, clid_verstat_str(clid_err_verstat(e)),
           clid_err_name(e), clid_err_sip_status(e));
    clid_result_free(r);
}

/* base64url <-> the standard alphabet, for OpenSSL's EVP_{En,De}codeBlock. */
static void url_to_std(char *p)
{
    for (; *p; p++)
        *p = *p == '-' ? '+' : *p == '_' ? '/' : *p;
}

static void std_to_url(char *p)
{
    char *w = p;
    for (; *p; p++)
        if (*p != '=')
            *w++ = *p == '+' ? '-' : *p == '/' ? '_' : *p;
    *w = '\0';
}

/* The header with the caller's number in the claims replaced by `fake`,
 * the signature kept: what a forger without the key can produce. */
static char *forge(const char *identity, const char *real, const char *fake)
{
    const char *c0 = strchr(identity, '.');
    const char *c1 = c0 ? strchr(c0 + 1, '.') : NULL;
    if (c1 == NULL || c1 - c0 > 2000)
        return NULL;
    char b64[2100], json[1600], enc[2200];
    size_t n = (size_t)(c1 - c0 - 1);
    memcpy(b64, c0 + 1, n);
    while (n % 4)
        b64[n++] = '=';
    b64[n] = '\0';
    url_to_std(b64);
    int jl = EVP_DecodeBlock((unsigned char *)json, (unsigned char *)b64, (int)n);
    if (jl <= 0)
        return NULL;
    json[jl] = '\0';
    while (jl > 0 && json[jl - 1] == '\0') /* DecodeBlock counts padding as zero bytes */
        jl--;
    char *at = strstr(json, real);
    if (at == NULL || strlen(fake) != strlen(real))
        return NULL;
    memcpy(at, fake, strlen(fake));
    EVP_EncodeBlock((unsigned char *)enc, (unsigned char *)json, jl);
    std_to_url(enc);
    size_t head = (size_t)(c0 - identity) + 1;
    char *out = malloc(head + strlen(enc) + strlen(c1) + 1);
    if (out != NULL) {
        memcpy(out, identity, head);
        strcpy(out + head, enc);
        strcat(out, c1);
    }
    return out;
}

static int demo_call(X509 *cert, EVP_PKEY *key)
{
    int rc = TOOL_EXIT_FAIL;
    char *cert_pem = to_pem(write_cert, cert), *key_pem = to_pem(write_key, key);
    clid_signer *s = NULL;
    clid_ctx *ctx = NULL;
    clid_verifier *v = NULL;
    char *forged = NULL;
    char identity[CLID_IDENTITY_MAX_LEN];
    size_t len = 0;
    const char *dest[] = {DEMO_DEST};
    clid_claims c = {.orig = DEMO_ORIG, .dest = dest, .dest_count = 1, .attest = 'A'};
    clid_err e = CLID_ERR_NOMEM;
    if (cert_pem == NULL || key_pem == NULL)
        goto out;
    if ((e = clid_signer_new(&s)) != CLID_OK ||
        (e = clid_signer_set_key_pem(s, key_pem, strlen(key_pem))) != CLID_OK ||
        (e = clid_signer_set_cert_pem(s, cert_pem, strlen(cert_pem))) != CLID_OK ||
        (e = clid_signer_set_x5u(s, DEMO_X5U)) != CLID_OK ||
        (e = clid_sign_identity(s, &c, identity, sizeof identity, &len)) != CLID_OK)
        goto out;
    /* The verifier trusts the demo certificate itself and finds it for the
     * x5u URL in its offline map: no network. */
    if ((e = clid_ctx_new(&ctx)) != CLID_OK ||
        (e = clid_ctx_add_trust_pem(ctx, cert_pem, strlen(cert_pem))) != CLID_OK ||
        (e = clid_ctx_add_x5u_pem(ctx, DEMO_X5U, cert_pem, strlen(cert_pem))) != CLID_OK ||
        (e = clid_verifier_new(ctx, &v)) != CLID_OK)
        goto out;
    printf("\nA call from %s to %s, attestation A, signed with the demo key:\n"
           "Identity: %s\n",
           DEMO_ORIG, DEMO_DEST, identity);
    print_verdict(v, "Verified at the receiving gateway (trust anchor: the demo certificate):",
                  identity, DEMO_ORIG);
    print_verdict(v, "The same header replayed on a call from another number:", identity,
                  "+44 20 7946 0999");
    forged = forge(identity, "442079460123", "442079460999");
    if (forged != NULL)
        print_verdict(v, "The caller's number edited inside the PASSporT by someone without "
                         "the key:",
                      forged, "+44 20 7946 0999");
    rc = TOOL_EXIT_OK;
out:
    if (rc != TOOL_EXIT_OK)
        tool_error("demo: signing and verifying the call: %s: %s", clid_err_name(e),
                   clid_err_str(e));
    if (key_pem != NULL)
        OPENSSL_cleanse(key_pem, strlen(key_pem));
    free(key_pem);
    free(cert_pem);
    free(forged);
    clid_verifier_free(v);
    clid_ctx_free(ctx);
    clid_signer_free(s);
    return rc;
}

static const tool_opt demo_opts[] = {
    {"--out", NULL, 1, 0},
    {"--json", NULL, 0, 0},
    {"--help", "-h", 0, 0},
    {"--no-call", NULL, 0, 0},
};
enum { OPT_OUT, OPT_JSON, OPT_HELP, OPT_NO_CALL };

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

    EVP_PKEY *key = NULL;
    X509 *x = make_cert(&key);
    if (x == NULL)
        return TOOL_EXIT_FAIL;
    if (out != NULL && (rc = write_pem(out, x)) != TOOL_EXIT_OK)
        goto done;
    /* Show what a reader of the DER bytes sees, not the in-memory object. */
    unsigned char *der = NULL;
    int len = i2d_X509(x, &der);
    if (len <= 0) {
        tool_openssl_errors();
        tool_error("demo: cannot encode the certificate");
        rc = TOOL_EXIT_FAIL;
        goto done;
    }
    tool_certs certs = {.n = 0};
    rc = tool_parse_certs("demo", der, (size_t)len, &certs);
    OPENSSL_free(der);
    if (rc != TOOL_EXIT_OK)
        goto done;
    fprintf(stderr,
            "clid demo: throwaway P-256 key (discarded) and self-signed certificate%s%s; "
            "decoded:\n",
            out ? " written to " : "", out ? out : "");
    rc = certinfo_show("demo", out, &certs, a.seen[OPT_JSON]);
    tool_certs_free(&certs);
    /* The call part is text only: --json stays one JSON object. */
    if (rc == TOOL_EXIT_OK && !a.seen[OPT_JSON] && !a.seen[OPT_NO_CALL])
        rc = demo_call(x, key);
done:
    X509_free(x);
    EVP_PKEY_free(key);
    return rc;
}
