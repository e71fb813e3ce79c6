/*
 * Fuzz target: the CLI token (clid_isup.h, asn1/CLID-CLI-Token-2026.asn).
 * The first byte picks the entry point, the rest is its input:
 *   even: a token -> clid_cli_token_to_identity; a token that carries its
 *         own numbers rebuilds a PASSporT whose token is the input byte for
 *         byte (strict DER, lossless); with the IAM's numbers it rebuilds
 *         too or is refused as CLID_ERR_CLI_TOKEN_PARSE.
 *   odd:  a JWS -> clid_cli_token_from_passport; an accepted PASSporT is
 *         rebuilt from its token byte for byte.
 */
#include <string.h>

#include <clid/clid.h>
#include <clid/clid_isup.h>

#include "fuzz_common.h"

#define IAM_ORIG "12025550100"
#define IAM_DEST "13035550199"

/* The JWS part of an Identity value. */
static size_t jws_len(const char *id)
{
    const char *semi = strchr(id, ';');
    FUZZ_CHECK(semi != NULL);
    return (size_t)(semi - id);
}

static void token_input(const uint8_t *data, size_t size)
{
    char id[CLID_IDENTITY_MAX_LEN];
    size_t n = 0;
    clid_err rc = clid_cli_token_to_identity(data, size, NULL, NULL, id, sizeof id, &n);
    if (rc == CLID_OK) {
        FUZZ_CHECK(strlen(id) == n);
        uint8_t tok[CLID_CLI_TOKEN_MAX];
        size_t len = 0;
        FUZZ_CHECK(clid_cli_token_from_passport(id, jws_len(id), NULL, NULL, tok, sizeof tok,
                                                &len) == CLID_OK);
        FUZZ_CHECK(len == size && memcmp(tok, data, size) == 0);
    } else {
        FUZZ_CHECK(rc == CLID_ERR_CLI_TOKEN_PARSE || rc == CLID_ERR_BUFFER_TOO_SMALL);
    }
    rc = clid_cli_token_to_identity(data, size, IAM_ORIG, IAM_DEST, id, sizeof id, &n);
    if (rc == CLID_OK) {
        uint8_t tok[CLID_CLI_TOKEN_MAX];
        size_t len = 0;
        FUZZ_CHECK(clid_cli_token_from_passport(id, jws_len(id), IAM_ORIG, IAM_DEST, tok,
                                                sizeof tok, &len) == CLID_OK);
        FUZZ_CHECK(len <= size);
    } else {
        FUZZ_CHECK(rc == CLID_ERR_CLI_TOKEN_PARSE || rc == CLID_ERR_BUFFER_TOO_SMALL);
    }
}

static void jws_input(const uint8_t *data, size_t size)
{
    const char *jws = (const char *)data;
    uint8_t tok[CLID_CLI_TOKEN_MAX];
    size_t len = 0;
    if (clid_cli_token_from_passport(jws, size, IAM_ORIG, IAM_DEST, tok, sizeof tok, &len) !=
        CLID_OK)
        return;
    FUZZ_CHECK(len > 0 && len <= CLID_CLI_TOKEN_MAX);
    char id[CLID_IDENTITY_MAX_LEN];
    size_t n = 0;
    clid_err rc = clid_cli_token_to_identity(tok, len, IAM_ORIG, IAM_DEST, id, sizeof id, &n);
    /* An x5u a SIP header cannot carry ('<', '>') makes no Identity. */
    if (rc == CLID_ERR_CLI_TOKEN_PARSE)
        return;
    FUZZ_CHECK(rc == CLID_OK);
    FUZZ_CHECK(jws_len(id) == size && memcmp(id, jws, size) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if ((data[0] & 1) == 0)
        token_input(data + 1, size - 1);
    else
        jws_input(data + 1, size - 1);
    return 0;
}
