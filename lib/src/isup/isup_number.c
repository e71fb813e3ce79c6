/*
 * The number parameters of an IAM (ITU-T Q.763):
 *
 *   Called Party Number     §3.9   O/E+NAI | INN, NPI, spare    | digits
 *   Calling Party Number    §3.10  O/E+NAI | NI, NPI, APRI, SI  | digits
 *   Original Called Number  §3.39  O/E+NAI | spare, NPI, APRI   | digits
 *   Redirecting Number      §3.44  as Original Called Number (Figure 30)
 *   Generic Number          §3.26  qualifier | O/E+NAI | NI, NPI, APRI, SI | digits
 *
 * "O/E" is bit 8 of the NAI octet: 1 for an odd number of address signals.
 * Address signals are BCD, two per octet, the first in bits 4-1 (the low
 * nibble); an odd count ends with the filler 0000 in bits 8-5 (Q.763 §3.9 e).
 */
#include "isup/isup_internal.h"

#include <string.h>

#include "core/internal.h"

typedef struct number_layout {
    size_t hdr;       /* octets before the digits */
    int qualifier;    /* Generic Number's first octet */
    int inn_ni;       /* bit 8 of the indicator octet: INN (Called) or NI */
    int apri;         /* bits 4-3 */
    int screening;    /* bits 2-1 */
} number_layout;

static const number_layout *layout_of(unsigned code)
{
    static const number_layout called = {2, 0, 1, 0, 0};
    static const number_layout calling = {2, 0, 1, 1, 1};
    static const number_layout redir = {2, 0, 0, 1, 0};
    static const number_layout generic = {3, 1, 1, 1, 1};
    switch (code) {
    case CLID_ISUP_CALLED_PARTY_NUMBER:
        return &called;
    case CLID_ISUP_CALLING_PARTY_NUMBER:
        return &calling;
    case CLID_ISUP_ORIGINAL_CALLED_NUMBER:
    case CLID_ISUP_REDIRECTING_NUMBER:
        return &redir;
    case CLID_ISUP_GENERIC_NUMBER:
        return &generic;
    default:
        return NULL;
    }
}

int clid__isup_is_number_code(unsigned code)
{
    return layout_of(code) != NULL;
}

clid_err clid__isup_number_check(unsigned code, const uint8_t *v, size_t len)
{
    const number_layout *l = layout_of(code);
    CLID_ENSURE(l != NULL, CLID_ERR_INTERNAL);
    CLID_ENSURE(len >= l->hdr, CLID_ERR_ISUP_PARSE);
    int odd = (v[l->hdr - 2] & 0x80) != 0;
    size_t octets = len - l->hdr;
    /* An odd count needs at least the octet holding its last signal. */
    CLID_ENSURE(!odd || octets > 0, CLID_ERR_ISUP_PARSE);
    size_t digits = 2 * octets - (size_t)odd;
    CLID_ENSURE(digits <= CLID_ISUP_DIGITS_MAX, CLID_ERR_ISUP_PARSE);
    return CLID_OK;
}

clid_err clid__isup_number_decode(unsigned code, const uint8_t *v, size_t len,
                                  clid_isup_number *out)
{
    static const char hex[] = "0123456789ABCDEF";
    CLID_TRY(clid__isup_number_check(code, v, len));
    const number_layout *l = layout_of(code);
    memset(out, 0, sizeof *out);
    size_t o = 0;
    if (l->qualifier)
        out->qualifier = v[o++];
    int odd = (v[o] & 0x80) != 0;
    out->nai = v[o++] & 0x7F;
    uint8_t ind = v[o++];
    out->inn_ni = l->inn_ni ? (ind >> 7) & 1u : 0;
    out->npi = (ind >> 4) & 7u;
    out->apri = l->apri ? (ind >> 2) & 3u : 0;
    out->screening = l->screening ? ind & 3u : 0;
    size_t digits = 2 * (len - l->hdr) - (size_t)odd;
    for (size_t i = 0; i < digits; i++) {
        uint8_t b = v[l->hdr + i / 2];
        out->digits[i] = hex[i % 2 == 0 ? b & 0x0F : b >> 4];
    }
    out->digits[digits] = '\0';
    return CLID_OK;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return -1;
}

clid_err clid__isup_number_encode(unsigned code, const clid_isup_number *n, uint8_t *v,
                                  size_t *len)
{
    const number_layout *l = layout_of(code);
    CLID_ENSURE(l != NULL, CLID_ERR_INVALID_ARGUMENT);
    /* Fields a parameter does not have are ignored (clid_isup.h: they read 0). */
    CLID_ENSURE(n->nai <= 0x7F && n->npi <= 7 && n->inn_ni <= 1 && n->apri <= 3 &&
                    n->screening <= 3 && n->qualifier <= 0xFF,
                CLID_ERR_INVALID_ARGUMENT);
    size_t digits = strnlen(n->digits, sizeof n->digits);
    CLID_ENSURE(digits <= CLID_ISUP_DIGITS_MAX, CLID_ERR_INVALID_ARGUMENT);
    size_t o = 0;
    if (l->qualifier)
        v[o++] = (uint8_t)n->qualifier;
    v[o++] = (uint8_t)((digits % 2 == 1 ? 0x80 : 0x00) | n->nai);
    uint8_t ind = (uint8_t)(n->npi << 4);
    if (l->inn_ni)
        ind |= (uint8_t)(n->inn_ni << 7);
    if (l->apri)
        ind |= (uint8_t)(n->apri << 2);
    if (l->screening)
        ind |= (uint8_t)n->screening;
    v[o++] = ind;
    for (size_t i = 0; i < digits; i += 2) {
        int lo = hex_value(n->digits[i]);
        int hi = i + 1 < digits ? hex_value(n->digits[i + 1]) : 0; /* filler 0000 */
        CLID_ENSURE(lo >= 0 && hi >= 0, CLID_ERR_INVALID_ARGUMENT);
        v[o++] = (uint8_t)(lo | hi << 4);
    }
    *len = o;
    return CLID_OK;
}

clid_err clid_isup_iam_get_number(const clid_isup_iam *iam, unsigned code, size_t i,
                                  clid_isup_number *out)
{
    CLID_ENSURE(iam != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    memset(out, 0, sizeof *out);
    CLID_ENSURE(clid__isup_is_number_code(code), CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(i == 0 || code == CLID_ISUP_GENERIC_NUMBER, CLID_ERR_INVALID_ARGUMENT);
    if (code == CLID_ISUP_CALLED_PARTY_NUMBER) {
        CLID_ENSURE(iam->cdpn_len > 0, CLID_ERR_ISUP_PARAM_ABSENT);
        return clid__isup_number_decode(code, iam->cdpn, iam->cdpn_len, out);
    }
    size_t seen = 0;
    for (size_t k = 0; k < iam->n_opt; k++) {
        if (iam->opt[k].code != code)
            continue;
        if (seen++ == i)
            return clid__isup_number_decode(code, iam->opt[k].val, iam->opt[k].len, out);
    }
    return CLID_ERR_ISUP_PARAM_ABSENT;
}

clid_err clid_isup_iam_set_number(clid_isup_iam *iam, unsigned code, const clid_isup_number *n)
{
    CLID_ENSURE(iam != NULL && n != NULL, CLID_ERR_INVALID_ARGUMENT);
    uint8_t v[CLID__ISUP_PARAM_MAX];
    size_t len = 0;
    CLID_TRY(clid__isup_number_encode(code, n, v, &len));
    if (code == CLID_ISUP_CALLED_PARTY_NUMBER) {
        memcpy(iam->cdpn, v, len);
        iam->cdpn_len = len;
        return CLID_OK;
    }
    if (code == CLID_ISUP_GENERIC_NUMBER)
        return clid__isup_insert_param(iam, iam->n_opt, code, v, len);
    /* Replaced where it stood, so that the other parameters keep their order. */
    for (size_t k = 0; k < iam->n_opt; k++) {
        if (iam->opt[k].code == code) {
            clid__isup_delete_param(iam, k);
            return clid__isup_insert_param(iam, k, code, v, len);
        }
    }
    return clid__isup_insert_param(iam, iam->n_opt, code, v, len);
}

static int is_country_code(const char *cc)
{
    size_t n = strlen(cc);
    return n >= 1 && n <= 3 && clid__all_digits(cc, n) && cc[0] != '0';
}

clid_err clid_isup_number_to_tn(const clid_isup_number *n, const char *country_code,
                                char out[CLID_TN_BUF])
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    out[0] = '\0';
    CLID_ENSURE(n != NULL, CLID_ERR_INVALID_ARGUMENT);
    const char *cc = country_code != NULL ? country_code : "1";
    CLID_ENSURE(is_country_code(cc), CLID_ERR_INVALID_ARGUMENT);
    size_t digits = strnlen(n->digits, sizeof n->digits);
    /* Only address signals 0-9 make a TN; code 11, 12 and ST do not. */
    CLID_ENSURE(digits > 0 && clid__all_digits(n->digits, digits), CLID_ERR_BAD_TN);
    char e164[4 + CLID_ISUP_DIGITS_MAX + 1];
    switch (n->nai) {
    case CLID_ISUP_NAI_INTERNATIONAL: /* Q.763 §3.9 b: country code included */
        memcpy(e164, n->digits, digits + 1);
        break;
    case CLID_ISUP_NAI_NATIONAL: /* significant number: prefix the country code */
        memcpy(e164, cc, strlen(cc));
        memcpy(e164 + strlen(cc), n->digits, digits + 1);
        break;
    default: /* subscriber number, unknown, network-specific ... */
        return CLID_ERR_BAD_TN;
    }
    return clid_tn_canonicalize(e164, out);
}

clid_err clid_isup_number_from_tn(const char *tn, clid_isup_number *out)
{
    CLID_ENSURE(tn != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    memset(out, 0, sizeof *out);
    char canon[CLID_TN_BUF];
    CLID_TRY(clid_tn_canonicalize(tn, canon));
    /* '#' and '*' have no address signal in Q.763 §3.9 e. */
    CLID_ENSURE(clid__all_digits(canon, strlen(canon)), CLID_ERR_BAD_TN);
    out->nai = CLID_ISUP_NAI_INTERNATIONAL;
    out->npi = 1; /* ISDN (telephony) numbering plan, E.164 */
    memcpy(out->digits, canon, strlen(canon) + 1);
    return CLID_OK;
}
