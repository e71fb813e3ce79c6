/*
 * libFuzzer target: an Identity header value (RFC 8224 §4.1) as received,
 * then its PASSporT (RFC 8225). Both parsers see untrusted bytes from the
 * network, so beyond "no crash, no leak, no UB" (the sanitizers) the target
 * checks what the parsers promise:
 *   - slices of a parsed value lie inside the input;
 *   - a parsed value re-formatted by clid parses back to the same digest
 *     and info (when it is formattable at all);
 *   - a parsed PASSporT holds canonical TNs and a 64-byte signature, and
 *     its signing input is a prefix of the JWS.
 * Input that is not an Identity value is also tried as a bare JWS, so the
 * PASSporT parser gets the whole input space too. And since mutations rarely
 * survive base64url, input with a LF (which no Identity value may contain)
 * is also read as "<header JSON>\n<claims JSON>": both are encoded and
 * parsed as a PASSporT with a 64-byte signature, so the fuzzer works on
 * the member checks directly.
 * Corpus: fuzz/corpus/identity/ (json_* seeds use the LF form; div and
 * div-o PASSporTs among them, RFC 8946).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/b64url.h"
#include "passport/identity.h"
#include "core/internal.h"
#include "passport/passport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                               \
    do {                                                                                          \
        if (!(cond))                                                                              \
            abort();                                                                              \
    } while (0)

static void check_slice(const clid__slice *s, const char *base, size_t size)
{
    if (s->ptr == NULL) {
        CHECK(s->len == 0);
        return;
    }
    CHECK(s->ptr >= base && s->len <= size && (size_t)(s->ptr - base) <= size - s->len);
}

static void check_passport(const char *jws, size_t len, const clid__passport *p)
{
    CHECK(p->sig_len == 64);
    if (p->compact) {
        CHECK(p->signing_input == NULL && p->claims == NULL);
        return;
    }
    CHECK(p->signing_input != NULL && p->signing_input_len < len);
    CHECK(memcmp(p->signing_input, jws, p->signing_input_len) == 0);
    CHECK(strcmp(p->alg, "ES256") == 0 && p->x5u != NULL);
    CHECK(p->orig[0] != '\0' || p->orig_uri != NULL);
    if (p->orig[0] != '\0')
        CHECK(clid__is_tn(p->orig, strlen(p->orig)));
    CHECK(p->dest_count + p->dest_uri_count >= 1);
    CHECK(p->dest_count + p->dest_uri_count <= CLID_PASSPORT_MAX_DEST);
    for (size_t i = 0; i < p->dest_count; i++)
        CHECK(clid__is_tn(p->dest[i], strlen(p->dest[i])));
    CHECK(p->iat >= 0);
    CHECK(p->attest == 0 || (p->attest >= 'A' && p->attest <= 'C'));
    /* A UUID, or (flagged for the verifier's policy) another printable
     * identifier of at most CLID_ORIGID_MAX bytes. */
    size_t olen = strlen(p->origid);
    CHECK(olen <= CLID_ORIGID_MAX);
    CHECK(p->origid_not_uuid == (olen != 0 && !clid__is_uuid(p->origid)));
    for (size_t i = 0; i < olen; i++)
        CHECK(p->origid[i] >= 0x20 && p->origid[i] <= 0x7E);
    /* RFC 8946: a div or div-o names a diverting TN; a div-o's opt is a
     * full-form JWS of base64url parts, and only a div-o has one. */
    int div_o = strcmp(p->ppt, "div-o") == 0;
    if (div_o || strcmp(p->ppt, "div") == 0)
        CHECK(clid__is_tn(p->div, strlen(p->div)));
    CHECK((p->opt != NULL) == div_o);
    if (p->opt != NULL) {
        size_t dots = 0, n = strlen(p->opt);
        CHECK(n <= CLID_PASSPORT_MAX_LEN && n > 0 && p->opt[0] != '.' && p->opt[n - 1] != '.');
        for (size_t i = 0; i < n; i++)
            dots += p->opt[i] == '.';
        CHECK(dots == 2 && strstr(p->opt, "..") == NULL);
    }
}

static void parse_jws(const char *jws, size_t len)
{
    clid__passport p;
    clid__passport_init(&p);
    if (clid__passport_parse(jws, len, &p) == CLID_OK)
        check_passport(jws, len, &p);
    clid__passport_clear(&p);
}

/* Formats the parsed value again (as a signer would with these parts) and
 * parses the result: the digest and info must survive unchanged. */
static void reformat(const clid__identity *id)
{
    char *info = clid__strndup(id->info.ptr, id->info.len);
    char *ppt = id->ppt.ptr != NULL ? clid__strndup(id->ppt.ptr, id->ppt.len) : NULL;
    CHECK(info != NULL && (id->ppt.ptr == NULL || ppt != NULL));
    size_t need = 0;
    clid_err rc = clid__identity_format(id->jws.ptr, id->jws.len, info,
                                        ppt != NULL ? ppt : "shaken", NULL, 0, &need);
    if (rc == CLID_ERR_BUFFER_TOO_SMALL) {
        char *out = malloc(need);
        CHECK(out != NULL);
        size_t len = 0;
        CHECK(clid__identity_format(id->jws.ptr, id->jws.len, info, ppt != NULL ? ppt : "shaken",
                                    out, need, &len) == CLID_OK);
        CHECK(len + 1 == need && out[len] == '\0');
        clid__identity again;
        CHECK(clid__identity_parse(out, len, &again) == CLID_OK);
        CHECK(again.jws.len == id->jws.len && memcmp(again.jws.ptr, id->jws.ptr, id->jws.len) == 0);
        CHECK(again.info.len == id->info.len &&
              memcmp(again.info.ptr, id->info.ptr, id->info.len) == 0);
        free(out);
    } else {
        /* only values clid would never write: an info URI with characters
         * the parser tolerates bare but the formatter refuses, or a size
         * past the limit once brackets and parameters are added */
        CHECK(rc == CLID_ERR_HEADER_INJECTION || rc == CLID_ERR_IDENTITY_TOO_LARGE);
    }
    free(ppt);
    free(info);
}

/* "<header JSON>\n<claims JSON>" -> "b64(h).b64(c).b64(64 bytes)" */
static void parse_json_pair(const char *in, size_t size)
{
    const char *lf = memchr(in, '\n', size);
    if (lf == NULL || size > CLID_PASSPORT_MAX_LEN)
        return;
    size_t hl = (size_t)(lf - in), cl = size - hl - 1;
    size_t eh = clid__b64url_encoded_len(hl), ec = clid__b64url_encoded_len(cl);
    size_t es = clid__b64url_encoded_len(64);
    char *jws = malloc(eh + ec + es + 2);
    CHECK(jws != NULL);
    static const uint8_t sig[64] = {1};
    clid__b64url_encode((const uint8_t *)in, hl, jws);
    jws[eh] = '.';
    clid__b64url_encode((const uint8_t *)lf + 1, cl, jws + eh + 1);
    jws[eh + 1 + ec] = '.';
    clid__b64url_encode(sig, sizeof sig, jws + eh + ec + 2);
    parse_jws(jws, eh + ec + es + 2);
    free(jws);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    clid__identity id;
    clid_err rc = clid__identity_parse(in, size, &id);
    if (rc == CLID_OK) {
        check_slice(&id.jws, in, size);
        check_slice(&id.info, in, size);
        check_slice(&id.alg, in, size);
        check_slice(&id.ppt, in, size);
        CHECK(id.jws.len > 0 && id.info.len > 0);
        reformat(&id);
        parse_jws(id.jws.ptr, id.jws.len);
    } else {
        CHECK(id.jws.ptr == NULL && id.info.ptr == NULL);
        parse_jws(in, size);
        parse_json_pair(in, size);
    }
    return 0;
}
