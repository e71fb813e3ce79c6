/*
 * The "explain everything" checks of one Identity header value (grade.h).
 * Unlike a verifier, which stops at the first reason to refuse, these go
 * on after each finding so a participant learns every defect at once.
 * The value is parsed here with jansson and OpenSSL only (the tool sees
 * the public API, and the library's parser stops at the first error).
 *
 * Clauses: RFC 8224 §4.1 (header syntax, parameters), RFC 7515 §2 and
 * RFC 4648 §5 (base64url without padding), RFC 7515 §5.2 and RFC 7519 §4
 * (no repeated members), RFC 8225 §4, §5 (JOSE header, claims), RFC 8588
 * §3-§4 (SHAKEN ppt, attest, origid), RFC 7518 §3.4 (ES256 r‖s),
 * ATIS-1000074 §5.3.1-§5.3.3 (SHAKEN header, claims, full form).
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/ec.h>
#include <openssl/evp.h>

#include "conform/grade.h"

void grade_add(json_t *defects, const char *id, const char *clause, const char *reason,
               const char *fmt, ...)
{
    char text[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    json_t *d = json_object();
    if (d == NULL)
        return;
    json_object_set_new(d, "id", json_string(id));
    json_object_set_new(d, "clause", json_string(clause));
    /* Quoted participant text may hold anything: never let it break JSON. */
    json_t *t = json_string(text);
    json_object_set_new(d, "text", t ? t : json_string("(unprintable)"));
    if (reason != NULL)
        json_object_set_new(d, "reason", json_string(reason));
    json_array_append_new(defects, d);
}

int grade_has_reason(const json_t *defects, const char *reason)
{
    size_t i;
    json_t *d;
    json_array_foreach(defects, i, d) {
        const char *r = json_string_value(json_object_get(d, "reason"));
        if (r != NULL && strcmp(r, reason) == 0)
            return 1;
    }
    return 0;
}

/* A participant's string, shown in a message: printable ASCII, cut at 60. */
static const char *show(const char *s, char buf[80])
{
    size_t j = 0;
    for (size_t i = 0; s[i] && j < 60; i++)
        buf[j++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
    if (strlen(s) > 60) {
        memcpy(buf + j, "...", 3);
        j += 3;
    }
    buf[j] = '\0';
    return buf;
}

/* --- base64url ------------------------------------------------------------ */

/*
 * Decodes one JWS part into a malloc'ed buffer, reporting every way it is
 * not unpadded base64url. Returns NULL (and reports) when it cannot be
 * decoded at all; an empty part decodes to an empty buffer.
 */
static unsigned char *b64url(const char *part, size_t n, const char *what, json_t *defects,
                             size_t *outlen)
{
    size_t pad = 0, std = 0, bad = 0, data = 0;
    char badc = 0;
    for (size_t i = 0; i < n; i++) {
        char c = part[i];
        if (c == '=')
            pad++;
        else if (c == '+' || c == '/')
            std++, data++;
        else if (isalnum((unsigned char)c) || c == '-' || c == '_')
            data++;
        else if (!bad++)
            badc = c;
        if (c != '=' && pad > 0 && !bad++)
            badc = c; /* data after padding */
    }
    if (pad > 0)
        grade_add(defects, "b64.padding", "RFC 7515 §2", "CLID_ERR_BASE64",
                  "the %s ends with %zu '=' padding character%s; RFC 7515 §2 requires base64url "
                  "without padding",
                  what, pad, pad > 1 ? "s" : "");
    if (std > 0)
        grade_add(defects, "b64.alphabet", "RFC 7515 §2; RFC 4648 §5", "CLID_ERR_BASE64",
                  "the %s uses the base64 characters '+' or '/'; RFC 7515 §2 requires the "
                  "base64url alphabet of RFC 4648 §5 ('-' and '_')",
                  what);
    if (bad > 0) {
        grade_add(defects, "b64.garbage", "RFC 7515 §2; RFC 4648 §5", "CLID_ERR_BASE64",
                  "the %s is not base64url: it holds the character 0x%02x; RFC 7515 §2 requires "
                  "base64url (RFC 4648 §5)",
                  what, (unsigned char)badc);
        return NULL;
    }
    if (data % 4 == 1) {
        grade_add(defects, "b64.length", "RFC 4648 §5", "CLID_ERR_BASE64",
                  "the %s has %zu base64url characters, a length no encoding produces (RFC 4648 "
                  "§5)",
                  what, data);
        return NULL;
    }
    /* OpenSSL decodes standard, padded base64: translate and pad. */
    size_t m = (data + 3) / 4 * 4;
    char *s = malloc(m + 1);
    unsigned char *out = malloc(m / 4 * 3 + 1);
    if (s == NULL || out == NULL) {
        free(s);
        free(out);
        return NULL;
    }
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        char c = part[i];
        if (c == '=')
            continue;
        s[j++] = c == '-' ? '+' : c == '_' ? '/' : c;
    }
    while (j < m)
        s[j++] = '=';
    s[j] = '\0';
    int len = m ? EVP_DecodeBlock(out, (unsigned char *)s, (int)m) : 0;
    free(s);
    if (len < 0) {
        free(out);
        grade_add(defects, "b64.garbage", "RFC 4648 §5", "CLID_ERR_BASE64",
                  "the %s cannot be decoded as base64url (RFC 4648 §5)", what);
        return NULL;
    }
    len -= (int)(m - data); /* the padding added decodes to nothing */
    *outlen = (size_t)len;
    return out;
}

/* --- JSON ----------------------------------------------------------------- */

static json_t *json_part(const unsigned char *buf, size_t len, const char *what, json_t *defects)
{
    json_error_t e;
    json_t *j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &e);
    if (j == NULL && strstr(e.text, "duplicate") != NULL) {
        char b[80];
        grade_add(defects, "json.duplicate", "RFC 7515 §5.2; RFC 7519 §4", "CLID_ERR_JSON",
                  "a member is repeated in the %s (%s); RFC 7515 §5.2 and RFC 7519 §4 require unique "
                  "names (readers may take either value)",
                  what, show(e.text, b));
        j = json_loadb((const char *)buf, len, 0, &e);
    }
    if (j == NULL) {
        char b[80];
        grade_add(defects, "json.syntax", "RFC 8225 §4; RFC 8259", "CLID_ERR_JSON",
                  "the %s is not JSON (%s at character %d); RFC 8225 requires a JSON object", what,
                  show(e.text, b), e.position);
        return NULL;
    }
    if (!json_is_object(j)) {
        grade_add(defects, "json.not-object", "RFC 8225 §4", "CLID_ERR_JSON",
                  "the %s is JSON but not an object; RFC 8225 requires a JSON object", what);
        json_decref(j);
        return NULL;
    }
    return j;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a fraction";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "?";
}

/* --- the JOSE header (RFC 8225 §4, ATIS-1000074 §5.3.1) ------------------------ */

static int url_is_https_clean(const char *u, json_t *defects, const char *what)
{
    char b[80];
    if (strncasecmp(u, "https://", 8) != 0) {
        grade_add(defects, "x5u.not-https", "ATIS-1000074 §5.3.1", "CLID_ERR_X5U_URL_POLICY",
                  "the %s URL '%s' is not https; ATIS-1000074 §5.3.1 requires an https URL", what,
                  show(u, b));
        return 0;
    }
    const char *host = u + 8;
    size_t hl = strcspn(host, "/?#");
    if (memchr(host, '@', hl) != NULL)
        grade_add(defects, "x5u.userinfo", "ATIS-1000074 §5.3.1", "CLID_ERR_X5U_URL_POLICY",
                  "the %s URL '%s' carries user information; ATIS-1000074 §5.3.1 forbids it",
                  what, show(u, b));
    if (strpbrk(host, "?#") != NULL)
        grade_add(defects, "x5u.query", "ATIS-1000074 §5.3.1", "CLID_ERR_X5U_URL_POLICY",
                  "the %s URL '%s' has a query or fragment; ATIS-1000074 §5.3.1 forbids them",
                  what, show(u, b));
    return 1;
}

typedef struct params {
    const char *info; /* the URL, without angle brackets */
    char *info_buf;
    int info_bracketed;
    const char *alg, *ppt;
    char *alg_buf, *ppt_buf;
} params;

static void header_checks(const json_t *h, const params *p, json_t *defects, const char **ppt_out)
{
    char b[80];
    const json_t *alg = json_object_get(h, "alg");
    if (alg == NULL)
        grade_add(defects, "hdr.alg-missing", "RFC 8225 §4; RFC 7515 §4.1.1", "CLID_ERR_PASSPORT_ALG",
                  "the JOSE header has no alg; RFC 8225 §4 requires alg ES256");
    else if (!json_is_string(alg))
        grade_add(defects, "hdr.alg-type", "RFC 8225 §4", "CLID_ERR_PASSPORT_ALG",
                  "the JOSE header's alg is %s; RFC 8225 §4 requires the string \"ES256\"",
                  type_name(alg));
    else if (strcmp(json_string_value(alg), "ES256") != 0)
        grade_add(defects, "hdr.alg", "RFC 8225 §4; ATIS-1000074 §5.3.1", "CLID_ERR_PASSPORT_ALG",
                  "the JOSE header's alg is \"%s\"; RFC 8225 §4 and ATIS-1000074 §5.3.1 require "
                  "\"ES256\"",
                  show(json_string_value(alg), b));

    const json_t *typ = json_object_get(h, "typ");
    if (typ == NULL)
        grade_add(defects, "hdr.typ-missing", "RFC 8225 §4", "CLID_ERR_PASSPORT_TYP",
                  "the JOSE header has no typ; RFC 8225 §4 requires typ \"passport\"");
    else if (!json_is_string(typ) || strcmp(json_string_value(typ), "passport") != 0)
        grade_add(defects, "hdr.typ", "RFC 8225 §4", "CLID_ERR_PASSPORT_TYP",
                  "the JOSE header's typ is %s%s%s; RFC 8225 §4 requires \"passport\"",
                  json_is_string(typ) ? "\"" : type_name(typ),
                  json_is_string(typ) ? show(json_string_value(typ), b) : "",
                  json_is_string(typ) ? "\"" : "");

    const json_t *ppt = json_object_get(h, "ppt");
    *ppt_out = json_string_value(ppt);
    if (ppt == NULL)
        grade_add(defects, "hdr.ppt-missing", "RFC 8588 §3", "CLID_ERR_PASSPORT_PPT",
                  "the JOSE header has no ppt; RFC 8588 §3 requires ppt \"shaken\"");
    else if (!json_is_string(ppt))
        grade_add(defects, "hdr.ppt-type", "RFC 8225 §8.1", "CLID_ERR_PASSPORT_PPT",
                  "the JOSE header's ppt is %s; RFC 8225 §8.1 requires a string", type_name(ppt));
    else if (strcmp(*ppt_out, "shaken") != 0 && strcmp(*ppt_out, "div") != 0)
        grade_add(defects, "hdr.ppt", "RFC 8588 §3", "CLID_ERR_PASSPORT_PPT_UNSUPPORTED",
                  "the JOSE header's ppt is \"%s\"; a SHAKEN call has ppt \"shaken\" (RFC 8588 §3)",
                  show(*ppt_out, b));

    /* RFC 7515 §4.1.11: a verifier that does not understand every name in
     * crit must reject the JWS; SHAKEN defines no such extension. */
    const json_t *crit = json_object_get(h, "crit");
    if (crit != NULL)
        grade_add(defects, "hdr.crit", "RFC 7515 §4.1.11; ATIS-1000074 §5.3.1", "CLID_ERR_JSON",
                  "the JOSE header has crit (%s); RFC 7515 §4.1.11 makes verifiers that do not "
                  "understand the extensions it names reject the PASSporT, and SHAKEN "
                  "(ATIS-1000074 §5.3.1) defines none",
                  json_is_array(crit) ? "critical extensions" : type_name(crit));

    const json_t *x5u = json_object_get(h, "x5u");
    if (x5u == NULL)
        grade_add(defects, "hdr.x5u-missing", "RFC 8225 §4; ATIS-1000074 §5.3.1",
                  "CLID_ERR_PASSPORT_X5U",
                  "the JOSE header has no x5u; RFC 8225 §4 and ATIS-1000074 §5.3.1 require the "
                  "certificate's URL there");
    else if (!json_is_string(x5u))
        grade_add(defects, "hdr.x5u-type", "RFC 8225 §4", "CLID_ERR_PASSPORT_X5U",
                  "the JOSE header's x5u is %s; RFC 8225 §4 requires a URL string",
                  type_name(x5u));
    else {
        url_is_https_clean(json_string_value(x5u), defects, "x5u");
        if (p->info != NULL && strcmp(p->info, json_string_value(x5u)) != 0)
            grade_add(defects, "hdr.x5u-info", "RFC 8225 §5.2.1; ATIS-1000074 §5.3.1",
                      "CLID_ERR_PASSPORT_X5U_MISMATCH",
                      "the JOSE header's x5u '%s' differs from the info parameter; "
                      "ATIS-1000074 §5.3.1 requires them equal",
                      show(json_string_value(x5u), b));
    }
    if (p->ppt != NULL && json_is_string(ppt) && strcmp(p->ppt, json_string_value(ppt)) != 0)
        grade_add(defects, "param.ppt-mismatch", "RFC 8224 §4.1", "CLID_ERR_IDENTITY_PPT",
                  "the ppt parameter \"%s\" differs from the PASSporT's ppt; RFC 8224 §4.1 "
                  "requires them equal",
                  show(p->ppt, b));
}

/* --- the claims (RFC 8225 §5, RFC 8588 §4) ----------------------------------------- */

/* A canonical TN (RFC 8224 §8.3): digits, '#', '*' only. */
static int canonical_tn(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s) && *s != '#' && *s != '*')
            return 0;
    return 1;
}

static int is_uuid(const char *s)
{
    static const int dash[] = {8, 13, 18, 23};
    if (strlen(s) != 36)
        return 0;
    for (int i = 0; i < 36; i++) {
        int want_dash = i == dash[0] || i == dash[1] || i == dash[2] || i == dash[3];
        if (want_dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
            return 0;
    }
    return 1;
}

/* 1 when the claim's TN names the same number as `want` once both are
 * canonicalized: a non-canonical claim is its own defect, not also a
 * binding one. */
static int same_tn(const json_t *claim, const char *want)
{
    char c[CLID_TN_BUF];
    if (!json_is_string(claim))
        return 0;
    if (clid_tn_canonicalize(json_string_value(claim), c) != CLID_OK)
        return strcmp(json_string_value(claim), want) == 0;
    return strcmp(c, want) == 0;
}

/* The TN a --orig/--dest names, canonicalized; "" if it cannot be. */
static void canon_arg(const char *in, char out[CLID_TN_BUF])
{
    if (in == NULL || clid_tn_canonicalize(in, out) != CLID_OK)
        out[0] = '\0';
}

static void tn_checks(const json_t *tn, const char *what, const char *reason, json_t *defects)
{
    char b[80];
    if (!json_is_string(tn))
        grade_add(defects, "claims.tn-type", "RFC 8225 §5.2.1", reason,
                  "%s is %s; RFC 8225 §5.2.1 requires a string", what, type_name(tn));
    else if (!canonical_tn(json_string_value(tn)))
        grade_add(defects, "claims.tn-canonical", "RFC 8225 §5.2.1; RFC 8224 §8.3",
                  "CLID_ERR_PASSPORT_TN_NOT_CANONICAL",
                  "%s \"%s\" is not canonical; RFC 8225 §5.2.1 requires the form of RFC 8224 §8.3 "
                  "(digits only: no '+', separators or URI)",
                  what, show(json_string_value(tn), b));
}

static void orig_checks(const json_t *c, const grade_call *call, json_t *defects)
{
    const json_t *orig = json_object_get(c, "orig");
    if (orig == NULL) {
        grade_add(defects, "claims.orig-missing", "RFC 8225 §5.2.1", "CLID_ERR_PASSPORT_ORIG",
                  "the claims have no orig; RFC 8225 §5.2.1 requires it");
        return;
    }
    const json_t *tn = json_object_get(orig, "tn");
    if (!json_is_object(orig) || tn == NULL) {
        grade_add(defects, "claims.orig-form", "RFC 8225 §5.2.1; ATIS-1000074 §5.3.2",
                  "CLID_ERR_PASSPORT_ORIG",
                  "orig is not {\"tn\": \"...\"}; a SHAKEN PASSporT names the caller as a "
                  "telephone number (RFC 8225 §5.2.1, ATIS-1000074 §5.3.2)");
        return;
    }
    tn_checks(tn, "orig.tn", "CLID_ERR_PASSPORT_ORIG", defects);
    char want[CLID_TN_BUF];
    canon_arg(call->orig, want);
    if (want[0] && json_is_string(tn) && !same_tn(tn, want)) {
        char b[80];
        grade_add(defects, "bind.orig", "RFC 8224 §5.1; RFC 8224 §6.2.2", "CLID_ERR_ORIG_MISMATCH",
                  "orig.tn \"%s\" is not the call's calling number %s; RFC 8224 §5.1 binds the "
                  "PASSporT to the request's caller",
                  show(json_string_value(tn), b), want);
    }
}

/* RFC 8946 §3: a div PASSporT's div claim names the diverting number, the
 * original called party, which a retargeted request keeps in To (clid's
 * callee); its dest is the new target. */
static void div_checks(const json_t *c, const grade_call *call, json_t *defects)
{
    const json_t *div = json_object_get(c, "div");
    const json_t *tn = json_object_get(div, "tn");
    if (!json_is_object(div) || tn == NULL) {
        grade_add(defects, "claims.div", "RFC 8946 §3", "CLID_ERR_PASSPORT_DIV",
                  "a div PASSporT without a div claim {\"tn\": \"...\"}; RFC 8946 §3 requires "
                  "the diverting number there");
        return;
    }
    tn_checks(tn, "div.tn", "CLID_ERR_PASSPORT_DIV", defects);
    char want[CLID_TN_BUF];
    canon_arg(call->dest, want);
    if (want[0] && json_is_string(tn) && !same_tn(tn, want)) {
        char b[80];
        grade_add(defects, "bind.div", "RFC 8946 §3", "CLID_ERR_DEST_MISMATCH",
                  "div.tn \"%s\" is not the call's called number %s (the diverting party the "
                  "request still names in To); RFC 8946 §3",
                  show(json_string_value(tn), b), want);
    }
}

static void dest_checks(const json_t *c, const grade_call *call, json_t *defects)
{
    const json_t *dest = json_object_get(c, "dest");
    if (dest == NULL) {
        grade_add(defects, "claims.dest-missing", "RFC 8225 §5.2.1", "CLID_ERR_PASSPORT_DEST",
                  "the claims have no dest; RFC 8225 §5.2.1 requires it");
        return;
    }
    if (!json_is_object(dest)) {
        grade_add(defects, "claims.dest-form", "RFC 8225 §5.2.1", "CLID_ERR_PASSPORT_DEST",
                  "dest is %s; RFC 8225 §5.2.1 requires an object {\"tn\": [...]}",
                  type_name(dest));
        return;
    }
    if (json_object_size(dest) > 1)
        grade_add(defects, "claims.dest-forms", "RFC 8225 §5.2.1; ATIS-1000074 §5.3.2",
                  "CLID_ERR_PASSPORT_DEST",
                  "dest carries %zu forms (%s); a SHAKEN PASSporT gives the called numbers once, "
                  "as \"tn\" (ATIS-1000074 §5.3.2)",
                  json_object_size(dest), json_object_get(dest, "uri") ? "tn and uri" : "several");
    const json_t *tn = json_object_get(dest, "tn");
    if (tn == NULL) {
        grade_add(defects, "claims.dest-no-tn", "ATIS-1000074 §5.3.2", "CLID_ERR_PASSPORT_DEST",
                  "dest has no \"tn\" array; a SHAKEN PASSporT names the called number as a "
                  "telephone number (ATIS-1000074 §5.3.2)");
        return;
    }
    if (!json_is_array(tn)) {
        grade_add(defects, "claims.dest-tn-array", "RFC 8225 §5.2.1", "CLID_ERR_PASSPORT_DEST",
                  "dest.tn is %s; RFC 8225 §5.2.1 requires an array of strings, even for one "
                  "number",
                  type_name(tn));
        if (json_is_string(tn))
            tn_checks(tn, "dest.tn", "CLID_ERR_PASSPORT_DEST", defects);
        return;
    }
    if (json_array_size(tn) == 0)
        grade_add(defects, "claims.dest-empty", "RFC 8225 §5.2.1", "CLID_ERR_PASSPORT_DEST",
                  "dest.tn is empty; RFC 8225 §5.2.1 requires at least one number");
    size_t i;
    json_t *e;
    int found = 0;
    char want[CLID_TN_BUF];
    canon_arg(call->dest, want);
    json_array_foreach(tn, i, e) {
        char what[32];
        snprintf(what, sizeof what, "dest.tn[%zu]", i);
        tn_checks(e, what, "CLID_ERR_PASSPORT_DEST", defects);
        if (same_tn(e, want))
            found = 1;
    }
    if (want[0] && !found)
        grade_add(defects, "bind.dest", "RFC 8224 §5.1; RFC 8224 §6.2.2", "CLID_ERR_DEST_MISMATCH",
                  "dest.tn does not hold the call's called number %s; RFC 8224 §5.1 binds the "
                  "PASSporT to the request's callee",
                  want);
}

static int64_t iat_checks(const json_t *c, const grade_call *call, json_t *defects)
{
    char b[80];
    const json_t *iat = json_object_get(c, "iat");
    if (iat == NULL) {
        grade_add(defects, "claims.iat-missing", "RFC 8225 §5.1.1", "CLID_ERR_PASSPORT_IAT",
                  "the claims have no iat; RFC 8225 §5.1.1 requires it");
        return 0;
    }
    if (json_is_string(iat)) {
        grade_add(defects, "claims.iat-string", "RFC 8225 §5.1.1; RFC 7519 §2",
                  "CLID_ERR_PASSPORT_IAT",
                  "iat is the string \"%s\"; RFC 8225 §5.1.1 requires a NumericDate, a JSON "
                  "number (RFC 7519 §2; RFC 8588 erratum 6656)",
                  show(json_string_value(iat), b));
        return 0;
    }
    if (json_is_real(iat)) {
        grade_add(defects, "claims.iat-fraction", "RFC 8225 §5.1.1", "CLID_ERR_PASSPORT_IAT",
                  "iat is %.3f, not a whole number of seconds; RFC 8225 §5.1.1 requires an "
                  "integer",
                  json_real_value(iat));
        /* The whole seconds still serve as the verification time (grade.h),
         * but only a positive value an int64_t holds: casting a negative or
         * huge double would hand the verifier a time before 1970, or be
         * undefined behaviour (C11 6.3.1.4). */
        double v = json_real_value(iat);
        return v >= 1.0 && v < 9.0e18 ? (int64_t)v : 0;
    }
    if (!json_is_integer(iat) || json_integer_value(iat) <= 0) {
        grade_add(defects, "claims.iat-type", "RFC 8225 §5.1.1", "CLID_ERR_PASSPORT_IAT",
                  "iat is %s; RFC 8225 §5.1.1 requires a positive NumericDate",
                  json_is_integer(iat) ? "not positive" : type_name(iat));
        return 0;
    }
    int64_t t = (int64_t)json_integer_value(iat);
    unsigned age = call->max_age;
    if (call->date != 0) {
        long long d = (long long)(call->date - t);
        if (d > (long long)age || -d > (long long)age)
            grade_add(defects, "fresh.date", "RFC 8224 §4.1", "CLID_ERR_DATE_MISMATCH",
                      "iat is %lld s %s the Date header; RFC 8224 §4.1 requires them within the "
                      "freshness window (%u s)",
                      d > 0 ? d : -d, d > 0 ? "before" : "after", age);
    }
    if (call->at != 0) {
        long long d = (long long)(call->at - t);
        if (d > (long long)age)
            grade_add(defects, "fresh.stale", "RFC 8224 §6.2.2", "CLID_ERR_IAT_STALE",
                      "iat is %lld s before the time it was received (--at); a verifier refuses "
                      "an iat older than %u s (RFC 8224 §6.2.2: 403 Stale Date)",
                      d, age);
        else if (-d > (long long)CLID_DEFAULT_MAX_SKEW)
            grade_add(defects, "fresh.future", "RFC 8224 §6.2.2", "CLID_ERR_IAT_FUTURE",
                      "iat is %lld s after the time it was received (--at): the signer's clock is "
                      "ahead; a verifier refuses it (RFC 8224 §6.2.2)",
                      -d);
    }
    return t;
}

static void shaken_checks(const json_t *c, json_t *defects)
{
    char b[80];
    const json_t *attest = json_object_get(c, "attest");
    if (attest == NULL)
        grade_add(defects, "claims.attest-missing", "RFC 8588 §4", "CLID_ERR_PASSPORT_ATTEST",
                  "the claims have no attest; RFC 8588 §4 requires attest A, B or C");
    else if (!json_is_string(attest))
        grade_add(defects, "claims.attest-type", "RFC 8588 §4", "CLID_ERR_PASSPORT_ATTEST",
                  "attest is %s; RFC 8588 §4 requires the string \"A\", \"B\" or \"C\"",
                  type_name(attest));
    else {
        const char *a = json_string_value(attest);
        if (strlen(a) == 1 && (a[0] == 'a' || a[0] == 'b' || a[0] == 'c'))
            grade_add(defects, "claims.attest-case", "RFC 8588 §4", "CLID_ERR_PASSPORT_ATTEST",
                      "attest is \"%s\" in lower case; RFC 8588 §4 allows only \"A\", \"B\" or "
                      "\"C\"",
                      a);
        else if (strlen(a) != 1 || (a[0] != 'A' && a[0] != 'B' && a[0] != 'C'))
            grade_add(defects, "claims.attest", "RFC 8588 §4", "CLID_ERR_PASSPORT_ATTEST",
                      "attest is \"%s\"; RFC 8588 §4 allows only \"A\", \"B\" or \"C\"",
                      show(a, b));
    }
    const json_t *origid = json_object_get(c, "origid");
    if (origid == NULL)
        grade_add(defects, "claims.origid-missing", "RFC 8588 §4", "CLID_ERR_PASSPORT_ORIGID",
                  "the claims have no origid; RFC 8588 §4 requires a UUID there");
    else if (!json_is_string(origid))
        grade_add(defects, "claims.origid-type", "RFC 8588 §4", "CLID_ERR_PASSPORT_ORIGID",
                  "origid is %s; RFC 8588 §4 requires a UUID string", type_name(origid));
    else if (!is_uuid(json_string_value(origid)))
        grade_add(defects, "claims.origid-uuid", "RFC 8588 §4; RFC 4122 §3",
                  json_string_value(origid)[0] ? "CLID_ERR_PASSPORT_ORIGID_NOT_UUID"
                                               : "CLID_ERR_PASSPORT_ORIGID",
                  "origid \"%s\" is not a UUID; RFC 8588 §4 requires one (RFC 4122 §3: "
                  "8-4-4-4-12 hexadecimal digits)",
                  show(json_string_value(origid), b));
}

/* --- the signature (RFC 7518 §3.4) --------------------------------------------------- */

static void signature_checks(const unsigned char *sig, size_t len, json_t *defects)
{
    if (len == 64)
        return;
    const unsigned char *p = sig;
    ECDSA_SIG *s = len > 0 ? d2i_ECDSA_SIG(NULL, &p, (long)len) : NULL;
    int der = s != NULL && (size_t)(p - sig) == len;
    ECDSA_SIG_free(s);
    if (der)
        grade_add(defects, "sig.der", "RFC 7518 §3.4", "CLID_ERR_SIGNATURE_FORMAT",
                  "the signature is DER-encoded (%zu bytes); RFC 7518 §3.4 requires the 64-byte "
                  "r‖s form",
                  len);
    else
        grade_add(defects, "sig.length", "RFC 7518 §3.4", "CLID_ERR_SIGNATURE_FORMAT",
                  "the signature has %zu bytes; RFC 7518 §3.4 requires 64 (r‖s, 32 bytes each)",
                  len);
}

/* --- the header value (RFC 8224 §4.1) -------------------------------------------------- */

static char *dup_n(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

/* Reads the ;parameters after the PASSporT; reports their defects. */
static void parse_params(const char *s, params *p, json_t *defects)
{
    char b[80];
    int n_info = 0, n_alg = 0, n_ppt = 0;
    while (*s == ';') {
        s++;
        while (*s == ' ' || *s == '\t')
            s++;
        size_t nl = strcspn(s, "=;");
        const char *name = s;
        s += nl;
        const char *val = "";
        size_t vl = 0;
        if (*s == '=') {
            s++;
            val = s;
            if (*s == '<') {
                const char *end = strchr(s, '>');
                vl = end ? (size_t)(end - s) + 1 : strlen(s);
            } else if (*s == '"') {
                const char *end = strchr(s + 1, '"');
                vl = end ? (size_t)(end - s) + 1 : strlen(s);
            } else {
                vl = strcspn(s, ";");
            }
            s += vl;
            while (*s && *s != ';')
                s++; /* trailing junk after a quoted or bracketed value */
        }
        while (nl > 0 && (name[nl - 1] == ' ' || name[nl - 1] == '\t'))
            nl--;
        if (nl == 4 && strncasecmp(name, "info", 4) == 0) {
            n_info++;
            free(p->info_buf);
            p->info_bracketed = vl >= 2 && val[0] == '<' && val[vl - 1] == '>';
            p->info_buf = p->info_bracketed ? dup_n(val + 1, vl - 2) : dup_n(val, vl);
            p->info = p->info_buf;
        } else if (nl == 3 && strncasecmp(name, "alg", 3) == 0) {
            n_alg++;
            free(p->alg_buf);
            p->alg = p->alg_buf = dup_n(val, vl);
        } else if (nl == 3 && strncasecmp(name, "ppt", 3) == 0) {
            n_ppt++;
            free(p->ppt_buf);
            /* RFC 8224 §4.1: ppt-param = "ppt" EQUAL DQUOTE? token: quotes are allowed. */
            if (vl >= 2 && val[0] == '"' && val[vl - 1] == '"')
                p->ppt = p->ppt_buf = dup_n(val + 1, vl - 2);
            else
                p->ppt = p->ppt_buf = dup_n(val, vl);
        }
    }
    if (*s != '\0')
        grade_add(defects, "param.syntax", "RFC 8224 §4.1", "CLID_ERR_IDENTITY_SYNTAX",
                  "the header value has text after the PASSporT that is no ;parameter ('%s'); "
                  "RFC 8224 §4.1",
                  show(s, b));
    if (n_info > 1 || n_alg > 1 || n_ppt > 1)
        grade_add(defects, "param.repeated", "RFC 8224 §4.1", "CLID_ERR_IDENTITY_SYNTAX",
                  "a parameter is given more than once (info %d, alg %d, ppt %d); RFC 8224 §4.1 "
                  "has each once",
                  n_info, n_alg, n_ppt);
    if (p->info == NULL)
        grade_add(defects, "param.info-missing", "RFC 8224 §4.1", "CLID_ERR_IDENTITY_NO_INFO",
                  "the header value has no info parameter; RFC 8224 §4.1 requires "
                  "info=<URL of the signer's certificate>");
    else {
        if (!p->info_bracketed)
            grade_add(defects, "param.info-brackets", "RFC 8224 §4.1", NULL,
                      "the info URL is not in angle brackets; the RFC 8224 §4.1 grammar writes "
                      "info=<URL> (verifiers tolerate it; signers should not rely on that)");
        url_is_https_clean(p->info, defects, "info");
    }
    if (p->alg == NULL)
        grade_add(defects, "param.alg-missing", "RFC 8224 §4.1; ATIS-1000074 §5.3.1",
                  "CLID_ERR_IDENTITY_ALG_ABSENT",
                  "the header value has no alg parameter; SHAKEN signers send alg=ES256 "
                  "(RFC 8224 §4.1, ATIS-1000074 §5.3.1)");
    else if (strcmp(p->alg, "ES256") != 0)
        grade_add(defects, "param.alg", "RFC 8224 §4.1", "CLID_ERR_IDENTITY_ALG",
                  "the alg parameter is '%s'; RFC 8224 §4.1 and SHAKEN require ES256",
                  show(p->alg, b));
    if (p->ppt == NULL)
        grade_add(defects, "param.ppt-missing", "RFC 8224 §4.1", "CLID_ERR_IDENTITY_PPT_ABSENT",
                  "the header value has no ppt parameter; RFC 8224 §4.1 requires ppt for a "
                  "PASSporT that has a ppt (here: ppt=shaken)");
}

void grade_identity_checks(const char *value, const grade_call *call, json_t *defects,
                           grade_facts *out)
{
    out->iat = 0;
    out->div = 0;
    while (*value == ' ' || *value == '\t')
        value++;
    size_t len = strlen(value);
    if (len == 0) {
        grade_add(defects, "value.empty", "RFC 8224 §4.1", "CLID_ERR_NO_IDENTITY",
                  "the Identity header is empty; RFC 8224 §4.1 requires a signed PASSporT");
        return;
    }
    if (len > CLID_IDENTITY_MAX_LEN)
        grade_add(defects, "value.too-large", "RFC 8224 §4.1", "CLID_ERR_IDENTITY_TOO_LARGE",
                  "the header value has %zu bytes; verifiers refuse more than %d (clid's "
                  "bound; a SHAKEN value is about 500)",
                  len, CLID_IDENTITY_MAX_LEN);
    size_t tl = strcspn(value, ";");
    const char *dot1 = memchr(value, '.', tl);
    const char *dot2 = dot1 ? memchr(dot1 + 1, '.', tl - (size_t)(dot1 + 1 - value)) : NULL;
    if (dot2 == NULL || memchr(dot2 + 1, '.', tl - (size_t)(dot2 + 1 - value)) != NULL) {
        grade_add(defects, "jws.parts", "RFC 7515 §7.1; RFC 8224 §4.1", "CLID_ERR_JWS_SYNTAX",
                  "the PASSporT is not three base64url parts separated by '.' (RFC 7515 §7.1)");
        return;
    }
    params p = {0};
    parse_params(value + tl, &p, defects);

    const char *h = value, *c = dot1 + 1, *s = dot2 + 1;
    size_t hl = (size_t)(dot1 - h), cl = (size_t)(dot2 - c), sl = (size_t)(value + tl - s);
    size_t hn = 0, cn = 0, sn = 0;
    unsigned char *hb = NULL, *cb = NULL, *sb = NULL;
    if (hl == 0 && cl == 0) {
        grade_add(defects, "jws.compact", "ATIS-1000074 §5.3.3; RFC 8225 §7",
                  "CLID_ERR_PASSPORT_COMPACT",
                  "the PASSporT is in compact form (no header and claims); ATIS-1000074 §5.3.3 "
                  "requires the full form");
    } else {
        hb = b64url(h, hl, "JOSE header", defects, &hn);
        cb = b64url(c, cl, "claims", defects, &cn);
    }
    sb = b64url(s, sl, "signature", defects, &sn);
    if (sb != NULL)
        signature_checks(sb, sn, defects);

    json_t *hj = hb ? json_part(hb, hn, "JOSE header", defects) : NULL;
    json_t *cj = cb ? json_part(cb, cn, "claims", defects) : NULL;
    const char *ppt = NULL;
    if (hj != NULL)
        header_checks(hj, &p, defects, &ppt);
    if (cj != NULL) {
        int is_div = ppt != NULL && strcmp(ppt, "div") == 0;
        out->div = is_div;
        orig_checks(cj, call, defects);
        if (is_div) {
            /* dest is the new target, which the request may name only in
             * its Request-URI: not compared; div is. */
            grade_call nodest = *call;
            nodest.dest = NULL;
            dest_checks(cj, &nodest, defects);
            div_checks(cj, call, defects);
        } else {
            dest_checks(cj, call, defects);
        }
        out->iat = iat_checks(cj, call, defects);
        if (!is_div)
            shaken_checks(cj, defects);
    }
    json_decref(hj);
    json_decref(cj);
    free(hb);
    free(cb);
    free(sb);
    free(p.info_buf);
    free(p.alg_buf);
    free(p.ppt_buf);
}
