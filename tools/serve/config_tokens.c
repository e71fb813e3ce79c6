/*
 * Bearer tokens of the signing endpoint (RFC 6750 §2.1 "Authorization:
 * Bearer TOKEN"). Only SHA-256 digests are kept; a presented token is
 * hashed and compared with every digest with CRYPTO_memcmp, without
 * stopping at a match, so the time taken tells nothing about which token,
 * how much of it, or its length matched.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include "serve/config.h"
#include "util.h"

#define MIN_TOKEN 16
#define MAX_TOKEN 512
#define MAX_TOKENS 1024

int serve_tokens_load(const char *file, serve_tokens *out, char *err, size_t cap)
{
    memset(out, 0, sizeof *out);
    uint8_t *buf;
    size_t len;
    if (tool_read_file(file, TOOL_MAX_FILE, &buf, &len) != TOOL_EXIT_OK) {
        snprintf(err, cap, "%s: cannot be read", file);
        return -1;
    }
    int rc = 0;
    size_t line = 0;
    out->h = calloc(MAX_TOKENS, sizeof *out->h);
    if (out->h == NULL) {
        snprintf(err, cap, "out of memory");
        rc = -1;
    }
    for (size_t i = 0; rc == 0 && i < len;) {
        size_t e = i;
        while (e < len && buf[e] != '\n')
            e++;
        line++;
        size_t a = i, b = e;
        while (a < b && (buf[a] == ' ' || buf[a] == '\t'))
            a++;
        while (b > a && (buf[b - 1] == ' ' || buf[b - 1] == '\t' || buf[b - 1] == '\r'))
            b--;
        i = e + 1;
        if (a == b || buf[a] == '#')
            continue;
        for (size_t k = a; k < b; k++)
            if (buf[k] <= 0x20 || buf[k] >= 0x7f) {
                snprintf(err, cap, "%s: line %zu: a token is visible ASCII without spaces", file,
                         line);
                rc = -1;
                break;
            }
        if (rc == 0 && (b - a < MIN_TOKEN || b - a > MAX_TOKEN)) {
            snprintf(err, cap, "%s: line %zu: a token has %d to %d characters", file, line,
                     MIN_TOKEN, MAX_TOKEN);
            rc = -1;
        }
        if (rc == 0 && out->n == MAX_TOKENS) {
            snprintf(err, cap, "%s: more than %d tokens", file, MAX_TOKENS);
            rc = -1;
        }
        if (rc == 0)
            SHA256(buf + a, b - a, out->h[out->n++]);
    }
    if (rc == 0 && out->n == 0) {
        snprintf(err, cap, "%s: no token", file);
        rc = -1;
    }
    OPENSSL_cleanse(buf, len);
    free(buf);
    if (rc != 0)
        serve_tokens_free(out);
    return rc;
}

int serve_tokens_check(const serve_tokens *t, const char *authorization)
{
    if (t == NULL || t->n == 0 || authorization == NULL)
        return 0;
    /* The auth-scheme is case-insensitive (RFC 9110 §11.1). */
    if (strncasecmp(authorization, "Bearer ", 7) != 0)
        return 0;
    const char *tok = authorization + 7;
    while (*tok == ' ')
        tok++;
    size_t len = strnlen(tok, MAX_TOKEN + 1);
    while (len > 0 && (tok[len - 1] == ' ' || tok[len - 1] == '\t'))
        len--;
    if (len == 0 || len > MAX_TOKEN)
        return 0;
    unsigned char h[32];
    SHA256((const unsigned char *)tok, len, h);
    int match = 0;
    for (size_t i = 0; i < t->n; i++)
        match |= CRYPTO_memcmp(h, t->h[i], sizeof h) == 0;
    OPENSSL_cleanse(h, sizeof h);
    return match;
}

void serve_tokens_free(serve_tokens *t)
{
    if (t->h != NULL)
        OPENSSL_cleanse(t->h, t->n * sizeof *t->h);
    free(t->h);
    t->h = NULL;
    t->n = 0;
}
