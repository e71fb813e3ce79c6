/*
 * Fuzz target: SignallingEntity (clid's Q.3063 profile,
 * asn1/CLID-Q3063-Profile-2026.asn). Accepted values must re-encode byte for
 * byte (extension additions aside) and hold only values the setters would have accepted.
 */
#include <string.h>

#include <clid/clid.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    clid_entity *e = NULL;
    if (clid_entity_decode(data, size, &e) != CLID_OK) {
        FUZZ_CHECK(e == NULL);
        return 0;
    }
    FUZZ_CHECK(e != NULL);

    /* Byte for byte, but for X.680 extension additions after the known
     * fields (read past, lib/src/asn1/der_struct.h): then the re-encoding is
     * shorter and is itself the strict DER of the same value. */
    size_t need = 0, got = 0;
    FUZZ_CHECK(clid_entity_encode(e, NULL, 0, &need) == CLID_OK);
    FUZZ_CHECK(need <= size);
    uint8_t *buf = malloc(need);
    FUZZ_CHECK(buf != NULL);
    FUZZ_CHECK(clid_entity_encode(e, buf, need, &got) == CLID_OK);
    FUZZ_CHECK(got == need);
    if (need == size) {
        FUZZ_CHECK(memcmp(buf, data, size) == 0);
    } else {
        clid_entity *k = NULL;
        FUZZ_CHECK(clid_entity_decode(buf, need, &k) == CLID_OK);
        FUZZ_CHECK(clid_entity_equal(e, k));
        uint8_t *again = malloc(need);
        FUZZ_CHECK(again != NULL);
        FUZZ_CHECK(clid_entity_encode(k, again, need, &got) == CLID_OK);
        FUZZ_CHECK(got == need && memcmp(again, buf, need) == 0);
        free(again);
        clid_entity_free(k);
    }
    free(buf);

    FUZZ_CHECK(strcmp(clid_entity_role_name(clid_entity_get_role(e)), "unknown") != 0);
    FUZZ_CHECK(clid_entity_country_count(e) <= CLID_ENTITY_MAX_LIST);
    for (size_t i = 0; i < clid_entity_country_count(e); i++) {
        size_t n = strlen(clid_entity_country(e, i));
        FUZZ_CHECK(n >= 1 && n <= 3);
    }
    if (clid_entity_carrier(e))
        FUZZ_CHECK(strlen(clid_entity_carrier(e)) <= 6);
    for (size_t i = 0; i < clid_entity_plmn_count(e); i++) {
        FUZZ_CHECK(strlen(clid_entity_plmn_mcc(e, i)) == 3);
        size_t n = strlen(clid_entity_plmn_mnc(e, i));
        FUZZ_CHECK(n == 2 || n == 3);
    }
    for (size_t i = 0; i < clid_entity_ispc_count(e); i++) {
        char text[16];
        unsigned back = 0;
        FUZZ_CHECK(clid_ispc_format(clid_entity_ispc(e, i), text, sizeof text) == CLID_OK);
        FUZZ_CHECK(clid_ispc_parse(text, &back) == CLID_OK);
        FUZZ_CHECK(back == clid_entity_ispc(e, i));
    }
    if (clid_entity_operator_name(e))
        FUZZ_CHECK(strlen(clid_entity_operator_name(e)) <= CLID_ENTITY_OPERATOR_MAX_LEN);

    clid_entity *d = NULL;
    FUZZ_CHECK(clid_entity_dup(e, &d) == CLID_OK);
    FUZZ_CHECK(clid_entity_equal(e, d));
    clid_entity_free(d);
    clid_entity_free(e);
    return 0;
}
