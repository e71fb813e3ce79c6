/*
 * Recognizing and framing SIP messages in bytes that may be anything: SIP is
 * found by content, on any port (issue 11), so the start line must be exact
 * enough that other protocols (HTTP, RTP, STUN, TLS) are not taken for it.
 *
 * RFC 3261 §7.1: Request-Line = Method SP Request-URI SP SIP-Version CRLF;
 * §7.2: Status-Line = SIP-Version SP Status-Code SP Reason-Phrase CRLF.
 * A bare LF is accepted as a line end (logs and lenient stacks write them).
 */
#include <string.h>

#include "capture/capture_int.h"

#define MAX_METHOD 32u

/* RFC 3261 §25.1 token characters. */
static int is_token(unsigned char ch)
{
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9'))
        return 1;
    return ch != 0 && strchr("-.!%*_+`'~", ch) != NULL;
}

static int is_digit(unsigned char ch)
{
    return ch >= '0' && ch <= '9';
}

/* p[i..n) against the literal s: YES matched, NO differs, MORE ran out. */
static int match(const char *p, size_t n, size_t i, const char *s)
{
    size_t l = strlen(s);
    for (size_t k = 0; k < l; k++) {
        if (i + k >= n)
            return CAP_SIP_MORE;
        if (p[i + k] != s[k])
            return CAP_SIP_NO;
    }
    return CAP_SIP_YES;
}

/* Line end at p[i]: "\r\n" or "\n". */
static int line_end(const char *p, size_t n, size_t i)
{
    if (i >= n)
        return CAP_SIP_MORE;
    if (p[i] == '\n')
        return CAP_SIP_YES;
    if (p[i] != '\r')
        return CAP_SIP_NO;
    if (i + 1 >= n)
        return CAP_SIP_MORE;
    return p[i + 1] == '\n' ? CAP_SIP_YES : CAP_SIP_NO;
}

static int status_line(const char *p, size_t n)
{
    /* "SIP/2.0 " already matched; Status-Code = 3DIGIT, 1xx..6xx (§7.2). */
    size_t i = 8;
    for (size_t k = 0; k < 3; k++, i++) {
        if (i >= n)
            return CAP_SIP_MORE;
        if (!is_digit((unsigned char)p[i]) || (k == 0 && (p[i] < '1' || p[i] > '6')))
            return CAP_SIP_NO;
    }
    if (i >= n)
        return CAP_SIP_MORE;
    if (p[i] == ' ')
        return CAP_SIP_YES; /* the reason phrase is free text */
    return line_end(p, n, i);
}

int capture__sip_start(const char *p, size_t n)
{
    int r = match(p, n, 0, "SIP/2.0 ");
    if (r == CAP_SIP_YES)
        return status_line(p, n);
    if (r == CAP_SIP_MORE)
        return CAP_SIP_MORE;
    /* Method SP */
    size_t i = 0;
    while (i < n && is_token((unsigned char)p[i]) && i < MAX_METHOD)
        i++;
    if (i >= n)
        return i < MAX_METHOD ? CAP_SIP_MORE : CAP_SIP_NO;
    if (i == 0 || p[i] != ' ')
        return CAP_SIP_NO;
    i++;
    /* Request-URI: visible characters up to SP; then "SIP/2.0" and the line end. */
    size_t uri = i;
    while (i < n && i < CAP_SIP_MAX_START_LINE && (unsigned char)p[i] > ' ' &&
           (unsigned char)p[i] != 0x7f)
        i++;
    if (i >= CAP_SIP_MAX_START_LINE)
        return CAP_SIP_NO;
    if (i >= n)
        return CAP_SIP_MORE;
    if (i == uri || p[i] != ' ')
        return CAP_SIP_NO;
    i++;
    r = match(p, n, i, "SIP/2.0");
    if (r != CAP_SIP_YES)
        return r;
    return line_end(p, n, i + 7);
}

size_t capture__sip_header_end(const char *p, size_t n, size_t from)
{
    /* The empty line is a line end followed by "\r\n" or "\n"; the start
     * line is never empty. A '\n' more than 2 bytes before `from` was fully
     * checked by the previous call. */
    size_t i = from > 2 ? from - 2 : 0;
    while (i < n) {
        const char *nl = memchr(p + i, '\n', n - i);
        if (!nl)
            return 0;
        size_t k = (size_t)(nl - p);
        if (k + 1 < n && p[k + 1] == '\n')
            return k + 2;
        if (k + 2 < n && p[k + 1] == '\r' && p[k + 2] == '\n')
            return k + 3;
        i = k + 1;
    }
    return 0;
}

static int ieq(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x - 'A' + 'a');
        if (x != y)
            return 0;
    }
    return 1;
}

long long capture__sip_content_length(const char *p, size_t hlen)
{
    long long found = -1;
    const char *nl = memchr(p, '\n', hlen); /* skip the start line */
    size_t i = nl ? (size_t)(nl - p) + 1 : hlen;
    while (i < hlen) {
        const char *e = memchr(p + i, '\n', hlen - i);
        size_t end = e ? (size_t)(e - p) : hlen;
        size_t j = i;
        /* header-name HCOLON: the name is a token, then SP/HT, then ':' (§7.3.1) */
        while (j < end && is_token((unsigned char)p[j]))
            j++;
        size_t name_end = j;
        while (j < end && (p[j] == ' ' || p[j] == '\t'))
            j++;
        if (j < end && p[j] == ':' && name_end > i &&
            (ieq(p + i, name_end - i, "content-length") || ieq(p + i, name_end - i, "l"))) {
            j++;
            while (j < end && (p[j] == ' ' || p[j] == '\t'))
                j++;
            long long v = 0;
            size_t digits = 0;
            while (j < end && is_digit((unsigned char)p[j])) {
                if (++digits > 10)
                    return -2;
                v = v * 10 + (p[j] - '0');
                j++;
            }
            while (j < end && (p[j] == ' ' || p[j] == '\t' || p[j] == '\r'))
                j++;
            if (digits == 0 || j != end)
                return -2;
            if (found >= 0 && found != v)
                return -2;
            found = v;
        }
        i = end + 1;
    }
    return found;
}

/* Methods of RFC 3261 and its extensions (RFC 3262, 3265, 3311, 3428, 3515,
 * 3903, 6086), for start lines glued to the bytes before them. */
static const char *const methods[] = {"INVITE",  "ACK",       "BYE",    "CANCEL", "OPTIONS",
                                      "REGISTER", "PRACK",    "SUBSCRIBE", "NOTIFY", "PUBLISH",
                                      "INFO",    "REFER",     "MESSAGE", "UPDATE"};

/* "SIP/2.0" in p[0..n) (memmem is a GNU extension). */
static const char *find_version(const char *p, size_t n)
{
    size_t i = 0;
    while (i + 7 <= n) {
        const char *q = memchr(p + i, 'S', n - i - 6);
        if (!q)
            return NULL;
        if (memcmp(q, "SIP/2.0", 7) == 0)
            return q;
        i = (size_t)(q - p) + 1;
    }
    return NULL;
}

/* A start line not at a line start: after a gap the previous message's body
 * may end without CRLF ("...xxxINVITE sip:..."), so the line is found by its
 * "SIP/2.0" and, for requests, a known method just before the Request-URI. */
static size_t glued_start(const char *p, size_t n, size_t from)
{
    size_t i = from;
    while (i + 7 <= n) {
        const char *q = find_version(p + i, n - i);
        if (!q)
            return n;
        size_t at = (size_t)(q - p);
        if (capture__sip_start(q, n - at) == CAP_SIP_YES)
            return at; /* a status line */
        if (at > from + 2 && p[at - 1] == ' ') {
            size_t u = at - 1;
            while (u > from && (unsigned char)p[u - 1] > ' ')
                u--;
            if (u > from + 1 && p[u - 1] == ' ') {
                size_t mend = u - 1;
                for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
                    size_t ml = strlen(methods[k]);
                    if (mend >= from + ml && memcmp(p + mend - ml, methods[k], ml) == 0 &&
                        capture__sip_start(p + mend - ml, n - (mend - ml)) == CAP_SIP_YES)
                        return mend - ml;
                }
            }
        }
        i = at + 1;
    }
    return n;
}

size_t capture__sip_find_start(const char *p, size_t n, size_t from)
{
    size_t i = from, line = n;
    while (i < n) {
        if (capture__sip_start(p + i, n - i) != CAP_SIP_NO) {
            line = i;
            break;
        }
        const char *nl = memchr(p + i, '\n', n - i);
        if (!nl)
            break;
        i = (size_t)(nl - p) + 1;
    }
    size_t glued = glued_start(p, line, from);
    return glued < line ? glued : line;
}

int capture__tls_record(const uint8_t *d, size_t n)
{
    /* ContentType 20..23, legacy_record_version 3.x (x <= 4), length <= 2^14 + 2048. */
    if (n < 5 || d[0] < 20 || d[0] > 23 || d[1] != 3 || d[2] > 4)
        return 0;
    unsigned len = (unsigned)d[3] << 8 | d[4];
    if (len == 0 || len > 18432)
        return 0;
    /* handshake(22) carrying client_hello(1) (RFC 8446 §4) */
    if (d[0] == 22 && n >= 6 && d[5] == 1)
        return 2;
    return 1;
}
