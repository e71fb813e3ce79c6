/*
 * The fixture shared by the SIP adapter tests (test_sip*.c): a test PKI
 * (root, STI-CA, SP leaf), a context trusting the root with the SP chain
 * mapped at URL, a verifier over it and a signer for URL, all on a fixed
 * clock (TP_T0); the golden requests of lib/tests/sip/golden/ (CLID_SIP_GOLDEN_DIR)
 * read into exact-size buffers, and the means to sign, mark, verify and
 * edit them.
 */
#ifndef CLID_TEST_SIP_FIXTURE_H
#define CLID_TEST_SIP_FIXTURE_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>
#include <clid/clid_sip.h>

#include "support/clid_test.h" /* assert_err */
#include "support/testpki.h"

#define URL "https://cert.example.org/sp.pem"
#define ORIGID "4b3e8f6a-1c2d-4e5f-8a9b-0c1d2e3f4a5b"
#define ORIG "12025550100"
#define DEST "12025550199"

extern tp_cert *root, *inter, *sp;
extern char *chain_sp;
extern int64_t t0; /* TP_T0 */
extern clid_ctx *ctx;
extern clid_verifier *ver;
extern clid_signer *signer;
/* attest A, origid ORIGID */
extern const clid_sip_sign_opts sign_opts;

/* cmocka group setup and teardown: the PKI, ctx, ver and signer above. */
int group_setup(void **state);
int group_teardown(void **state);

/* An exact-size heap copy (no NUL after it: ASan sees any over-read). */
char *dup_exact(const char *s, size_t n);
/* lib/tests/sip/golden/<name><suffix> in an exact-size buffer; NULL if it does not
 * exist. */
char *read_golden(const char *name, const char *suffix, size_t *len);
/* Signs msg; returns the malloc'd output (NUL-terminated) or NULL with *rc. */
char *sign_msg(const char *msg, size_t len, const clid_sip_sign_opts *o, size_t *out_len,
               clid_err *rc);
/* sign_msg with sign_opts, asserting CLID_OK. */
char *sign_ok(const char *msg, size_t len, size_t *out_len);
/* clid_sip_add_verstat into a malloc'd buffer of the size it asks for. */
char *verstat_msg(const char *msg, size_t len, clid_verstat v, size_t *out_len, clid_err *rc);
/* clid_sip_verify with ver at t0 on an exact-size copy of msg; res may be
 * NULL. */
clid_err verify_msg(const char *msg, size_t len, clid_result *res);
/* "Name: value" + line ending inserted before the line that starts with
 * `before` (NULL: before the empty line). malloc'd, NUL-terminated. */
char *insert_line(const char *msg, size_t len, const char *before, const char *line,
                  const char *eol, size_t *out_len);

#endif /* CLID_TEST_SIP_FIXTURE_H */
