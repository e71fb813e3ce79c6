/* Command-line times: Unix seconds or RFC 3339 §5.6 date-time. */
#define _DEFAULT_SOURCE /* timegm */
#include <ctype.h>
#include <string.h>
#include <time.h>

#include "timearg.h"

/* Reads exactly n digits. */
static int digits(const char **p, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)(*p)[i]))
            return -1;
        v = v * 10 + ((*p)[i] - '0');
    }
    *p += n;
    *out = v;
    return 0;
}

static int parse_unix(const char *s, int64_t *out)
{
    int64_t v = 0;
    if (*s == '\0' || strlen(s) > 12)
        return -1;
    for (; *s; s++) {
        if (!isdigit((unsigned char)*s))
            return -1;
        v = v * 10 + (*s - '0');
    }
    *out = v;
    return 0;
}

static int parse_rfc3339(const char *p, int64_t *out)
{
    int y, mo, d, h, mi, sec;
    if (digits(&p, 4, &y) || *p++ != '-' || digits(&p, 2, &mo) || *p++ != '-' ||
        digits(&p, 2, &d))
        return -1;
    if (*p != 'T' && *p != 't')
        return -1;
    p++;
    if (digits(&p, 2, &h) || *p++ != ':' || digits(&p, 2, &mi) || *p++ != ':' ||
        digits(&p, 2, &sec))
        return -1;
    if (*p == '.') { /* time-secfrac: dropped */
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    int offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p++ == '-' ? -1 : 1, oh, om;
        if (digits(&p, 2, &oh) || *p++ != ':' || digits(&p, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = sign * (oh * 3600 + om * 60);
    } else {
        return -1;
    }
    if (*p != '\0' || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
        sec > 60)
        return -1;
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    tm.tm_year = y - 1900;
    tm.tm_mon = mo - 1;
    tm.tm_mday = d;
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = sec == 60 ? 59 : sec; /* a leap second reads as :59 */
    time_t t = timegm(&tm);
    if (t == (time_t)-1)
        return -1;
    /* timegm normalizes Feb 30 into March: refuse dates that moved. */
    struct tm back;
    if (gmtime_r(&t, &back) == NULL || back.tm_mday != d || back.tm_mon != mo - 1)
        return -1;
    *out = (int64_t)t - offset;
    return *out >= 0 ? 0 : -1;
}

int tool_parse_time(const char *s, int64_t *out)
{
    if (s == NULL || out == NULL)
        return -1;
    return strchr(s, '-') != NULL ? parse_rfc3339(s, out) : parse_unix(s, out);
}
