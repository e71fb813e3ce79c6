/*
 * Who diverted a call, read from the request a retargeting proxy forwards
 * (clid_sip.h clid_sip_get_diversion; docs/sip.md "Diverted calls"):
 *   History-Info (RFC 7044 §9.1):
 *     History-Info = "History-Info" HCOLON hi-entry *(COMMA hi-entry)
 *     hi-entry     = hi-targeted-to-uri *(SEMI hi-param)
 *     hi-param     = hi-index / hi-target-param / hi-extension
 *     hi-index     = "index" EQUAL index-val
 *     index-val    = number *("." number)
 *     number       = [ %x31-39 *DIGIT ] DIGIT
 *     hi-target-param = rc-param / mp-param / np-param  ("rc" EQUAL index-val ...)
 *   Diversion (RFC 5806 §4):
 *     Diversion = "Diversion" ":" 1# (name-addr *( ";" diversion-params ))
 *     diversion-counter = "counter" "=" 1*2DIGIT
 *
 * Both are read from the bytes with the scanner of sip_parse.c (libosip2
 * keeps them as opaque strings). The reading is strict where a lenient one
 * could name another diverting number than the next reader sees: an index
 * that is not dot-separated numbers without leading zeros, a duplicate
 * index, an entry without one (RFC 7044 §10.3: every entry carries one), two
 * target parameters on one entry, an rc/mp/np naming no earlier entry, more
 * than CLID_SIP_MAX_HISTORY entries: all CLID_ERR_SIP_HISTORY_INFO.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <osipparser2/osip_parser.h>

#include <clid/clid_sip.h>

#include "core/internal.h"
#include "sip/sip_internal.h"

#define INDEX_MAX 63 /* bytes of an index-val: 32 levels of one digit */

typedef struct hi_entry {
    char index[INDEX_MAX + 1];
    char parent[INDEX_MAX + 1]; /* rc/mp/np value, "" when none */
    int retarget;               /* rc or mp: the request was retargeted (RFC 7044 §4.3) */
    int parent_at;              /* the entry `parent` names, -1 when none */
    clid_err tn_rc;             /* CLID_OK when `tn` holds the URI's number */
    char tn[CLID_TN_BUF];
} hi_entry;

/* RFC 7044 §9.1 index-val: number *("." number), no leading zeros, so two
 * spellings of one index cannot exist and string equality is index
 * equality. */
static int is_index_val(const char *s, size_t len)
{
    if (len == 0 || len > INDEX_MAX)
        return 0;
    size_t i = 0;
    while (i < len) {
        size_t start = i;
        while (i < len && s[i] >= '0' && s[i] <= '9')
            i++;
        if (i == start || (s[start] == '0' && i - start > 1))
            return 0;
        if (i == len)
            return 1;
        if (s[i] != '.')
            return 0;
        i++;
        if (i == len)
            return 0; /* trailing dot */
    }
    return 0;
}

/* The value of parameter p (after '='), or NULL when it has none. */
static const char *param_value(const char *s, const clid__sip_param *p, size_t *len)
{
    size_t q = p->name + p->name_len;
    while (q < p->end && (s[q] == ' ' || s[q] == '\t'))
        q++;
    if (q >= p->end || s[q] != '=')
        return NULL;
    q++;
    while (q < p->end && (s[q] == ' ' || s[q] == '\t'))
        q++;
    *len = p->end - q;
    return s + q;
}

/* The TN of an entry's URI; CLID_ERR_BAD_TN when it names no number. */
static clid_err entry_tn(const char *s, const clid__sip_addr *a, char tn[CLID_TN_BUF])
{
    return clid__sip_uri_text_tn(s + a->uri, a->uri_end - a->uri, tn);
}

/* The parameters of one hi-entry. */
static clid_err hi_params(const char *s, const clid__sip_addr *a, hi_entry *e)
{
    int have_index = 0, have_target = 0;
    size_t pos = a->params;
    clid__sip_param p;
    while (clid__sip_next_param(s, &pos, a->end, &p)) {
        int is_index = clid__sip_param_is(s, &p, "index");
        int is_rc = clid__sip_param_is(s, &p, "rc");
        int is_mp = clid__sip_param_is(s, &p, "mp");
        int is_np = clid__sip_param_is(s, &p, "np");
        if (!is_index && !is_rc && !is_mp && !is_np)
            continue; /* hi-extension (generic-param) */
        size_t vlen = 0;
        const char *v = param_value(s, &p, &vlen);
        CLID_ENSURE(v != NULL && is_index_val(v, vlen), CLID_ERR_SIP_HISTORY_INFO);
        if (is_index) {
            CLID_ENSURE(!have_index, CLID_ERR_SIP_HISTORY_INFO);
            memcpy(e->index, v, vlen);
            e->index[vlen] = '\0';
            have_index = 1;
        } else {
            /* RFC 7044 §9.1: one hi-target-param says how this target came
             * to be; two could name two different predecessors. */
            CLID_ENSURE(!have_target, CLID_ERR_SIP_HISTORY_INFO);
            memcpy(e->parent, v, vlen);
            e->parent[vlen] = '\0';
            e->retarget = is_rc || is_mp;
            have_target = 1;
        }
    }
    /* RFC 7044 §10.3: the index is what the rc/mp/np of later entries
     * name; an entry without one cannot be placed in the history. */
    CLID_ENSURE(have_index, CLID_ERR_SIP_HISTORY_INFO);
    return CLID_OK;
}

/* Copies a field's value (folded lines as one SP) into a malloc'd string. */
static clid_err field_copy(const clid__sip_raw *r, const clid__sip_field *f, char **out,
                           size_t *len)
{
    *out = malloc(f->end - f->value + 1);
    CLID_ENSURE(*out != NULL, CLID_ERR_NOMEM);
    *len = clid__sip_field_text(r, f, *out);
    return CLID_OK;
}

/* The hi-entries of one History-Info field appended to e[*n]. */
static clid_err hi_field(const char *s, size_t len, hi_entry *e, size_t *n)
{
    /* A value ends with an entry, never with the comma of an empty one
     * (the field text has no trailing whitespace). */
    CLID_ENSURE(len > 0 && s[len - 1] != ',', CLID_ERR_SIP_HISTORY_INFO);
    size_t pos = 0;
    while (pos < len) {
        CLID_ENSURE(*n < CLID_SIP_MAX_HISTORY, CLID_ERR_SIP_HISTORY_INFO);
        clid__sip_addr a;
        clid_err rc = clid__sip_next_addr(s, &pos, len, &a);
        CLID_ENSURE(rc == CLID_OK, rc == CLID_ERR_NOMEM ? rc : CLID_ERR_SIP_HISTORY_INFO);
        /* RFC 7044 §9.1: hi-targeted-to-uri = name-addr; an addr-spec
         * would leave its parameters to two readings (URI or entry). */
        CLID_ENSURE(a.bracketed, CLID_ERR_SIP_HISTORY_INFO);
        hi_entry *x = &e[*n];
        memset(x, 0, sizeof *x);
        x->parent_at = -1;
        CLID_TRY(hi_params(s, &a, x));
        x->tn_rc = entry_tn(s, &a, x->tn);
        (*n)++;
    }
    return CLID_OK;
}

/* Indices unique; each rc/mp/np names an earlier entry (a target is
 * retargeted from one the request already reached). */
static clid_err hi_links(hi_entry *e, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < i; j++) {
            CLID_ENSURE(strcmp(e[i].index, e[j].index) != 0, CLID_ERR_SIP_HISTORY_INFO);
            if (e[i].parent[0] != '\0' && strcmp(e[i].parent, e[j].index) == 0)
                e[i].parent_at = (int)j;
        }
        CLID_ENSURE(e[i].parent[0] == '\0' || e[i].parent_at >= 0, CLID_ERR_SIP_HISTORY_INFO);
    }
    return CLID_OK;
}

/* A number that is not one (BAD_TN) just is no diverting number; one that
 * cannot be named globally (phone-context) is an error of its own. */
static int tn_fatal(clid_err rc)
{
    return rc != CLID_OK && rc != CLID_ERR_BAD_TN;
}

/* All History-Info entries of the request, in message order. */
static clid_err read_history(const clid__sip_raw *r, hi_entry *e, size_t *n)
{
    *n = 0;
    size_t pos = r->headers;
    clid__sip_field f;
    while (clid__sip_next_field(r, &pos, &f)) {
        if (!clid__sip_field_is(r, &f, "history-info", 0))
            continue;
        char *text = NULL;
        size_t len = 0;
        CLID_TRY(field_copy(r, &f, &text, &len));
        clid_err rc = hi_field(text, len, e, n);
        free(text);
        CLID_TRY(rc);
    }
    return hi_links(e, *n);
}

/* RFC 5806 §4 diversion-counter = 1*2DIGIT; other parameters are
 * diversion-extension or values this reading does not use. */
static clid_err div_params(const char *s, const clid__sip_addr *a)
{
    size_t pos = a->params;
    clid__sip_param p;
    int have_counter = 0;
    while (clid__sip_next_param(s, &pos, a->end, &p)) {
        if (!clid__sip_param_is(s, &p, "counter"))
            continue;
        size_t vlen = 0;
        const char *v = param_value(s, &p, &vlen);
        CLID_ENSURE(!have_counter && v != NULL && vlen >= 1 && vlen <= 2 &&
                        clid__all_digits(v, vlen),
                    CLID_ERR_SIP_HISTORY_INFO);
        have_counter = 1;
    }
    return CLID_OK;
}

/* The topmost Diversion entry's number (RFC 5806 §4: entries are added at
 * the top, so the first is the most recent diversion). Every entry must be
 * readable. *found is 0 when the request has no Diversion header. */
static clid_err read_diversion(const clid__sip_raw *r, char div[CLID_TN_BUF], clid_err *div_rc,
                               int *found)
{
    size_t n = 0, pos = r->headers;
    clid__sip_field f;
    *found = 0;
    *div_rc = CLID_ERR_BAD_TN;
    while (clid__sip_next_field(r, &pos, &f)) {
        if (!clid__sip_field_is(r, &f, "diversion", 0))
            continue;
        char *s = NULL;
        size_t len = 0;
        CLID_TRY(field_copy(r, &f, &s, &len));
        clid_err rc = len > 0 && s[len - 1] != ',' ? CLID_OK : CLID_ERR_SIP_HISTORY_INFO;
        for (size_t p = 0; rc == CLID_OK && p < len;) {
            clid__sip_addr a;
            rc = n < CLID_SIP_MAX_HISTORY ? clid__sip_next_addr(s, &p, len, &a)
                                          : CLID_ERR_SIP_HISTORY_INFO;
            if (rc == CLID_OK)
                rc = div_params(s, &a);
            if (rc == CLID_OK && n++ == 0)
                *div_rc = entry_tn(s, &a, div);
            if (rc != CLID_OK && rc != CLID_ERR_NOMEM)
                rc = CLID_ERR_SIP_HISTORY_INFO;
        }
        free(s);
        CLID_TRY(rc);
        *found = 1;
    }
    return CLID_OK;
}

clid_err clid__sip_target(const clid__sip_req *q, char tn[CLID_TN_BUF])
{
    char otn[CLID_TN_BUF] = "";
    const osip_uri_t *u = q->m->req_uri;
    clid_err orc = CLID_ERR_BAD_TN;
    if (u != NULL && u->scheme != NULL) {
        /* libosip2 keeps a tel URI whole in `string` (sip_request.c). */
        const char *user = strcasecmp(u->scheme, "tel") == 0 ? u->string : u->username;
        if (user != NULL)
            orc = clid__sip_uri_tn(u->scheme, strlen(u->scheme), user, strlen(user), otn);
    }
    tn[0] = '\0';
    if (q->raw == NULL) {
        if (orc == CLID_OK)
            memcpy(tn, otn, CLID_TN_BUF);
        return orc;
    }
    size_t uri, uri_end;
    clid__sip_request_uri(q->raw, &uri, &uri_end);
    clid_err rrc = clid__sip_uri_text_tn(q->raw->msg + uri, uri_end - uri, tn);
    /* Two readings that differ are a forger's tool (sip_request.c). */
    if (rrc != orc || (rrc == CLID_OK && strcmp(tn, otn) != 0)) {
        tn[0] = '\0';
        return CLID_ERR_SIP_PARSE;
    }
    return rrc;
}

clid_err clid__sip_diversion(const clid__sip_req *q, char div[CLID_TN_BUF],
                             char target[CLID_TN_BUF])
{
    div[0] = target[0] = '\0';
    CLID_ENSURE(q->raw != NULL, CLID_ERR_INVALID_ARGUMENT);
    hi_entry *e = calloc(CLID_SIP_MAX_HISTORY, sizeof *e);
    CLID_ENSURE(e != NULL, CLID_ERR_NOMEM);
    size_t n = 0;
    clid_err rc = read_history(q->raw, e, &n);
    char ddiv[CLID_TN_BUF] = "";
    clid_err ddiv_rc = CLID_ERR_BAD_TN;
    int have_diversion = 0;
    /* Both headers are read whole: a malformed one fails the request even
     * when the other names the diverting number. */
    if (rc == CLID_OK)
        rc = read_diversion(q->raw, ddiv, &ddiv_rc, &have_diversion);
    /* RFC 7044 §4.3: the last entry with rc or mp records the latest
     * retargeting; the entry it names is the target diverted from. */
    const hi_entry *last_rt = NULL;
    for (size_t i = 0; rc == CLID_OK && i < n; i++)
        if (e[i].retarget)
            last_rt = &e[i];
    if (rc == CLID_OK && last_rt != NULL) {
        const hi_entry *from = &e[last_rt->parent_at];
        const hi_entry *to = &e[n - 1];
        if (tn_fatal(from->tn_rc))
            rc = from->tn_rc;
        else if (tn_fatal(to->tn_rc))
            rc = to->tn_rc;
        if (rc == CLID_OK && from->tn_rc == CLID_OK) {
            memcpy(div, from->tn, CLID_TN_BUF);
            /* The last entry is the current target; when it names no
             * number, the Request-URI (which a proxy sets to it). */
            if (to->tn_rc == CLID_OK)
                memcpy(target, to->tn, CLID_TN_BUF);
            else
                rc = clid__sip_target(q, target);
            free(e);
            if (rc != CLID_OK)
                div[0] = target[0] = '\0';
            return rc == CLID_ERR_BAD_TN ? CLID_ERR_SIP_NO_CALLEE : rc;
        }
    }
    free(e);
    CLID_TRY(rc);
    /* RFC 5806: no History-Info retargeting to a number, so Diversion. */
    if (tn_fatal(ddiv_rc))
        return ddiv_rc;
    CLID_ENSURE(have_diversion && ddiv_rc == CLID_OK, CLID_ERR_SIP_NO_DIVERSION);
    rc = clid__sip_target(q, target);
    if (rc != CLID_OK) {
        target[0] = '\0';
        return rc == CLID_ERR_BAD_TN ? CLID_ERR_SIP_NO_CALLEE : rc;
    }
    memcpy(div, ddiv, CLID_TN_BUF);
    return CLID_OK;
}
