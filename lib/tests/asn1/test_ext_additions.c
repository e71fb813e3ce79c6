/*
 * X.680 extensibility in the strict DER decoders (asn1/der_struct.h):
 * RFC 8226's TelephoneNumberRange ("start, count, ...") and clid's
 * SignallingEntity ("role [0] ... operatorName [5], ...") may carry
 * extension additions of a later version of their module. This version
 * reads them past, as X.680 asks, while the known part stays strict DER
 * and every addition must itself be DER. Types without an extension marker
 * (RFC 8226 JWTClaimConstraints, RFC 9118 EnhancedJWTClaimConstraints)
 * still refuse any unknown element. Byte-level cases; the same values are
 * cross-checked with asn1crypto in interop-tests/asn1.
 */
#include "asn1/der_struct.h"
#include "core/internal.h"
#include "support/clid_test.h"

/* ------------------------------------------------------------------------ */
/* Building encodings with the right lengths                                 */
/* ------------------------------------------------------------------------ */

typedef struct buf {
    uint8_t *p;
    size_t n;
} buf;

static buf from_hex(const char *hex)
{
    buf b = {NULL, 0};
    b.p = ct_hex(hex, &b.n);
    return b;
}

/* tag, DER length, contents; frees `c`. */
static buf wrap(uint8_t tag, buf c)
{
    uint8_t h[6];
    size_t hl = 0;
    h[hl++] = tag;
    if (c.n < 0x80) {
        h[hl++] = (uint8_t)c.n;
    } else if (c.n < 0x100) {
        h[hl++] = 0x81;
        h[hl++] = (uint8_t)c.n;
    } else {
        assert_true(c.n < 0x10000);
        h[hl++] = 0x82;
        h[hl++] = (uint8_t)(c.n >> 8);
        h[hl++] = (uint8_t)c.n;
    }
    buf out = {malloc(hl + c.n), hl + c.n};
    assert_non_null(out.p);
    memcpy(out.p, h, hl);
    if (c.n)
        memcpy(out.p + hl, c.p, c.n);
    free(c.p);
    return out;
}

static buf cat(buf a, buf b)
{
    buf out = {malloc(a.n + b.n + 1), a.n + b.n};
    assert_non_null(out.p);
    if (a.n)
        memcpy(out.p, a.p, a.n);
    if (b.n)
        memcpy(out.p + a.n, b.p, b.n);
    free(a.p);
    free(b.p);
    return out;
}

#define START "16 0B 31 32 30 32 35 35 35 30 30 30 30" /* "12025550000" */
#define COUNT "02 01 64"                                 /* 100 */
/* range {"12025550000", 100} alone: what every accepted case decodes to */
#define G_RANGE "30 14 A1 12 30 10 " START " " COUNT

/* The list { range { <before> start <between> count <after> } }. */
static buf range_with(const char *before, const char *between, const char *after)
{
    buf seq = cat(cat(cat(cat(from_hex(before), from_hex(START)), from_hex(between)),
                      from_hex(COUNT)),
                  from_hex(after));
    return wrap(0x30, wrap(0xA1, wrap(0x30, seq)));
}

/* ------------------------------------------------------------------------ */
/* TelephoneNumberRange                                                      */
/* ------------------------------------------------------------------------ */

/* `in` decodes, to the range alone, and re-encodes without the additions. */
static void expect_range_known(const char *what, buf in)
{
    clid_tnauth *l = NULL;
    clid_err rc = clid_tnauth_decode(in.p, in.n, &l);
    if (rc != CLID_OK)
        fail_msg("%s: refused with %s", what, clid_err_name(rc));
    assert_int_equal(clid_tnauth_count(l), 1);
    clid_tnauth_entry e;
    assert_ok(clid_tnauth_get(l, 0, &e));
    assert_int_equal(e.kind, CLID_TNAUTH_RANGE);
    assert_string_equal(e.value, "12025550000");
    assert_int_equal(e.count, 100);
    size_t g_len = 0, re_len = 0;
    uint8_t *g = ct_hex(G_RANGE, &g_len);
    uint8_t re[64];
    assert_ok(clid_tnauth_encode(l, re, sizeof re, &re_len));
    assert_int_equal(re_len, g_len);
    assert_memory_equal(re, g, g_len);
    free(g);
    clid_tnauth_free(l);
    free(in.p);
}

static void expect_range_refused(const char *what, buf in, clid_err expected)
{
    clid_tnauth *l = (clid_tnauth *)&l;
    clid_err rc = clid_tnauth_decode(in.p, in.n, &l);
    if (rc != expected)
        fail_msg("%s: got %s, expected %s", what, clid_err_name(rc), clid_err_name(expected));
    assert_null(l);
    free(in.p);
}

/* One addition of each kind of type, after count. */
static void range_one_addition(void **state)
{
    (void)state;
    static const struct {
        const char *what, *hex;
    } cases[] = {
        {"NULL", "05 00"},
        {"INTEGER", "02 01 05"},
        {"negative INTEGER", "02 01 FB"},
        {"INTEGER beyond 2^64", "02 09 01 00 00 00 00 00 00 00 00"},
        {"BOOLEAN TRUE", "01 01 FF"},
        {"IA5String", "16 03 41 42 43"},
        {"a second TelephoneNumber", START},
        {"UTF8String", "0C 02 C3 A9"},
        {"OCTET STRING", "04 02 00 FF"},
        {"OBJECT IDENTIFIER", "06 03 2B 06 01"},
        {"BIT STRING", "03 02 07 80"},
        {"empty BIT STRING", "03 01 00"},
        {"[0] primitive", "80 01 00"},
        {"[5] constructed", "A5 03 02 01 01"},
        {"SEQUENCE", "30 06 02 01 01 16 01 78"},
        {"empty SEQUENCE", "30 00"},
        {"SET", "31 03 02 01 01"},
        {"high tag number [31]", "9F 1F 00"},
        {"application [3]", "43 01 07"},
        {"private [1] constructed", "E1 02 05 00"},
    };
    for (size_t i = 0; i < CLID_ARRAY_LEN(cases); i++)
        expect_range_known(cases[i].what, range_with("", "", cases[i].hex));
}

static void range_several_additions(void **state)
{
    (void)state;
    expect_range_known("three additions", range_with("", "", "05 00 02 01 07 A6 02 05 00"));
    expect_range_known("two additions with the same tag", range_with("", "", "02 01 01 02 01 02"));
    /* A 200-byte addition: its length in the long form, as DER wants. */
    buf big = {calloc(1, 200), 200};
    assert_non_null(big.p);
    buf add = wrap(0x04, big);
    buf seq = cat(cat(from_hex(START), from_hex(COUNT)), add);
    expect_range_known("200-byte OCTET STRING", wrap(0x30, wrap(0xA1, wrap(0x30, seq))));
    /* Nested constructed additions. */
    expect_range_known("nested", range_with("", "", "A7 0A 30 08 31 06 A0 04 30 02 05 00"));
}

/* A range with additions among other entries: each is read. */
static void range_addition_among_entries(void **state)
{
    (void)state;
    buf spc = from_hex("A0 06 16 04 37 30 39 4A");
    buf rng = wrap(0xA1, wrap(0x30, cat(cat(from_hex(START), from_hex(COUNT)),
                                        from_hex("02 01 05"))));
    buf one = from_hex("A2 0D 16 0B 31 32 30 32 35 35 35 31 30 30 30");
    buf in = wrap(0x30, cat(cat(spc, rng), one));
    clid_tnauth *l = NULL;
    assert_ok(clid_tnauth_decode(in.p, in.n, &l));
    assert_int_equal(clid_tnauth_count(l), 3);
    assert_true(clid_tnauth_covers_tn(l, "12025550099", 0));
    assert_true(clid_tnauth_covers_tn(l, "12025551000", 0));
    assert_false(clid_tnauth_covers_tn(l, "12025550100", 0));
    clid_tnauth_free(l);
    free(in.p);
}

/* An addition that is not DER is refused like any other BER form. */
static void range_addition_not_der(void **state)
{
    (void)state;
    static const struct {
        const char *what, *hex;
        clid_err rc;
    } cases[] = {
        {"long-form length", "05 81 00", CLID_ERR_DER_NOT_CANONICAL},
        {"long-form length with a leading zero", "04 82 00 01 00", CLID_ERR_DER_NOT_CANONICAL},
        {"indefinite length", "30 80 02 01 01 00 00", CLID_ERR_DER_NOT_CANONICAL},
        {"non-minimal INTEGER", "02 02 00 05", CLID_ERR_DER_NOT_CANONICAL},
        {"non-minimal negative INTEGER", "02 02 FF 85", CLID_ERR_DER_NOT_CANONICAL},
        {"BOOLEAN 01", "01 01 01", CLID_ERR_DER_NOT_CANONICAL},
        {"constructed IA5String", "36 03 16 01 41", CLID_ERR_DER_NOT_CANONICAL},
        {"constructed OCTET STRING", "24 04 04 02 00 FF", CLID_ERR_DER_NOT_CANONICAL},
        {"BIT STRING padding bits set", "03 02 07 81", CLID_ERR_DER_NOT_CANONICAL},
        {"OBJECT IDENTIFIER arc with a leading 0x80", "06 03 2B 80 01",
         CLID_ERR_DER_NOT_CANONICAL},
        {"high tag number form for [5]", "9F 05 00", CLID_ERR_DER_NOT_CANONICAL},
        {"non-DER length inside a constructed addition", "A5 04 05 81 00 00",
         CLID_ERR_DER_NOT_CANONICAL},
        {"non-DER INTEGER inside a SEQUENCE addition", "30 04 02 02 00 01",
         CLID_ERR_DER_NOT_CANONICAL},
        {"NULL with contents", "05 01 00", CLID_ERR_DER_MALFORMED},
        {"BOOLEAN of two octets", "01 02 FF FF", CLID_ERR_DER_MALFORMED},
        {"empty INTEGER", "02 00", CLID_ERR_DER_MALFORMED},
        {"BIT STRING with 8 unused bits", "03 02 08 00", CLID_ERR_DER_MALFORMED},
        {"primitive SEQUENCE", "10 00", CLID_ERR_DER_MALFORMED},
        {"end-of-contents octets", "00 00", CLID_ERR_DER_MALFORMED},
        {"contents of a constructed addition are no TLVs", "A5 02 FF FF",
         CLID_ERR_DER_MALFORMED},
        {"inner TLV overruns its constructed addition", "A5 03 04 05 00", CLID_ERR_DER_MALFORMED},
    };
    for (size_t i = 0; i < CLID_ARRAY_LEN(cases); i++)
        expect_range_refused(cases[i].what, range_with("", "", cases[i].hex), cases[i].rc);
    /* Additions nested beyond CLID_DER_MAX_DEPTH. */
    buf deep = from_hex("05 00");
    for (int i = 0; i < CLID_DER_MAX_DEPTH + 1; i++)
        deep = wrap(0x30, deep);
    buf seq = cat(cat(from_hex(START), from_hex(COUNT)), deep);
    expect_range_refused("addition nested too deep", wrap(0x30, wrap(0xA1, wrap(0x30, seq))),
                         CLID_ERR_DER_NOT_CANONICAL);
}

/* Additions go after the extension root, nowhere else. */
static void range_addition_out_of_place(void **state)
{
    (void)state;
    expect_range_refused("before start", range_with("05 00", "", ""), CLID_ERR_DER_MALFORMED);
    expect_range_refused("between start and count", range_with("", "05 00", ""),
                         CLID_ERR_DER_MALFORMED);
    expect_range_refused("a lone byte after count", range_with("", "", "FF"),
                         CLID_ERR_DER_MALFORMED);
    expect_range_refused("a truncated addition", range_with("", "", "04 05 00"),
                         CLID_ERR_DER_MALFORMED);
    /* TNEntry is a CHOICE without extension marker, the [1] wrapper holds
     * exactly one value, and the list is a SEQUENCE OF TNEntry. */
    buf in = wrap(0x30, wrap(0xA1, cat(from_hex("30 10 " START " " COUNT), from_hex("05 00"))));
    clid_tnauth *l = NULL;
    clid_err rc = clid_tnauth_decode(in.p, in.n, &l);
    assert_int_not_equal(rc, CLID_OK);
    assert_null(l);
    free(in.p);
    expect_range_refused("an element after the entry in the list",
                         wrap(0x30, cat(from_hex("A1 12 30 10 " START " " COUNT),
                                        from_hex("05 00"))),
                         CLID_ERR_DER_MALFORMED);
    expect_range_refused("trailing bytes after the list", cat(from_hex(G_RANGE), from_hex("05 00")),
                         CLID_ERR_DER_TRAILING_DATA);
    /* The known part keeps the strict rules: a long-form length around a
     * range that has additions. */
    buf seq = cat(cat(from_hex(START), from_hex(COUNT)), from_hex("05 00"));
    buf inner = wrap(0x30, seq);
    buf lf = cat(from_hex("A1 81"), from_hex("14"));
    lf = cat(lf, inner);
    expect_range_refused("long-form length of [1]", wrap(0x30, lf), CLID_ERR_DER_NOT_CANONICAL);
    expect_range_refused("non-minimal count with an addition",
                         wrap(0x30, wrap(0xA1, wrap(0x30, cat(from_hex(START),
                                                              from_hex("02 02 00 64 05 00"))))),
                         CLID_ERR_DER_NOT_CANONICAL);
}

/* ------------------------------------------------------------------------ */
/* SignallingEntity (IMPLICIT TAGS, root components [0] to [5])              */
/* ------------------------------------------------------------------------ */

static void entity_additions(void **state)
{
    (void)state;
    static const struct {
        const char *what, *hex; /* the SEQUENCE's contents */
        clid_err rc;
    } cases[] = {
        {"[6] after role", "80 01 00 86 01 00", CLID_OK},
        {"[6] constructed", "80 01 00 A6 03 02 01 05", CLID_OK},
        {"[6] and [7]", "80 01 00 86 01 00 87 00", CLID_OK},
        {"[7] then [6]", "80 01 00 87 00 86 01 00", CLID_OK},
        {"a universal INTEGER", "80 01 00 02 01 05", CLID_OK},
        {"[6] after countries and carrier",
         "80 01 00 A1 04 16 02 34 34 82 02 41 42 86 01 00", CLID_OK},
        {"[6] in long form", "80 01 00 86 81 01 00", CLID_ERR_DER_NOT_CANONICAL},
        {"[6] before a known field", "80 01 00 86 01 00 A1 04 16 02 34 34",
         CLID_ERR_DER_NOT_CANONICAL},
        {"[6] between known fields", "80 01 00 A1 04 16 02 34 34 86 01 00 82 02 41 42",
         CLID_ERR_DER_NOT_CANONICAL},
        {"a known field out of order", "80 01 00 82 02 41 42 A1 04 16 02 34 34",
         CLID_ERR_DER_NOT_CANONICAL},
        {"role twice", "80 01 00 80 01 03", CLID_ERR_DER_NOT_CANONICAL},
        {"operatorName twice", "80 01 00 85 01 41 85 01 42", CLID_ERR_DER_NOT_CANONICAL},
        {"[6] before role", "86 01 00 80 01 00", CLID_ERR_DER_MALFORMED},
    };
    for (size_t i = 0; i < CLID_ARRAY_LEN(cases); i++) {
        buf in = wrap(0x30, from_hex(cases[i].hex));
        clid_entity *e = (clid_entity *)&e;
        clid_err rc = clid_entity_decode(in.p, in.n, &e);
        if (rc != cases[i].rc)
            fail_msg("entity: %s: got %s, expected %s", cases[i].what, clid_err_name(rc),
                     clid_err_name(cases[i].rc));
        if (rc == CLID_OK) {
            assert_int_equal(clid_entity_get_role(e), CLID_ROLE_ORIGINATING_GATEWAY);
            /* The known part re-encodes alone. */
            uint8_t re[64];
            size_t re_len = 0;
            assert_ok(clid_entity_encode(e, re, sizeof re, &re_len));
            assert_true(re_len < in.n);
            clid_entity_free(e);
        } else {
            assert_null(e);
        }
        free(in.p);
    }
    /* The fields before the addition are read. */
    buf in = wrap(0x30, from_hex("80 01 01 A1 04 16 02 34 34 82 02 41 42 86 01 00"));
    clid_entity *e = NULL;
    assert_ok(clid_entity_decode(in.p, in.n, &e));
    assert_int_equal(clid_entity_get_role(e), CLID_ROLE_INTERNATIONAL_GATEWAY);
    assert_int_equal(clid_entity_country_count(e), 1);
    assert_string_equal(clid_entity_country(e, 0), "44");
    assert_string_equal(clid_entity_carrier(e), "AB");
    clid_entity_free(e);
    free(in.p);
}

/* EntityRole is extensible too, but a role this version cannot read is
 * never guessed (docs/q3063-profile.md §3.4). */
static void entity_unknown_role(void **state)
{
    (void)state;
    static const char *const roles[] = {"80 01 04", "80 01 7F", "80 01 FF",
                                        "80 09 01 00 00 00 00 00 00 00 00"};
    for (size_t i = 0; i < CLID_ARRAY_LEN(roles); i++) {
        buf in = wrap(0x30, from_hex(roles[i]));
        clid_entity *e = (clid_entity *)&e;
        assert_err(clid_entity_decode(in.p, in.n, &e), CLID_ERR_BAD_ENTITY);
        assert_null(e);
        free(in.p);
    }
}

/* ------------------------------------------------------------------------ */
/* Types without an extension marker                                         */
/* ------------------------------------------------------------------------ */

static void jwtcc_not_extensible(void **state)
{
    (void)state;
    /* mustInclude {"rcd"} then an element neither type knows. */
    static const char *const extras[] = {"A5 02 05 00", "05 00", "02 01 05"};
    for (size_t i = 0; i < CLID_ARRAY_LEN(extras); i++) {
        for (int k = 0; k < 2; k++) {
            buf in = wrap(0x30, cat(from_hex("A0 07 30 05 16 03 72 63 64"), from_hex(extras[i])));
            clid_jwtcc *c = (clid_jwtcc *)&c;
            clid_err rc = clid_jwtcc_decode(k ? CLID_JWTCC_RFC9118 : CLID_JWTCC_RFC8226, in.p,
                                            in.n, &c);
            assert_int_not_equal(rc, CLID_OK);
            assert_null(c);
            free(in.p);
        }
    }
}

/* ------------------------------------------------------------------------ */
/* The checker itself                                                        */
/* ------------------------------------------------------------------------ */

static clid_err check_hex(const char *hex)
{
    size_t n = 0;
    uint8_t *p = ct_hex(hex, &n);
    clid_err rc = clid__der_check_tlvs(p, n, CLID_DER_MAX_DEPTH);
    free(p);
    return rc;
}

static void check_tlvs(void **state)
{
    (void)state;
    assert_ok(check_hex(""));
    assert_ok(check_hex("05 00 02 01 00 02 01 80 02 02 00 80 02 02 FF 7F"));
    assert_ok(check_hex("9F 81 00 00")); /* tag 128: two tag octets */
    assert_err(check_hex("02 02 00 7F"), CLID_ERR_DER_NOT_CANONICAL);
    assert_err(check_hex("02 02 FF 80"), CLID_ERR_DER_NOT_CANONICAL);
    assert_err(check_hex("9F 80 01 00"), CLID_ERR_DER_NOT_CANONICAL); /* leading 0x80 */
    assert_err(check_hex("9F 1E 00"), CLID_ERR_DER_NOT_CANONICAL);    /* 30 fits one octet */
    assert_err(check_hex("9F 81 81 81 81 01 00"), CLID_ERR_DER_MALFORMED);
    assert_err(check_hex("04 85 00 00 00 00 01 00"), CLID_ERR_DER_MALFORMED); /* 5 octets */
    assert_err(check_hex("04 FF"), CLID_ERR_DER_MALFORMED);
    assert_err(check_hex("04"), CLID_ERR_DER_MALFORMED);
    assert_err(check_hex("04 01"), CLID_ERR_DER_MALFORMED);
    assert_err(check_hex("04 81 7F 00"), CLID_ERR_DER_NOT_CANONICAL);
    assert_err(check_hex("06 01 81"), CLID_ERR_DER_NOT_CANONICAL); /* unfinished arc */
    assert_err(check_hex("06 00"), CLID_ERR_DER_NOT_CANONICAL);
    size_t n = 0;
    uint8_t *p = ct_hex("30 02 30 00", &n);
    assert_err(clid__der_check_tlvs(p, n, 1), CLID_ERR_DER_NOT_CANONICAL);
    assert_ok(clid__der_check_tlvs(p, n, 2));
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(range_one_addition),
        cmocka_unit_test(range_several_additions),
        cmocka_unit_test(range_addition_among_entries),
        cmocka_unit_test(range_addition_not_der),
        cmocka_unit_test(range_addition_out_of_place),
        cmocka_unit_test(entity_additions),
        cmocka_unit_test(entity_unknown_role),
        cmocka_unit_test(jwtcc_not_extensible),
        cmocka_unit_test(check_tlvs),
    };
    return cmocka_run_group_tests_name("ext_additions", tests, NULL, NULL);
}
