/*
 * Private to the ISUP module (clid_isup.h):
 *   isup_iam.c    the IAM's layout (Q.763 §1.3, Table 32): fixed part,
 *                 the mandatory variable part (Called Party Number) behind
 *                 its pointer, the optional part; raw parameter access;
 *   isup_number.c the number parameters (Q.763 §3.9, §3.10, §3.26, §3.39,
 *                 §3.44) and their conversion to and from TNs;
 *   isup_apm.c    the Application Transport Parameter (Q.763 §3.82) and
 *                 its segmentation (Q.765);
 *   sipi_body.c   the application/ISUP body of a SIP-I request (RFC 3204,
 *                 RFC 2046 multipart/mixed).
 * An IAM keeps every parameter as the octets it was parsed from, so an
 * unchanged IAM encodes to its input; decoding happens on access.
 */
#ifndef CLID_ISUP_INTERNAL_H
#define CLID_ISUP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid_isup.h>

#define CLID__ISUP_MT_IAM 0x01 /* Q.763 Table 4: Initial address */
#define CLID__ISUP_FIXED_LEN 5 /* Q.763 Table 32 */
#define CLID__ISUP_PARAM_MAX 255 /* one length octet (Q.763 §1.7) */

/* One optional parameter: code, then `len` value octets (owned). */
typedef struct clid__isup_param {
    unsigned code;
    uint8_t *val;
    size_t len;
} clid__isup_param;

struct clid_isup_iam {
    uint8_t fixed[CLID__ISUP_FIXED_LEN];
    uint8_t cdpn[CLID__ISUP_PARAM_MAX]; /* Called Party Number value */
    size_t cdpn_len;
    clid__isup_param *opt;
    size_t n_opt;
    size_t cap_opt;
    /* The pointer to the optional part was not 0 although no parameter
     * followed (a lone end-of-optional-parameters octet): kept so that the
     * IAM encodes to its input. */
    int empty_opt_part;
};

/* Whether clid decodes the parameter, and whether it may repeat. */
int clid__isup_is_number_code(unsigned code);

/* Checks a number parameter's value (Q.763 §3.9 etc.): its header octets
 * present, the digits that the odd/even indicator and the length give,
 * at most CLID_ISUP_DIGITS_MAX. CLID_ERR_ISUP_PARSE otherwise. */
clid_err clid__isup_number_check(unsigned code, const uint8_t *v, size_t len);
clid_err clid__isup_number_decode(unsigned code, const uint8_t *v, size_t len,
                                  clid_isup_number *out);
/* Encodes into v[CLID__ISUP_PARAM_MAX]; CLID_ERR_INVALID_ARGUMENT for a
 * field out of its range or digits that are not hex digits. */
clid_err clid__isup_number_encode(unsigned code, const clid_isup_number *n, uint8_t *v,
                                  size_t *len);

/* Checks an Application Transport Parameter's value (Q.763 §3.82): the
 * context octet(s), octet 2 and 2a as their extension bits announce them. */
clid_err clid__isup_app_check(const uint8_t *v, size_t len);

/* Inserts a copy of value as optional parameter number `at` (0..n_opt). */
clid_err clid__isup_insert_param(clid_isup_iam *iam, size_t at, unsigned code,
                                 const uint8_t *value, size_t len);
/* Removes optional parameter number `at`. */
void clid__isup_delete_param(clid_isup_iam *iam, size_t at);

#endif /* CLID_ISUP_INTERNAL_H */
