/*
 * What the sip: target reads and writes (run.h): the case's INVITE split
 * into SIPp's -key values, and the outcome read from SIPp's -trace_msg
 * file. Both parse input from the suite or from a participant's verifier:
 * bounded, NUL-terminated copies, nothing trusted.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conform/run.h"
#include "util.h"

#define SIP_MSG_MAX (1024 * 1024) /* a SIPp message trace of one case */

/* The header fields SIPp writes for the transaction itself (full and compact names). */
static int own_header(const char *line, size_t len)
{
    static const char *const names[] = {"via", "v", "call-id", "i", "cseq", "contact", "m",
                                        "max-forwards", "content-length", "l"};
    const char *colon = memchr(line, ':', len);
    if (colon == NULL)
        return 0;
    size_t n = (size_t)(colon - line);
    while (n > 0 && (line[n - 1] == ' ' || line[n - 1] == '\t'))
        n--;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strlen(names[i]) == n && strncasecmp(line, names[i], n) == 0)
            return 1;
    return 0;
}

/* run.h. */
int conform_sip_split_invite(const char *msg, size_t len, const char *target, char **ruri,
                             char **hdrs, char **body, char *detail, size_t cap)
{
    *ruri = *hdrs = *body = NULL;
    const char *eol = strstr(msg, "\r\n");
    const char *end = strstr(msg, "\r\n\r\n");
    if (eol == NULL || end == NULL || strncmp(msg, "INVITE ", 7) != 0) {
        conform_fmt(detail, cap, "invite.sip: not an INVITE with CRLF line ends");
        return -1;
    }
    const char *uri = msg + 7, *sp = memchr(uri, ' ', (size_t)(eol - uri));
    if (sp == NULL) {
        conform_fmt(detail, cap, "invite.sip: bad request line");
        return -1;
    }
    size_t ulen = (size_t)(sp - uri);
    *ruri = malloc(ulen + strlen(target) + 2);
    *hdrs = malloc(len + 1);
    size_t blen = len - (size_t)(end + 4 - msg);
    *body = malloc(blen + 1);
    if (*ruri == NULL || *hdrs == NULL || *body == NULL) {
        conform_fmt(detail, cap, "out of memory");
        return -1;
    }
    /* sip:USER@HOST[;params] -> sip:USER@TARGET[;params]; other URIs unchanged
     * (SIPp sends to the target whatever the Request-URI says). */
    const char *at = memchr(uri, '@', ulen);
    if (strncmp(uri, "sip:", 4) == 0 && at != NULL) {
        const char *params = at + 1;
        while (params < sp && *params != ';' && *params != '>')
            params++;
        snprintf(*ruri, ulen + strlen(target) + 2, "%.*s@%s%.*s", (int)(at - uri), uri, target,
                 (int)(sp - params), params);
    } else {
        snprintf(*ruri, ulen + 1, "%.*s", (int)ulen, uri);
    }
    /* Header fields, folded continuation lines kept with their field. */
    size_t n = 0;
    int skip = 0;
    for (const char *line = eol + 2; line < end + 2;) {
        const char *next = strstr(line, "\r\n");
        size_t l = (size_t)(next - line);
        if (line[0] != ' ' && line[0] != '\t')
            skip = own_header(line, l);
        if (!skip) {
            if (n > 0) {
                memcpy(*hdrs + n, "\r\n", 2);
                n += 2;
            }
            memcpy(*hdrs + n, line, l);
            n += l;
        }
        line = next + 2;
    }
    (*hdrs)[n] = '\0';
    memcpy(*body, end + 4, blen);
    (*body)[blen] = '\0';
    /* SIPp ends the scenario's last line itself. */
    while (blen >= 2 && (*body)[blen - 2] == '\r' && (*body)[blen - 1] == '\n')
        (*body)[blen -= 2] = '\0';
    return 0;
}

/* The value of header `name` (case-insensitive, full name only) in the
 * message msg[0..len), first occurrence, copied to out[cap]; 0 if found. */
static int header(const char *msg, size_t len, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (const char *p = msg; p < msg + len;) {
        const char *e = memchr(p, '\n', (size_t)(msg + len - p));
        size_t l = e ? (size_t)(e - p) : (size_t)(msg + len - p);
        if (l == 0 || (l == 1 && p[0] == '\r'))
            break;
        if (l > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':') {
            const char *v = p + nl + 1;
            while (*v == ' ')
                v++;
            size_t vl = (size_t)(p + l - v);
            if (vl > 0 && v[vl - 1] == '\r')
                vl--;
            conform_fmt(out, cap, "%.*s", (int)vl, v);
            return 0;
        }
        p = e ? e + 1 : msg + len;
    }
    return -1;
}

/* "verstat=X" in s: X into out (a verstat value's characters only). */
static int find_verstat(const char *s, char *out, size_t cap)
{
    const char *p = strstr(s, "verstat=");
    if (p == NULL)
        return -1;
    p += 8;
    size_t n = strspn(p, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-");
    if (n == 0)
        return -1;
    conform_fmt(out, cap, "%.*s", (int)n, p);
    return 0;
}

/* run.h. Only `cid`'s responses: a stray response to another call (a late
 * retransmission reaching the same local port) is not this case's. */
void conform_sip_read_trace(const char *path, const char *cid, conform_obs *obs)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "no SIPp message trace");
        return;
    }
    fclose(f);
    if (tool_read_file(path, SIP_MSG_MAX, &buf, &len) != TOOL_EXIT_OK) {
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "SIPp message trace unreadable");
        return;
    }
    /* tool_read_file gives bytes, not a string: terminate them (the trace
     * is searched with strstr). */
    uint8_t *b2 = realloc(buf, len + 1);
    if (b2 == NULL) {
        free(buf);
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "out of memory");
        return;
    }
    buf = b2;
    buf[len] = '\0';
    char *text = (char *)buf;
    const char *final = NULL;
    size_t flen = 0;
    int code = -1;
    for (char *p = strstr(text, "message received"); p; p = strstr(p + 1, "message received")) {
        char *m = strstr(p, "\n\n");
        if (m == NULL)
            break;
        m += 2;
        int c = 0;
        if (sscanf(m, "SIP/2.0 %3d", &c) != 1 || c < 200)
            continue;
        char *next = strstr(m, "\n-----------------------------------------------");
        size_t mlen = next ? (size_t)(next - m) : strlen(m);
        char id[256];
        if (header(m, mlen, "Call-ID", id, sizeof id) != 0 || strcmp(id, cid) != 0)
            continue;
        code = c;
        final = m;
        flen = mlen;
    }
    if (final == NULL) {
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "no final response from the target");
        free(buf);
        return;
    }
    char v[1024];
    if (code < 300) {
        obs->sip = 0;
        if (header(final, flen, "X-Conform-Forwarded", v, sizeof v) == 0) {
            /* "pai=verstat=X from=verstat=Y": the asserted identity first. */
            char *from = strstr(v, " from=");
            if (from != NULL)
                *from = '\0';
            if (find_verstat(v, obs->verstat, sizeof obs->verstat) != 0 && from != NULL)
                find_verstat(from + 1, obs->verstat, sizeof obs->verstat);
            conform_fmt(obs->detail, sizeof obs->detail, "passed on to the UAS");
        } else {
            if (header(final, flen, "P-Asserted-Identity", v, sizeof v) == 0)
                find_verstat(v, obs->verstat, sizeof obs->verstat);
            conform_fmt(obs->detail, sizeof obs->detail, "answered %d by the target", code);
        }
    } else {
        obs->sip = code;
        /* RFC 8224 §6.2.2: these statuses are verification failures. */
        if (code == 403 || code == 428 || code == 436 || code == 437 || code == 438)
            conform_fmt(obs->verstat, sizeof obs->verstat, "TN-Validation-Failed");
        const char *eol = memchr(final, '\n', flen);
        size_t l = eol ? (size_t)(eol - final) : flen;
        if (l > 0 && final[l - 1] == '\r')
            l--;
        char *safe = tool_sanitize(final, l);
        conform_fmt(obs->detail, sizeof obs->detail, "%s", safe ? safe : "");
        free(safe);
    }
    free(buf);
}

