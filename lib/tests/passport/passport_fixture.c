/*
 * What the PASSporT tests (test_passport*.c) share: see passport_fixture.h.
 */
#include "support/stir_core_test.h"

#include "core/b64url.h"
#include "passport_fixture.h"

char *b64(const void *data, size_t len)
{
    char *s = malloc(clid__b64url_encoded_len(len) + 1);
    assert_non_null(s);
    s[clid__b64url_encode(data, len, s)] = '\0';
    return s;
}

char *make_jws_sig(const char *header, const char *claims, const uint8_t *sig, size_t sig_len)
{
    char *h = b64(header, strlen(header));
    char *c = b64(claims, strlen(claims));
    char *s = b64(sig, sig_len);
    char *jws = sc_fmt("%s.%s.%s", h, c, s);
    free(h);
    free(c);
    free(s);
    return jws;
}

clid_err parse(const char *jws, clid__passport *p)
{
    size_t n = strlen(jws);
    char *exact = sc_exact(jws, n);
    clid_err rc = clid__passport_parse(exact, n, p);
    free(exact);
    return rc;
}
