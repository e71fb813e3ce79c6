/*
 * The CPS bearer token of out-of-band SHAKEN (RFC 9888 §6 leaves the CPS's
 * authorization to the deployment; the JWT below is ATIS-1000096 §7 as the
 * public samples implement it, OOB-SPEC "Token", docs/oob.md "inferred"):
 * a compact JWS (RFC 7515 §7.1), header {"alg":"ES256","typ":"JWT",
 * "x5u":URL} signed with the key of a SHAKEN certificate, claims iat, exp,
 * action, iss, aud, jti, orig, dest, spc and passports. Built here with the
 * signer's key, x5u and clock; parsed here; checked in oob_check.c.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/b64url.h"
#include "core/internal.h"
#include "oob/oob_internal.h"
#include "passport/signer_internal.h"

int clid__oob_id_ok(const char *s, size_t len)
{
    return len >= 1 && len < CLID_OOB_ID_BUF && clid__is_printable_ascii(s, len);
}

static const char *action_name(clid_oob_action a)
{
    switch (a) {
    case CLID_OOB_PUBLISH:
        return "publish";
    case CLID_OOB_RETRIEVE:
        return "retrieve";
    case CLID_OOB_REPUBLISH:
        return "republish";
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Signing                                                                   */
/* ------------------------------------------------------------------------ */

static int id_ok(const char *s)
{
    return s != NULL && clid__oob_id_ok(s, strlen(s));
}

/* The first SPC entry of the signer's certificate (OOB-SPEC: iss is the
 * requester's SPC). */
static const char *first_spc(const clid_signer *s, char *buf)
{
    const clid_tnauth *l = clid__signer_tnauth(s);
    for (size_t i = 0; l != NULL && i < clid_tnauth_count(l); i++) {
        clid_tnauth_entry e;
        if (clid_tnauth_get(l, i, &e) == CLID_OK && e.kind == CLID_TNAUTH_SPC &&
            id_ok(e.value)) {
            memcpy(buf, e.value, strlen(e.value) + 1);
            return buf;
        }
    }
    return NULL;
}

static int set_str(json_t *o, const char *k, const char *v)
{
    return json_object_set_new(o, k, json_string(v)) == 0;
}

static json_t *tn_claim(const char *tn, int array)
{
    json_t *o = json_object();
    json_t *v = array ? json_array() : json_string(tn);
    if (array && v != NULL && json_array_append_new(v, json_string(tn)) != 0) {
        json_decref(v);
        v = NULL;
    }
    if (o == NULL || v == NULL || json_object_set_new(o, "tn", v) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* base64url of the compact, sorted serialization of `j` (RFC 8225 §9's
 * deterministic form, as for PASSporTs), appended at out[*o]. */
static clid_err append_part(json_t *j, char *out, size_t cap, size_t *o)
{
    char *ser = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
    CLID_ENSURE(ser != NULL, CLID_ERR_NOMEM);
    size_t n = strlen(ser);
    size_t need = clid__b64url_encoded_len(n);
    clid_err rc = CLID_ERR_INVALID_ARGUMENT; /* a token beyond CLID_OOB_MAX_TOKEN */
    if (*o + need < cap) {
        *o += clid__b64url_encode((const uint8_t *)ser, n, out + *o);
        rc = CLID_OK;
    }
    free(ser);
    return rc;
}

static clid_err build_claims(const clid_signer *s, const clid_oob_token_params *p, json_t *c)
{
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF], spc_buf[CLID_OOB_ID_BUF];
    char jti_buf[CLID__UUID_BUF], digest[CLID_OOB_DIGEST_BUF];
    CLID_TRY(clid_tn_canonicalize(p->orig, orig));
    CLID_TRY(clid_tn_canonicalize(p->dest, dest));
    const char *iss = p->iss != NULL ? p->iss : first_spc(s, spc_buf);
    CLID_ENSURE(id_ok(iss), CLID_ERR_INVALID_ARGUMENT);
    const char *jti = p->jti;
    if (jti == NULL) {
        CLID_TRY(clid__random_uuid(jti_buf));
        jti = jti_buf;
    }
    CLID_ENSURE(id_ok(jti), CLID_ERR_INVALID_ARGUMENT);
    int64_t iat = p->iat != 0 ? p->iat : clid__signer_now(s);
    CLID_ENSURE(iat > 0 && iat <= INT64_MAX - CLID_OOB_MAX_RETENTION, CLID_ERR_INVALID_ARGUMENT);
    unsigned ttl = p->ttl != 0 ? p->ttl : p->action == CLID_OOB_RETRIEVE ? 30u : 60u;
    CLID_ENSURE(ttl <= CLID_OOB_MAX_RETENTION, CLID_ERR_INVALID_ARGUMENT);

    int ok = set_str(c, "action", action_name(p->action)) && set_str(c, "aud", p->aud) &&
             set_str(c, "iss", iss) && set_str(c, "jti", jti) &&
             json_object_set_new(c, "iat", json_integer(iat)) == 0 &&
             json_object_set_new(c, "exp", json_integer(iat + (int64_t)ttl)) == 0 &&
             json_object_set_new(c, "orig", tn_claim(orig, 0)) == 0 &&
             json_object_set_new(c, "dest", tn_claim(dest, 1)) == 0;
    CLID_ENSURE(ok, CLID_ERR_NOMEM);
    if (p->spc != NULL)
        CLID_ENSURE(set_str(c, "spc", p->spc), CLID_ERR_NOMEM);
    if (p->action != CLID_OOB_RETRIEVE) {
        CLID_TRY(clid_oob_passports_digest(p->passports, p->passport_count, digest));
        CLID_ENSURE(set_str(c, "passports", digest), CLID_ERR_NOMEM);
    }
    return CLID_OK;
}

clid_err clid_oob_token_sign(const clid_signer *s, const clid_oob_token_params *p, char *out,
                             size_t cap, size_t *out_len)
{
    CLID_ENSURE(s != NULL && p != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(clid__signer_has_key(s) && clid__signer_x5u(s) != NULL,
                CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(action_name(p->action) != NULL && id_ok(p->aud), CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(p->orig != NULL && p->dest != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(p->spc == NULL || id_ok(p->spc), CLID_ERR_INVALID_ARGUMENT);
    /* On a retrieve, spc names the retriever itself (OOB-SPEC); it is
     * checked by the CPS, not here. */

    json_t *h = json_object();
    json_t *c = json_object();
    clid_err rc = h != NULL && c != NULL ? CLID_OK : CLID_ERR_NOMEM;
    if (rc == CLID_OK && !(set_str(h, "alg", "ES256") && set_str(h, "typ", "JWT") &&
                           set_str(h, "x5u", clid__signer_x5u(s))))
        rc = CLID_ERR_NOMEM;
    if (rc == CLID_OK)
        rc = build_claims(s, p, c);
    char *input = rc == CLID_OK ? malloc(CLID_OOB_MAX_TOKEN) : NULL;
    if (rc == CLID_OK && input == NULL)
        rc = CLID_ERR_NOMEM;
    size_t o = 0;
    if (rc == CLID_OK)
        rc = append_part(h, input, CLID_OOB_MAX_TOKEN, &o);
    if (rc == CLID_OK && o + 1 < CLID_OOB_MAX_TOKEN)
        input[o++] = '.';
    if (rc == CLID_OK)
        rc = append_part(c, input, CLID_OOB_MAX_TOKEN, &o);
    if (rc == CLID_OK)
        rc = clid__signer_jws(s, input, o, out, cap, out_len);
    free(input);
    json_decref(h);
    json_decref(c);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                   */
/* ------------------------------------------------------------------------ */

void clid__oob_token_clear(clid__oob_token *t)
{
    if (t == NULL)
        return;
    free(t->x5u);
    free(t->signing_input);
    memset(t, 0, sizeof *t);
}

#define FAIL(why)                                                                                 \
    do {                                                                                          \
        *detail = (why);                                                                          \
        return CLID_ERR_OOB_TOKEN_PARSE;                                                          \
    } while (0)

static clid_err load_part(const char *b64, size_t n, json_t **out, const char **detail)
{
    uint8_t *buf = malloc(CLID_OOB_MAX_TOKEN);
    CLID_ENSURE(buf != NULL, CLID_ERR_NOMEM);
    size_t len = 0;
    clid_err rc = clid__b64url_decode(b64, n, buf, CLID_OOB_MAX_TOKEN, &len);
    json_t *j = NULL;
    if (rc == CLID_OK) {
        json_error_t err;
        j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &err);
    }
    free(buf);
    if (!json_is_object(j)) {
        json_decref(j);
        FAIL(rc != CLID_OK ? "a part is not base64url" : "a part is not a JSON object");
    }
    *out = j;
    return CLID_OK;
}

/* A string member of 1..CLID_OOB_ID_BUF-1 printable ASCII copied into dst;
 * `optional` lets it be absent. */
static int get_id(const json_t *o, const char *k, char dst[CLID_OOB_ID_BUF], int optional)
{
    const json_t *v = json_object_get(o, k);
    if (v == NULL)
        return optional;
    if (!json_is_string(v) || !clid__oob_id_ok(json_string_value(v), json_string_length(v)))
        return 0;
    memcpy(dst, json_string_value(v), json_string_length(v) + 1);
    return 1;
}

/* A TN claim value: a string that canonicalizes (OOB-SPEC: path and claims
 * compare after clid_tn_canonicalize). */
static int get_tn(const json_t *v, char out[CLID_TN_BUF])
{
    return json_is_string(v) && strlen(json_string_value(v)) == json_string_length(v) &&
           clid_tn_canonicalize(json_string_value(v), out) == CLID_OK;
}

static clid_err check_header(const json_t *h, clid__oob_token *t, const char **detail)
{
    const json_t *alg = json_object_get(h, "alg");
    /* RFC 8725 §3.1: the algorithm is fixed, never taken from the token. */
    if (!json_is_string(alg) || strcmp(json_string_value(alg), "ES256") != 0)
        FAIL("alg is not ES256");
    const json_t *typ = json_object_get(h, "typ");
    /* RFC 7519 §5.1: typ is optional; "JWT" when present (compared
     * case-insensitively, as media types are). */
    if (typ != NULL && (!json_is_string(typ) || strcasecmp(json_string_value(typ), "JWT") != 0))
        FAIL("typ is not JWT");
    /* RFC 7515 §4.1.11: no extension is understood. */
    if (json_object_get(h, "crit") != NULL)
        FAIL("crit is not supported");
    const json_t *x = json_object_get(h, "x5u");
    if (!json_is_string(x) || json_string_length(x) > CLID__OOB_X5U_MAX ||
        !clid__is_printable_ascii(json_string_value(x), json_string_length(x)))
        FAIL("x5u is missing or not a printable URL");
    t->x5u = clid__strndup(json_string_value(x), json_string_length(x));
    CLID_ENSURE(t->x5u != NULL, CLID_ERR_NOMEM);
    return CLID_OK;
}

static int get_int(const json_t *c, const char *k, int64_t *out)
{
    const json_t *v = json_object_get(c, k);
    if (!json_is_integer(v) || json_integer_value(v) <= 0)
        return 0;
    *out = (int64_t)json_integer_value(v);
    return 1;
}

static clid_err check_claims(const json_t *c, clid__oob_token *t, const char **detail)
{
    if (!get_int(c, "iat", &t->iat))
        FAIL("iat is missing or not a positive integer");
    if (!get_int(c, "exp", &t->exp))
        FAIL("exp is missing or not a positive integer");
    const json_t *a = json_object_get(c, "action");
    const char *as = json_is_string(a) ? json_string_value(a) : "";
    if (strcmp(as, "publish") == 0)
        t->action = CLID_OOB_PUBLISH;
    else if (strcmp(as, "retrieve") == 0)
        t->action = CLID_OOB_RETRIEVE;
    else if (strcmp(as, "republish") == 0)
        t->action = CLID_OOB_REPUBLISH;
    else
        FAIL("action is not publish, retrieve or republish");
    if (!get_id(c, "iss", t->iss, 0))
        FAIL("iss is missing or not 1..128 printable ASCII");
    if (!get_id(c, "aud", t->aud, 0))
        FAIL("aud is missing or not 1..128 printable ASCII");
    if (!get_id(c, "jti", t->jti, 0))
        FAIL("jti is missing or not 1..128 printable ASCII");
    if (!get_id(c, "spc", t->spc, 1))
        FAIL("spc is not 1..128 printable ASCII");
    const json_t *o = json_object_get(c, "orig");
    if (!json_is_object(o) || json_object_size(o) != 1 || !get_tn(json_object_get(o, "tn"), t->orig))
        FAIL("orig is not {\"tn\":TN}");
    const json_t *d = json_object_get(c, "dest");
    const json_t *dl = json_object_get(d, "tn");
    if (!json_is_object(d) || json_object_size(d) != 1 || !json_is_array(dl) ||
        json_array_size(dl) != 1 || !get_tn(json_array_get(dl, 0), t->dest))
        FAIL("dest is not {\"tn\":[TN]} with exactly one TN");
    const json_t *p = json_object_get(c, "passports");
    if (t->action != CLID_OOB_RETRIEVE) {
        if (!json_is_string(p) || json_string_length(p) != CLID_OOB_DIGEST_BUF - 1 ||
            strncmp(json_string_value(p), "sha256-", 7) != 0)
            FAIL("passports is not a sha256- digest");
        memcpy(t->passports, json_string_value(p), CLID_OOB_DIGEST_BUF);
    }
    return CLID_OK;
}

static clid_err parse_parts(const char *tok, size_t len, clid__oob_token *t, const char **detail)
{
    const char *d1 = memchr(tok, '.', len);
    const char *d2 = d1 != NULL ? memchr(d1 + 1, '.', len - (size_t)(d1 + 1 - tok)) : NULL;
    if (d1 == NULL || d2 == NULL || memchr(d2 + 1, '.', len - (size_t)(d2 + 1 - tok)) != NULL)
        FAIL("not three dot-separated parts");
    size_t hl = (size_t)(d1 - tok), cl = (size_t)(d2 - d1 - 1), sl = len - (size_t)(d2 + 1 - tok);
    if (hl == 0 || cl == 0 || sl == 0)
        FAIL("an empty part");
    /* Signature first: cheap, and alg is ES256 only, so anything but
     * 64 bytes can never verify (RFC 7518 §3.4). */
    if (clid__b64url_decode(d2 + 1, sl, t->sig, sizeof t->sig, &t->sig_len) != CLID_OK ||
        t->sig_len != sizeof t->sig)
        FAIL("signature is not 64 bytes of base64url");
    json_t *h = NULL, *c = NULL;
    CLID_TRY(load_part(tok, hl, &h, detail));
    clid_err rc = check_header(h, t, detail);
    json_decref(h);
    CLID_TRY(rc);
    CLID_TRY(load_part(d1 + 1, cl, &c, detail));
    rc = check_claims(c, t, detail);
    json_decref(c);
    CLID_TRY(rc);
    t->signing_input = clid__strndup(tok, (size_t)(d2 - tok));
    CLID_ENSURE(t->signing_input != NULL, CLID_ERR_NOMEM);
    t->signing_input_len = (size_t)(d2 - tok);
    return CLID_OK;
}

clid_err clid__oob_token_parse(const char *tok, size_t len, clid__oob_token *t, const char **detail)
{
    const char *unused = NULL;
    if (detail == NULL)
        detail = &unused;
    *detail = "";
    memset(t, 0, sizeof *t);
    CLID_ENSURE(tok != NULL, CLID_ERR_INVALID_ARGUMENT);
    if (len == 0 || len > CLID_OOB_MAX_TOKEN)
        FAIL("empty or longer than CLID_OOB_MAX_TOKEN");
    return parse_parts(tok, len, t, detail);
}
