/*
 * Private to the SIP adapter (clid_sip.h):
 *   sip_parse.c   the raw bytes of a request: header section, header
 *                 fields, name-addr / addr-spec entries, URI parameters;
 *                 telephone numbers from URIs;
 *   sip_request.c what clid binds to: the caller, the callee, Date and the
 *                 Identity values, read by clid and by libosip2 alike;
 *   sip_splice.c  byte edits (insert the Identity line, set verstat);
 *   sip.c         libosip2, signing and verification.
 * Offsets are byte offsets into the caller's message; nothing here copies it.
 */
#ifndef CLID_SIP_INTERNAL_H
#define CLID_SIP_INTERNAL_H

#include <stddef.h>

#include <clid/clid.h>

/* ------------------------------------------------------------------------ */
/* The raw message (sip_parse.c)                                             */
/* ------------------------------------------------------------------------ */

typedef struct clid__sip_raw {
    const char *msg;
    size_t len;
    size_t headers; /* first byte of the first header line (after the start line) */
    size_t blank;   /* first byte of the empty line that ends the header section */
    size_t body;    /* first byte after that empty line */
    int crlf;       /* the start line ends with CRLF (else LF): new lines copy it */
} clid__sip_raw;

/*
 * Finds the header section of msg[0..len) (RFC 3261 §7: start line, header
 * fields, an empty line, the body). Lines end with CRLF or, as libosip2 and
 * many stacks tolerate, a bare LF. Refused as CLID_ERR_SIP_PARSE, because
 * libosip2 or a downstream parser could read them differently from clid:
 * a start line that is not a Request-Line (RFC 3261 §25.1; responses
 * included), no empty line, a bare CR, NUL or another control character other than
 * HTAB in the header section, a line of only whitespace, a continuation
 * line right after the start line, a header line without "name:".
 * CLID_ERR_SIP_TOO_LARGE above CLID_SIP_MAX_LEN.
 */
clid_err clid__sip_raw_scan(const char *msg, size_t len, clid__sip_raw *out);

/* One header field, continuation lines included (RFC 3261 §7.3.1). */
typedef struct clid__sip_field {
    size_t name;     /* first byte of the name */
    size_t name_len;
    size_t value;    /* first byte of the value (after ':' and whitespace) */
    size_t end;      /* end of the value, trailing whitespace excluded */
    size_t next;     /* first byte after the field's last line ending */
} clid__sip_field;

/* Iterates over the header fields: *pos starts at raw->headers; returns 1
 * and fills *f while there is one, 0 at the empty line. The raw message
 * must come from clid__sip_raw_scan. */
int clid__sip_next_field(const clid__sip_raw *r, size_t *pos, clid__sip_field *f);

/* The field's value as a reader must take it: each run of whitespace that
 * holds a line break (a folded line, RFC 3261 §7.3.1) becomes one SP, other
 * bytes are copied. `out` needs f->end - f->value + 1 bytes; returns the
 * length (NUL-terminated). */
size_t clid__sip_field_text(const clid__sip_raw *r, const clid__sip_field *f, char *out);

/* The Request-URI of the start line, msg[*uri..*uri_end). */
void clid__sip_request_uri(const clid__sip_raw *r, size_t *uri, size_t *uri_end);

/* Whether the field is `name` (case-insensitive, RFC 3261 §7.3.1) or its
 * compact form `compact` (0: none; RFC 3261 §7.3.3, RFC 8224 §4 for "y"). */
int clid__sip_field_is(const clid__sip_raw *r, const clid__sip_field *f, const char *name,
                       char compact);

/* One entry of a From, To or P-Asserted-Identity value (RFC 3261 §20.10,
 * §25.1; RFC 3325 §9.1): name-addr or addr-spec, then header parameters. */
typedef struct clid__sip_addr {
    size_t start;     /* first byte of the entry */
    size_t end;       /* end of the entry (before a separating comma), whitespace trimmed */
    size_t uri;       /* the URI: inside <...> for name-addr */
    size_t uri_end;
    size_t params;    /* header parameters: after '>' or after an addr-spec URI */
    int bracketed;    /* name-addr form */
} clid__sip_addr;

/*
 * Parses the entry at s[*pos..end) and moves *pos past the comma that
 * follows it (or to `end`). RFC 3261 §25.1 name-addr = [display-name]
 * LAQUOT addr-spec RAQUOT, with LAQUOT = SWS "<" (whitespace, a TAB or a
 * folded line, may precede '<'). Quoted strings (display names, parameter
 * values) may contain commas, '<' and escaped quotes. CLID_ERR_SIP_PARSE
 * for an unterminated quote or '<', an empty entry or URI, whitespace or
 * other non-URI characters in the URI (so also "< sip:...>"), an unquoted
 * display name that is not tokens and whitespace (bytes above 0x7F
 * tolerated), anything but ';' parameters after the address.
 */
clid_err clid__sip_next_addr(const char *s, size_t *pos, size_t end, clid__sip_addr *a);

/* RFC 3986 §2 / RFC 3261 §25.1: unreserved, reserved and '%'. Anything
 * else (whitespace, quotes, '<', '>', '\\', '^', '`', '{', '|', '}',
 * controls, non-ASCII) means this is no URI. */
int clid__sip_is_uri_text(const char *s, size_t len);

/* One ";name[=value]" parameter. */
typedef struct clid__sip_param {
    size_t start;    /* the ';' */
    size_t name;
    size_t name_len;
    size_t end;      /* end of the value (or of the name) */
} clid__sip_param;

/* Iterates over the parameters in s[*pos..end), which starts at a ';' or
 * whitespace before one. A parameter runs to the next ';' outside quotes
 * (its end excludes trailing whitespace). Returns 0 when no further
 * parameter starts there. */
int clid__sip_next_param(const char *s, size_t *pos, size_t end, clid__sip_param *p);

/* Whether a parameter's name is `name` (case-insensitive). */
int clid__sip_param_is(const char *s, const clid__sip_param *p, const char *name);

/* ------------------------------------------------------------------------ */
/* Telephone numbers in URIs (sip_parse.c)                                   */
/* ------------------------------------------------------------------------ */

/*
 * The TN of a URI given as scheme and "user" text: for tel the
 * telephone-subscriber (RFC 3966), for sip/sips the user part (RFC 3261
 * §19.1.1; the number of a user=phone URI, or any user part that is a
 * number). %-escapes are decoded first (RFC 3261 §19.1.4 makes "%2B1..."
 * and "+1..." the same user), then clid_tn_canonicalize applies (visual
 * separators, '+', parameters glued to the user part, a phone-context
 * parameter globalizing a local number). CLID_ERR_BAD_TN when it is not a
 * number, CLID_ERR_TN_PHONE_CONTEXT when it is a local number without a
 * global name (RFC 3966 §5.1.5); other schemes are never numbers.
 */
clid_err clid__sip_uri_tn(const char *scheme, size_t scheme_len, const char *user,
                          size_t user_len, char tn[CLID_TN_BUF]);

/* The same for the URI text s[0..len) ("sip:+1...@host;user=phone"). */
clid_err clid__sip_uri_text_tn(const char *s, size_t len, char tn[CLID_TN_BUF]);

/* ------------------------------------------------------------------------ */
/* What clid binds to (sip_request.c)                                        */
/* ------------------------------------------------------------------------ */

struct osip_message;

/* A request as clid reads it: its bytes (NULL for a message the host
 * parsed itself: the _osip variants) and libosip2's parse of them, which
 * has passed check_request (From and To present). */
typedef struct clid__sip_req {
    const clid__sip_raw *raw;
    const struct osip_message *m;
} clid__sip_req;

/*
 * The caller (clid_sip.h): the first P-Asserted-Identity entry that is a
 * TN when any P-Asserted-Identity is present, else From unless anonymous.
 * The one function that decides it, for signing, verification,
 * clid_sip_get_tns and the verstat marking. With the bytes, clid's reading
 * and libosip2's must agree; *entry (optional) receives the entry in the
 * bytes. CLID_ERR_SIP_PARSE when an asserted identity (or From) cannot be
 * read, or the readings differ (never a fall back to From); `why`
 * (optional) then points to a sentence for logs. CLID_ERR_SIP_NO_CALLER
 * when no TN names the caller. tn is "" unless CLID_OK.
 */
clid_err clid__sip_caller(const clid__sip_req *q, char tn[CLID_TN_BUF], clid__sip_addr *entry,
                          const char **why);

/* The callee: To when it is a TN, else the Request-URI (RFC 8224 §5.1);
 * both readings must agree (CLID_ERR_SIP_PARSE), CLID_ERR_SIP_NO_CALLEE. */
clid_err clid__sip_callee(const clid__sip_req *q, char tn[CLID_TN_BUF]);

/* The Date header as Unix time, 0 when absent; CLID_ERR_DATE_INVALID for
 * two Date headers or one that clid_sip_parse_date refuses (folded lines
 * read as one SP). */
clid_err clid__sip_date(const clid__sip_req *q, int64_t *date);

/* The Identity values (full name and compact "y", RFC 8224 §4) in message
 * order, at most CLID_SIP_MAX_IDENTITIES, folded lines read as one SP; an
 * empty header gives "". With the bytes, *buf (malloc'd, the caller frees
 * it) holds the values; else they point into the osip message. */
clid_err clid__sip_identities(const clid__sip_req *q, const char *ids[], size_t *n, char **buf);

/* The Identity values of the raw request msg[0..len) as verification
 * reads them (sip.c: parsed and checked like clid_sip_verify does, then
 * clid__sip_identities); for the out-of-band gateway (lib/src/oob), which
 * publishes them or refuses a request that has them. *buf: free it. */
clid_err clid__sip_request_identities(const char *msg, size_t len, const char *ids[], size_t *n,
                                      char **buf);

/*
 * Rich Call Data of a separate ppt "rcd" PASSporT (sip_rcd.c; RFC 9795):
 * when `res` is a pass and another of the request's Identity values ids[]
 * is a passing "rcd" PASSporT (verified with `in` like the others), the
 * RCD of `res` is that PASSporT's; when `res` itself is the rcd PASSporT
 * and another passing PASSporT (shaken) exists, `res` becomes that one,
 * with the rcd PASSporT's RCD. Nothing changes otherwise.
 */
void clid__sip_rcd_from_ppt(clid_verifier *v, const clid_verify_input *in,
                            const char *const *ids, size_t n, clid_result *res);

/* ------------------------------------------------------------------------ */
/* Diverted calls (sip_history.c, sip_div.c)                                 */
/* ------------------------------------------------------------------------ */

/* A raw request parsed by clid and libosip2 and checked as signing and
 * verification check it (sip.c); release *out with clid__sip_close. */
clid_err clid__sip_open(const char *msg, size_t len, clid__sip_raw *raw,
                        struct osip_message **out);
void clid__sip_close(struct osip_message *m);

/* The Request-URI's number, the request's current target (RFC 8946 §6:
 * what the last div PASSporT's dest names). Both readings must agree
 * (CLID_ERR_SIP_PARSE); CLID_ERR_BAD_TN when it is no number. */
clid_err clid__sip_target(const clid__sip_req *q, char tn[CLID_TN_BUF]);

/* clid_sip_get_diversion on a parsed request (the bytes are needed). */
clid_err clid__sip_diversion(const clid__sip_req *q, char div[CLID_TN_BUF],
                             char target[CLID_TN_BUF]);

/* ------------------------------------------------------------------------ */
/* Byte edits (sip_splice.c)                                                 */
/* ------------------------------------------------------------------------ */

/* Replace msg[at..at+del) with ins[0..ins_len). */
typedef struct clid__sip_edit {
    size_t at;
    size_t del;
    const char *ins;
    size_t ins_len;
} clid__sip_edit;

#define CLID__SIP_MAX_EDITS 32

/* Every byte clid writes into a header is printable ASCII (0x20..0x7E):
 * CR or LF would start a new header (deps notes S3), other controls confuse
 * parsers and logs. CLID_ERR_HEADER_INJECTION otherwise. */
clid_err clid__sip_check_value(const char *s, size_t len);

/*
 * Writes msg[0..len) with the edits applied to out[cap], NUL-terminated.
 * Edits are in message order (non-decreasing `at`, none overlapping the
 * previous one's deleted bytes); inserts at the same offset keep their
 * order. Buffer contract as clid_sign_identity; CLID_ERR_SIP_TOO_LARGE when
 * the result would exceed CLID_SIP_MAX_LEN (clid could not read it back).
 */
clid_err clid__sip_apply(const char *msg, size_t len, const clid__sip_edit *e, size_t n,
                         char *out, size_t cap, size_t *out_len);

/* Edits that add "Identity: <value>" as the last header field. `line`
 * (at least value_len + 13 bytes) receives the inserted text. */
clid_err clid__sip_identity_edit(const clid__sip_raw *r, const char *value, size_t value_len,
                                 char *line, size_t line_cap, clid__sip_edit *e);

/*
 * Edits that put ";verstat=<v>" (3GPP TS 24.229 §7.2A.20) into the URI of
 * entry `a` of the message, replacing any verstat already there: inside a
 * tel URI's parameters, inside a sip/sips URI's user part (where a TN's
 * parameters live when the user part is a telephone-subscriber, RFC 3261
 * §19.1.6), and removing verstat parameters elsewhere in the entry (SIP URI
 * parameters, header parameters), where a downstream reader might take them
 * for ours. An addr-spec entry is turned into name-addr ("<uri;...>"),
 * since its parameters would otherwise be header parameters (RFC 3261
 * §20.10). Fills e[0..*n). CLID_ERR_SIP_PARSE when the URI holds a
 * character no URI may hold (RFC 3986 §2: quotes, spaces, non-ASCII...).
 */
clid_err clid__sip_verstat_edits(const char *msg, const clid__sip_addr *a, const char *verstat,
                                 clid__sip_edit *e, size_t *n);

#endif /* CLID_SIP_INTERNAL_H */
