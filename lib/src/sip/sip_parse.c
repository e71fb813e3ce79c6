/*
 * The raw bytes of a SIP request: where the header section ends, where each
 * header field and each address entry lies (sip_internal.h).
 *
 * libosip2 tells clid what a request means (sip.c), but not where anything
 * is in the bytes, and clid must edit the bytes without re-serializing them
 * (deps notes S4). This scanner is deliberately stricter than libosip2:
 * whatever could be read two ways (bare CR line endings, control
 * characters, whitespace-only lines, no empty line) is refused, so that the
 * bytes clid edits are the header fields libosip2 and the next hop see.
 */
#include <string.h>

#include <clid/clid_sip.h>

#include "core/internal.h"
#include "sip/sip_internal.h"

static int is_wsp(char c)
{
    return c == ' ' || c == '\t';
}

/* LWS inside a field value: folding leaves CR and LF in the value bytes. */
static int is_lws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* RFC 3261 §25.1 token characters. */
static int is_token_char(char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("-.!%*_+`'~", c) != NULL;
}

static int ncase_eq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
            return 0;
    return 1;
}

/* ------------------------------------------------------------------------ */
/* Header section                                                            */
/* ------------------------------------------------------------------------ */

/* A header line: token, optional whitespace, ':' (RFC 3261 §7.3.1 HCOLON). */
static int is_header_line(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && is_token_char(s[i]))
        i++;
    if (i == 0)
        return 0;
    while (i < len && is_wsp(s[i]))
        i++;
    return i < len && s[i] == ':';
}

/*
 * RFC 3261 §25.1 Request-Line = Method SP Request-URI SP SIP-Version, on
 * one line. libosip2 looks for the version wherever it finds one, across
 * line breaks, so a start line without it would make libosip2 read the
 * following lines as part of the Request-URI and clid as headers.
 */
static int is_request_line(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && is_token_char(s[i]))
        i++;
    if (i == 0 || i == len || s[i] != ' ')
        return 0;
    size_t uri = ++i;
    while (i < len && !is_wsp(s[i]))
        i++;
    if (i == uri || i == len || s[i] != ' ')
        return 0;
    i++;
    /* SIP-Version = "SIP" "/" 1*DIGIT "." 1*DIGIT */
    if (len - i < 7 || !ncase_eq(s + i, "SIP/", 4))
        return 0;
    i += 4;
    size_t d = i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i == d || i == len || s[i] != '.')
        return 0;
    d = ++i;
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    return i > d && i == len;
}

clid_err clid__sip_raw_scan(const char *msg, size_t len, clid__sip_raw *out)
{
    memset(out, 0, sizeof *out);
    CLID_ENSURE(len <= CLID_SIP_MAX_LEN, CLID_ERR_SIP_TOO_LARGE);
    out->msg = msg;
    out->len = len;
    size_t pos = 0;
    for (size_t line = 0; pos < len; line++) {
        const char *lf = memchr(msg + pos, '\n', len - pos);
        CLID_ENSURE(lf != NULL, CLID_ERR_SIP_PARSE); /* no empty line: headers never end */
        size_t eol = (size_t)(lf - msg);
        size_t end = eol > pos && msg[eol - 1] == '\r' ? eol - 1 : eol;
        /* A bare CR ends a line for libosip2 but not for clid; NUL ends a
         * string for some parsers; other controls have no place in a header
         * (RFC 3261 §25.1: only HTAB among them, in LWS). */
        int blank = 1;
        for (size_t i = pos; i < end; i++) {
            unsigned char c = (unsigned char)msg[i];
            CLID_ENSURE((c >= 0x20 && c != 0x7f) || c == '\t', CLID_ERR_SIP_PARSE);
            blank = blank && is_wsp((char)c);
        }
        if (line == 0) {
            /* the start line: only requests are signed or verified */
            CLID_ENSURE(is_request_line(msg + pos, end - pos), CLID_ERR_SIP_PARSE);
            out->crlf = end != eol;
            out->headers = eol + 1;
        } else if (end == pos) {
            out->blank = pos;
            out->body = eol + 1;
            return CLID_OK;
        } else if (is_wsp(msg[pos])) {
            /* A continuation line (RFC 3261 §7.3.1); one of only whitespace
             * could be read as the end of the headers by a lenient parser. */
            CLID_ENSURE(line > 1 && !blank, CLID_ERR_SIP_PARSE);
        } else {
            CLID_ENSURE(is_header_line(msg + pos, end - pos), CLID_ERR_SIP_PARSE);
        }
        pos = eol + 1;
    }
    return CLID_ERR_SIP_PARSE;
}

/* End of the line that starts at pos: the offset of its CR or LF. */
static size_t line_end(const clid__sip_raw *r, size_t pos, size_t *next)
{
    const char *lf = memchr(r->msg + pos, '\n', r->blank - pos);
    size_t eol = lf != NULL ? (size_t)(lf - r->msg) : r->blank; /* scan guarantees an LF */
    *next = eol + 1;
    return eol > pos && r->msg[eol - 1] == '\r' ? eol - 1 : eol;
}

int clid__sip_next_field(const clid__sip_raw *r, size_t *pos, clid__sip_field *f)
{
    if (*pos >= r->blank)
        return 0;
    const char *s = r->msg;
    size_t p = *pos;
    f->name = p;
    while (is_token_char(s[p]))
        p++;
    f->name_len = p - f->name;
    while (is_wsp(s[p]))
        p++;
    p++; /* ':' (clid__sip_raw_scan checked it) */
    /* The field runs over its continuation lines. */
    size_t next = 0;
    size_t end = line_end(r, f->name, &next);
    while (next < r->blank && is_wsp(s[next]))
        end = line_end(r, next, &next);
    while (p < end && is_lws(s[p]))
        p++;
    while (end > p && is_lws(s[end - 1]))
        end--;
    f->value = p;
    f->end = end;
    f->next = next;
    *pos = next;
    return 1;
}

size_t clid__sip_field_text(const clid__sip_raw *r, const clid__sip_field *f, char *out)
{
    const char *s = r->msg;
    size_t n = 0;
    for (size_t i = f->value; i < f->end;) {
        if (!is_lws(s[i])) {
            out[n++] = s[i++];
            continue;
        }
        size_t j = i;
        int folded = 0;
        for (; j < f->end && is_lws(s[j]); j++)
            folded |= s[j] == '\r' || s[j] == '\n';
        if (folded) {
            out[n++] = ' '; /* RFC 3261 §7.3.1: a folded line break is one SP */
        } else {
            memcpy(out + n, s + i, j - i);
            n += j - i;
        }
        i = j;
    }
    out[n] = '\0';
    return n;
}

void clid__sip_request_uri(const clid__sip_raw *r, size_t *uri, size_t *uri_end)
{
    /* clid__sip_raw_scan checked "Method SP Request-URI SP SIP-Version". */
    const char *sp = memchr(r->msg, ' ', r->headers);
    *uri = (size_t)(sp - r->msg) + 1;
    const char *sp2 = memchr(r->msg + *uri, ' ', r->headers - *uri);
    *uri_end = (size_t)(sp2 - r->msg);
}

int clid__sip_field_is(const clid__sip_raw *r, const clid__sip_field *f, const char *name,
                       char compact)
{
    const char *n = r->msg + f->name;
    if (compact != 0 && f->name_len == 1 && lower((unsigned char)n[0]) == compact)
        return 1;
    return f->name_len == strlen(name) && ncase_eq(n, name, f->name_len);
}

/* ------------------------------------------------------------------------ */
/* Address entries and parameters                                            */
/* ------------------------------------------------------------------------ */

/* Skips a quoted-string starting at s[p] == '"' (RFC 3261 §25.1: quoted-pair
 * escapes any character). Returns the offset after the closing quote, or
 * `end` + 1 when it is not closed. */
static size_t skip_quoted(const char *s, size_t p, size_t end)
{
    for (p++; p < end; p++) {
        if (s[p] == '\\')
            p++;
        else if (s[p] == '"')
            return p + 1;
    }
    return end + 1;
}

static size_t skip_lws(const char *s, size_t p, size_t end)
{
    while (p < end && is_lws(s[p]))
        p++;
    return p;
}

int clid__sip_is_uri_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c <= 0x20 || c >= 0x7f || strchr("\"<>\\^`{|}", c) != NULL)
            return 0;
    }
    return 1;
}

/* RFC 3261 §25.1 display-name = *(token LWS) / quoted-string. Bytes above
 * 0x7F are tolerated in the unquoted form (UTF-8 names are common and can
 * never be read as URI syntax); anything else (':', '@', '/', ...) could be
 * a URI that another parser takes for the address. */
static int is_display_text(const char *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        if (!is_token_char(s[i]) && !is_lws(s[i]) && (unsigned char)s[i] < 0x80)
            return 0;
    return 1;
}

clid_err clid__sip_next_addr(const char *s, size_t *pos, size_t end, clid__sip_addr *a)
{
    memset(a, 0, sizeof *a);
    size_t p = skip_lws(s, *pos, end);
    CLID_ENSURE(p < end && s[p] != ',', CLID_ERR_SIP_PARSE);
    a->start = p;

    /* name-addr when a '<' comes before the end of an addr-spec URI
     * (RFC 3261 §20.10: an addr-spec cannot hold ',', ';' or '?'). */
    size_t lt = end;
    if (s[p] == '"') {
        size_t q = skip_quoted(s, p, end);
        CLID_ENSURE(q <= end, CLID_ERR_SIP_PARSE);
        q = skip_lws(s, q, end); /* LAQUOT = SWS "<": a TAB or a folded line too */
        CLID_ENSURE(q < end && s[q] == '<', CLID_ERR_SIP_PARSE);
        lt = q;
    } else {
        size_t q = p;
        while (q < end && s[q] != '<' && s[q] != ',' && s[q] != ';' && s[q] != '"')
            q++;
        CLID_ENSURE(q == end || s[q] != '"', CLID_ERR_SIP_PARSE); /* quote inside a token */
        if (q < end && s[q] == '<') {
            CLID_ENSURE(is_display_text(s, p, q), CLID_ERR_SIP_PARSE);
            lt = q;
        }
    }

    size_t q;
    if (lt < end) {
        /* LAQUOT and RAQUOT allow whitespace outside the brackets only, and
         * a URI holds none (RFC 3986 §2), so the URI is exactly the bytes
         * between them: "< sip:... >" is refused, as libosip2 refuses it. */
        const char *gt = memchr(s + lt + 1, '>', end - lt - 1);
        CLID_ENSURE(gt != NULL, CLID_ERR_SIP_PARSE);
        a->bracketed = 1;
        a->uri = lt + 1;
        a->uri_end = (size_t)(gt - s);
        q = a->uri_end + 1;
    } else {
        a->uri = p;
        q = p;
        while (q < end && s[q] != ';' && s[q] != ',' && !is_lws(s[q]))
            q++;
        a->uri_end = q;
    }
    CLID_ENSURE(a->uri_end > a->uri && clid__sip_is_uri_text(s + a->uri, a->uri_end - a->uri),
                CLID_ERR_SIP_PARSE);
    /* After the address only header parameters (RFC 3261 §20.10 *(SEMI
     * param)) or the comma before the next entry: "sip:a@b junk" or
     * "<sip:a@b> junk" is no address another parser reads the same way. */
    q = skip_lws(s, q, end);
    CLID_ENSURE(q == end || s[q] == ';' || s[q] == ',', CLID_ERR_SIP_PARSE);
    a->params = q;

    /* Header parameters run to the next comma outside quotes. */
    while (q < end && s[q] != ',') {
        if (s[q] == '"') {
            q = skip_quoted(s, q, end);
            CLID_ENSURE(q <= end, CLID_ERR_SIP_PARSE);
        } else {
            q++;
        }
    }
    size_t e = q;
    while (e > a->params && is_lws(s[e - 1]))
        e--;
    a->end = e;
    *pos = q < end ? q + 1 : end;
    return CLID_OK;
}

int clid__sip_next_param(const char *s, size_t *pos, size_t end, clid__sip_param *p)
{
    size_t q = skip_lws(s, *pos, end);
    if (q >= end || s[q] != ';')
        return 0;
    p->start = q;
    q = skip_lws(s, q + 1, end);
    p->name = q;
    while (q < end && is_token_char(s[q]))
        q++;
    p->name_len = q - p->name;
    /* The parameter runs to the next ';' outside quotes, whatever it holds:
     * stopping at a character that is not allowed would hide the parameters
     * after it, and a verstat among them would survive. */
    while (q < end && s[q] != ';') {
        if (s[q] == '"') {
            q = skip_quoted(s, q, end);
            if (q > end)
                q = end;
        } else {
            q++;
        }
    }
    size_t e = q;
    while (e > p->name + p->name_len && is_lws(s[e - 1]))
        e--;
    p->end = e;
    *pos = q;
    return 1;
}

int clid__sip_param_is(const char *s, const clid__sip_param *p, const char *name)
{
    return p->name_len == strlen(name) && ncase_eq(s + p->name, name, p->name_len);
}

/* ------------------------------------------------------------------------ */
/* Telephone numbers in URIs                                                 */
/* ------------------------------------------------------------------------ */

#define USER_MAX 256 /* clid_tn_canonicalize's own input bound */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c = (char)lower((unsigned char)c);
    return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Decodes s[0..len) (RFC 3261 §19.1.4: an escaped character equals its
 * literal) onto buf at *n; NUL, even escaped, is refused. */
static clid_err unescape(const char *s, size_t len, char *buf, size_t *n)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '%') {
            CLID_ENSURE(i + 2 < len, CLID_ERR_BAD_TN);
            int hi = hexval(s[i + 1]), lo = hexval(s[i + 2]);
            CLID_ENSURE(hi >= 0 && lo >= 0, CLID_ERR_BAD_TN);
            c = (char)(hi << 4 | lo);
            i += 2;
        }
        CLID_ENSURE(c != '\0', CLID_ERR_BAD_TN);
        buf[(*n)++] = c;
    }
    return CLID_OK;
}

/* Appends to buf each ";phone-context=..." among the user part's parameters
 * p[0..len) (p[0] is ';'), decoded: clid_tn_canonicalize globalizes the
 * number with it or refuses it (RFC 3966 §5.1.5). The other parameters
 * never change the number and are dropped. */
static clid_err add_phone_context(const char *p, size_t len, char *buf, size_t *n)
{
    size_t i = 0;
    while (i < len) {
        size_t start = ++i; /* past the ';' */
        while (i < len && p[i] != ';')
            i++;
        size_t at = *n;
        buf[(*n)++] = ';';
        CLID_TRY(unescape(p + start, i - start, buf, n));
        const char *name = buf + at + 1;
        size_t plen = *n - at - 1;
        const char *eq = memchr(name, '=', plen);
        size_t name_len = eq != NULL ? (size_t)(eq - name) : plen;
        if (name_len != 13 || !ncase_eq(name, "phone-context", 13)) {
            *n = at; /* not this parameter: drop it */
            continue;
        }
        /* An escaped delimiter in the value would be cut by
         * clid_tn_canonicalize: no prefix contains one. */
        for (size_t k = 0; k < plen; k++)
            CLID_ENSURE(name[k] != ';' && name[k] != '@' && name[k] != '?',
                        CLID_ERR_TN_PHONE_CONTEXT);
    }
    return CLID_OK;
}

clid_err clid__sip_uri_tn(const char *scheme, size_t scheme_len, const char *user,
                          size_t user_len, char tn[CLID_TN_BUF])
{
    tn[0] = '\0';
    int tel = scheme_len == 3 && ncase_eq(scheme, "tel", 3);
    int sip = (scheme_len == 3 && ncase_eq(scheme, "sip", 3)) ||
              (scheme_len == 4 && ncase_eq(scheme, "sips", 4));
    CLID_ENSURE((tel || sip) && user != NULL && user_len <= USER_MAX, CLID_ERR_BAD_TN);
    /* The number is the user part up to its parameters (RFC 3966 par,
     * RFC 4904 tgrp); clid_tn_canonicalize would also cut at '?' or '@',
     * which in a user part are ordinary characters (RFC 3261 §25.1
     * user-unreserved), not the end of a number: refused below instead. */
    const char *semi = memchr(user, ';', user_len);
    size_t num_len = semi != NULL ? (size_t)(semi - user) : user_len;
    char buf[USER_MAX + 1]; /* decoding only shortens */
    size_t n = 0;
    CLID_TRY(unescape(user, num_len, buf, &n));
    /* No ':', ';', '?' or '@' in a number (after decoding, too): clid_tn_
     * canonicalize would cut at the last three, and skip a "sip:" it found
     * here as if it were this URI's scheme. */
    for (size_t i = 0; i < n; i++)
        CLID_ENSURE(buf[i] != ':' && buf[i] != ';' && buf[i] != '?' && buf[i] != '@',
                    CLID_ERR_BAD_TN);
    CLID_ENSURE(n > 0, CLID_ERR_BAD_TN);
    if (semi != NULL)
        CLID_TRY(add_phone_context(semi, user_len - num_len, buf, &n));
    buf[n] = '\0';
    return clid_tn_canonicalize(buf, tn);
}

clid_err clid__sip_uri_text_tn(const char *s, size_t len, char tn[CLID_TN_BUF])
{
    tn[0] = '\0';
    const char *colon = memchr(s, ':', len);
    CLID_ENSURE(colon != NULL, CLID_ERR_BAD_TN);
    size_t scheme_len = (size_t)(colon - s);
    const char *user = colon + 1;
    size_t rest = len - scheme_len - 1;
    size_t user_len = rest;
    if (!(scheme_len == 3 && ncase_eq(s, "tel", 3))) {
        /* sip/sips: userinfo ends at '@'; the user at ':' (a password). */
        const char *at = memchr(user, '@', rest);
        CLID_ENSURE(at != NULL, CLID_ERR_BAD_TN);
        user_len = (size_t)(at - user);
        const char *pw = memchr(user, ':', user_len);
        if (pw != NULL)
            user_len = (size_t)(pw - user);
    }
    return clid__sip_uri_tn(s, scheme_len, user, user_len, tn);
}
