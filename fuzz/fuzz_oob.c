/*
 * libFuzzer target: the CPS side of out-of-band SHAKEN (clid_oob.h), what a
 * CPS receives from anyone: the bearer token and the publish body.
 * Input: "<token>\n<body>" (no newline: all token, no body).
 * Beyond "no crash, no leak, no UB" it checks what the API promises:
 *   - a token clid__oob_token_parse accepts has its x5u, ids of 1..128
 *     printable characters and canonical TNs;
 *   - a body clid_oob_passports_parse accepts holds 1..CLID_OOB_MAX_PASSPORTS
 *     bounded strings, builds back into a body that parses to the same
 *     strings, and has a digest;
 *   - clid_oob_check_request (verifier on the in-memory PKI of testpki.c,
 *     fixed clock) never passes the token as given: the PKI's keys are made
 *     per run, so no input carries a valid signature; its status is one of
 *     the documented HTTP statuses;
 *   - the same header and claims re-signed with the SP's key (as fuzz_sip
 *     re-signs) reach the authority, body, digest and PASSporT checks; when
 *     that passes, the grant agrees with the request (numbers, lifetime,
 *     PASSporTs for a publish).
 * Corpus: fuzz/corpus/oob/ (fuzz/make_oob_seeds.py: publish and retrieve
 * tokens with their bodies).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include <clid/clid_oob.h>

#include "fuzz_common.h"
#include "core/b64url.h"
#include "core/es256.h"
#include "core/internal.h"
#include "oob/oob_internal.h"
#include "fuzz_pki.h"

#define URL "https://cert.example.org/sp1234.pem"
#define AUD "cps.example.net"
#define ORIG "12025550100"
#define DEST "13035550199"

static int64_t t0 = TP_T0;
static clid_verifier *ver;
static clid__es256_key *key;

static void setup(void)
{
    tp_cert *sp = NULL;
    ver = fuzz_pki_verifier("SHAKEN 1234", "spc:1234", URL, &t0, &sp);
    FUZZ_CHECK(clid__es256_key_new(sp->key, 1, &key) == CLID_OK);
    tp_free(sp);
}

static void check_token(const char *tok, size_t len)
{
    clid__oob_token t;
    clid_err rc = clid__oob_token_parse(tok, len, &t, NULL);
    FUZZ_CHECK(rc == CLID_OK || rc == CLID_ERR_OOB_TOKEN_PARSE || rc == CLID_ERR_NOMEM);
    if (rc == CLID_OK) {
        FUZZ_CHECK(t.x5u != NULL && t.signing_input != NULL && t.sig_len == 64);
        FUZZ_CHECK(clid__oob_id_ok(t.iss, strlen(t.iss)) && clid__oob_id_ok(t.jti, strlen(t.jti)));
        FUZZ_CHECK(clid__is_tn(t.orig, strlen(t.orig)) && clid__is_tn(t.dest, strlen(t.dest)));
        FUZZ_CHECK(t.action >= CLID_OOB_PUBLISH && t.action <= CLID_OOB_REPUBLISH);
    }
    clid__oob_token_clear(&t);
}

static void check_body(const char *body, size_t len)
{
    clid_oob_passports *p = NULL;
    clid_err rc = clid_oob_passports_parse(body, len, &p);
    FUZZ_CHECK((rc == CLID_OK) == (p != NULL));
    if (rc != CLID_OK) {
        FUZZ_CHECK(rc == CLID_ERR_OOB_BODY_PARSE || rc == CLID_ERR_OOB_TOO_MANY_PASSPORTS ||
                   rc == CLID_ERR_NOMEM);
        return;
    }
    size_t n = clid_oob_passports_count(p);
    FUZZ_CHECK(n >= 1 && n <= CLID_OOB_MAX_PASSPORTS);
    const char *v[CLID_OOB_MAX_PASSPORTS];
    for (size_t i = 0; i < n; i++) {
        v[i] = clid_oob_passports_get(p, i);
        FUZZ_CHECK(v[i] != NULL && strlen(v[i]) <= CLID_OOB_MAX_PASSPORT_LEN);
    }
    char d[CLID_OOB_DIGEST_BUF];
    FUZZ_CHECK(clid_oob_passports_digest(v, n, d) == CLID_OK && strlen(d) == 51);
    size_t cap = CLID_OOB_MAX_BODY + 1, blen = 0;
    char *built = malloc(cap);
    FUZZ_CHECK(built != NULL);
    /* A parsed body's PASSporTs are at most 8 x 4096 characters, which
     * with the JSON around them fits in CLID_OOB_MAX_BODY. */
    FUZZ_CHECK(clid_oob_body_build(v, n, built, cap, &blen) == CLID_OK);
    clid_oob_passports *again = NULL;
    FUZZ_CHECK(clid_oob_passports_parse(built, blen, &again) == CLID_OK);
    FUZZ_CHECK(clid_oob_passports_count(again) == n);
    for (size_t i = 0; i < n; i++)
        FUZZ_CHECK(strcmp(clid_oob_passports_get(again, i), v[i]) == 0);
    for (size_t i = 0; i < n; i++) {
        char id[CLID_OOB_MAX_PASSPORT_LEN + 2200];
        size_t il = 0;
        /* In band, the PASSporT is the header value's first element. */
        if (clid_oob_passport_identity(v[i], id, sizeof id, &il) == CLID_OK)
            FUZZ_CHECK(il == strlen(id) && strncmp(id, v[i], strlen(v[i])) == 0 &&
                       id[strlen(v[i])] == ';');
    }
    clid_oob_passports_free(again);
    clid_oob_passports_free(p);
    free(built);
}

static int documented_status(int s)
{
    return s == 400 || s == 401 || s == 403 || s == 413 || s == 500;
}

/* Checks "Bearer <tok>" as a publish and as a retrieve; returns how many
 * passed. */
static int check_requests(const char *tok, size_t tlen, const char *body, size_t blen)
{
    char *auth = malloc(tlen + 8);
    FUZZ_CHECK(auth != NULL);
    memcpy(auth, "Bearer ", 7);
    memcpy(auth + 7, tok, tlen);
    auth[7 + tlen] = '\0';
    clid_oob_grant *g = NULL;
    FUZZ_CHECK(clid_oob_grant_new(&g) == CLID_OK);
    clid_oob_check_opts o = {.aud = AUD};
    int passed = 0;
    for (int a = CLID_OOB_PUBLISH; a <= CLID_OOB_RETRIEVE; a++) {
        clid_oob_request rq = {.action = (clid_oob_action)a, .dest = DEST, .orig = ORIG,
                               .authorization = auth, .now = t0,
                               .body = a == CLID_OOB_PUBLISH ? body : NULL,
                               .body_len = a == CLID_OOB_PUBLISH ? blen : 0};
        clid_err rc = clid_oob_check_request(ver, &o, &rq, g);
        FUZZ_CHECK(rc != CLID_ERR_INTERNAL && rc != CLID_ERR_INVALID_ARGUMENT);
        if (rc != CLID_OK) {
            FUZZ_CHECK(documented_status(clid_oob_http_status(rc)));
            continue;
        }
        passed++;
        FUZZ_CHECK(strcmp(clid_oob_grant_orig(g), ORIG) == 0);
        FUZZ_CHECK(strcmp(clid_oob_grant_dest(g), DEST) == 0);
        FUZZ_CHECK(strcmp(clid_oob_grant_iss(g), "1234") == 0);
        int64_t life = clid_oob_grant_exp(g) - clid_oob_grant_iat(g);
        FUZZ_CHECK(life >= 1 && life <= CLID_OOB_MAX_TOKEN_LIFETIME && clid_oob_grant_exp(g) > t0);
        const clid_oob_passports *p = clid_oob_grant_passports(g);
        if (a == CLID_OOB_PUBLISH)
            FUZZ_CHECK(clid_oob_passports_count(p) >= 1);
        else
            FUZZ_CHECK(p == NULL && clid_oob_grant_action(g) == CLID_OOB_RETRIEVE);
    }
    clid_oob_grant_free(g);
    free(auth);
    return passed;
}

/* "<h>.<c>" of the token re-signed with the SP's key; NULL when the token
 * has no two first parts. */
static char *resign(const char *tok, size_t len, size_t *out_len)
{
    const char *d1 = memchr(tok, '.', len);
    const char *d2 = d1 != NULL ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok)) : NULL;
    if (d2 == NULL)
        return NULL;
    size_t in_len = (size_t)(d2 - tok);
    uint8_t sig[CLID_ES256_SIG_LEN];
    FUZZ_CHECK(clid__es256_sign(key, (const uint8_t *)tok, in_len, sig) == CLID_OK);
    char *out = malloc(in_len + 1 + clid__b64url_encoded_len(sizeof sig) + 1);
    FUZZ_CHECK(out != NULL);
    memcpy(out, tok, in_len);
    out[in_len] = '.';
    size_t n = clid__b64url_encode(sig, sizeof sig, out + in_len + 1);
    *out_len = in_len + 1 + n;
    out[*out_len] = '\0';
    return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (ver == NULL)
        setup();
    const char *in = (const char *)data;
    const char *nl = memchr(in, '\n', size);
    size_t tlen = nl != NULL ? (size_t)(nl - in) : size;
    const char *body = nl != NULL ? nl + 1 : in + size;
    size_t blen = size - tlen - (nl != NULL ? 1 : 0);
    /* The token travels in a header: no NUL inside. */
    if (memchr(in, '\0', tlen) != NULL)
        return 0;

    check_token(in, tlen);
    check_body(body, blen);
    FUZZ_CHECK(check_requests(in, tlen, body, blen) == 0);
    size_t rlen = 0;
    char *re = resign(in, tlen, &rlen);
    if (re != NULL && rlen <= CLID_OOB_MAX_TOKEN)
        (void)check_requests(re, rlen, body, blen);
    free(re);
    return 0;
}
