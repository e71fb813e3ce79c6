/*
 * The signer: claims in, PASSporT (RFC 8225) and Identity header value
 * (RFC 8224 §4.1) out. A signer is configured once (key, optional
 * certificate, x5u, clock) and then shared read-only by threads; the ES256
 * key object keeps its own pool of OpenSSL contexts (es256.c).
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

#include "core/b64url.h"
#include "core/es256.h"
#include "passport/identity.h"
#include "core/internal.h"
#include "passport/passport.h"
#include "passport/signer_internal.h"
#include "x509/x509_load.h"

struct clid_signer {
    clid__es256_key *key;
    X509 *cert;          /* optional leaf: key match and TN authority pre-flight */
    clid_tnauth *tnauth; /* the leaf's TNAuthList, NULL when absent */
    clid_err tnauth_err; /* why tnauth is NULL */
    char *x5u;
    /* The encoded JOSE headers for x5u (clid__passport_header_b64), made
     * once here rather than for every PASSporT: they never change. */
    char *hdr_shaken;
    size_t hdr_shaken_len;
    char *hdr_div;
    size_t hdr_div_len;
    char *hdr_rcd;
    size_t hdr_rcd_len;
    clid_clock_fn clock;
    void *clock_arg;
};

/* PEM inputs larger than this are not keys or certificates anyone uses. */
#define SIGNER_PEM_MAX (64 * 1024)

static int64_t default_clock(void *arg)
{
    (void)arg;
    return (int64_t)time(NULL);
}

/* OpenSSL would prompt on the terminal for an encrypted key; a library must
 * never do that. Refuse instead. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf, (void)size, (void)rwflag, (void)u;
    return -1;
}

clid_err clid_signer_new(clid_signer **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    clid_signer *s = calloc(1, sizeof *s);
    CLID_ENSURE(s != NULL, CLID_ERR_NOMEM);
    s->clock = default_clock;
    s->tnauth_err = CLID_ERR_EXT_ABSENT;
    *out = s;
    return CLID_OK;
}

void clid_signer_free(clid_signer *s)
{
    if (s == NULL)
        return;
    clid__es256_key_free(s->key);
    X509_free(s->cert);
    clid_tnauth_free(s->tnauth);
    free(s->x5u);
    free(s->hdr_shaken);
    free(s->hdr_div);
    free(s->hdr_rcd);
    free(s);
}

static clid_err check_key_matches_cert(const clid_signer *s)
{
    if (s->key == NULL || s->cert == NULL)
        return CLID_OK;
    return X509_check_private_key(s->cert, clid__es256_key_pkey(s->key)) == 1
               ? CLID_OK
               : CLID_ERR_KEY_MISMATCH;
}

clid_err clid_signer_set_key_pem(clid_signer *s, const char *pem, size_t len)
{
    CLID_ENSURE(s != NULL && pem != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(len > 0 && len <= SIGNER_PEM_MAX, CLID_ERR_KEY_PARSE);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    CLID_ENSURE(bio != NULL, CLID_ERR_NOMEM);
    EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL);
    BIO_free(bio);
    CLID_ENSURE(pkey != NULL, CLID_ERR_KEY_PARSE);
    clid__es256_key *k = NULL;
    clid_err rc = clid__es256_key_new(pkey, 1, &k);
    EVP_PKEY_free(pkey);
    CLID_TRY(rc);
    clid__es256_key *old = s->key;
    s->key = k;
    rc = check_key_matches_cert(s);
    if (rc != CLID_OK) {
        s->key = old;
        clid__es256_key_free(k);
        return rc;
    }
    clid__es256_key_free(old);
    return CLID_OK;
}

clid_err clid_signer_set_key_file(clid_signer *s, const char *path)
{
    CLID_ENSURE(s != NULL && path != NULL, CLID_ERR_INVALID_ARGUMENT);
    char *buf = NULL;
    size_t len = 0;
    CLID_TRY(clid__read_file(path, SIGNER_PEM_MAX, CLID_ERR_IO, &buf, &len));
    clid_err rc = clid_signer_set_key_pem(s, buf, len);
    OPENSSL_cleanse(buf, len); /* key material */
    free(buf);
    return rc;
}

clid_err clid_signer_set_cert_pem(clid_signer *s, const char *pem, size_t len)
{
    CLID_ENSURE(s != NULL && pem != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(len > 0 && len <= SIGNER_PEM_MAX, CLID_ERR_CERT_PARSE);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    CLID_ENSURE(bio != NULL, CLID_ERR_NOMEM);
    /* The first certificate is the leaf, as in the chain served at x5u. */
    X509 *leaf = PEM_read_bio_X509(bio, NULL, no_password, NULL);
    BIO_free(bio);
    CLID_ENSURE(leaf != NULL, CLID_ERR_CERT_PARSE);

    clid_tnauth *tn = NULL;
    clid_err tn_err = clid_x509_get_tnauth(leaf, &tn, NULL);
    if (tn_err != CLID_OK && tn_err != CLID_ERR_EXT_ABSENT) {
        X509_free(leaf);
        return tn_err; /* a malformed or duplicated TNAuthList is never signed with */
    }
    X509 *old_cert = s->cert;
    s->cert = leaf;
    clid_err rc = check_key_matches_cert(s);
    if (rc != CLID_OK) {
        s->cert = old_cert;
        X509_free(leaf);
        clid_tnauth_free(tn);
        return rc;
    }
    X509_free(old_cert);
    clid_tnauth_free(s->tnauth);
    s->tnauth = tn;
    s->tnauth_err = tn_err;
    return CLID_OK;
}

clid_err clid_signer_set_cert_file(clid_signer *s, const char *path)
{
    CLID_ENSURE(s != NULL && path != NULL, CLID_ERR_INVALID_ARGUMENT);
    char *buf = NULL;
    size_t len = 0;
    CLID_TRY(clid__read_file(path, SIGNER_PEM_MAX, CLID_ERR_IO, &buf, &len));
    clid_err rc = clid_signer_set_cert_pem(s, buf, len);
    free(buf);
    return rc;
}

/* The URL goes between '<' and '>' in a SIP header and into JSON: only
 * printable ASCII without spaces, quotes, backslashes or angle brackets. */
static int valid_x5u(const char *url)
{
    size_t len = strlen(url);
    if (len == 0 || len > 2048)
        return 0;
    size_t scheme = 0;
    if (strncmp(url, "https://", 8) == 0)
        scheme = 8;
    else if (strncmp(url, "http://", 7) == 0)
        scheme = 7;
    /* A URL without a host ("https://", "https:///x") names no server. */
    if (scheme == 0 || url[scheme] == '\0' || strchr("/?#", url[scheme]) != NULL)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)url[i];
        if (c <= 0x20 || c >= 0x7f || c == '<' || c == '>' || c == '"' || c == '\\')
            return 0;
    }
    return 1;
}

clid_err clid_signer_set_x5u(clid_signer *s, const char *url)
{
    CLID_ENSURE(s != NULL && url != NULL, CLID_ERR_INVALID_ARGUMENT);
    for (const char *p = url; *p; p++)
        CLID_ENSURE((unsigned char)*p >= 0x20 && *p != 0x7f, CLID_ERR_HEADER_INJECTION);
    CLID_ENSURE(valid_x5u(url), CLID_ERR_INVALID_ARGUMENT);
    char *copy = clid__strndup(url, strlen(url));
    CLID_ENSURE(copy != NULL, CLID_ERR_NOMEM);
    char *hs = NULL, *hd = NULL, *hr = NULL;
    size_t hs_len = 0, hd_len = 0, hr_len = 0;
    clid_err rc = clid__passport_header_b64("shaken", copy, &hs, &hs_len);
    if (rc == CLID_OK)
        rc = clid__passport_header_b64("div", copy, &hd, &hd_len);
    if (rc == CLID_OK)
        rc = clid__passport_header_b64("rcd", copy, &hr, &hr_len);
    if (rc != CLID_OK) {
        free(copy);
        free(hs);
        free(hd);
        return rc;
    }
    free(s->x5u);
    free(s->hdr_shaken);
    free(s->hdr_div);
    free(s->hdr_rcd);
    s->hdr_rcd = hr;
    s->hdr_rcd_len = hr_len;
    s->x5u = copy;
    s->hdr_shaken = hs;
    s->hdr_shaken_len = hs_len;
    s->hdr_div = hd;
    s->hdr_div_len = hd_len;
    return CLID_OK;
}

int64_t clid__signer_now(const clid_signer *s)
{
    return s->clock(s->clock_arg);
}

clid_err clid_signer_set_clock(clid_signer *s, clid_clock_fn fn, void *arg)
{
    CLID_ENSURE(s != NULL, CLID_ERR_INVALID_ARGUMENT);
    s->clock = fn ? fn : default_clock;
    s->clock_arg = fn ? arg : NULL;
    return CLID_OK;
}

/* A random (version 4) UUID, RFC 4122 §4.4. */
clid_err clid__random_uuid(char out[CLID_UUID_BUF])
{
    uint8_t b[16];
    CLID_ENSURE(RAND_bytes(b, sizeof b) == 1, CLID_ERR_INTERNAL);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    static const char hex[] = "0123456789abcdef";
    size_t o = 0;
    for (size_t i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            out[o++] = '-';
        out[o++] = hex[b[i] >> 4];
        out[o++] = hex[b[i] & 0x0f];
    }
    out[o] = '\0';
    return CLID_OK;
}

/* Validated, canonical claims ready for passport.c. */
struct prepared {
    char orig[CLID_TN_BUF];
    char dest[CLID_PASSPORT_MAX_DEST][CLID_TN_BUF];
    const char *dest_ptr[CLID_PASSPORT_MAX_DEST];
    char origid[CLID_UUID_BUF];
    char div[CLID_TN_BUF];
    clid__passport_in in;
};

static clid_err prepare(const clid_signer *s, const clid_claims *c, struct prepared *p)
{
    CLID_ENSURE(s->key != NULL && s->x5u != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(c->orig != NULL && c->dest != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(c->dest_count >= 1 && c->dest_count <= CLID_PASSPORT_MAX_DEST,
                CLID_ERR_INVALID_ARGUMENT);
    memset(p, 0, sizeof *p);
    CLID_TRY(clid_tn_canonicalize(c->orig, p->orig));
    for (size_t i = 0; i < c->dest_count; i++) {
        CLID_ENSURE(c->dest[i] != NULL, CLID_ERR_INVALID_ARGUMENT);
        CLID_TRY(clid_tn_canonicalize(c->dest[i], p->dest[i]));
        p->dest_ptr[i] = p->dest[i];
    }
    p->in.x5u = s->x5u;
    p->in.orig = p->orig;
    p->in.dest = p->dest_ptr;
    p->in.dest_count = c->dest_count;
    p->in.iat = c->iat ? c->iat : s->clock(s->clock_arg);
    CLID_ENSURE(p->in.iat > 0, CLID_ERR_INVALID_ARGUMENT);

    const char *authority_tn = p->orig;
    /* RFC 9795: the rcd claims (validated when the claims are built);
     * ppt "rcd" needs them and is neither shaken nor div. */
    p->in.rcd = c->rcd;
    CLID_ENSURE(!c->ppt_rcd || (c->rcd != NULL && c->div == NULL), CLID_ERR_INVALID_ARGUMENT);
    /* RFC 8946 §5: opt rides in a div-o PASSporT only */
    CLID_ENSURE(c->opt == NULL || c->div != NULL, CLID_ERR_INVALID_ARGUMENT);
    if (c->ppt_rcd) {
        p->in.ppt = "rcd";
        p->in.header_b64 = s->hdr_rcd;
        p->in.header_b64_len = s->hdr_rcd_len;
    } else if (c->div != NULL) {
        /* RFC 8946 §3: a div PASSporT names the diverting number; it is the
         * number the signer must be authoritative for. */
        CLID_TRY(clid_tn_canonicalize(c->div, p->div));
        p->in.ppt = "div";
        p->in.div = p->div;
        p->in.header_b64 = s->hdr_div;
        p->in.header_b64_len = s->hdr_div_len;
        authority_tn = p->div;
        if (c->opt != NULL) {
            /* div-o (RFC 8946 §5) carries the original; rare enough that
             * its header is built per PASSporT (passport.c checks opt's
             * form) */
            p->in.ppt = "div-o";
            p->in.opt = c->opt;
            p->in.header_b64 = NULL;
            p->in.header_b64_len = 0;
        }
    } else {
        CLID_ENSURE(c->attest == 'A' || c->attest == 'B' || c->attest == 'C',
                    CLID_ERR_PASSPORT_ATTEST);
        if (c->origid != NULL) {
            CLID_ENSURE(clid__is_uuid(c->origid), CLID_ERR_PASSPORT_ORIGID);
            memcpy(p->origid, c->origid, CLID_UUID_BUF - 1);
            p->origid[CLID_UUID_BUF - 1] = '\0';
        } else {
            CLID_TRY(clid__random_uuid(p->origid));
        }
        p->in.ppt = "shaken";
        p->in.header_b64 = s->hdr_shaken;
        p->in.header_b64_len = s->hdr_shaken_len;
        p->in.attest = c->attest;
        p->in.origid = p->origid;
    }

    if (s->cert != NULL) {
        /* Pre-flight: refuse to sign what every verifier would refuse. The
         * SHAKEN reading applies: an SPC entry authorizes any TN. */
        CLID_ENSURE(s->tnauth != NULL, CLID_ERR_CERT_NO_TNAUTH);
        CLID_ENSURE(clid_tnauth_covers_tn(s->tnauth, authority_tn, 1), CLID_ERR_TN_NOT_AUTHORIZED);
    }
    return CLID_OK;
}

/* Signs `input` and appends ".<b64url signature>" into out (or "..sig"
 * when compact). */
static clid_err sign_jws(const clid_signer *s, const char *input, size_t input_len, int compact,
                         char *out, size_t cap, size_t *out_len)
{
    uint8_t sig[CLID_ES256_SIG_LEN];
    CLID_TRY(clid__es256_sign(s->key, (const uint8_t *)input, input_len, sig));
    size_t sig_chars = clid__b64url_encoded_len(sizeof sig);
    size_t need = (compact ? 2 : input_len + 1) + sig_chars;
    *out_len = need + 1;
    CLID_ENSURE(out != NULL && cap > need, CLID_ERR_BUFFER_TOO_SMALL);
    size_t o = 0;
    if (compact) {
        out[o++] = '.';
    } else {
        memcpy(out, input, input_len);
        o = input_len;
    }
    out[o++] = '.';
    o += clid__b64url_encode(sig, sizeof sig, out + o);
    out[o] = '\0';
    *out_len = o;
    return CLID_OK;
}

clid_err clid_sign_passport(const clid_signer *s, const clid_claims *c, int compact, char *out,
                            size_t cap, size_t *out_len)
{
    CLID_ENSURE(s != NULL && c != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    struct prepared p;
    CLID_TRY(prepare(s, c, &p));
    char *input = NULL;
    size_t input_len = 0;
    CLID_TRY(clid__passport_signing_input(&p.in, &input, &input_len));
    clid_err rc = sign_jws(s, input, input_len, compact, out, cap, out_len);
    free(input);
    return rc;
}

clid_err clid_sign_identity(const clid_signer *s, const clid_claims *c, char *out, size_t cap,
                            size_t *out_len)
{
    CLID_ENSURE(s != NULL && c != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    struct prepared p;
    CLID_TRY(prepare(s, c, &p));
    char *input = NULL;
    size_t input_len = 0;
    CLID_TRY(clid__passport_signing_input(&p.in, &input, &input_len));

    /* The JWS is assembled on the stack when it fits (it always does for
     * PASSporTs within CLID_IDENTITY_MAX_LEN) to spare an allocation. */
    char jws[CLID_IDENTITY_MAX_LEN];
    size_t jws_len = 0;
    clid_err rc = sign_jws(s, input, input_len, 0, jws, sizeof jws, &jws_len);
    free(input);
    if (rc == CLID_ERR_BUFFER_TOO_SMALL)
        rc = CLID_ERR_IDENTITY_TOO_LARGE;
    CLID_TRY(rc);
    return clid__identity_format(jws, jws_len, s->x5u, p.in.ppt, out, cap, out_len);
}

/* ------------------------------------------------------------------------ */
/* For the CPS bearer token (passport/signer_internal.h)                      */
/* ------------------------------------------------------------------------ */

const char *clid__signer_x5u(const clid_signer *s)
{
    return s->x5u;
}

const clid_tnauth *clid__signer_tnauth(const clid_signer *s)
{
    return s->tnauth;
}

int clid__signer_has_key(const clid_signer *s)
{
    return s->key != NULL;
}

clid_err clid__signer_jws(const clid_signer *s, const char *input, size_t input_len, char *out,
                          size_t cap, size_t *out_len)
{
    CLID_ENSURE(s->key != NULL, CLID_ERR_INVALID_ARGUMENT);
    return sign_jws(s, input, input_len, 0, out, cap, out_len);
}
