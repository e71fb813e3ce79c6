/*
 * Fuzz target: JWTClaimConstraints (RFC 8226 §8) and
 * EnhancedJWTClaimConstraints (RFC 9118 §4). Every input is decoded as both
 * kinds. Accepted values must re-encode byte for byte, and since RFC 9118's
 * type only adds an optional field, the two kinds must agree on any value
 * without mustExclude.
 */
#include <string.h>

#include <clid/clid.h>

#include "fuzz_common.h"

static void check_value(const clid_jwtcc *c, const uint8_t *data, size_t size)
{
    size_t need = 0, got = 0;
    FUZZ_CHECK(clid_jwtcc_encode(c, NULL, 0, &need) == CLID_OK);
    FUZZ_CHECK(need == size);
    uint8_t *buf = malloc(need);
    FUZZ_CHECK(buf != NULL);
    FUZZ_CHECK(clid_jwtcc_encode(c, buf, need, &got) == CLID_OK);
    FUZZ_CHECK(got == size && memcmp(buf, data, size) == 0);
    free(buf);

    /* Every borrowed string is a bounded C string. */
    for (size_t i = 0; i < clid_jwtcc_must_include_count(c); i++)
        FUZZ_CHECK(strlen(clid_jwtcc_must_include(c, i)) <= CLID_CLAIM_NAME_MAX_LEN);
    for (size_t i = 0; i < clid_jwtcc_must_exclude_count(c); i++)
        FUZZ_CHECK(strlen(clid_jwtcc_must_exclude(c, i)) <= CLID_CLAIM_NAME_MAX_LEN);
    for (size_t i = 0; i < clid_jwtcc_permitted_count(c); i++) {
        FUZZ_CHECK(strlen(clid_jwtcc_permitted_claim(c, i)) <= CLID_CLAIM_NAME_MAX_LEN);
        FUZZ_CHECK(clid_jwtcc_permitted_value_count(c, i) >= 1);
        for (size_t j = 0; j < clid_jwtcc_permitted_value_count(c, i); j++)
            FUZZ_CHECK(strlen(clid_jwtcc_permitted_value(c, i, j)) <= CLID_CLAIM_VALUE_MAX_LEN);
    }

    clid_jwtcc *d = NULL;
    FUZZ_CHECK(clid_jwtcc_dup(c, &d) == CLID_OK);
    FUZZ_CHECK(clid_jwtcc_equal(c, d));
    clid_jwtcc_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clid_jwtcc *a = NULL, *b = NULL;
    clid_err ra = clid_jwtcc_decode(CLID_JWTCC_RFC8226, data, size, &a);
    clid_err rb = clid_jwtcc_decode(CLID_JWTCC_RFC9118, data, size, &b);
    FUZZ_CHECK((ra == CLID_OK) == (a != NULL));
    FUZZ_CHECK((rb == CLID_OK) == (b != NULL));
    if (a) {
        FUZZ_CHECK(clid_jwtcc_get_kind(a) == CLID_JWTCC_RFC8226);
        FUZZ_CHECK(clid_jwtcc_must_exclude_count(a) == 0);
        check_value(a, data, size);
        /* An RFC 8226 value is an RFC 9118 value. */
        FUZZ_CHECK(b != NULL);
    }
    if (b) {
        FUZZ_CHECK(clid_jwtcc_get_kind(b) == CLID_JWTCC_RFC9118);
        check_value(b, data, size);
        /* ... and without mustExclude, the converse holds. */
        FUZZ_CHECK((a != NULL) == (clid_jwtcc_must_exclude_count(b) == 0));
    }
    if (a && b) {
        FUZZ_CHECK(clid_jwtcc_must_include_count(a) == clid_jwtcc_must_include_count(b));
        FUZZ_CHECK(clid_jwtcc_permitted_count(a) == clid_jwtcc_permitted_count(b));
    }
    clid_jwtcc_free(a);
    clid_jwtcc_free(b);
    return 0;
}
