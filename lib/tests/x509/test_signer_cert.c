/*
 * Unit tests of the signer chain (signer_cert.c): loading and the facts
 * taken from the certificates, and validation of good chains. The
 * rejections of clid__signer_cert_validate are in test_signer_cert_chain.c,
 * the validation memo and concurrency in test_signer_cert_memo.c; the
 * fixture they share is signer_cert_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "support/cli_pki.h"
#include "signer_cert_fixture.h"

/* ------------------------------------------------------------------------ */
/* Loading                                                                   */
/* ------------------------------------------------------------------------ */

static void load_extracts_facts(void **state)
{
    (void)state;
    clid__signer_cert *c = load(chain);
    assert_int_equal(c->refs, 1);
    assert_int_equal(sk_X509_num(c->chain), 2);
    assert_string_equal(c->subject, "CN=SHAKEN 709J");
    assert_string_equal(c->issuer, "CN=Test STI-CA");
    char serial[32];
    snprintf(serial, sizeof serial, "%lX", leaf->serial);
    assert_string_equal(c->serial, serial);
    assert_int_equal(c->not_before, TP_T0 - 30 * TP_DAY);
    assert_int_equal(c->not_after, TP_T0 + 365 * TP_DAY);
    assert_non_null(c->key);
    assert_int_equal(c->key_err, CLID_OK);
    assert_int_equal(EVP_PKEY_eq(clid__es256_key_pkey(c->key), leaf->key), 1);
    assert_int_equal(c->tnauth_err, CLID_OK);
    assert_non_null(c->tnauth);
    clid_tnauth_entry e;
    assert_int_equal(clid_tnauth_get(c->tnauth, 0, &e), CLID_OK);
    assert_int_equal(e.kind, CLID_TNAUTH_SPC);
    assert_string_equal(e.value, "709J");
    assert_null(c->jwtcc);
    assert_null(c->ejwtcc);
    assert_int_equal(c->jwtcc_err, CLID_OK);
    assert_null(c->entity);
    assert_int_equal(c->entity_err, CLID_ERR_EXT_ABSENT);

    uint8_t md[32];
    unsigned int mdlen = 0;
    assert_int_equal(EVP_Digest(chain, strlen(chain), md, &mdlen, EVP_sha256(), NULL), 1);
    assert_memory_equal(c->chain_hash, md, 32);

    clid__signer_cert_ref(c);
    assert_int_equal(c->refs, 2);
    clid__signer_cert_release(c);
    clid__signer_cert_release(c);
    clid__signer_cert_release(NULL);
    clid__signer_cert_ref(NULL);
}

static void load_facts_of_other_extensions(void **state)
{
    (void)state;
    tp_cert *x = tp_issue(&(tp_spec){.cn = "GW", .tnauth = "tn:12025550100", .entity_critical = 1,
                                     .jwtcc_critical = 1},
                          inter);
    clid__signer_cert *c = load(x->pem);
    assert_non_null(c->entity);
    assert_int_equal(c->entity_err, CLID_OK);
    assert_int_equal(clid_entity_get_role(c->entity), CLID_ROLE_ORIGINATING_GATEWAY);
    assert_non_null(c->jwtcc);
    assert_int_equal(c->jwtcc_err, CLID_OK);
    assert_null(c->ejwtcc);
    clid__signer_cert_release(c);
    tp_free(x);

    /* Unusable extensions and keys do not fail the load: they are facts the
     * verifier reports at the right step. */
    x = tp_issue(&(tp_spec){.cn = "dup", .tnauth = "spc:709J", .tnauth_twice = 1}, inter);
    c = load(x->pem);
    assert_null(c->tnauth);
    assert_int_equal(c->tnauth_err, CLID_ERR_EXT_DUPLICATE);
    clid__signer_cert_release(c);
    tp_free(x);

    x = tp_issue(&(tp_spec){.cn = "none"}, inter);
    c = load(x->pem);
    assert_null(c->tnauth);
    assert_int_equal(c->tnauth_err, CLID_ERR_EXT_ABSENT);
    clid__signer_cert_release(c);
    tp_free(x);

    x = tp_issue(&(tp_spec){.cn = "rsa", .tnauth = "spc:709J", .rsa = 1}, inter);
    c = load(x->pem);
    assert_null(c->key);
    assert_int_equal(c->key_err, CLID_ERR_KEY_TYPE);
    clid__signer_cert_release(c);
    tp_free(x);
}

static void load_not_pem(void **state)
{
    (void)state;
    clid__signer_cert *c = (clid__signer_cert *)1;
    assert_int_equal(clid__signer_cert_load("", 0, &c), CLID_ERR_X5U_NOT_PEM);
    assert_null(c);
    const char *html = "<html><body>404 Not Found</body></html>\n";
    assert_int_equal(clid__signer_cert_load(html, strlen(html), &c), CLID_ERR_X5U_NOT_PEM);

    /* A DER certificate served as is (application/pkix-cert) is not PEM. */
    unsigned char *der = NULL;
    int len = i2d_X509(leaf->x, &der);
    assert_true(len > 0);
    assert_int_equal(clid__signer_cert_load((const char *)der, (size_t)len, &c),
                     CLID_ERR_X5U_NOT_PEM);
    OPENSSL_free(der);

    /* A private key, or a CRL, where a certificate chain is expected. */
    BIO *bio = BIO_new(BIO_s_mem());
    assert_int_equal(PEM_write_bio_PrivateKey(bio, leaf->key, NULL, NULL, 0, NULL, NULL), 1);
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    assert_int_equal(clid__signer_cert_load(data, (size_t)n, &c), CLID_ERR_X5U_NOT_PEM);
    char *key_pem = strndup(data, (size_t)n);
    char *mixed = tp_cat(leaf->pem, key_pem, NULL);
    assert_int_equal(clid__signer_cert_load(mixed, strlen(mixed), &c), CLID_ERR_X5U_NOT_PEM);
    free(mixed);
    free(key_pem);
    BIO_free(bio);
    char *crl = tp_crl(inter, TP_T0, TP_T0 + TP_DAY, NULL, 0, 0);
    assert_int_equal(clid__signer_cert_load(crl, strlen(crl), &c), CLID_ERR_X5U_NOT_PEM);
    free(crl);
    assert_null(c);
}

static void load_garbage_pem(void **state)
{
    (void)state;
    clid__signer_cert *c = NULL;
    const char *bad64 = "-----BEGIN CERTIFICATE-----\n%%%%not base64%%%%\n"
                        "-----END CERTIFICATE-----\n";
    assert_int_equal(clid__signer_cert_load(bad64, strlen(bad64), &c), CLID_ERR_CERT_PARSE);
    /* Valid base64 that is not a certificate. */
    const char *notcert = "-----BEGIN CERTIFICATE-----\nMAMCAQU=\n-----END CERTIFICATE-----\n";
    assert_int_equal(clid__signer_cert_load(notcert, strlen(notcert), &c), CLID_ERR_CERT_PARSE);
    /* Truncated: no END line. */
    assert_int_equal(clid__signer_cert_load(leaf->pem, strlen(leaf->pem) - 30, &c),
                     CLID_ERR_CERT_PARSE);
    /* A good leaf, then a damaged intermediate. */
    char *damaged = tp_cat(leaf->pem, bad64, NULL);
    assert_int_equal(clid__signer_cert_load(damaged, strlen(damaged), &c), CLID_ERR_CERT_PARSE);
    free(damaged);
    /* Bytes after the certificate's DER inside its block. */
    char *trail = tp_pem_with_trailing(leaf, 2);
    assert_int_equal(clid__signer_cert_load(trail, strlen(trail), &c), CLID_ERR_CERT_PARSE);
    free(trail);
    /* RFC 1421 headers (an "encrypted" certificate). */
    const char *body = strchr(leaf->pem, '\n') + 1;
    char *hdr = tp_cat("-----BEGIN CERTIFICATE-----\nProc-Type: 4,ENCRYPTED\n"
                       "DEK-Info: AES-128-CBC,00000000000000000000000000000000\n\n",
                       body, NULL);
    assert_int_equal(clid__signer_cert_load(hdr, strlen(hdr), &c), CLID_ERR_CERT_PARSE);
    free(hdr);
    assert_null(c);
}

static void load_allows_explanatory_text(void **state)
{
    (void)state;
    /* RFC 7468 §2: text around the blocks is permitted (here as written by
     * `openssl s_client -showcerts`). */
    char *pem = tp_cat("Certificate chain\n 0 s:CN = SHAKEN 709J\n   i:CN = Test STI-CA\n",
                       leaf->pem, " 1 s:CN = Test STI-CA\n", inter->pem, "\n---\n", NULL);
    clid__signer_cert *c = load(pem);
    assert_int_equal(sk_X509_num(c->chain), 2);
    clid__signer_cert_release(c);
    free(pem);
    /* CRLF line ends. */
    size_t n = strlen(leaf->pem);
    char *crlf = malloc(2 * n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (leaf->pem[i] == '\n')
            crlf[k++] = '\r';
        crlf[k++] = leaf->pem[i];
    }
    crlf[k] = '\0';
    c = load(crlf);
    assert_int_equal(sk_X509_num(c->chain), 1);
    clid__signer_cert_release(c);
    free(crlf);
}

static void load_limits(void **state)
{
    (void)state;
    clid__signer_cert *c = NULL;
    assert_int_equal(clid__signer_cert_load(chain, CLID_CHAIN_MAX_LEN + 1, &c),
                     CLID_ERR_X5U_TOO_LARGE);
    /* CLID_CHAIN_MAX_CERTS certificates load; one more is refused. */
    char *many = tp_cat("", NULL);
    for (int i = 0; i < CLID_CHAIN_MAX_CERTS; i++) {
        char *next = tp_cat(many, inter->pem, NULL);
        free(many);
        many = next;
    }
    c = load(many);
    assert_int_equal(sk_X509_num(c->chain), CLID_CHAIN_MAX_CERTS);
    clid__signer_cert_release(c);
    c = NULL;
    char *too_many = tp_cat(many, inter->pem, NULL);
    assert_int_equal(clid__signer_cert_load(too_many, strlen(too_many), &c),
                     CLID_ERR_CERT_CHAIN_TOO_LONG);
    assert_null(c);
    free(many);
    free(too_many);
    assert_int_equal(clid__signer_cert_load(NULL, 0, &c), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid__signer_cert_load(chain, strlen(chain), NULL),
                     CLID_ERR_INVALID_ARGUMENT);
}

/* ------------------------------------------------------------------------ */
/* Validation: success                                                       */
/* ------------------------------------------------------------------------ */

static void validate_ok(void **state)
{
    (void)state;
    clid_ctx *ctx = ctx_trusting(root);
    assert_int_equal(validate_pem(ctx, chain, TP_T0), CLID_OK);
    /* Servers that append the root: still fine. */
    char *with_root = tp_cat(chain, root->pem, NULL);
    assert_int_equal(validate_pem(ctx, with_root, TP_T0), CLID_OK);
    free(with_root);
    /* `detail` is optional. */
    clid__signer_cert *c = load(chain);
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, c, TP_T0, NULL, 0), CLID_OK);
    assert_int_equal(clid__signer_cert_validate(NULL, c, TP_T0, NULL, 0),
                     CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid__signer_cert_validate(&ctx->trust, NULL, TP_T0, NULL, 0),
                     CLID_ERR_INVALID_ARGUMENT);
    clid__signer_cert_release(c);
    clid_ctx_free(ctx);
}

static void validate_cli_made_pki(void **state)
{
    (void)state;
    /* openssl-CLI certificates with AKI/SKI pass the strict profile checks
     * with no deviation; the stock root lacks keyUsage, which the anchor
     * exemption allows. */
    clid_ctx *ctx = NULL;
    assert_int_equal(clid_ctx_new(&ctx), CLID_OK);
    assert_int_equal(clid_ctx_add_trust_pem(ctx, cli_root_pem, strlen(cli_root_pem)), CLID_OK);
    char *pem = tp_cat(cli_sp_pem, cli_int_pem, NULL);
    clid__signer_cert *ok = load(pem);
    unsigned none = 99;
    assert_int_equal(clid__signer_cert_validate_dev(&ctx->trust, ok, CLI_PKI_AT, NULL, 0, &none),
                     CLID_OK);
    assert_int_equal(none, 0);
    clid__signer_cert_release(ok);
    free(pem);
    /* Below the anchor the profile is checked: a leaf without AKI (and
     * without SKI, which RFC 5280 §4.2.1.2 only asks of CAs) is accepted
     * with the deviation reported (docs/verification.md, "Strict and
     * lenient"); the verifier turns it into a warning or, strict, the
     * failure. */
    pem = tp_cat(cli_noaki_pem, cli_int_pem, NULL);
    clid__signer_cert *c = load(pem);
    char detail[256];
    unsigned dev = 99;
    assert_int_equal(clid__signer_cert_validate_dev(&ctx->trust, c, CLI_PKI_AT, detail,
                                                    sizeof detail, &dev),
                     CLID_OK);
    assert_int_equal(dev, CLID__DEV_NO_AKI);
    assert_string_equal(detail, "");
    clid__signer_cert_release(c);
    free(pem);
    clid_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(load_extracts_facts),
        cmocka_unit_test(load_facts_of_other_extensions),
        cmocka_unit_test(load_not_pem),
        cmocka_unit_test(load_garbage_pem),
        cmocka_unit_test(load_allows_explanatory_text),
        cmocka_unit_test(load_limits),
        cmocka_unit_test(validate_ok),
        cmocka_unit_test(validate_cli_made_pki),
    };
    return cmocka_run_group_tests_name("signer_cert", tests, group_setup, group_teardown);
}
