/*
 * base64url without padding (RFC 4648 §5; JWS uses it so, RFC 7515 §2 and
 * Appendix C). The decoder is strict: one encoding per byte string, so a
 * received PASSporT cannot be re-encoded into a different but equally
 * accepted text (which would defeat replay detection keyed on the text).
 */
#include "core/b64url.h"

static const char enc_table[64] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/* 0..63 for the alphabet, 0xff for everything else (including '=', '+',
 * '/', whitespace and NUL). */
static const uint8_t dec_table[256] = {
#define X 0xff
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0x00 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0x10 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  62, X,  X,  /* 0x20: '-' */
    52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X,  X,  X,  X,  X,  X,  /* 0x30: 0-9 */
    X,  0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, /* 0x40: A-O */
    15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X,  X,  X,  X,  63, /* 0x50: P-Z '_' */
    X,  26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, /* 0x60: a-o */
    41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X,  X,  X,  X,  X,  /* 0x70: p-z */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  /* 0x80 */
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
    X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,  X,
#undef X
};

size_t clid__b64url_encoded_len(size_t n)
{
    /* 4 characters per 3 bytes; a tail of 1 or 2 bytes takes 2 or 3. */
    return n / 3 * 4 + (n % 3 ? n % 3 + 1 : 0);
}

size_t clid__b64url_encode(const uint8_t *in, size_t n, char *out)
{
    size_t o = 0;
    size_t i = 0;
    for (; i + 3 <= n; i += 3) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
        out[o++] = enc_table[v >> 18];
        out[o++] = enc_table[(v >> 12) & 63];
        out[o++] = enc_table[(v >> 6) & 63];
        out[o++] = enc_table[v & 63];
    }
    if (n - i == 1) {
        uint32_t v = (uint32_t)in[i] << 16;
        out[o++] = enc_table[v >> 18];
        out[o++] = enc_table[(v >> 12) & 63];
    } else if (n - i == 2) {
        uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
        out[o++] = enc_table[v >> 18];
        out[o++] = enc_table[(v >> 12) & 63];
        out[o++] = enc_table[(v >> 6) & 63];
    }
    return o;
}

size_t clid__b64url_decoded_max(size_t n)
{
    /* A 1-character tail carries only 6 bits: no byte (and is invalid). */
    return n / 4 * 3 + (n % 4 > 1 ? n % 4 - 1 : 0);
}

clid_err clid__b64url_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *out_len)
{
    if (out_len != NULL)
        *out_len = 0;
    if (in == NULL && n > 0)
        return CLID_ERR_INVALID_ARGUMENT;
    /* RFC 4648 §5 without padding: a final group of 1 character cannot
     * occur (RFC 7515 Appendix C). */
    if (n % 4 == 1)
        return CLID_ERR_BASE64;
    size_t need = clid__b64url_decoded_max(n);
    if (need > cap || (out == NULL && need > 0))
        return CLID_ERR_BUFFER_TOO_SMALL;

    const unsigned char *s = (const unsigned char *)in;
    size_t o = 0;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        uint8_t a = dec_table[s[i]], b = dec_table[s[i + 1]];
        uint8_t c = dec_table[s[i + 2]], d = dec_table[s[i + 3]];
        if ((a | b | c | d) & 0xc0)
            return CLID_ERR_BASE64;
        uint32_t v = (uint32_t)a << 18 | (uint32_t)b << 12 | (uint32_t)c << 6 | d;
        out[o++] = (uint8_t)(v >> 16);
        out[o++] = (uint8_t)(v >> 8);
        out[o++] = (uint8_t)v;
    }
    size_t tail = n - i;
    if (tail == 2) {
        uint8_t a = dec_table[s[i]], b = dec_table[s[i + 1]];
        /* The 4 low bits of the second character are unused and must be
         * zero (RFC 4648 §3.5): otherwise two texts decode alike. */
        if (((a | b) & 0xc0) || (b & 0x0f))
            return CLID_ERR_BASE64;
        out[o++] = (uint8_t)(a << 2 | b >> 4);
    } else if (tail == 3) {
        uint8_t a = dec_table[s[i]], b = dec_table[s[i + 1]], c = dec_table[s[i + 2]];
        if (((a | b | c) & 0xc0) || (c & 0x03))
            return CLID_ERR_BASE64;
        out[o++] = (uint8_t)(a << 2 | b >> 4);
        out[o++] = (uint8_t)((b & 0x0f) << 4 | c >> 2);
    }
    if (out_len != NULL)
        *out_len = o;
    return CLID_OK;
}
