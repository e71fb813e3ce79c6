/*
 * How long an x5u response may be reused (fetch_internal.h): Cache-Control
 * (RFC 9111 §5.2), Expires (§5.3) with Date, Age (§5.1), and HTTP-dates
 * (RFC 9110 §5.6.7).
 *
 * The values come from whatever server an x5u URL names, so the parsers
 * read bounded input, never allocate, and answer every malformed value with
 * the conservative reading RFC 9111 prescribes: "stale" (0), which the cache
 * then raises to its 5-minute floor. Nothing here can make clid keep a
 * response longer than the server asked or 24 hours.
 */
#include <string.h>

#include "fetch/fetch_internal.h"
#include "core/internal.h"

#define DELTA_MAX INT64_C(2147483648) /* RFC 9111 §1.2.2: 2^31 for any larger value */

/* ------------------------------------------------------------------------ */
/* Cache-Control                                                             */
/* ------------------------------------------------------------------------ */

struct cc {
    int64_t max_age;  /* -1: absent */
    int64_t s_maxage; /* -1: absent */
    int no_store;
    int no_cache;
    int invalid;      /* malformed syntax, a bad or repeated delta */
};

static int is_tchar(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int is_ows(int c)
{
    return c == ' ' || c == '\t';
}

static int name_is(const char *s, size_t len, const char *name)
{
    if (strlen(name) != len)
        return 0;
    for (size_t i = 0; i < len; i++) {
        int c = (unsigned char)s[i];
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (c != name[i])
            return 0;
    }
    return 1;
}

/* delta-seconds (RFC 9111 §1.2.2): 1*DIGIT, saturating at 2^31. */
static int parse_delta(const char *s, size_t len, int64_t *out)
{
    if (len == 0)
        return -1;
    int64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        if (v < DELTA_MAX)
            v = v * 10 + (s[i] - '0');
    }
    *out = v < DELTA_MAX ? v : DELTA_MAX;
    return 0;
}

/* A directive's value: token or quoted-string (§5.2: recipients accept
 * both). Quoted values are used only when they hold no escapes, which is
 * all a delta or a bare field name needs. Returns the index after it, or
 * len + 1 when malformed; *vs and *vl give the value without quotes. */
static size_t read_value(const char *s, size_t i, size_t len, const char **vs, size_t *vl,
                         int *escaped)
{
    *escaped = 0;
    if (i < len && s[i] == '"') {
        size_t start = ++i;
        while (i < len && s[i] != '"') {
            if (s[i] == '\\') {
                *escaped = 1;
                if (++i >= len)
                    return len + 1;
            }
            i++;
        }
        if (i >= len)
            return len + 1;
        *vs = s + start;
        *vl = i - start;
        return i + 1;
    }
    size_t start = i;
    while (i < len && is_tchar((unsigned char)s[i]))
        i++;
    if (i == start)
        return len + 1;
    *vs = s + start;
    *vl = i - start;
    return i;
}

static void set_delta(struct cc *cc, int64_t *slot, const char *v, size_t vl, int has_value,
                      int escaped)
{
    int64_t d;
    /* A second occurrence or a bad value: RFC 9111 §4.2.1 lets a cache use
     * the first one or treat the response as stale; stale is the safe one. */
    if (*slot >= 0 || !has_value || escaped || parse_delta(v, vl, &d) != 0) {
        cc->invalid = 1;
        return;
    }
    *slot = d;
}

static void parse_cache_control(const char *s, size_t len, struct cc *cc)
{
    *cc = (struct cc){.max_age = -1, .s_maxage = -1};
    size_t i = 0;
    for (;;) {
        while (i < len && (is_ows((unsigned char)s[i]) || s[i] == ','))
            i++;
        if (i >= len)
            return;
        size_t ns = i;
        while (i < len && is_tchar((unsigned char)s[i]))
            i++;
        size_t nl = i - ns;
        const char *v = NULL;
        size_t vl = 0;
        int has_value = 0, escaped = 0;
        if (nl == 0) {
            cc->invalid = 1;
            return;
        }
        if (i < len && s[i] == '=') {
            i = read_value(s, i + 1, len, &v, &vl, &escaped);
            if (i > len) {
                cc->invalid = 1;
                return;
            }
            has_value = 1;
        }
        while (i < len && is_ows((unsigned char)s[i]))
            i++;
        if (i < len && s[i] != ',') {
            cc->invalid = 1;
            return;
        }
        const char *name = s + ns;
        if (name_is(name, nl, "max-age"))
            set_delta(cc, &cc->max_age, v, vl, has_value, escaped);
        else if (name_is(name, nl, "s-maxage"))
            set_delta(cc, &cc->s_maxage, v, vl, has_value, escaped);
        else if (name_is(name, nl, "no-store"))
            cc->no_store = 1;
        else if (name_is(name, nl, "no-cache") && !has_value)
            cc->no_cache = 1; /* no-cache="field" only concerns those fields */
        /* Anything else (public, private, must-revalidate, extensions) does
         * not change how long clid may reuse a public certificate. */
    }
}

/* ------------------------------------------------------------------------ */
/* HTTP-date                                                                 */
/* ------------------------------------------------------------------------ */

static const char *const months[12] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
static const char *const days_short[7] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
static const char *const days_long[7] = {"Monday", "Tuesday",  "Wednesday", "Thursday",
                                         "Friday", "Saturday", "Sunday"};

/* A cursor over the date text. */
struct cur {
    const char *s;
    size_t len;
    size_t i;
    int bad;
};

static void lit(struct cur *c, const char *t)
{
    size_t n = strlen(t);
    if (c->bad || c->len - c->i < n || memcmp(c->s + c->i, t, n) != 0)
        c->bad = 1;
    else
        c->i += n;
}

/* Exactly n digits. */
static int num(struct cur *c, size_t n)
{
    int v = 0;
    if (c->bad || c->len - c->i < n) {
        c->bad = 1;
        return 0;
    }
    for (size_t k = 0; k < n; k++) {
        char d = c->s[c->i + k];
        if (d < '0' || d > '9') {
            c->bad = 1;
            return 0;
        }
        v = v * 10 + (d - '0');
    }
    c->i += n;
    return v;
}

/* One of `names` (case-sensitive, RFC 9110 §5.6.7); returns its index. */
static int word(struct cur *c, const char *const *names, int n)
{
    if (c->bad)
        return 0;
    for (int k = 0; k < n; k++) {
        size_t l = strlen(names[k]);
        if (c->len - c->i >= l && memcmp(c->s + c->i, names[k], l) == 0) {
            c->i += l;
            return k;
        }
    }
    c->bad = 1;
    return 0;
}

/* "08:49:37" */
static void hms(struct cur *c, int *h, int *m, int *s)
{
    *h = num(c, 2);
    lit(c, ":");
    *m = num(c, 2);
    lit(c, ":");
    *s = num(c, 2);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (the era-based
 * civil-to-days computation: 400-year eras of 146097 days). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
    static const int dm[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return dm[m] + (m == 1 && leap);
}

int clid__http_date_parse(const char *s, size_t len, int64_t *out)
{
    if (s == NULL || out == NULL)
        return -1;
    while (len > 0 && is_ows((unsigned char)s[0])) {
        s++;
        len--;
    }
    while (len > 0 && is_ows((unsigned char)s[len - 1]))
        len--;

    struct cur c = {.s = s, .len = len};
    int y, mon, d, h, mi, sec;
    if (len >= 4 && s[3] == ',') {
        /* IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT" */
        word(&c, days_short, 7);
        lit(&c, ", ");
        d = num(&c, 2);
        lit(&c, " ");
        mon = word(&c, months, 12);
        lit(&c, " ");
        y = num(&c, 4);
        lit(&c, " ");
        hms(&c, &h, &mi, &sec);
        lit(&c, " GMT");
    } else if (len >= 4 && s[3] == ' ') {
        /* asctime: "Sun Nov  6 08:49:37 1994" */
        word(&c, days_short, 7);
        lit(&c, " ");
        mon = word(&c, months, 12);
        lit(&c, " ");
        if (!c.bad && c.i < len && c.s[c.i] == ' ') {
            c.i++;
            d = num(&c, 1);
        } else {
            d = num(&c, 2);
        }
        lit(&c, " ");
        hms(&c, &h, &mi, &sec);
        lit(&c, " ");
        y = num(&c, 4);
    } else {
        /* RFC 850: "Sunday, 06-Nov-94 08:49:37 GMT". The two-digit year is
         * read in a fixed window (1970-2069) instead of relative to now: an
         * obsolete form, and a wrong century only makes an Expires stale. */
        word(&c, days_long, 7);
        lit(&c, ", ");
        d = num(&c, 2);
        lit(&c, "-");
        mon = word(&c, months, 12);
        lit(&c, "-");
        y = num(&c, 2);
        y += y >= 70 ? 1900 : 2000;
        lit(&c, " ");
        hms(&c, &h, &mi, &sec);
        lit(&c, " GMT");
    }
    if (c.bad || c.i != len)
        return -1;
    if (y < 1900 || d < 1 || d > days_in_month(y, mon) || h > 23 || mi > 59 || sec > 60)
        return -1;
    *out = days_from_civil(y, mon + 1, d) * 86400 + h * 3600 + mi * 60 + sec;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Freshness lifetime                                                        */
/* ------------------------------------------------------------------------ */

int64_t clid__http_freshness(const clid__fresh_hdrs *h, int64_t now, int *no_store)
{
    if (no_store != NULL)
        *no_store = 0;
    if (h == NULL)
        return -1;

    int64_t life = -1;
    struct cc cc = {.max_age = -1, .s_maxage = -1};
    if (h->cache_control != NULL)
        parse_cache_control(h->cache_control, h->cache_control_len, &cc);
    if (cc.no_store && no_store != NULL)
        *no_store = 1;

    if (cc.invalid || cc.no_store || cc.no_cache) {
        life = 0;
    } else if (cc.s_maxage >= 0) {
        life = cc.s_maxage; /* clid's cache is shared by every call */
    } else if (cc.max_age >= 0) {
        life = cc.max_age;
    } else if (h->expires != NULL) {
        int64_t exp, date;
        if (clid__http_date_parse(h->expires, h->expires_len, &exp) != 0) {
            life = 0; /* §5.3: an invalid date, "0" above all, is in the past */
        } else {
            /* Expires - Date measures the lifetime on the server's clock, so
             * a skewed local clock does not change it (§4.2.1). */
            int64_t base = now;
            if (h->date != NULL && clid__http_date_parse(h->date, h->date_len, &date) == 0)
                base = date;
            life = exp > base ? exp - base : 0;
        }
    }
    if (life < 0)
        return -1;

    int64_t age;
    if (h->age != NULL && parse_delta(h->age, h->age_len, &age) == 0)
        life = life > age ? life - age : 0;
    return life < DELTA_MAX ? life : DELTA_MAX;
}
