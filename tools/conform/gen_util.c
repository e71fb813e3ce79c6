/* Small helpers of the generator: derivation from the seed, paths. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/evp.h>

#include "conform/gen.h"

void gen_derive(const char *seed, const char *label, uint8_t out[32])
{
    unsigned int n = 0;
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (c == NULL || EVP_DigestInit_ex(c, EVP_sha256(), NULL) != 1 ||
        EVP_DigestUpdate(c, seed, strlen(seed) + 1) != 1 ||
        EVP_DigestUpdate(c, label, strlen(label)) != 1 || EVP_DigestFinal_ex(c, out, &n) != 1)
        memset(out, 0, 32); /* only on allocation failure; still deterministic */
    EVP_MD_CTX_free(c);
}

/* RFC 9562 §5.4 layout (version 4, variant 10), the bits from the seed. */
void gen_uuid(const char *seed, const char *label, char out[37])
{
    uint8_t b[32];
    char l[300];
    snprintf(l, sizeof l, "origid:%s", label);
    gen_derive(seed, l, b);
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37,
             "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", b[0], b[1],
             b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12], b[13], b[14],
             b[15]);
}

int gen_path(const gen_ctx *g, char buf[GEN_PATH], const char *fmt, ...)
{
    int n = snprintf(buf, GEN_PATH, "%s/", g->dir);
    if (n < 0 || n >= GEN_PATH)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(buf + n, GEN_PATH - (size_t)n, fmt, ap);
    va_end(ap);
    return m < 0 || m >= GEN_PATH - n ? -1 : 0;
}

int gen_mkdirs(const char *path, int self)
{
    char p[GEN_PATH];
    if (strlen(path) >= sizeof p)
        return -1;
    strcpy(p, path);
    if (!self) {
        char *slash = strrchr(p, '/');
        if (slash == NULL)
            return 0;
        *slash = '\0';
    }
    for (char *s = p + 1;; s++) {
        if (*s == '/' || *s == '\0') {
            char c = *s;
            *s = '\0';
            if (mkdir(p, 0755) != 0 && errno != EEXIST)
                return -1;
            *s = c;
            if (c == '\0')
                break;
        }
    }
    return 0;
}
