/*
 * The named corruptions (corrupt.h): each edits exactly one thing of a
 * case's Identity header, so that a case carries one defect. The clause a
 * corruption violates is the catalogue entry's; here only what is changed.
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>

#include "conform/corrupt.h"

/* ---- helpers ------------------------------------------------------------ */

static int set_str(json_t *o, const char *k, const char *v)
{
    return o == NULL ? -1 : json_object_set_new(o, k, json_string(v));
}

static int del(json_t *o, const char *k)
{
    return o == NULL ? -1 : json_object_del(o, k);
}

static int replace(char **slot, char *v)
{
    if (v == NULL)
        return -1;
    free(*slot);
    *slot = v;
    return 0;
}

int conform_msg_find_param(const conform_msg *m, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < m->nparams; i++)
        if (strncmp(m->param[i], name, n) == 0 && m->param[i][n] == '=')
            return (int)i;
    return -1;
}

int conform_msg_set_param(conform_msg *m, const char *name, const char *text)
{
    int i = conform_msg_find_param(m, name);
    if (text == NULL) {
        if (i < 0)
            return -1;
        free(m->param[i]);
        memmove(&m->param[i], &m->param[i + 1], (m->nparams - (size_t)i - 1) * sizeof(char *));
        m->nparams--;
        return 0;
    }
    char *v = strdup(text);
    if (v == NULL)
        return -1;
    if (i >= 0) {
        free(m->param[i]);
        m->param[i] = v;
        return 0;
    }
    if (m->nparams == CONFORM_MAX_PARAMS) {
        free(v);
        return -1;
    }
    m->param[m->nparams++] = v;
    return 0;
}

char *conform_b64url(const uint8_t *p, size_t n)
{
    static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char *o = malloc(n / 3 * 4 + 5);
    if (o == NULL)
        return NULL;
    size_t j = 0;
    for (size_t i = 0; i < n; i += 3) {
        uint32_t v = (uint32_t)p[i] << 16;
        if (i + 1 < n)
            v |= (uint32_t)p[i + 1] << 8;
        if (i + 2 < n)
            v |= p[i + 2];
        o[j++] = a[v >> 18 & 63];
        o[j++] = a[v >> 12 & 63];
        if (i + 1 < n)
            o[j++] = a[v >> 6 & 63];
        if (i + 2 < n)
            o[j++] = a[v & 63];
    }
    o[j] = '\0';
    return o;
}

static int b64val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

uint8_t *conform_b64url_decode(const char *s, size_t *n)
{
    size_t len = strlen(s);
    if (len % 4 == 1)
        return NULL;
    uint8_t *o = malloc(len / 4 * 3 + 3);
    if (o == NULL)
        return NULL;
    size_t j = 0;
    uint32_t acc = 0;
    int bits = 0;
    for (size_t i = 0; i < len; i++) {
        int v = b64val(s[i]);
        if (v < 0) {
            free(o);
            return NULL;
        }
        acc = acc << 6 | (uint32_t)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            o[j++] = (uint8_t)(acc >> bits);
        }
    }
    *n = j;
    return o;
}

size_t conform_sig_to_der(const uint8_t raw[64], uint8_t *out, size_t cap)
{
    ECDSA_SIG *s = ECDSA_SIG_new();
    BIGNUM *r = BN_bin2bn(raw, 32, NULL), *t = BN_bin2bn(raw + 32, 32, NULL);
    size_t n = 0;
    if (s != NULL && r != NULL && t != NULL && ECDSA_SIG_set0(s, r, t) == 1) {
        r = t = NULL; /* owned by s */
        int len = i2d_ECDSA_SIG(s, NULL);
        if (len > 0 && (size_t)len <= cap) {
            uint8_t *p = out;
            n = i2d_ECDSA_SIG(s, &p) == len ? (size_t)len : 0;
        }
    }
    BN_free(r);
    BN_free(t);
    ECDSA_SIG_free(s);
    return n;
}

/* ---- JSON stage: the JOSE header and the claims ------------------------ */

static int jose_ppt_absent(conform_msg *m) { return del(m->jose, "ppt"); }
static int jose_ppt_unknown(conform_msg *m) { return set_str(m->jose, "ppt", "foo"); }
static int jose_typ_jwt(conform_msg *m) { return set_str(m->jose, "typ", "JWT"); }
static int jose_alg_none(conform_msg *m) { return set_str(m->jose, "alg", "none"); }
static int jose_alg_hs256(conform_msg *m) { return set_str(m->jose, "alg", "HS256"); }
static int jose_alg_es384(conform_msg *m) { return set_str(m->jose, "alg", "ES384"); }
static int jose_alg_absent(conform_msg *m) { return del(m->jose, "alg"); }
static int jose_x5u_absent(conform_msg *m) { return del(m->jose, "x5u"); }

static int jose_typ_absent(conform_msg *m) { return del(m->jose, "typ"); }

/* "crit": ["x-clid"] naming a header parameter no verifier knows
 * (RFC 7515 §4.1.11: a recipient that does not understand it refuses). */
static int jose_crit_unknown(conform_msg *m)
{
    if (m->jose == NULL)
        return -1;
    return json_object_set_new(m->jose, "crit", json_pack("[s]", "x-clid")) == 0 &&
                   json_object_set_new(m->jose, "x-clid", json_true()) == 0
               ? 0
               : -1;
}

/* "iat": 1767225600 -> "iat": "1767225600" (a claim as a string). */
static int claims_iat_string(conform_msg *m)
{
    json_t *iat = m->claims != NULL ? json_object_get(m->claims, "iat") : NULL;
    if (!json_is_integer(iat))
        return -1;
    char buf[32];
    snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(iat));
    return set_str(m->claims, "iat", buf);
}

/* ---- TEXT stage --------------------------------------------------------- */

/* A second "orig" member, another number, after the first (RFC 7519 §4,
 * RFC 7515 §5.2 step 4: duplicate names are refused, or the last one is
 * used, which then does not match the call). */
static int claims_dup_orig(conform_msg *m)
{
    static const char dup[] = ",\"orig\":{\"tn\":\"19995550100\"}";
    size_t n = m->claims_txt != NULL ? strlen(m->claims_txt) : 0;
    if (n < 2 || m->claims_txt[n - 1] != '}' || strstr(m->claims_txt, "\"orig\"") == NULL)
        return -1;
    char *v = malloc(n + sizeof dup);
    if (v == NULL)
        return -1;
    memcpy(v, m->claims_txt, n - 1);
    memcpy(v + n - 1, dup, sizeof dup - 1);
    v[n - 1 + sizeof dup - 1] = '}';
    v[n + sizeof dup - 1] = '\0';
    return replace(&m->claims_txt, v);
}

/* A second "alg" member ("none") at the end of the JOSE header. */
static int jose_dup_alg(conform_msg *m)
{
    static const char dup[] = ",\"alg\":\"none\"";
    size_t n = m->jose_txt != NULL ? strlen(m->jose_txt) : 0;
    if (n < 2 || m->jose_txt[n - 1] != '}' || strstr(m->jose_txt, "\"alg\"") == NULL)
        return -1;
    char *v = malloc(n + sizeof dup);
    if (v == NULL)
        return -1;
    memcpy(v, m->jose_txt, n - 1);
    memcpy(v + n - 1, dup, sizeof dup - 1);
    v[n - 1 + sizeof dup - 1] = '}';
    v[n + sizeof dup - 1] = '\0';
    return replace(&m->jose_txt, v);
}

/* The claims re-serialized with spaces and newlines and their members in
 * reverse order: JSON a verifier must read all the same (RFC 8259; only
 * the compact form's reconstruction is canonical, RFC 8225 §9). */
static int claims_pretty(conform_msg *m)
{
    if (m->claims == NULL)
        return -1;
    json_t *r = json_object();
    const char *keys[32];
    size_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(m->claims, k, v) if (n < 32) keys[n++] = k;
    while (r != NULL && n > 0) {
        n--;
        json_object_set(r, keys[n], json_object_get(m->claims, keys[n]));
    }
    char *t = r != NULL ? json_dumps(r, JSON_INDENT(2)) : NULL;
    json_decref(r);
    return replace(&m->claims_txt, t);
}

/* ---- SIGN and SIG stages ------------------------------------------------ */

static int sig_other_key(conform_msg *m)
{
    m->other_key = 1;
    return 0;
}

/* The signature as a DER ECDSA-Sig-Value instead of raw r||s (RFC 7518 §3.4). */
static int sig_der(conform_msg *m)
{
    uint8_t der[CONFORM_SIG_MAX];
    if (m->sig_len != 64)
        return -1;
    size_t n = conform_sig_to_der(m->sig, der, sizeof der);
    if (n == 0)
        return -1;
    memcpy(m->sig, der, n);
    m->sig_len = n;
    return 0;
}

/* ---- B64 stage ---------------------------------------------------------- */

static int append_part(conform_msg *m, int i, const char *suffix)
{
    if (m->part[i] == NULL)
        return -1;
    size_t a = strlen(m->part[i]), b = strlen(suffix);
    char *v = malloc(a + b + 1);
    if (v == NULL)
        return -1;
    memcpy(v, m->part[i], a);
    memcpy(v + a, suffix, b + 1);
    return replace(&m->part[i], v);
}

/* The signature part with base64 padding (RFC 7515 §2 forbids it). */
static int b64_padding(conform_msg *m)
{
    if (m->part[2] == NULL)
        return -1;
    size_t n = strlen(m->part[2]) % 4;
    return append_part(m, 2, n == 2 ? "==" : n == 3 ? "=" : "====");
}

/* The claims part with characters outside the base64url alphabet. */
static int b64_garbage(conform_msg *m)
{
    if (m->part[1] == NULL || strlen(m->part[1]) < 8)
        return -1;
    memcpy(m->part[1] + 4, "!*%$", 4);
    return 0;
}

/* The claims part in the standard base64 alphabet (RFC 4648 §4): '-'
 * and '_' become '+' and '/'; when it has neither, its first character
 * becomes '+' (still a character of RFC 8224's header syntax). */
static int b64_std_alphabet(conform_msg *m)
{
    char *p = m->part[1];
    if (p == NULL || p[0] == '\0')
        return -1;
    int changed = 0;
    for (; *p; p++)
        if (*p == '-' || *p == '_') {
            *p = *p == '-' ? '+' : '/';
            changed = 1;
        }
    if (!changed)
        m->part[1][0] = '+';
    return 0;
}

/* The claims part made 4n+1 characters long by appending 'A's: no
 * base64 encoding has that length (RFC 4648 §4). */
static int b64_bad_length(conform_msg *m)
{
    if (m->part[1] == NULL)
        return -1;
    static const char pad[] = "AAAA";
    size_t r = strlen(m->part[1]) % 4;
    size_t k = (5 - r) % 4; /* (r + k) % 4 == 1 */
    if (k == 0)
        k = 4;
    return append_part(m, 1, pad + (4 - k));
}

/* The compact form (RFC 8225 §7): header and claims parts left empty. */
static int compact_form(conform_msg *m)
{
    char *a = strdup(""), *b = strdup("");
    if (a == NULL || b == NULL) {
        free(a);
        free(b);
        return -1;
    }
    replace(&m->part[0], a);
    return replace(&m->part[1], b);
}

/* The claims as sent differ from the claims signed: attest A becomes B. */
static int claims_tampered(conform_msg *m)
{
    const char *at = m->claims_txt != NULL ? strstr(m->claims_txt, "\"attest\":\"A\"") : NULL;
    if (at == NULL)
        return -1;
    char *t = strdup(m->claims_txt);
    if (t == NULL)
        return -1;
    t[at - m->claims_txt + 10] = 'B';
    char *v = conform_b64url((const uint8_t *)t, strlen(t));
    free(t);
    return replace(&m->part[1], v);
}

/* ---- PARAM stage -------------------------------------------------------- */

static int info_absent(conform_msg *m) { return conform_msg_set_param(m, "info", NULL); }

static int info_other_url(conform_msg *m)
{
    char buf[2100];
    if (m->other_url == NULL ||
        (size_t)snprintf(buf, sizeof buf, "info=<%s>", m->other_url) >= sizeof buf)
        return -1;
    return conform_msg_set_param(m, "info", buf);
}

/* info=URL without the angle brackets of RFC 8224 §4.1's ident-info-uri. */
static int info_no_brackets(conform_msg *m)
{
    int i = conform_msg_find_param(m, "info");
    if (i < 0)
        return -1;
    char *p = m->param[i];
    size_t n = strlen(p);
    if (n < 8 || p[5] != '<' || p[n - 1] != '>')
        return -1;
    memmove(p + 5, p + 6, n - 6);
    p[n - 2] = '\0';
    return 0;
}

static int param_alg_absent(conform_msg *m) { return conform_msg_set_param(m, "alg", NULL); }
static int param_alg_es384(conform_msg *m) { return conform_msg_set_param(m, "alg", "alg=ES384"); }
static int param_ppt_absent(conform_msg *m) { return conform_msg_set_param(m, "ppt", NULL); }
static int param_ppt_quoted(conform_msg *m)
{
    return conform_msg_set_param(m, "ppt", "ppt=\"shaken\"");
}
static int param_ppt_div(conform_msg *m) { return conform_msg_set_param(m, "ppt", "ppt=div"); }
static int param_ppt_unknown(conform_msg *m) { return conform_msg_set_param(m, "ppt", "ppt=foo"); }

/* The parameters in reverse order (RFC 8224 §4.1 fixes none). */
static int param_order(conform_msg *m)
{
    if (m->nparams < 2)
        return -1;
    for (size_t i = 0; i < m->nparams / 2; i++) {
        char *t = m->param[i];
        m->param[i] = m->param[m->nparams - 1 - i];
        m->param[m->nparams - 1 - i] = t;
    }
    return 0;
}

/* Parameter names in upper case: INFO, ALG, PPT (RFC 5234 §2.3: ABNF
 * strings are case-insensitive; RFC 3261 §7.3.1). */
static int param_names_upper(conform_msg *m)
{
    int n = 0;
    for (size_t i = 0; i < m->nparams; i++) {
        char *eq = strchr(m->param[i], '=');
        for (char *p = m->param[i]; eq != NULL && p < eq; p++)
            if (*p >= 'a' && *p <= 'z') {
                *p = (char)(*p - 'a' + 'A');
                n++;
            }
    }
    return n > 0 ? 0 : -1;
}

/* Whitespace around ';' and '=' (RFC 3261 §25.1: SEMI = SWS ";" SWS,
 * EQUAL = SWS "=" SWS): "info = <...>" after "; ". The leading space of
 * each parameter stands after the ';' conform_msg_identity writes. */
static int param_spaces(conform_msg *m)
{
    for (size_t i = 0; i < m->nparams; i++) {
        char *eq = strchr(m->param[i], '=');
        if (eq == NULL)
            return -1;
        size_t a = (size_t)(eq - m->param[i]), n = strlen(m->param[i]);
        char *v = malloc(n + 5);
        if (v == NULL)
            return -1;
        snprintf(v, n + 5, " %.*s = %s", (int)a, m->param[i], eq + 1);
        replace(&m->param[i], v);
    }
    return m->nparams > 0 ? 0 : -1;
}

/* An extension parameter that takes the value past 8 KiB. */
static int param_oversized(conform_msg *m)
{
    enum { PAD = 8400 };
    char *v = malloc(PAD + 8);
    if (v == NULL)
        return -1;
    memcpy(v, "x-pad=", 6);
    memset(v + 6, 'a', PAD);
    v[6 + PAD] = '\0';
    if (m->nparams == CONFORM_MAX_PARAMS) {
        free(v);
        return -1;
    }
    m->param[m->nparams++] = v;
    return 0;
}

/* ---- SIP stage ---------------------------------------------------------- */

static int identity_absent(conform_msg *m)
{
    m->identity_absent = 1;
    return 0;
}
static int identity_empty(conform_msg *m)
{
    m->identity_empty = 1;
    return 0;
}
static int identity_compact_name(conform_msg *m)
{
    m->identity_compact_name = 1;
    return 0;
}
static int identity_lowercase_name(conform_msg *m)
{
    m->identity_lowercase_name = 1;
    return 0;
}
static int identity_garbage_first(conform_msg *m)
{
    m->identity_garbage_first = 1;
    return 0;
}

/* ---- the table ---------------------------------------------------------- */

static const corrupt_def defs[] = {
    {"jose-ppt-absent", CORRUPT_JSON, "the JOSE header has no ppt", jose_ppt_absent},
    {"jose-ppt-unknown", CORRUPT_JSON, "the JOSE header's ppt is \"foo\"", jose_ppt_unknown},
    {"jose-typ-jwt", CORRUPT_JSON, "the JOSE header's typ is \"JWT\"", jose_typ_jwt},
    {"jose-alg-none", CORRUPT_JSON, "the JOSE header's alg is \"none\"", jose_alg_none},
    {"jose-alg-hs256", CORRUPT_JSON, "the JOSE header's alg is \"HS256\"", jose_alg_hs256},
    {"jose-alg-es384", CORRUPT_JSON, "the JOSE header's alg is \"ES384\"", jose_alg_es384},
    {"jose-alg-absent", CORRUPT_JSON, "the JOSE header has no alg", jose_alg_absent},
    {"jose-x5u-absent", CORRUPT_JSON, "the JOSE header has no x5u", jose_x5u_absent},
    {"jose-typ-absent", CORRUPT_JSON, "the JOSE header has no typ", jose_typ_absent},
    {"jose-crit-unknown", CORRUPT_JSON,
     "the JOSE header has \"crit\": [\"x-clid\"] and \"x-clid\": true", jose_crit_unknown},
    {"claims-iat-string", CORRUPT_JSON, "iat is a JSON string of its value", claims_iat_string},
    {"claims-dup-orig", CORRUPT_TEXT,
     "a second \"orig\" member (another number) at the end of the claims", claims_dup_orig},
    {"jose-dup-alg", CORRUPT_TEXT, "a second \"alg\" member (\"none\") at the end of the JOSE header",
     jose_dup_alg},
    {"claims-pretty", CORRUPT_TEXT,
     "the claims with indentation, newlines and their members in reverse order", claims_pretty},
    {"sig-other-key", CORRUPT_SIGN, "signed with another entity's key (sp2, or sp for sp2)",
     sig_other_key},
    {"sig-der", CORRUPT_SIG, "the signature is a DER ECDSA-Sig-Value, not raw r||s", sig_der},
    {"b64-padding", CORRUPT_B64, "the signature part carries base64 '=' padding", b64_padding},
    {"b64-garbage", CORRUPT_B64, "characters 5 to 8 of the claims part are \"!*%$\"", b64_garbage},
    {"b64-std-alphabet", CORRUPT_B64,
     "the claims part in the standard base64 alphabet ('+' and '/' for '-' and '_')",
     b64_std_alphabet},
    {"b64-bad-length", CORRUPT_B64,
     "'A's appended to the claims part: 4n+1 characters, no base64 length", b64_bad_length},
    {"compact-form", CORRUPT_B64, "the compact form: header and claims parts empty",
     compact_form},
    {"claims-tampered", CORRUPT_B64,
     "the claims part sent says attest B; attest A was signed", claims_tampered},
    {"info-absent", CORRUPT_PARAM, "no info parameter", info_absent},
    {"info-other-url", CORRUPT_PARAM,
     "info names another URL (serving the same chain) than the PASSporT's x5u", info_other_url},
    {"info-no-brackets", CORRUPT_PARAM, "info=URL without the angle brackets",
     info_no_brackets},
    {"param-alg-absent", CORRUPT_PARAM, "no alg parameter", param_alg_absent},
    {"param-alg-es384", CORRUPT_PARAM, "alg=ES384", param_alg_es384},
    {"param-ppt-absent", CORRUPT_PARAM, "no ppt parameter", param_ppt_absent},
    {"param-ppt-quoted", CORRUPT_PARAM, "ppt=\"shaken\" (a quoted string)", param_ppt_quoted},
    {"param-ppt-div", CORRUPT_PARAM, "ppt=div", param_ppt_div},
    {"param-ppt-unknown", CORRUPT_PARAM, "ppt=foo", param_ppt_unknown},
    {"param-names-upper", CORRUPT_PARAM, "the parameter names in upper case (INFO, ALG, PPT)",
     param_names_upper},
    {"param-spaces", CORRUPT_PARAM, "a space after each ';' and around each '='", param_spaces},
    {"param-order", CORRUPT_PARAM, "the parameters in reverse order", param_order},
    {"param-oversized", CORRUPT_PARAM,
     "an x-pad parameter of 8400 characters: the value exceeds 8 KiB", param_oversized},
    {"identity-absent", CORRUPT_SIP, "the request carries no Identity header", identity_absent},
    {"identity-empty", CORRUPT_SIP, "the request carries \"Identity:\" without a value",
     identity_empty},
    {"identity-compact-name", CORRUPT_SIP, "the header is sent as \"y:\" (RFC 8224 §4)",
     identity_compact_name},
    {"identity-lowercase-name", CORRUPT_SIP, "the header name is written \"identity\"",
     identity_lowercase_name},
    {"identity-garbage-first", CORRUPT_SIP,
     "a broken Identity header (not a JWS) comes before this one", identity_garbage_first},
};

size_t corrupt_count(void)
{
    return sizeof defs / sizeof defs[0];
}

const corrupt_def *corrupt_at(size_t i)
{
    return i < corrupt_count() ? &defs[i] : NULL;
}

const corrupt_def *corrupt_find(const char *name)
{
    for (size_t i = 0; i < corrupt_count(); i++)
        if (strcmp(defs[i].name, name) == 0)
            return &defs[i];
    return NULL;
}

int corrupt_apply(const corrupt_def *d, conform_msg *m)
{
    int rc = d->apply(m);
    if (rc == 0 && (d->stage == CORRUPT_JSON || d->stage == CORRUPT_TEXT))
        m->resign = 1;
    return rc;
}

void conform_msg_free(conform_msg *m)
{
    json_decref(m->jose);
    json_decref(m->claims);
    free(m->jose_txt);
    free(m->claims_txt);
    for (int i = 0; i < 3; i++)
        free(m->part[i]);
    for (size_t i = 0; i < m->nparams; i++)
        free(m->param[i]);
    memset(m, 0, sizeof *m);
}

char *conform_msg_identity(const conform_msg *m)
{
    size_t n = 3;
    for (int i = 0; i < 3; i++)
        n += m->part[i] != NULL ? strlen(m->part[i]) : 0;
    for (size_t i = 0; i < m->nparams; i++)
        n += strlen(m->param[i]) + 1;
    char *v = malloc(n);
    if (v == NULL)
        return NULL;
    snprintf(v, n, "%s.%s.%s", m->part[0] ? m->part[0] : "", m->part[1] ? m->part[1] : "",
             m->part[2] ? m->part[2] : "");
    for (size_t i = 0; i < m->nparams; i++) {
        strcat(v, ";");
        strcat(v, m->param[i]);
    }
    return v;
}
