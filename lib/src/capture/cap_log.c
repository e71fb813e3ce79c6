/*
 * SIP text logs (docs/trace.md, "Capture input", has examples of both):
 *
 * SIPp -trace_msg (SIPp 3.6, the <scenario>_<pid>_messages.log file): each
 * message is a block
 *     ----------------------------------------------- 2026-12-02 10:16:34.789673
 *     UDP message sent (509 bytes):
 *     <empty line>
 *     <the 509 bytes of the message>
 * ("UDP message received [309] bytes :" for received ones). The time is
 * SIPp's local time, read as UTC; the log holds no addresses.
 *
 * Kamailio (or OpenSIPS) message logging with xlog, one entry per received
 * message:
 *     xlog("L_INFO", "clid-trace $TV(s) $TV(u) $pr $si $sp $Ri $Rp\n$mb\n");
 * in request_route and onreply_route. The entry starts at "clid-trace " (any
 * log prefix before it is ignored) with seconds, microseconds, protocol,
 * source address and port, receiving address and port; the message follows
 * on the next lines (stderr logging, -E) or on the same line with rsyslog's
 * escapes of control characters (#015#012 for CR LF).
 *
 * Reading is streamed line by line with a bounded line buffer.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "capture/capture_int.h"

enum { LOG_SIPP = 1, LOG_KAMAILIO = 2 };
#define DETECT_BYTES (1u << 20) /* how far into a file the first entry is looked for */
#define SIPP_DASHES "----------------------------------------------- "
#define KAM_MARK "clid-trace "

struct cap_log {
    FILE *fp;
    int kind;
    uint64_t line_no; /* lines read so far */
    char *line;       /* the current line, NUL-terminated, without its '\n' */
    size_t line_len, line_cap;
    int have_line; /* a line read ahead and not yet used */
    char *msg;     /* the entry being assembled */
    size_t msg_len, msg_cap;
};

/* Reads one line (without '\n'). A longer line than the buffer keeps its
 * first line_cap-1 bytes; the rest is read and thrown away. 0 at the end. */
static int read_line(cap_log *l)
{
    if (l->have_line) {
        l->have_line = 0;
        return 1;
    }
    l->line_len = 0;
    int any = 0;
    for (;;) {
        int ch = getc(l->fp);
        if (ch == EOF)
            break;
        any = 1;
        if (ch == '\n')
            break;
        if (l->line_len + 1 < l->line_cap)
            l->line[l->line_len++] = (char)ch;
    }
    l->line[l->line_len] = '\0';
    if (any)
        l->line_no++;
    return any;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (no timegm: not C11). */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* "2026-12-02 10:16:34.789673" (a TAB is accepted for the space). */
static int parse_sipp_time(const char *s, cap_meta *m)
{
    int y, mo, d, h, mi, sec, n = 0;
    char frac[16] = "";
    if (sscanf(s, "%4d-%2d-%2d%*[ \t]%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6)
        return -1;
    if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60 || y < 1970)
        return -1;
    if (s[n] == '.' && sscanf(s + n + 1, "%6[0-9]", frac) != 1)
        return -1;
    int32_t us = 0;
    size_t k = 0;
    for (; k < 6; k++)
        us = us * 10 + (frac[k] ? frac[k] - '0' : 0);
    m->sec = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + sec;
    m->usec = us;
    return 0;
}

static int is_sipp_block(const char *line)
{
    cap_meta m;
    return strncmp(line, SIPP_DASHES, strlen(SIPP_DASHES)) == 0 &&
           parse_sipp_time(line + strlen(SIPP_DASHES), &m) == 0;
}

static int msg_reserve(cap_log *l, size_t need)
{
    if (need <= l->msg_cap)
        return 0;
    size_t nc = l->msg_cap ? l->msg_cap : 4096;
    while (nc < need)
        nc *= 2;
    char *nb = realloc(l->msg, nc);
    if (!nb)
        return -1;
    l->msg = nb;
    l->msg_cap = nc;
    return 0;
}

clid_err capture__log_open(clid_capture *c, FILE *fp, const char *name)
{
    cap_log *l = calloc(1, sizeof *l);
    if (!l)
        return CLID_ERR_NOMEM;
    c->log = l;
    l->fp = fp;
    /* Longest line kept: a whole message on one line (the rsyslog form). */
    l->line_cap = c->lim.max_message * 4 + 4096;
    l->line = malloc(l->line_cap);
    if (!l->line)
        return CLID_ERR_NOMEM;
    /* The shape is decided by the first entry in the first megabyte. */
    size_t seen = 0;
    while (!l->kind && seen < DETECT_BYTES && read_line(l)) {
        seen += l->line_len + 1;
        if (is_sipp_block(l->line))
            l->kind = LOG_SIPP;
        else if (strstr(l->line, KAM_MARK))
            l->kind = LOG_KAMAILIO;
    }
    if (!l->kind) {
        capture__warn(c, 0, "open",
                      "%s: not a pcap or pcapng capture, nor a SIP log of a known shape (SIPp "
                      "-trace_msg, or Kamailio/OpenSIPS \"clid-trace\" xlog lines: docs/trace.md)",
                      name);
        return CLID_ERR_CAPTURE_OPEN;
    }
    if (fseek(fp, 0, SEEK_SET) != 0) {
        capture__warn(c, 0, "open", "%s: cannot seek back to the start", name);
        return CLID_ERR_CAPTURE_OPEN;
    }
    l->line_no = 0;
    return CLID_OK;
}

void capture__log_free(cap_log *l)
{
    if (!l)
        return;
    free(l->line);
    free(l->msg);
    free(l);
}

/* One SIPp block, its dashes line already read. */
static clid_err sipp_entry(clid_capture *c, cap_log *l)
{
    cap_meta m = {0};
    (void)parse_sipp_time(l->line + strlen(SIPP_DASHES), &m);
    uint64_t first = l->line_no;
    if (!read_line(l))
        return CLID_ERR_CAPTURE_END;
    const char *p = strstr(l->line, "message ");
    unsigned long long n = 0;
    const char *num = NULL;
    if (p) {
        const char *s = strstr(p, "sent (");
        const char *r = strstr(p, "received [");
        if (s)
            num = s + 6;
        else if (r)
            num = r + 10;
    }
    char *end = NULL;
    if (num)
        n = strtoull(num, &end, 10);
    if (!num || end == num) {
        capture__warn(c, first, "malformed", "SIPp block without \"message sent/received\" line");
        l->have_line = 1; /* may be the next block */
        return CLID_OK;
    }
    if (!read_line(l)) /* the empty line */
        return CLID_ERR_CAPTURE_END;
    if (n > c->lim.max_message) {
        capture__warn(c, first, "too-large",
                      "SIPp block of %llu bytes exceeds max_message (%zu): skipped", n,
                      c->lim.max_message);
        c->st.dropped++;
        for (unsigned long long k = 0; k < n; k++) {
            int ch = getc(l->fp);
            if (ch == EOF)
                break;
            if (ch == '\n')
                l->line_no++;
        }
        return CLID_OK;
    }
    if (msg_reserve(l, (size_t)n + 1) != 0)
        return CLID_ERR_NOMEM;
    size_t got = fread(l->msg, 1, (size_t)n, l->fp);
    for (size_t k = 0; k < got; k++)
        if (l->msg[k] == '\n')
            l->line_no++;
    if (got < n) {
        capture__warn(c, first, "truncated", "SIPp block ends early (%zu of %llu bytes)", got, n);
        c->st.dropped++;
        return CLID_OK;
    }
    /* The line holding the message's last byte (SIPp adds a '\n' after it). */
    m.packet = l->line_no + (got && l->msg[got - 1] != '\n' ? 1 : 0);
    c->st.packets++;
    capture__sip_datagram(c, CLID_CAPTURE_LOG, &m, NULL, l->msg, got);
    return CLID_OK;
}

/* rsyslog's #ooo escapes of control characters, in place. */
static size_t unescape(char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '#' && i + 3 < n + 0 && s[i + 1] >= '0' && s[i + 1] <= '3' &&
            s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
            s[o++] = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            s[o++] = s[i];
        }
    }
    return o;
}

static int parse_addr(const char *s, uint8_t out[16])
{
    char tmp[64];
    size_t n = strlen(s);
    if (n >= sizeof tmp)
        return 0;
    if (n > 2 && s[0] == '[' && s[n - 1] == ']') {
        memcpy(tmp, s + 1, n - 2);
        tmp[n - 2] = '\0';
    } else {
        memcpy(tmp, s, n + 1);
    }
    if (inet_pton(AF_INET, tmp, out) == 1)
        return 4;
    if (inet_pton(AF_INET6, tmp, out) == 1)
        return 6;
    return 0;
}

/* One Kamailio entry: l->line holds its marker line. */
static clid_err kamailio_entry(clid_capture *c, cap_log *l)
{
    const char *p = strstr(l->line, KAM_MARK) + strlen(KAM_MARK);
    long long sec;
    long usec;
    char proto[16], src[64], dst[64];
    unsigned sport, dport;
    int n = 0;
    uint64_t first = l->line_no;
    if (sscanf(p, "%lld %ld %15s %63s %u %63s %u%n", &sec, &usec, proto, src, &sport, dst, &dport,
               &n) != 7 ||
        usec < 0 || usec > 999999 || sport > 65535 || dport > 65535) {
        capture__warn(c, first, "malformed", "clid-trace line without its 7 fields");
        return CLID_OK;
    }
    cap_meta m = {.packet = first, .sec = sec, .usec = (int32_t)usec};
    cap_flow f = {0}, f6 = {0};
    f.ver = parse_addr(src, f.src);
    f6.ver = parse_addr(dst, f6.src);
    if (f.ver && f.ver == f6.ver) {
        memcpy(f.dst, f6.src, sizeof f.dst);
        f.sport = (uint16_t)sport;
        f.dport = (uint16_t)dport;
    } else {
        f = (cap_flow){0};
    }
    const char *rest = p + n;
    if (*rest == ' ')
        rest++;
    l->msg_len = 0;
    c->st.packets++;
    if (*rest) { /* the whole message on this line, control characters escaped */
        size_t rl = strlen(rest);
        if (msg_reserve(l, rl + 1) != 0)
            return CLID_ERR_NOMEM;
        memcpy(l->msg, rest, rl);
        l->msg_len = unescape(l->msg, rl);
        capture__sip_datagram(c, CLID_CAPTURE_LOG, &m, &f, l->msg, l->msg_len);
        return CLID_OK;
    }
    /* The message on the following lines, until its Content-Length is read,
     * the next entry, or the end. */
    size_t hend = 0;
    for (;;) {
        if (!read_line(l))
            break;
        if (strstr(l->line, KAM_MARK)) {
            l->have_line = 1;
            break;
        }
        if (l->msg_len + l->line_len + 1 > c->lim.max_message) {
            capture__warn(c, first, "too-large",
                          "logged SIP message exceeds max_message (%zu): skipped",
                          c->lim.max_message);
            c->st.dropped++;
            return CLID_OK;
        }
        if (msg_reserve(l, l->msg_len + l->line_len + 2) != 0)
            return CLID_ERR_NOMEM;
        size_t scanned = l->msg_len;
        memcpy(l->msg + l->msg_len, l->line, l->line_len);
        l->msg_len += l->line_len;
        l->msg[l->msg_len++] = '\n';
        if (!hend)
            hend = capture__sip_header_end(l->msg, l->msg_len, scanned);
        if (hend) {
            long long cl = capture__sip_content_length(l->msg, hend);
            if (cl < 0 || l->msg_len >= hend + (size_t)cl) {
                if (cl >= 0)
                    l->msg_len = hend + (size_t)cl;
                break;
            }
        }
    }
    m.packet = l->line_no - (l->have_line ? 1 : 0);
    if (l->msg_len == 0) {
        capture__warn(c, first, "malformed", "clid-trace entry without a message");
        return CLID_OK;
    }
    capture__sip_datagram(c, CLID_CAPTURE_LOG, &m, &f, l->msg, l->msg_len);
    return CLID_OK;
}

clid_err capture__log_read(clid_capture *c)
{
    cap_log *l = c->log;
    for (;;) {
        if (c->brk)
            return CLID_ERR_CAPTURE_END;
        if (!read_line(l)) {
            if (ferror(l->fp)) {
                capture__warn(c, l->line_no + 1, "read", "read error");
                return CLID_ERR_CAPTURE_READ;
            }
            return CLID_ERR_CAPTURE_END;
        }
        if (l->kind == LOG_SIPP && is_sipp_block(l->line))
            return sipp_entry(c, l);
        if (l->kind == LOG_KAMAILIO && strstr(l->line, KAM_MARK))
            return kamailio_entry(c, l);
    }
}
