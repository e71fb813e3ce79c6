/*
 * SignallingEntity, clid's Q.3063 profile extension
 * (asn1/CLID-Q3063-Profile-2026.asn, IMPLICIT TAGS), and the Q.708
 * international signalling point code notation.
 */
#include "support/clid_test.h"

static clid_err dec(const uint8_t *der, size_t len, void **out)
{
    clid_entity *e = *out;
    clid_err rc = clid_entity_decode(der, len, &e);
    *out = e;
    return rc;
}

static clid_err enc(const void *v, uint8_t *out, size_t cap, size_t *out_len)
{
    return clid_entity_encode(v, out, cap, out_len);
}

static void fre(void *v)
{
    clid_entity_free(v);
}

static const ct_codec codec = {"entity", dec, enc, fre};

/* role originatingGateway only */
#define G_MIN "30 03 80 01 00"
/* role internationalGateway, countries {"44"}, carrier "ABC1", PLMN 234-15,
 * point code 4242, operator "Example" */
#define G_FULL                                                                                     \
    "30 2B 80 01 01 A1 04 16 02 34 34 82 04 41 42 43 31 A3 0B 30 09 16 03 32 33 34 16 02 "        \
    "31 35 A4 04 02 02 10 92 85 07 45 78 61 6D 70 6C 65"
/* role verifier, countries {"1","44","886"}, PLMNs 310-410 and 234-15,
 * point codes 0 and 16383, operator "Télécom Österreich" */
#define G_MULTI                                                                                    \
    "30 4A 80 01 03 A1 0C 16 01 31 16 02 34 34 16 03 38 38 36 A3 17 30 0A 16 03 33 31 30 "        \
    "16 03 34 31 30 30 09 16 03 32 33 34 16 02 31 35 A4 07 02 01 00 02 02 3F FF 85 15 54 "        \
    "C3 A9 6C C3 A9 63 6F 6D 20 C3 96 73 74 65 72 72 65 69 63 68"
/* role transit, carrier "Z9" */
#define G_CARRIER "30 07 80 01 02 82 02 5A 39"

#define OPERATOR_MULTI "T\xc3\xa9l\xc3\xa9" "com \xc3\x96sterreich"

static clid_entity *decode_hex(const char *hex)
{
    size_t len = 0;
    uint8_t *der = ct_hex(hex, &len);
    clid_entity *e = NULL;
    clid_err rc = clid_entity_decode(der, len, &e);
    if (rc != CLID_OK)
        fail_msg("golden %s rejected with %s", hex, clid_err_name(rc));
    free(der);
    return e;
}

static void assert_encodes_to(const clid_entity *e, const char *hex)
{
    size_t want_len = 0, got_len = 0;
    uint8_t *want = ct_hex(hex, &want_len);
    uint8_t *got = ct_encode(&codec, e, &got_len);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    free(got);
    free(want);
}

static clid_entity *mk(clid_entity_role role)
{
    clid_entity *e = NULL;
    assert_ok(clid_entity_new(role, &e));
    assert_int_equal(clid_entity_get_role(e), role);
    return e;
}

/* ------------------------------------------------------------------------ */
/* Round trips                                                               */
/* ------------------------------------------------------------------------ */

static void golden_min(void **state)
{
    (void)state;
    clid_entity *e = decode_hex(G_MIN);
    assert_int_equal(clid_entity_get_role(e), CLID_ROLE_ORIGINATING_GATEWAY);
    assert_int_equal(clid_entity_country_count(e), 0);
    assert_null(clid_entity_carrier(e));
    assert_int_equal(clid_entity_plmn_count(e), 0);
    assert_int_equal(clid_entity_ispc_count(e), 0);
    assert_null(clid_entity_operator_name(e));
    clid_entity *b = mk(CLID_ROLE_ORIGINATING_GATEWAY);
    assert_true(clid_entity_equal(e, b));
    assert_encodes_to(b, G_MIN);
    clid_entity_free(b);
    clid_entity_free(e);
}

static void golden_full(void **state)
{
    (void)state;
    clid_entity *e = decode_hex(G_FULL);
    assert_int_equal(clid_entity_get_role(e), CLID_ROLE_INTERNATIONAL_GATEWAY);
    assert_int_equal(clid_entity_country_count(e), 1);
    assert_string_equal(clid_entity_country(e, 0), "44");
    assert_string_equal(clid_entity_carrier(e), "ABC1");
    assert_int_equal(clid_entity_plmn_count(e), 1);
    assert_string_equal(clid_entity_plmn_mcc(e, 0), "234");
    assert_string_equal(clid_entity_plmn_mnc(e, 0), "15");
    assert_int_equal(clid_entity_ispc_count(e), 1);
    assert_int_equal(clid_entity_ispc(e, 0), 4242);
    assert_string_equal(clid_entity_operator_name(e), "Example");

    clid_entity *b = mk(CLID_ROLE_INTERNATIONAL_GATEWAY);
    /* Setters in another order than the ASN.1 fields. */
    assert_ok(clid_entity_set_operator_name(b, "Example"));
    assert_ok(clid_entity_add_ispc(b, 4242));
    assert_ok(clid_entity_add_plmn(b, "234", "15"));
    assert_ok(clid_entity_set_carrier(b, "ABC1"));
    assert_ok(clid_entity_add_country(b, "44"));
    assert_true(clid_entity_equal(e, b));
    assert_encodes_to(b, G_FULL);
    clid_entity_free(b);
    clid_entity_free(e);
}

static void golden_multi(void **state)
{
    (void)state;
    clid_entity *e = decode_hex(G_MULTI);
    assert_int_equal(clid_entity_get_role(e), CLID_ROLE_VERIFIER);
    assert_int_equal(clid_entity_country_count(e), 3);
    assert_string_equal(clid_entity_country(e, 2), "886");
    assert_int_equal(clid_entity_plmn_count(e), 2);
    assert_string_equal(clid_entity_plmn_mnc(e, 0), "410");
    assert_int_equal(clid_entity_ispc(e, 0), 0);
    assert_int_equal(clid_entity_ispc(e, 1), 16383);
    assert_string_equal(clid_entity_operator_name(e), OPERATOR_MULTI);
    clid_entity *b = mk(CLID_ROLE_VERIFIER);
    assert_ok(clid_entity_add_country(b, "1"));
    assert_ok(clid_entity_add_country(b, "44"));
    assert_ok(clid_entity_add_country(b, "886"));
    assert_ok(clid_entity_add_plmn(b, "310", "410"));
    assert_ok(clid_entity_add_plmn(b, "234", "15"));
    assert_ok(clid_entity_add_ispc(b, 0));
    assert_ok(clid_entity_add_ispc(b, 16383));
    assert_ok(clid_entity_set_operator_name(b, OPERATOR_MULTI));
    assert_encodes_to(b, G_MULTI);
    clid_entity_free(b);
    clid_entity_free(e);

    e = decode_hex(G_CARRIER);
    assert_int_equal(clid_entity_get_role(e), CLID_ROLE_TRANSIT);
    assert_string_equal(clid_entity_carrier(e), "Z9");
    clid_entity_free(e);
}

/* Fill every list to CLID_ENTITY_MAX_LIST and round-trip. */
static void build_round_trips(void **state)
{
    (void)state;
    clid_entity *e = mk(CLID_ROLE_TRANSIT);
    char buf[8];
    for (unsigned i = 0; i < CLID_ENTITY_MAX_LIST; i++) {
        snprintf(buf, sizeof buf, "%u", 100 + i);
        assert_ok(clid_entity_add_country(e, buf));
        snprintf(buf, sizeof buf, "%03u", i);
        assert_ok(clid_entity_add_plmn(e, "001", buf));
        assert_ok(clid_entity_add_ispc(e, i * 500));
    }
    assert_err(clid_entity_add_country(e, "999"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_add_plmn(e, "999", "99"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_add_ispc(e, 16000), CLID_ERR_BAD_ENTITY);
    char name[CLID_ENTITY_OPERATOR_MAX_LEN + 1];
    memset(name, 'x', CLID_ENTITY_OPERATOR_MAX_LEN);
    name[CLID_ENTITY_OPERATOR_MAX_LEN] = '\0';
    assert_ok(clid_entity_set_operator_name(e, name));
    assert_ok(clid_entity_set_carrier(e, "ZZZZZ9"));

    size_t len = 0;
    uint8_t *der = ct_encode(&codec, e, &len);
    clid_entity *d = NULL;
    assert_ok(clid_entity_decode(der, len, &d));
    assert_true(clid_entity_equal(e, d));
    ct_assert_roundtrip(&codec, der, len);
    clid_entity *dup = NULL;
    assert_ok(clid_entity_dup(d, &dup));
    assert_true(clid_entity_equal(dup, e));
    clid_entity_free(dup);
    clid_entity_free(d);
    clid_entity_free(e);
    free(der);

    for (int r = CLID_ROLE_ORIGINATING_GATEWAY; r <= CLID_ROLE_VERIFIER; r++) {
        e = mk((clid_entity_role)r);
        der = ct_encode(&codec, e, &len);
        assert_int_equal(len, 5);
        assert_int_equal(der[4], r); /* ENUMERATED value = clid_entity_role */
        ct_assert_roundtrip(&codec, der, len);
        free(der);
        clid_entity_free(e);
    }
}

/* ------------------------------------------------------------------------ */
/* Rejections                                                                */
/* ------------------------------------------------------------------------ */

static void reject_structure(void **state)
{
    (void)state;
    ct_expect_reject(&codec, "empty input", "", CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "missing role", "30 00", CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "EXPLICIT-tagged role (the module is IMPLICIT)",
                     "30 05 A0 03 0A 01 00", CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "untagged role", "30 03 0A 01 00", CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "countries wrapped in a SEQUENCE",
                     "30 0B 80 01 00 A1 06 30 04 16 02 34 34", CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "SET instead of SEQUENCE", "31 03 80 01 00", CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "truncated", "30 03 80 01", CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "trailing byte", G_MIN " 00", CLID_ERR_DER_TRAILING_DATA);
    ct_expect_reject(&codec, "two values", G_MIN " " G_MIN, CLID_ERR_DER_TRAILING_DATA);
    ct_expect_reject(&codec, "long-form length", "30 81 03 80 01 00", CLID_ERR_DER_NOT_CANONICAL);
    ct_expect_reject(&codec, "indefinite length", "30 80 80 01 00 00 00",
                     CLID_ERR_DER_NOT_CANONICAL);
    ct_expect_reject(&codec, "non-minimal role", "30 04 80 02 00 01", CLID_ERR_DER_NOT_CANONICAL);
    /* X.690 §8.4/§8.3.1: a role with no contents octet (found by fuzz_entity
     * once the role became an ENUMERATED_t). */
    ct_expect_reject(&codec, "empty role", "30 02 80 00", CLID_ERR_DER_MALFORMED);
    /* The SEQUENCE is extensible: an unknown [6] after the known fields is
     * read past (test_ext_additions.c), but not one in a BER form. */
    ct_expect_reject(&codec, "extension addition [6] in long form", "30 07 80 01 00 86 81 01 00",
                     CLID_ERR_DER_NOT_CANONICAL);
    ct_expect_reject(&codec, "fields out of order", "30 0D 80 01 00 82 02 41 42 A1 04 16 02 34 34",
                     CLID_ERR_DER_NOT_CANONICAL);
}

static void reject_values(void **state)
{
    (void)state;
    /* Roles clid does not know: authority is never guessed. */
    ct_expect_reject(&codec, "unknown role 4", "30 03 80 01 04", CLID_ERR_BAD_ENTITY);
    ct_expect_reject(&codec, "negative role", "30 03 80 01 FF", CLID_ERR_BAD_ENTITY);
    /* INTEGER (0..16383) */
    ct_expect_reject(&codec, "point code 16384", "30 09 80 01 00 A4 04 02 02 40 00",
                     CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "point code -1", "30 08 80 01 00 A4 03 02 01 FF",
                     CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "duplicate point code", "30 0B 80 01 00 A4 06 02 01 05 02 01 05",
                     CLID_ERR_BAD_ENTITY);
    /* CountryCode: SIZE (1..3), FROM digits; E.164 codes never start with 0. */
    ct_expect_reject(&codec, "country \"4a\"", "30 09 80 01 00 A1 04 16 02 34 61",
                     CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "country \"1234\"", "30 0B 80 01 00 A1 06 16 04 31 32 33 34",
                     CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "country \"0\"", "30 08 80 01 00 A1 03 16 01 30",
                     CLID_ERR_BAD_ENTITY);
    ct_expect_reject(&codec, "duplicate country", "30 0D 80 01 00 A1 08 16 02 34 34 16 02 34 34",
                     CLID_ERR_BAD_ENTITY);
    ct_expect_reject(&codec, "empty country list", "30 05 80 01 00 A1 00",
                     CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "empty point code list", "30 05 80 01 00 A4 00",
                     CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "empty PLMN list", "30 05 80 01 00 A3 00", CLID_ERR_DER_CONSTRAINT);
    /* CarrierCode: SIZE (1..6), upper-case letters and digits (M.1400). */
    ct_expect_reject(&codec, "lower-case carrier", "30 08 80 01 00 82 03 61 62 63",
                     CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "7-character carrier", "30 0C 80 01 00 82 07 41 42 43 44 45 46 47",
                     CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "empty carrier", "30 05 80 01 00 82 00", CLID_ERR_DER_CONSTRAINT);
    /* E.212: MCC 3 digits, MNC 2 or 3. */
    ct_expect_reject(&codec, "2-digit MCC", "30 0F 80 01 00 A3 0A 30 08 16 02 32 33 16 02 31 35",
                     CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "1-digit MNC", "30 0F 80 01 00 A3 0A 30 08 16 03 32 33 34 16 01 31",
                     CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "duplicate PLMN",
                     "30 1B 80 01 00 A3 16 30 09 16 03 32 33 34 16 02 31 35 30 09 16 03 32 33 34 "
                     "16 02 31 35",
                     CLID_ERR_BAD_ENTITY);
    /* OperatorName: UTF8String (SIZE (1..64)); clid also refuses controls. */
    ct_expect_reject(&codec, "broken UTF-8 operator name", "30 06 80 01 00 85 01 C3",
                     CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "control char in operator name", "30 07 80 01 00 85 02 61 01",
                     CLID_ERR_BAD_ENTITY);
    ct_expect_reject(&codec, "empty operator name", "30 05 80 01 00 85 00",
                     CLID_ERR_DER_CONSTRAINT);
}

/* List and name bounds, built as DER. */
static uint8_t *entity_with(uint8_t *field, size_t flen, size_t *len)
{
    uint8_t *role = malloc(3);
    assert_non_null(role);
    memcpy(role, "\x80\x01\x00", 3);
    size_t l = 0;
    uint8_t *d = ct_cat(role, 3, field, flen, &l);
    return ct_tlv(0x30, d, l, 1, len);
}

static uint8_t *countries_der(unsigned n, size_t *len)
{
    uint8_t *list = NULL;
    size_t l = 0;
    for (unsigned i = 0; i < n; i++) {
        char cc[4];
        snprintf(cc, sizeof cc, "%u", 100 + i);
        size_t el = 0;
        uint8_t *e = ct_tlv(0x16, (uint8_t *)cc, 3, 0, &el);
        list = list ? ct_cat(list, l, e, el, &l) : (l = el, e);
    }
    size_t fl = 0;
    uint8_t *field = ct_tlv(0xA1, list, l, 1, &fl);
    return entity_with(field, fl, len);
}

static uint8_t *operator_der(const char *name, size_t *len)
{
    size_t l = 0, n = strlen(name);
    uint8_t *copy = ct_dup((const uint8_t *)name, n);
    uint8_t *f = ct_tlv(0x85, copy, n, 1, &l);
    return entity_with(f, l, len);
}

static void bounds(void **state)
{
    (void)state;
    size_t len = 0;
    uint8_t *der = countries_der(CLID_ENTITY_MAX_LIST, &len);
    ct_assert_roundtrip(&codec, der, len);
    free(der);
    der = countries_der(CLID_ENTITY_MAX_LIST + 1, &len);
    clid_entity *e = NULL;
    assert_err(clid_entity_decode(der, len, &e), CLID_ERR_DER_CONSTRAINT);
    free(der);

    char name[2 * CLID_ENTITY_OPERATOR_MAX_LEN + 3];
    memset(name, 'x', CLID_ENTITY_OPERATOR_MAX_LEN);
    name[CLID_ENTITY_OPERATOR_MAX_LEN] = '\0';
    der = operator_der(name, &len);
    ct_assert_roundtrip(&codec, der, len);
    free(der);
    strcat(name, "x"); /* 65 characters: SIZE (1..64) */
    der = operator_der(name, &len);
    assert_err(clid_entity_decode(der, len, &e), CLID_ERR_DER_CONSTRAINT);
    free(der);
    /* 33 two-byte characters: 33 characters for ASN.1, 66 bytes for clid's
     * byte bound. */
    name[0] = '\0';
    for (int i = 0; i < 33; i++)
        strcat(name, "\xc3\xa9");
    der = operator_der(name, &len);
    assert_err(clid_entity_decode(der, len, &e), CLID_ERR_BAD_ENTITY);
    free(der);
    assert_null(e);
}

static void sweeps(void **state)
{
    (void)state;
    ct_sweep_all_hex(&codec, G_MIN);
    ct_sweep_all_hex(&codec, G_FULL);
    ct_sweep_all_hex(&codec, G_MULTI);
    ct_sweep_all_hex(&codec, G_CARRIER);
}

/* ------------------------------------------------------------------------ */
/* Builder API                                                               */
/* ------------------------------------------------------------------------ */

static void roles(void **state)
{
    (void)state;
    assert_string_equal(clid_entity_role_name(CLID_ROLE_ORIGINATING_GATEWAY),
                        "originating-gateway");
    assert_string_equal(clid_entity_role_name(CLID_ROLE_INTERNATIONAL_GATEWAY),
                        "international-gateway");
    assert_string_equal(clid_entity_role_name(CLID_ROLE_TRANSIT), "transit");
    assert_string_equal(clid_entity_role_name(CLID_ROLE_VERIFIER), "verifier");
    assert_string_equal(clid_entity_role_name((clid_entity_role)4), "unknown");
    assert_string_equal(clid_entity_role_name((clid_entity_role)-1), "unknown");

    for (int r = 0; r <= CLID_ROLE_VERIFIER; r++) {
        clid_entity_role got = (clid_entity_role)99;
        assert_ok(clid_entity_role_from_name(clid_entity_role_name((clid_entity_role)r), &got));
        assert_int_equal(got, r);
    }
    const struct {
        const char *name;
        clid_entity_role role;
    } aliases[] = {{"originating", CLID_ROLE_ORIGINATING_GATEWAY},
                   {"international", CLID_ROLE_INTERNATIONAL_GATEWAY},
                   {"ssgw", CLID_ROLE_INTERNATIONAL_GATEWAY}};
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++) {
        clid_entity_role got = (clid_entity_role)99;
        assert_ok(clid_entity_role_from_name(aliases[i].name, &got));
        assert_int_equal(got, aliases[i].role);
    }
    clid_entity_role got;
    assert_err(clid_entity_role_from_name("Transit", &got), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_role_from_name("", &got), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_role_from_name("unknown", &got), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_role_from_name(NULL, &got), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_role_from_name("transit", NULL), CLID_ERR_INVALID_ARGUMENT);

    clid_entity *e = (clid_entity *)&e;
    assert_err(clid_entity_new((clid_entity_role)4, &e), CLID_ERR_BAD_ENTITY);
    assert_null(e);
    assert_err(clid_entity_new((clid_entity_role)-1, &e), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_new(CLID_ROLE_TRANSIT, NULL), CLID_ERR_INVALID_ARGUMENT);
}

static void setter_validation(void **state)
{
    (void)state;
    clid_entity *e = mk(CLID_ROLE_ORIGINATING_GATEWAY);

    assert_err(clid_entity_add_country(NULL, "44"), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_add_country(e, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_add_country(e, ""), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_add_country(e, "0"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_add_country(e, "044"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_add_country(e, "1234"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_add_country(e, "+44"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_add_country(e, "4a"), CLID_ERR_BAD_ENTITY);
    assert_ok(clid_entity_add_country(e, "44"));
    assert_err(clid_entity_add_country(e, "44"), CLID_ERR_BAD_ENTITY);
    assert_ok(clid_entity_add_country(e, "4")); /* a prefix is a different code */
    assert_ok(clid_entity_add_country(e, "441"));
    assert_int_equal(clid_entity_country_count(e), 3);

    assert_err(clid_entity_set_carrier(NULL, "A"), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_set_carrier(e, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_set_carrier(e, ""), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_set_carrier(e, "abc"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_set_carrier(e, "ABCDEFG"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_set_carrier(e, "AB-C"), CLID_ERR_BAD_ENTITY);
    assert_null(clid_entity_carrier(e));
    assert_ok(clid_entity_set_carrier(e, "ABCDE9"));
    assert_ok(clid_entity_set_carrier(e, "XYZ")); /* a single value: replaced */
    assert_string_equal(clid_entity_carrier(e), "XYZ");

    assert_err(clid_entity_add_plmn(NULL, "234", "15"), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_add_plmn(e, NULL, "15"), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_add_plmn(e, "234", NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_add_plmn(e, "23", "15"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_add_plmn(e, "2345", "15"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_add_plmn(e, "23a", "15"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_add_plmn(e, "234", "1"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_add_plmn(e, "234", "1234"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_add_plmn(e, "234", "1b"), CLID_ERR_BAD_ENTITY);
    assert_ok(clid_entity_add_plmn(e, "234", "15"));
    assert_err(clid_entity_add_plmn(e, "234", "15"), CLID_ERR_BAD_ENTITY);
    assert_ok(clid_entity_add_plmn(e, "234", "015")); /* 3-digit MNC 015 is not 15 */
    assert_int_equal(clid_entity_plmn_count(e), 2);

    assert_err(clid_entity_add_ispc(NULL, 1), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_add_ispc(e, 16384), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_add_ispc(e, UINT32_MAX), CLID_ERR_BAD_ENTITY);
    assert_ok(clid_entity_add_ispc(e, 0));
    assert_ok(clid_entity_add_ispc(e, 16383));
    assert_err(clid_entity_add_ispc(e, 0), CLID_ERR_BAD_ENTITY);
    assert_int_equal(clid_entity_ispc_count(e), 2);

    assert_err(clid_entity_set_operator_name(NULL, "x"), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_set_operator_name(e, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_set_operator_name(e, ""), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_set_operator_name(e, "a\tb"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_set_operator_name(e, "a\xc3"), CLID_ERR_BAD_ENTITY);
    assert_err(clid_entity_set_operator_name(e, "\xc0\xae"), CLID_ERR_BAD_ENTITY);
    char name[CLID_ENTITY_OPERATOR_MAX_LEN + 2];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    assert_err(clid_entity_set_operator_name(e, name), CLID_ERR_BAD_ENTITY);
    assert_null(clid_entity_operator_name(e));
    assert_ok(clid_entity_set_operator_name(e, OPERATOR_MULTI));
    assert_string_equal(clid_entity_operator_name(e), OPERATOR_MULTI);
    clid_entity_free(e);
}

static void getters_dup_equal(void **state)
{
    (void)state;
    clid_entity *e = decode_hex(G_FULL);
    assert_null(clid_entity_country(e, 1));
    assert_null(clid_entity_plmn_mcc(e, 1));
    assert_null(clid_entity_plmn_mnc(e, 1));
    assert_int_equal(clid_entity_ispc(e, 1), 0);
    assert_int_equal(clid_entity_country_count(NULL), 0);
    assert_null(clid_entity_carrier(NULL));
    assert_null(clid_entity_operator_name(NULL));
    clid_entity_free(NULL);

    clid_entity *d = NULL;
    assert_err(clid_entity_dup(NULL, &d), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_dup(e, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_ok(clid_entity_dup(e, &d));
    assert_true(clid_entity_equal(e, d));
    /* Each field takes part in equality. */
    assert_ok(clid_entity_add_country(d, "1"));
    assert_false(clid_entity_equal(e, d));
    clid_entity_free(d);
    assert_ok(clid_entity_dup(e, &d));
    assert_ok(clid_entity_set_carrier(d, "ABC2"));
    assert_false(clid_entity_equal(e, d));
    clid_entity_free(d);
    assert_ok(clid_entity_dup(e, &d));
    assert_ok(clid_entity_add_plmn(d, "234", "16"));
    assert_false(clid_entity_equal(e, d));
    clid_entity_free(d);
    assert_ok(clid_entity_dup(e, &d));
    assert_ok(clid_entity_add_ispc(d, 1));
    assert_false(clid_entity_equal(e, d));
    clid_entity_free(d);
    assert_ok(clid_entity_dup(e, &d));
    assert_ok(clid_entity_set_operator_name(d, "Exampl"));
    assert_false(clid_entity_equal(e, d));
    clid_entity_free(d);
    assert_false(clid_entity_equal(e, NULL));
    assert_false(clid_entity_equal(NULL, e));
    clid_entity *m = mk(CLID_ROLE_INTERNATIONAL_GATEWAY);
    assert_false(clid_entity_equal(e, m)); /* absent vs present fields */
    clid_entity_free(m);
    clid_entity_free(e);
}

static void encode_contract(void **state)
{
    (void)state;
    clid_entity *e = mk(CLID_ROLE_TRANSIT);
    size_t n = 0;
    assert_err(clid_entity_encode(NULL, NULL, 0, &n), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_encode(e, NULL, 0, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_ok(clid_entity_encode(e, NULL, 0, &n));
    assert_int_equal(n, 5);
    uint8_t buf[5];
    n = 0;
    assert_err(clid_entity_encode(e, buf, 4, &n), CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 5);
    assert_ok(clid_entity_encode(e, buf, sizeof buf, &n));
    assert_memory_equal(buf, "\x30\x03\x80\x01\x02", 5);
    clid_entity_free(e);

    clid_entity *d = NULL;
    assert_err(clid_entity_decode(buf, 5, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_entity_decode(NULL, 5, &d), CLID_ERR_INVALID_ARGUMENT);
}

/* ------------------------------------------------------------------------ */
/* Q.708 point codes                                                         */
/* ------------------------------------------------------------------------ */

static void ispc_text(void **state)
{
    (void)state;
    const struct {
        const char *text;
        unsigned value;
    } good[] = {
        {"2-123-4", (2u << 11) | (123u << 3) | 4u}, /* 5084 */
        {"0-0-0", 0},
        {"7-255-7", 16383},
        {"4-018-2", (4u << 11) | (18u << 3) | 2u},
        {"0", 0},
        {"16383", 16383},
        {"5084", 5084},
        {"00042", 42},
    };
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        unsigned v = 99999;
        clid_err rc = clid_ispc_parse(good[i].text, &v);
        if (rc != CLID_OK)
            fail_msg("\"%s\" refused: %s", good[i].text, clid_err_name(rc));
        assert_int_equal(v, good[i].value);
    }
    const char *bad[] = {"", "-", "16384", "99999", "100000", "000001", "8-0-0", "0-256-0",
                         "0-0-8", "1-2", "1-2-3-4", "1--2", "-1-2", "1-2-", " 1", "1 ",
                         "+5", "0x10", "1-2-3 ", "a", "１"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        unsigned v = 77;
        clid_err rc = clid_ispc_parse(bad[i], &v);
        if (rc != CLID_ERR_BAD_ENTITY)
            fail_msg("\"%s\" gave %s, expected CLID_ERR_BAD_ENTITY", bad[i], clid_err_name(rc));
        assert_int_equal(v, 77); /* untouched */
    }
    unsigned v;
    assert_err(clid_ispc_parse(NULL, &v), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_ispc_parse("1", NULL), CLID_ERR_INVALID_ARGUMENT);

    char buf[16];
    assert_ok(clid_ispc_format(5084, buf, sizeof buf));
    assert_string_equal(buf, "2-123-4");
    assert_ok(clid_ispc_format(0, buf, sizeof buf));
    assert_string_equal(buf, "0-0-0");
    assert_ok(clid_ispc_format(16383, buf, 10)); /* the longest form fits in 10 */
    assert_string_equal(buf, "7-255-7");
    assert_err(clid_ispc_format(16383, buf, 7), CLID_ERR_BUFFER_TOO_SMALL);
    assert_err(clid_ispc_format(5, buf, 0), CLID_ERR_BUFFER_TOO_SMALL);
    assert_err(clid_ispc_format(16384, buf, sizeof buf), CLID_ERR_BAD_ENTITY);
    assert_err(clid_ispc_format(1, NULL, 10), CLID_ERR_INVALID_ARGUMENT);
    /* format and parse are inverses over the whole 14-bit space */
    for (unsigned i = 0; i <= 16383; i++) {
        unsigned back = 99999;
        assert_ok(clid_ispc_format(i, buf, sizeof buf));
        assert_ok(clid_ispc_parse(buf, &back));
        assert_int_equal(back, i);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_min),        cmocka_unit_test(golden_full),
        cmocka_unit_test(golden_multi),      cmocka_unit_test(build_round_trips),
        cmocka_unit_test(reject_structure),  cmocka_unit_test(reject_values),
        cmocka_unit_test(bounds),            cmocka_unit_test(sweeps),
        cmocka_unit_test(roles),             cmocka_unit_test(setter_validation),
        cmocka_unit_test(getters_dup_equal), cmocka_unit_test(encode_contract),
        cmocka_unit_test(ispc_text),
    };
    return cmocka_run_group_tests_name("entity", tests, NULL, NULL);
}
