/*
 * Byte edits on a SIP request (sip_internal.h): clid inserts or replaces
 * exactly the bytes it means to and copies every other byte as the sender
 * wrote it. Re-serializing with libosip2 would reorder and rename headers,
 * pad Content-Length and drop headers it cannot parse (deps notes S4), and
 * any such change can break a downstream signature or parser.
 */
#include <string.h>

#include <clid/clid_sip.h>

#include "core/internal.h"
#include "sip/sip_internal.h"

clid_err clid__sip_check_value(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        CLID_ENSURE(c >= 0x20 && c <= 0x7e, CLID_ERR_HEADER_INJECTION);
    }
    return CLID_OK;
}

clid_err clid__sip_apply(const char *msg, size_t len, const clid__sip_edit *e, size_t n,
                         char *out, size_t cap, size_t *out_len)
{
    CLID_ENSURE(out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    size_t total = len;
    size_t prev_end = 0;
    for (size_t i = 0; i < n; i++) {
        /* Edits come from clid itself: out of order is a bug, not input. */
        CLID_ENSURE(e[i].at >= prev_end && e[i].del <= len - e[i].at, CLID_ERR_INTERNAL);
        prev_end = e[i].at + e[i].del;
        total = total - e[i].del + e[i].ins_len;
        CLID_ENSURE(total <= CLID_SIP_MAX_LEN, CLID_ERR_SIP_TOO_LARGE);
    }
    if (out == NULL || cap < total + 1) {
        *out_len = total + 1;
        return CLID_ERR_BUFFER_TOO_SMALL;
    }
    size_t from = 0, o = 0;
    for (size_t i = 0; i < n; i++) {
        memcpy(out + o, msg + from, e[i].at - from);
        o += e[i].at - from;
        if (e[i].ins_len > 0) {
            memcpy(out + o, e[i].ins, e[i].ins_len);
            o += e[i].ins_len;
        }
        from = e[i].at + e[i].del;
    }
    memcpy(out + o, msg + from, len - from);
    o += len - from;
    out[o] = '\0';
    *out_len = o;
    return CLID_OK;
}

clid_err clid__sip_identity_edit(const clid__sip_raw *r, const char *value, size_t value_len,
                                 char *line, size_t line_cap, clid__sip_edit *e)
{
    static const char name[] = "Identity: ";
    CLID_TRY(clid__sip_check_value(value, value_len));
    const char *eol = r->crlf ? "\r\n" : "\n";
    size_t eol_len = strlen(eol);
    size_t n = sizeof name - 1 + value_len + eol_len;
    CLID_ENSURE(n <= line_cap, CLID_ERR_INTERNAL);
    memcpy(line, name, sizeof name - 1);
    memcpy(line + sizeof name - 1, value, value_len);
    memcpy(line + sizeof name - 1 + value_len, eol, eol_len);
    /* RFC 3261 §7.3.1 lets header fields come in any order, but the last
     * place, right before the empty line, is the one place where an insert
     * cannot split a field or its continuation lines. */
    *e = (clid__sip_edit){.at = r->blank, .del = 0, .ins = line, .ins_len = n};
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* verstat                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct edit_list {
    clid__sip_edit *e;
    size_t n;
} edit_list;

static clid_err add(edit_list *l, size_t at, size_t del, const char *ins)
{
    CLID_ENSURE(l->n < CLID__SIP_MAX_EDITS, CLID_ERR_SIP_PARSE); /* absurdly many verstats */
    l->e[l->n++] = (clid__sip_edit){.at = at, .del = del, .ins = ins,
                                     .ins_len = ins != NULL ? strlen(ins) : 0};
    return CLID_OK;
}

static const char *memchr_range(const char *s, size_t from, size_t to, char c)
{
    return from < to ? memchr(s + from, c, to - from) : NULL;
}

/*
 * In the parameters of msg[from..to): the first verstat parameter becomes
 * ";verstat=<v>" (in place), later ones are deleted. With `insert_at`
 * (not SIZE_MAX) and no verstat found, ";verstat=<v>" is inserted there;
 * with `verstat` NULL every verstat parameter is deleted.
 */
static clid_err set_param(const char *msg, size_t from, size_t to, const char *verstat,
                          size_t insert_at, edit_list *l)
{
    int done = verstat == NULL;
    size_t pos = from;
    clid__sip_param p;
    while (clid__sip_next_param(msg, &pos, to, &p)) {
        if (!clid__sip_param_is(msg, &p, "verstat"))
            continue;
        if (done) {
            CLID_TRY(add(l, p.start, p.end - p.start, NULL));
        } else {
            CLID_TRY(add(l, p.start, p.end - p.start, ";verstat="));
            CLID_TRY(add(l, p.end, 0, verstat));
            done = 1;
        }
    }
    if (!done && insert_at != SIZE_MAX) {
        CLID_TRY(add(l, insert_at, 0, ";verstat="));
        CLID_TRY(add(l, insert_at, 0, verstat));
    }
    return CLID_OK;
}

clid_err clid__sip_verstat_edits(const char *msg, const clid__sip_addr *a, const char *verstat,
                                 clid__sip_edit *e, size_t *n)
{
    CLID_TRY(clid__sip_check_value(verstat, strlen(verstat)));
    edit_list l = {e, 0};
    *n = 0;
    size_t u = a->uri, u_end = a->uri_end;
    /* A URI clid can safely edit: a quote, for one, would make the
     * parameter scan read past the edit (clid__sip_next_addr checks it too). */
    CLID_ENSURE(clid__sip_is_uri_text(msg + u, u_end - u), CLID_ERR_SIP_PARSE);
    const char *colon = memchr_range(msg, u, u_end, ':');
    CLID_ENSURE(colon != NULL, CLID_ERR_SIP_PARSE);
    size_t scheme_len = (size_t)(colon - msg) - u;
    size_t rest = (size_t)(colon - msg) + 1;

    /* RFC 3261 §20.10: parameters after an addr-spec belong to the header,
     * so the URI must be enclosed before it can carry one. */
    if (!a->bracketed)
        CLID_TRY(add(&l, u, 0, "<"));

    if (scheme_len == 3 && (msg[u] == 't' || msg[u] == 'T')) {
        /* tel: verstat is a tel URI parameter (RFC 3966 §3 par). */
        const char *semi = memchr_range(msg, rest, u_end, ';');
        size_t params = semi != NULL ? (size_t)(semi - msg) : u_end;
        CLID_TRY(set_param(msg, params, u_end, verstat, u_end, &l));
    } else {
        /* sip/sips: the TN and its tel parameters are the user part
         * (RFC 3261 §19.1.6, user=phone), so verstat goes there, as
         * deployed SBCs write it: sip:+1...;verstat=...@host. */
        const char *at = memchr_range(msg, rest, u_end, '@');
        CLID_ENSURE(at != NULL, CLID_ERR_SIP_PARSE);
        size_t at_off = (size_t)(at - msg);
        const char *pw = memchr_range(msg, rest, at_off, ':');
        size_t user_end = pw != NULL ? (size_t)(pw - msg) : at_off;
        const char *semi = memchr_range(msg, rest, user_end, ';');
        size_t params = semi != NULL ? (size_t)(semi - msg) : user_end;
        CLID_TRY(set_param(msg, params, user_end, verstat, user_end, &l));
        /* A verstat among the SIP URI's own parameters is not where clid
         * writes it; removed so that nobody reads a stale or forged one. */
        const char *q = memchr_range(msg, at_off, u_end, '?');
        size_t hdrs = q != NULL ? (size_t)(q - msg) : u_end;
        const char *hsemi = memchr_range(msg, at_off, hdrs, ';');
        if (hsemi != NULL)
            CLID_TRY(set_param(msg, (size_t)(hsemi - msg), hdrs, NULL, SIZE_MAX, &l));
    }

    if (!a->bracketed)
        CLID_TRY(add(&l, u_end, 0, ">"));
    /* Header parameters of this entry (";verstat=" after the URI). */
    CLID_TRY(set_param(msg, a->params, a->end, NULL, SIZE_MAX, &l));
    *n = l.n;
    return CLID_OK;
}
