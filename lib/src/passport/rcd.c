/*
 * Rich Call Data claims (RFC 9795): building, parsing, jCards, JSON
 * pointers and rcdi digests. See rcd.h for the decisions taken.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "core/internal.h"
#include "passport/rcd.h"

void clid__rcd_clear(clid__rcd *r)
{
    if (r == NULL)
        return;
    free(r->nam);
    free(r->apn);
    free(r->jcd);
    free(r->jcl);
    free(r->icn);
    free(r->crn);
    for (size_t i = 0; i < r->n_rcdi; i++) {
        free(r->rcdi[i].pointer);
        free(r->rcdi[i].value);
    }
    memset(r, 0, sizeof *r);
}

/* ------------------------------------------------------------------------ */
/* Value checks shared by signer and parser                                  */
/* ------------------------------------------------------------------------ */

/* nam, crn: clean UTF-8 (no control characters), 1..CLID__RCD_STR_MAX. */
static int text_ok(const char *s, size_t len)
{
    return s != NULL && len >= 1 && len <= CLID__RCD_STR_MAX && clid__is_clean_utf8(s, len);
}

/* icn, jcl: an http(s) URL of printable ASCII without the characters that
 * would break the SIP Call-Info header it is presented in (RFC 9796: the
 * URI goes between '<' and '>'). */
static int url_ok(const char *s, size_t len)
{
    if (s == NULL || len == 0 || len > CLID__RCD_URL_MAX || !clid__is_printable_ascii(s, len))
        return 0;
    size_t scheme = 0;
    if (len > 8 && strncmp(s, "https://", 8) == 0)
        scheme = 8;
    else if (len > 7 && strncmp(s, "http://", 7) == 0)
        scheme = 7;
    if (scheme == 0 || strchr("/?#", s[scheme]) != NULL)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (strchr("<>\"\\", s[i]) != NULL)
            return 0;
    return 1;
}

/* Every string anywhere in `j` is clean UTF-8 (jCards end up in SIP
 * headers and logs). */
static int strings_clean(json_t *j, int depth)
{
    if (depth > 16)
        return 0;
    if (json_is_string(j))
        return clid__is_clean_utf8(json_string_value(j), json_string_length(j)) ||
               json_string_length(j) == 0;
    if (json_is_array(j)) {
        for (size_t i = 0; i < json_array_size(j); i++)
            if (!strings_clean(json_array_get(j, i), depth + 1))
                return 0;
        return 1;
    }
    if (json_is_object(j)) {
        const char *k;
        json_t *v;
        json_object_foreach(j, k, v) {
            if (!clid__is_clean_utf8(k, strlen(k)) || !strings_clean(v, depth + 1))
                return 0;
        }
    }
    return 1;
}

int clid__rcd_is_jcard(json_t *j, int allow_uri)
{
    /* RFC 7095 §3.2: ["vcard", [properties]]; §3.3: each property is
     * [name, parameters, type, value...]. */
    if (!json_is_array(j) || json_array_size(j) != 2)
        return 0;
    const json_t *tag = json_array_get(j, 0);
    const json_t *props = json_array_get(j, 1);
    if (!json_is_string(tag) || strcmp(json_string_value(tag), "vcard") != 0 ||
        !json_is_array(props))
        return 0;
    for (size_t i = 0; i < json_array_size(props); i++) {
        const json_t *p = json_array_get(props, i);
        if (!json_is_array(p) || json_array_size(p) < 4)
            return 0;
        const json_t *type = json_array_get(p, 2);
        if (!json_is_string(json_array_get(p, 0)) || !json_is_object(json_array_get(p, 1)) ||
            !json_is_string(type))
            return 0;
        /* RFC 9795 §5 ("jcl"): one level of URI reference only. */
        if (!allow_uri && strcmp(json_string_value(type), "uri") == 0)
            return 0;
    }
    return strings_clean(j, 0);
}

/* ------------------------------------------------------------------------ */
/* JSON pointers (RFC 6901) and digests                                      */
/* ------------------------------------------------------------------------ */

/* Decodes one reference token (RFC 6901 §4: "~1" is '/', "~0" is '~') of
 * at most 63 bytes into tok; 0 when malformed. */
static int pointer_token(const char *s, size_t n, char tok[64])
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '~') {
            if (i + 1 >= n || (s[i + 1] != '0' && s[i + 1] != '1'))
                return 0;
            c = s[++i] == '0' ? '~' : '/';
        }
        if (o >= 63)
            return 0;
        tok[o++] = c;
    }
    tok[o] = '\0';
    return 1;
}

const json_t *clid__rcd_pointer_get(const json_t *root, const char *pointer)
{
    if (root == NULL || pointer == NULL || pointer[0] != '/')
        return NULL;
    const json_t *cur = root;
    const char *p = pointer;
    for (int depth = 0; *p == '/' && depth < 8; depth++) {
        p++;
        size_t n = strcspn(p, "/");
        char tok[64];
        if (!pointer_token(p, n, tok))
            return NULL;
        if (json_is_object(cur)) {
            cur = json_object_get(cur, tok);
        } else if (json_is_array(cur)) {
            /* An array index: "0" or digits without a leading zero. */
            if (n == 0 || n > 4 || (tok[0] == '0' && n > 1) || strspn(tok, "0123456789") != n)
                return NULL;
            cur = json_array_get(cur, (size_t)strtoul(tok, NULL, 10));
        } else {
            return NULL;
        }
        if (cur == NULL)
            return NULL;
        p += n;
    }
    return *p == '\0' ? cur : NULL;
}

static const struct {
    const char *name;
    clid__rcd_alg alg;
    size_t len;
} algs[] = {
    {"sha256", CLID__RCD_SHA256, 32},
    {"sha384", CLID__RCD_SHA384, 48},
    {"sha512", CLID__RCD_SHA512, 64},
};

static const EVP_MD *alg_md(clid__rcd_alg alg)
{
    return alg == CLID__RCD_SHA256 ? EVP_sha256() : alg == CLID__RCD_SHA384 ? EVP_sha384()
                                                                           : EVP_sha512();
}

static size_t alg_len(clid__rcd_alg alg)
{
    return alg == CLID__RCD_SHA256 ? 32 : alg == CLID__RCD_SHA384 ? 48 : 64;
}

static int is_b64_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/';
}

clid_err clid__rcd_digest_parse(const char *s, size_t len, clid__rcd_alg *alg)
{
    const char *dash = memchr(s, '-', len);
    CLID_ENSURE(dash != NULL, CLID_ERR_RCD_DIGEST_ALG);
    size_t nl = (size_t)(dash - s);
    for (size_t i = 0; i < sizeof algs / sizeof algs[0]; i++) {
        if (nl != strlen(algs[i].name) || memcmp(s, algs[i].name, nl) != 0)
            continue;
        /* Standard base64 with padding (RFC 4648 §4), of exactly the hash
         * length: 4 * ceil(n / 3) characters. */
        const char *b = dash + 1;
        size_t bl = len - nl - 1;
        size_t want = 4 * ((algs[i].len + 2) / 3);
        CLID_ENSURE(bl == want, CLID_ERR_RCD_SYNTAX);
        size_t pad = (3 - algs[i].len % 3) % 3;
        for (size_t k = 0; k < bl; k++)
            CLID_ENSURE(k >= bl - pad ? b[k] == '=' : is_b64_char(b[k]), CLID_ERR_RCD_SYNTAX);
        *alg = algs[i].alg;
        return CLID_OK;
    }
    return CLID_ERR_RCD_DIGEST_ALG;
}

clid_err clid__rcd_digest_format(clid__rcd_alg alg, const uint8_t *data, size_t len, char *out,
                                 size_t cap)
{
    uint8_t md[CLID__RCD_DIGEST_MAX];
    unsigned int n = 0;
    CLID_ENSURE(cap >= 96, CLID_ERR_BUFFER_TOO_SMALL);
    CLID_ENSURE(EVP_Digest(data, len, md, &n, alg_md(alg), NULL) == 1 && n == alg_len(alg),
                CLID_ERR_INTERNAL);
    const char *name = algs[alg - 1].name;
    size_t nl = strlen(name);
    memcpy(out, name, nl);
    out[nl] = '-';
    EVP_EncodeBlock((unsigned char *)out + nl + 1, md, (int)n); /* NUL-terminates */
    return CLID_OK;
}

int clid__rcd_digest_matches(clid__rcd_alg alg, const char *got, const uint8_t *data,
                             size_t len)
{
    char want[96];
    if (clid__rcd_digest_format(alg, data, len, want, sizeof want) != CLID_OK)
        return 0;
    size_t n = strlen(want);
    return strlen(got) == n && CRYPTO_memcmp(got, want, n) == 0;
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                   */
/* ------------------------------------------------------------------------ */

/* An optional string member `key` of `obj` checked by `ok`, copied. */
static clid_err take_str(const json_t *obj, const char *key, int (*ok)(const char *, size_t),
                         char **out)
{
    const json_t *v = json_object_get(obj, key);
    if (v == NULL)
        return CLID_OK;
    CLID_ENSURE(json_is_string(v), CLID_ERR_RCD_SYNTAX);
    size_t len = json_string_length(v);
    CLID_ENSURE(ok(json_string_value(v), len), CLID_ERR_RCD_SYNTAX);
    *out = clid__strndup(json_string_value(v), len);
    CLID_ENSURE(*out != NULL, CLID_ERR_NOMEM);
    return CLID_OK;
}

static int apn_ok(const char *s, size_t len)
{
    return clid__is_tn(s, len);
}

/* RFC 8225 §9 form of a JSON value: compact, sorted keys. */
static char *canonical(const json_t *j)
{
    return json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
}

static clid_err parse_rcd_obj(json_t *rcd, clid__rcd *out)
{
    CLID_ENSURE(json_is_object(rcd), CLID_ERR_RCD_SYNTAX);
    /* RFC 9795 §5: "nam" is required in an rcd claim. */
    CLID_ENSURE(json_object_get(rcd, "nam") != NULL, CLID_ERR_RCD_SYNTAX);
    CLID_TRY(take_str(rcd, "nam", text_ok, &out->nam));
    CLID_TRY(take_str(rcd, "apn", apn_ok, &out->apn));
    CLID_TRY(take_str(rcd, "icn", url_ok, &out->icn));
    CLID_TRY(take_str(rcd, "jcl", url_ok, &out->jcl));
    json_t *jcd = json_object_get(rcd, "jcd");
    if (jcd != NULL) {
        /* RFC 9795 §5: jcd and jcl are alternatives, never both. */
        CLID_ENSURE(out->jcl == NULL, CLID_ERR_RCD_SYNTAX);
        CLID_ENSURE(clid__rcd_is_jcard(jcd, 1), CLID_ERR_RCD_SYNTAX);
        out->jcd = canonical(jcd);
        CLID_ENSURE(out->jcd != NULL, CLID_ERR_NOMEM);
        CLID_ENSURE(strlen(out->jcd) <= CLID_RCD_JCARD_MAX_LEN, CLID_ERR_RCD_SYNTAX);
    }
    return CLID_OK;
}

static clid_err parse_rcdi(json_t *rcdi, const json_t *rcd, clid__rcd *out)
{
    /* RFC 9795 §6: rcdi only ever covers what an rcd claim names. */
    CLID_ENSURE(json_is_object(rcdi) && rcd != NULL, CLID_ERR_RCD_SYNTAX);
    CLID_ENSURE(json_object_size(rcdi) >= 1 && json_object_size(rcdi) <= CLID__RCD_MAX_DIGESTS,
                CLID_ERR_RCD_SYNTAX);
    const char *k;
    json_t *v;
    json_object_foreach(rcdi, k, v) {
        /* The pointer must name a string member that is present. */
        const json_t *target = clid__rcd_pointer_get(rcd, k);
        CLID_ENSURE(json_is_string(target) && json_is_string(v), CLID_ERR_RCD_SYNTAX);
        CLID_ENSURE(strlen(k) <= 64 && clid__is_printable_ascii(k, strlen(k)), CLID_ERR_RCD_SYNTAX);
        clid__rcd_digest *d = &out->rcdi[out->n_rcdi];
        CLID_TRY(clid__rcd_digest_parse(json_string_value(v), json_string_length(v), &d->alg));
        d->pointer = clid__strndup(k, strlen(k));
        d->value = clid__strndup(json_string_value(v), json_string_length(v));
        out->n_rcdi++;
        CLID_ENSURE(d->pointer != NULL && d->value != NULL, CLID_ERR_NOMEM);
    }
    return CLID_OK;
}

clid_err clid__rcd_parse(const json_t *claims, int required, clid__rcd *out)
{
    clid__rcd_clear(out);
    json_t *rcd = json_object_get(claims, "rcd");
    const json_t *crn = json_object_get(claims, "crn");
    json_t *rcdi = json_object_get(claims, "rcdi");
    out->present = rcd != NULL || crn != NULL || rcdi != NULL;
    out->has_rcd = rcd != NULL;
    CLID_ENSURE(rcd != NULL || !required, CLID_ERR_RCD_SYNTAX);
    if (rcd != NULL)
        CLID_TRY(parse_rcd_obj(rcd, out));
    CLID_TRY(take_str(claims, "crn", text_ok, &out->crn));
    if (rcdi != NULL)
        CLID_TRY(parse_rcdi(rcdi, rcd, out));
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* Building                                                                  */
/* ------------------------------------------------------------------------ */

static int cstr_ok(const char *s, int (*ok)(const char *, size_t), size_t max)
{
    return s == NULL || ok(s, strnlen(s, max + 1));
}

static int set_str(json_t *obj, const char *key, const char *val)
{
    return val == NULL || json_object_set_new(obj, key, json_string(val)) == 0;
}

static clid_err add_digest(json_t *rcdi, const char *pointer, const uint8_t *data, size_t len)
{
    char d[96];
    CLID_TRY(clid__rcd_digest_format(CLID__RCD_SHA256, data, len, d, sizeof d));
    CLID_ENSURE(json_object_set_new(rcdi, pointer, json_string(d)) == 0, CLID_ERR_NOMEM);
    return CLID_OK;
}

static clid_err build(json_t *claims, const clid_rcd *in, const char *apn, json_t *jcd)
{
    json_t *rcd = json_object();
    CLID_ENSURE(rcd != NULL, CLID_ERR_NOMEM);
    int ok = set_str(rcd, "nam", in->nam) && set_str(rcd, "apn", apn[0] ? apn : NULL) &&
             set_str(rcd, "icn", in->icn) && set_str(rcd, "jcl", in->jcl);
    if (ok && jcd != NULL)
        ok = json_object_set(rcd, "jcd", jcd) == 0;
    if (!ok || json_object_set_new(claims, "rcd", rcd) != 0)
        return CLID_ERR_NOMEM;
    CLID_ENSURE(set_str(claims, "crn", in->crn), CLID_ERR_NOMEM);
    if (in->jcl_content == NULL && in->icn_content == NULL)
        return CLID_OK;
    json_t *rcdi = json_object();
    CLID_ENSURE(rcdi != NULL, CLID_ERR_NOMEM);
    CLID_ENSURE(json_object_set_new(claims, "rcdi", rcdi) == 0, CLID_ERR_NOMEM);
    /* RFC 9795 §6: the digest of what the URL serves, keyed by the JSON
     * pointer of the URL within the rcd claim. */
    if (in->jcl_content != NULL)
        CLID_TRY(add_digest(rcdi, "/jcl", in->jcl_content, in->jcl_content_len));
    if (in->icn_content != NULL)
        CLID_TRY(add_digest(rcdi, "/icn", in->icn_content, in->icn_content_len));
    return CLID_OK;
}

clid_err clid__rcd_add_claims(json_t *claims, const clid_rcd *in)
{
    CLID_ENSURE(claims != NULL && in != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(in->nam != NULL && cstr_ok(in->nam, text_ok, CLID__RCD_STR_MAX) &&
                    cstr_ok(in->crn, text_ok, CLID__RCD_STR_MAX) &&
                    cstr_ok(in->jcl, url_ok, CLID__RCD_URL_MAX) &&
                    cstr_ok(in->icn, url_ok, CLID__RCD_URL_MAX),
                CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(in->jcd == NULL || in->jcl == NULL, CLID_ERR_INVALID_ARGUMENT);
    /* Content is only given for a URL it is the content of. */
    CLID_ENSURE(in->jcl_content == NULL || in->jcl != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(in->icn_content == NULL || in->icn != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(in->jcl_content_len <= CLID_RCD_JCARD_MAX_LEN &&
                    in->icn_content_len <= CLID_RCD_ICON_MAX_LEN,
                CLID_ERR_INVALID_ARGUMENT);
    char apn[CLID_TN_BUF] = "";
    if (in->apn != NULL)
        CLID_ENSURE(clid_tn_canonicalize(in->apn, apn) == CLID_OK, CLID_ERR_INVALID_ARGUMENT);

    json_t *jcd = NULL;
    if (in->jcd != NULL) {
        size_t n = strnlen(in->jcd, CLID_RCD_JCARD_MAX_LEN + 1);
        CLID_ENSURE(n <= CLID_RCD_JCARD_MAX_LEN, CLID_ERR_INVALID_ARGUMENT);
        json_error_t e;
        jcd = json_loadb(in->jcd, n, JSON_REJECT_DUPLICATES, &e);
        /* clid.h: the signer puts no URL in an inline jCard (it would need
         * digests of its own; docs/rcd.md). */
        if (jcd == NULL || !clid__rcd_is_jcard(jcd, 0)) {
            json_decref(jcd);
            return CLID_ERR_INVALID_ARGUMENT;
        }
    }
    clid_err rc = build(claims, in, apn, jcd);
    json_decref(jcd);
    return rc;
}
