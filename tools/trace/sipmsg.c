/*
 * The few SIP fields correlation needs (RFC 3261 §8.1.1, §17.1.3, §17.2.3):
 * start line, Call-ID, CSeq, the top Via's branch, the To tag and the
 * Identity headers (RFC 8224 §4). Not a SIP parser: verification parses the
 * request with libosip2 (clid_sip_verify); this only tells messages apart,
 * so it is tolerant and bounded (every field is cut at TRACE_FIELD - 1).
 * Header names in any case, compact forms (i, v, t, y; RFC 3261 §7.3.3),
 * whitespace before ':'; the header section ends at the first empty line.
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "trace/trace.h"

static void copy_cut(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap)
        n = cap - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\t'))
        p++;
    return p;
}

static const char *trim_end(const char *b, const char *e)
{
    while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        e--;
    return e;
}

/* ";name=value" in [p, end), case-insensitive name, value up to ; , > or ws. */
static int find_param(const char *p, const char *end, const char *name, char *out, size_t cap)
{
    size_t nl = strlen(name);
    for (; p < end; p++) {
        if (*p != ';')
            continue;
        const char *q = skip_ws(p + 1, end);
        if ((size_t)(end - q) > nl && strncasecmp(q, name, nl) == 0 && q[nl] == '=') {
            const char *v = q + nl + 1, *ve = v;
            while (ve < end && *ve != ';' && *ve != ',' && *ve != '>' && *ve != ' ' &&
                   *ve != '\t' && *ve != '\r')
                ve++;
            copy_cut(out, cap, v, (size_t)(ve - v));
            return 1;
        }
    }
    return 0;
}

static int name_is(const char *n, size_t nl, const char *full, const char *compact)
{
    if (strlen(full) == nl && strncasecmp(n, full, nl) == 0)
        return 1;
    return compact != NULL && nl == 1 && tolower((unsigned char)n[0]) == compact[0];
}

static uint64_t fnv1a(uint64_t h, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

static int parse_start(const char *p, const char *e, trace_sip *out)
{
    if (e - p > 8 && strncmp(p, "SIP/2.0 ", 8) == 0) {
        out->is_request = 0;
        const char *s = p + 8;
        int st = 0, digits = 0;
        while (s < e && isdigit((unsigned char)*s) && digits < 4) {
            st = st * 10 + (*s - '0');
            s++;
            digits++;
        }
        if (digits != 3 || st < 100)
            return -1;
        out->status = st;
        return 0;
    }
    /* Method SP Request-URI SP SIP/2.0 */
    const char *sp = memchr(p, ' ', (size_t)(e - p));
    if (sp == NULL || sp == p || (size_t)(sp - p) >= sizeof out->method)
        return -1;
    for (const char *q = p; q < sp; q++)
        if (!isupper((unsigned char)*q) && *q != '-' && *q != '_')
            return -1;
    const char *t = trim_end(p, e);
    if (t - p < 8 || strncmp(t - 7, "SIP/2.0", 7) != 0)
        return -1;
    out->is_request = 1;
    copy_cut(out->method, sizeof out->method, p, (size_t)(sp - p));
    return 0;
}

int trace_sip_parse(const char *data, size_t len, trace_sip *out)
{
    memset(out, 0, sizeof *out);
    const char *p = data, *end = data + len;
    const char *nl = memchr(p, '\n', len);
    if (nl == NULL || parse_start(p, trim_end(p, nl), out) != 0)
        return -1;
    int have_callid = 0, have_cseq = 0, have_via = 0, have_to = 0;
    uint64_t h = 14695981039346656037ULL;
    for (p = nl + 1; p < end;) {
        const char *le = memchr(p, '\n', (size_t)(end - p));
        if (le == NULL)
            le = end;
        const char *lend = trim_end(p, le);
        if (lend == p)
            break; /* empty line: end of the header section */
        if (*p == ' ' || *p == '\t') {
            p = le + 1; /* folded continuation: not needed for these fields */
            continue;
        }
        const char *colon = memchr(p, ':', (size_t)(lend - p));
        if (colon != NULL) {
            const char *ne = trim_end(p, colon);
            size_t nlen = (size_t)(ne - p);
            const char *v = skip_ws(colon + 1, lend);
            if (!have_callid && name_is(p, nlen, "Call-ID", "i")) {
                copy_cut(out->callid, sizeof out->callid, v, (size_t)(lend - v));
                have_callid = out->callid[0] != '\0';
            } else if (!have_cseq && name_is(p, nlen, "CSeq", NULL)) {
                /* digits parsed within the line: the data is not NUL-terminated */
                const char *ep = v;
                uint64_t n = 0;
                while (ep < lend && *ep >= '0' && *ep <= '9' && n <= 0xffffffffULL)
                    n = n * 10 + (uint64_t)(*ep++ - '0');
                if (ep != v && n <= 0xffffffffULL) {
                    const char *m = skip_ws(ep, lend);
                    const char *me = m;
                    while (me < lend && *me != ' ' && *me != '\t')
                        me++;
                    if (me > m) {
                        out->cseq = (uint32_t)n;
                        copy_cut(out->cseq_method, sizeof out->cseq_method, m, (size_t)(me - m));
                        have_cseq = 1;
                    }
                }
            } else if (!have_via && name_is(p, nlen, "Via", "v")) {
                /* the top Via is the first value of the first Via header */
                const char *ve = memchr(v, ',', (size_t)(lend - v));
                find_param(v, ve ? ve : lend, "branch", out->branch, sizeof out->branch);
                have_via = 1;
            } else if (!have_to && name_is(p, nlen, "To", "t")) {
                /* parameters after the name-addr's '>' are header parameters */
                const char *gt = memchr(v, '>', (size_t)(lend - v));
                find_param(gt ? gt : v, lend, "tag", out->to_tag, sizeof out->to_tag);
                have_to = 1;
            } else if (name_is(p, nlen, "Identity", "y")) {
                out->identities++;
                h = fnv1a(h, v, (size_t)(lend - v));
                h = fnv1a(h, "\n", 1);
            }
        }
        p = le + 1;
    }
    out->identity_hash = out->identities ? h : 0;
    if (!have_callid || !have_cseq)
        return -1;
    if (!out->is_request)
        memcpy(out->method, out->cseq_method, sizeof out->method);
    return 0;
}
