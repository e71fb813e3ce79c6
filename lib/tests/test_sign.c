/*
 * Unit tests of the signer (sign.c) through the public API: key and
 * certificate loading, x5u and claims validation, the pre-flight authority
 * check, the buffer contract, the clock, the output forms (full Identity
 * value, full and compact PASSporT, div), and that what it signs verifies.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "b64url.h"
#include "es256.h"
#include "passport.h"
#include "testpki.h"

#define X5U "https://cert.example.org/sp.pem"
#define ORIG "12025550100"
#define DEST "13035550199"
#define ORIGID "4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"

static tp_cert *root, *inter, *leaf_spc, *leaf_range, *leaf_notn;
static char *key_spc;   /* leaf_spc's key, PKCS#8 PEM */
static char *key_range; /* leaf_range's key, PKCS#8 PEM */
static int64_t t0 = TP_T0;
static const char *const one_dest[] = {DEST};

static int64_t fixed_clock(void *arg)
{
    return *(const int64_t *)arg;
}

enum key_form { PKCS8, SEC1, PKCS8_ENCRYPTED, SEC1_ENCRYPTED };

static char *bio_string(BIO *bio)
{
    char *data = NULL;
    long n = BIO_get_mem_data(bio, &data);
    assert_true(n > 0);
    char *s = malloc((size_t)n + 1);
    assert_non_null(s);
    memcpy(s, data, (size_t)n);
    s[n] = '\0';
    return s;
}

static char *key_pem(EVP_PKEY *k, enum key_form form)
{
    static unsigned char pass[] = "secret";
    BIO *bio = BIO_new(BIO_s_mem());
    assert_non_null(bio);
    int ok = 0;
    switch (form) {
    case PKCS8:
        ok = PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL);
        break;
    case SEC1:
        ok = PEM_write_bio_PrivateKey_traditional(bio, k, NULL, NULL, 0, NULL, NULL);
        break;
    case PKCS8_ENCRYPTED:
        ok = PEM_write_bio_PrivateKey(bio, k, EVP_aes_256_cbc(), pass, 6, NULL, NULL);
        break;
    case SEC1_ENCRYPTED:
        ok = PEM_write_bio_PrivateKey_traditional(bio, k, EVP_aes_256_cbc(), pass, 6, NULL,
                                                  NULL);
        break;
    }
    assert_int_equal(ok, 1);
    char *s = bio_string(bio);
    BIO_free(bio);
    return s;
}

static int group_setup(void **state)
{
    (void)state;
    root = tp_issue(&(tp_spec){.cn = "Test Root", .ca = 1, .not_before = TP_T0 - 3650 * TP_DAY,
                               .not_after = TP_T0 + 3650 * TP_DAY},
                    NULL);
    inter = tp_issue(&(tp_spec){.cn = "Test STI-CA", .ca = 1}, root);
    leaf_spc = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, inter);
    leaf_range = tp_issue(&(tp_spec){.cn = "range",
                                     .tnauth = "range:12025550000+100,tn:13105550000"},
                          inter);
    leaf_notn = tp_issue(&(tp_spec){.cn = "no TNAuthList"}, inter);
    key_spc = key_pem(leaf_spc->key, PKCS8);
    key_range = key_pem(leaf_range->key, PKCS8);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    tp_free(root);
    tp_free(inter);
    tp_free(leaf_spc);
    tp_free(leaf_range);
    tp_free(leaf_notn);
    free(key_spc);
    free(key_range);
    return 0;
}

/* A signer with `key` (PEM), optionally `cert`, X5U and the fixed clock. */
static clid_signer *new_signer(const char *key, const tp_cert *cert)
{
    clid_signer *s = NULL;
    assert_int_equal(clid_signer_new(&s), CLID_OK);
    assert_int_equal(clid_signer_set_key_pem(s, key, strlen(key)), CLID_OK);
    if (cert != NULL)
        assert_int_equal(clid_signer_set_cert_pem(s, cert->pem, strlen(cert->pem)), CLID_OK);
    assert_int_equal(clid_signer_set_x5u(s, X5U), CLID_OK);
    assert_int_equal(clid_signer_set_clock(s, fixed_clock, &t0), CLID_OK);
    return s;
}

static clid_claims default_claims(void)
{
    return (clid_claims){.orig = ORIG, .dest = one_dest, .dest_count = 1, .attest = 'A'};
}

static clid_err sign_into(const clid_signer *s, const clid_claims *c, char *buf, size_t cap)
{
    size_t len = 0;
    clid_err rc = clid_sign_identity(s, c, buf, cap, &len);
    if (rc == CLID_OK)
        assert_int_equal(len, strlen(buf));
    return rc;
}

/* The JSON object in base64url part [b64, b64+n). */
static json_t *decode_part(const char *b64, size_t n)
{
    uint8_t buf[8192];
    size_t len = 0;
    assert_int_equal(clid__b64url_decode(b64, n, buf, sizeof buf, &len), CLID_OK);
    json_error_t err;
    json_t *j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &err);
    assert_non_null(j);
    return j;
}

/* The decoded bytes of a base64url part, NUL-terminated, into out[cap]. */
static size_t decode_bytes(const char *b64, size_t n, char *out, size_t cap)
{
    size_t len = 0;
    assert_int_equal(clid__b64url_decode(b64, n, (uint8_t *)out, cap - 1, &len), CLID_OK);
    out[len] = '\0';
    return len;
}

/* The three parts of the JWS at the start of `v` (up to ';' or the end). */
typedef struct jws_parts {
    const char *h, *c, *s;
    size_t h_len, c_len, s_len;
} jws_parts;

static jws_parts split_jws(const char *v)
{
    jws_parts p;
    const char *end = strchr(v, ';');
    if (end == NULL)
        end = v + strlen(v);
    const char *d1 = memchr(v, '.', (size_t)(end - v));
    assert_non_null(d1);
    const char *d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1));
    assert_non_null(d2);
    assert_null(memchr(d2 + 1, '.', (size_t)(end - d2 - 1)));
    p.h = v;
    p.h_len = (size_t)(d1 - v);
    p.c = d1 + 1;
    p.c_len = (size_t)(d2 - d1 - 1);
    p.s = d2 + 1;
    p.s_len = (size_t)(end - d2 - 1);
    return p;
}

/* ------------------------------------------------------------------------ */
/* Keys                                                                      */
/* ------------------------------------------------------------------------ */

static void key_pkcs8_and_sec1(void **state)
{
    (void)state;
    char *pkcs8 = key_pem(leaf_spc->key, PKCS8);
    char *sec1 = key_pem(leaf_spc->key, SEC1);
    assert_non_null(strstr(pkcs8, "-----BEGIN PRIVATE KEY-----"));
    assert_non_null(strstr(sec1, "-----BEGIN EC PRIVATE KEY-----"));
    clid_signer *s = NULL;
    assert_int_equal(clid_signer_new(&s), CLID_OK);
    assert_int_equal(clid_signer_set_key_pem(s, pkcs8, strlen(pkcs8)), CLID_OK);
    assert_int_equal(clid_signer_set_key_pem(s, sec1, strlen(sec1)), CLID_OK);
    /* The key that was loaded is the certificate's: setting it must agree. */
    assert_int_equal(clid_signer_set_cert_pem(s, leaf_spc->pem, strlen(leaf_spc->pem)), CLID_OK);

    /* From a file, both forms; a missing file is an I/O error. */
    char path[] = "/tmp/clid_test_sign_keyXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, sec1, strlen(sec1)), (ssize_t)strlen(sec1));
    close(fd);
    assert_int_equal(clid_signer_set_key_file(s, path), CLID_OK);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(pkcs8, f);
    fclose(f);
    assert_int_equal(clid_signer_set_key_file(s, path), CLID_OK);
    unlink(path);
    assert_int_equal(clid_signer_set_key_file(s, path), CLID_ERR_IO);
    assert_int_equal(clid_signer_set_key_file(s, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_signer_set_key_pem(NULL, pkcs8, strlen(pkcs8)),
                     CLID_ERR_INVALID_ARGUMENT);
    clid_signer_free(s);
    free(pkcs8);
    free(sec1);
}

/*
 * Loads `pem` in a child process that has no controlling terminal and the
 * passphrase waiting on stdin: where OpenSSL's default password callback
 * cannot open /dev/tty it reads stdin, so a signer that let OpenSSL prompt
 * would decrypt the key and succeed. Returns the child's clid_err.
 */
static clid_err load_key_without_terminal(const char *pem)
{
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    assert_int_equal(write(fds[1], "secret\n", 7), 7);
    close(fds[1]);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        (void)setsid();
        if (dup2(fds[0], STDIN_FILENO) < 0)
            _exit(255);
        alarm(10); /* a prompt that waits anyway fails the test */
        clid_signer *s = NULL;
        if (clid_signer_new(&s) != CLID_OK)
            _exit(255);
        clid_err rc = clid_signer_set_key_pem(s, pem, strlen(pem));
        clid_signer_free(s);
        _exit((int)rc);
    }
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    return (clid_err)WEXITSTATUS(status);
}

static void key_encrypted_refused(void **state)
{
    (void)state;
    char *forms[] = {key_pem(leaf_spc->key, PKCS8_ENCRYPTED),
                     key_pem(leaf_spc->key, SEC1_ENCRYPTED)};
    assert_non_null(strstr(forms[0], "ENCRYPTED PRIVATE KEY"));
    assert_non_null(strstr(forms[1], "Proc-Type: 4,ENCRYPTED"));
    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(load_key_without_terminal(forms[i]), CLID_ERR_KEY_PARSE);
        free(forms[i]);
    }
    /* The same key unencrypted loads in the same setting. */
    char *plain = key_pem(leaf_spc->key, PKCS8);
    assert_int_equal(load_key_without_terminal(plain), CLID_OK);
    free(plain);
}

static void key_wrong_type(void **state)
{
    (void)state;
    EVP_PKEY *keys[] = {EVP_RSA_gen(1024), EVP_EC_gen("P-384"),
                        EVP_PKEY_Q_keygen(NULL, NULL, "ED25519")};
    clid_signer *s = NULL;
    assert_int_equal(clid_signer_new(&s), CLID_OK);
    for (size_t i = 0; i < 3; i++) {
        assert_non_null(keys[i]);
        char *pem = key_pem(keys[i], PKCS8);
        assert_int_equal(clid_signer_set_key_pem(s, pem, strlen(pem)), CLID_ERR_KEY_TYPE);
        free(pem);
        EVP_PKEY_free(keys[i]);
    }
    clid_signer_free(s);
}

static void key_garbage(void **state)
{
    (void)state;
    static const char *bad[] = {
        "garbage",
        "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
        "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n",
    };
    clid_signer *s = NULL;
    assert_int_equal(clid_signer_new(&s), CLID_OK);
    for (size_t i = 0; i < 3; i++)
        assert_int_equal(clid_signer_set_key_pem(s, bad[i], strlen(bad[i])), CLID_ERR_KEY_PARSE);
    /* A certificate is not a key. */
    assert_int_equal(clid_signer_set_key_pem(s, leaf_spc->pem, strlen(leaf_spc->pem)),
                     CLID_ERR_KEY_PARSE);
    assert_int_equal(clid_signer_set_key_pem(s, "", 0), CLID_ERR_KEY_PARSE);
    assert_int_equal(clid_signer_set_key_pem(s, NULL, 0), CLID_ERR_INVALID_ARGUMENT);
    /* Nothing was loaded: signing is a usage error. */
    assert_int_equal(clid_signer_set_x5u(s, X5U), CLID_OK);
    clid_claims c = default_claims();
    char buf[1024];
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_INVALID_ARGUMENT);
    clid_signer_free(s);
}

/* ------------------------------------------------------------------------ */
/* Certificate                                                               */
/* ------------------------------------------------------------------------ */

static void cert_key_mismatch_both_orders(void **state)
{
    (void)state;
    clid_claims c = default_claims();
    char buf[1024];

    /* Key first, then someone else's certificate. */
    clid_signer *s = new_signer(key_spc, NULL);
    assert_int_equal(clid_signer_set_cert_pem(s, leaf_range->pem, strlen(leaf_range->pem)),
                     CLID_ERR_KEY_MISMATCH);
    /* The refused certificate was not kept: no range pre-flight applies. */
    c.orig = "14155550100";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    clid_signer_free(s);

    /* Certificate first, then someone else's key. */
    s = new_signer(key_range, leaf_range);
    assert_int_equal(clid_signer_set_key_pem(s, key_spc, strlen(key_spc)),
                     CLID_ERR_KEY_MISMATCH);
    /* Both stay as they were: the range certificate still applies. */
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_TN_NOT_AUTHORIZED);
    c.orig = "12025550042";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    /* And the key still signs for that certificate. */
    jws_parts p = split_jws(buf);
    uint8_t sig[64];
    size_t sig_len = 0;
    assert_int_equal(clid__b64url_decode(p.s, p.s_len, sig, sizeof sig, &sig_len), CLID_OK);
    clid__es256_key *k = NULL;
    assert_int_equal(clid__es256_key_new(X509_get0_pubkey(leaf_range->x), 0, &k), CLID_OK);
    assert_int_equal(clid__es256_verify(k, (const uint8_t *)buf, p.h_len + 1 + p.c_len, sig,
                                        sig_len),
                     CLID_OK);
    clid__es256_key_free(k);
    clid_signer_free(s);
}

static void cert_loading(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, NULL);
    assert_int_equal(clid_signer_set_cert_pem(s, "nonsense", 8), CLID_ERR_CERT_PARSE);
    assert_int_equal(clid_signer_set_cert_pem(s, "", 0), CLID_ERR_CERT_PARSE);
    assert_int_equal(clid_signer_set_cert_pem(s, NULL, 0), CLID_ERR_INVALID_ARGUMENT);
    /* A chain (leaf first) from a file. */
    char *chain = tp_cat(leaf_spc->pem, inter->pem, NULL);
    char path[] = "/tmp/clid_test_sign_certXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, chain, strlen(chain)), (ssize_t)strlen(chain));
    close(fd);
    assert_int_equal(clid_signer_set_cert_file(s, path), CLID_OK);
    unlink(path);
    assert_int_equal(clid_signer_set_cert_file(s, path), CLID_ERR_IO);
    free(chain);
    /* A duplicated TNAuthList is never signed with. */
    tp_cert *dup = tp_issue(&(tp_spec){.cn = "dup", .tnauth = "spc:709J", .tnauth_twice = 1},
                            inter);
    char *dup_key = key_pem(dup->key, PKCS8);
    clid_signer *s2 = new_signer(dup_key, NULL);
    assert_int_equal(clid_signer_set_cert_pem(s2, dup->pem, strlen(dup->pem)),
                     CLID_ERR_EXT_DUPLICATE);
    clid_signer_free(s2);
    free(dup_key);
    tp_free(dup);
    clid_signer_free(s);
}

/* ------------------------------------------------------------------------ */
/* x5u                                                                       */
/* ------------------------------------------------------------------------ */

static void x5u_validation(void **state)
{
    (void)state;
    clid_signer *s = NULL;
    assert_int_equal(clid_signer_new(&s), CLID_OK);
    /* Anything that could end or fold the header it goes into. */
    assert_int_equal(clid_signer_set_x5u(s, "https://a.example/x.pem\r\nX-Evil: 1"),
                     CLID_ERR_HEADER_INJECTION);
    assert_int_equal(clid_signer_set_x5u(s, "https://a.example/\nx"), CLID_ERR_HEADER_INJECTION);
    assert_int_equal(clid_signer_set_x5u(s, "https://a.example/\rx"), CLID_ERR_HEADER_INJECTION);
    assert_int_equal(clid_signer_set_x5u(s, "https://a.example/\tx"), CLID_ERR_HEADER_INJECTION);
    assert_int_equal(clid_signer_set_x5u(s, "https://a.example/\x7fx"),
                     CLID_ERR_HEADER_INJECTION);
    /* Not an http(s) URL clid can put between '<' and '>'. */
    static const char *bad[] = {
        "ftp://a.example/x.pem", "file:///etc/passwd", "a.example/x.pem", "",
        "https://a.example/x y.pem", "https://a.example/<x>", "https://a.example/\"x",
        "https://a.example/\\x", "https://a.example/\xc3\xa9",
        "https://", "https:///x.pem", "http://",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(clid_signer_set_x5u(s, bad[i]), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_signer_set_x5u(s, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_signer_set_x5u(NULL, X5U), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_signer_set_x5u(s, "http://cert.example.org:8080/a/b.pem?v=1"), CLID_OK);
    assert_int_equal(clid_signer_set_x5u(s, X5U), CLID_OK);

    /* A signer without x5u cannot sign. */
    clid_signer *s2 = NULL;
    assert_int_equal(clid_signer_new(&s2), CLID_OK);
    assert_int_equal(clid_signer_set_key_pem(s2, key_spc, strlen(key_spc)), CLID_OK);
    clid_claims c = default_claims();
    char buf[1024];
    assert_int_equal(sign_into(s2, &c, buf, sizeof buf), CLID_ERR_INVALID_ARGUMENT);
    clid_signer_free(s2);
    clid_signer_free(s);
}

/* ------------------------------------------------------------------------ */
/* Claims                                                                    */
/* ------------------------------------------------------------------------ */

static void claims_validation(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, NULL);
    char buf[2048];
    clid_claims c = default_claims();

    c.orig = "12-AB";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_BAD_TN);
    c.orig = "1234567890123456"; /* 16 digits */
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_BAD_TN);
    c.orig = NULL;
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_INVALID_ARGUMENT);
    c = default_claims();
    static const char *const bad_dest[] = {DEST, "x"};
    c.dest = bad_dest;
    c.dest_count = 2;
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_BAD_TN);
    static const char *const null_dest[] = {DEST, NULL};
    c.dest = null_dest;
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_INVALID_ARGUMENT);

    c = default_claims();
    c.attest = 'Z';
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_PASSPORT_ATTEST);
    c.attest = 'a';
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_PASSPORT_ATTEST);
    c.attest = 0;
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_PASSPORT_ATTEST);

    c = default_claims();
    static const char *const bad_origid[] = {
        "not-a-uuid", "4b3e8f6a1c2d4e5f8a9b0c1d2e3f4a5b",
        "4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5", "4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5bb",
        "4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5g", "",
    };
    for (size_t i = 0; i < sizeof bad_origid / sizeof bad_origid[0]; i++) {
        c.origid = bad_origid[i];
        assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_PASSPORT_ORIGID);
    }

    /* 1..16 destinations (CLID_PASSPORT_MAX_DEST). */
    c = default_claims();
    const char *many[17];
    for (size_t i = 0; i < 17; i++)
        many[i] = DEST;
    c.dest = many;
    c.dest_count = 0;
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_INVALID_ARGUMENT);
    c.dest_count = 17;
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_INVALID_ARGUMENT);
    c.dest_count = 16;
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    c.dest = NULL;
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_INVALID_ARGUMENT);

    c = default_claims();
    c.div = "not a number";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_BAD_TN);

    size_t len = 0;
    c = default_claims();
    assert_int_equal(clid_sign_identity(s, NULL, buf, sizeof buf, &len),
                     CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_sign_identity(NULL, &c, buf, sizeof buf, &len),
                     CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_sign_identity(s, &c, buf, sizeof buf, NULL),
                     CLID_ERR_INVALID_ARGUMENT);
    clid_signer_free(s);
}

static void claims_canonicalized(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, NULL);
    static const char *const dests[] = {"tel:+1-303-555-0199;phone-context=x", "+44 20 7946 0000",
                                        "sip:+1(303)555-0100@example.com;user=phone"};
    clid_claims c = {.orig = "+1 (202) 555-0100", .dest = dests, .dest_count = 3, .attest = 'B',
                     .origid = ORIGID};
    char buf[2048];
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    jws_parts p = split_jws(buf);
    char claims[1024];
    decode_bytes(p.c, p.c_len, claims, sizeof claims);
    assert_string_equal(claims, "{\"attest\":\"B\",\"dest\":{\"tn\":[\"13035550199\","
                                "\"442079460000\",\"13035550100\"]},\"iat\":1767225600,"
                                "\"orig\":{\"tn\":\"12025550100\"},\"origid\":\"" ORIGID "\"}");
    clid_signer_free(s);
}

/* ------------------------------------------------------------------------ */
/* Pre-flight authority                                                      */
/* ------------------------------------------------------------------------ */

static void preflight_authority(void **state)
{
    (void)state;
    char buf[2048];
    clid_claims c = default_claims();

    /* A range and a TN entry. */
    clid_signer *s = new_signer(key_range, leaf_range);
    c.orig = "12025550000";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    c.orig = "12025550099";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    c.orig = "13105550000";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    c.orig = "12025550100"; /* one past the range */
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_TN_NOT_AUTHORIZED);
    c.orig = "1202555000"; /* a prefix is not covered */
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_TN_NOT_AUTHORIZED);
    size_t len = 0;
    assert_int_equal(clid_sign_passport(s, &c, 0, buf, sizeof buf, &len),
                     CLID_ERR_TN_NOT_AUTHORIZED);
    /* For div, the diverting number is the one vouched for (RFC 8946). */
    c.orig = "14155550100";
    c.div = "12025550042";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    c.orig = "12025550042";
    c.div = "14155550100";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_TN_NOT_AUTHORIZED);
    clid_signer_free(s);

    /* No TNAuthList at all. */
    char *key = key_pem(leaf_notn->key, SEC1);
    s = new_signer(key, leaf_notn);
    c = default_claims();
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_CERT_NO_TNAUTH);
    clid_signer_free(s);
    /* Without a certificate there is nothing to check against. */
    s = new_signer(key, NULL);
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    clid_signer_free(s);
    free(key);

    /* An SPC covers any TN (SHAKEN). */
    s = new_signer(key_spc, leaf_spc);
    c.orig = "442079460000";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    c.orig = "12025550100";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    clid_signer_free(s);
}

/* ------------------------------------------------------------------------ */
/* Output                                                                    */
/* ------------------------------------------------------------------------ */

static void origid_generated_v4(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, NULL);
    clid_claims c = default_claims();
    char seen[8][CLID_UUID_BUF];
    for (size_t n = 0; n < 8; n++) {
        char buf[2048];
        assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
        jws_parts p = split_jws(buf);
        json_t *claims = decode_part(p.c, p.c_len);
        const char *u = json_string_value(json_object_get(claims, "origid"));
        assert_non_null(u);
        assert_true(clid__is_uuid(u));
        /* RFC 4122 §4.4: version 4, variant 10xx; clid writes lower case. */
        assert_int_equal(u[14], '4');
        assert_non_null(strchr("89ab", u[19]));
        for (const char *q = u; *q; q++)
            assert_false(*q >= 'A' && *q <= 'F');
        for (size_t i = 0; i < n; i++)
            assert_string_not_equal(seen[i], u);
        memcpy(seen[n], u, CLID_UUID_BUF);
        json_decref(claims);
    }
    /* A given origid is used as is. */
    c.origid = "4B3E8F6A-1C2D-4E5F-8A9B-0C1D2E3F4A5B";
    char buf[2048];
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    jws_parts p = split_jws(buf);
    json_t *claims = decode_part(p.c, p.c_len);
    assert_string_equal(json_string_value(json_object_get(claims, "origid")), c.origid);
    json_decref(claims);
    clid_signer_free(s);
}

static void buffer_contract(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, NULL);
    clid_claims c = default_claims();
    c.origid = ORIGID;

    /* Size query: the capacity needed, the NUL included. */
    size_t need = 0;
    assert_int_equal(clid_sign_identity(s, &c, NULL, 0, &need), CLID_ERR_BUFFER_TOO_SMALL);
    char *buf = malloc(need);
    assert_non_null(buf);
    size_t len = 0;
    assert_int_equal(clid_sign_identity(s, &c, buf, need - 1, &len), CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, need);
    len = 0;
    assert_int_equal(clid_sign_identity(s, &c, buf, need, &len), CLID_OK);
    assert_int_equal(len, need - 1);
    assert_int_equal(strlen(buf), need - 1);
    free(buf);

    /* The same for the PASSporT alone, full and compact. */
    for (int compact = 0; compact <= 1; compact++) {
        need = 0;
        assert_int_equal(clid_sign_passport(s, &c, compact, NULL, 0, &need),
                         CLID_ERR_BUFFER_TOO_SMALL);
        buf = malloc(need);
        assert_non_null(buf);
        assert_int_equal(clid_sign_passport(s, &c, compact, buf, need - 1, &len),
                         CLID_ERR_BUFFER_TOO_SMALL);
        assert_int_equal(len, need);
        assert_int_equal(clid_sign_passport(s, &c, compact, buf, need, &len), CLID_OK);
        assert_int_equal(len, need - 1);
        assert_int_equal(strlen(buf), need - 1);
        if (compact)
            assert_int_equal(need, 2 + 86 + 1); /* "..", 64 bytes in base64url, NUL */
        free(buf);
    }
    assert_int_equal(clid_sign_passport(s, &c, 0, NULL, 0, NULL), CLID_ERR_INVALID_ARGUMENT);
    clid_signer_free(s);
}

static int64_t counting_clock(void *arg)
{
    int64_t *calls = arg;
    (*calls)++;
    return TP_T0 + 1000;
}

static int64_t zero_clock(void *arg)
{
    (void)arg;
    return 0;
}

static int64_t iat_of(const char *value)
{
    jws_parts p = split_jws(value);
    json_t *claims = decode_part(p.c, p.c_len);
    json_t *iat = json_object_get(claims, "iat");
    assert_true(json_is_integer(iat));
    int64_t v = (int64_t)json_integer_value(iat);
    json_decref(claims);
    return v;
}

static void clock_sets_iat(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, NULL);
    clid_claims c = default_claims();
    char buf[2048];
    int64_t calls = 0;
    assert_int_equal(clid_signer_set_clock(s, counting_clock, &calls), CLID_OK);
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    assert_int_equal(iat_of(buf), TP_T0 + 1000);
    assert_int_equal(calls, 1);
    /* An explicit iat wins, and the clock is not consulted. */
    c.iat = TP_T0 - 5;
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    assert_int_equal(iat_of(buf), TP_T0 - 5);
    assert_int_equal(calls, 1);
    /* A clock that says 0 gives no usable iat. */
    c.iat = 0;
    assert_int_equal(clid_signer_set_clock(s, zero_clock, NULL), CLID_OK);
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_INVALID_ARGUMENT);
    /* NULL restores the default clock, time(). */
    assert_int_equal(clid_signer_set_clock(s, NULL, NULL), CLID_OK);
    int64_t before = (int64_t)time(NULL);
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    int64_t iat = iat_of(buf);
    assert_true(iat >= before && iat <= (int64_t)time(NULL));
    assert_int_equal(clid_signer_set_clock(NULL, NULL, NULL), CLID_ERR_INVALID_ARGUMENT);
    clid_signer_free(s);
}

static void output_shape(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, leaf_spc);
    clid_claims c = default_claims();
    c.origid = ORIGID;
    char buf[2048];
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);

    /* <jws>;info=<URL>;alg=ES256;ppt=shaken */
    static const char tail[] = ";info=<" X5U ">;alg=ES256;ppt=shaken";
    size_t n = strlen(buf);
    assert_true(n > sizeof tail);
    assert_string_equal(buf + n - (sizeof tail - 1), tail);
    jws_parts p = split_jws(buf);
    assert_int_equal(p.h_len + 1 + p.c_len + 1 + p.s_len, n - (sizeof tail - 1));
    for (size_t i = 0; i < n - (sizeof tail - 1); i++)
        assert_non_null(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.",
                               buf[i]));

    /* Canonical JSON (RFC 8225 §9): sorted members, no whitespace. */
    char json[1024];
    decode_bytes(p.h, p.h_len, json, sizeof json);
    assert_string_equal(json, "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\","
                              "\"x5u\":\"" X5U "\"}");
    decode_bytes(p.c, p.c_len, json, sizeof json);
    assert_string_equal(json, "{\"attest\":\"A\",\"dest\":{\"tn\":[\"" DEST "\"]},"
                              "\"iat\":1767225600,\"orig\":{\"tn\":\"" ORIG "\"},"
                              "\"origid\":\"" ORIGID "\"}");
    /* Raw r||s (RFC 7518 §3.4), verifying over "header.claims". */
    uint8_t sig[80];
    size_t sig_len = 0;
    assert_int_equal(clid__b64url_decode(p.s, p.s_len, sig, sizeof sig, &sig_len), CLID_OK);
    assert_int_equal(sig_len, 64);
    clid__es256_key *k = NULL;
    assert_int_equal(clid__es256_key_new(X509_get0_pubkey(leaf_spc->x), 0, &k), CLID_OK);
    assert_int_equal(clid__es256_verify(k, (const uint8_t *)buf, p.h_len + 1 + p.c_len, sig, 64),
                     CLID_OK);

    /* The PASSporT alone is the same JWS without the parameters. */
    size_t len = 0;
    char pp[2048];
    assert_int_equal(clid_sign_passport(s, &c, 0, pp, sizeof pp, &len), CLID_OK);
    assert_int_equal(len, (size_t)(p.s + p.s_len - buf));
    assert_memory_equal(pp, buf, p.h_len + 1 + p.c_len);
    assert_null(strchr(pp, ';'));
    clid__es256_key_free(k);
    clid_signer_free(s);
}

static void compact_form(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, NULL);
    clid_claims c = default_claims();
    c.origid = ORIGID;
    char buf[256];
    size_t len = 0;
    assert_int_equal(clid_sign_passport(s, &c, 1, buf, sizeof buf, &len), CLID_OK);
    /* RFC 8225 §7: "..<signature>". */
    assert_int_equal(len, 2 + 86);
    assert_memory_equal(buf, "..", 2);
    assert_null(strchr(buf + 2, '.'));
    uint8_t sig[80];
    size_t sig_len = 0;
    assert_int_equal(clid__b64url_decode(buf + 2, len - 2, sig, sizeof sig, &sig_len), CLID_OK);
    assert_int_equal(sig_len, 64);
    /* The signature is over the full form's header and claims, which a
     * verifier rebuilds from the request. */
    const char *const dest[] = {DEST};
    clid__passport_in in = {.ppt = "shaken", .x5u = X5U, .iat = TP_T0, .orig = ORIG,
                            .dest = dest, .dest_count = 1, .attest = 'A', .origid = ORIGID};
    char *input = NULL;
    size_t input_len = 0;
    assert_int_equal(clid__passport_signing_input(&in, &input, &input_len), CLID_OK);
    clid__es256_key *k = NULL;
    assert_int_equal(clid__es256_key_new(X509_get0_pubkey(leaf_spc->x), 0, &k), CLID_OK);
    assert_int_equal(clid__es256_verify(k, (const uint8_t *)input, input_len, sig, 64), CLID_OK);
    clid__es256_key_free(k);
    free(input);
    clid_signer_free(s);
}

static void div_passport(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, leaf_spc);
    clid_claims c = default_claims();
    c.div = "+1 202 555 0123";
    c.attest = 'Z';   /* ignored: a div PASSporT carries no attest */
    c.origid = "bad"; /* nor origid */
    char buf[2048];
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    static const char tail[] = ";info=<" X5U ">;alg=ES256;ppt=div";
    size_t n = strlen(buf);
    assert_string_equal(buf + n - (sizeof tail - 1), tail);
    jws_parts p = split_jws(buf);
    char json[1024];
    decode_bytes(p.h, p.h_len, json, sizeof json);
    assert_string_equal(json, "{\"alg\":\"ES256\",\"ppt\":\"div\",\"typ\":\"passport\","
                              "\"x5u\":\"" X5U "\"}");
    decode_bytes(p.c, p.c_len, json, sizeof json);
    assert_string_equal(json, "{\"dest\":{\"tn\":[\"" DEST "\"]},\"div\":{\"tn\":\"12025550123\"},"
                              "\"iat\":1767225600,\"orig\":{\"tn\":\"" ORIG "\"}}");
    clid_signer_free(s);
}

/* ------------------------------------------------------------------------ */
/* What the signer produces verifies                                         */
/* ------------------------------------------------------------------------ */

static clid_verifier *verifier_for(clid_ctx **ctx_out, const tp_cert *leaf, int div)
{
    clid_ctx *ctx = NULL;
    assert_int_equal(clid_ctx_new(&ctx), CLID_OK);
    assert_int_equal(clid_ctx_add_trust_pem(ctx, root->pem, strlen(root->pem)), CLID_OK);
    char *chain = tp_cat(leaf->pem, inter->pem, NULL);
    assert_int_equal(clid_ctx_add_x5u_pem(ctx, X5U, chain, strlen(chain)), CLID_OK);
    free(chain);
    assert_int_equal(clid_ctx_set_clock(ctx, fixed_clock, &t0), CLID_OK);
    if (div)
        assert_int_equal(clid_ctx_accept_ppt(ctx, "div"), CLID_OK);
    clid_verifier *v = NULL;
    assert_int_equal(clid_verifier_new(ctx, &v), CLID_OK);
    *ctx_out = ctx;
    return v;
}

static void signed_header_verifies(void **state)
{
    (void)state;
    clid_ctx *ctx = NULL;
    clid_verifier *v = verifier_for(&ctx, leaf_range, 0);
    clid_signer *s = new_signer(key_range, leaf_range);
    static const char *const dests[] = {DEST, "13035550100"};
    clid_claims c = {.orig = "12025550042", .dest = dests, .dest_count = 2, .attest = 'C'};
    char buf[2048];
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    clid_result *r = NULL;
    assert_int_equal(clid_result_new(&r), CLID_OK);
    clid_verify_input in = {.identity = buf, .orig = "12025550042", .dest = "13035550100"};
    assert_int_equal(clid_verify_identity(v, &in, r), CLID_OK);
    assert_int_equal(clid_result_verstat(r), CLID_VERSTAT_PASSED);
    assert_int_equal(clid_result_sip_status(r), 0);
    assert_int_equal(clid_result_attest(r), 'C');
    assert_int_equal(clid_result_iat(r), TP_T0);
    clid_verifier_free(v);
    clid_ctx_free(ctx);

    /* A div PASSporT, where the verifier accepts div. */
    v = verifier_for(&ctx, leaf_range, 1);
    c.orig = "14155550100";
    c.div = "12025550042";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_OK);
    in.orig = "14155550100";
    assert_int_equal(clid_verify_identity(v, &in, r), CLID_OK);
    assert_string_equal(clid_result_ppt(r), "div");
    assert_string_equal(clid_result_div(r), "12025550042");
    clid_result_free(r);
    clid_verifier_free(v);
    clid_ctx_free(ctx);
    clid_signer_free(s);
}

/* ------------------------------------------------------------------------ */
/* One signer, four threads                                                  */
/* ------------------------------------------------------------------------ */

typedef struct sign_arg {
    const clid_signer *s;
    const clid__es256_key *pub;
    int failures;
} sign_arg;

static void *sign_loop(void *p)
{
    sign_arg *a = p;
    clid_claims c = default_claims();
    for (int i = 0; i < 50; i++) {
        char buf[2048];
        size_t len = 0;
        c.iat = TP_T0 + i;
        if (clid_sign_identity(a->s, &c, buf, sizeof buf, &len) != CLID_OK) {
            a->failures++;
            continue;
        }
        /* Each header carries its own claims and a signature over them. */
        const char *d1 = strchr(buf, '.');
        const char *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
        const char *semi = strchr(buf, ';');
        uint8_t sig[80];
        size_t sig_len = 0;
        if (d2 == NULL || semi == NULL ||
            clid__b64url_decode(d2 + 1, (size_t)(semi - d2 - 1), sig, sizeof sig, &sig_len) !=
                CLID_OK ||
            clid__es256_verify(a->pub, (const uint8_t *)buf, (size_t)(d2 - buf), sig, sig_len) !=
                CLID_OK) {
            a->failures++;
            continue;
        }
        char claims[1024];
        size_t n = 0;
        if (clid__b64url_decode(d1 + 1, (size_t)(d2 - d1 - 1), (uint8_t *)claims,
                                sizeof claims - 1, &n) != CLID_OK) {
            a->failures++;
            continue;
        }
        claims[n] = '\0';
        char iat[32];
        snprintf(iat, sizeof iat, "\"iat\":%lld,", (long long)c.iat);
        if (strstr(claims, iat) == NULL)
            a->failures++;
    }
    return NULL;
}

static void four_threads_one_signer(void **state)
{
    (void)state;
    clid_signer *s = new_signer(key_spc, leaf_spc);
    clid__es256_key *pub = NULL;
    assert_int_equal(clid__es256_key_new(X509_get0_pubkey(leaf_spc->x), 0, &pub), CLID_OK);
    pthread_t th[4];
    sign_arg args[4];
    for (int t = 0; t < 4; t++) {
        args[t] = (sign_arg){.s = s, .pub = pub};
        assert_int_equal(pthread_create(&th[t], NULL, sign_loop, &args[t]), 0);
    }
    for (int t = 0; t < 4; t++) {
        assert_int_equal(pthread_join(th[t], NULL), 0);
        assert_int_equal(args[t].failures, 0);
    }
    clid__es256_key_free(pub);
    clid_signer_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(key_pkcs8_and_sec1),
        cmocka_unit_test(key_encrypted_refused),
        cmocka_unit_test(key_wrong_type),
        cmocka_unit_test(key_garbage),
        cmocka_unit_test(cert_key_mismatch_both_orders),
        cmocka_unit_test(cert_loading),
        cmocka_unit_test(x5u_validation),
        cmocka_unit_test(claims_validation),
        cmocka_unit_test(claims_canonicalized),
        cmocka_unit_test(preflight_authority),
        cmocka_unit_test(origid_generated_v4),
        cmocka_unit_test(buffer_contract),
        cmocka_unit_test(clock_sets_iat),
        cmocka_unit_test(output_shape),
        cmocka_unit_test(compact_form),
        cmocka_unit_test(div_passport),
        cmocka_unit_test(signed_header_verifies),
        cmocka_unit_test(four_threads_one_signer),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
