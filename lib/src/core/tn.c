/*
 * Telephone number canonicalization (RFC 8224 §8.3), the form PASSporT "tn"
 * claims carry (RFC 8225 §5.2.1) and TNAuthList entries are compared in.
 *
 * Accepted inputs, so that callers can hand over whatever they hold:
 *   - a bare number: "+1 (215) 555-1212", "12155551212";
 *   - a tel URI or its number part: "tel:+1-215-555-1212;phone-context=x";
 *   - a sip/sips URI or its user part: "sip:+12155551212;tgrp=a@example.com;user=phone".
 * A leading "tel:", "sip:" or "sips:" (any case) is skipped; everything from
 * the first ';' (URI parameters, including RFC 4904 ";tgrp=" glued to the
 * user part: standards notes §7 item 6), '@' (the host part) or '?' (URI
 * headers) on is cut off. Not accepted: name-addr forms ("<sip:...>",
 * display names) and escaped characters: the caller extracts the URI first.
 */
#include <string.h>

#include <clid/clid.h>

#include "core/internal.h"

/* Inputs longer than this are refused without looking further: no real
 * number or URI user part comes close, and the bound keeps the scan cheap. */
#define TN_INPUT_MAX 256

static int ascii_lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Length of a leading "tel:", "sip:" or "sips:" (case-insensitive), or 0. */
static size_t scheme_len(const char *s, size_t len)
{
    static const char *const schemes[] = {"tel:", "sip:", "sips:"};
    for (size_t i = 0; i < CLID_ARRAY_LEN(schemes); i++) {
        size_t n = strlen(schemes[i]);
        if (len < n)
            continue;
        size_t k = 0;
        while (k < n && ascii_lower((unsigned char)s[k]) == schemes[i][k])
            k++;
        if (k == n)
            return n;
    }
    return 0;
}

/* RFC 3966 §3 visual separators ("-", ".", "(", ")"), and spaces, which
 * people and some SIP stacks put into display forms of numbers. */
static int is_separator(char c)
{
    return c == '-' || c == '.' || c == '(' || c == ')' || c == ' ';
}

clid_err clid_tn_canonicalize(const char *in, char out[CLID_TN_BUF])
{
    CLID_ENSURE(in != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    out[0] = '\0'; /* "" on every failure */

    size_t len = strnlen(in, TN_INPUT_MAX + 1);
    CLID_ENSURE(len <= TN_INPUT_MAX, CLID_ERR_BAD_TN);

    char tn[CLID_TN_BUF];
    size_t i = scheme_len(in, len);
    size_t n = 0;
    int seen_plus = 0;
    for (; i < len; i++) {
        char c = in[i];
        if (c == ';' || c == '@' || c == '?')
            break; /* parameters, host, headers: never part of the number */
        if (is_separator(c))
            continue;
        if (c == '+') {
            /* Only the global-number prefix, before any digit (RFC 8224
             * §8.3 drops it); a '+' anywhere else is not a number. */
            CLID_ENSURE(!seen_plus && n == 0, CLID_ERR_BAD_TN);
            seen_plus = 1;
            continue;
        }
        CLID_ENSURE((c >= '0' && c <= '9') || c == '#' || c == '*', CLID_ERR_BAD_TN);
        /* E.164 allows 15 digits; the TNAuthList TelephoneNumber type has the
         * same bound (RFC 8226 §9). */
        CLID_ENSURE(n < CLID_TN_BUF - 1, CLID_ERR_BAD_TN);
        tn[n++] = c;
    }
    CLID_ENSURE(n > 0, CLID_ERR_BAD_TN);
    memcpy(out, tn, n);
    out[n] = '\0';
    return CLID_OK;
}
