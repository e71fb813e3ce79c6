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
 *   caller: the first P-Asserted-Identity that is a telephone number (tel:
 *           URI, or sip:/sips: with user=phone or an all-digit user part),
 *           else From;
 *   callee: To, else the Request-URI.
 * Numbers are canonicalized with clid_tn_canonicalize (visual separators,
 * '+', URI parameters such as ";tgrp=" never glued on).
 *
 * Conventions as in clid.h. libosip2's parser is initialized once, under
 * pthread_once, with its trace output off (deps notes S1, S2); a host that
 * already called parser_init() is unaffected. The osip_message_t variants
 * are for hosts that already hold a parsed message; clid never frees it.
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

#define CLID_SIP_MAX_LEN 65536 /* a SIP request clid accepts */

/* ------------------------------------------------------------------------ */
/* Signing                                                                   */
/* ------------------------------------------------------------------------ */

typedef struct clid_sip_sign_opts {
    char attest;         /* 'A', 'B' or 'C' */
    const char *origid;  /* NULL: a random UUID */
    int64_t iat;         /* 0: the signer's clock */
} clid_sip_sign_opts;

/*
 * Signs the request in msg[0..len) and writes it, with an Identity header
 * added, to out[cap] (NUL-terminated; *out_len without the NUL, or the size
 * needed including the NUL on CLID_ERR_BUFFER_TOO_SMALL). Any request
 * method is accepted (RFC 8224 applies to any dialog-initiating request);
 * a response is CLID_ERR_SIP_PARSE.
 * Errors: CLID_ERR_SIP_PARSE, CLID_ERR_SIP_TOO_LARGE, CLID_ERR_SIP_NO_CALLER
 * (anonymous or not a TN: the host decides what to do with such calls),
 * CLID_ERR_SIP_NO_CALLEE, and every clid_sign_identity error.
 */
CLID_API CLID_WUR clid_err clid_sip_sign(const clid_signer *s, const clid_sip_sign_opts *opts,
                                         const char *msg, size_t len, char *out, size_t cap,
                                         size_t *out_len);
/* The same on a parsed message: appends the Identity header with
 * osip_message_set_header (after refusing CR, LF and control characters). */
CLID_API CLID_WUR clid_err clid_sip_sign_osip(const clid_signer *s,
                                              const clid_sip_sign_opts *opts,
                                              struct osip_message *m);

/* ------------------------------------------------------------------------ */
/* Verification                                                              */
/* ------------------------------------------------------------------------ */

typedef struct clid_sip_verify_opts {
    int64_t now;             /* 0: the context's clock */
    int ignore_date;         /* 1: do not compare the Date header with iat */
} clid_sip_verify_opts;

/*
 * Verifies the request's Identity header(s) with the pipeline of
 * clid_verify_identity, binding them to the request's caller and callee and
 * its Date header. With several Identity headers (full or compact "y:" name)
 * the request passes when one of them passes; otherwise the result is the
 * first one's failure (RFC 8224 §6.2: a verifier may act on any valid one).
 * `res` receives the verdict and facts of the header that decided.
 * A request without Identity gives CLID_ERR_NO_IDENTITY (verstat
 * No-TN-Validation; 428 if the host's policy requires signed calls).
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
 * Writes the request with ";verstat=<value>" (3GPP TS 24.229 §7.2A.20) added
 * to the URI of the first P-Asserted-Identity, else of From, as an SBC does
 * after verification. An existing verstat parameter (ours or a spoofed one)
 * is replaced. The rest of the request is byte-identical. Buffer contract as
 * clid_sip_sign.
 */
CLID_API CLID_WUR clid_err clid_sip_add_verstat(const char *msg, size_t len, clid_verstat v,
                                                char *out, size_t cap, size_t *out_len);

/* RFC 3261 §20.17 / RFC 1123 date ("Sat, 13 Nov 2010 23:29:00 GMT") to Unix
 * seconds; CLID_ERR_DATE_INVALID otherwise. */
CLID_API CLID_WUR clid_err clid_sip_parse_date(const char *value, int64_t *out);

#ifdef __cplusplus
}
#endif
#endif /* CLID_SIP_H */
