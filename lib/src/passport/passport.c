/*
 * PASSporT (RFC 8225) with ppt "shaken" (RFC 8588) and "div" (RFC 8946).
 *
 * Building: RFC 8225 §9 asks for a deterministic JSON form (members in
 * lexicographic order, no whitespace, numbers as numbers): the bytes of
 * jansson's JSON_COMPACT | JSON_SORT_KEYS output, which are also what
 * secsipidx signs for the same claims (peers notes §2.4). '/' stays
 * unescaped (jansson without JSON_ESCAPE_SLASH, Go, Python all agree).
 *
 * Parsing: json_loadb with JSON_REJECT_DUPLICATES (a repeated member is an
 * ambiguity attackers like), every part bounded, each member type checked
 * with its own reason code.
 */
#include <stdlib.h>
#include <string.h>

#include "core/b64url.h"
#include "core/es256.h"
#include "core/internal.h"
#include "passport/passport.h"

/* The largest decoded part of a CLID_PASSPORT_MAX_LEN JWS. */
#define PART_MAX (CLID_PASSPORT_MAX_LEN / 4 * 3 + 3)

/* Bound on an orig/dest URI (RFC 8225 §5.2.1 "uri"): anything longer is not
 * an address a verifier compares with a request. */
#define URI_MAX 1024

void clid__passport_init(clid__passport *p)
{
    if (p != NULL)
        memset(p, 0, sizeof *p);
}

void clid__passport_clear(clid__passport *p)
{
    if (p == NULL)
        return;
    free(p->x5u);
    free(p->orig_uri);
    for (size_t i = 0; i < p->dest_uri_count; i++)
        free(p->dest_uri[i]);
    clid__rcd_clear(&p->rcd);
    json_decref(p->claims);
    free(p->signing_input);
    free(p->opt);
    clid__passport_init(p);
}

int clid__is_uuid(const char *s)
{
    if (s == NULL)
        return 0;
    /* 8-4-4-4-12 hex digits (RFC 4122 §3); either case on input. */
    for (size_t i = 0; i < 36; i++) {
        char c = s[i];
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (c != '-')
                return 0;
        } else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
                     (c >= 'A' && c <= 'F'))) {
            return 0; /* also stops at the NUL of a short string */
        }
    }
    return s[36] == '\0';
}

static int is_token_char(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != 0 && strchr("-.!%*_+`'~", c) != NULL;
}

/* A ppt value: a SIP token (it is echoed in the Identity ppt parameter,
 * RFC 8224 §4.1) that fits the struct. */
static int is_ppt(const char *s, size_t len)
{
    if (len == 0 || len >= CLID_PPT_BUF)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!is_token_char(s[i]))
            return 0;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Parsing                                                                   */
/* ------------------------------------------------------------------------ */

/* The string value of `key` in `obj` and its length, or NULL when absent or
 * not a string. jansson strings hold no NUL (JSON_ALLOW_NUL is not set). */
static const char *get_str(const json_t *obj, const char *key, size_t *len)
{
    const json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return NULL;
    *len = json_string_length(v);
    return json_string_value(v);
}

/* Keeps a received value for the verification result, only when it fits
 * and is printable ASCII (results end up in logs). */
static void copy_bounded(char *dst, size_t cap, const char *s, size_t len)
{
    if (len < cap && clid__is_printable_ascii(s, len)) {
        memcpy(dst, s, len);
        dst[len] = '\0';
    }
}

static clid_err load_part(const char *b64, size_t n, json_t **out)
{
    uint8_t buf[PART_MAX];
    size_t len = 0;
    clid_err rc = clid__b64url_decode(b64, n, buf, sizeof buf, &len);
    if (rc != CLID_OK)
        return rc == CLID_ERR_BUFFER_TOO_SMALL ? CLID_ERR_IDENTITY_TOO_LARGE : rc;
    json_error_t err;
    json_t *j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &err);
    if (!json_is_object(j)) {
        json_decref(j);
        return CLID_ERR_JSON;
    }
    *out = j;
    return CLID_OK;
}

static clid_err check_header(const json_t *h, clid__passport *p)
{
    size_t len = 0;
    const char *s = get_str(h, "alg", &len);
    if (s != NULL)
        copy_bounded(p->alg, sizeof p->alg, s, len);
    /* Only ES256 (RFC 8225 §4.2, ATIS SHAKEN); "none" and others refused. */
    CLID_ENSURE(s != NULL && strcmp(s, "ES256") == 0, CLID_ERR_PASSPORT_ALG);

    s = get_str(h, "typ", &len);
    if (s != NULL)
        copy_bounded(p->typ, sizeof p->typ, s, len);
    CLID_ENSURE(s != NULL && strcmp(s, "passport") == 0, CLID_ERR_PASSPORT_TYP);

    const json_t *ppt = json_object_get(h, "ppt");
    if (ppt != NULL) {
        s = get_str(h, "ppt", &len);
        CLID_ENSURE(s != NULL && is_ppt(s, len), CLID_ERR_PASSPORT_PPT);
        copy_bounded(p->ppt, sizeof p->ppt, s, len);
    }

    s = get_str(h, "x5u", &len);
    /* Printable ASCII only: the value is fetched, compared with the info
     * URI and logged. */
    CLID_ENSURE(s != NULL && clid__is_printable_ascii(s, len), CLID_ERR_PASSPORT_X5U);
    p->x5u = clid__strndup(s, len);
    CLID_ENSURE(p->x5u != NULL, CLID_ERR_NOMEM);

    /* RFC 7515 §4.1.11: a recipient must refuse a JWS whose "crit" names an
     * extension it does not understand; clid understands none. */
    CLID_ENSURE(json_object_get(h, "crit") == NULL, CLID_ERR_JSON);
    return CLID_OK;
}

/* A URI identity: clean UTF-8 without controls, bounded. */
static int is_uri_identity(const char *s, size_t len)
{
    return len > 0 && len <= URI_MAX && clid__is_clean_utf8(s, len);
}

/*
 * A "tn" claim value. RFC 8225 §5.2.1 and RFC 8224 §8.3: the signer puts the
 * number in canonical form (digits, '#', '*'; no '+', visual separators,
 * URI or parameters), and the verifier compares canonical forms. A verifier
 * that canonicalized the claim itself would accept "+1-202-555-0100" or
 * "sip:+1202...@h;x=y", which every other verifier refuses or reads
 * differently: a token whose meaning depends on the verifier. So a value
 * that is a number in another spelling is CLID_ERR_PASSPORT_TN_NOT_CANONICAL
 * and one that is no number at all `err`. (The request's numbers are still
 * canonicalized: they come from SIP, where those spellings are normal.)
 */
static clid_err canon_tn(const json_t *v, char out[CLID_TN_BUF], clid_err err)
{
    out[0] = '\0';
    CLID_ENSURE(json_is_string(v), err);
    const char *s = json_string_value(v);
    size_t len = json_string_length(v);
    if (clid__is_tn(s, len)) {
        memcpy(out, s, len + 1);
        return CLID_OK;
    }
    char tn[CLID_TN_BUF];
    CLID_ENSURE(strlen(s) == len && clid_tn_canonicalize(s, tn) == CLID_OK, err);
    return CLID_ERR_PASSPORT_TN_NOT_CANONICAL;
}

/* orig: exactly one identity, "tn" or "uri" (RFC 8225 §5.2.1). */
static clid_err check_orig(const json_t *claims, int tn_required, clid__passport *p)
{
    const json_t *o = json_object_get(claims, "orig");
    CLID_ENSURE(json_is_object(o) && json_object_size(o) == 1, CLID_ERR_PASSPORT_ORIG);
    const json_t *tn = json_object_get(o, "tn");
    if (tn != NULL)
        return canon_tn(tn, p->orig, CLID_ERR_PASSPORT_ORIG);
    CLID_ENSURE(!tn_required, CLID_ERR_PASSPORT_ORIG);
    size_t len = 0;
    const char *uri = get_str(o, "uri", &len);
    CLID_ENSURE(uri != NULL && is_uri_identity(uri, len), CLID_ERR_PASSPORT_ORIG);
    p->orig_uri = clid__strndup(uri, len);
    CLID_ENSURE(p->orig_uri != NULL, CLID_ERR_NOMEM);
    return CLID_OK;
}

/* dest: "tn" and/or "uri" arrays (RFC 8225 §5.2.1: arrays even for one). */
static clid_err check_dest(const json_t *claims, int tn_required, clid__passport *p)
{
    const json_t *d = json_object_get(claims, "dest");
    CLID_ENSURE(json_is_object(d), CLID_ERR_PASSPORT_DEST);
    const json_t *tns = json_object_get(d, "tn");
    const json_t *uris = json_object_get(d, "uri");
    CLID_ENSURE(tns != NULL || uris != NULL, CLID_ERR_PASSPORT_DEST);
    CLID_ENSURE(tns != NULL || !tn_required, CLID_ERR_PASSPORT_DEST);
    size_t n_tn = tns != NULL ? json_array_size(tns) : 0;
    size_t n_uri = uris != NULL ? json_array_size(uris) : 0;
    CLID_ENSURE(tns == NULL || (json_is_array(tns) && n_tn > 0), CLID_ERR_PASSPORT_DEST);
    CLID_ENSURE(uris == NULL || (json_is_array(uris) && n_uri > 0), CLID_ERR_PASSPORT_DEST);
    CLID_ENSURE(n_tn + n_uri <= CLID_PASSPORT_MAX_DEST, CLID_ERR_PASSPORT_DEST);

    for (size_t i = 0; i < n_tn; i++) {
        CLID_TRY(canon_tn(json_array_get(tns, i), p->dest[i], CLID_ERR_PASSPORT_DEST));
        p->dest_count = i + 1;
    }
    for (size_t i = 0; i < n_uri; i++) {
        const json_t *v = json_array_get(uris, i);
        CLID_ENSURE(json_is_string(v), CLID_ERR_PASSPORT_DEST);
        size_t len = json_string_length(v);
        CLID_ENSURE(is_uri_identity(json_string_value(v), len), CLID_ERR_PASSPORT_DEST);
        p->dest_uri[i] = clid__strndup(json_string_value(v), len);
        CLID_ENSURE(p->dest_uri[i] != NULL, CLID_ERR_NOMEM);
        p->dest_uri_count = i + 1;
    }
    return CLID_OK;
}

/* An origid as received: 1 to CLID_ORIGID_MAX printable ASCII characters
 * (it ends up in results, logs and JSON). */
static int is_origid(const char *s, size_t len)
{
    if (len == 0 || len > CLID_ORIGID_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < 0x20 || s[i] > 0x7E)
            return 0;
    return 1;
}

/* RFC 8588 §4: attest is "A", "B" or "C"; origid a UUID. An origid that is
 * a printable identifier but no UUID is recorded as such (origid_not_uuid):
 * it appears in a national regulator's test plan in calls expected to
 * pass, and it proves nothing either way (the signer picks it). */
static clid_err check_shaken(const json_t *claims, int required, clid__passport *p)
{
    const json_t *a = json_object_get(claims, "attest");
    if (a != NULL || required) {
        size_t len = 0;
        const char *s = get_str(claims, "attest", &len);
        CLID_ENSURE(s != NULL && len == 1 && s[0] >= 'A' && s[0] <= 'C',
                    CLID_ERR_PASSPORT_ATTEST);
        p->attest = s[0];
    }
    const json_t *o = json_object_get(claims, "origid");
    if (o != NULL || required) {
        size_t len = 0;
        const char *s = get_str(claims, "origid", &len);
        CLID_ENSURE(s != NULL && is_origid(s, len), CLID_ERR_PASSPORT_ORIGID);
        memcpy(p->origid, s, len + 1);
        p->origid_not_uuid = !(len == 36 && clid__is_uuid(s));
    }
    return CLID_OK;
}

/* RFC 8946 §3: the div claim names the diverting party; clid handles the
 * telephone-number form. */
static clid_err check_div(const json_t *claims, clid__passport *p)
{
    const json_t *d = json_object_get(claims, "div");
    CLID_ENSURE(json_is_object(d), CLID_ERR_PASSPORT_DIV);
    return canon_tn(json_object_get(d, "tn"), p->div, CLID_ERR_PASSPORT_DIV);
}

/* A full-form JWS: three non-empty base64url parts (RFC 7515 §7.1), s[0..len). */
static int is_full_jws(const char *s, size_t len)
{
    size_t parts = 1, run = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '.') {
            if (run == 0)
                return 0;
            parts++;
            run = 0;
        } else if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_') {
            run++;
        } else {
            return 0;
        }
    }
    return parts == 3 && run > 0;
}

/* RFC 8946 §5: "opt" carries the original PASSporT in full form, so that
 * it reaches a verifier with the div that extends it. Only its form is
 * checked here; the chain verification verifies it as the original. */
static clid_err check_opt(const json_t *claims, clid__passport *p)
{
    size_t len = 0;
    const char *s = get_str(claims, "opt", &len);
    CLID_ENSURE(s != NULL && len <= CLID_PASSPORT_MAX_LEN && is_full_jws(s, len),
                CLID_ERR_DIV_OPT);
    p->opt = clid__strndup(s, len);
    CLID_ENSURE(p->opt != NULL, CLID_ERR_NOMEM);
    return CLID_OK;
}

static clid_err check_claims(const json_t *c, clid__passport *p)
{
    const json_t *iat = json_object_get(c, "iat");
    /* NumericDate as an integer (RFC 8225 §5.1.1; RFC 8588 erratum 6656:
     * never a string); reals and negative values are refused. */
    CLID_ENSURE(json_is_integer(iat) && json_integer_value(iat) >= 0, CLID_ERR_PASSPORT_IAT);
    p->iat = (int64_t)json_integer_value(iat);

    int shaken = strcmp(p->ppt, "shaken") == 0;
    int div_o = strcmp(p->ppt, "div-o") == 0;
    int div = div_o || strcmp(p->ppt, "div") == 0;
    int rcd = strcmp(p->ppt, "rcd") == 0;
    /* SHAKEN, div and rcd PASSporTs are about telephone numbers (RFC 8588
     * §3, RFC 8946 §3, RFC 9795 §4): the TNAuthList check needs a TN. */
    CLID_TRY(check_orig(c, shaken || div || rcd, p));
    CLID_TRY(check_dest(c, shaken || div || rcd, p));
    CLID_TRY(div ? check_div(c, p) : check_shaken(c, shaken, p));
    if (div_o)
        CLID_TRY(check_opt(c, p));
    /* RFC 9795: rcd claims may ride in any PASSporT; ppt "rcd" needs one. */
    return clid__rcd_parse(c, rcd, &p->rcd);
}

static clid_err parse_sig(const char *b64, size_t n, clid__passport *p)
{
    /* A DER signature (70-72 bytes) or anything else that is not raw r||s
     * (RFC 7518 §3.4) is refused here, before any certificate fetch. */
    size_t len = 0;
    clid_err rc = clid__b64url_decode(b64, n, p->sig, sizeof p->sig, &len);
    if (rc == CLID_ERR_BUFFER_TOO_SMALL)
        return CLID_ERR_SIGNATURE_FORMAT;
    CLID_TRY(rc);
    p->sig_len = len;
    CLID_ENSURE(len == CLID_ES256_SIG_LEN, CLID_ERR_SIGNATURE_FORMAT);
    return CLID_OK;
}

clid_err clid__passport_parse(const char *jws, size_t len, clid__passport *p)
{
    CLID_ENSURE(p != NULL, CLID_ERR_INVALID_ARGUMENT);
    clid__passport_clear(p);
    CLID_ENSURE(jws != NULL || len == 0, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(len <= CLID_PASSPORT_MAX_LEN, CLID_ERR_IDENTITY_TOO_LARGE);

    /* JWS Compact Serialization: exactly three parts (RFC 7515 §7.1). */
    const char *d1 = len ? memchr(jws, '.', len) : NULL;
    CLID_ENSURE(d1 != NULL, CLID_ERR_JWS_SYNTAX);
    const char *end = jws + len;
    const char *d2 = memchr(d1 + 1, '.', (size_t)(end - d1 - 1));
    CLID_ENSURE(d2 != NULL, CLID_ERR_JWS_SYNTAX);
    CLID_ENSURE(memchr(d2 + 1, '.', (size_t)(end - d2 - 1)) == NULL, CLID_ERR_JWS_SYNTAX);
    size_t h_len = (size_t)(d1 - jws);
    size_t c_len = (size_t)(d2 - d1 - 1);
    size_t s_len = (size_t)(end - d2 - 1);

    if (h_len == 0 && c_len == 0) {
        /* Compact form "..s" (RFC 8225 §7): header and claims would have to
         * be rebuilt from the SIP request (see verify.c). */
        p->compact = 1;
        return parse_sig(d2 + 1, s_len, p);
    }
    CLID_ENSURE(h_len > 0 && c_len > 0, CLID_ERR_JWS_SYNTAX);

    json_t *h = NULL;
    CLID_TRY(load_part(jws, h_len, &h));
    clid_err rc = check_header(h, p);
    json_decref(h);
    CLID_TRY(rc);

    CLID_TRY(load_part(d1 + 1, c_len, &p->claims));
    CLID_TRY(check_claims(p->claims, p));
    CLID_TRY(parse_sig(d2 + 1, s_len, p));

    p->signing_input = clid__strndup(jws, h_len + 1 + c_len);
    CLID_ENSURE(p->signing_input != NULL, CLID_ERR_NOMEM);
    p->signing_input_len = h_len + 1 + c_len;
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* Building                                                                  */
/* ------------------------------------------------------------------------ */

/* Serialized header or claims of a clid-built PASSporT stay below this
 * (16 destinations of 15 digits; a URL of at most 2 KiB, each character
 * escaped at worst). */
#define JSON_OUT_MAX 4608
#define X5U_MAX 2048

static int valid_input(const clid__passport_in *in)
{
    if (in->ppt == NULL || in->x5u == NULL || in->orig == NULL || in->dest == NULL)
        return 0;
    int shaken = strcmp(in->ppt, "shaken") == 0;
    int div_o = strcmp(in->ppt, "div-o") == 0;
    int div = div_o || strcmp(in->ppt, "div") == 0;
    /* RFC 8946 §5: div-o and only div-o carries the original, in full form */
    size_t opt_len = in->opt != NULL ? strnlen(in->opt, CLID_PASSPORT_MAX_LEN + 1) : 0;
    if (div_o != (in->opt != NULL) || opt_len > CLID_PASSPORT_MAX_LEN ||
        (div_o && !is_full_jws(in->opt, opt_len)))
        return 0;
    int rcd = strcmp(in->ppt, "rcd") == 0;
    size_t x5u_len = strnlen(in->x5u, X5U_MAX + 1);
    /* RFC 9795 §4: ppt "rcd" carries the rcd claims; a div PASSporT vouches
     * for the diverting number only (RFC 8946 §3), never for a caller's
     * name, so it carries none. */
    if ((rcd && in->rcd == NULL) || (div && in->rcd != NULL))
        return 0;
    if ((!shaken && !div && !rcd) || x5u_len > X5U_MAX ||
        !clid__is_printable_ascii(in->x5u, x5u_len))
        return 0;
    if (in->iat < 0 || !clid__is_tn(in->orig, strnlen(in->orig, CLID_TN_BUF)))
        return 0;
    if (in->dest_count < 1 || in->dest_count > CLID_PASSPORT_MAX_DEST)
        return 0;
    for (size_t i = 0; i < in->dest_count; i++)
        if (in->dest[i] == NULL || !clid__is_tn(in->dest[i], strnlen(in->dest[i], CLID_TN_BUF)))
            return 0;
    if (shaken)
        return (in->attest == 'A' || in->attest == 'B' || in->attest == 'C') &&
               clid__is_uuid(in->origid);
    if (rcd)
        return 1;
    return in->div != NULL && clid__is_tn(in->div, strnlen(in->div, CLID_TN_BUF));
}

/*
 * The canonical serialization (RFC 8225 §9: members in lexicographic order,
 * no whitespace) is jansson's JSON_COMPACT output of objects whose members
 * were added in lexicographic order, dumped into a stack buffer with
 * json_dumpb. With JSON_PRESERVE_ORDER jansson writes members in the order
 * they were first inserted (its documented meaning), so this is byte for
 * byte what JSON_SORT_KEYS gives, without sorting the keys of every object
 * for every PASSporT (about 0.1 µs of a ~3 µs signing overhead,
 * docs/performance.md). lib/tests/passport/test_passport.c checks the bytes against
 * a JSON_SORT_KEYS dump of the same claims built in another order
 * (matches_jansson) and against secsipidx (golden_secsipidx).
 */
#define JSON_DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER)

static int obj_set(json_t *obj, const char *key, json_t *val)
{
    /* json_object_set_new takes ownership of val even on failure. */
    return val != NULL && json_object_set_new_nocheck(obj, key, val) == 0;
}

static json_t *tn_object(const char *tn)
{
    json_t *o = json_object();
    if (o != NULL && !obj_set(o, "tn", json_string_nocheck(tn))) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *build_header(const clid__passport_in *in)
{
    json_t *h = json_object();
    if (h == NULL)
        return NULL;
    if (!obj_set(h, "alg", json_string_nocheck("ES256")) ||
        !obj_set(h, "ppt", json_string_nocheck(in->ppt)) ||
        !obj_set(h, "typ", json_string_nocheck("passport")) ||
        !obj_set(h, "x5u", json_string_nocheck(in->x5u))) {
        json_decref(h);
        return NULL;
    }
    return h;
}

/* shaken (RFC 8588 §4): attest, dest, iat, orig, origid;
 * div (RFC 8946 §3): dest, div, iat, orig, and no attest/origid;
 * div-o (RFC 8946 §5): dest, div, iat, opt, orig.
 * Members are added in exactly that (lexicographic) order: see
 * JSON_DUMP_FLAGS. */
static json_t *build_claims(const clid__passport_in *in)
{
    int div = strcmp(in->ppt, "div") == 0 || strcmp(in->ppt, "div-o") == 0;
    int shaken = strcmp(in->ppt, "shaken") == 0;
    json_t *c = json_object();
    json_t *dest = json_object();
    json_t *tns = json_array();
    int ok = c != NULL && dest != NULL && tns != NULL;
    for (size_t i = 0; ok && i < in->dest_count; i++)
        ok = json_array_append_new(tns, json_string_nocheck(in->dest[i])) == 0;
    if (ok) {
        ok = json_object_set_new_nocheck(dest, "tn", tns) == 0;
        tns = NULL;
    }
    if (ok && shaken) {
        char attest[2] = {in->attest, '\0'};
        ok = obj_set(c, "attest", json_string_nocheck(attest));
    }
    if (ok) {
        ok = json_object_set_new_nocheck(c, "dest", dest) == 0;
        dest = NULL;
    }
    if (ok && div)
        ok = obj_set(c, "div", tn_object(in->div));
    ok = ok && obj_set(c, "iat", json_integer((json_int_t)in->iat));
    if (ok && in->opt != NULL)
        ok = obj_set(c, "opt", json_string_nocheck(in->opt));
    ok = ok && obj_set(c, "orig", tn_object(in->orig));
    if (ok && shaken)
        ok = obj_set(c, "origid", json_string_nocheck(in->origid));
    json_decref(tns);
    json_decref(dest);
    if (!ok) {
        json_decref(c);
        return NULL;
    }
    return c;
}

/* Dumps `v` canonically into buf[cap] and base64url-encodes it into out. */
static clid_err dump_part(json_t *v, char *buf, size_t cap, size_t *len)
{
    CLID_ENSURE(v != NULL, CLID_ERR_NOMEM);
    size_t n = json_dumpb(v, buf, cap, JSON_DUMP_FLAGS);
    json_decref(v);
    CLID_ENSURE(n > 0, CLID_ERR_NOMEM);
    CLID_ENSURE(n <= cap, CLID_ERR_INVALID_ARGUMENT); /* cannot happen for valid input */
    *len = n;
    return CLID_OK;
}

/*
 * Claims with Rich Call Data (RFC 9795), or with a div-o's original (RFC
 * 8946 §5): the rcd, crn and rcdi members (passport/rcd.c) sit between the
 * others in lexicographic order and hold objects of their own, and "opt"
 * can be as long as a PASSporT, so these claims are dumped with
 * JSON_SORT_KEYS (RFC 8225 §9) into a heap buffer as large as an Identity
 * header; larger claims could never be sent (CLID_ERR_IDENTITY_TOO_LARGE).
 */
static clid_err dump_large_claims(const clid__passport_in *in, char **out, size_t *len)
{
    json_t *c = build_claims(in);
    CLID_ENSURE(c != NULL, CLID_ERR_NOMEM);
    clid_err rc = in->rcd != NULL ? clid__rcd_add_claims(c, in->rcd) : CLID_OK;
    char *buf = rc == CLID_OK ? malloc(CLID_PASSPORT_MAX_LEN) : NULL;
    if (rc == CLID_OK && buf == NULL)
        rc = CLID_ERR_NOMEM;
    if (rc == CLID_OK) {
        size_t n = json_dumpb(c, buf, CLID_PASSPORT_MAX_LEN, JSON_COMPACT | JSON_SORT_KEYS);
        if (n == 0)
            rc = CLID_ERR_NOMEM;
        else if (n > CLID_PASSPORT_MAX_LEN)
            rc = CLID_ERR_IDENTITY_TOO_LARGE;
        *len = n;
    }
    json_decref(c);
    if (rc != CLID_OK) {
        free(buf);
        *len = 0;
        return rc;
    }
    *out = buf;
    return CLID_OK;
}

clid_err clid__passport_header_b64(const char *ppt, const char *x5u, char **out, size_t *out_len)
{
    CLID_ENSURE(out != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    *out_len = 0;
    CLID_ENSURE(ppt != NULL && x5u != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(strcmp(ppt, "shaken") == 0 || strcmp(ppt, "div") == 0 ||
                    strcmp(ppt, "div-o") == 0 || strcmp(ppt, "rcd") == 0,
                CLID_ERR_INVALID_ARGUMENT);
    size_t x5u_len = strnlen(x5u, X5U_MAX + 1);
    CLID_ENSURE(x5u_len <= X5U_MAX && clid__is_printable_ascii(x5u, x5u_len),
                CLID_ERR_INVALID_ARGUMENT);

    clid__passport_in in = {.ppt = ppt, .x5u = x5u};
    char hbuf[JSON_OUT_MAX];
    size_t hlen = 0;
    CLID_TRY(dump_part(build_header(&in), hbuf, sizeof hbuf, &hlen));
    size_t eh = clid__b64url_encoded_len(hlen);
    char *s = malloc(eh + 1);
    CLID_ENSURE(s != NULL, CLID_ERR_NOMEM);
    clid__b64url_encode((const uint8_t *)hbuf, hlen, s);
    s[eh] = '\0';
    *out = s;
    *out_len = eh;
    return CLID_OK;
}

clid_err clid__passport_signing_input(const clid__passport_in *in, char **out, size_t *out_len)
{
    CLID_ENSURE(out != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    *out_len = 0;
    CLID_ENSURE(in != NULL && valid_input(in), CLID_ERR_INVALID_ARGUMENT);

    /* The header: the caller's encoding of it, or built here. */
    char *own_header = NULL;
    const char *hdr = in->header_b64;
    size_t eh = in->header_b64_len;
    if (hdr == NULL) {
        CLID_TRY(clid__passport_header_b64(in->ppt, in->x5u, &own_header, &eh));
        hdr = own_header;
    }

    char cbuf[JSON_OUT_MAX];
    char *rbuf = NULL; /* claims with rcd: larger, on the heap */
    const char *claims = cbuf;
    size_t clen = 0;
    clid_err rc = in->rcd != NULL || in->opt != NULL
                      ? dump_large_claims(in, &rbuf, &clen)
                      : dump_part(build_claims(in), cbuf, sizeof cbuf, &clen);
    if (rbuf != NULL)
        claims = rbuf;
    size_t ec = clid__b64url_encoded_len(clen);
    char *s = rc == CLID_OK ? malloc(eh + 1 + ec + 1) : NULL;
    if (rc == CLID_OK && s == NULL)
        rc = CLID_ERR_NOMEM;
    if (rc == CLID_OK) {
        memcpy(s, hdr, eh);
        s[eh] = '.';
        clid__b64url_encode((const uint8_t *)claims, clen, s + eh + 1);
        s[eh + 1 + ec] = '\0';
        *out = s;
        *out_len = eh + 1 + ec;
    }
    free(rbuf);
    free(own_header);
    return rc;
}
