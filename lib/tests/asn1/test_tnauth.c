/*
 * TNAuthList (RFC 8226 §9): building, strict DER (deps notes §1.5/§1.6),
 * and the authority questions (covers a TN; encompasses a delegate's list,
 * RFC 9060 §4).
 */
#include "support/clid_test.h"

/* ------------------------------------------------------------------------ */
/* Codec seen by the generic sweeps                                          */
/* ------------------------------------------------------------------------ */

static clid_err dec(const uint8_t *der, size_t len, void **out)
{
    clid_tnauth *l = *out; /* keep the caller's poison: decode must reset it */
    clid_err rc = clid_tnauth_decode(der, len, &l);
    *out = l;
    return rc;
}

static clid_err enc(const void *v, uint8_t *out, size_t cap, size_t *out_len)
{
    return clid_tnauth_encode(v, out, cap, out_len);
}

static void fre(void *v)
{
    clid_tnauth_free(v);
}

static const ct_codec codec = {"tnauth", dec, enc, fre};

/* ------------------------------------------------------------------------ */
/* Golden encodings (EXPLICIT tags: the TN-Module-2016 errata form seen in   */
/* SHAKEN certificates; cross-checked by interop-tests/asn1 with openssl     */
/* and asn1crypto).                                                          */
/* ------------------------------------------------------------------------ */

/* spc "709J" */
#define G_SPC "30 08 A0 06 16 04 37 30 39 4A"
/* spc "709J", one "12025551000", range {"12025550000", 100} (deps notes §1.7) */
#define G_ALL3                                                                                     \
    "30 2B A0 06 16 04 37 30 39 4A A2 0D 16 0B 31 32 30 32 35 35 35 31 30 30 30 A1 12 30 "        \
    "10 16 0B 31 32 30 32 35 35 35 30 30 30 30 02 01 64"
/* one "*67#" */
#define G_TN_SPECIAL "30 08 A2 06 16 04 2A 36 37 23"
/* range {"000000000000000", 10^15}: the widest range there is */
#define G_RANGE_MAX                                                                                \
    "30 1E A1 1C 30 1A 16 0F 30 30 30 30 30 30 30 30 30 30 30 30 30 30 30 02 07 03 8D 7E "        \
    "A4 C6 80 00"
/* range {"12025550000", 100} alone */
#define G_RANGE "30 14 A1 12 30 10 16 0B 31 32 30 32 35 35 35 30 30 30 30 02 01 64"

/* Builds a list from "spc:X tn:Y range:START+COUNT ..." or fails the test. */
static clid_tnauth *mk(const char *spec)
{
    clid_tnauth *l = NULL;
    assert_ok(clid_tnauth_new(&l));
    char *copy = strdup(spec);
    assert_non_null(copy);
    char *save = NULL;
    for (char *tok = strtok_r(copy, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        if (strncmp(tok, "spc:", 4) == 0) {
            assert_ok(clid_tnauth_add_spc(l, tok + 4));
        } else if (strncmp(tok, "tn:", 3) == 0) {
            assert_ok(clid_tnauth_add_tn(l, tok + 3));
        } else if (strncmp(tok, "range:", 6) == 0) {
            char *plus = strchr(tok, '+');
            assert_non_null(plus);
            *plus = '\0';
            assert_ok(clid_tnauth_add_range(l, tok + 6, strtoull(plus + 1, NULL, 10)));
        } else {
            fail_msg("bad list spec token %s", tok);
        }
    }
    free(copy);
    return l;
}

static void assert_encodes_to(const clid_tnauth *l, const char *hex)
{
    size_t want_len = 0, got_len = 0;
    uint8_t *want = ct_hex(hex, &want_len);
    uint8_t *got = ct_encode(&codec, l, &got_len);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    free(got);
    free(want);
}

static clid_tnauth *decode_hex(const char *hex)
{
    size_t len = 0;
    uint8_t *der = ct_hex(hex, &len);
    clid_tnauth *l = NULL;
    assert_ok(clid_tnauth_decode(der, len, &l));
    free(der);
    return l;
}

static void assert_entry(const clid_tnauth *l, size_t i, clid_tnauth_kind kind, const char *value,
                         uint64_t count)
{
    clid_tnauth_entry e;
    assert_ok(clid_tnauth_get(l, i, &e));
    assert_int_equal(e.kind, kind);
    assert_string_equal(e.value, value);
    assert_int_equal(e.count, count);
}

/* ------------------------------------------------------------------------ */
/* Round trips                                                               */
/* ------------------------------------------------------------------------ */

static void golden_spc(void **state)
{
    (void)state;
    clid_tnauth *l = decode_hex(G_SPC);
    assert_int_equal(clid_tnauth_count(l), 1);
    assert_entry(l, 0, CLID_TNAUTH_SPC, "709J", 0);
    clid_tnauth *b = mk("spc:709J");
    assert_encodes_to(b, G_SPC);
    assert_true(clid_tnauth_equal(l, b));
    clid_tnauth_free(b);
    clid_tnauth_free(l);
}

static void golden_all3(void **state)
{
    (void)state;
    clid_tnauth *l = decode_hex(G_ALL3);
    assert_int_equal(clid_tnauth_count(l), 3);
    assert_entry(l, 0, CLID_TNAUTH_SPC, "709J", 0);
    assert_entry(l, 1, CLID_TNAUTH_TN, "12025551000", 0);
    assert_entry(l, 2, CLID_TNAUTH_RANGE, "12025550000", 100);
    clid_tnauth *b = mk("spc:709J tn:12025551000 range:12025550000+100");
    assert_encodes_to(b, G_ALL3);
    assert_true(clid_tnauth_equal(l, b));
    clid_tnauth_free(b);
    clid_tnauth_free(l);
}

static void golden_others(void **state)
{
    (void)state;
    clid_tnauth *l = decode_hex(G_TN_SPECIAL);
    assert_entry(l, 0, CLID_TNAUTH_TN, "*67#", 0);
    clid_tnauth_free(l);
    l = mk("tn:*67#");
    assert_encodes_to(l, G_TN_SPECIAL);
    clid_tnauth_free(l);

    l = decode_hex(G_RANGE_MAX);
    assert_entry(l, 0, CLID_TNAUTH_RANGE, "000000000000000", UINT64_C(1000000000000000));
    clid_tnauth_free(l);
    l = mk("range:000000000000000+1000000000000000");
    assert_encodes_to(l, G_RANGE_MAX);
    clid_tnauth_free(l);
}

/* build -> encode -> decode -> equal -> re-encode identical, for several
 * shapes including entries that need long-form DER lengths. */
static void build_round_trips(void **state)
{
    (void)state;
    char long_spc[CLID_SPC_MAX_LEN + 1];
    memset(long_spc, 'Z', CLID_SPC_MAX_LEN);
    long_spc[CLID_SPC_MAX_LEN] = '\0';
    char spec_long[128];
    snprintf(spec_long, sizeof spec_long, "spc:%s tn:1", long_spc);
    const char *specs[] = {
        "spc:709J",
        "tn:1",
        "tn:123456789012345",
        "range:0+2",
        "range:10+90",
        "range:999999999999990+10",
        "spc:!~ tn:#*0 range:4470000+10000 spc:1234 tn:4470000",
        spec_long,
    };
    for (size_t i = 0; i < sizeof specs / sizeof specs[0]; i++) {
        clid_tnauth *l = mk(specs[i]);
        size_t len = 0;
        uint8_t *der = ct_encode(&codec, l, &len);
        clid_tnauth *d = NULL;
        assert_ok(clid_tnauth_decode(der, len, &d));
        if (!clid_tnauth_equal(l, d))
            fail_msg("round trip changed %s", specs[i]);
        ct_assert_roundtrip(&codec, der, len);
        clid_tnauth *dup = NULL;
        assert_ok(clid_tnauth_dup(d, &dup));
        assert_true(clid_tnauth_equal(dup, l));
        clid_tnauth_free(dup);
        clid_tnauth_free(d);
        clid_tnauth_free(l);
        free(der);
    }
}

/* A list with many entries: DER long-form lengths are required (and
 * canonical) there; the entry bound CLID_EXT_MAX_ENTRIES applies both when
 * building and when decoding. */
static uint8_t *many_tns_der(size_t n, size_t *len)
{
    size_t body = n * 5; /* A2 03 16 01 '1' */
    uint8_t *der = malloc(body + 4);
    assert_non_null(der);
    assert_true(body <= 0xffff);
    der[0] = 0x30;
    der[1] = 0x82;
    der[2] = (uint8_t)(body >> 8);
    der[3] = (uint8_t)body;
    for (size_t i = 0; i < n; i++)
        memcpy(der + 4 + i * 5, "\xA2\x03\x16\x01\x31", 5);
    *len = body + 4;
    return der;
}

static void entry_limit(void **state)
{
    (void)state;
    size_t len = 0;
    uint8_t *der = many_tns_der(CLID_EXT_MAX_ENTRIES, &len);
    clid_tnauth *l = NULL;
    assert_ok(clid_tnauth_decode(der, len, &l));
    assert_int_equal(clid_tnauth_count(l), CLID_EXT_MAX_ENTRIES);
    /* The builder refuses one more. */
    assert_err(clid_tnauth_add_tn(l, "2"), CLID_ERR_DER_CONSTRAINT);
    assert_int_equal(clid_tnauth_count(l), CLID_EXT_MAX_ENTRIES);
    size_t re_len = 0;
    uint8_t *re = ct_encode(&codec, l, &re_len);
    assert_int_equal(re_len, len);
    assert_memory_equal(re, der, len);
    free(re);
    clid_tnauth_free(l);
    free(der);

    der = many_tns_der(CLID_EXT_MAX_ENTRIES + 1, &len);
    l = (clid_tnauth *)&l;
    assert_err(clid_tnauth_decode(der, len, &l), CLID_ERR_DER_CONSTRAINT);
    assert_null(l);
    free(der);
}

/* Inputs beyond CLID_EXT_MAX_DER are refused before the decoder runs. */
static void size_limit(void **state)
{
    (void)state;
    size_t len = CLID_EXT_MAX_DER + 1;
    uint8_t *der = calloc(1, len);
    assert_non_null(der);
    der[0] = 0x30;
    der[1] = 0x83;
    der[2] = (uint8_t)((len - 5) >> 16);
    der[3] = (uint8_t)((len - 5) >> 8);
    der[4] = (uint8_t)(len - 5);
    clid_tnauth *l = NULL;
    assert_err(clid_tnauth_decode(der, len, &l), CLID_ERR_DER_CONSTRAINT);
    assert_null(l);
    free(der);
}

/* ------------------------------------------------------------------------ */
/* Rejections: deps notes §1.6, one row each, and clid's own checks          */
/* ------------------------------------------------------------------------ */

static void reject_non_der(void **state)
{
    (void)state;
    /* BER that ber_decode accepts: the re-encode comparison catches it. */
    ct_expect_reject(&codec, "long-form outer length", "30 81 08 A0 06 16 04 37 30 39 4A",
                     CLID_ERR_DER_NOT_CANONICAL);
    ct_expect_reject(&codec, "long-form length with a leading zero",
                     "30 82 00 08 A0 06 16 04 37 30 39 4A", CLID_ERR_DER_NOT_CANONICAL);
    ct_expect_reject(&codec, "long-form [0] length", "30 09 A0 81 06 16 04 37 30 39 4A",
                     CLID_ERR_DER_NOT_CANONICAL);
    ct_expect_reject(&codec, "long-form IA5String length", "30 09 A0 07 16 81 04 37 30 39 4A",
                     CLID_ERR_DER_NOT_CANONICAL);
    ct_expect_reject(&codec, "indefinite outer length", "30 80 A0 06 16 04 37 30 39 4A 00 00",
                     CLID_ERR_DER_NOT_CANONICAL);
    ct_expect_reject(&codec, "constructed IA5String",
                     "30 0C A0 0A 36 08 16 02 37 30 16 02 39 4A", CLID_ERR_DER_NOT_CANONICAL);
    ct_expect_reject(&codec, "non-minimal INTEGER count",
                     "30 15 A1 13 30 11 16 0B 31 32 30 32 35 35 35 30 30 30 30 02 02 00 64",
                     CLID_ERR_DER_NOT_CANONICAL);
    /* Extension additions after count are read past (X.680), but not a
     * BER addition: test_ext_additions.c has the cases. */
    ct_expect_reject(&codec, "long-form length of an extension addition",
                     "30 17 A1 15 30 13 16 0B 31 32 30 32 35 35 35 30 30 30 30 02 01 64 05 81 00",
                     CLID_ERR_DER_NOT_CANONICAL);
    /* asn1c 0.9.28 fails an indefinite-length EXPLICIT wrapper outright
     * (deps notes §1.6); legal BER, but never DER, so MALFORMED is fine. */
    ct_expect_reject(&codec, "indefinite [0] wrapper", "30 0A A0 80 16 04 37 30 39 4A 00 00",
                     CLID_ERR_DER_MALFORMED);
}

static void reject_framing(void **state)
{
    (void)state;
    ct_expect_reject(&codec, "empty input", "", CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "trailing byte", G_SPC " 00", CLID_ERR_DER_TRAILING_DATA);
    ct_expect_reject(&codec, "two lists concatenated", G_SPC " " G_SPC,
                     CLID_ERR_DER_TRAILING_DATA);
    ct_expect_reject(&codec, "truncated", "30 08 A0 06 16 04 37 30 39", CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "length 2^32-1", "30 84 FF FF FF FF A0 06 16 04 37 30 39 4A",
                     CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "length 2^63-1", "30 88 7F FF FF FF FF FF FF FF A0 06",
                     CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "inner length past the outer one", "30 08 A0 07 16 04 37 30 39 4A",
                     CLID_ERR_DER_MALFORMED);
}

static void reject_wrong_types(void **state)
{
    (void)state;
    ct_expect_reject(&codec, "IMPLICIT [0] (RFC 8226 before its errata)",
                     "30 06 80 04 37 30 39 4A", CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "UTF8String SPC", "30 08 A0 06 0C 04 37 30 39 4A",
                     CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "OCTET STRING SPC", "30 08 A0 06 04 04 37 30 39 4A",
                     CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "PrintableString TN", "30 07 A2 05 13 03 31 32 33",
                     CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "SET instead of SEQUENCE", "31 08 A0 06 16 04 37 30 39 4A",
                     CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "unknown CHOICE [3]", "30 08 A3 06 16 04 37 30 39 4A",
                     CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "range without count", "30 09 A1 07 30 05 16 03 31 32 33",
                     CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "ENUMERATED count", "30 0C A1 0A 30 08 16 03 31 32 33 0A 01 05",
                     CLID_ERR_DER_MALFORMED);
    ct_expect_reject(&codec, "bare IA5String", "16 04 37 30 39 4A", CLID_ERR_DER_MALFORMED);
}

static void reject_constraints(void **state)
{
    (void)state;
    /* SIZE (1..MAX) is not enforced by asn1c at the top level (A3). */
    ct_expect_reject(&codec, "empty list", "30 00", CLID_ERR_DER_CONSTRAINT);
    /* FROM ("0123456789#*"), even after earlier decodes (A2). */
    ct_expect_reject(&codec, "one=\"12a\"", "30 07 A2 05 16 03 31 32 61", CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "range.start=\"x\"", "30 0A A1 08 30 06 16 01 78 02 01 64",
                     CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "16-digit TN",
                     "30 14 A2 12 16 10 31 32 33 34 35 36 37 38 39 30 31 32 33 34 35 36",
                     CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "empty TN", "30 04 A2 02 16 00", CLID_ERR_DER_CONSTRAINT);
    ct_expect_reject(&codec, "empty range start", "30 09 A1 07 30 05 16 00 02 01 02",
                     CLID_ERR_DER_CONSTRAINT);
    /* INTEGER (2..MAX): count_range below. */
    /* IA5String is 7-bit (X.680 §41): a UTF-8 byte fails the alphabet. */
    ct_expect_reject(&codec, "non-ASCII SPC", "30 08 A0 06 16 04 37 C3 A9 4A",
                     CLID_ERR_DER_CONSTRAINT);
}

static void reject_clid_checks(void **state)
{
    (void)state;
    /* IA5String allows NUL; a C string would silently end at it. */
    ct_expect_reject(&codec, "embedded NUL in SPC", "30 08 A0 06 16 04 37 00 39 4A",
                     CLID_ERR_BAD_SPC);
    ct_expect_reject(&codec, "space in SPC", "30 08 A0 06 16 04 37 20 39 4A", CLID_ERR_BAD_SPC);
    ct_expect_reject(&codec, "control char in SPC", "30 08 A0 06 16 04 37 0A 39 4A",
                     CLID_ERR_BAD_SPC);
    ct_expect_reject(&codec, "empty SPC", "30 04 A0 02 16 00", CLID_ERR_BAD_SPC);
    /* The range would run from 999 to 1003: past its digit count. */
    ct_expect_reject(&codec, "range 999+5", "30 0C A1 0A 30 08 16 03 39 39 39 02 01 05",
                     CLID_ERR_BAD_RANGE);
    ct_expect_reject(&codec, "range 1+2^63-1",
                     "30 11 A1 0F 30 0D 16 01 31 02 08 7F FF FF FF FF FF FF FF",
                     CLID_ERR_BAD_RANGE);
    /* '#' and '*' are TN characters but have no numeric successor. */
    ct_expect_reject(&codec, "range start 12#", "30 0C A1 0A 30 08 16 03 31 32 23 02 01 02",
                     CLID_ERR_BAD_RANGE);

    /* SPC one byte over CLID_SPC_MAX_LEN (built: 65 bytes of 'A'). */
    uint8_t der[4 + 2 + CLID_SPC_MAX_LEN + 1];
    size_t n = CLID_SPC_MAX_LEN + 1;
    der[0] = 0x30;
    der[1] = (uint8_t)(n + 4);
    der[2] = 0xA0;
    der[3] = (uint8_t)(n + 2);
    der[4] = 0x16;
    der[5] = (uint8_t)n;
    memset(der + 6, 'A', n);
    assert_true(n + 4 < 0x80);
    clid_tnauth *l = NULL;
    assert_err(clid_tnauth_decode(der, sizeof der, &l), CLID_ERR_BAD_SPC);
    assert_null(l);
    /* ... and exactly CLID_SPC_MAX_LEN is fine. */
    der[1]--, der[3]--, der[5]--;
    assert_ok(clid_tnauth_decode(der, sizeof der - 1, &l));
    clid_tnauth_free(l);
}

/*
 * RFC 8226 §9: count INTEGER (2..MAX). asn1c reads the INTEGER whole
 * (-fwide-types), so every count that cannot be a range's, from far beyond
 * 2^63 down to negative ones, is the range error it is, not bytes that are
 * no encoding (CLID_ERR_DER_MALFORMED) nor a mere constraint violation.
 */
static void count_range(void **state)
{
    (void)state;
#define RANGE_1202(len_list, len_entry, len_seq, count)                                            \
    "30 " len_list " A1 " len_entry " 30 " len_seq " 16 0B 31 32 30 32 35 35 35 30 30 30 30 " count
    static const struct {
        const char *what, *hex;
    } bad[] = {
        {"2^200", RANGE_1202("2D", "2B", "29", "02 1A 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 "
                                               "00 00 00 00 00 00 00 00 00 00 00")},
        {"2^64", RANGE_1202("1C", "1A", "18", "02 09 01 00 00 00 00 00 00 00 00")},
        {"2^63", RANGE_1202("1C", "1A", "18", "02 09 00 80 00 00 00 00 00 00 00")},
        {"2^63-1", RANGE_1202("1B", "19", "17", "02 08 7F FF FF FF FF FF FF FF")},
        {"10^15, past an 11-digit start", RANGE_1202("1A", "18", "16", "02 07 03 8D 7E A4 C6 80 00")},
        {"-2^70", RANGE_1202("1C", "1A", "18", "02 09 C0 00 00 00 00 00 00 00 00")},
        {"-1", RANGE_1202("14", "12", "10", "02 01 FF")},
        {"zero", RANGE_1202("14", "12", "10", "02 01 00")},
        {"one", RANGE_1202("14", "12", "10", "02 01 01")},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        ct_expect_reject(&codec, bad[i].what, bad[i].hex, CLID_ERR_BAD_RANGE);
    /* The neighbours that are ranges: two numbers, and the widest range. */
    clid_tnauth *l = decode_hex(RANGE_1202("14", "12", "10", "02 01 02"));
    clid_tnauth_entry e;
    assert_ok(clid_tnauth_get(l, 0, &e));
    assert_int_equal(e.count, 2);
    clid_tnauth_free(l);
    l = decode_hex(G_RANGE_MAX);
    assert_ok(clid_tnauth_get(l, 0, &e));
    assert_int_equal(e.count, UINT64_C(1000000000000000));
    clid_tnauth_free(l);
    /* X.690 §8.3.1: no contents octet at all is no INTEGER. */
    ct_expect_reject(&codec, "empty count", RANGE_1202("13", "11", "0F", "02 00"),
                     CLID_ERR_DER_MALFORMED);
    /* Still strict DER: a padded count is refused as BER, even a huge one. */
    ct_expect_reject(&codec, "2^64 with a padding octet",
                     RANGE_1202("1D", "1B", "19", "02 0A 00 01 00 00 00 00 00 00 00 00"),
                     CLID_ERR_DER_NOT_CANONICAL);
#undef RANGE_1202
}

static void reject_bad_arguments(void **state)
{
    (void)state;
    clid_tnauth *l = NULL;
    assert_err(clid_tnauth_decode((const uint8_t *)"\x30", 1, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_tnauth_decode(NULL, 5, &l), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_tnauth_decode(NULL, 0, &l), CLID_ERR_DER_MALFORMED);
    assert_null(l);
}

/* ------------------------------------------------------------------------ */
/* Adversarial sweeps over every golden encoding                             */
/* ------------------------------------------------------------------------ */

static void sweeps(void **state)
{
    (void)state;
    ct_sweep_all_hex(&codec, G_SPC);
    ct_sweep_all_hex(&codec, G_ALL3);
    ct_sweep_all_hex(&codec, G_TN_SPECIAL);
    ct_sweep_all_hex(&codec, G_RANGE_MAX);
    ct_sweep_all_hex(&codec, G_RANGE);
}

/* ------------------------------------------------------------------------ */
/* Builder API                                                               */
/* ------------------------------------------------------------------------ */

static void add_validation(void **state)
{
    (void)state;
    clid_tnauth *l = NULL;
    assert_err(clid_tnauth_new(NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_ok(clid_tnauth_new(&l));

    assert_err(clid_tnauth_add_spc(NULL, "1"), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_tnauth_add_spc(l, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_tnauth_add_spc(l, ""), CLID_ERR_BAD_SPC);
    assert_err(clid_tnauth_add_spc(l, "70 9J"), CLID_ERR_BAD_SPC);
    assert_err(clid_tnauth_add_spc(l, "709J\n"), CLID_ERR_BAD_SPC);
    assert_err(clid_tnauth_add_spc(l, "\x7f"), CLID_ERR_BAD_SPC);
    assert_err(clid_tnauth_add_spc(l, "T\xc3\xa9l"), CLID_ERR_BAD_SPC);
    char spc[CLID_SPC_MAX_LEN + 2];
    memset(spc, '9', sizeof spc - 1);
    spc[sizeof spc - 1] = '\0';
    assert_err(clid_tnauth_add_spc(l, spc), CLID_ERR_BAD_SPC);
    spc[CLID_SPC_MAX_LEN] = '\0';
    assert_ok(clid_tnauth_add_spc(l, spc));

    assert_err(clid_tnauth_add_tn(NULL, "1"), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_tnauth_add_tn(l, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_tnauth_add_tn(l, ""), CLID_ERR_BAD_TN);
    assert_err(clid_tnauth_add_tn(l, "+12025551000"), CLID_ERR_BAD_TN);
    assert_err(clid_tnauth_add_tn(l, "1234567890123456"), CLID_ERR_BAD_TN);
    assert_err(clid_tnauth_add_tn(l, "1202-555"), CLID_ERR_BAD_TN);
    assert_ok(clid_tnauth_add_tn(l, "123456789012345"));
    assert_ok(clid_tnauth_add_tn(l, "#*"));

    assert_err(clid_tnauth_add_range(NULL, "1", 2), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_tnauth_add_range(l, NULL, 2), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_tnauth_add_range(l, "", 2), CLID_ERR_BAD_TN);
    assert_err(clid_tnauth_add_range(l, "12a", 2), CLID_ERR_BAD_TN);
    assert_err(clid_tnauth_add_range(l, "1234567890123456", 2), CLID_ERR_BAD_TN);
    assert_err(clid_tnauth_add_range(l, "12#", 2), CLID_ERR_BAD_RANGE);
    assert_err(clid_tnauth_add_range(l, "100", 0), CLID_ERR_BAD_RANGE);
    assert_err(clid_tnauth_add_range(l, "100", 1), CLID_ERR_BAD_RANGE);
    assert_err(clid_tnauth_add_range(l, "999", 5), CLID_ERR_BAD_RANGE);
    assert_err(clid_tnauth_add_range(l, "990", 11), CLID_ERR_BAD_RANGE);
    assert_err(clid_tnauth_add_range(l, "0", 11), CLID_ERR_BAD_RANGE);
    assert_err(clid_tnauth_add_range(l, "1", UINT64_MAX), CLID_ERR_BAD_RANGE);
    assert_err(clid_tnauth_add_range(l, "000000000000000", UINT64_C(1000000000000001)),
               CLID_ERR_BAD_RANGE);
    assert_ok(clid_tnauth_add_range(l, "990", 10));
    assert_ok(clid_tnauth_add_range(l, "0", 10));
    assert_ok(clid_tnauth_add_range(l, "000000000000000", UINT64_C(1000000000000000)));

    /* Refused adds leave no trace. */
    assert_int_equal(clid_tnauth_count(l), 6);
    assert_entry(l, 0, CLID_TNAUTH_SPC, spc, 0);
    assert_entry(l, 1, CLID_TNAUTH_TN, "123456789012345", 0);
    assert_entry(l, 2, CLID_TNAUTH_TN, "#*", 0);
    assert_entry(l, 3, CLID_TNAUTH_RANGE, "990", 10);
    assert_entry(l, 4, CLID_TNAUTH_RANGE, "0", 10);
    clid_tnauth_free(l);
}

static void getters(void **state)
{
    (void)state;
    clid_tnauth *l = mk("spc:709J tn:1");
    clid_tnauth_entry e;
    assert_err(clid_tnauth_get(l, 2, &e), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_tnauth_get(l, 0, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_tnauth_get(NULL, 0, &e), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_tnauth_count(NULL), 0);
    clid_tnauth_free(NULL); /* no-op */

    clid_tnauth *d = NULL;
    assert_err(clid_tnauth_dup(NULL, &d), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_tnauth_dup(l, NULL), CLID_ERR_INVALID_ARGUMENT);
    assert_ok(clid_tnauth_dup(l, &d));
    assert_true(clid_tnauth_equal(l, d));
    clid_tnauth_free(d);

    /* Order matters; kind, value and count each matter. */
    clid_tnauth *r = mk("tn:1 spc:709J");
    assert_false(clid_tnauth_equal(l, r));
    clid_tnauth_free(r);
    r = mk("spc:709J tn:2");
    assert_false(clid_tnauth_equal(l, r));
    clid_tnauth_free(r);
    r = mk("spc:709J");
    assert_false(clid_tnauth_equal(l, r));
    clid_tnauth_free(r);
    clid_tnauth *a = mk("range:100+10"), *b = mk("range:100+11"), *c = mk("tn:100");
    assert_false(clid_tnauth_equal(a, b));
    assert_false(clid_tnauth_equal(a, c));
    clid_tnauth_free(a);
    clid_tnauth_free(b);
    clid_tnauth_free(c);
    assert_false(clid_tnauth_equal(l, NULL));
    assert_false(clid_tnauth_equal(NULL, l));
    clid_tnauth_free(l);
}

static void encode_contract(void **state)
{
    (void)state;
    clid_tnauth *l = NULL;
    assert_ok(clid_tnauth_new(&l));
    size_t n = 0;
    /* SIZE (1..MAX): an empty list has no encoding. */
    assert_err(clid_tnauth_encode(l, NULL, 0, &n), CLID_ERR_DER_CONSTRAINT);
    assert_ok(clid_tnauth_add_spc(l, "709J"));

    assert_err(clid_tnauth_encode(NULL, NULL, 0, &n), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_tnauth_encode(l, NULL, 0, NULL), CLID_ERR_INVALID_ARGUMENT);
    n = 0;
    assert_ok(clid_tnauth_encode(l, NULL, 0, &n)); /* size query */
    assert_int_equal(n, 10);
    uint8_t buf[16];
    n = 0;
    assert_err(clid_tnauth_encode(l, buf, 9, &n), CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 10);
    n = 0;
    assert_err(clid_tnauth_encode(l, buf, 0, &n), CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(n, 10);
    n = 0;
    assert_ok(clid_tnauth_encode(l, buf, 10, &n));
    assert_int_equal(n, 10);
    assert_memory_equal(buf, "\x30\x08\xA0\x06\x16\x04" "709J", 10);
    assert_ok(clid_tnauth_encode(l, buf, sizeof buf, &n));
    assert_int_equal(n, 10);
    clid_tnauth_free(l);
}

/* ------------------------------------------------------------------------ */
/* Authority                                                                 */
/* ------------------------------------------------------------------------ */

static void covers_tn(void **state)
{
    (void)state;
    clid_tnauth *l = mk("tn:12025551000 range:4470000+100 tn:*67#");
    assert_true(clid_tnauth_covers_tn(l, "12025551000", 0));
    assert_false(clid_tnauth_covers_tn(l, "1202555100", 0));  /* prefix */
    assert_false(clid_tnauth_covers_tn(l, "120255510000", 0)); /* extension */
    assert_false(clid_tnauth_covers_tn(l, "12025551001", 0));
    assert_true(clid_tnauth_covers_tn(l, "*67#", 0));
    /* Range ends are inclusive: [4470000, 4470099]. */
    assert_true(clid_tnauth_covers_tn(l, "4470000", 0));
    assert_true(clid_tnauth_covers_tn(l, "4470050", 0));
    assert_true(clid_tnauth_covers_tn(l, "4470099", 0));
    assert_false(clid_tnauth_covers_tn(l, "4469999", 0));
    assert_false(clid_tnauth_covers_tn(l, "4470100", 0));
    /* Same value, other length: a range holds numbers of its own length. */
    assert_false(clid_tnauth_covers_tn(l, "04470050", 0));
    assert_false(clid_tnauth_covers_tn(l, "447005", 0));
    assert_false(clid_tnauth_covers_tn(l, "447005#", 0));
    /* Not TNs at all. */
    assert_false(clid_tnauth_covers_tn(l, "", 1));
    assert_false(clid_tnauth_covers_tn(l, "+12025551000", 0));
    assert_false(clid_tnauth_covers_tn(l, "1202555100a", 0));
    assert_false(clid_tnauth_covers_tn(l, NULL, 0));
    assert_false(clid_tnauth_covers_tn(NULL, "12025551000", 1));
    /* No SPC entry here: the flag changes nothing. */
    assert_false(clid_tnauth_covers_tn(l, "5551234", 1));
    clid_tnauth_free(l);

    /* An SPC vouches for every TN only in the SHAKEN model. */
    l = mk("spc:709J");
    assert_false(clid_tnauth_covers_tn(l, "12025551000", 0));
    assert_true(clid_tnauth_covers_tn(l, "12025551000", 1));
    assert_false(clid_tnauth_covers_tn(l, "not-a-tn", 1));
    clid_tnauth_free(l);

    /* The largest range: arithmetic at 15 digits. */
    l = mk("range:999999999999990+10");
    assert_true(clid_tnauth_covers_tn(l, "999999999999999", 0));
    assert_true(clid_tnauth_covers_tn(l, "999999999999990", 0));
    assert_false(clid_tnauth_covers_tn(l, "999999999999989", 0));
    clid_tnauth_free(l);
}

static int enc_specs(const char *parent, const char *child, int spc_any)
{
    clid_tnauth *p = mk(parent), *c = mk(child);
    int r = clid_tnauth_encompasses(p, c, spc_any);
    clid_tnauth_free(p);
    clid_tnauth_free(c);
    return r;
}

static void encompasses(void **state)
{
    (void)state;
    /* SPC by the same SPC only, whatever the flag. */
    assert_true(enc_specs("spc:709J", "spc:709J", 0));
    assert_false(enc_specs("spc:709J", "spc:709K", 1));
    assert_false(enc_specs("spc:709J", "spc:709", 1));
    assert_false(enc_specs("tn:12025551000", "spc:709J", 1));
    /* TN by a TN, by a range, or (SHAKEN model) by an SPC. */
    assert_true(enc_specs("tn:12025551000", "tn:12025551000", 0));
    assert_false(enc_specs("tn:12025551000", "tn:12025551001", 0));
    assert_true(enc_specs("range:12025551000+10", "tn:12025551009", 0));
    assert_false(enc_specs("range:12025551000+10", "tn:12025551010", 0));
    assert_false(enc_specs("spc:709J", "tn:12025551000", 0));
    assert_true(enc_specs("spc:709J", "tn:12025551000", 1));
    /* Range by a containing range (equal ends included). */
    assert_true(enc_specs("range:1000+100", "range:1000+100", 0));
    assert_true(enc_specs("range:1000+100", "range:1050+50", 0));
    assert_true(enc_specs("range:1000+100", "range:1000+2", 0));
    assert_false(enc_specs("range:1000+100", "range:1050+51", 0)); /* one past the end */
    assert_false(enc_specs("range:1000+100", "range:0999+2", 0));   /* other length */
    assert_false(enc_specs("range:1000+100", "range:10000+10", 0));
    /* Range by TNs one for one, and by pieces of ranges and TNs. */
    assert_true(enc_specs("tn:1000 tn:1001 tn:1002", "range:1000+3", 0));
    assert_false(enc_specs("tn:1000 tn:1002", "range:1000+3", 0));
    assert_true(enc_specs("range:1000+5 range:1005+5", "range:1003+4", 0));
    assert_true(enc_specs("range:1000+5 tn:1005 range:1006+4", "range:1000+10", 0));
    assert_false(enc_specs("range:1000+5 range:1006+4", "range:1000+10", 0));
    /* SPC parent covers ranges in the SHAKEN model only. */
    assert_false(enc_specs("spc:709J", "range:1000+10", 0));
    assert_true(enc_specs("spc:709J", "range:1000+10", 1));
    /* Every child entry must be covered. */
    assert_true(enc_specs("spc:709J range:1000+100", "spc:709J tn:1005 range:1010+5", 0));
    assert_false(enc_specs("spc:709J range:1000+100", "spc:709J tn:2005 range:1010+5", 0));
    /* Piecewise coverage is walked number by number only up to a bound. */
    assert_false(enc_specs("range:100000+10000 range:110000+10000", "range:100000+20000", 0));
    assert_true(enc_specs("range:100000+5000 range:105000+5000", "range:100000+10000", 0));

    clid_tnauth *p = mk("spc:709J"), *empty = NULL;
    assert_ok(clid_tnauth_new(&empty));
    assert_false(clid_tnauth_encompasses(p, empty, 1)); /* nothing delegated is not valid */
    assert_false(clid_tnauth_encompasses(NULL, p, 1));
    assert_false(clid_tnauth_encompasses(p, NULL, 1));
    clid_tnauth_free(empty);
    clid_tnauth_free(p);
}

/* The piecewise walk has one budget per call (CLID_RANGE_WALK_MAX numbers in
 * lib/src/asn1/ext_tnauth.c), not one per child range. */
static void encompasses_walk_budget(void **state)
{
    (void)state;
    const char *parent = "range:100000+5000 range:105000+5000";
    assert_true(enc_specs(parent, "range:100000+6000", 0));
    assert_true(enc_specs(parent, "range:102000+6000", 0));
    assert_false(enc_specs(parent, "range:100000+6000 range:102000+6000", 0));
    /* Ranges contained in one parent range cost nothing from the budget. */
    assert_true(enc_specs(parent, "range:100000+6000 range:100000+5000 range:105000+5000", 0));
}

/* Worst case within the decoder's limits: many child ranges that each need
 * a full walk against a long parent. Per-range capping made this take
 * minutes (about 6 with 4096 parent entries); with one budget per call it is
 * one walk. ctest's TIMEOUT turns a regression into a failure. */
static void encompasses_bounded_work(void **state)
{
    (void)state;
    clid_tnauth *p = NULL, *c = NULL;
    assert_ok(clid_tnauth_new(&p));
    assert_ok(clid_tnauth_new(&c));
    char tn[16];
    for (int i = 0; i < 2000; i++) {
        snprintf(tn, sizeof tn, "9%014d", i);
        assert_ok(clid_tnauth_add_tn(p, tn));
    }
    assert_ok(clid_tnauth_add_range(p, "100000", 5000));
    assert_ok(clid_tnauth_add_range(p, "105000", 5000));
    for (int i = 0; i < CLID_EXT_MAX_ENTRIES; i++)
        assert_ok(clid_tnauth_add_range(c, "100000", 10000));
    assert_false(clid_tnauth_encompasses(p, c, 0));
    clid_tnauth_free(c);
    clid_tnauth_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(golden_spc),
        cmocka_unit_test(golden_all3),
        cmocka_unit_test(golden_others),
        cmocka_unit_test(build_round_trips),
        cmocka_unit_test(entry_limit),
        cmocka_unit_test(size_limit),
        cmocka_unit_test(reject_non_der),
        cmocka_unit_test(reject_framing),
        cmocka_unit_test(reject_wrong_types),
        cmocka_unit_test(reject_constraints),
        cmocka_unit_test(reject_clid_checks),
        cmocka_unit_test(count_range),
        cmocka_unit_test(reject_bad_arguments),
        cmocka_unit_test(sweeps),
        cmocka_unit_test(add_validation),
        cmocka_unit_test(getters),
        cmocka_unit_test(encode_contract),
        cmocka_unit_test(covers_tn),
        cmocka_unit_test(encompasses),
        cmocka_unit_test(encompasses_walk_budget),
        cmocka_unit_test(encompasses_bounded_work),
    };
    return cmocka_run_group_tests_name("tnauth", tests, NULL, NULL);
}
