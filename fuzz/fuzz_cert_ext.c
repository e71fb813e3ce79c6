/*
 * Fuzz target: a whole certificate (d2i_X509), then every clid_x509_get_*
 * on it, as a verifier does with the signer certificate it fetched from
 * x5u. The typed getters must agree with the raw accessor: same presence,
 * duplicate and criticality answers, and an accepted value must re-encode
 * to exactly the extension's bytes (for TNAuthList and SignallingEntity:
 * but for X.680 extension additions, which are read past and leave a
 * shorter re-encoding that is itself the value's strict DER).
 */
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>

#include <clid/clid.h>

#include "fuzz_common.h"

/* Checks a typed getter's result `rc` against the raw extension under `oid`
 * and returns 1 when the value must now be re-encoded and compared. */
static int consistent(const X509 *x, const char *oid, clid_err rc, int critical,
                      const uint8_t **der, size_t *len)
{
    int raw_critical = -1;
    clid_err raw = clid_x509_get_ext_der(x, oid, der, len, &raw_critical);
    if (raw == CLID_ERR_EXT_ABSENT || raw == CLID_ERR_EXT_DUPLICATE) {
        FUZZ_CHECK(rc == raw);
        return 0;
    }
    FUZZ_CHECK(raw == CLID_OK);
    FUZZ_CHECK(rc != CLID_ERR_EXT_ABSENT && rc != CLID_ERR_EXT_DUPLICATE);
    if (rc != CLID_OK)
        return 0;
    FUZZ_CHECK(critical == raw_critical);
    return 1;
}

static void check_bytes(const uint8_t *want, size_t want_len, const uint8_t *got, size_t got_len)
{
    FUZZ_CHECK(got_len == want_len && memcmp(got, want, want_len) == 0);
}

/* The re-encoding `got` of an extensible type's value read from `want`: the
 * same bytes, or (additions read past) fewer that decode to an equal value
 * and re-encode to themselves. */
static void check_known_tnauth(const clid_tnauth *l, const uint8_t *want, size_t want_len,
                               const uint8_t *got, size_t got_len)
{
    if (got_len == want_len) {
        check_bytes(want, want_len, got, got_len);
        return;
    }
    FUZZ_CHECK(got_len < want_len);
    clid_tnauth *k = NULL;
    FUZZ_CHECK(clid_tnauth_decode(got, got_len, &k) == CLID_OK && clid_tnauth_equal(l, k));
    uint8_t again[CLID_EXT_MAX_DER];
    size_t n = 0;
    FUZZ_CHECK(clid_tnauth_encode(k, again, sizeof again, &n) == CLID_OK);
    check_bytes(got, got_len, again, n);
    clid_tnauth_free(k);
}

static void check_known_entity(const clid_entity *e, const uint8_t *want, size_t want_len,
                               const uint8_t *got, size_t got_len)
{
    if (got_len == want_len) {
        check_bytes(want, want_len, got, got_len);
        return;
    }
    FUZZ_CHECK(got_len < want_len);
    clid_entity *k = NULL;
    FUZZ_CHECK(clid_entity_decode(got, got_len, &k) == CLID_OK && clid_entity_equal(e, k));
    uint8_t again[CLID_EXT_MAX_DER];
    size_t n = 0;
    FUZZ_CHECK(clid_entity_encode(k, again, sizeof again, &n) == CLID_OK);
    check_bytes(got, got_len, again, n);
    clid_entity_free(k);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (size_t)CLID_EXT_MAX_DER)
        return 0;
    const unsigned char *p = data;
    X509 *x = d2i_X509(NULL, &p, (long)size);
    if (x == NULL) {
        ERR_clear_error();
        return 0;
    }
    const uint8_t *der = NULL;
    size_t len = 0;
    uint8_t buf[CLID_EXT_MAX_DER];
    size_t n = 0;
    int critical = -1;

    clid_tnauth *l = NULL;
    clid_err rc = clid_x509_get_tnauth(x, &l, &critical);
    FUZZ_CHECK((rc == CLID_OK) == (l != NULL));
    if (consistent(x, CLID_OID_TNAUTHLIST, rc, critical, &der, &len)) {
        FUZZ_CHECK(clid_tnauth_encode(l, buf, sizeof buf, &n) == CLID_OK);
        check_known_tnauth(l, der, len, buf, n);
    }
    clid_tnauth_free(l);

    for (int k = 0; k < 2; k++) {
        clid_jwtcc_kind kind = k ? CLID_JWTCC_RFC9118 : CLID_JWTCC_RFC8226;
        const char *oid =
            k ? CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS : CLID_OID_JWT_CLAIM_CONSTRAINTS;
        clid_jwtcc *c = NULL;
        critical = -1;
        rc = clid_x509_get_jwtcc(x, kind, &c, &critical);
        FUZZ_CHECK((rc == CLID_OK) == (c != NULL));
        if (consistent(x, oid, rc, critical, &der, &len)) {
            FUZZ_CHECK(clid_jwtcc_get_kind(c) == kind);
            FUZZ_CHECK(clid_jwtcc_encode(c, buf, sizeof buf, &n) == CLID_OK);
            check_bytes(der, len, buf, n);
        }
        clid_jwtcc_free(c);
    }

    clid_entity *e = NULL;
    critical = -1;
    rc = clid_x509_get_entity(x, &e, &critical);
    FUZZ_CHECK((rc == CLID_OK) == (e != NULL));
    if (consistent(x, CLID_OID_SIGNALLING_ENTITY, rc, critical, &der, &len)) {
        FUZZ_CHECK(clid_entity_encode(e, buf, sizeof buf, &n) == CLID_OK);
        check_known_entity(e, der, len, buf, n);
    }
    clid_entity_free(e);

    X509_free(x);
    ERR_clear_error();
    return 0;
}
