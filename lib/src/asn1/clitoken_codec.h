/*
 * The CLI token's values and their strict DER codec (asn1_clitoken.c, the
 * only code that sees the generated CliToken types). The token is clid's
 * Q.3063-profile re-encoding of a SHAKEN PASSporT (asn1/CLID-CLI-Token-2026.asn,
 * docs/q3063-profile.md "CLI token"); isup/cli_token.c turns PASSporTs into
 * these values and back.
 */
#ifndef CLID_CLITOKEN_CODEC_H
#define CLID_CLITOKEN_CODEC_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>

#define CLID__CLI_TOKEN_SIG_LEN 64
#define CLID__CLI_TOKEN_ORIGID_LEN 16
/* ShakenToken.x5u SIZE (1..512): with 16 destinations the largest token
 * stays below CLID_CLI_TOKEN_MAX. */
#define CLID__CLI_TOKEN_X5U_MAX 512
#define CLID__CLI_TOKEN_DEST_MAX 16

/* A version-1 token with a ShakenToken body. */
typedef struct clid__cli_token {
    uint8_t sig[CLID__CLI_TOKEN_SIG_LEN];       /* ES256 R || S */
    char attest;                                /* 'A', 'B' or 'C' */
    int64_t iat;                                /* >= 0 */
    uint8_t origid[CLID__CLI_TOKEN_ORIGID_LEN]; /* the UUID's 128 bits */
    char x5u[CLID__CLI_TOKEN_X5U_MAX + 1];      /* printable ASCII, 1..512 */
    char orig[CLID_TN_BUF];                     /* "" when omitted */
    char dest[CLID__CLI_TOKEN_DEST_MAX][CLID_TN_BUF];
    size_t dest_count;                          /* 0 when omitted */
} clid__cli_token;

/* The DER of `t` into a malloc'd buffer (free() it).
 * CLID_ERR_INVALID_ARGUMENT when a field is outside its ASN.1 type. */
clid_err clid__asn1_clitoken_encode(const clid__cli_token *t, uint8_t **der, size_t *len);
/* Strict DER (deps notes §1.5: complete decode, every byte consumed,
 * re-encodes to the same bytes, constraints and the checks asn1c skips)
 * of a version-1 token; anything else is CLID_ERR_CLI_TOKEN_PARSE. */
clid_err clid__asn1_clitoken_decode(const uint8_t *der, size_t len, clid__cli_token *out);
/* Touches every CliToken descriptor once; asn1_codec.c's prime() calls it
 * under its pthread_once (A5: descriptors mutate on first use). */
void clid__asn1_clitoken_prime(void);

#endif /* CLID_CLITOKEN_CODEC_H */
