/*
 * The clid objects every fixture builds over the test PKI (testpki.h):
 * one copy instead of one per test directory. Like the rest of testpki,
 * a failure here aborts with what failed: a broken fixture is not a test
 * result.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "support/testpki.h"

static void die(const char *what)
{
    fprintf(stderr, "testpki: %s failed\n", what);
    ERR_print_errors_fp(stderr);
    abort();
}

/* A clid call that must succeed: names the call and the code if not. */
#define MUST(call)                                                                                \
    do {                                                                                          \
        clid_err must_rc_ = (call);                                                               \
        if (must_rc_ != CLID_OK) {                                                                \
            fprintf(stderr, "testpki: %s: %s\n", #call, clid_err_name(must_rc_));                 \
            abort();                                                                              \
        }                                                                                         \
    } while (0)

tp_cert *tp_test_root(void)
{
    return tp_issue(&(tp_spec){.cn = "Test Root", .ca = 1, .not_before = TP_T0 - 3650 * TP_DAY,
                               .not_after = TP_T0 + 3650 * TP_DAY},
                    NULL);
}

tp_cert *tp_test_stica(const tp_cert *root)
{
    return tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1, .not_before = TP_T0 - 365 * TP_DAY,
                               .not_after = TP_T0 + 3 * 365 * TP_DAY},
                    root);
}

int64_t tp_fixed_clock(void *arg)
{
    return *(const int64_t *)arg;
}

char *tp_key_pem(EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL || PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) != 1)
        die("PEM_write_bio_PrivateKey");
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    if (n <= 0)
        die("BIO_get_mem_data");
    char *s = malloc((size_t)n + 1);
    if (s == NULL)
        die("malloc");
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    BIO_free(bio);
    return s;
}

clid_signer *tp_signer_key(EVP_PKEY *key, const char *cert_pem, const char *x5u, int64_t *now)
{
    char *pem = tp_key_pem(key);
    clid_signer *s = NULL;
    MUST(clid_signer_new(&s));
    MUST(clid_signer_set_key_pem(s, pem, strlen(pem)));
    if (cert_pem != NULL)
        MUST(clid_signer_set_cert_pem(s, cert_pem, strlen(cert_pem)));
    MUST(clid_signer_set_x5u(s, x5u));
    MUST(clid_signer_set_clock(s, tp_fixed_clock, now));
    free(pem);
    return s;
}

clid_signer *tp_signer_new(const tp_cert *c, const char *x5u, int64_t *now)
{
    return tp_signer_key(c->key, c->pem, x5u, now);
}

clid_ctx *tp_ctx_new(const tp_cert *anchor, int64_t *now)
{
    clid_ctx *c = NULL;
    MUST(clid_ctx_new(&c));
    MUST(clid_ctx_add_trust_pem(c, anchor->pem, strlen(anchor->pem)));
    MUST(clid_ctx_set_clock(c, tp_fixed_clock, now));
    return c;
}

void tp_ctx_map(clid_ctx *c, const char *url, const char *pem)
{
    MUST(clid_ctx_add_x5u_pem(c, url, pem, strlen(pem)));
}

clid_verifier *tp_verifier_new(const clid_ctx *c)
{
    clid_verifier *v = NULL;
    MUST(clid_verifier_new(c, &v));
    return v;
}
