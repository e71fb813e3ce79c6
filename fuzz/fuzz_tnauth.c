/*
 * Fuzz target: TNAuthList DER (RFC 8226 §9), the value a verifier reads out
 * of every signer certificate. Whatever the strict decoder accepts must be
 * the one DER encoding of its value (re-encodes byte for byte, extension
 * additions aside), and the
 * authority checks must hold trivially on the value itself.
 */
#include <inttypes.h>
#include <string.h>

#include <clid/clid.h>

#include "fuzz_common.h"

/* Every entry of `l` must be covered by `l` itself. */
static void check_self_cover(const clid_tnauth *l)
{
    for (size_t i = 0; i < clid_tnauth_count(l); i++) {
        clid_tnauth_entry e;
        FUZZ_CHECK(clid_tnauth_get(l, i, &e) == CLID_OK);
        FUZZ_CHECK(e.value != NULL);
        size_t len = strlen(e.value);
        switch (e.kind) {
        case CLID_TNAUTH_SPC:
            FUZZ_CHECK(len >= 1 && len <= CLID_SPC_MAX_LEN && e.count == 0);
            FUZZ_CHECK(clid_tnauth_covers_tn(l, "1", 1));
            break;
        case CLID_TNAUTH_TN:
            FUZZ_CHECK(len >= 1 && len <= CLID_TN_MAX_DIGITS && e.count == 0);
            FUZZ_CHECK(clid_tnauth_covers_tn(l, e.value, 0));
            break;
        case CLID_TNAUTH_RANGE: {
            FUZZ_CHECK(len >= 1 && len <= CLID_TN_MAX_DIGITS && e.count >= 2);
            FUZZ_CHECK(clid_tnauth_covers_tn(l, e.value, 0));
            /* The last number keeps the start's length (clid_ext.h). */
            uint64_t last = strtoull(e.value, NULL, 10) + e.count - 1;
            char buf[32];
            int n = snprintf(buf, sizeof buf, "%0*" PRIu64, (int)len, last);
            FUZZ_CHECK(n == (int)len);
            FUZZ_CHECK(clid_tnauth_covers_tn(l, buf, 0));
            break;
        }
        default:
            FUZZ_CHECK(0);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clid_tnauth *l = NULL;
    if (clid_tnauth_decode(data, size, &l) != CLID_OK) {
        FUZZ_CHECK(l == NULL);
        return 0;
    }
    FUZZ_CHECK(l != NULL && clid_tnauth_count(l) >= 1);

    /* The input re-encodes byte for byte, but for X.680 extension additions
     * it may carry after a range's count (read past, lib/src/asn1/
     * der_struct.h): then the re-encoding is shorter and is itself the
     * strict DER of the same value. */
    size_t need = 0, got = 0;
    FUZZ_CHECK(clid_tnauth_encode(l, NULL, 0, &need) == CLID_OK);
    FUZZ_CHECK(need <= size);
    uint8_t *buf = malloc(need);
    FUZZ_CHECK(buf != NULL);
    FUZZ_CHECK(clid_tnauth_encode(l, buf, need, &got) == CLID_OK);
    FUZZ_CHECK(got == need);
    if (need == size) {
        FUZZ_CHECK(memcmp(buf, data, size) == 0);
    } else {
        clid_tnauth *k = NULL;
        FUZZ_CHECK(clid_tnauth_decode(buf, need, &k) == CLID_OK);
        FUZZ_CHECK(clid_tnauth_equal(l, k));
        uint8_t *again = malloc(need);
        FUZZ_CHECK(again != NULL);
        FUZZ_CHECK(clid_tnauth_encode(k, again, need, &got) == CLID_OK);
        FUZZ_CHECK(got == need && memcmp(again, buf, need) == 0);
        free(again);
        clid_tnauth_free(k);
    }
    free(buf);

    clid_tnauth *d = NULL;
    FUZZ_CHECK(clid_tnauth_dup(l, &d) == CLID_OK);
    FUZZ_CHECK(clid_tnauth_equal(l, d));
    /* RFC 9060 §4: a list always encompasses itself. */
    FUZZ_CHECK(clid_tnauth_encompasses(l, d, 0));
    clid_tnauth_free(d);
    check_self_cover(l);
    clid_tnauth_free(l);
    return 0;
}
