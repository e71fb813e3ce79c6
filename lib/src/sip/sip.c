/*
 * The SIP adapter (clid_sip.h): libosip2 says what a request means (who
 * calls whom, its Identity and Date headers); sip_parse.c says where those
 * things are in the bytes; sip_splice.c edits the bytes.
 *
 * libosip2 traps (deps notes §0): parse only after parser_init (S1), which
 * runs once under pthread_once with tracing off (S2); never let it write a
 * header value unchecked (S3) or serialize (S4); From, To and the compact
 * Identity name "y" need explicit handling (S5).
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>

#include <clid/clid_sip.h>

#include "core/internal.h"
#include "verify/result_internal.h"
#include "verify/verify_internal.h"
#include "sip/sip_internal.h"

/* ------------------------------------------------------------------------ */
/* libosip2                                                                  */
/* ------------------------------------------------------------------------ */

/* The one piece of process-wide state (clid.h): libosip2's parser tables. */
static pthread_once_t osip_once = PTHREAD_ONCE_INIT;

static void osip_setup(void)
{
    parser_init();
    /* Levels below 0 enabled: none. Otherwise libosip2 prints its errors on
     * stdout, which is the SIP output of a tool (deps notes S2). */
    (void)osip_trace_initialize(TRACE_LEVEL0, NULL);
}

static void osip_ready(void)
{
    (void)pthread_once(&osip_once, osip_setup);
}

/* Checks the raw bytes, then parses them with libosip2. */
static clid_err parse_request(const char *msg, size_t len, clid__sip_raw *raw,
                              osip_message_t **out)
{
    *out = NULL;
    CLID_TRY(clid__sip_raw_scan(msg, len, raw));
    osip_ready();
    /* libosip2 gets its own NUL-terminated copy: parts of it treat the
     * buffer as a C string, and clid's caller owes no terminator. In its
     * header section HTAB becomes SP: the scan allowed HTAB only as
     * whitespace (or inside a quoted display name), where RFC 3261 §25.1
     * makes them equal, and libosip2 refuses a valid `"A"<TAB><sip:...>`
     * (LAQUOT = SWS "<") that it reads with a SP. */
    char *copy = clid__strndup(msg, len);
    CLID_ENSURE(copy != NULL, CLID_ERR_NOMEM);
    for (size_t i = raw->headers; i < raw->blank; i++)
        if (copy[i] == '\t')
            copy[i] = ' ';
    /* libosip2 never sees a Content-Type: clid reads no body through it,
     * and with a multipart Content-Type it parses the MIME parts, where a
     * part holding two Content-Type headers leaks the first (libosip2
     * 5.3.1 osip_body_set_contenttype; found by fuzz_sip). Without one it
     * parses no body at all. The name's first byte becomes 'X' (an unknown
     * header of the same length), so no offset moves. */
    size_t pos = raw->headers;
    clid__sip_field f;
    while (clid__sip_next_field(raw, &pos, &f))
        if (clid__sip_field_is(raw, &f, "Content-Type", 'c'))
            copy[f.name] = 'X';
    osip_message_t *m = NULL;
    if (osip_message_init(&m) != OSIP_SUCCESS) {
        free(copy);
        return CLID_ERR_NOMEM;
    }
    int rc = osip_message_parse(m, copy, len);
    free(copy);
    if (rc != OSIP_SUCCESS) {
        osip_message_free(m);
        return CLID_ERR_SIP_PARSE;
    }
    *out = m;
    return CLID_OK;
}

static clid_err check_request(const osip_message_t *m)
{
    /* RFC 8224 §4: Identity belongs to requests; a status line has no
     * method. */
    CLID_ENSURE(m->status_code == 0 && m->sip_method != NULL && m->req_uri != NULL,
                CLID_ERR_SIP_PARSE);
    /* RFC 3261 §8.1.1: From and To are mandatory, but libosip2 accepts
     * requests without them (deps notes S5). */
    CLID_ENSURE(m->from != NULL && m->from->url != NULL && m->to != NULL && m->to->url != NULL,
                CLID_ERR_SIP_PARSE);
    return CLID_OK;
}

/* parse_request and check_request for the other files of the adapter
 * (sip_div.c); *out is NULL on failure, else release it with
 * clid__sip_close. */
clid_err clid__sip_open(const char *msg, size_t len, clid__sip_raw *raw,
                        struct osip_message **out)
{
    CLID_TRY(parse_request(msg, len, raw, out));
    clid_err rc = check_request(*out);
    if (rc != CLID_OK) {
        osip_message_free(*out);
        *out = NULL;
    }
    return rc;
}

void clid__sip_close(struct osip_message *m)
{
    osip_message_free(m);
}

static uint64_t abs_diff(int64_t a, int64_t b)
{
    return a > b ? (uint64_t)a - (uint64_t)b : (uint64_t)b - (uint64_t)a;
}

clid_err clid_sip_get_tns(const char *msg, size_t len, char orig[CLID_TN_BUF],
                          char dest[CLID_TN_BUF])
{
    CLID_ENSURE(msg != NULL && orig != NULL && dest != NULL, CLID_ERR_INVALID_ARGUMENT);
    orig[0] = dest[0] = '\0';
    clid__sip_raw raw;
    osip_message_t *m = NULL;
    CLID_TRY(parse_request(msg, len, &raw, &m));
    clid_err rc = check_request(m);
    if (rc == CLID_OK) {
        clid__sip_req q = {&raw, m};
        clid_err caller = clid__sip_caller(&q, orig, NULL, NULL);
        clid_err callee = clid__sip_callee(&q, dest);
        if (caller == CLID_ERR_SIP_PARSE || callee == CLID_ERR_SIP_PARSE) {
            orig[0] = dest[0] = '\0';
            rc = CLID_ERR_SIP_PARSE;
        } else {
            rc = caller != CLID_OK ? caller : callee;
        }
    }
    osip_message_free(m);
    return rc;
}

clid_err clid__sip_request_identities(const char *msg, size_t len, const char *ids[], size_t *n,
                                      char **buf)
{
    CLID_ENSURE(msg != NULL && ids != NULL && n != NULL && buf != NULL,
                CLID_ERR_INVALID_ARGUMENT);
    *n = 0;
    *buf = NULL;
    clid__sip_raw raw;
    osip_message_t *m = NULL;
    CLID_TRY(parse_request(msg, len, &raw, &m));
    clid_err rc = check_request(m);
    if (rc == CLID_OK) {
        clid__sip_req q = {&raw, m};
        rc = clid__sip_identities(&q, ids, n, buf);
    }
    osip_message_free(m);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Signing                                                                   */
/* ------------------------------------------------------------------------ */

/* The Identity header value for the request `m`. */
static clid_err sign_value(const clid_signer *s, const clid_sip_sign_opts *o,
                           const clid__sip_raw *raw, const osip_message_t *m, char *value,
                           size_t cap, size_t *len)
{
    CLID_TRY(check_request(m));
    clid__sip_req q = {raw, m};
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
    CLID_TRY(clid__sip_caller(&q, orig, NULL, NULL));
    CLID_TRY(clid__sip_callee(&q, dest));
    int64_t date = 0;
    CLID_TRY(clid__sip_date(&q, &date));
    int64_t iat = o->iat != 0 ? o->iat : clid__signer_now(s);
    /* RFC 8224 §4.1: "MUST NOT generate a PASSporT for a SIP request if the
     * Date header is outside of its local policy for freshness (sixty
     * seconds is RECOMMENDED)"; the verifier applies the same window. */
    CLID_ENSURE(date == 0 || abs_diff(date, iat) <= CLID_DEFAULT_MAX_AGE, CLID_ERR_DATE_MISMATCH);
    const char *dests[1] = {dest};
    clid_claims c = {.orig = orig, .dest = dests, .dest_count = 1, .attest = o->attest,
                     .origid = o->origid, .iat = iat, .rcd = o->rcd, .ppt_rcd = o->ppt_rcd};
    CLID_TRY(clid_sign_identity(s, &c, value, cap, len));
    /* clid_sign_identity writes only base64url, a vetted URL and tokens;
     * checked again because this text goes into a header. */
    return clid__sip_check_value(value, *len);
}

clid_err clid_sip_sign(const clid_signer *s, const clid_sip_sign_opts *opts, const char *msg,
                       size_t len, char *out, size_t cap, size_t *out_len)
{
    CLID_ENSURE(s != NULL && opts != NULL && msg != NULL && out_len != NULL,
                CLID_ERR_INVALID_ARGUMENT);
    clid__sip_raw raw;
    osip_message_t *m = NULL;
    CLID_TRY(parse_request(msg, len, &raw, &m));
    char value[CLID_IDENTITY_MAX_LEN];
    size_t value_len = 0;
    clid_err rc = sign_value(s, opts, &raw, m, value, sizeof value, &value_len);
    osip_message_free(m);
    if (rc == CLID_ERR_BUFFER_TOO_SMALL)
        rc = CLID_ERR_IDENTITY_TOO_LARGE;
    CLID_TRY(rc);

    char line[CLID_SIP_SIGN_EXTRA];
    clid__sip_edit e;
    CLID_TRY(clid__sip_identity_edit(&raw, value, value_len, line, sizeof line, &e));
    return clid__sip_apply(msg, len, &e, 1, out, cap, out_len);
}

clid_err clid_sip_sign_osip(const clid_signer *s, const clid_sip_sign_opts *opts,
                            struct osip_message *m)
{
    CLID_ENSURE(s != NULL && opts != NULL && m != NULL, CLID_ERR_INVALID_ARGUMENT);
    osip_ready();
    char value[CLID_IDENTITY_MAX_LEN];
    size_t value_len = 0;
    clid_err rc = sign_value(s, opts, NULL, m, value, sizeof value, &value_len);
    if (rc == CLID_ERR_BUFFER_TOO_SMALL)
        rc = CLID_ERR_IDENTITY_TOO_LARGE;
    CLID_TRY(rc);
    /* osip_message_set_header copies the value as is (deps notes S3);
     * sign_value has checked it. */
    int orc = osip_message_set_header(m, "Identity", value);
    CLID_ENSURE(orc != OSIP_NOMEM, CLID_ERR_NOMEM);
    return orc == OSIP_SUCCESS ? CLID_OK : CLID_ERR_INTERNAL;
}

/* ------------------------------------------------------------------------ */
/* Verification                                                              */
/* ------------------------------------------------------------------------ */

static clid_err verify_request(clid_verifier *v, const clid_sip_verify_opts *o,
                               const clid__sip_req *q, clid_result *res)
{
    CLID_TRY(check_request(q->m));
    const char *ids[CLID_SIP_MAX_IDENTITIES];
    size_t n = 0;
    char *buf = NULL;
    CLID_TRY(clid__sip_identities(q, ids, &n, &buf));
    clid_err rc = CLID_ERR_NO_IDENTITY;
    if (n == 0)
        goto out;

    clid_verify_input in;
    memset(&in, 0, sizeof in);
    rc = o->ignore_date ? CLID_OK : clid__sip_date(q, &in.date);
    if (rc != CLID_OK)
        goto out;
    /* A caller or callee that is no TN still binds, to "": it can never
     * equal a PASSporT's number, so the binding fails (ORIG_MISMATCH or
     * DEST_MISMATCH) instead of being skipped. An asserted identity that
     * cannot be read, or that clid and libosip2 read differently, fails the
     * request: no fall back to From (sip_request.c). */
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
    const char *why = NULL;
    rc = clid__sip_caller(q, orig, NULL, &why);
    if (rc == CLID_ERR_SIP_PARSE && why != NULL)
        clid__result_set_detail(res, why);
    if (rc == CLID_ERR_SIP_PARSE || rc == CLID_ERR_NOMEM)
        goto out;
    rc = clid__sip_callee(q, dest);
    if (rc == CLID_ERR_SIP_PARSE) {
        clid__result_set_detail(res, "clid and libosip2 read the callee differently");
        goto out;
    }
    in.orig = orig;
    in.dest = dest;
    in.now = o->now;
    in.chain_pem = o->chain_pem;
    in.chain_len = o->chain_len;
    /* RFC 8946 §6: a div chain ends at the request's current target, the
     * Request-URI a retargeting proxy rewrote; To keeps the original
     * callee (RFC 3261 §16.5 never changes it). A Request-URI that names
     * no number (a contact address after a registrar lookup): the callee. */
    char target[CLID_TN_BUF];
    rc = clid__sip_target(q, target);
    if (rc == CLID_ERR_NOMEM)
        goto out;
    /* Only a div chain needs the target. A Request-URI that clid and
     * libosip2 read differently binds it to "", which no PASSporT's dest
     * names: a chain then fails (CLID_ERR_DIV_CHAIN_DEST), while a request
     * without div PASSporTs verifies on its To as it always did (the
     * Request-URI is not what RFC 8224 §6.2 binds). */
    const char *chain_end = rc == CLID_OK ? target : rc == CLID_ERR_SIP_PARSE ? "" : dest;
    rc = clid__verify_chain(v, &in, chain_end, ids, n, res);
    /* A separate ppt "rcd" PASSporT supplies the RCD shown for a passing
     * request (sip_rcd.c, RFC 9795). */
    if (rc == CLID_OK && n > 1)
        clid__sip_rcd_from_ppt(v, &in, ids, n, res);
out:
    free(buf);
    return rc;
}

/* Runs the request through verify_request with `res` (or a scratch result)
 * and records early outcomes in it too. */
static clid_err verify_with_result(clid_verifier *v, const clid_sip_verify_opts *opts,
                                   const clid__sip_req *q, clid_err early, clid_result *res)
{
    static const clid_sip_verify_opts defaults = {0, 0, NULL, 0};
    clid_result local;
    memset(&local, 0, sizeof local);
    clid_result *r = res != NULL ? res : &local;
    clid_result_reset(r);
    clid_err rc = early != CLID_OK ? early
                                   : verify_request(v, opts != NULL ? opts : &defaults, q, r);
    r->reason = rc;
    if (r == &local)
        clid_result_reset(&local);
    return rc;
}

clid_err clid_sip_verify(clid_verifier *v, const clid_sip_verify_opts *opts, const char *msg,
                         size_t len, clid_result *res)
{
    CLID_ENSURE(v != NULL && msg != NULL, CLID_ERR_INVALID_ARGUMENT);
    clid__sip_raw raw;
    osip_message_t *m = NULL;
    clid_err early = parse_request(msg, len, &raw, &m);
    clid__sip_req q = {&raw, m};
    clid_err rc = verify_with_result(v, opts, &q, early, res);
    osip_message_free(m);
    return rc;
}

clid_err clid_sip_verify_osip(clid_verifier *v, const clid_sip_verify_opts *opts,
                              const struct osip_message *m, clid_result *res)
{
    CLID_ENSURE(v != NULL && m != NULL, CLID_ERR_INVALID_ARGUMENT);
    osip_ready();
    clid__sip_req q = {NULL, m};
    return verify_with_result(v, opts, &q, CLID_OK, res);
}

/* ------------------------------------------------------------------------ */
/* verstat                                                                   */
/* ------------------------------------------------------------------------ */

clid_err clid_sip_add_verstat(const char *msg, size_t len, clid_verstat v, char *out, size_t cap,
                              size_t *out_len)
{
    CLID_ENSURE(msg != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(v == CLID_VERSTAT_NO_VALIDATION || v == CLID_VERSTAT_PASSED ||
                    v == CLID_VERSTAT_FAILED,
                CLID_ERR_INVALID_ARGUMENT);
    clid__sip_raw raw;
    osip_message_t *m = NULL;
    CLID_TRY(parse_request(msg, len, &raw, &m));
    /* The entry marked is the one verification bound to: the same
     * function decides (sip_request.c). */
    char tn[CLID_TN_BUF];
    clid__sip_addr a;
    clid_err rc = check_request(m);
    if (rc == CLID_OK) {
        clid__sip_req q = {&raw, m};
        rc = clid__sip_caller(&q, tn, &a, NULL);
        /* A request whose callee clid cannot read is not one clid verifies
         * (clid_sip_get_tns and verification refuse it): nothing to mark. */
        char callee[CLID_TN_BUF];
        if (rc == CLID_OK && clid__sip_callee(&q, callee) == CLID_ERR_SIP_PARSE)
            rc = CLID_ERR_SIP_PARSE;
    }
    osip_message_free(m);
    CLID_TRY(rc);

    clid__sip_edit e[CLID__SIP_MAX_EDITS];
    size_t n = 0;
    CLID_TRY(clid__sip_verstat_edits(msg, &a, clid_verstat_str(v), e, &n));
    size_t need = 0;
    rc = clid__sip_apply(msg, len, e, n, NULL, 0, &need);
    CLID_ENSURE(rc == CLID_ERR_BUFFER_TOO_SMALL, rc);
    if (out == NULL || cap < need) {
        *out_len = need;
        return CLID_ERR_BUFFER_TOO_SMALL;
    }
    /* The edit goes to a scratch copy first and is read back: the numbers
     * must be what they were (libosip2 must read the marked URI as before,
     * however odd the rest of it), or the caller gets nothing. */
    char *tmp = malloc(need);
    CLID_ENSURE(tmp != NULL, CLID_ERR_NOMEM);
    size_t tmp_len = 0;
    rc = clid__sip_apply(msg, len, e, n, tmp, need, &tmp_len);
    char o1[CLID_TN_BUF], d1[CLID_TN_BUF], o2[CLID_TN_BUF], d2[CLID_TN_BUF];
    if (rc == CLID_OK) {
        clid_err before = clid_sip_get_tns(msg, len, o1, d1);
        clid_err after = clid_sip_get_tns(tmp, tmp_len, o2, d2);
        if (before == CLID_ERR_NOMEM || after == CLID_ERR_NOMEM)
            rc = CLID_ERR_NOMEM;
        else if (after != before || strcmp(o1, o2) != 0 || strcmp(d1, d2) != 0)
            rc = CLID_ERR_SIP_PARSE;
    }
    if (rc == CLID_OK) {
        memcpy(out, tmp, tmp_len + 1);
        *out_len = tmp_len;
    }
    free(tmp);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* Date                                                                      */
/* ------------------------------------------------------------------------ */

/* Days from 1970-01-01 to y-m-d of the proleptic Gregorian calendar: the
 * year is counted from March, so that the leap day ends it. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;                               /* 0..399 */
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1; /* 0..365 */
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;        /* 0..146096 */
    return era * 146097 + doe - 719468;
}

static int digits(const char *s, size_t n, int64_t *v)
{
    *v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return 0;
        *v = *v * 10 + (s[i] - '0');
    }
    return 1;
}

static int name_index(const char *s, const char *const *names, int n)
{
    for (int i = 0; i < n; i++)
        if (strncasecmp(s, names[i], 3) == 0)
            return i;
    return -1;
}

clid_err clid_sip_parse_date(const char *value, int64_t *out)
{
    static const char *const wkdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    CLID_ENSURE(value != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = 0;
    /* "Sun, 06 Nov 1994 08:49:37 GMT": RFC 3261 §25.1 rfc1123-date =
     * wkday "," SP date1 SP time SP "GMT", date1 = 2DIGIT SP month SP 4DIGIT. */
    const char *s = value;
    CLID_ENSURE(strnlen(s, 30) == 29, CLID_ERR_DATE_INVALID);
    CLID_ENSURE(s[3] == ',' && s[4] == ' ' && s[7] == ' ' && s[11] == ' ' && s[16] == ' ' &&
                    s[19] == ':' && s[22] == ':' && s[25] == ' ' &&
                    strncasecmp(s + 26, "GMT", 3) == 0,
                CLID_ERR_DATE_INVALID);
    int wd = name_index(s, wkdays, 7);
    int mon = name_index(s + 8, months, 12);
    int64_t day, year, hh, mm, ss;
    CLID_ENSURE(wd >= 0 && mon >= 0 && digits(s + 5, 2, &day) && digits(s + 12, 4, &year) &&
                    digits(s + 17, 2, &hh) && digits(s + 20, 2, &mm) && digits(s + 23, 2, &ss),
                CLID_ERR_DATE_INVALID);
    int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    int max_day = mon == 1 && !leap ? 28 : mdays[mon];
    CLID_ENSURE(day >= 1 && day <= max_day && hh <= 23 && mm <= 59 && ss <= 59,
                CLID_ERR_DATE_INVALID);
    int64_t days = days_from_civil(year, mon + 1, day);
    /* 1970-01-01 was a Thursday (4 with Sunday = 0). A wrong weekday means
     * the date was written by hand or edited. */
    CLID_ENSURE(((days % 7) + 11) % 7 == wd, CLID_ERR_DATE_INVALID);
    int64_t t = days * 86400 + hh * 3600 + mm * 60 + ss;
    CLID_ENSURE(t > 0, CLID_ERR_DATE_INVALID); /* 0 means "no Date" to the verifier */
    *out = t;
    return CLID_OK;
}
