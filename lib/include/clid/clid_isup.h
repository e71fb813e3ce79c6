/*
 * clid: SIP-I and ISUP (issue 13). The ISUP Initial Address Message codec
 * (ITU-T Q.763), the SIP-I body (RFC 3204 application/ISUP, Q.1912.5), the
 * check of the IAM's numbers against the verified PASSporT, and clid's
 * Q.3063-profile CLI token (docs/q3063-profile.md): a lossless compact DER
 * re-encoding of a SHAKEN PASSporT carried in the IAM's Application
 * Transport Parameter (Q.765 APM, code 0x78).
 *
 * Conventions as in clid.h: opaque handles, CLID_WUR, buffer contract of
 * clid_sign_identity (NUL-terminated text outputs; binary outputs are not
 * NUL-terminated and *out_len is their length, or the size needed on
 * CLID_ERR_BUFFER_TOO_SMALL).
 */
#ifndef CLID_ISUP_H
#define CLID_ISUP_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>
#include <clid/clid_sip.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------ */
/* IAM codec (Q.763)                                                         */
/* ------------------------------------------------------------------------ */

/* A parsed IAM, from the Message Type Code (0x01) on: RFC 3204 §3 bodies
 * carry no routing label and no CIC. Larger inputs are refused; the MTP3
 * limit of an ISUP message on a real SS7 link is CLID_ISUP_MTP3_MAX. */
#define CLID_ISUP_MAX_LEN 2048
#define CLID_ISUP_MTP3_MAX 272
#define CLID_ISUP_DIGITS_MAX 32 /* address signals of one number */

/* Parameter codes (Q.763 Table 5) clid decodes; every other optional
 * parameter is kept byte for byte. */
#define CLID_ISUP_CALLED_PARTY_NUMBER 0x04
#define CLID_ISUP_CALLING_PARTY_NUMBER 0x0A
#define CLID_ISUP_REDIRECTING_NUMBER 0x0B
#define CLID_ISUP_ORIGINAL_CALLED_NUMBER 0x28
#define CLID_ISUP_APPLICATION_TRANSPORT 0x78
#define CLID_ISUP_GENERIC_NUMBER 0xC0

/* Nature of address indicator values (Q.763 §3.9 b, §3.10 b). */
#define CLID_ISUP_NAI_SUBSCRIBER 1
#define CLID_ISUP_NAI_UNKNOWN 2
#define CLID_ISUP_NAI_NATIONAL 3
#define CLID_ISUP_NAI_INTERNATIONAL 4

/* One number parameter (Called, Calling, Redirecting, Original Called,
 * Generic Number). Fields that a parameter does not have are 0. */
typedef struct clid_isup_number {
    unsigned nai;       /* nature of address indicator, 7 bits */
    unsigned npi;       /* numbering plan indicator, 3 bits (1: ISDN/E.164) */
    unsigned inn_ni;    /* Called: INN indicator; Calling/Generic: NI (number incomplete) */
    unsigned apri;      /* address presentation restricted indicator, 2 bits (0 allowed,
                           1 restricted, 2 address not available, 3 reserved) */
    unsigned screening; /* screening indicator, 2 bits (Calling, Generic) */
    unsigned qualifier; /* Generic Number: number qualifier indicator (Q.763 §3.26) */
    char digits[CLID_ISUP_DIGITS_MAX + 1]; /* address signals as hex digits '0'-'9',
                           'A'-'F' (Q.763 §3.9 e: 0xB code 11, 0xC code 12, 0xF ST) */
} clid_isup_number;

typedef struct clid_isup_iam clid_isup_iam;

/* A new IAM with a typical fixed part (docs) and no numbers. */
CLID_API CLID_WUR clid_err clid_isup_iam_new(clid_isup_iam **out);
CLID_API void clid_isup_iam_free(clid_isup_iam *iam);
/* Strict: pointers inside the message, lengths that fit, mandatory
 * parameters present and well formed, the optional part ended by 0x00,
 * decoded parameters not repeated (Generic Number and the Application
 * Transport Parameter may be). Errors: CLID_ERR_ISUP_PARSE,
 * CLID_ERR_ISUP_TOO_LARGE. */
CLID_API CLID_WUR clid_err clid_isup_iam_parse(const uint8_t *buf, size_t len,
                                               clid_isup_iam **out);
/* Encodes; an IAM parsed and not changed encodes to its input byte for byte. */
CLID_API CLID_WUR clid_err clid_isup_iam_encode(const clid_isup_iam *iam, uint8_t *out,
                                                size_t cap, size_t *out_len);

/* The fixed part (Q.763 Table 32): nature of connection indicators (1
 * octet), forward call indicators (2), calling party's category (1),
 * transmission medium requirement (1). */
CLID_API void clid_isup_iam_get_fixed(const clid_isup_iam *iam, uint8_t out[5]);
CLID_API void clid_isup_iam_set_fixed(clid_isup_iam *iam, const uint8_t in[5]);

/* The i-th parameter with `code` (i > 0 only for Generic Number):
 * CLID_ERR_ISUP_PARAM_ABSENT when there is none. */
CLID_API CLID_WUR clid_err clid_isup_iam_get_number(const clid_isup_iam *iam, unsigned code,
                                                    size_t i, clid_isup_number *out);
/* Sets (replaces; Generic Number: appends) a number parameter. */
CLID_API CLID_WUR clid_err clid_isup_iam_set_number(clid_isup_iam *iam, unsigned code,
                                                    const clid_isup_number *n);

/* Optional parameters in message order, raw (the called party number is
 * mandatory and not among them). */
CLID_API size_t clid_isup_iam_param_count(const clid_isup_iam *iam);
CLID_API CLID_WUR clid_err clid_isup_iam_param(const clid_isup_iam *iam, size_t i,
                                               unsigned *code, const uint8_t **value,
                                               size_t *len);
/* Adds (appends) or removes every instance of an optional parameter. */
CLID_API CLID_WUR clid_err clid_isup_iam_add_param(clid_isup_iam *iam, unsigned code,
                                                   const uint8_t *value, size_t len);
CLID_API void clid_isup_iam_remove_param(clid_isup_iam *iam, unsigned code);

/* Application Transport Parameter (Q.763 §3.82, Q.765 APM): the
 * encapsulated application information for `context` (application context
 * identifier, 7 bits), reassembled from its segments in the IAM in order
 * (segmentation indicator counts down; out of order or a missing segment:
 * CLID_ERR_ISUP_PARSE). CLID_ERR_ISUP_PARAM_ABSENT when none. */
CLID_API CLID_WUR clid_err clid_isup_iam_get_apm(const clid_isup_iam *iam, unsigned context,
                                                 uint8_t *out, size_t cap, size_t *out_len);
/* Replaces the APM data for `context` (one parameter, or segments when the
 * data exceeds one parameter's room). */
CLID_API CLID_WUR clid_err clid_isup_iam_set_apm(clid_isup_iam *iam, unsigned context,
                                                 const uint8_t *data, size_t len);

/* A number as an E.164 TN (digits only, canonical like clid_tn_canonicalize):
 * international as is; national prefixed with `country_code` (1-3 digits);
 * subscriber, unknown or other NAI, non-decimal signals or an empty number:
 * CLID_ERR_BAD_TN. */
CLID_API CLID_WUR clid_err clid_isup_number_to_tn(const clid_isup_number *n,
                                                  const char *country_code,
                                                  char out[CLID_TN_BUF]);
/* A TN as a number with NAI international (npi 1); the other fields 0. */
CLID_API CLID_WUR clid_err clid_isup_number_from_tn(const char *tn, clid_isup_number *out);

/* ------------------------------------------------------------------------ */
/* SIP-I bodies (RFC 3204)                                                   */
/* ------------------------------------------------------------------------ */

typedef struct clid_sipi_part {
    size_t offset;         /* of the ISUP octets within the message */
    size_t len;
    int handling_required; /* Content-Disposition: signal;handling=required */
    char version[32];      /* the media type's version= parameter ("itu-t92+", ...) */
    char base[32];         /* base= parameter, "" when absent */
} clid_sipi_part;

/* Finds the application/ISUP part of the request's body, the whole body or
 * one part of multipart/mixed (RFC 2046 §5.1). CLID_ERR_ISUP_ABSENT when
 * there is none; CLID_ERR_SIP_PARSE for a malformed multipart body. */
CLID_API CLID_WUR clid_err clid_sipi_find_isup(const char *msg, size_t len, clid_sipi_part *out);
/* Writes the request with its ISUP octets replaced by isup[0..isup_len)
 * (Content-Length updated; every other byte and part unchanged). Text
 * buffer contract. */
CLID_API CLID_WUR clid_err clid_sipi_replace_isup(const char *msg, size_t len,
                                                  const uint8_t *isup, size_t isup_len,
                                                  char *out, size_t cap, size_t *out_len);

/* ------------------------------------------------------------------------ */
/* The CLI token (clid's Q.3063 profile, DER, asn1/CLID-CLI-Token-2026.asn) */
/* ------------------------------------------------------------------------ */

#define CLID_CLI_TOKEN_MAX 1024
/* clid's default application context identifier for the token in the APM:
 * clid's choice, NOT an ITU assignment (docs/q3063-profile.md). */
#define CLID_ISUP_APM_CONTEXT_DEFAULT 90

/* A SHAKEN PASSporT (full JWS "h.c.s") as a token. orig/dest are omitted
 * when they equal iam_orig / iam_dest (the IAM's numbers as TNs; NULL: keep
 * them). CLID_ERR_CLI_TOKEN_NOT_RECONSTRUCTIBLE when the PASSporT could not
 * be rebuilt bit for bit from the token (non-canonical JSON, extra claims or
 * header members, a non-UUID origid, ...): re-sign it (clid_cli_token_resign). */
CLID_API CLID_WUR clid_err clid_cli_token_from_passport(const char *jws, size_t jws_len,
                                                        const char *iam_orig,
                                                        const char *iam_dest, uint8_t *out,
                                                        size_t cap, size_t *out_len);
/* The PASSporT rebuilt from a token (strict DER; a version clid does not
 * know: CLID_ERR_CLI_TOKEN_PARSE), as an Identity header value
 * "<jws>;info=<x5u>;alg=ES256;ppt=shaken" (text buffer contract). */
CLID_API CLID_WUR clid_err clid_cli_token_to_identity(const uint8_t *tok, size_t tok_len,
                                                      const char *iam_orig,
                                                      const char *iam_dest, char *out,
                                                      size_t cap, size_t *out_len);
/* Q.3063's signing gateway: signs the claims of `jws` (orig, dest, attest,
 * origid, iat) anew with the SSGW's signer (a Q.3063-profile certificate,
 * SignallingEntity role international gateway) and gives the token of that
 * PASSporT. */
CLID_API CLID_WUR clid_err clid_cli_token_resign(const clid_signer *ssgw, const char *jws,
                                                 size_t jws_len, const char *iam_orig,
                                                 const char *iam_dest, uint8_t *out,
                                                 size_t cap, size_t *out_len);

/* ------------------------------------------------------------------------ */
/* SIP-I signing, verification and interworking                              */
/* ------------------------------------------------------------------------ */

typedef struct clid_sipi_opts {
    const char *country_code;  /* for national numbers in the IAM; NULL: "1" */
    unsigned apm_context;      /* 0: CLID_ISUP_APM_CONTEXT_DEFAULT */
    const clid_signer *ssgw;   /* clid_sipi_sign: re-signs PASSporTs that are not
                                  reconstructible; NULL: refuse them */
    clid_sip_verify_opts verify; /* clid_sipi_verify: as clid_sip_verify */
} clid_sipi_opts;

/* Signs a SIP-I request: the Identity header (clid_sip_sign) and the same
 * PASSporT as a token in the IAM's APM. Errors of clid_sip_sign, of the
 * IAM codec, CLID_ERR_ISUP_ABSENT. */
CLID_API CLID_WUR clid_err clid_sipi_sign(const clid_signer *s, const clid_sip_sign_opts *so,
                                          const clid_sipi_opts *o, const char *msg, size_t len,
                                          char *out, size_t cap, size_t *out_len);
/* Verifies a SIP-I request: its Identity header(s) or, when it has none, the
 * token in the IAM (rebuilt, then the same pipeline); then the consistency
 * check (clid profile, docs/q3063-profile.md): the IAM's Calling Party
 * Number as a TN must equal the verified orig (CLID_ERR_ISUP_CALLING_MISMATCH)
 * and its Called Party Number the request's callee
 * (CLID_ERR_ISUP_CALLED_MISMATCH). A presentation-restricted calling number
 * is a warning (CLID_ERR_ISUP_PRESENTATION_RESTRICTED), never a failure. */
CLID_API CLID_WUR clid_err clid_sipi_verify(clid_verifier *v, const clid_sipi_opts *o,
                                            const char *msg, size_t len, clid_result *res);
/* TDM->SIP: the request with an Identity header rebuilt from the IAM's
 * token added (text buffer contract). CLID_ERR_ISUP_PARAM_ABSENT when the
 * IAM carries no token. */
CLID_API CLID_WUR clid_err clid_sipi_token_to_identity(const clid_sipi_opts *o, const char *msg,
                                                       size_t len, char *out, size_t cap,
                                                       size_t *out_len);

#ifdef __cplusplus
}
#endif
#endif /* CLID_ISUP_H */
