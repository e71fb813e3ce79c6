/*
 * The Identity header field value (RFC 8224 §4.1):
 *
 *   Identity = "Identity" HCOLON signed-identity-digest SEMI ident-info
 *              *( SEMI ident-info-params )
 *   signed-identity-digest = 1*(base64-char / ".")   ; base64url: erratum 6499
 *   ident-info = "info" EQUAL ident-info-uri
 *   ident-info-uri = LAQUOT absoluteURI RAQUOT
 *   ident-info-params = ident-info-alg / ident-type / ident-info-extension
 *   ident-info-alg = "alg" EQUAL token
 *   ident-type = "ppt" EQUAL token
 *   ident-info-extension = generic-param
 *
 * SEMI and EQUAL allow whitespace around the separator (RFC 3261 §25.1).
 * What deployed signers send and libsecsipid accepts (peers notes §2.5)
 * is tolerated where the grammar's intent is clear: parameters in any
 * order, a quoted ppt or alg, an info URI without angle brackets. Whatever
 * could smuggle something into a header or a log is refused: control
 * characters (CR and LF above all), a parameter given twice.
 */
#include <stdint.h>
#include <string.h>

#include <clid/clid.h>

#include "passport/identity.h"
#include "core/internal.h"

typedef struct cursor {
    const char *p;
    const char *end;
} cursor;

/* Character classes, one table lookup per byte (a value is scanned several
 * times and Identity values arrive at call rates). */
enum {
    C_DIGEST = 1, /* base64url and '.' (RFC 8224 §4.1, erratum 6499) */
    C_TOKEN = 2,  /* RFC 3261 §25.1 token */
    C_URI = 4,    /* printable ASCII but space, '<', '>', '"' */
    C_CTRL = 8    /* C0 controls but HTAB, and DEL: never in a header value */
};

static const uint8_t char_class[256] = {
     8,  8,  8,  8,  8,  8,  8,  8,  8,  0,  8,  8,  8,  8,  8,  8, /* 0x00 */
     8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8,  8, /* 0x10 */
     0,  6,  0,  4,  4,  6,  4,  6,  4,  4,  6,  6,  4,  7,  7,  4, /* 0x20 */
     7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  4,  4,  0,  4,  0,  4, /* 0x30 */
     4,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7, /* 0x40 */
     7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  4,  4,  4,  4,  7, /* 0x50 */
     6,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7, /* 0x60 */
     7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  7,  4,  4,  4,  6,  8, /* 0x70 */
    /* 0x80-0xff: no class (UTF-8 only inside quoted strings) */
};

static int is_class(unsigned char c, uint8_t cls)
{
    return (char_class[c] & cls) != 0;
}

static int is_token_char(unsigned char c)
{
    return is_class(c, C_TOKEN);
}

static int is_digest_char(unsigned char c)
{
    return is_class(c, C_DIGEST);
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static void skip_ws(cursor *c)
{
    while (c->p < c->end && is_ws(*c->p))
        c->p++;
}

static int slice_is(const clid__slice *s, const char *lit)
{
    size_t n = strlen(lit);
    return s->len == n && memcmp(s->ptr, lit, n) == 0;
}

/* Case-insensitive comparison with a lowercase literal (parameter names are
 * case-insensitive, RFC 3261 §7.3.1). */
static int slice_ieq(const clid__slice *s, const char *lit)
{
    size_t n = strlen(lit);
    if (s->len != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char c = s->ptr[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c + ('a' - 'A'));
        if (c != lit[i])
            return 0;
    }
    return 1;
}

static int slice_all(const clid__slice *s, int (*pred)(unsigned char))
{
    if (s->len == 0)
        return 0;
    for (size_t i = 0; i < s->len; i++)
        if (!pred((unsigned char)s->ptr[i]))
            return 0;
    return 1;
}

static clid__slice take_token(cursor *c)
{
    clid__slice s = {c->p, 0};
    while (c->p < c->end && is_token_char((unsigned char)*c->p))
        c->p++;
    s.len = (size_t)(c->p - s.ptr);
    return s;
}

/* absoluteURI (RFC 3261 §25.1) needs a scheme: ALPHA *(ALPHA / DIGIT / "+"
 * / "-" / ".") ":" followed by something. */
static int has_scheme(const clid__slice *s)
{
    size_t i = 0;
    if (s->len == 0 || !((s->ptr[0] >= 'a' && s->ptr[0] <= 'z') ||
                         (s->ptr[0] >= 'A' && s->ptr[0] <= 'Z')))
        return 0;
    while (i < s->len && s->ptr[i] != ':') {
        char ch = s->ptr[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '+' || ch == '-' || ch == '.'))
            return 0;
        i++;
    }
    return i + 1 < s->len;
}

/* A URI character as clid accepts it in info: printable ASCII without
 * space, '<', '>', '"' (RFC 3986 never needs them unescaped). */
static int is_uri_char(unsigned char c)
{
    return is_class(c, C_URI);
}

/* info value: "<" URI ">" as the ABNF says, or a bare URI up to ';' or
 * whitespace (tolerated: libsecsipid accepts it, peers notes §2.5). */
static clid_err take_info(cursor *c, clid__slice *out)
{
    int bracketed = c->p < c->end && *c->p == '<';
    if (bracketed)
        c->p++;
    clid__slice s = {c->p, 0};
    /* Inside brackets a ';' belongs to the URI; bare, it ends it. */
    while (c->p < c->end && (bracketed || *c->p != ';') && is_uri_char((unsigned char)*c->p))
        c->p++;
    s.len = (size_t)(c->p - s.ptr);
    if (bracketed) {
        CLID_ENSURE(c->p < c->end && *c->p == '>', CLID_ERR_IDENTITY_SYNTAX);
        c->p++;
    }
    CLID_ENSURE(has_scheme(&s), CLID_ERR_IDENTITY_SYNTAX);
    *out = s;
    return CLID_OK;
}

/* A token or a quoted-string (RFC 3261 §25.1). *quoted tells which; the
 * slice excludes the quotes but keeps any quoted-pair escapes. */
static clid_err take_value(cursor *c, clid__slice *out, int *quoted)
{
    *quoted = c->p < c->end && *c->p == '"';
    if (!*quoted) {
        /* gen-value also allows host, which for an IPv6 reference has
         * brackets and colons: take those too for unknown parameters. */
        clid__slice s = {c->p, 0};
        while (c->p < c->end && (is_token_char((unsigned char)*c->p) || *c->p == '[' ||
                                 *c->p == ']' || *c->p == ':'))
            c->p++;
        s.len = (size_t)(c->p - s.ptr);
        CLID_ENSURE(s.len > 0, CLID_ERR_IDENTITY_SYNTAX);
        *out = s;
        return CLID_OK;
    }
    c->p++;
    clid__slice s = {c->p, 0};
    while (c->p < c->end && *c->p != '"') {
        if (*c->p == '\\') {
            c->p++;
            CLID_ENSURE(c->p < c->end, CLID_ERR_IDENTITY_SYNTAX);
        }
        c->p++;
    }
    CLID_ENSURE(c->p < c->end, CLID_ERR_IDENTITY_SYNTAX); /* unterminated */
    s.len = (size_t)(c->p - s.ptr);
    c->p++;
    *out = s;
    return CLID_OK;
}

static int is_token_pred(unsigned char c)
{
    return is_token_char(c);
}

/* alg and ppt are tokens; a quoted form is tolerated when what is inside
 * is a token (so no escapes to undo). */
static clid_err take_token_value(cursor *c, clid__slice *out)
{
    int quoted = 0;
    CLID_TRY(take_value(c, out, &quoted));
    CLID_ENSURE(slice_all(out, is_token_pred), CLID_ERR_IDENTITY_SYNTAX);
    return CLID_OK;
}

/* Refuses bytes that have no business in a header value: C0 controls other
 * than HTAB (CR and LF would end or fold the header) and DEL. Bytes >= 0x80
 * can only pass inside a quoted-string of an unknown parameter (RFC 3261
 * UTF8-NONASCII), where the grammar checks put them. */
static int has_controls(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (is_class((unsigned char)s[i], C_CTRL))
            return 1;
    return 0;
}

clid_err clid__identity_parse(const char *value, size_t len, clid__identity *out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    memset(out, 0, sizeof *out);
    CLID_ENSURE(value != NULL || len == 0, CLID_ERR_INVALID_ARGUMENT);
    if (value == NULL)
        value = ""; /* no pointer arithmetic on NULL */
    CLID_ENSURE(len <= CLID_IDENTITY_MAX_LEN, CLID_ERR_IDENTITY_TOO_LARGE);
    CLID_ENSURE(!has_controls(value, len), CLID_ERR_IDENTITY_SYNTAX);

    clid__identity id;
    memset(&id, 0, sizeof id);
    cursor c = {value, value + len};
    skip_ws(&c);

    id.jws.ptr = c.p;
    while (c.p < c.end && is_digest_char((unsigned char)*c.p))
        c.p++;
    id.jws.len = (size_t)(c.p - id.jws.ptr);
    CLID_ENSURE(id.jws.len > 0, CLID_ERR_IDENTITY_SYNTAX);

    int have_info = 0, have_alg = 0, have_ppt = 0;
    for (;;) {
        skip_ws(&c);
        if (c.p == c.end)
            break;
        CLID_ENSURE(*c.p == ';', CLID_ERR_IDENTITY_SYNTAX);
        c.p++;
        skip_ws(&c);
        clid__slice name = take_token(&c);
        CLID_ENSURE(name.len > 0, CLID_ERR_IDENTITY_SYNTAX);
        skip_ws(&c);
        int has_value = c.p < c.end && *c.p == '=';
        if (has_value) {
            c.p++;
            skip_ws(&c);
        }
        if (slice_ieq(&name, "info")) {
            CLID_ENSURE(has_value && !have_info, CLID_ERR_IDENTITY_SYNTAX);
            CLID_TRY(take_info(&c, &id.info));
            have_info = 1;
        } else if (slice_ieq(&name, "alg")) {
            CLID_ENSURE(has_value && !have_alg, CLID_ERR_IDENTITY_SYNTAX);
            CLID_TRY(take_token_value(&c, &id.alg));
            have_alg = 1;
        } else if (slice_ieq(&name, "ppt")) {
            CLID_ENSURE(has_value && !have_ppt, CLID_ERR_IDENTITY_SYNTAX);
            CLID_TRY(take_token_value(&c, &id.ppt));
            have_ppt = 1;
        } else if (has_value) {
            /* generic-param (RFC 3261 §25.1): skipped. */
            clid__slice ignored;
            int quoted = 0;
            CLID_TRY(take_value(&c, &ignored, &quoted));
        }
    }

    CLID_ENSURE(have_info, CLID_ERR_IDENTITY_NO_INFO);
    /* JWA names are case-sensitive (RFC 7518 §3.1). */
    CLID_ENSURE(!have_alg || slice_is(&id.alg, "ES256"), CLID_ERR_IDENTITY_ALG);
    *out = id;
    return CLID_OK;
}

static int is_uri_pred(unsigned char c)
{
    return is_uri_char(c);
}

static int is_digest_pred(unsigned char c)
{
    return is_digest_char(c);
}

clid_err clid__identity_format(const char *jws, size_t jws_len, const char *info, const char *ppt,
                               char *out, size_t cap, size_t *out_len)
{
    CLID_ENSURE(jws != NULL && info != NULL && ppt != NULL && out_len != NULL,
                CLID_ERR_INVALID_ARGUMENT);
    *out_len = 0;
    CLID_ENSURE(out != NULL || cap == 0, CLID_ERR_INVALID_ARGUMENT);
    clid__slice j = {jws, jws_len};
    clid__slice i = {info, strnlen(info, CLID_IDENTITY_MAX_LEN + 1)};
    clid__slice t = {ppt, strnlen(ppt, CLID_IDENTITY_MAX_LEN + 1)};
    /* Whatever lands in the header must not be able to end it or add to it
     * (CR, LF), close the URI early ('>'), or break the grammar. */
    CLID_ENSURE(slice_all(&j, is_digest_pred), CLID_ERR_HEADER_INJECTION);
    CLID_ENSURE(slice_all(&i, is_uri_pred), CLID_ERR_HEADER_INJECTION);
    CLID_ENSURE(slice_all(&t, is_token_pred), CLID_ERR_HEADER_INJECTION);

    static const char p_info[] = ";info=<";
    static const char p_alg[] = ">;alg=ES256;ppt=";
    size_t need = j.len + (sizeof p_info - 1) + i.len + (sizeof p_alg - 1) + t.len;
    CLID_ENSURE(need <= CLID_IDENTITY_MAX_LEN, CLID_ERR_IDENTITY_TOO_LARGE);
    if (cap < need + 1) {
        *out_len = need + 1;
        return CLID_ERR_BUFFER_TOO_SMALL;
    }
    char *o = out;
    memcpy(o, j.ptr, j.len);
    o += j.len;
    memcpy(o, p_info, sizeof p_info - 1);
    o += sizeof p_info - 1;
    memcpy(o, i.ptr, i.len);
    o += i.len;
    memcpy(o, p_alg, sizeof p_alg - 1);
    o += sizeof p_alg - 1;
    memcpy(o, t.ptr, t.len);
    o += t.len;
    *o = '\0';
    *out_len = need;
    return CLID_OK;
}
