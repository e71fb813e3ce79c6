/*
 * The Initial Address Message (ITU-T Q.763 §1.3 and Table 32), from its
 * Message Type Code on (a SIP-I body has no routing label and no CIC,
 * RFC 3204 §3):
 *
 *   0x01                     message type (Q.763 Table 4)
 *   5 octets                 fixed part: nature of connection (1), forward
 *                            call indicators (2), calling party's category
 *                            (1), transmission medium requirement (1)
 *   pointer                  to the Called Party Number's length octet
 *   pointer                  to the optional part (0: none, Q.763 §1.3.3)
 *   length, value            Called Party Number (mandatory variable part)
 *   code, length, value ...  optional parameters (Q.763 §1.3.4)
 *   0x00                     end of optional parameters (Q.763 §3.20)
 *
 * Pointers count from their own octet (Q.763 §1.3.3 e). clid keeps the
 * parts contiguous, the only layout that encodes back to the same octets:
 * an input with gaps between the parts is refused rather than silently
 * rewritten.
 */
#include "isup/isup_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

/* A typical fixed part (Q.763 §3.35, §3.23, §3.11, §3.54): no satellite,
 * no continuity check, no echo control; national call, ISUP all the way
 * not required, originating access ISDN; ordinary calling subscriber;
 * speech. */
static const uint8_t default_fixed[CLID__ISUP_FIXED_LEN] = {0x00, 0x60, 0x01, 0x0A, 0x00};

clid_err clid_isup_iam_new(clid_isup_iam **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    clid_isup_iam *iam = calloc(1, sizeof *iam);
    CLID_ENSURE(iam != NULL, CLID_ERR_NOMEM);
    memcpy(iam->fixed, default_fixed, sizeof iam->fixed);
    *out = iam;
    return CLID_OK;
}

void clid_isup_iam_free(clid_isup_iam *iam)
{
    if (iam == NULL)
        return;
    for (size_t i = 0; i < iam->n_opt; i++)
        free(iam->opt[i].val);
    free(iam->opt);
    free(iam);
}

clid_err clid__isup_insert_param(clid_isup_iam *iam, size_t at, unsigned code,
                                 const uint8_t *value, size_t len)
{
    CLID_ENSURE(at <= iam->n_opt, CLID_ERR_INTERNAL);
    CLID_TRY(clid__grow((void **)&iam->opt, &iam->cap_opt, iam->n_opt + 1, sizeof *iam->opt));
    uint8_t *copy = malloc(len > 0 ? len : 1);
    CLID_ENSURE(copy != NULL, CLID_ERR_NOMEM);
    if (len > 0)
        memcpy(copy, value, len);
    memmove(iam->opt + at + 1, iam->opt + at, (iam->n_opt - at) * sizeof *iam->opt);
    iam->opt[at] = (clid__isup_param){.code = code, .val = copy, .len = len};
    iam->n_opt++;
    return CLID_OK;
}

void clid__isup_delete_param(clid_isup_iam *iam, size_t at)
{
    free(iam->opt[at].val);
    memmove(iam->opt + at, iam->opt + at + 1, (iam->n_opt - at - 1) * sizeof *iam->opt);
    iam->n_opt--;
    if (iam->n_opt == 0)
        iam->empty_opt_part = 0;
}

/* A decoded parameter's value must be well formed when it enters the IAM,
 * so that the getters never meet a malformed one. */
static clid_err check_value(unsigned code, const uint8_t *v, size_t len)
{
    if (clid__isup_is_number_code(code))
        return clid__isup_number_check(code, v, len);
    if (code == CLID_ISUP_APPLICATION_TRANSPORT)
        return clid__isup_app_check(v, len);
    return CLID_OK;
}

/* Q.763 §2.1 lets Generic Number repeat, and Q.765 the APM segments;
 * a second Calling Party Number (or Redirecting, Original Called) would
 * leave the reader to choose which one to show or check. */
static int may_repeat(unsigned code)
{
    return code == CLID_ISUP_GENERIC_NUMBER || code == CLID_ISUP_APPLICATION_TRANSPORT;
}

static int is_decoded(unsigned code)
{
    return clid__isup_is_number_code(code) || code == CLID_ISUP_APPLICATION_TRANSPORT;
}

static int count_code(const clid_isup_iam *iam, unsigned code)
{
    int n = 0;
    for (size_t i = 0; i < iam->n_opt; i++)
        n += iam->opt[i].code == code;
    return n;
}

static clid_err parse_optional(clid_isup_iam *iam, const uint8_t *buf, size_t len, size_t pos)
{
    /* Q.763 §1.3.4: code, length, value ... then the end octet 0x00, which
     * must be the message's last octet. */
    for (;;) {
        CLID_ENSURE(pos < len, CLID_ERR_ISUP_PARSE); /* no end-of-optional octet */
        unsigned code = buf[pos];
        if (code == 0x00) {
            CLID_ENSURE(pos + 1 == len, CLID_ERR_ISUP_PARSE); /* octets after the end */
            iam->empty_opt_part = iam->n_opt == 0;
            return CLID_OK;
        }
        CLID_ENSURE(len - pos >= 2, CLID_ERR_ISUP_PARSE);
        size_t plen = buf[pos + 1];
        CLID_ENSURE(plen <= len - pos - 2, CLID_ERR_ISUP_PARSE); /* overruns the message */
        const uint8_t *v = buf + pos + 2;
        /* The CdPN is the IAM's mandatory variable parameter (Table 32). */
        CLID_ENSURE(code != CLID_ISUP_CALLED_PARTY_NUMBER, CLID_ERR_ISUP_PARSE);
        if (is_decoded(code)) {
            CLID_ENSURE(may_repeat(code) || count_code(iam, code) == 0, CLID_ERR_ISUP_PARSE);
            CLID_TRY(check_value(code, v, plen));
        }
        CLID_TRY(clid__isup_insert_param(iam, iam->n_opt, code, v, plen));
        pos += 2 + plen;
    }
}

static clid_err parse_into(clid_isup_iam *iam, const uint8_t *buf, size_t len)
{
    /* message type, fixed part, two pointers, the CdPN length octet */
    const size_t ptr1 = 1 + CLID__ISUP_FIXED_LEN;
    CLID_ENSURE(len >= ptr1 + 3, CLID_ERR_ISUP_PARSE);
    CLID_ENSURE(buf[0] == CLID__ISUP_MT_IAM, CLID_ERR_ISUP_PARSE);
    memcpy(iam->fixed, buf + 1, CLID__ISUP_FIXED_LEN);
    /* The Called Party Number's length octet follows the two pointers. */
    CLID_ENSURE(buf[ptr1] == 2, CLID_ERR_ISUP_PARSE);
    size_t cdpn_at = ptr1 + 2;
    size_t cdpn_len = buf[cdpn_at];
    CLID_ENSURE(cdpn_len <= len - cdpn_at - 1, CLID_ERR_ISUP_PARSE); /* overruns */
    CLID_TRY(clid__isup_number_check(CLID_ISUP_CALLED_PARTY_NUMBER, buf + cdpn_at + 1,
                                     cdpn_len));
    memcpy(iam->cdpn, buf + cdpn_at + 1, cdpn_len);
    iam->cdpn_len = cdpn_len;
    size_t after_cdpn = cdpn_at + 1 + cdpn_len;
    unsigned ptr2 = buf[ptr1 + 1];
    if (ptr2 == 0) {
        /* Q.763 §1.3.3: no optional part, and nothing may follow. */
        CLID_ENSURE(after_cdpn == len, CLID_ERR_ISUP_PARSE);
        return CLID_OK;
    }
    size_t opt_at = ptr1 + 1 + ptr2;
    CLID_ENSURE(opt_at == after_cdpn, CLID_ERR_ISUP_PARSE); /* a gap, or inside the CdPN */
    return parse_optional(iam, buf, len, opt_at);
}

clid_err clid_isup_iam_parse(const uint8_t *buf, size_t len, clid_isup_iam **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = NULL;
    CLID_ENSURE(buf != NULL || len == 0, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(len <= CLID_ISUP_MAX_LEN, CLID_ERR_ISUP_TOO_LARGE);
    clid_isup_iam *iam = NULL;
    CLID_TRY(clid_isup_iam_new(&iam));
    clid_err rc = parse_into(iam, buf, len);
    if (rc != CLID_OK) {
        clid_isup_iam_free(iam);
        return rc;
    }
    *out = iam;
    return CLID_OK;
}

clid_err clid_isup_iam_encode(const clid_isup_iam *iam, uint8_t *out, size_t cap,
                              size_t *out_len)
{
    CLID_ENSURE(iam != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    /* Q.763 Table 32: the Called Party Number is mandatory. */
    CLID_ENSURE(iam->cdpn_len >= 2, CLID_ERR_ISUP_PARAM_ABSENT);
    size_t total = 1 + CLID__ISUP_FIXED_LEN + 2 + 1 + iam->cdpn_len;
    int has_opt = iam->n_opt > 0 || iam->empty_opt_part;
    for (size_t i = 0; i < iam->n_opt; i++)
        total += 2 + iam->opt[i].len;
    total += has_opt ? 1 : 0;
    CLID_ENSURE(total <= CLID_ISUP_MAX_LEN, CLID_ERR_ISUP_TOO_LARGE);
    *out_len = total;
    CLID_ENSURE(out != NULL && cap >= total, CLID_ERR_BUFFER_TOO_SMALL);
    size_t o = 0;
    out[o++] = CLID__ISUP_MT_IAM;
    memcpy(out + o, iam->fixed, CLID__ISUP_FIXED_LEN);
    o += CLID__ISUP_FIXED_LEN;
    out[o++] = 2;                                                 /* to the CdPN */
    out[o++] = has_opt ? (uint8_t)(iam->cdpn_len + 2) : 0; /* to the optional part */
    out[o++] = (uint8_t)iam->cdpn_len;
    memcpy(out + o, iam->cdpn, iam->cdpn_len);
    o += iam->cdpn_len;
    for (size_t i = 0; i < iam->n_opt; i++) {
        out[o++] = (uint8_t)iam->opt[i].code;
        out[o++] = (uint8_t)iam->opt[i].len;
        if (iam->opt[i].len > 0)
            memcpy(out + o, iam->opt[i].val, iam->opt[i].len);
        o += iam->opt[i].len;
    }
    if (has_opt)
        out[o++] = 0x00; /* Q.763 §3.20 end of optional parameters */
    return CLID_OK;
}

void clid_isup_iam_get_fixed(const clid_isup_iam *iam, uint8_t out[5])
{
    if (out == NULL)
        return;
    if (iam == NULL)
        memset(out, 0, CLID__ISUP_FIXED_LEN);
    else
        memcpy(out, iam->fixed, CLID__ISUP_FIXED_LEN);
}

void clid_isup_iam_set_fixed(clid_isup_iam *iam, const uint8_t in[5])
{
    if (iam != NULL && in != NULL)
        memcpy(iam->fixed, in, CLID__ISUP_FIXED_LEN);
}

size_t clid_isup_iam_param_count(const clid_isup_iam *iam)
{
    return iam == NULL ? 0 : iam->n_opt;
}

clid_err clid_isup_iam_param(const clid_isup_iam *iam, size_t i, unsigned *code,
                             const uint8_t **value, size_t *len)
{
    CLID_ENSURE(iam != NULL && code != NULL && value != NULL && len != NULL,
                CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(i < iam->n_opt, CLID_ERR_ISUP_PARAM_ABSENT);
    *code = iam->opt[i].code;
    *value = iam->opt[i].val;
    *len = iam->opt[i].len;
    return CLID_OK;
}

clid_err clid_isup_iam_add_param(clid_isup_iam *iam, unsigned code, const uint8_t *value,
                                 size_t len)
{
    CLID_ENSURE(iam != NULL && (value != NULL || len == 0), CLID_ERR_INVALID_ARGUMENT);
    /* 0x00 ends the optional part; the CdPN is mandatory, not optional. */
    CLID_ENSURE(code >= 1 && code <= 0xFF && code != CLID_ISUP_CALLED_PARTY_NUMBER,
                CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(len <= CLID__ISUP_PARAM_MAX, CLID_ERR_INVALID_ARGUMENT);
    /* The same rules as for a parsed IAM, so that what clid encodes parses. */
    CLID_ENSURE(!is_decoded(code) || may_repeat(code) || count_code(iam, code) == 0,
                CLID_ERR_INVALID_ARGUMENT);
    if (is_decoded(code) && check_value(code, value, len) != CLID_OK)
        return CLID_ERR_INVALID_ARGUMENT;
    return clid__isup_insert_param(iam, iam->n_opt, code, value, len);
}

void clid_isup_iam_remove_param(clid_isup_iam *iam, unsigned code)
{
    if (iam == NULL)
        return;
    for (size_t i = iam->n_opt; i-- > 0;)
        if (iam->opt[i].code == code)
            clid__isup_delete_param(iam, i);
}
