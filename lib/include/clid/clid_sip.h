/*
 * clid: signing and verifying whole SIP requests (RFC 3261 / RFC 8224).
 *
 * The request is parsed with libosip2 (to find the caller, the callee, the
 * Identity and Date headers), but clid never re-serializes it: the Identity
 * header is spliced into the original bytes right before the blank line that
 * ends the headers, so every other byte stays as the sender wrote it
 * (osip_message_to_str reorders, renames and drops headers: deps notes S4).
 *
 * Which numbers are used (RFC 8224 §5.1, §8.3):
 *   caller: when the request has a P-Asserted-Identity (RFC 3325; one
 *           header or several, comma-separated lists included), its first
 *           entry that is a telephone number, and none when no entry is;
 *           else From unless it is anonymous. An asserted identity is
 *           never skipped: an entry that cannot be read (or that clid and
 *           libosip2 read differently) fails the request with
 *           CLID_ERR_SIP_PARSE, it never falls back to From;
 *   callee: To when it is a telephone number, else the Request-URI.
 * Headers are read as RFC 3261 writes them: names in any case, compact
 * forms (f, t, y), whitespace before ':', folded lines (one SP), a TAB
 * before '<' (LAQUOT = SWS "<"). One function decides the caller for
 * signing, verification, clid_sip_get_tns and clid_sip_add_verstat, so the
 * URI marked is the one verification bound to.
 * A URI is a telephone number when it is a tel: URI, or a sip:/sips: URI
 * whose user part is a number (user=phone or not; %-escapes decoded).
 * Numbers are canonicalized with clid_tn_canonicalize (visual separators,
 * '+', URI parameters such as ";tgrp=" never glued on; a local number's
 * ";phone-context=+<prefix>" globalizes it, any other context makes it no
 * number: RFC 3966 §5.1.5).
 *
 * Anonymous callers (RFC 3323 §4.1.1.3): a From whose display name is
 * "Anonymous", whose user is "anonymous" or whose host is
 * "anonymous.invalid" (any case) never names the caller. With a
 * P-Asserted-Identity (typically with "Privacy: id") that number is the
 * caller; without one the request has no caller: signing refuses it
 * (CLID_ERR_SIP_NO_CALLER, the host decides what to do with such calls),
 * and a verification of such a request that carries an Identity header
 * fails its binding (CLID_ERR_ORIG_MISMATCH). Display names are otherwise
 * ignored: RFC 8224 signs numbers, not names.
 *
 * Input rules for raw requests: at most CLID_SIP_MAX_LEN bytes; lines end
 * with CRLF or, as libosip2 tolerates, LF (clid writes new lines with the
 * ending of the start line); an empty line ends the header section. Refused
 * as CLID_ERR_SIP_PARSE: anything libosip2 refuses, a response or any start
 * line but "Method SP Request-URI SP SIP-Version", a request without From or
 * To, bare CR line endings, NUL or other control characters
 * (but HTAB) in the header section, whitespace-only lines, a missing empty
 * line. The body is never interpreted by clid (libosip2 checks it against
 * Content-Length and, for multipart bodies, their structure).
 *
 * Conventions as in clid.h. libosip2's parser is initialized once, under
 * pthread_once, with its trace output off (deps notes S1, S2). A host that
 * uses libosip2 itself should call parser_init() before it starts threads
 * that parse; clid's own call then only repeats it (parser_init rebuilds
 * libosip2's global tables with the same contents, which is not safe while
 * another thread parses). The osip_message_t variants are for hosts that
 * already hold a parsed message; clid never frees it.
 */
#ifndef CLID_SIP_H
#define CLID_SIP_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>

#ifdef __cplusplus
extern "C" {
#endif

struct osip_message; /* libosip2's osip_message_t */

#define CLID_SIP_MAX_LEN 65536 /* a SIP request clid accepts, and the most it writes */
/* Identity headers verified per request; later ones are ignored, so that a
 * request cannot make a verifier check (and fetch for) any number of them. */
#define CLID_SIP_MAX_IDENTITIES 8
/* What signing adds at most: "Identity: ", the value, CRLF. An output buffer
 * of the request's length + CLID_SIP_SIGN_EXTRA + 1 (the NUL) always fits. */
#define CLID_SIP_SIGN_EXTRA (CLID_IDENTITY_MAX_LEN + 12)
/* What clid_sip_add_verstat adds at most: "<", ";verstat=TN-Validation-Failed", ">". */
#define CLID_SIP_VERSTAT_EXTRA 32

/* ------------------------------------------------------------------------ */
/* The request's numbers                                                     */
/* ------------------------------------------------------------------------ */

/*
 * The calling and called TNs clid would sign for msg[0..len), or bind a
 * PASSporT to (rules above). Each output needs CLID_TN_BUF bytes and is ""
 * when not found. Useful for logs and routing, and to check a request
 * before signing it.
 * Errors: CLID_ERR_SIP_PARSE, CLID_ERR_SIP_TOO_LARGE, CLID_ERR_SIP_NO_CALLER
 * (dest is still filled when it can be), CLID_ERR_SIP_NO_CALLEE.
 */
CLID_API CLID_WUR clid_err clid_sip_get_tns(const char *msg, size_t len, char orig[CLID_TN_BUF],
                                            char dest[CLID_TN_BUF]);

/* ------------------------------------------------------------------------ */
/* Signing                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct clid_sip_sign_opts {
    char attest;         /* 'A', 'B' or 'C' */
    const char *origid;  /* NULL: a random UUID */
    int64_t iat;         /* 0: the signer's clock */
    const clid_rcd *rcd; /* Rich Call Data claims for the PASSporT (clid.h), or NULL */
    int ppt_rcd;         /* 1: sign a ppt "rcd" PASSporT instead of a shaken one */
} clid_sip_sign_opts;

/*
 * Signs the request in msg[0..len) and writes it, with an Identity header
 * added as its last header field, to out[cap] (NUL-terminated; *out_len
 * without the NUL, or the size needed including the NUL on
 * CLID_ERR_BUFFER_TOO_SMALL; a size query signs too, and the next call signs
 * again: CLID_SIP_SIGN_EXTRA spares it). The output differs from the input
 * only by the inserted line "Identity: <value>" and its line ending; the
 * body and Content-Length are untouched. Any request method is accepted
 * (RFC 8224 applies to any dialog-initiating request). An Identity header
 * already present stays (RFC 8224 §4 allows several).
 * Date (RFC 8224 §4.1): iat is the signer's clock (or opts->iat), which
 * RFC 8224 permits with the full PASSporT form; when the request has a Date
 * header, it must be an RFC 1123 date (else CLID_ERR_DATE_INVALID) within
 * CLID_DEFAULT_MAX_AGE seconds of iat (else CLID_ERR_DATE_MISMATCH: "MUST
 * NOT generate a PASSporT" for a Date outside the freshness policy). clid
 * does not add a Date header.
 * Errors: CLID_ERR_INVALID_ARGUMENT (NULL opts included),
 * CLID_ERR_SIP_PARSE, CLID_ERR_SIP_TOO_LARGE (input, or the output would
 * exceed CLID_SIP_MAX_LEN), CLID_ERR_SIP_NO_CALLER (anonymous or not a TN:
 * the host decides what to do with such calls), CLID_ERR_SIP_NO_CALLEE,
 * CLID_ERR_DATE_INVALID, CLID_ERR_DATE_MISMATCH, CLID_ERR_HEADER_INJECTION,
 * and every clid_sign_identity error.
 */
CLID_API CLID_WUR clid_err clid_sip_sign(const clid_signer *s, const clid_sip_sign_opts *opts,
                                         const char *msg, size_t len, char *out, size_t cap,
                                         size_t *out_len);
/* The same on a parsed message: appends the Identity header with
 * osip_message_set_header (after refusing anything but printable ASCII in
 * the value, deps notes S3). Serializing the message afterwards is the
 * host's business (and subject to deps notes S4). Errors as clid_sip_sign,
 * CLID_ERR_NOMEM when libosip2 cannot add the header. */
CLID_API CLID_WUR clid_err clid_sip_sign_osip(const clid_signer *s,
                                              const clid_sip_sign_opts *opts,
                                              struct osip_message *m);

/* ------------------------------------------------------------------------ */
/* Verification                                                              */
/* ------------------------------------------------------------------------ */

typedef struct clid_sip_verify_opts {
    int64_t now;             /* 0: the context's clock */
    int ignore_date;         /* 1: do not compare the Date header with iat */
    const char *chain_pem;   /* the signer's chain given by the caller, as in
                                clid_verify_input; NULL: use x5u */
    size_t chain_len;
} clid_sip_verify_opts;

/*
 * Verifies the request's Identity header(s) with the pipeline of
 * clid_verify_identity, binding them to the request's caller and callee and
 * its Date header. With several Identity headers (full or compact "y:" name,
 * in message order, at most CLID_SIP_MAX_IDENTITIES) the request passes when
 * one of them passes; otherwise the result is the first one's failure
 * (RFC 8224 §6.2: a verifier may act on any valid one). `res` receives the
 * verdict and facts of the header that decided. A P-Asserted-Identity that
 * cannot be read is CLID_ERR_SIP_PARSE (400), with a detail.
 * A request without Identity gives CLID_ERR_NO_IDENTITY (verstat
 * No-TN-Validation; 428 if the host's policy requires signed calls), whatever
 * its Date. With an Identity header, a Date header that is not an RFC 1123
 * date, or more than one Date header, is CLID_ERR_DATE_INVALID (403), unless
 * opts->ignore_date. A caller or callee that is not a TN (anonymous calls
 * included) cannot match a PASSporT: CLID_ERR_ORIG_MISMATCH or
 * CLID_ERR_DEST_MISMATCH. With "div" PASSporTs (and "div" accepted) the
 * headers are verified as a chain (clid_verify_identities) whose end must
 * name the Request-URI's number, where the retargeting proxy put the new
 * target (RFC 8946 §6; To keeps the original callee), or the callee when
 * the Request-URI names no number; CLID_ERR_SIP_PARSE when clid and
 * libosip2 read the Request-URI differently.
 * `res` also receives the early outcomes (CLID_ERR_SIP_PARSE: sip 400).
 * A NULL opts means all defaults.
 * Errors: CLID_ERR_SIP_PARSE, CLID_ERR_SIP_TOO_LARGE, CLID_ERR_DATE_INVALID,
 * CLID_ERR_NO_IDENTITY, and every clid_verify_identity reason.
 */
CLID_API CLID_WUR clid_err clid_sip_verify(clid_verifier *v, const clid_sip_verify_opts *opts,
                                           const char *msg, size_t len, clid_result *res);
CLID_API CLID_WUR clid_err clid_sip_verify_osip(clid_verifier *v,
                                                const clid_sip_verify_opts *opts,
                                                const struct osip_message *m,
                                                clid_result *res);

/*
 * Writes the request with ";verstat=<value>" (3GPP TS 24.229 §7.2A.20) in
 * the URI that names the caller (the rules above: the URI verification
 * bound to), as an SBC does after verification:
 *   tel URI:      <tel:+12025550100;verstat=TN-Validation-Passed>
 *   sip/sips URI: in the user part, where a TN's parameters live
 *                 (RFC 3261 §19.1.6), as deployed SBCs write it:
 *                 <sip:+12025550100;verstat=TN-Validation-Passed@host;user=phone>
 *   addr-spec:    From: sip:+1...@host;tag=x becomes
 *                 From: <sip:+1...;verstat=...@host>;tag=x, because
 *                 parameters after an addr-spec are header parameters
 *                 (RFC 3261 §20.10).
 * An existing verstat in that URI (ours or a spoofed one) is replaced in
 * place; verstat parameters elsewhere in that header entry (SIP URI
 * parameters, header parameters) are removed, so no reader finds a stale
 * one. Every other byte is unchanged (other P-Asserted-Identity entries and
 * From included: a host that forwards requests from untrusted peers removes
 * their verstat parameters itself). Buffer contract as clid_sip_sign; an
 * output of len + CLID_SIP_VERSTAT_EXTRA + 1 bytes always fits.
 * Errors: CLID_ERR_INVALID_ARGUMENT (v not a clid_verstat value),
 * CLID_ERR_SIP_PARSE (also when an asserted identity cannot be read, or
 * clid and libosip2 read the caller differently), CLID_ERR_SIP_TOO_LARGE,
 * CLID_ERR_SIP_NO_CALLER (no URI names a TN caller: nothing to mark).
 */
CLID_API CLID_WUR clid_err clid_sip_add_verstat(const char *msg, size_t len, clid_verstat v,
                                                char *out, size_t cap, size_t *out_len);

/* ------------------------------------------------------------------------ */
/* Diverted calls (RFC 8946; docs/sip.md "Diverted calls")                   */
/* ------------------------------------------------------------------------ */

/*
 * The diverting number and the new target of a retargeted request, as a
 * proxy that retargets reads them (each CLID_TN_BUF bytes, "" when not
 * found):
 *   History-Info (RFC 7044), preferred when present: the last entry that
 *     records a retargeting (an "rc" or "mp" parameter naming the index of
 *     the entry it was retargeted from); `div` is the number of that
 *     earlier entry, `target` the number of the last entry;
 *   else Diversion (RFC 5806): `div` is the number of the topmost (most
 *     recent) entry, `target` the request's Request-URI number.
 * At most CLID_SIP_MAX_HISTORY entries are read (History-Info headers and
 * comma-separated entries together; more is CLID_ERR_SIP_HISTORY_INFO, as
 * is an index that is not dot-separated numbers, a duplicate index, or an
 * rc/mp naming no entry). Numbers as clid_tn_canonicalize reads them.
 * Strictness in detail (RFC 7044 §9.1): every hi-entry is a name-addr with
 * exactly one index (no leading zeros, so equal indices are equal
 * strings) and at most one of rc/mp/np, which must name an EARLIER entry.
 * When History-Info names no diverting TN (no retargeting entry, or the
 * entry diverted from is no number), Diversion is read; a last entry that
 * names no number gives the Request-URI's as target, and no target at all
 * is CLID_ERR_SIP_NO_CALLEE. A Diversion "counter" must be 1*2DIGIT, and
 * both headers must be well-formed even when the other decides.
 * Errors: CLID_ERR_SIP_PARSE, CLID_ERR_SIP_TOO_LARGE,
 * CLID_ERR_SIP_HISTORY_INFO, CLID_ERR_SIP_NO_DIVERSION (neither header
 * names a diverting TN), CLID_ERR_TN_PHONE_CONTEXT.
 */
#define CLID_SIP_MAX_HISTORY 32
CLID_API CLID_WUR clid_err clid_sip_get_diversion(const char *msg, size_t len,
                                                  char div[CLID_TN_BUF],
                                                  char target[CLID_TN_BUF]);

typedef struct clid_sip_div_opts {
    int64_t iat;               /* 0: the signer's clock */
    /* Optional: the request's original PASSporT must verify with this
     * verifier first (RFC 8946 §4: a retargeting entity signs div only for
     * a call whose identity it has verified; ATIS-1000085 forbids a div on
     * a stale PASSporT). Its dest is not bound (the request is retargeted),
     * its orig is. NULL: not checked (the host verified it already). */
    clid_verifier *verifier;
    const clid_sip_verify_opts *verify_opts; /* for that verification; NULL: defaults */
} clid_sip_div_opts;

/*
 * Adds a div PASSporT (RFC 8946 §3) to a request a proxy has retargeted:
 * orig is the request's caller (the rules above), div and dest the
 * diverting number and new target of clid_sip_get_diversion, iat the
 * signer's clock; the signer's certificate must cover the diverting number
 * (checked when the signer has one). When the request carries a PASSporT
 * (the original, or the last div), the new div must chain to it: its div
 * among that PASSporT's dest (else CLID_ERR_DIV_CHAIN_LINK) and the same
 * orig (else CLID_ERR_DIV_CHAIN_ORIG), and not divert from a number a
 * carried div diverted from already (CLID_ERR_DIV_CHAIN_LOOP). The chain's
 * end is found by following it from the original (the first non-div
 * PASSporT); without one it is the last div in message order; PASSporTs
 * that do not parse are left out. opts NULL: all defaults. The Date header,
 * when present, must lie within CLID_DEFAULT_MAX_AGE of iat (RFC 8224 §4.1,
 * as clid_sip_sign). Output as clid_sip_sign (the
 * "Identity: ...;ppt=div" line added last). Errors: those of
 * clid_sip_get_diversion and clid_sip_sign, and with opts->verifier the
 * original's verification failure.
 */
CLID_API CLID_WUR clid_err clid_sip_sign_div(const clid_signer *s, const clid_sip_div_opts *opts,
                                             const char *msg, size_t len, char *out, size_t cap,
                                             size_t *out_len);

/* ------------------------------------------------------------------------ */
/* Presenting Rich Call Data (RFC 9796; docs/rcd.md)                         */
/* ------------------------------------------------------------------------ */

/*
 * Writes the request with the verified Rich Call Data of `r` (a
 * clid_sip_verify of this request) as a terminating SBC presents it to the
 * callee (RFC 9796), in one Call-Info header field added last (RFC 9796
 * §4: all RCD in a single Call-Info header field):
 *   Call-Info: <JCARD>;purpose=jcard;verified[;integrity="sha256-..."]
 *              [;call-reason="..."][, <ICON>;purpose=icon;verified
 *              [;integrity="sha256-..."]]
 * JCARD is the verified jcl URL (integrity: its rcdi digest), else a data:
 * URI ("data:application/json;base64,...", RFC 2397, RFC 9796 §5) of the
 * inline jCard or of a jCard built from the verified name ("fn"), else
 * "data:" when only a call reason is verified (RFC 9796 §6); ICON the
 * verified icn URL. "verified" is written as a flag parameter.
 * Call-Info entries the request already carries that claim Rich Call Data
 * (a "verified", "integrity" or "call-reason" parameter, or purpose jcard,
 * rcd-jcard or icon) are removed first, entry by entry (a header field
 * left empty goes; a Call-Info field that cannot be read, an unclosed '<'
 * or quote, goes whole): an upstream party cannot present its own data as
 * verified. Other entries are kept byte for byte. The call reason is an
 * RFC 3261 quoted-string ('"' and '\' escaped, UTF-8 kept); a value that
 * cannot be written safely (control characters; a URL that is not RFC 3986
 * text) is left out. Nothing verified, or `r` not a passed verification:
 * the request is written with only the removals (a terminating SBC strips
 * spoofed RCD whatever the verdict).
 * Buffer contract as clid_sip_sign; at most CLID_SIP_RCD_EXTRA more bytes.
 * Errors: CLID_ERR_INVALID_ARGUMENT (msg, r or out_len NULL),
 * CLID_ERR_SIP_PARSE, CLID_ERR_SIP_TOO_LARGE (also when the result would
 * exceed CLID_SIP_MAX_LEN), CLID_ERR_BUFFER_TOO_SMALL.
 */
#define CLID_SIP_RCD_EXTRA (2 * CLID_RCD_JCARD_MAX_LEN)
CLID_API CLID_WUR clid_err clid_sip_add_rcd(const char *msg, size_t len, const clid_result *r,
                                            char *out, size_t cap, size_t *out_len);

/* RFC 3261 §20.17 / RFC 1123 date ("Sun, 06 Nov 1994 08:49:37 GMT") to Unix
 * seconds. Strict: exactly that layout (names in any case, as ABNF strings
 * are), a real calendar date whose weekday is right, 00:00:00..23:59:59,
 * "GMT", no surrounding whitespace, after 1970-01-01T00:00:00Z.
 * CLID_ERR_DATE_INVALID otherwise (*out is then 0). */
CLID_API CLID_WUR clid_err clid_sip_parse_date(const char *value, int64_t *out);

#ifdef __cplusplus
}
#endif
#endif /* CLID_SIP_H */
