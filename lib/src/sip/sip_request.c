/*
 * What clid binds a PASSporT to, read from a request (sip_internal.h): the
 * caller, the callee, the Date header and the Identity values. One function
 * per question, used by signing, verification, clid_sip_get_tns and the
 * verstat marking alike, so that the number a verification checked is the
 * number the marking flags.
 *
 * A raw request is read twice: by clid's scanner (sip_parse.c), which knows
 * where each entry lies in the bytes, and by libosip2. Both readings follow
 * the same rules and must give the same answer, or the request is refused
 * (CLID_ERR_SIP_PARSE): two readings that differ are exactly what a forger
 * needs, one number verified and another shown. A message the host parsed
 * itself (the _osip variants) has only libosip2's reading.
 *
 * An asserted identity that cannot be read fails the request: clid never
 * falls back to From when a P-Asserted-Identity is present (RFC 8224 §5.1,
 * ATIS-1000074: the asserted identity names the caller), or a header a
 * parser cannot read would let the signature of the From number vouch for
 * a request whose asserted identity is another number.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>

#include <clid/clid_sip.h>

#include "core/internal.h"
#include "sip/sip_internal.h"

/* ------------------------------------------------------------------------ */
/* libosip2's reading                                                        */
/* ------------------------------------------------------------------------ */

static int header_is(const osip_header_t *h, const char *name)
{
    return h != NULL && h->hname != NULL && strcasecmp(h->hname, name) == 0;
}

static const osip_header_t *header_at(const osip_message_t *m, int i)
{
    return osip_list_eol(&m->headers, i) ? NULL : osip_list_get(&m->headers, i);
}

static clid_err uri_tn(const osip_uri_t *u, char tn[CLID_TN_BUF])
{
    tn[0] = '\0';
    CLID_ENSURE(u != NULL && u->scheme != NULL, CLID_ERR_BAD_TN);
    /* libosip2 keeps a tel URI whole in `string` (it parses sip/sips only). */
    const char *user = strcasecmp(u->scheme, "tel") == 0 ? u->string : u->username;
    CLID_ENSURE(user != NULL, CLID_ERR_BAD_TN);
    return clid__sip_uri_tn(u->scheme, strlen(u->scheme), user, strlen(user), tn);
}

/*
 * A P-Asserted-Identity entry (RFC 3325 §9.1: name-addr or addr-spec, the
 * From syntax); libosip2 splits comma-separated lists into one header each.
 * CLID_OK with its TN, CLID_ERR_BAD_TN when it is readable but no TN,
 * CLID_ERR_SIP_PARSE when it cannot be read.
 */
static clid_err pai_tn(const osip_header_t *h, char tn[CLID_TN_BUF])
{
    tn[0] = '\0';
    CLID_ENSURE(h->hvalue != NULL && h->hvalue[0] != '\0', CLID_ERR_SIP_PARSE);
    /* libosip2 refuses a TAB before '<', which RFC 3261 §25.1 allows
     * (LAQUOT = SWS "<"); SP and HTAB are the same whitespace there. */
    char *v = clid__strndup(h->hvalue, strlen(h->hvalue));
    CLID_ENSURE(v != NULL, CLID_ERR_NOMEM);
    for (char *c = v; *c != '\0'; c++)
        if (*c == '\t')
            *c = ' ';
    osip_from_t *f = NULL;
    clid_err rc = CLID_ERR_NOMEM;
    if (osip_from_init(&f) == OSIP_SUCCESS) {
        rc = CLID_ERR_SIP_PARSE;
        if (osip_from_parse(f, v) == OSIP_SUCCESS && f->url != NULL)
            rc = uri_tn(f->url, tn) == CLID_OK ? CLID_OK : CLID_ERR_BAD_TN;
    }
    osip_from_free(f);
    free(v);
    return rc;
}

/* "Anonymous" with or without its quotes and surrounding whitespace. */
static int is_anonymous_name(const char *s)
{
    if (s == NULL)
        return 0;
    size_t len = strlen(s);
    while (len > 0 && (s[0] == ' ' || s[0] == '\t' || s[0] == '"'))
        s++, len--;
    while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t' || s[len - 1] == '"'))
        len--;
    return len == 9 && strncasecmp(s, "anonymous", 9) == 0;
}

/* RFC 3323 §4.1.1.3: "Anonymous" <sip:anonymous@anonymous.invalid>, and
 * the variants seen in the field (only one part set). */
static int is_anonymous(const osip_from_t *f)
{
    const osip_uri_t *u = f->url;
    return is_anonymous_name(f->displayname) ||
           (u->username != NULL && strcasecmp(u->username, "anonymous") == 0) ||
           (u->host != NULL && strcasecmp(u->host, "anonymous.invalid") == 0);
}

static clid_err osip_caller(const osip_message_t *m, char tn[CLID_TN_BUF], const char **why)
{
    char got[CLID_TN_BUF];
    int have_pai = 0, found = 0;
    const osip_header_t *h;
    tn[0] = '\0';
    for (int i = 0; (h = header_at(m, i)) != NULL; i++) {
        if (!header_is(h, "p-asserted-identity"))
            continue;
        have_pai = 1;
        clid_err rc = pai_tn(h, got);
        if (rc == CLID_ERR_SIP_PARSE)
            *why = "a P-Asserted-Identity entry cannot be read";
        if (rc == CLID_ERR_SIP_PARSE || rc == CLID_ERR_NOMEM)
            return rc;
        if (rc == CLID_OK && !found) {
            memcpy(tn, got, CLID_TN_BUF);
            found = 1;
        }
    }
    if (have_pai)
        return found ? CLID_OK : CLID_ERR_SIP_NO_CALLER;
    if (is_anonymous(m->from))
        return CLID_ERR_SIP_NO_CALLER;
    return uri_tn(m->from->url, tn) == CLID_OK ? CLID_OK : CLID_ERR_SIP_NO_CALLER;
}

static clid_err osip_callee(const osip_message_t *m, char tn[CLID_TN_BUF])
{
    if (uri_tn(m->to->url, tn) == CLID_OK || uri_tn(m->req_uri, tn) == CLID_OK)
        return CLID_OK;
    return CLID_ERR_SIP_NO_CALLEE;
}

/* ------------------------------------------------------------------------ */
/* clid's reading of the bytes                                               */
/* ------------------------------------------------------------------------ */

static clid_err addr_tn(const clid__sip_raw *r, const clid__sip_addr *a, char tn[CLID_TN_BUF])
{
    return clid__sip_uri_text_tn(r->msg + a->uri, a->uri_end - a->uri, tn);
}

/* The single address of a From or To field. */
static clid_err single_addr(const clid__sip_raw *r, const clid__sip_field *f, clid__sip_addr *a)
{
    size_t p = f->value;
    CLID_TRY(clid__sip_next_addr(r->msg, &p, f->end, a));
    CLID_ENSURE(p >= f->end, CLID_ERR_SIP_PARSE); /* one address only */
    return CLID_OK;
}

static clid_err raw_caller(const clid__sip_raw *r, int from_anonymous, char tn[CLID_TN_BUF],
                           clid__sip_addr *entry, const char **why)
{
    char got[CLID_TN_BUF];
    int have_pai = 0, found = 0, have_from = 0;
    clid__sip_addr from;
    size_t pos = r->headers;
    clid__sip_field f;
    tn[0] = '\0';
    while (clid__sip_next_field(r, &pos, &f)) {
        if (clid__sip_field_is(r, &f, "p-asserted-identity", 0)) {
            /* RFC 3325 §9.1: one or more entries, each of them readable. */
            have_pai = 1;
            *why = "a P-Asserted-Identity entry cannot be read";
            CLID_ENSURE(f.value < f.end, CLID_ERR_SIP_PARSE);
            for (size_t p = f.value; p < f.end;) {
                clid__sip_addr a;
                CLID_TRY(clid__sip_next_addr(r->msg, &p, f.end, &a));
                if (!found && addr_tn(r, &a, got) == CLID_OK) {
                    memcpy(tn, got, CLID_TN_BUF);
                    *entry = a;
                    found = 1;
                }
            }
        } else if (clid__sip_field_is(r, &f, "from", 'f')) {
            *why = "the From header cannot be read";
            CLID_ENSURE(!have_from, CLID_ERR_SIP_PARSE);
            CLID_TRY(single_addr(r, &f, &from));
            have_from = 1;
        }
    }
    *why = "the From header cannot be read";
    CLID_ENSURE(have_from, CLID_ERR_SIP_PARSE);
    *why = NULL;
    if (have_pai)
        return found ? CLID_OK : CLID_ERR_SIP_NO_CALLER;
    if (from_anonymous || addr_tn(r, &from, tn) != CLID_OK)
        return CLID_ERR_SIP_NO_CALLER;
    *entry = from;
    return CLID_OK;
}

static clid_err raw_callee(const clid__sip_raw *r, char tn[CLID_TN_BUF])
{
    int have_to = 0;
    clid__sip_addr to;
    size_t pos = r->headers;
    clid__sip_field f;
    while (clid__sip_next_field(r, &pos, &f)) {
        if (!clid__sip_field_is(r, &f, "to", 't'))
            continue;
        CLID_ENSURE(!have_to, CLID_ERR_SIP_PARSE);
        CLID_TRY(single_addr(r, &f, &to));
        have_to = 1;
    }
    CLID_ENSURE(have_to, CLID_ERR_SIP_PARSE);
    if (addr_tn(r, &to, tn) == CLID_OK)
        return CLID_OK;
    size_t u, u_end;
    clid__sip_request_uri(r, &u, &u_end);
    if (clid__sip_uri_text_tn(r->msg + u, u_end - u, tn) == CLID_OK)
        return CLID_OK;
    return CLID_ERR_SIP_NO_CALLEE;
}

/* ------------------------------------------------------------------------ */
/* The answers                                                               */
/* ------------------------------------------------------------------------ */

/* Two readings agree when they give the same outcome and the same number. */
static int agree(clid_err a, const char *tn_a, clid_err b, const char *tn_b)
{
    return a == b && (a != CLID_OK || strcmp(tn_a, tn_b) == 0);
}

clid_err clid__sip_caller(const clid__sip_req *q, char tn[CLID_TN_BUF], clid__sip_addr *entry,
                          const char **why)
{
    const char *dummy = NULL;
    const char **w = why != NULL ? why : &dummy;
    *w = NULL;
    char otn[CLID_TN_BUF];
    clid_err orc = osip_caller(q->m, otn, w);
    tn[0] = '\0';
    if (q->raw == NULL) {
        if (orc == CLID_OK)
            memcpy(tn, otn, CLID_TN_BUF);
        return orc;
    }
    CLID_ENSURE(orc != CLID_ERR_NOMEM, orc);
    clid__sip_addr a;
    const char *rwhy = NULL;
    clid_err rrc = raw_caller(q->raw, is_anonymous(q->m->from), tn, &a, &rwhy);
    if (rrc == CLID_ERR_SIP_PARSE || orc == CLID_ERR_SIP_PARSE) {
        *w = rwhy != NULL ? rwhy : *w;
        tn[0] = '\0';
        return CLID_ERR_SIP_PARSE;
    }
    if (!agree(rrc, tn, orc, otn)) {
        *w = "clid and libosip2 read the caller differently";
        tn[0] = '\0';
        return CLID_ERR_SIP_PARSE;
    }
    if (rrc == CLID_OK && entry != NULL)
        *entry = a;
    return rrc;
}

clid_err clid__sip_callee(const clid__sip_req *q, char tn[CLID_TN_BUF])
{
    char otn[CLID_TN_BUF] = "";
    clid_err orc = osip_callee(q->m, otn);
    tn[0] = '\0';
    if (q->raw == NULL) {
        if (orc == CLID_OK)
            memcpy(tn, otn, CLID_TN_BUF);
        return orc;
    }
    clid_err rrc = raw_callee(q->raw, tn);
    if (!agree(rrc, tn, orc, otn)) {
        tn[0] = '\0';
        return CLID_ERR_SIP_PARSE;
    }
    return rrc;
}

clid_err clid__sip_date(const clid__sip_req *q, int64_t *date)
{
    *date = 0;
    if (q->raw == NULL) {
        const char *value = NULL;
        const osip_header_t *h;
        for (int i = 0; (h = header_at(q->m, i)) != NULL; i++) {
            if (!header_is(h, "date"))
                continue;
            /* Date is a single-value header: two cannot both be right. */
            CLID_ENSURE(value == NULL, CLID_ERR_DATE_INVALID);
            value = h->hvalue != NULL ? h->hvalue : "";
        }
        return value != NULL ? clid_sip_parse_date(value, date) : CLID_OK;
    }
    const clid__sip_raw *r = q->raw;
    size_t pos = r->headers;
    clid__sip_field f, date_f;
    int n = 0;
    while (clid__sip_next_field(r, &pos, &f)) {
        if (clid__sip_field_is(r, &f, "date", 0)) {
            date_f = f;
            n++;
        }
    }
    if (n == 0)
        return CLID_OK;
    CLID_ENSURE(n == 1, CLID_ERR_DATE_INVALID);
    char *text = malloc(date_f.end - date_f.value + 1);
    CLID_ENSURE(text != NULL, CLID_ERR_NOMEM);
    (void)clid__sip_field_text(r, &date_f, text);
    clid_err rc = clid_sip_parse_date(text, date);
    free(text);
    return rc;
}

clid_err clid__sip_identities(const clid__sip_req *q, const char *ids[],
                              size_t *n, char **buf)
{
    *n = 0;
    *buf = NULL;
    if (q->raw == NULL) {
        const osip_header_t *h;
        for (int i = 0; (h = header_at(q->m, i)) != NULL && *n < CLID_SIP_MAX_IDENTITIES; i++)
            if (header_is(h, "identity") || header_is(h, "y"))
                ids[(*n)++] = h->hvalue != NULL ? h->hvalue : "";
        return CLID_OK;
    }
    /* RFC 8224 §4: "Identity", compact form "y" (libosip2 knows neither).
     * Values are copied with their folded line breaks as single spaces
     * (RFC 3261 §7.3.1), each NUL-terminated, into one buffer. */
    const clid__sip_raw *r = q->raw;
    char *out = malloc(r->blank - r->headers + CLID_SIP_MAX_IDENTITIES);
    CLID_ENSURE(out != NULL, CLID_ERR_NOMEM);
    size_t used = 0, pos = r->headers;
    clid__sip_field f;
    while (clid__sip_next_field(r, &pos, &f) && *n < CLID_SIP_MAX_IDENTITIES) {
        if (!clid__sip_field_is(r, &f, "identity", 'y'))
            continue;
        ids[(*n)++] = out + used;
        used += clid__sip_field_text(r, &f, out + used) + 1;
    }
    *buf = out;
    return CLID_OK;
}
