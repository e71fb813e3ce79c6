/*
 * Telephone number canonicalization (RFC 8224 §8.3), the form PASSporT "tn"
 * claims carry (RFC 8225 §5.2.1) and TNAuthList entries are compared in.
 *
 * Accepted inputs, so that callers can hand over whatever they hold:
 *   - a bare number: "+1 (215) 555-1212", "12155551212";
 *   - a tel URI or its number part: "tel:+1-215-555-1212;ext=22",
 *     "tel:555-1212;phone-context=+1-215";
 *   - a sip/sips URI or its user part: "sip:+12155551212;tgrp=a@example.com;user=phone".
 * A leading "tel:", "sip:" or "sips:" (any case) is skipped; everything from
 * the first ';' (URI parameters, including RFC 4904 ";tgrp=" glued to the
 * user part: standards notes §7 item 6), '@' (the host part) or '?' (URI
 * headers) on is cut off. Not accepted: name-addr forms ("<sip:...>",
 * display names) and escaped characters: the caller extracts the URI first.
 *
 * The one parameter read is "phone-context" (RFC 3966 §5.1.5): a local
 * number is named globally by its context. When the context is a global
 * number prefix ("+1-212") the TN is the prefix's digits followed by the
 * local number's; any other context (a domain, a malformed prefix, an
 * empty value, the parameter twice) leaves a number that has no global name
 * and is CLID_ERR_TN_PHONE_CONTEXT, never signed or matched as if it were
 * the digits alone. So is a global number ("+...") carrying the parameter:
 * RFC 3966 §5.1.5 gives it to local numbers only, and reading it two ways
 * (ignored, or glued on) would make one URI name two numbers.
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

/* Case-insensitive match of s[0..len) against the lower-case `lit`. */
static int ncase_is(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    if (len != n)
        return 0;
    for (size_t k = 0; k < n; k++)
        if (ascii_lower((unsigned char)s[k]) != lit[k])
            return 0;
    return 1;
}

/*
 * Finds the phone-context parameter among the parameters p[0..len) (each
 * introduced by ';', RFC 3966 §3 "par"; the names are case-insensitive,
 * RFC 3966 §3, and the parameter may sit anywhere among the others: the
 * order §3 suggests is only a SHOULD). *count is how often it appears,
 * *val and *val_len its (last) value; a parameter without "=" has an empty one.
 */
static void find_context(const char *p, size_t len, size_t *count, const char **val,
                         size_t *val_len)
{
    *count = 0;
    *val = NULL;
    *val_len = 0;
    size_t i = 0;
    while (i < len) {
        i++; /* the ';' */
        size_t start = i;
        while (i < len && p[i] != ';')
            i++;
        const char *eq = memchr(p + start, '=', i - start);
        size_t name_len = eq != NULL ? (size_t)(eq - (p + start)) : i - start;
        if (!ncase_is(p + start, name_len, "phone-context"))
            continue;
        (*count)++;
        *val = eq != NULL ? eq + 1 : p + i;
        *val_len = eq != NULL ? (size_t)(p + i - (eq + 1)) : 0;
    }
}

/*
 * Appends the digits of a global number prefix v[0..len) ("+" then
 * phonedigits with at least one DIGIT: RFC 3966 §3 global-number-digits)
 * to tn[0..*n); anything else is a domain context or no context at all.
 */
static clid_err add_prefix(const char *v, size_t len, char tn[CLID_TN_BUF], size_t *n)
{
    CLID_ENSURE(len >= 2 && v[0] == '+', CLID_ERR_TN_PHONE_CONTEXT);
    char digits[CLID_TN_BUF];
    size_t d = 0;
    for (size_t i = 1; i < len; i++) {
        if (is_separator(v[i]))
            continue;
        CLID_ENSURE(v[i] >= '0' && v[i] <= '9', CLID_ERR_TN_PHONE_CONTEXT);
        /* The globalized number is still E.164: 15 digits at most. */
        CLID_ENSURE(d + *n < CLID_TN_BUF - 1, CLID_ERR_BAD_TN);
        digits[d++] = v[i];
    }
    CLID_ENSURE(d > 0, CLID_ERR_TN_PHONE_CONTEXT);
    memmove(tn + d, tn, *n);
    memcpy(tn, digits, d);
    *n += d;
    return CLID_OK;
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

    /* The parameters run from this ';' to the host or headers. */
    size_t params = i, params_end = i;
    while (params_end < len && in[params_end] != '@' && in[params_end] != '?')
        params_end++;
    size_t count;
    const char *ctx;
    size_t ctx_len;
    find_context(in + params, params_end - params, &count, &ctx, &ctx_len);
    if (count > 0) {
        CLID_ENSURE(count == 1 && !seen_plus, CLID_ERR_TN_PHONE_CONTEXT);
        /* A service code ("*67", "#31#") is local by nature: no E.164
         * prefix turns it into a global number. */
        CLID_ENSURE(clid__all_digits(tn, n), CLID_ERR_TN_PHONE_CONTEXT);
        CLID_TRY(add_prefix(ctx, ctx_len, tn, &n));
    }
    memcpy(out, tn, n);
    out[n] = '\0';
    return CLID_OK;
}
