/*
 * JWT claim constraints: RFC 8226 §8 JWTClaimConstraints (1.3.6.1.5.5.7.1.27)
 * and RFC 9118 §4 EnhancedJWTClaimConstraints (1.3.6.1.5.5.7.1.33).
 */
#include "support/clid_test.h"

static clid_err dec8226(const uint8_t *der, size_t len, void **out)
{
    clid_jwtcc *c = *out;
    clid_err rc = clid_jwtcc_decode(CLID_JWTCC_RFC8226, der, len, &c);
    *out = c;
    return rc;
}

static clid_err dec9118(const uint8_t *der, size_t len, void **out)
{
    clid_jwtcc *c = *out;
    clid_err rc = clid_jwtcc_decode(CLID_JWTCC_RFC9118, der, len, &c);
    *out = c;
    return rc;
}

static clid_err enc(const void *v, uint8_t *out, size_t cap, size_t *out_len)
{
    return clid_jwtcc_encode(v, out, cap, out_len);
}

static void fre(void *v)
{
    clid_jwtcc_free(v);
}

static const ct_codec codec8226 = {"jwtcc-8226", dec8226, enc, fre};
static const ct_codec codec9118 = {"jwtcc-9118", dec9118, enc, fre};

/* mustInclude {"rcd"}, permittedValues {{"attest", {"A", "B"}}} */
#define G_8226_FULL                                                                                \
    "30 1F A0 07 30 05 16 03 72 63 64 A1 14 30 12 30 10 16 06 61 74 74 65 73 74 30 06 0C "        \
    "01 41 0C 01 42"
/* mustInclude {"rcd", "rcdi"} */
#define G_8226_INC "30 0F A0 0D 30 0B 16 03 72 63 64 16 04 72 63 64 69"
/* permittedValues {{"attest", {"A"}}, {"origid", {"x y"}}} */
#define G_8226_PERM                                                                                \
    "30 24 A1 22 30 20 30 0D 16 06 61 74 74 65 73 74 30 03 0C 01 41 30 0F 16 06 6F 72 69 "        \
    "67 69 64 30 05 0C 03 78 20 79"
/* mustInclude {"rcd"}, permittedValues {{"attest", {"A"}}}, mustExclude {"div"} */
#define G_9118_FULL                                                                                \
    "30 25 A0 07 30 05 16 03 72 63 64 A1 11 30 0F 30 0D 16 06 61 74 74 65 73 74 30 03 0C "        \
    "01 41 A2 07 30 05 16 03 64 69 76"
/* mustExclude {"div", "div-o"} */
#define G_9118_EXC "30 10 A2 0E 30 0C 16 03 64 69 76 16 05 64 69 76 2D 6F"
/* permittedValues {{"rcd", {"Télécom ☃"}}}: a UTF-8 value */
#define G_UTF8_VALUE                                                                               \
    "30 1C A1 1A 30 18 30 16 16 03 72 63 64 30 0F 0C 0D 54 C3 A9 6C C3 A9 63 6F 6D 20 E2 "        \
    "98 83"
static clid_jwtcc *decode_hex(clid_jwtcc_kind kind, const char *hex)
{
    size_t len = 0;
    uint8_t *der = ct_hex(hex, &len);
    clid_jwtcc *c = NULL;
    clid_err rc = clid_jwtcc_decode(kind, der, len, &c);
    if (rc != CLID_OK)
        fail_msg("golden %s rejected with %s", hex, clid_err_name(rc));
    free(der);
    return c;
}

static void assert_encodes_to(const clid_jwtcc *c, const char *hex)
{
    size_t want_len = 0, got_len = 0;
    uint8_t *want = ct_hex(hex, &want_len);
    uint8_t *got = ct_encode(&codec8226, c, &got_len);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    free(got);
    free(want);
}

static clid_jwtcc *mk(clid_jwtcc_kind kind)
{
    clid_jwtcc *c = NULL;
    assert_ok(clid_jwtcc_new(kind, &c));
    assert_int_equal(clid_jwtcc_get_kind(c), kind);
    return c;
}

/* ------------------------------------------------------------------------ */
/* Round trips                                                               */
/* ------------------------------------------------------------------------ */

static void golden_8226(void **state)
{
    (void)state;
    clid_jwtcc *c = decode_hex(CLID_JWTCC_RFC8226, G_8226_FULL);
    assert_int_equal(clid_jwtcc_must_include_count(c), 1);
    assert_string_equal(clid_jwtcc_must_include(c, 0), "rcd");
    assert_int_equal(clid_jwtcc_must_exclude_count(c), 0);
    assert_int_equal(clid_jwtcc_permitted_count(c), 1);
    assert_string_equal(clid_jwtcc_permitted_claim(c, 0), "attest");
    assert_int_equal(clid_jwtcc_permitted_value_count(c, 0), 2);
    assert_string_equal(clid_jwtcc_permitted_value(c, 0, 0), "A");
    assert_string_equal(clid_jwtcc_permitted_value(c, 0, 1), "B");

    clid_jwtcc *b = mk(CLID_JWTCC_RFC8226);
    assert_ok(clid_jwtcc_add_must_include(b, "rcd"));
    assert_ok(clid_jwtcc_add_permitted(b, "attest", "A"));
    assert_ok(clid_jwtcc_add_permitted(b, "attest", "B"));
    assert_true(clid_jwtcc_equal(b, c));
    assert_encodes_to(b, G_8226_FULL);
    clid_jwtcc_free(b);
    clid_jwtcc_free(c);

    c = decode_hex(CLID_JWTCC_RFC8226, G_8226_INC);
    assert_int_equal(clid_jwtcc_must_include_count(c), 2);
    assert_string_equal(clid_jwtcc_must_include(c, 1), "rcdi");
    assert_int_equal(clid_jwtcc_permitted_count(c), 0);
    clid_jwtcc_free(c);

    c = decode_hex(CLID_JWTCC_RFC8226, G_8226_PERM);
    assert_int_equal(clid_jwtcc_must_include_count(c), 0);
    assert_int_equal(clid_jwtcc_permitted_count(c), 2);
    assert_string_equal(clid_jwtcc_permitted_claim(c, 1), "origid");
    assert_string_equal(clid_jwtcc_permitted_value(c, 1, 0), "x y");
    b = mk(CLID_JWTCC_RFC8226);
    assert_ok(clid_jwtcc_add_permitted(b, "attest", "A"));
    assert_ok(clid_jwtcc_add_permitted(b, "origid", "x y"));
    assert_encodes_to(b, G_8226_PERM);
    clid_jwtcc_free(b);
    clid_jwtcc_free(c);
}

static void golden_9118(void **state)
{
    (void)state;
    clid_jwtcc *c = decode_hex(CLID_JWTCC_RFC9118, G_9118_FULL);
    assert_int_equal(clid_jwtcc_get_kind(c), CLID_JWTCC_RFC9118);
    assert_string_equal(clid_jwtcc_must_include(c, 0), "rcd");
    assert_string_equal(clid_jwtcc_permitted_claim(c, 0), "attest");
    assert_string_equal(clid_jwtcc_permitted_value(c, 0, 0), "A");
    assert_int_equal(clid_jwtcc_must_exclude_count(c), 1);
    assert_string_equal(clid_jwtcc_must_exclude(c, 0), "div");
    clid_jwtcc *b = mk(CLID_JWTCC_RFC9118);
    /* Insertion order across fields does not matter; field order in the
     * encoding is the ASN.1 order. */
    assert_ok(clid_jwtcc_add_must_exclude(b, "div"));
    assert_ok(clid_jwtcc_add_permitted(b, "attest", "A"));
    assert_ok(clid_jwtcc_add_must_include(b, "rcd"));
    assert_true(clid_jwtcc_equal(b, c));
    assert_encodes_to(b, G_9118_FULL);
    clid_jwtcc_free(b);
    clid_jwtcc_free(c);

    c = decode_hex(CLID_JWTCC_RFC9118, G_9118_EXC);
    assert_int_equal(clid_jwtcc_must_include_count(c), 0);
    assert_int_equal(clid_jwtcc_permitted_count(c), 0);
    assert_int_equal(clid_jwtcc_must_exclude_count(c), 2);
    assert_string_equal(clid_jwtcc_must_exclude(c, 1), "div-o");
    clid_jwtcc_free(c);

    c = decode_hex(CLID_JWTCC_RFC9118, G_UTF8_VALUE);
    assert_string_equal(clid_jwtcc_permitted_value(c, 0, 0),
                        "T\xc3\xa9l\xc3\xa9" "com \xe2\x98\x83");
    clid_jwtcc_free(c);
}

/* RFC 9118 extends RFC 8226's type: a value without mustExclude has the same
 * bytes under both, and decodes under both. */
static void kinds_share_encoding(void **state)
{
    (void)state;
    const char *shared[] = {G_8226_FULL, G_8226_INC, G_8226_PERM, G_UTF8_VALUE};
    for (size_t i = 0; i < sizeof shared / sizeof shared[0]; i++) {
        clid_jwtcc *a = decode_hex(CLID_JWTCC_RFC8226, shared[i]);
        clid_jwtcc *b = decode_hex(CLID_JWTCC_RFC9118, shared[i]);
        assert_int_equal(clid_jwtcc_get_kind(a), CLID_JWTCC_RFC8226);
        assert_int_equal(clid_jwtcc_get_kind(b), CLID_JWTCC_RFC9118);
        assert_false(clid_jwtcc_equal(a, b)); /* different kinds are different values */
        assert_encodes_to(a, shared[i]);
        assert_encodes_to(b, shared[i]);
        clid_jwtcc_free(a);
        clid_jwtcc_free(b);
    }
    /* mustExclude [2] does not exist in RFC 8226's SEQUENCE, which has no
     * extension marker. */
    ct_expect_reject(&codec8226, "9118 value as 8226", G_9118_FULL, CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec8226, "9118 mustExclude as 8226", G_9118_EXC, CLID_ERR_DER_MALFORMED);
}

static void build_round_trips(void **state)
{
    (void)state;
    for (int k = 0; k < 2; k++) {
        clid_jwtcc_kind kind = k ? CLID_JWTCC_RFC9118 : CLID_JWTCC_RFC8226;
        clid_jwtcc *c = mk(kind);
        char name[16], value[CLID_CLAIM_VALUE_MAX_LEN + 1];
        for (int i = 0; i < 40; i++) {
            snprintf(name, sizeof name, "claim%d", i);
            assert_ok(clid_jwtcc_add_must_include(c, name));
            for (int j = 0; j < 3; j++) {
                snprintf(value, sizeof value, "v%d-%d", i, j);
                assert_ok(clid_jwtcc_add_permitted(c, name, value));
            }
            if (kind == CLID_JWTCC_RFC9118) {
                snprintf(name, sizeof name, "x%d", i);
                assert_ok(clid_jwtcc_add_must_exclude(c, name));
            }
        }
        /* The longest value and name. */
        memset(value, 'v', CLID_CLAIM_VALUE_MAX_LEN);
        value[CLID_CLAIM_VALUE_MAX_LEN] = '\0';
        char longname[CLID_CLAIM_NAME_MAX_LEN + 1];
        memset(longname, 'n', CLID_CLAIM_NAME_MAX_LEN);
        longname[CLID_CLAIM_NAME_MAX_LEN] = '\0';
        assert_ok(clid_jwtcc_add_permitted(c, longname, value));
        assert_ok(clid_jwtcc_add_permitted(c, longname, ""));

        const ct_codec *codec = k ? &codec9118 : &codec8226;
        size_t len = 0;
        uint8_t *der = ct_encode(codec, c, &len);
        clid_jwtcc *d = NULL;
        assert_ok(clid_jwtcc_decode(kind, der, len, &d));
        assert_true(clid_jwtcc_equal(c, d));
        ct_assert_roundtrip(codec, der, len);
        clid_jwtcc *dup = NULL;
        assert_ok(clid_jwtcc_dup(d, &dup));
        assert_true(clid_jwtcc_equal(dup, c));
        assert_int_equal(clid_jwtcc_get_kind(dup), kind);
        clid_jwtcc_free(dup);
        clid_jwtcc_free(d);
        clid_jwtcc_free(c);
        free(der);
    }
}

/* ------------------------------------------------------------------------ */
/* Rejections                                                                */
/* ------------------------------------------------------------------------ */

static void reject_structure(void **state)
{
    (void)state;
    const ct_codec *both[] = {&codec8226, &codec9118};
    for (size_t k = 0; k < 2; k++) {
        const ct_codec *c = both[k];
        /* WITH COMPONENTS: at least one field (not enforced by asn1c, A3). */
        ct_expect_reject(c, "empty SEQUENCE", "30 00", CLID_ERR_DER_CONSTRAINT);
        /* SIZE (1..MAX) on every list. */
        ct_expect_reject(c, "empty mustInclude", "30 04 A0 02 30 00", CLID_ERR_DER_CONSTRAINT);
        ct_expect_reject(c, "empty permittedValues", "30 04 A1 02 30 00",
                         CLID_ERR_DER_CONSTRAINT);
        ct_expect_reject(c, "claim with no permitted value",
                         "30 10 A1 0E 30 0C 30 0A 16 06 61 74 74 65 73 74 30 00",
                         CLID_ERR_DER_CONSTRAINT);
        /* DER framing. */
        ct_expect_reject(c, "empty input", "", CLID_ERR_DER_MALFORMED);
        ct_expect_reject(c, "long-form length", "30 81 09 A0 07 30 05 16 03 72 63 64",
                         CLID_ERR_DER_NOT_CANONICAL);
        ct_expect_reject(c, "indefinite length", "30 80 A0 07 30 05 16 03 72 63 64 00 00",
                         CLID_ERR_DER_NOT_CANONICAL);
        ct_expect_reject(c, "constructed IA5String name",
                         "30 0D A0 0B 30 09 36 07 16 01 72 16 02 63 64",
                         CLID_ERR_DER_NOT_CANONICAL);
        ct_expect_reject(c, "trailing byte", G_8226_INC " 00", CLID_ERR_DER_TRAILING_DATA);
        ct_expect_reject(c, "two values", G_8226_INC " " G_8226_INC, CLID_ERR_DER_TRAILING_DATA);
        ct_expect_reject(c, "truncated", "30 0F A0 0D 30 0B 16 03 72 63 64 16 04 72 63 64",
                         CLID_ERR_DER_MALFORMED);
        /* Types. */
        ct_expect_reject(c, "IMPLICIT-tagged names", "30 07 A0 05 16 03 72 63 64",
                         CLID_ERR_DER_MALFORMED);
        ct_expect_reject(c, "UTF8String claim name", "30 09 A0 07 30 05 0C 03 72 63 64",
                         CLID_ERR_DER_MALFORMED);
        ct_expect_reject(c, "IA5String permitted value",
                         "30 13 A1 11 30 0F 30 0D 16 06 61 74 74 65 73 74 30 03 16 01 41",
                         CLID_ERR_DER_MALFORMED);
        ct_expect_reject(c, "SET instead of SEQUENCE", "31 09 A0 07 30 05 16 03 72 63 64",
                         CLID_ERR_DER_MALFORMED);
        ct_expect_reject(c, "unknown field [3]", "30 09 A3 07 30 05 16 03 72 63 64",
                         CLID_ERR_DER_MALFORMED);
    }
    /* Fields out of ASN.1 order. */
    ct_expect_reject(&codec9118, "mustExclude before mustInclude",
                     "30 12 A2 07 30 05 16 03 64 69 76 A0 07 30 05 16 03 72 63 64",
                     CLID_ERR_DER_MALFORMED);
}

static void reject_content(void **state)
{
    (void)state;
    const ct_codec *both[] = {&codec8226, &codec9118};
    for (size_t k = 0; k < 2; k++) {
        const ct_codec *c = both[k];
        /* One entry per claim; each name and value once (RFC 8226 §8 lists
         * are sets in meaning; a repeat is ambiguous or a sign of tampering). */
        ct_expect_reject(c, "duplicate permitted claim",
                         "30 22 A1 20 30 1E 30 0D 16 06 61 74 74 65 73 74 30 03 0C 01 41 30 0D 16 "
                         "06 61 74 74 65 73 74 30 03 0C 01 42",
                         CLID_ERR_BAD_CLAIM_CONSTRAINT);
        ct_expect_reject(c, "duplicate mustInclude name",
                         "30 0E A0 0C 30 0A 16 03 72 63 64 16 03 72 63 64",
                         CLID_ERR_BAD_CLAIM_CONSTRAINT);
        ct_expect_reject(c, "duplicate permitted value",
                         "30 16 A1 14 30 12 30 10 16 06 61 74 74 65 73 74 30 06 0C 01 41 0C 01 41",
                         CLID_ERR_BAD_CLAIM_CONSTRAINT);
        /* Claim names become JSON member names. */
        ct_expect_reject(c, "'\"' in a name", "30 09 A0 07 30 05 16 03 61 22 62",
                         CLID_ERR_BAD_CLAIM_CONSTRAINT);
        ct_expect_reject(c, "'\\' in a name", "30 09 A0 07 30 05 16 03 61 5C 62",
                         CLID_ERR_BAD_CLAIM_CONSTRAINT);
        ct_expect_reject(c, "space in a name", "30 09 A0 07 30 05 16 03 61 20 62",
                         CLID_ERR_BAD_CLAIM_CONSTRAINT);
        ct_expect_reject(c, "empty name", "30 06 A0 04 30 02 16 00", CLID_ERR_BAD_CLAIM_CONSTRAINT);
        ct_expect_reject(c, "NUL in a name", "30 09 A0 07 30 05 16 03 72 00 64",
                         CLID_ERR_BAD_CLAIM_CONSTRAINT);
        ct_expect_reject(c, "non-ASCII name (IA5String is 7-bit)",
                         "30 09 A0 07 30 05 16 03 72 C3 A9", CLID_ERR_DER_CONSTRAINT);
        /* Values: UTF-8 (asn1c checks the encoding) without controls. */
        ct_expect_reject(c, "overlong UTF-8 value",
                         "30 14 A1 12 30 10 30 0E 16 06 61 74 74 65 73 74 30 04 0C 02 C0 80",
                         CLID_ERR_DER_CONSTRAINT);
        ct_expect_reject(c, "truncated UTF-8 value",
                         "30 13 A1 11 30 0F 30 0D 16 06 61 74 74 65 73 74 30 03 0C 01 C3",
                         CLID_ERR_DER_CONSTRAINT);
        ct_expect_reject(c, "surrogate in a value",
                         "30 15 A1 13 30 11 30 0F 16 06 61 74 74 65 73 74 30 05 0C 03 ED A0 80",
                         CLID_ERR_BAD_CLAIM_CONSTRAINT);
        ct_expect_reject(c, "control char in a value",
                         "30 13 A1 11 30 0F 30 0D 16 06 61 74 74 65 73 74 30 03 0C 01 01",
                         CLID_ERR_BAD_CLAIM_CONSTRAINT);
        ct_expect_reject(c, "C1 control in a value",
                         "30 14 A1 12 30 10 30 0E 16 06 61 74 74 65 73 74 30 04 0C 02 C2 85",
                         CLID_ERR_BAD_CLAIM_CONSTRAINT);
    }
    ct_expect_reject(&codec9118, "duplicate mustExclude name",
                     "30 0E A2 0C 30 0A 16 03 64 69 76 16 03 64 69 76",
                     CLID_ERR_BAD_CLAIM_CONSTRAINT);

    /* An empty value is a UTF8String like any other. */
    clid_jwtcc *e = decode_hex(CLID_JWTCC_RFC8226,
                               "30 12 A1 10 30 0E 30 0C 16 06 61 74 74 65 73 74 30 02 0C 00");
    assert_string_equal(clid_jwtcc_permitted_value(e, 0, 0), "");
    clid_jwtcc_free(e);
}

/* mustInclude {name} or permittedValues {{"a", {value}}} with a name or
 * value of n bytes of filler, built as DER. */
static uint8_t *mk_name_der(size_t n, size_t *len)
{
    uint8_t *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, 'n', n);
    size_t l = 0;
    uint8_t *d = ct_tlv(0x16, s, n, 1, &l);
    d = ct_tlv(0x30, d, l, 1, &l);
    d = ct_tlv(0xA0, d, l, 1, &l);
    return ct_tlv(0x30, d, l, 1, len);
}

static uint8_t *mk_value_der(size_t n, size_t *len)
{
    uint8_t *s = malloc(n + 1);
    assert_non_null(s);
    memset(s, 'v', n);
    size_t l = 0, cl = 0;
    uint8_t *vals = ct_tlv(0x0C, s, n, 1, &l);
    vals = ct_tlv(0x30, vals, l, 1, &l);
    uint8_t a[] = {'a'};
    uint8_t *claim = ct_tlv(0x16, a, 1, 0, &cl);
    uint8_t *d = ct_cat(claim, cl, vals, l, &l);
    d = ct_tlv(0x30, d, l, 1, &l);
    d = ct_tlv(0x30, d, l, 1, &l);
    d = ct_tlv(0xA1, d, l, 1, &l);
    return ct_tlv(0x30, d, l, 1, len);
}

static void reject_lengths(void **state)
{
    (void)state;
    for (size_t n = CLID_CLAIM_NAME_MAX_LEN; n <= CLID_CLAIM_NAME_MAX_LEN + 1; n++) {
        size_t len = 0;
        uint8_t *der = mk_name_der(n, &len);
        clid_jwtcc *c = NULL;
        clid_err rc = clid_jwtcc_decode(CLID_JWTCC_RFC8226, der, len, &c);
        assert_err(rc, n <= CLID_CLAIM_NAME_MAX_LEN ? CLID_OK : CLID_ERR_BAD_CLAIM_CONSTRAINT);
        if (rc == CLID_OK)
            assert_int_equal(strlen(clid_jwtcc_must_include(c, 0)), n);
        clid_jwtcc_free(c);
        free(der);
    }
    for (size_t n = CLID_CLAIM_VALUE_MAX_LEN; n <= CLID_CLAIM_VALUE_MAX_LEN + 1; n++) {
        size_t len = 0;
        uint8_t *der = mk_value_der(n, &len);
        clid_jwtcc *c = NULL;
        clid_err rc = clid_jwtcc_decode(CLID_JWTCC_RFC8226, der, len, &c);
        assert_err(rc, n <= CLID_CLAIM_VALUE_MAX_LEN ? CLID_OK : CLID_ERR_BAD_CLAIM_CONSTRAINT);
        if (rc == CLID_OK) {
            assert_int_equal(strlen(clid_jwtcc_permitted_value(c, 0, 0)), n);
            ct_assert_roundtrip(&codec8226, der, len); /* 2-byte DER lengths are canonical */
        }
        clid_jwtcc_free(c);
        free(der);
    }
}

/* mustInclude with n distinct 5-character names; n * 7 bytes of content
 * needs 2-byte DER lengths at every level. */
static uint8_t *many_names_der(size_t n, size_t *len)
{
    size_t body = n * 7;
    assert_true(body + 8 <= 0xffff);
    uint8_t *der = malloc(body + 12);
    assert_non_null(der);
    const uint8_t tags[3] = {0x30, 0xA0, 0x30};
    for (size_t i = 0; i < 3; i++) {
        size_t l = body + 8 - 4 * i;
        der[4 * i] = tags[i], der[4 * i + 1] = 0x82;
        der[4 * i + 2] = (uint8_t)(l >> 8), der[4 * i + 3] = (uint8_t)l;
    }
    for (size_t i = 0; i < n; i++) {
        char name[24];
        snprintf(name, sizeof name, "n%04u", (unsigned)(i % 10000));
        der[12 + 7 * i] = 0x16, der[12 + 7 * i + 1] = 5;
        memcpy(der + 12 + 7 * i + 2, name, 5);
    }
    *len = body + 12;
    return der;
}

static void entry_limit(void **state)
{
    (void)state;
    size_t len = 0;
    uint8_t *der = many_names_der(CLID_EXT_MAX_ENTRIES, &len);
    clid_jwtcc *c = NULL;
    assert_ok(clid_jwtcc_decode(CLID_JWTCC_RFC8226, der, len, &c));
    assert_int_equal(clid_jwtcc_must_include_count(c), CLID_EXT_MAX_ENTRIES);
    assert_string_equal(clid_jwtcc_must_include(c, CLID_EXT_MAX_ENTRIES - 1), "n4095");
    assert_err(clid_jwtcc_add_must_include(c, "one-more"), CLID_ERR_DER_CONSTRAINT);
    clid_jwtcc_free(c);
    ct_assert_roundtrip(&codec8226, der, len);
    free(der);
    der = many_names_der(CLID_EXT_MAX_ENTRIES + 1, &len);
    c = (clid_jwtcc *)&c;
    assert_err(clid_jwtcc_decode(CLID_JWTCC_RFC9118, der, len, &c), CLID_ERR_DER_CONSTRAINT);
    assert_null(c);
    free(der);
}

static void reject_bad_arguments(void **state)
{
    (void)state;
    clid_jwtcc *c = NULL;
    const uint8_t der[] = {0x30, 0x00};
    assert_err(clid_jwtcc_decode((clid_jwtcc_kind)2, der, sizeof der, &c),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_jwtcc_decode(CLID_JWTCC_RFC8226, der, sizeof der, NULL),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_jwtcc_decode(CLID_JWTCC_RFC8226, NULL, 2, &c), CLID_ERR_INVALID_ARGUMENT);
    assert_null(c);
}

static void sweeps(void **state)
{
    (void)state;
    ct_sweep_all_hex(&codec8226, G_8226_FULL);
    ct_sweep_all_hex(&codec8226, G_8226_INC);
    ct_sweep_all_hex(&codec8226, G_8226_PERM);
    ct_sweep_all_hex(&codec9118, G_9118_FULL);
    ct_sweep_all_hex(&codec9118, G_9118_EXC);
    ct_sweep_all_hex(&codec9118, G_UTF8_VALUE);
}

/* ------------------------------------------------------------------------ */
/* Builder API                                                               */
/* ------------------------------------------------------------------------ */

static void add_validation(void **state)
{
    (void)state;
    clid_jwtcc *c = NULL;
    assert_err(clid_jwtcc_new(CLID_JWTCC_RFC8226, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_jwtcc_new((clid_jwtcc_kind)7, &c), CLID_ERR_INVALID_ARGUMENT);
    assert_null(c);
    c = mk(CLID_JWTCC_RFC8226);

    assert_err(clid_jwtcc_add_must_include(NULL, "rcd"), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_jwtcc_add_must_include(c, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_jwtcc_add_must_include(c, ""), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    assert_err(clid_jwtcc_add_must_include(c, "a b"), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    assert_err(clid_jwtcc_add_must_include(c, "a\"b"), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    assert_err(clid_jwtcc_add_must_include(c, "a\\b"), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    assert_err(clid_jwtcc_add_must_include(c, "r\xc3\xa9"), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    char name[CLID_CLAIM_NAME_MAX_LEN + 2];
    memset(name, 'n', sizeof name - 1);
    name[sizeof name - 1] = '\0';
    assert_err(clid_jwtcc_add_must_include(c, name), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    name[CLID_CLAIM_NAME_MAX_LEN] = '\0';
    assert_ok(clid_jwtcc_add_must_include(c, name));
    assert_ok(clid_jwtcc_add_must_include(c, "rcd"));
    assert_err(clid_jwtcc_add_must_include(c, "rcd"), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    assert_ok(clid_jwtcc_add_must_include(c, "rcdi")); /* not a duplicate of "rcd" */
    /* RFC 8226 has no mustExclude. */
    assert_err(clid_jwtcc_add_must_exclude(c, "div"), CLID_ERR_UNSUPPORTED);
    assert_err(clid_jwtcc_add_must_exclude(NULL, "div"), CLID_ERR_INVALID_ARGUMENT);

    assert_err(clid_jwtcc_add_permitted(NULL, "a", "b"), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_jwtcc_add_permitted(c, NULL, "b"), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_jwtcc_add_permitted(c, "a", NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_jwtcc_add_permitted(c, "", "b"), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    assert_err(clid_jwtcc_add_permitted(c, "a", "\x01"), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    assert_err(clid_jwtcc_add_permitted(c, "a", "line\nbreak"), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    assert_err(clid_jwtcc_add_permitted(c, "a", "\xc3"), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    assert_err(clid_jwtcc_add_permitted(c, "a", "\xed\xa0\x80"), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    char value[CLID_CLAIM_VALUE_MAX_LEN + 2];
    memset(value, 'v', sizeof value - 1);
    value[sizeof value - 1] = '\0';
    assert_err(clid_jwtcc_add_permitted(c, "a", value), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    /* Refused adds must not leave an empty claim entry behind. */
    assert_int_equal(clid_jwtcc_permitted_count(c), 0);
    value[CLID_CLAIM_VALUE_MAX_LEN] = '\0';
    assert_ok(clid_jwtcc_add_permitted(c, "a", value));
    assert_ok(clid_jwtcc_add_permitted(c, "a", "T\xc3\xa9l\xc3\xa9" "com"));
    assert_err(clid_jwtcc_add_permitted(c, "a", "T\xc3\xa9l\xc3\xa9" "com"),
               CLID_ERR_BAD_CLAIM_CONSTRAINT);
    assert_ok(clid_jwtcc_add_permitted(c, "b", "T\xc3\xa9l\xc3\xa9" "com"));
    assert_int_equal(clid_jwtcc_permitted_count(c), 2);
    assert_int_equal(clid_jwtcc_permitted_value_count(c, 0), 2);
    assert_int_equal(clid_jwtcc_must_include_count(c), 3);
    clid_jwtcc_free(c);

    c = mk(CLID_JWTCC_RFC9118);
    assert_ok(clid_jwtcc_add_must_exclude(c, "div"));
    assert_err(clid_jwtcc_add_must_exclude(c, "div"), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    assert_err(clid_jwtcc_add_must_exclude(c, "d v"), CLID_ERR_BAD_CLAIM_CONSTRAINT);
    assert_int_equal(clid_jwtcc_must_exclude_count(c), 1);
    clid_jwtcc_free(c);
}

static void getters(void **state)
{
    (void)state;
    clid_jwtcc *c = mk(CLID_JWTCC_RFC9118);
    assert_ok(clid_jwtcc_add_permitted(c, "attest", "A"));
    assert_null(clid_jwtcc_must_include(c, 0));
    assert_null(clid_jwtcc_must_exclude(c, 0));
    assert_null(clid_jwtcc_permitted_claim(c, 1));
    assert_null(clid_jwtcc_permitted_value(c, 0, 1));
    assert_null(clid_jwtcc_permitted_value(c, 1, 0));
    assert_int_equal(clid_jwtcc_permitted_value_count(c, 1), 0);
    assert_int_equal(clid_jwtcc_must_include_count(NULL), 0);
    assert_int_equal(clid_jwtcc_must_exclude_count(NULL), 0);
    assert_int_equal(clid_jwtcc_permitted_count(NULL), 0);
    assert_null(clid_jwtcc_must_include(NULL, 0));
    assert_null(clid_jwtcc_permitted_claim(NULL, 0));
    assert_null(clid_jwtcc_permitted_value(NULL, 0, 0));
    clid_jwtcc_free(NULL);

    clid_jwtcc *d = NULL;
    assert_err(clid_jwtcc_dup(NULL, &d), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_jwtcc_dup(c, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_ok(clid_jwtcc_dup(c, &d));
    assert_true(clid_jwtcc_equal(c, d));
    assert_ok(clid_jwtcc_add_permitted(d, "attest", "B"));
    assert_false(clid_jwtcc_equal(c, d)); /* values differ */
    clid_jwtcc_free(d);
    assert_ok(clid_jwtcc_dup(c, &d));
    assert_ok(clid_jwtcc_add_must_exclude(d, "div"));
    assert_false(clid_jwtcc_equal(c, d));
    clid_jwtcc_free(d);
    assert_ok(clid_jwtcc_dup(c, &d));
    assert_ok(clid_jwtcc_add_must_include(d, "rcd"));
    assert_false(clid_jwtcc_equal(c, d));
    clid_jwtcc_free(d);
    d = mk(CLID_JWTCC_RFC9118);
    assert_ok(clid_jwtcc_add_permitted(d, "attesT", "A"));
    assert_false(clid_jwtcc_equal(c, d)); /* claim names are case-sensitive */
    clid_jwtcc_free(d);
    assert_false(clid_jwtcc_equal(c, NULL));
    assert_false(clid_jwtcc_equal(NULL, c));
    clid_jwtcc_free(c);
}

static void encode_contract(void **state)
{
    (void)state;
    clid_jwtcc *c = mk(CLID_JWTCC_RFC8226);
    size_t n = 0;
    assert_err(clid_jwtcc_encode(c, NULL, 0, &n), CLID_ERR_DER_CONSTRAINT); /* no field */
    assert_ok(clid_jwtcc_add_must_include(c, "rcd"));
    assert_err(clid_jwtcc_encode(NULL, NULL, 0, &n), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_jwtcc_encode(c, NULL, 0, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_ok(clid_jwtcc_encode(c, NULL, 0, &n));
    assert_int_equal(n, 11);
    uint8_t buf[11];
    n = 0;
    assert_err(clid_jwtcc_encode(c, buf, 10, &n), CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 11);
    assert_ok(clid_jwtcc_encode(c, buf, sizeof buf, &n));
    assert_memory_equal(buf, "\x30\x09\xA0\x07\x30\x05\x16\x03rcd", 11);
    clid_jwtcc_free(c);

    c = mk(CLID_JWTCC_RFC9118);
    assert_err(clid_jwtcc_encode(c, NULL, 0, &n), CLID_ERR_DER_CONSTRAINT);
    clid_jwtcc_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_8226),     cmocka_unit_test(golden_9118),
        cmocka_unit_test(kinds_share_encoding), cmocka_unit_test(build_round_trips),
        cmocka_unit_test(reject_structure), cmocka_unit_test(reject_content),
        cmocka_unit_test(reject_lengths),  cmocka_unit_test(entry_limit),
        cmocka_unit_test(reject_bad_arguments),
        cmocka_unit_test(sweeps),          cmocka_unit_test(add_validation),
        cmocka_unit_test(getters),         cmocka_unit_test(encode_contract),
    };
    return cmocka_run_group_tests_name("jwtcc", tests, NULL, NULL);
}
