/*
 * Unit tests of the signer (sign.c) through the public API, what it is
 * given: key and certificate loading, x5u and claims validation and the
 * pre-flight authority check. What it produces (the buffer contract, the
 * clock, the output forms, that it verifies, four threads) is in
 * test_sign_output.c; the fixture they share is sign_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "core/b64url.h"
#include "core/es256.h"
#include "sign_fixture.h"

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
    /* a local number under a global prefix is globalized (RFC 3966 §5.1.5) */
    static const char *const dests[] = {"tel:555-0199;phone-context=+1-303", "+44 20 7946 0000",
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
    /* one that has no global name is never signed (as its bare digits or
     * otherwise) */
    static const char *const local[] = {"tel:555-0199;phone-context=example.com"};
    c.dest = local;
    c.dest_count = 1;
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_TN_PHONE_CONTEXT);
    c.dest = dests;
    c.orig = "+12025550100;phone-context=+1";
    assert_int_equal(sign_into(s, &c, buf, sizeof buf), CLID_ERR_TN_PHONE_CONTEXT);
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
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
