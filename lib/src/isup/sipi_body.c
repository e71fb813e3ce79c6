/*
 * The application/ISUP body of a SIP-I request (RFC 3204 §4; ITU-T
 * Q.1912.5 §5.4.1): either the whole body or one body part of
 * multipart/mixed (RFC 2046 §5.1.1), the other part usually SDP:
 *
 *   Content-Type: multipart/mixed;boundary=b1
 *
 *   --b1 CRLF  Content-Type: application/sdp  CRLF CRLF  v=0 ...
 *   CRLF --b1 CRLF  Content-Type: application/ISUP;version=itu-t92+
 *                   Content-Disposition: signal;handling=required
 *                   CRLF  <binary IAM>
 *   CRLF --b1-- CRLF
 *
 * The ISUP octets are binary (NUL included): everything here works on
 * lengths, never on C strings. The header section is read by the SIP
 * adapter's scanner (sip/sip_internal.h), which stops at the empty line.
 */
#include "isup/isup_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "sip/sip_internal.h"

#define HVAL_MAX 1024    /* an unfolded Content-Type or Content-Disposition value */
#define BOUNDARY_MAX 70  /* RFC 2046 §5.1.1: 1 to 70 characters */

/* What clid reads of a Content-Type or Content-Disposition value. */
typedef struct hval {
    char type[80]; /* "type/subtype" or the disposition type, lower case */
    char version[sizeof(((clid_sipi_part *)0)->version)];
    char base[sizeof(((clid_sipi_part *)0)->base)];
    char boundary[BOUNDARY_MAX + 1];
    char handling[16];
    int has_boundary;
    int has_handling;
} hval;

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static int ieq(const char *s, size_t n, const char *lit)
{
    if (strlen(lit) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (lower(s[i]) != lit[i])
            return 0;
    return 1;
}

/* RFC 3261 §25.1 token. */
static int is_token(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != '\0' && strchr("-.!%*_+`'~", c) != NULL);
}

static int is_ws(char c)
{
    return c == ' ' || c == '\t';
}

static size_t skip_ws(const char *s, size_t i, size_t n)
{
    while (i < n && is_ws(s[i]))
        i++;
    return i;
}

/* A token at s[*i]; its span in *start, *len. */
static clid_err read_token(const char *s, size_t *i, size_t n, size_t *start, size_t *len)
{
    *start = *i;
    while (*i < n && is_token(s[*i]))
        (*i)++;
    *len = *i - *start;
    return *len > 0 ? CLID_OK : CLID_ERR_SIP_PARSE;
}

/* A token or quoted-string (RFC 3261 §25.1, quoted-pair unescaped) into
 * out[cap]; too long is malformed, since clid's fields are bounded. */
static clid_err read_value(const char *s, size_t *i, size_t n, char *out, size_t cap)
{
    size_t o = 0;
    if (*i < n && s[*i] == '"') {
        (*i)++;
        for (;;) {
            CLID_ENSURE(*i < n, CLID_ERR_SIP_PARSE); /* unterminated */
            char c = s[(*i)++];
            if (c == '"')
                break;
            if (c == '\\') {
                CLID_ENSURE(*i < n, CLID_ERR_SIP_PARSE);
                c = s[(*i)++];
            }
            CLID_ENSURE((unsigned char)c >= 0x20 && c != 0x7F, CLID_ERR_SIP_PARSE);
            CLID_ENSURE(o + 1 < cap, CLID_ERR_SIP_PARSE);
            out[o++] = c;
        }
    } else {
        size_t start = 0, len = 0;
        CLID_TRY(read_token(s, i, n, &start, &len));
        CLID_ENSURE(len < cap, CLID_ERR_SIP_PARSE);
        memcpy(out, s + start, len);
        o = len;
    }
    out[o] = '\0';
    return CLID_OK;
}

/* A parameter clid reads, given twice, is ambiguous. */
static clid_err take_param(const char *s, size_t *i, size_t n, char *dst, size_t cap, int *seen)
{
    CLID_ENSURE(!*seen, CLID_ERR_SIP_PARSE);
    *seen = 1;
    return read_value(s, i, n, dst, cap);
}

/*
 * media-type = m-type SLASH m-subtype *(SEMI m-parameter) (RFC 3261
 * §20.15, §25.1) when `media`, else disposition-type *(SEMI disp-param)
 * (§20.11); SLASH, SEMI and EQUAL may have whitespace around them. Names
 * are case-insensitive (RFC 2045 §5.1); values keep their case.
 */
static clid_err parse_hval(const char *s, size_t n, int media, hval *h)
{
    memset(h, 0, sizeof *h);
    size_t i = skip_ws(s, 0, n), start = 0, len = 0, o = 0;
    CLID_TRY(read_token(s, &i, n, &start, &len));
    CLID_ENSURE(len < sizeof h->type, CLID_ERR_SIP_PARSE);
    for (size_t k = 0; k < len; k++)
        h->type[o++] = lower(s[start + k]);
    if (media) {
        i = skip_ws(s, i, n);
        CLID_ENSURE(i < n && s[i] == '/', CLID_ERR_SIP_PARSE);
        i = skip_ws(s, i + 1, n);
        CLID_TRY(read_token(s, &i, n, &start, &len));
        CLID_ENSURE(o + 1 + len < sizeof h->type, CLID_ERR_SIP_PARSE);
        h->type[o++] = '/';
        for (size_t k = 0; k < len; k++)
            h->type[o++] = lower(s[start + k]);
    }
    h->type[o] = '\0';
    int seen_version = 0, seen_base = 0;
    for (;;) {
        i = skip_ws(s, i, n);
        if (i == n)
            return CLID_OK;
        CLID_ENSURE(s[i] == ';', CLID_ERR_SIP_PARSE);
        i = skip_ws(s, i + 1, n);
        CLID_TRY(read_token(s, &i, n, &start, &len));
        i = skip_ws(s, i, n);
        CLID_ENSURE(i < n && s[i] == '=', CLID_ERR_SIP_PARSE);
        i = skip_ws(s, i + 1, n);
        const char *name = s + start;
        if (media && ieq(name, len, "version")) {
            CLID_TRY(take_param(s, &i, n, h->version, sizeof h->version, &seen_version));
        } else if (media && ieq(name, len, "base")) {
            CLID_TRY(take_param(s, &i, n, h->base, sizeof h->base, &seen_base));
        } else if (media && ieq(name, len, "boundary")) {
            CLID_TRY(take_param(s, &i, n, h->boundary, sizeof h->boundary, &h->has_boundary));
            CLID_ENSURE(h->boundary[0] != '\0', CLID_ERR_SIP_PARSE);
        } else if (!media && ieq(name, len, "handling")) {
            CLID_TRY(take_param(s, &i, n, h->handling, sizeof h->handling, &h->has_handling));
        } else {
            char skip[HVAL_MAX];
            CLID_TRY(read_value(s, &i, n, skip, sizeof skip));
        }
    }
}

/* RFC 3261 §20.11: a missing handling parameter means "required"; RFC 3204
 * §5 lets the ISUP part be "optional" so that SIP-only hops can drop it. */
static int handling_required(const hval *disp, int has_disp)
{
    return !has_disp || !disp->has_handling || ieq(disp->handling, strlen(disp->handling),
                                                   "required");
}

static int is_isup(const hval *ct)
{
    return strcmp(ct->type, "application/isup") == 0;
}

static void fill_part(clid_sipi_part *out, size_t offset, size_t len, const hval *ct,
                      const hval *disp, int has_disp)
{
    out->offset = offset;
    out->len = len;
    out->handling_required = handling_required(disp, has_disp);
    memcpy(out->version, ct->version, sizeof out->version);
    memcpy(out->base, ct->base, sizeof out->base);
}

/* ------------------------------------------------------------------------ */
/* The SIP message's own header fields                                       */
/* ------------------------------------------------------------------------ */

typedef struct sip_body {
    clid__sip_raw raw;
    hval ct;
    hval disp;
    int has_ct;
    int has_disp;
    int has_cl;
    clid__sip_field cl; /* Content-Length, for the replacement */
    size_t body;
    size_t body_len;
} sip_body;

static clid_err field_hval(const clid__sip_raw *r, const clid__sip_field *f, int media, hval *h)
{
    char text[HVAL_MAX + 1];
    CLID_ENSURE(f->end - f->value <= HVAL_MAX, CLID_ERR_SIP_PARSE);
    size_t n = clid__sip_field_text(r, f, text);
    return parse_hval(text, n, media, h);
}

static clid_err content_length(const clid__sip_raw *r, const clid__sip_field *f, size_t *out)
{
    size_t n = f->end - f->value;
    const char *s = r->msg + f->value;
    /* RFC 3261 §20.14: 1*DIGIT; a SIP message is at most CLID_SIP_MAX_LEN. */
    CLID_ENSURE(n >= 1 && n <= 6 && clid__all_digits(s, n), CLID_ERR_SIP_PARSE);
    size_t v = 0;
    for (size_t i = 0; i < n; i++)
        v = v * 10 + (size_t)(s[i] - '0');
    *out = v;
    return CLID_OK;
}

static clid_err read_sip(const char *msg, size_t len, sip_body *b)
{
    memset(b, 0, sizeof *b);
    CLID_TRY(clid__sip_raw_scan(msg, len, &b->raw));
    size_t pos = b->raw.headers;
    clid__sip_field f;
    size_t cl = 0;
    while (clid__sip_next_field(&b->raw, &pos, &f)) {
        /* Each of these, given twice, could be read either way downstream. */
        if (clid__sip_field_is(&b->raw, &f, "content-type", 'c')) {
            CLID_ENSURE(!b->has_ct, CLID_ERR_SIP_PARSE);
            b->has_ct = 1;
            CLID_TRY(field_hval(&b->raw, &f, 1, &b->ct));
        } else if (clid__sip_field_is(&b->raw, &f, "content-disposition", 0)) {
            CLID_ENSURE(!b->has_disp, CLID_ERR_SIP_PARSE);
            b->has_disp = 1;
            CLID_TRY(field_hval(&b->raw, &f, 0, &b->disp));
        } else if (clid__sip_field_is(&b->raw, &f, "content-length", 'l')) {
            CLID_ENSURE(!b->has_cl, CLID_ERR_SIP_PARSE);
            b->has_cl = 1;
            b->cl = f;
            CLID_TRY(content_length(&b->raw, &f, &cl));
        }
    }
    b->body = b->raw.body;
    b->body_len = len - b->raw.body;
    /* A body shorter than Content-Length is truncated; a longer one holds
     * octets that one reader would take as body and another would drop. */
    CLID_ENSURE(!b->has_cl || cl == b->body_len, CLID_ERR_SIP_PARSE);
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* multipart/mixed (RFC 2046 §5.1.1)                                         */
/* ------------------------------------------------------------------------ */

/* The next delimiter "CRLF--boundary" at or after `from`: one that is
 * followed by "--" (the close delimiter), by whitespace or by a line end;
 * a longer string that merely starts with the boundary is content. */
static int find_delim(const char *b, size_t n, size_t from, const char *bd, size_t bd_len,
                      size_t *at)
{
    size_t need = 4 + bd_len;
    for (size_t i = from; i + need <= n; i++) {
        if (b[i] != '\r' || b[i + 1] != '\n' || b[i + 2] != '-' || b[i + 3] != '-' ||
            memcmp(b + i + 4, bd, bd_len) != 0)
            continue;
        size_t j = i + need;
        if (j == n || b[j] == '-' || b[j] == '\r' || b[j] == '\n' || is_ws(b[j])) {
            *at = i;
            return 1;
        }
    }
    return 0;
}

/* After "--boundary": "--" ends the body; else transport padding (LWSP)
 * and a line end start the next part. */
static clid_err after_delim(const char *b, size_t n, size_t *pos, int *close)
{
    size_t i = *pos;
    if (n - i >= 2 && b[i] == '-' && b[i + 1] == '-') {
        *close = 1;
        return CLID_OK;
    }
    *close = 0;
    i = skip_ws(b, i, n);
    if (n - i >= 2 && b[i] == '\r' && b[i + 1] == '\n')
        i += 2;
    else if (i < n && b[i] == '\n')
        i += 1;
    else
        return CLID_ERR_SIP_PARSE;
    *pos = i;
    return CLID_OK;
}

/* One header line of a body part, with its continuation lines, at
 * b[*i..end): the unfolded value goes into text. Returns 0 at the empty
 * line that ends the headers (moving *i past it). */
static clid_err part_header(const char *b, size_t *i, size_t end, size_t *name, size_t *name_len,
                            char *text, size_t *text_len, int *more)
{
    size_t p = *i;
    if (end - p >= 2 && b[p] == '\r' && b[p + 1] == '\n') {
        *i = p + 2;
        *more = 0;
        return CLID_OK;
    }
    if (p < end && b[p] == '\n') {
        *i = p + 1;
        *more = 0;
        return CLID_OK;
    }
    *more = 1;
    size_t start = 0, len = 0;
    CLID_TRY(read_token(b, &p, end, &start, &len));
    *name = start;
    *name_len = len;
    p = skip_ws(b, p, end);
    CLID_ENSURE(p < end && b[p] == ':', CLID_ERR_SIP_PARSE);
    p++;
    size_t o = 0;
    for (;;) {
        /* one physical line */
        while (p < end && b[p] != '\r' && b[p] != '\n') {
            unsigned char c = (unsigned char)b[p];
            CLID_ENSURE((c >= 0x20 && c != 0x7F) || c == '\t', CLID_ERR_SIP_PARSE);
            CLID_ENSURE(o < HVAL_MAX, CLID_ERR_SIP_PARSE);
            text[o++] = b[p++];
        }
        if (end - p >= 2 && b[p] == '\r' && b[p + 1] == '\n')
            p += 2;
        else if (p < end && b[p] == '\n')
            p += 1;
        else
            return CLID_ERR_SIP_PARSE; /* the headers never end */
        if (p < end && is_ws(b[p])) {
            CLID_ENSURE(o < HVAL_MAX, CLID_ERR_SIP_PARSE);
            text[o++] = ' '; /* a folded line reads as one SP (RFC 2822 §2.2.3) */
            continue;
        }
        break;
    }
    *text_len = o;
    *i = p;
    return CLID_OK;
}

/* The headers of the part b[start..end): *content receives where its
 * content starts. RFC 2046 §5.1: a part without Content-Type is
 * text/plain. */
static clid_err read_part(const char *b, size_t start, size_t end, hval *ct, int *has_ct,
                          hval *disp, int *has_disp, size_t *content)
{
    *has_ct = 0;
    *has_disp = 0;
    memset(ct, 0, sizeof *ct);
    size_t i = start;
    for (;;) {
        size_t name = 0, name_len = 0, tlen = 0;
        char text[HVAL_MAX];
        int more = 0;
        CLID_TRY(part_header(b, &i, end, &name, &name_len, text, &tlen, &more));
        if (!more)
            break;
        if (ieq(b + name, name_len, "content-type")) {
            CLID_ENSURE(!*has_ct, CLID_ERR_SIP_PARSE);
            *has_ct = 1;
            CLID_TRY(parse_hval(text, tlen, 1, ct));
        } else if (ieq(b + name, name_len, "content-disposition")) {
            CLID_ENSURE(!*has_disp, CLID_ERR_SIP_PARSE);
            *has_disp = 1;
            CLID_TRY(parse_hval(text, tlen, 0, disp));
        }
    }
    *content = i;
    return CLID_OK;
}

static clid_err find_in_multipart(const sip_body *sb, clid_sipi_part *out)
{
    CLID_ENSURE(sb->ct.has_boundary, CLID_ERR_SIP_PARSE);
    const char *b = sb->raw.msg + sb->body;
    size_t n = sb->body_len;
    const char *bd = sb->ct.boundary;
    size_t bd_len = strlen(bd);
    /* The first delimiter may open the body (no CRLF before it). */
    size_t pos = 0, at = 0;
    if (n >= 2 + bd_len && b[0] == '-' && b[1] == '-' && memcmp(b + 2, bd, bd_len) == 0)
        pos = 2 + bd_len;
    else if (find_delim(b, n, 0, bd, bd_len, &at))
        pos = at + 4 + bd_len;
    else
        return CLID_ERR_SIP_PARSE;
    int found = 0;
    for (;;) {
        int close = 0;
        CLID_TRY(after_delim(b, n, &pos, &close));
        if (close)
            break;
        size_t end = 0;
        CLID_ENSURE(find_delim(b, n, pos, bd, bd_len, &end), CLID_ERR_SIP_PARSE); /* truncated */
        hval ct, disp;
        int has_ct = 0, has_disp = 0;
        size_t content = 0;
        CLID_TRY(read_part(b, pos, end, &ct, &has_ct, &disp, &has_disp, &content));
        if (has_ct && is_isup(&ct)) {
            /* Two IAMs: which one would the next hop act on? */
            CLID_ENSURE(!found, CLID_ERR_SIP_PARSE);
            found = 1;
            fill_part(out, sb->body + content, end - content, &ct, &disp, has_disp);
        }
        pos = end + 4 + bd_len;
    }
    return found ? CLID_OK : CLID_ERR_ISUP_ABSENT;
}

static clid_err find_part(const char *msg, size_t len, sip_body *sb, clid_sipi_part *out)
{
    memset(out, 0, sizeof *out);
    CLID_TRY(read_sip(msg, len, sb));
    CLID_ENSURE(sb->has_ct, CLID_ERR_ISUP_ABSENT);
    if (is_isup(&sb->ct)) {
        fill_part(out, sb->body, sb->body_len, &sb->ct, &sb->disp, sb->has_disp);
        return CLID_OK;
    }
    if (strcmp(sb->ct.type, "multipart/mixed") == 0)
        return find_in_multipart(sb, out);
    return CLID_ERR_ISUP_ABSENT;
}

clid_err clid_sipi_find_isup(const char *msg, size_t len, clid_sipi_part *out)
{
    CLID_ENSURE(msg != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    sip_body sb;
    return find_part(msg, len, &sb, out);
}

clid_err clid_sipi_replace_isup(const char *msg, size_t len, const uint8_t *isup,
                                size_t isup_len, char *out, size_t cap, size_t *out_len)
{
    CLID_ENSURE(msg != NULL && out_len != NULL && (isup != NULL || isup_len == 0),
                CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(isup_len <= CLID_ISUP_MAX_LEN, CLID_ERR_ISUP_TOO_LARGE);
    sip_body sb;
    clid_sipi_part part;
    CLID_TRY(find_part(msg, len, &sb, &part));
    clid__sip_edit e[2];
    size_t n = 0;
    char cl[24];
    if (sb.has_cl) {
        size_t body_len = sb.body_len - part.len + isup_len;
        int w = snprintf(cl, sizeof cl, "%zu", body_len);
        CLID_ENSURE(w > 0 && (size_t)w < sizeof cl, CLID_ERR_INTERNAL);
        e[n++] = (clid__sip_edit){.at = sb.cl.value,
                                  .del = sb.cl.end - sb.cl.value,
                                  .ins = cl,
                                  .ins_len = (size_t)w};
    }
    e[n++] = (clid__sip_edit){
        .at = part.offset, .del = part.len, .ins = (const char *)isup, .ins_len = isup_len};
    CLID_TRY(clid__sip_apply(msg, len, e, n, out, cap, out_len));
    /* The new octets must not contain the boundary (RFC 2046 §5.1.1) nor
     * otherwise change where the part ends: read the result back. */
    clid_sipi_part check;
    sip_body sb2;
    if (find_part(out, *out_len, &sb2, &check) != CLID_OK || check.len != isup_len ||
        (isup_len > 0 && memcmp(out + check.offset, isup, isup_len) != 0)) {
        memset(out, 0, *out_len + 1); /* no half-checked request left behind */
        *out_len = 0;
        return CLID_ERR_INVALID_ARGUMENT;
    }
    return CLID_OK;
}
