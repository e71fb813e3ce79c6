/*
 * clid serve: POST /stir/v1/sip, for proxies that can pass the whole
 * request (issue 10 §1). The body is the raw SIP request; clid verifies its
 * Identity header(s) bound to its caller, callee and Date exactly as
 * clid_sip_verify does, and answers what the proxy applies:
 *   {"sipVerificationResponse":{
 *      <the verdict members of /verification: verstat, reason, reasoncode,
 *       reasontext, warnings, ...>,
 *      "caller":{"header":"P-Asserted-Identity","value":"<sip:+1...;verstat=
 *                TN-Validation-Passed@host>","old_value":"<sip:+1...@host>"}
 *               | null,
 *      "strip_identity":true|false,
 *      "reject":{"code":438,"reason":"Invalid Identity Header"} | null,
 *      "div_chain":{"links":[{"from","to","iat","spc"}...],"failed_link":N|null,
 *                   "opt":...|null} | null,
 *      "call_info":{"values":["<...>;purpose=jcard;verified;...", ...]} | null}}
 * caller: the header field clid marked with verstat (ATIS-1000074 §5.3.1,
 *   3GPP TS 24.229 §7.2A.20: the verstat goes in the URI of the
 *   P-Asserted-Identity, else From, that names the caller; the same URI the
 *   verification bound to). The proxy replaces that field's value
 *   (old_value tells which field when there are several); null when no URI
 *   names a TN caller (nothing to mark).
 * reject: the response an RFC 8224 §6.2.2 verification service sends when
 *   it rejects the request (403/436/437/438), null when it passed or had no
 *   Identity (428 only under a policy requiring signed calls, which the
 *   service leaves to the proxy). Whether to reject or to forward marked
 *   TN-Validation-Failed is the proxy's policy: SHAKEN terminating
 *   providers usually forward (ATIS-1000074 §5.3.1).
 * div_chain: a diverted call's chain (RFC 8946 §6, clid_verify_identities),
 *   as `clid verify --json` writes it: the div links in chain order, the
 *   index of the one that broke it (null: none), a div-o's original; null
 *   when the request carried no div PASSporT.
 * call_info: the Rich Call Data presentation (RFC 9796; clid_sip_add_rcd):
 *   the values the request's Call-Info header fields are to have, one per
 *   field, in order: every upstream entry that claims RCD removed (spoofed
 *   or not), then, for a passed verification with verified RCD, the one
 *   field clid writes. The proxy removes every Call-Info field and adds
 *   one per value. null when presentation changes nothing.
 * strip_identity: true when the request carries Identity and verification
 *   did not pass: a header that failed is consumed here and not forwarded
 *   to where a device or a later hop might take it as checked; the verstat
 *   carries the verdict. A passed Identity stays (a later verifier may
 *   re-check it, RFC 8224 §6.2).
 */
#include "serve/api_int.h"

#include <stdlib.h>
#include <string.h>

#include <clid/clid_sip.h>

static int is_ws(char c) { return c == ' ' || c == '\t'; }

/* The start of the header field holding offset `at` in m (lines folded with
 * leading whitespace belong to the field above, RFC 3261 §7.3.1). */
static size_t field_start(const char *m, size_t at)
{
    size_t ls = at;
    for (;;) {
        while (ls > 0 && m[ls - 1] != '\n')
            ls--;
        if (ls == 0 || !is_ws(m[ls]))
            return ls;
        ls--;
    }
}

/* The end of the field starting at ls: the line ending (CR LF or LF) of its
 * last line, continuation lines included. */
static size_t field_end(const char *m, size_t len, size_t ls)
{
    size_t i = ls;
    for (;;) {
        while (i < len && m[i] != '\n')
            i++;
        if (i + 1 < len && is_ws(m[i + 1])) {
            i++;
            continue;
        }
        if (i > ls && m[i - 1] == '\r')
            i--;
        return i;
    }
}

/* The value of the field m[ls..le), unfolded (each line break with its
 * leading whitespace becomes one SP), without leading or trailing
 * whitespace. */
static json_t *field_value(const char *m, size_t ls, size_t le)
{
    const char *colon = memchr(m + ls, ':', le - ls);
    if (!colon)
        return NULL;
    size_t i = (size_t)(colon - m) + 1;
    char *buf = malloc(le - i + 1);
    if (!buf)
        return NULL;
    size_t n = 0;
    while (i < le) {
        if (m[i] == '\r' || m[i] == '\n') {
            while (i < le && (m[i] == '\r' || m[i] == '\n' || is_ws(m[i])))
                i++;
            buf[n++] = ' ';
            continue;
        }
        buf[n++] = m[i++];
    }
    size_t s = 0;
    while (s < n && is_ws(buf[s]))
        s++;
    while (n > s && is_ws(buf[n - 1]))
        n--;
    json_t *j = json_stringn(buf + s, n - s);
    free(buf);
    return j;
}

static json_t *field_name(const char *m, size_t ls, size_t le)
{
    const char *colon = memchr(m + ls, ':', le - ls);
    if (!colon)
        return NULL;
    size_t n = (size_t)(colon - (m + ls));
    while (n > 0 && is_ws(m[ls + n - 1]))
        n--;
    return json_stringn(m + ls, n);
}

/* The request marked with verstat `vs` (clid_sip_add_verstat), malloc'd;
 * NULL with *e set on failure. */
static char *marked(const char *msg, size_t len, clid_verstat vs, size_t *olen, clid_err *e)
{
    size_t cap = len + CLID_SIP_VERSTAT_EXTRA + 1;
    char *buf = malloc(cap);
    if (!buf) {
        *e = CLID_ERR_NOMEM;
        return NULL;
    }
    *e = clid_sip_add_verstat(msg, len, vs, buf, cap, olen);
    if (*e != CLID_OK) {
        free(buf);
        return NULL;
    }
    return buf;
}

static size_t first_diff(const char *a, size_t alen, const char *b, size_t blen)
{
    size_t i = 0;
    while (i < alen && i < blen && a[i] == b[i])
        i++;
    return i;
}

/* {"header","value","old_value"} for the caller's field marked with `vs`,
 * json_null() when nothing names a TN caller. The field is found where the
 * marked request first differs from the original; when it does not differ
 * (the request already carried exactly this verstat there), it is found by
 * marking with another value, and the value to apply is the one present. */
json_t *api_caller_edit(const char *msg, size_t len, clid_verstat vs)
{
    clid_err e;
    size_t olen = 0;
    char *out = marked(msg, len, vs, &olen, &e);
    if (!out)
        return e == CLID_ERR_NOMEM ? NULL : json_null();
    size_t at = first_diff(msg, len, out, olen);
    if (at == len && olen == len) {
        clid_verstat other =
            vs == CLID_VERSTAT_PASSED ? CLID_VERSTAT_FAILED : CLID_VERSTAT_PASSED;
        size_t o2len = 0;
        char *o2 = marked(msg, len, other, &o2len, &e);
        if (!o2) {
            free(out);
            return e == CLID_ERR_NOMEM ? NULL : json_null();
        }
        at = first_diff(msg, len, o2, o2len);
        free(o2);
    }
    size_t ls = field_start(msg, at < len ? at : len);
    size_t le_old = field_end(msg, len, ls);
    size_t le_new = field_end(out, olen, ls);
    json_t *j = json_object();
    json_t *name = field_name(out, ls, le_new);
    json_t *val = field_value(out, ls, le_new);
    json_t *old = field_value(msg, ls, le_old);
    free(out);
    if (!j || !name || !val || !old) {
        json_decref(j);
        json_decref(name);
        json_decref(val);
        json_decref(old);
        return NULL;
    }
    json_object_set_new(j, "header", name);
    json_object_set_new(j, "value", val);
    json_object_set_new(j, "old_value", old);
    return j;
}

/* A diverted call's chain (RFC 8946 §6; clid_result_div_*), as `clid verify
 * --json` writes it: {"links":[{"from","to","iat","spc"}...],"failed_link":
 * N|null,"opt":<a div-o's carried original>|null}; json_null() when the
 * request carried no div PASSporT; NULL without memory. */
static json_t *div_chain(const clid_result *res)
{
    size_t n = clid_result_div_count(res);
    const char *opt = clid_result_div_opt(res);
    if (n == 0 && opt == NULL)
        return json_null();
    json_t *links = json_array();
    for (size_t i = 0; links && i < n; i++) {
        const char *spc = clid_result_div_spc(res, i);
        json_t *l = json_pack("{s:s,s:s,s:I,s:o}", "from", clid_result_div_from(res, i), "to",
                              clid_result_div_to(res, i), "iat",
                              (json_int_t)clid_result_div_iat(res, i), "spc",
                              spc ? json_string(spc) : json_null());
        if (!l || json_array_append_new(links, l) != 0) {
            json_decref(links);
            return NULL;
        }
    }
    int failed = clid_result_div_failed_link(res);
    return links ? json_pack("{s:o,s:o,s:o}", "links", links, "failed_link",
                             failed >= 0 ? json_integer(failed) : json_null(), "opt",
                             opt ? json_string(opt) : json_null())
                 : NULL;
}

/* 1 when the field m[ls..le) is named Call-Info (RFC 3261 §20.9; no
 * compact form). */
static int is_call_info(const char *m, size_t ls, size_t le)
{
    static const char name[] = "call-info";
    size_t n = sizeof name - 1, i = 0;
    if (le - ls < n)
        return 0;
    for (; i < n; i++) {
        char c = m[ls + i];
        if ((c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c) != name[i])
            return 0;
    }
    while (ls + i < le && is_ws(m[ls + i]))
        i++;
    return ls + i < le && m[ls + i] == ':';
}

/* The "call_info" member: {"values":[...]} read off the request as
 * clid_sip_add_rcd presents it, json_null() when that changes nothing (or
 * cannot be done: the verdict stands without it), NULL without memory. */
/* The header fields of a request m[0..len), from the line after the start
 * line to the empty line: the first field's start, whether ls starts one,
 * and the start of the field after the one ending at le. */
static size_t first_field(const char *m, size_t len)
{
    const char *nl = memchr(m, '\n', len);
    return nl ? (size_t)(nl - m) + 1 : len;
}

static int at_field(const char *m, size_t len, size_t ls)
{
    return ls < len && m[ls] != '\r' && m[ls] != '\n';
}

static size_t next_field(const char *m, size_t len, size_t le)
{
    return le + (le < len && m[le] == '\r' ? 2 : 1);
}

static int has_call_info(const char *m, size_t len)
{
    for (size_t ls = first_field(m, len), le; at_field(m, len, ls); ls = next_field(m, len, le)) {
        le = field_end(m, len, ls);
        if (is_call_info(m, ls, le))
            return 1;
    }
    return 0;
}

static json_t *call_info_edit(const char *msg, size_t len, const clid_result *res)
{
    /* Nothing to remove and nothing to add: no rewrite, and no buffer as
     * large as a request plus CLID_SIP_RCD_EXTRA, on the hot path. */
    if (!(clid_result_rcd(res) & CLID_RCD_PRESENT) && !has_call_info(msg, len))
        return json_null();
    size_t cap = len + CLID_SIP_RCD_EXTRA + 1, olen = 0;
    char *p = malloc(cap);
    if (!p)
        return NULL;
    clid_err e = clid_sip_add_rcd(msg, len, res, p, cap, &olen);
    if (e != CLID_OK || (olen == len && memcmp(p, msg, len) == 0)) {
        free(p);
        return e == CLID_ERR_NOMEM ? NULL : json_null();
    }
    json_t *vals = json_array();
    for (size_t ls = first_field(p, olen), le; vals && at_field(p, olen, ls);
         ls = next_field(p, olen, le)) {
        le = field_end(p, olen, ls);
        if (is_call_info(p, ls, le)) {
            json_t *v = field_value(p, ls, le);
            if (!v || json_array_append_new(vals, v) != 0) {
                json_decref(vals);
                vals = NULL;
            }
        }
    }
    free(p);
    return vals ? json_pack("{s:o}", "values", vals) : NULL;
}

void api_sip(serve_state *st, const char *body, size_t len, int64_t now, serve_reply *out)
{
    if (len == 0) {
        api_error(out, 400, SERVE_CODE_INVALID_SIP, CLID_ERR_SIP_PARSE, NULL,
                  "the body is empty; a SIP request is expected");
        return;
    }
    if (len > CLID_SIP_MAX_LEN) {
        api_error(out, 413, SERVE_CODE_TOO_LARGE, CLID_ERR_SIP_TOO_LARGE, NULL,
                  "a SIP request is at most %u bytes", (unsigned)CLID_SIP_MAX_LEN);
        return;
    }
    clid_result *res = NULL;
    clid_err e = clid_result_new(&res);
    if (e != CLID_OK) {
        api_error(out, 500, SERVE_CODE_INTERNAL, e, NULL, "out of memory");
        return;
    }
    clid_sip_verify_opts o = {.now = now};
    e = clid_sip_verify(serve_state_verifier(st), &o, body, len, res);
    if (e == CLID_ERR_SIP_PARSE || e == CLID_ERR_SIP_TOO_LARGE || e == CLID_ERR_SIP_NO_CALLER ||
        e == CLID_ERR_SIP_NO_CALLEE) {
        /* Not a request clid can verify: the client's input, not a verdict. */
        const char *d = clid_result_detail(res);
        api_error(out, 400, SERVE_CODE_INVALID_SIP, e, NULL, "%s: %s%s%s", clid_err_name(e),
                  clid_err_str(e), d && d[0] ? ": " : "", d ? d : "");
        clid_result_free(res);
        return;
    }
    if (e != CLID_OK && clid_err_sip_status(e) == 0) {
        api_error(out, 500, SERVE_CODE_INTERNAL, e, NULL, "verification failed: %s: %s",
                  clid_err_name(e), clid_err_str(e));
        clid_result_free(res);
        return;
    }
    json_t *v = api_verdict(res, e, out);
    json_t *div = v ? div_chain(res) : NULL;
    json_t *ci = v ? call_info_edit(body, len, res) : NULL;
    clid_result_free(res);
    json_t *caller = v ? api_caller_edit(body, len, clid_err_verstat(e)) : NULL;
    int failed = e != CLID_OK && e != CLID_ERR_NO_IDENTITY;
    json_t *reject = failed ? json_pack("{s:i,s:s}", "code", clid_err_sip_status(e), "reason",
                                        clid_err_sip_reason(e))
                            : json_null();
    if (!v || !caller || !reject || !div || !ci) {
        json_decref(v);
        json_decref(div);
        json_decref(ci);
        json_decref(caller);
        json_decref(reject);
        api_error(out, 500, SERVE_CODE_INTERNAL, CLID_ERR_NOMEM, NULL, "out of memory");
        return;
    }
    json_object_set_new(v, "caller", caller);
    json_object_set_new(v, "strip_identity", json_boolean(failed));
    json_object_set_new(v, "reject", reject);
    json_object_set_new(v, "div_chain", div);
    json_object_set_new(v, "call_info", ci);
    if (!(out->body = json_pack("{s:o}", "sipVerificationResponse", v))) {
        api_error(out, 500, SERVE_CODE_INTERNAL, CLID_ERR_NOMEM, NULL, "out of memory");
        return;
    }
    out->http_status = 200;
}
