/*
 * Private to the SIP adapter (clid_sip.h):
 *   sip_parse.c   the raw bytes of a request: header section, header
 *                 fields, name-addr / addr-spec entries, URI parameters;
 *                 telephone numbers from URIs;
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
 * follows it (or to `end`). Quoted strings (display names, parameter
 * values) may contain commas, '<' and escaped quotes. CLID_ERR_SIP_PARSE
 * for an unterminated quote or '<', an empty entry or URI.
 */
clid_err clid__sip_next_addr(const char *s, size_t *pos, size_t end, clid__sip_addr *a);

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
 * separators, '+', parameters glued to the user part). CLID_ERR_BAD_TN
 * when it is not a number; other schemes are never numbers.
 */
clid_err clid__sip_uri_tn(const char *scheme, size_t scheme_len, const char *user,
                          size_t user_len, char tn[CLID_TN_BUF]);

/* The same for the URI text s[0..len) ("sip:+1...@host;user=phone"). */
clid_err clid__sip_uri_text_tn(const char *s, size_t len, char tn[CLID_TN_BUF]);

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
