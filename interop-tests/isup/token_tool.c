/*
 * A test helper for the CLI token interop test (token-secsipidx.sh), on the
 * public API only (clid_isup.h). Not the product's `clid` tool.
 *
 *   token_tool from JWS [IAM_ORIG IAM_DEST]      -> token as hex
 *   token_tool identity HEX [IAM_ORIG IAM_DEST]  -> the rebuilt Identity value
 *   token_tool resign KEY CERT X5U JWS           -> token (signed anew) as hex
 *   token_tool tamper HEX                        -> the token with the last
 *                                                   signature byte flipped
 * "-" for an IAM number: none. On failure: the error name, exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clid/clid.h>
#include <clid/clid_isup.h>

static int fail(clid_err e)
{
    printf("%s\n", clid_err_name(e));
    return 2;
}

static const char *num(int argc, char **argv, int i)
{
    return i < argc && strcmp(argv[i], "-") != 0 ? argv[i] : NULL;
}

static void print_hex(const uint8_t *b, size_t n)
{
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    printf("\n");
}

static int from_hex(const char *s, uint8_t *out, size_t cap, size_t *len)
{
    size_t n = strlen(s);
    if (n % 2 != 0 || n / 2 > cap)
        return 0;
    for (size_t i = 0; i < n / 2; i++) {
        unsigned v = 0;
        if (sscanf(s + 2 * i, "%2x", &v) != 1)
            return 0;
        out[i] = (uint8_t)v;
    }
    *len = n / 2;
    return 1;
}

int main(int argc, char **argv)
{
    uint8_t tok[CLID_CLI_TOKEN_MAX];
    size_t len = 0;
    if (argc >= 3 && strcmp(argv[1], "from") == 0) {
        clid_err e = clid_cli_token_from_passport(argv[2], strlen(argv[2]), num(argc, argv, 3),
                                                  num(argc, argv, 4), tok, sizeof tok, &len);
        if (e != CLID_OK)
            return fail(e);
        print_hex(tok, len);
        return 0;
    }
    if (argc >= 3 && strcmp(argv[1], "identity") == 0) {
        if (!from_hex(argv[2], tok, sizeof tok, &len))
            return fail(CLID_ERR_INVALID_ARGUMENT);
        char out[CLID_IDENTITY_MAX_LEN];
        size_t n = 0;
        clid_err e = clid_cli_token_to_identity(tok, len, num(argc, argv, 3), num(argc, argv, 4),
                                                out, sizeof out, &n);
        if (e != CLID_OK)
            return fail(e);
        printf("%s\n", out);
        return 0;
    }
    if (argc == 3 && strcmp(argv[1], "tamper") == 0) {
        if (!from_hex(argv[2], tok, sizeof tok, &len))
            return fail(CLID_ERR_INVALID_ARGUMENT);
        for (size_t i = 4; i + 66 <= len; i++)
            if (tok[i] == 0x04 && tok[i + 1] == 0x40) {
                tok[i + 65] ^= 0x01;
                print_hex(tok, len);
                return 0;
            }
        return fail(CLID_ERR_CLI_TOKEN_PARSE);
    }
    if (argc == 6 && strcmp(argv[1], "resign") == 0) {
        clid_signer *s = NULL;
        clid_err e = clid_signer_new(&s);
        if (e == CLID_OK)
            e = clid_signer_set_key_file(s, argv[2]);
        if (e == CLID_OK)
            e = clid_signer_set_cert_file(s, argv[3]);
        if (e == CLID_OK)
            e = clid_signer_set_x5u(s, argv[4]);
        if (e == CLID_OK)
            e = clid_cli_token_resign(s, argv[5], strlen(argv[5]), NULL, NULL, tok, sizeof tok,
                                      &len);
        clid_signer_free(s);
        if (e != CLID_OK)
            return fail(e);
        print_hex(tok, len);
        return 0;
    }
    fprintf(stderr, "usage: token_tool from|identity|resign|tamper ...\n");
    return 64;
}
