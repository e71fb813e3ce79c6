/*
 * Presenting verified Rich Call Data to the callee (clid_sip_add_rcd;
 * RFC 9796, RFC 9795; docs/rcd.md "What is presented").
 *
 * A terminating SBC that verified the request's PASSporT writes what held
 * as one Call-Info header field (RFC 9796 §4: all RCD of a request in a
 * single Call-Info header field):
 *
 *   Call-Info: <jcard-uri>;purpose=jcard;verified[;integrity="sha256-..."]
 *              [;call-reason="..."][, <icon-url>;purpose=icon;verified
 *              [;integrity="sha256-..."]]
 *
 * jcard-uri is the verified "jcl" URL, else a data: URI (RFC 2397, base64)
 * of the inline jCard, else of a jCard built from the verified "nam", else
 * the null data URI "data:" when only a call reason is verified (RFC 9796
 * §6). Before that, every Call-Info entry an upstream party wrote that
 * claims RCD (a "verified", "integrity" or "call-reason" parameter, or
 * purpose jcard, rcd-jcard or icon) is removed: what the callee sees as
 * verified is only what this verification verified. Other Call-Info
 * entries (purpose info, card, emergency data) are kept byte for byte.
 *
 * The bytes are edited in place (sip_splice.c), never re-serialized.
 *
 * Also here: the Rich Call Data of a separate ppt "rcd" PASSporT next to
 * the request's passing shaken one (clid__sip_rcd_from_ppt).
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <openssl/evp.h>

#include <clid/clid_sip.h>

#include "core/internal.h"
#include "verify/result_internal.h"
#include "sip/sip_internal.h"

/* ------------------------------------------------------------------------ */
/* Upstream Call-Info entries                                                */
/* ------------------------------------------------------------------------ */

static int is_lws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int ieq(const char *a, size_t n, const char *b)
{
    if (strlen(b) != n)
        return 0;
    for (size_t i = 0; i < n; i++) {
        char x = a[i], y = b[i];
        if (x >= 'A' && x <= 'Z')
            x = (char)(x + ('a' - 'A'));
        if (x != y)
            return 0;
    }
    return 1;
}

/* One comma-separated entry of a Call-Info value, whitespace trimmed. */
typedef struct ci_entry {
    size_t start, end;
    size_t params; /* after the "<...>" URI, or `start` when there is none */
} ci_entry;

/*
 * The next entry of s[*pos..end): RFC 3261 §20.9 LAQUOT absoluteURI RAQUOT
 * *(SEMI info-param). Commas inside "<...>" (a URI, data: URIs included)
 * and inside quoted strings belong to the entry. Returns 1 with *e filled,
 * 0 at the end, -1 when a '<' or a quote is not closed: the field cannot be
 * read the way a downstream parser reads it.
 */
static int next_entry(const char *s, size_t *pos, size_t end, ci_entry *e)
{
    size_t p = *pos;
    while (p < end && (is_lws(s[p]) || s[p] == ','))
        p++;
    if (p >= end)
        return 0;
    e->start = p;
    e->params = p;
    if (s[p] == '<') {
        const char *gt = memchr(s + p, '>', end - p);
        if (gt == NULL)
            return -1;
        p = (size_t)(gt - s) + 1;
        e->params = p;
    }
    while (p < end && s[p] != ',') {
        if (s[p] == '<')
            return -1; /* a second URI in one entry: no Call-Info syntax */
        if (s[p] == '"') {
            for (p++; p < end && s[p] != '"'; p++)
                if (s[p] == '\\')
                    p++;
            if (p >= end)
                return -1;
        }
        p++;
    }
    size_t t = p;
    while (t > e->start && is_lws(s[t - 1]))
        t--;
    e->end = t;
    *pos = p;
    return 1;
}

/* The value of parameter p without whitespace and surrounding quotes. */
static void param_value(const char *s, const clid__sip_param *p, size_t *v, size_t *v_len)
{
    size_t q = p->name + p->name_len;
    while (q < p->end && is_lws(s[q]))
        q++;
    if (q < p->end && s[q] == '=')
        q++;
    while (q < p->end && is_lws(s[q]))
        q++;
    size_t e = p->end;
    if (e - q >= 2 && s[q] == '"' && s[e - 1] == '"') {
        q++;
        e--;
    }
    *v = q;
    *v_len = e - q;
}

/*
 * Whether an upstream entry claims Rich Call Data (RFC 9796 §5-§7): a
 * "verified", "integrity" or "call-reason" parameter, or purpose jcard (or
 * "rcd-jcard", its name in the drafts deployed before RFC 9796) or icon. The
 * URI inside "<...>" is not looked at: ";verified" there is part of a URI.
 */
static int claims_rcd(const char *s, const ci_entry *e)
{
    size_t pos = e->params;
    if (pos == e->start) {
        /* no "<...>": the parameters start at the first ';' */
        const char *semi = memchr(s + e->start, ';', e->end - e->start);
        pos = semi != NULL ? (size_t)(semi - s) : e->end;
    }
    clid__sip_param p;
    while (clid__sip_next_param(s, &pos, e->end, &p)) {
        if (clid__sip_param_is(s, &p, "verified") || clid__sip_param_is(s, &p, "integrity") ||
            clid__sip_param_is(s, &p, "call-reason"))
            return 1;
        if (clid__sip_param_is(s, &p, "purpose")) {
            size_t v, n;
            param_value(s, &p, &v, &n);
            if (ieq(s + v, n, "jcard") || ieq(s + v, n, "rcd-jcard") || ieq(s + v, n, "icon"))
                return 1;
        }
    }
    return 0;
}

/* A growable list of edits (a request may hold many Call-Info fields). */
typedef struct edit_list {
    clid__sip_edit *v;
    size_t n, cap;
} edit_list;

static clid_err push_edit(edit_list *l, size_t at, size_t del, const char *ins, size_t ins_len)
{
    CLID_TRY(clid__grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v));
    l->v[l->n++] = (clid__sip_edit){.at = at, .del = del, .ins = ins, .ins_len = ins_len};
    return CLID_OK;
}

/*
 * The edits that remove the RCD-claiming entries of one Call-Info field:
 * the whole field when every entry goes (or when it cannot be read), else
 * the ranges between the entries kept, which are rejoined with ", ".
 */
static clid_err removal_edits(const clid__sip_raw *r, const clid__sip_field *f, edit_list *l)
{
    static const char sep[] = ", ";
    const char *s = r->msg;
    size_t pos = f->value;
    ci_entry e;
    int rc;
    size_t first = l->n;
    size_t kept_end = 0; /* end of the last entry kept; 0: none yet */
    size_t dropped = 0, kept = 0;
    int gap = 0;         /* an entry was dropped since the last one kept */
    while ((rc = next_entry(s, &pos, f->end, &e)) == 1) {
        if (claims_rcd(s, &e)) {
            dropped++;
            gap = 1;
            continue;
        }
        if (kept == 0 && e.start > f->value && dropped > 0)
            CLID_TRY(push_edit(l, f->value, e.start - f->value, NULL, 0));
        else if (kept > 0 && gap)
            CLID_TRY(push_edit(l, kept_end, e.start - kept_end, sep, sizeof sep - 1));
        kept++;
        kept_end = e.end;
        gap = 0;
    }
    if (rc < 0 || kept == 0) {
        /* Unreadable, or nothing left: the whole field goes (an empty
         * Call-Info is no valid header, RFC 3261 §20.9). */
        l->n = first;
        return dropped > 0 || rc < 0 ? push_edit(l, f->name, f->next - f->name, NULL, 0)
                                     : CLID_OK;
    }
    if (gap)
        CLID_TRY(push_edit(l, kept_end, f->end - kept_end, NULL, 0));
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* The Call-Info header field clid writes                                    */
/* ------------------------------------------------------------------------ */

typedef struct out_buf {
    char *p;
    size_t len, cap;
    int overflow;
} out_buf;

static void put(out_buf *b, const char *s, size_t n)
{
    if (b->overflow || n > b->cap - b->len) {
        b->overflow = 1;
        return;
    }
    memcpy(b->p + b->len, s, n);
    b->len += n;
}

static void puts_(out_buf *b, const char *s)
{
    put(b, s, strlen(s));
}

/* A URI written between '<' and '>': RFC 3986 characters only, so that no
 * parser ends it early or reads parameters into it. */
static int uri_ok(const char *u)
{
    return u != NULL && u[0] != '\0' && strlen(u) <= 2048 && clid__sip_is_uri_text(u, strlen(u));
}

/* An integrity value ("sha256-" and base64, RFC 9796 §7 / RFC 9795 rcdi):
 * printable ASCII without a quote or a backslash, written quoted. */
static int digest_ok(const char *d)
{
    if (d == NULL || d[0] == '\0' || strlen(d) > 256)
        return 0;
    for (const char *c = d; *c != '\0'; c++)
        if (*c < 0x21 || *c > 0x7e || *c == '"' || *c == '\\')
            return 0;
    return 1;
}

/*
 * A call reason as an RFC 3261 §25.1 quoted-string: '"' and '\' escaped as
 * quoted-pairs; UTF-8 allowed (UTF8-NONASCII in qdtext); control characters
 * make it unwritable (never a line break inside a header: 0 returned and
 * nothing written).
 */
static int put_quoted(out_buf *b, const char *v)
{
    size_t n = strlen(v);
    if (n == 0 || n > 1024 || !clid__is_clean_utf8(v, n))
        return 0;
    put(b, "\"", 1);
    for (size_t i = 0; i < n; i++) {
        if (v[i] == '"' || v[i] == '\\')
            put(b, "\\", 1);
        put(b, v + i, 1);
    }
    put(b, "\"", 1);
    return 1;
}

/* "data:application/json;base64,<jCard>" (RFC 2397; RFC 9796 §5: the jCard
 * carried in the URI itself, as application/json). */
static clid_err put_data_uri(out_buf *b, const char *json)
{
    size_t n = strlen(json);
    CLID_ENSURE(n <= CLID_RCD_JCARD_MAX_LEN, CLID_ERR_SIP_TOO_LARGE);
    size_t enc_len = 4 * ((n + 2) / 3);
    char *enc = malloc(enc_len + 1);
    CLID_ENSURE(enc != NULL, CLID_ERR_NOMEM);
    int w = EVP_EncodeBlock((unsigned char *)enc, (const unsigned char *)json, (int)n);
    puts_(b, "data:application/json;base64,");
    put(b, enc, w > 0 ? (size_t)w : 0);
    free(enc);
    return CLID_OK;
}

/* A minimal jCard for a verified name (RFC 7095; RFC 9796 §8.4.1: "fn",
 * and the version every vCard 4.0 has). malloc'd JSON text. */
static clid_err name_jcard(const char *name, char **out)
{
    *out = NULL;
    json_t *j = json_pack("[s,[[s,{},s,s],[s,{},s,s]]]", "vcard", "version", "text", "4.0", "fn",
                          "text", name);
    CLID_ENSURE(j != NULL, CLID_ERR_NOMEM);
    *out = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    return *out != NULL ? CLID_OK : CLID_ERR_NOMEM;
}

/* ";verified" and, when there is a digest that can be written,
 * ";integrity=\"...\"" (RFC 9796 §7). */
static void put_verified(out_buf *b, const char *digest)
{
    puts_(b, ";verified");
    if (digest_ok(digest)) {
        puts_(b, ";integrity=\"");
        puts_(b, digest);
        puts_(b, "\"");
    }
}

/*
 * Writes "Call-Info: ...<eol>" for what `r` verified into b; b->len stays
 * 0 when nothing is presentable.
 */
static clid_err build_line(const clid_result *r, const char *eol, out_buf *b)
{
    const char *jcl = clid_result_rcd_jcard_url(r);
    const char *jcard = clid_result_rcd_jcard(r);
    const char *name = clid_result_rcd_name(r);
    const char *reason = clid_result_rcd_reason(r);
    const char *icn = clid_result_rcd_icon_url(r);
    if (!uri_ok(jcl))
        jcl = NULL;
    if (!uri_ok(icn))
        icn = NULL;
    if (reason != NULL && !clid__is_clean_utf8(reason, strlen(reason)))
        reason = NULL;
    if (jcl == NULL && jcard == NULL && name == NULL && reason == NULL && icn == NULL)
        return CLID_OK;

    puts_(b, "Call-Info: ");
    int entries = 0;
    if (jcl != NULL || jcard != NULL || name != NULL || reason != NULL) {
        puts_(b, "<");
        if (jcl != NULL) {
            puts_(b, jcl);
        } else if (jcard != NULL) {
            CLID_TRY(put_data_uri(b, jcard));
        } else if (name != NULL) {
            char *built = NULL;
            CLID_TRY(name_jcard(name, &built));
            clid_err rc = put_data_uri(b, built);
            free(built);
            CLID_TRY(rc);
        } else {
            puts_(b, "data:"); /* RFC 9796 §6: a call reason alone */
        }
        puts_(b, ">;purpose=jcard");
        put_verified(b, jcl != NULL ? clid_result_rcd_digest(r, "/jcl") : NULL);
        if (reason != NULL) {
            size_t mark = b->len;
            puts_(b, ";call-reason=");
            if (!put_quoted(b, reason))
                b->len = mark;
        }
        entries++;
    }
    if (icn != NULL) {
        if (entries > 0)
            puts_(b, ", ");
        puts_(b, "<");
        puts_(b, icn);
        puts_(b, ">;purpose=icon");
        put_verified(b, clid_result_rcd_digest(r, "/icn"));
    }
    puts_(b, eol);
    CLID_ENSURE(!b->overflow, CLID_ERR_SIP_TOO_LARGE);
    /* Every byte but the line ending is printable, or UTF-8 of the call
     * reason: no CR, LF or other control character ever reaches the
     * header (header injection, deps notes S3). */
    size_t body = b->len - strlen(eol);
    for (size_t i = 0; i < body; i++) {
        unsigned char c = (unsigned char)b->p[i];
        CLID_ENSURE(c >= 0x20 && c != 0x7f, CLID_ERR_HEADER_INJECTION);
    }
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* clid_sip_add_rcd                                                          */
/* ------------------------------------------------------------------------ */

clid_err clid_sip_add_rcd(const char *msg, size_t len, const clid_result *r, char *out,
                          size_t cap, size_t *out_len)
{
    CLID_ENSURE(msg != NULL && r != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    /* Only a passed verification has verified values (the getters return
     * NULL otherwise too); a failed or unsigned call still has upstream
     * RCD Call-Info removed: it is no more verified than before. */
    int passed = clid_result_reason(r) == CLID_OK &&
                 clid_result_verstat(r) == CLID_VERSTAT_PASSED;
    clid__sip_raw raw;
    CLID_TRY(clid__sip_raw_scan(msg, len, &raw));

    edit_list l = {NULL, 0, 0};
    out_buf b = {NULL, 0, CLID_SIP_RCD_EXTRA, 0};
    clid_err rc = CLID_OK;
    size_t pos = raw.headers;
    clid__sip_field f;
    while (rc == CLID_OK && clid__sip_next_field(&raw, &pos, &f))
        if (clid__sip_field_is(&raw, &f, "Call-Info", 0))
            rc = removal_edits(&raw, &f, &l);
    if (rc == CLID_OK) {
        b.p = malloc(b.cap);
        rc = b.p == NULL ? CLID_ERR_NOMEM
             : passed    ? build_line(r, raw.crlf ? "\r\n" : "\n", &b)
                         : CLID_OK;
    }
    /* The new field goes last, right before the empty line, where an insert
     * cannot split another field (as the Identity line, sip_splice.c). */
    if (rc == CLID_OK && b.len > 0)
        rc = push_edit(&l, raw.blank, 0, b.p, b.len);
    if (rc == CLID_OK)
        rc = clid__sip_apply(msg, len, l.v, l.n, out, cap, out_len);
    free(b.p);
    free(l.v);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* A separate ppt "rcd" PASSporT                                             */
/* ------------------------------------------------------------------------ */

/* Moves the Rich Call Data of `from` into `to` (replacing `to`'s). */
static void move_rcd(clid_result *to, clid_result *from)
{
    clid__result_rcd_clear(to);
    to->rcd_flags = from->rcd_flags;
    to->rcd_nam = from->rcd_nam;
    to->rcd_apn = from->rcd_apn;
    to->rcd_crn = from->rcd_crn;
    to->rcd_jcard = from->rcd_jcard;
    to->rcd_jcl = from->rcd_jcl;
    to->rcd_icn = from->rcd_icn;
    to->rcd_digest_jcl = from->rcd_digest_jcl;
    to->rcd_digest_icn = from->rcd_digest_icn;
    from->rcd_nam = from->rcd_apn = from->rcd_crn = from->rcd_jcard = NULL;
    from->rcd_jcl = from->rcd_icn = from->rcd_digest_jcl = from->rcd_digest_icn = NULL;
    from->rcd_flags = 0;
}

static int is_ppt(const clid_result *r, const char *ppt)
{
    return strcmp(r->ppt, ppt) == 0;
}

void clid__sip_rcd_from_ppt(clid_verifier *v, const clid_verify_input *in,
                            const char *const *ids, size_t n, clid_result *res)
{
    int res_is_rcd = is_ppt(res, "rcd");
    for (size_t i = 0; i < n; i++) {
        clid_result other;
        memset(&other, 0, sizeof other);
        clid_verify_input one = *in;
        one.identity = ids[i];
        /* Each is verified on its own against the same request: bound to
         * the same caller and callee, so the two PASSporTs agree on orig
         * and dest (RFC 9795 §4: the rcd PASSporT is about this call). */
        clid_err rc = clid_verify_identity(v, &one, &other);
        if (rc != CLID_OK || is_ppt(&other, "div") || is_ppt(&other, "div-o")) {
            clid_result_reset(&other);
            continue;
        }
        if (!res_is_rcd && is_ppt(&other, "rcd")) {
            /* the call's verdict stays the shaken one's; its RCD is the
             * rcd PASSporT's */
            move_rcd(res, &other);
            clid_result_reset(&other);
            return;
        }
        if (res_is_rcd && !is_ppt(&other, "rcd")) {
            /* The rcd PASSporT came first and decided: the verdict is the
             * other passing PASSporT's (attestation and all), with the
             * rcd PASSporT's RCD moved over, and the div chain the
             * verification followed from the rcd PASSporT (the same orig
             * and dest: both are bound to this request) kept. */
            move_rcd(&other, res);
            clid__result_move_div_chain(&other, res);
            other.reason = CLID_OK;
            clid_result_reset(res);
            *res = other; /* takes over its references */
            return;
        }
        clid_result_reset(&other);
    }
}
