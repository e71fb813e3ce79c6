/*
 * The IAM codec (lib/src/isup/isup_iam.c, isup_number.c): hand-built IAMs
 * from the Q.763 layouts (isup_fixture.c), byte-for-byte round trips, every
 * truncation, pointers and lengths that leave the message, repeated
 * parameters, the number parameters and their TNs.
 */
#include "isup_fixture.h"

#include "core/internal.h"
#include "isup/isup_internal.h"

static void assert_number(const clid_isup_iam *iam, unsigned code, size_t i, unsigned nai,
                          unsigned npi, unsigned inn_ni, unsigned apri, unsigned screening,
                          unsigned qualifier, const char *digits)
{
    clid_isup_number n;
    assert_ok(clid_isup_iam_get_number(iam, code, i, &n));
    assert_int_equal(n.nai, nai);
    assert_int_equal(n.npi, npi);
    assert_int_equal(n.inn_ni, inn_ni);
    assert_int_equal(n.apri, apri);
    assert_int_equal(n.screening, screening);
    assert_int_equal(n.qualifier, qualifier);
    assert_string_equal(n.digits, digits);
}

static void full_iam_decodes(void **state)
{
    (void)state;
    clid_isup_iam *iam = fx_parse(IAM_FULL, IAM_FULL_LEN);
    uint8_t fixed[5];
    clid_isup_iam_get_fixed(iam, fixed);
    static const uint8_t want_fixed[5] = {0x00, 0x60, 0x01, 0x0A, 0x00};
    assert_memory_equal(fixed, want_fixed, 5);
    assert_number(iam, CLID_ISUP_CALLED_PARTY_NUMBER, 0, 3, 1, 0, 0, 0, 0, "2155552000");
    assert_number(iam, CLID_ISUP_CALLING_PARTY_NUMBER, 0, 4, 1, 0, 0, 3, 0, "12155550123");
    assert_number(iam, CLID_ISUP_GENERIC_NUMBER, 0, 3, 1, 0, 1, 1, 6, "2155550199");
    assert_number(iam, CLID_ISUP_GENERIC_NUMBER, 1, 4, 1, 0, 0, 0, 1, "7");
    assert_number(iam, CLID_ISUP_ORIGINAL_CALLED_NUMBER, 0, 4, 1, 0, 0, 0, 0, "4420");
    assert_number(iam, CLID_ISUP_REDIRECTING_NUMBER, 0, 3, 1, 0, 1, 0, 0, "215");
    clid_isup_number n;
    assert_err(clid_isup_iam_get_number(iam, CLID_ISUP_GENERIC_NUMBER, 2, &n),
               CLID_ERR_ISUP_PARAM_ABSENT);
    assert_err(clid_isup_iam_get_number(iam, CLID_ISUP_CALLING_PARTY_NUMBER, 1, &n),
               CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_isup_iam_get_number(iam, 0x08, 0, &n), CLID_ERR_INVALID_ARGUMENT);

    /* Optional parameters in message order, raw; unknown ones as they came. */
    static const unsigned codes[] = {0x0A, 0xC0, 0x28, 0x0B, 0x08, 0xC0, 0x78, 0xFE};
    assert_int_equal(clid_isup_iam_param_count(iam), CLID_ARRAY_LEN(codes));
    for (size_t i = 0; i < CLID_ARRAY_LEN(codes); i++) {
        unsigned code = 0;
        const uint8_t *v = NULL;
        size_t len = 0;
        assert_ok(clid_isup_iam_param(iam, i, &code, &v, &len));
        assert_int_equal(code, codes[i]);
    }
    unsigned code = 0;
    const uint8_t *v = NULL;
    size_t len = 0;
    assert_ok(clid_isup_iam_param(iam, 7, &code, &v, &len));
    static const uint8_t unknown[] = {0x00, 0xFF, 0x10};
    assert_int_equal(len, 3);
    assert_memory_equal(v, unknown, 3);
    assert_err(clid_isup_iam_param(iam, 8, &code, &v, &len), CLID_ERR_ISUP_PARAM_ABSENT);
    clid_isup_iam_free(iam);
}

static void round_trips(void **state)
{
    (void)state;
    ct_assert_roundtrip(&ISUP_IAM_CODEC, IAM_FULL, IAM_FULL_LEN);
    ct_assert_roundtrip(&ISUP_IAM_CODEC, IAM_MIN, IAM_MIN_LEN);
    /* A pointer to an optional part that holds only the end octet. */
    static const uint8_t empty_opt[] = {0x01, 0x00, 0x60, 0x01, 0x0A, 0x00,
                                        0x02, 0x07, /* CdPN 5 octets on: 5 + 2 */
                                        0x05, 0x81, 0x10, 0x21, 0x43, 0x05, /* "12345" */
                                        0x00};
    ct_assert_roundtrip(&ISUP_IAM_CODEC, empty_opt, sizeof empty_opt);
    /* A Called Party Number without digits (Q.763 §3.9: length 2 and up). */
    static const uint8_t no_digits[] = {0x01, 0x00, 0x60, 0x01, 0x0A, 0x00, 0x02, 0x00,
                                        0x02, 0x03, 0x10};
    ct_assert_roundtrip(&ISUP_IAM_CODEC, no_digits, sizeof no_digits);
}

/* Every prefix is refused (each an exact-size allocation, so a read past
 * its end shows under ASan/valgrind). */
static void truncations_refused(void **state)
{
    (void)state;
    const uint8_t *v[] = {IAM_FULL, IAM_MIN};
    const size_t n[] = {IAM_FULL_LEN, IAM_MIN_LEN};
    for (size_t k = 0; k < 2; k++)
        for (size_t len = 0; len < n[k]; len++)
            if (fx_parse_err(v[k], len) != CLID_ERR_ISUP_PARSE)
                fail_msg("prefix %zu/%zu of IAM %zu accepted or odd error", len, n[k], k);
}

/* Single-byte substitutions, deletions and duplications: whatever is
 * accepted encodes back to itself. */
static void mutations(void **state)
{
    (void)state;
    assert_true(ct_sweep_mutations(&ISUP_IAM_CODEC, IAM_FULL, IAM_FULL_LEN) >= IAM_FULL_LEN);
    ct_sweep_deletions(&ISUP_IAM_CODEC, IAM_FULL, IAM_FULL_LEN);
    ct_sweep_deletions(&ISUP_IAM_CODEC, IAM_MIN, IAM_MIN_LEN);
}

/* IAM_FULL with octet `at` set to `val`. */
static clid_err with_octet(size_t at, uint8_t val)
{
    uint8_t buf[512];
    memcpy(buf, IAM_FULL, IAM_FULL_LEN);
    buf[at] = val;
    return fx_parse_err(buf, IAM_FULL_LEN);
}

static void malformed_refused(void **state)
{
    (void)state;
    assert_err(with_octet(0, 0x02), CLID_ERR_ISUP_PARSE);  /* not an IAM (0x02 is SAM) */
    assert_err(with_octet(6, 0xF0), CLID_ERR_ISUP_PARSE);  /* CdPN pointer past the end */
    assert_err(with_octet(6, 0x03), CLID_ERR_ISUP_PARSE);  /* a gap before the CdPN */
    assert_err(with_octet(7, 0xF0), CLID_ERR_ISUP_PARSE);  /* optional pointer past the end */
    assert_err(with_octet(7, 0x05), CLID_ERR_ISUP_PARSE);  /* points inside the CdPN */
    assert_err(with_octet(8, 0xFF), CLID_ERR_ISUP_PARSE);  /* CdPN length overruns */
    assert_err(with_octet(17, 0xF0), CLID_ERR_ISUP_PARSE); /* CgPN length overruns */
    assert_err(with_octet(IAM_FULL_LEN - 5, 0x05), CLID_ERR_ISUP_PARSE); /* 0xFE overruns */
    /* octets after the end-of-optional-parameters octet */
    uint8_t longer[512];
    memcpy(longer, IAM_FULL, IAM_FULL_LEN);
    longer[IAM_FULL_LEN] = 0x00;
    assert_err(fx_parse_err(longer, IAM_FULL_LEN + 1), CLID_ERR_ISUP_PARSE);
    /* no end octet */
    assert_err(fx_parse_err(IAM_FULL, IAM_FULL_LEN - 1), CLID_ERR_ISUP_PARSE);
    /* no optional part announced, but octets follow the CdPN */
    uint8_t min_tail[512];
    memcpy(min_tail, IAM_MIN, IAM_MIN_LEN);
    min_tail[IAM_MIN_LEN] = 0x00;
    assert_err(fx_parse_err(min_tail, IAM_MIN_LEN + 1), CLID_ERR_ISUP_PARSE);
    /* a CdPN of one octet (Q.763 §3.9: two octets before the digits) */
    static const uint8_t short_cdpn[] = {0x01, 0x00, 0x60, 0x01, 0x0A, 0x00, 0x02, 0x00,
                                         0x01, 0x03};
    assert_err(fx_parse_err(short_cdpn, sizeof short_cdpn), CLID_ERR_ISUP_PARSE);
    /* odd indicator with no digit octet */
    static const uint8_t odd_empty[] = {0x01, 0x00, 0x60, 0x01, 0x0A, 0x00, 0x02, 0x00,
                                        0x02, 0x83, 0x10};
    assert_err(fx_parse_err(odd_empty, sizeof odd_empty), CLID_ERR_ISUP_PARSE);
    /* 34 digits: more than CLID_ISUP_DIGITS_MAX */
    uint8_t many[8 + 1 + 2 + 17];
    memcpy(many, IAM_MIN, 8);
    many[8] = 19;
    many[9] = 0x03;
    many[10] = 0x10;
    memset(many + 11, 0x11, 17);
    assert_err(fx_parse_err(many, sizeof many), CLID_ERR_ISUP_PARSE);
    many[8] = 18; /* 32 digits: fine */
    assert_ok(fx_parse_err(many, sizeof many - 1));
    /* too large */
    uint8_t *big = calloc(CLID_ISUP_MAX_LEN + 1, 1);
    assert_non_null(big);
    assert_err(fx_parse_err(big, CLID_ISUP_MAX_LEN + 1), CLID_ERR_ISUP_TOO_LARGE);
    free(big);
}

/* IAM_MIN with optional parameters `opt` (code, length, value ..., 0x00). */
static clid_err with_optional(const uint8_t *opt, size_t opt_len)
{
    uint8_t buf[256];
    memcpy(buf, IAM_MIN, IAM_MIN_LEN);
    buf[7] = (uint8_t)(IAM_MIN[8] + 2); /* pointer to the optional part */
    memcpy(buf + IAM_MIN_LEN, opt, opt_len);
    return fx_parse_err(buf, IAM_MIN_LEN + opt_len);
}

static void repeated_parameters(void **state)
{
    (void)state;
    static const uint8_t cgpn2[] = {0x0A, 0x03, 0x81, 0x13, 0x01,  /* CgPN "1" */
                                    0x0A, 0x03, 0x81, 0x13, 0x02,  /* CgPN "2" */
                                    0x00};
    assert_err(with_optional(cgpn2, sizeof cgpn2), CLID_ERR_ISUP_PARSE);
    static const uint8_t ocn2[] = {0x28, 0x02, 0x03, 0x10, 0x28, 0x02, 0x03, 0x10, 0x00};
    assert_err(with_optional(ocn2, sizeof ocn2), CLID_ERR_ISUP_PARSE);
    static const uint8_t redir2[] = {0x0B, 0x02, 0x03, 0x10, 0x0B, 0x02, 0x03, 0x10, 0x00};
    assert_err(with_optional(redir2, sizeof redir2), CLID_ERR_ISUP_PARSE);
    /* the CdPN is mandatory variable, never optional */
    static const uint8_t cdpn_opt[] = {0x04, 0x02, 0x03, 0x10, 0x00};
    assert_err(with_optional(cdpn_opt, sizeof cdpn_opt), CLID_ERR_ISUP_PARSE);
    /* Generic Number and unknown parameters may repeat */
    static const uint8_t gn2[] = {0xC0, 0x03, 0x06, 0x03, 0x10, 0xC0, 0x03, 0x06, 0x03, 0x10,
                                  0x31, 0x00, 0x31, 0x00, 0x00};
    assert_ok(with_optional(gn2, sizeof gn2));
    /* malformed decoded parameters */
    static const uint8_t gn_short[] = {0xC0, 0x02, 0x06, 0x03, 0x00};
    assert_err(with_optional(gn_short, sizeof gn_short), CLID_ERR_ISUP_PARSE);
    static const uint8_t app_short[] = {0x78, 0x01, 0xDA, 0x00};
    assert_err(with_optional(app_short, sizeof app_short), CLID_ERR_ISUP_PARSE);
    /* a lone code octet, no length */
    static const uint8_t lone[] = {0x31};
    assert_err(with_optional(lone, sizeof lone), CLID_ERR_ISUP_PARSE);
}

static void build_from_scratch(void **state)
{
    (void)state;
    clid_isup_iam *iam = NULL;
    assert_ok(clid_isup_iam_new(&iam));
    size_t need = 0;
    /* Q.763 Table 32: no IAM without a Called Party Number */
    assert_err(clid_isup_iam_encode(iam, NULL, 0, &need), CLID_ERR_ISUP_PARAM_ABSENT);
    clid_isup_number n = {.nai = 3, .npi = 1, .digits = "2155552000"};
    assert_ok(clid_isup_iam_set_number(iam, CLID_ISUP_CALLED_PARTY_NUMBER, &n));
    clid_isup_number c = {.nai = 4, .npi = 1, .screening = 3, .digits = "12155550123"};
    assert_ok(clid_isup_iam_set_number(iam, CLID_ISUP_CALLING_PARTY_NUMBER, &c));
    clid_isup_number g = {.nai = 3, .npi = 1, .apri = 1, .screening = 1, .qualifier = 6,
                          .digits = "2155550199"};
    assert_ok(clid_isup_iam_set_number(iam, CLID_ISUP_GENERIC_NUMBER, &g));
    clid_isup_number o = {.nai = 4, .npi = 1, .digits = "4420"};
    assert_ok(clid_isup_iam_set_number(iam, CLID_ISUP_ORIGINAL_CALLED_NUMBER, &o));
    clid_isup_number r = {.nai = 3, .npi = 1, .apri = 1, .digits = "215"};
    assert_ok(clid_isup_iam_set_number(iam, CLID_ISUP_REDIRECTING_NUMBER, &r));
    static const uint8_t ofci[] = {0x00};
    assert_ok(clid_isup_iam_add_param(iam, 0x08, ofci, 1));
    clid_isup_number g2 = {.nai = 4, .npi = 1, .qualifier = 1, .digits = "7"};
    assert_ok(clid_isup_iam_set_number(iam, CLID_ISUP_GENERIC_NUMBER, &g2));
    static const uint8_t tok[] = {'t', 'o', 'k'};
    assert_ok(clid_isup_iam_set_apm(iam, CLID_ISUP_APM_CONTEXT_DEFAULT, tok, 3));
    static const uint8_t unknown[] = {0x00, 0xFF, 0x10};
    assert_ok(clid_isup_iam_add_param(iam, 0xFE, unknown, 3));
    size_t len = 0;
    uint8_t *out = fx_encode(iam, &len);
    assert_int_equal(len, IAM_FULL_LEN);
    assert_memory_equal(out, IAM_FULL, IAM_FULL_LEN); /* the hand-built IAM, octet for octet */
    free(out);

    /* Replacing the calling number keeps its place; removing drops all. */
    clid_isup_number c2 = {.nai = 3, .npi = 1, .digits = "2155550100"};
    assert_ok(clid_isup_iam_set_number(iam, CLID_ISUP_CALLING_PARTY_NUMBER, &c2));
    unsigned code = 0;
    const uint8_t *v = NULL;
    assert_ok(clid_isup_iam_param(iam, 0, &code, &v, &len));
    assert_int_equal(code, CLID_ISUP_CALLING_PARTY_NUMBER);
    assert_number(iam, CLID_ISUP_CALLING_PARTY_NUMBER, 0, 3, 1, 0, 0, 0, 0, "2155550100");
    clid_isup_iam_remove_param(iam, CLID_ISUP_GENERIC_NUMBER);
    assert_int_equal(clid_isup_iam_param_count(iam), 6);
    clid_isup_number gone;
    assert_err(clid_isup_iam_get_number(iam, CLID_ISUP_GENERIC_NUMBER, 0, &gone),
               CLID_ERR_ISUP_PARAM_ABSENT);

    /* add_param keeps the parse rules */
    assert_err(clid_isup_iam_add_param(iam, 0x00, unknown, 1), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_isup_iam_add_param(iam, CLID_ISUP_CALLED_PARTY_NUMBER, v, len),
               CLID_ERR_INVALID_ARGUMENT);
    static const uint8_t cg[] = {0x81, 0x13, 0x01};
    assert_err(clid_isup_iam_add_param(iam, CLID_ISUP_CALLING_PARTY_NUMBER, cg, 3),
               CLID_ERR_INVALID_ARGUMENT); /* a second calling number */
    assert_err(clid_isup_iam_add_param(iam, CLID_ISUP_GENERIC_NUMBER, cg, 2),
               CLID_ERR_INVALID_ARGUMENT); /* malformed */
    uint8_t big[256] = {0};
    assert_err(clid_isup_iam_add_param(iam, 0x31, big, 256), CLID_ERR_INVALID_ARGUMENT);
    assert_ok(clid_isup_iam_add_param(iam, 0x31, big, 255));

    /* fixed part */
    static const uint8_t fixed[5] = {0x01, 0x20, 0x01, 0x0B, 0x03};
    clid_isup_iam_set_fixed(iam, fixed);
    out = fx_encode(iam, &len);
    assert_memory_equal(out + 1, fixed, 5);
    clid_isup_iam *back = fx_parse(out, len);
    size_t len2 = 0;
    uint8_t *out2 = fx_encode(back, &len2);
    assert_int_equal(len2, len);
    assert_memory_equal(out2, out, len);
    free(out);
    free(out2);
    clid_isup_iam_free(back);

    /* buffer contract */
    size_t got = 0;
    uint8_t small[10];
    assert_err(clid_isup_iam_encode(iam, small, sizeof small, &got), CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(got, len);
    clid_isup_iam_free(iam);
    clid_isup_iam_free(NULL);
}

/* ------------------------------------------------------------------------ */
/* Number parameters                                                         */
/* ------------------------------------------------------------------------ */

static void number_encodings(void **state)
{
    (void)state;
    uint8_t v[CLID__ISUP_PARAM_MAX];
    size_t len = 0;
    /* odd: filler 0000 in bits 8-5 of the last octet, bit 8 of octet 1 set */
    clid_isup_number odd = {.nai = 4, .npi = 1, .screening = 3, .digits = "123"};
    assert_ok(clid__isup_number_encode(CLID_ISUP_CALLING_PARTY_NUMBER, &odd, v, &len));
    static const uint8_t odd_want[] = {0x84, 0x13, 0x21, 0x03};
    assert_int_equal(len, sizeof odd_want);
    assert_memory_equal(v, odd_want, len);
    /* even */
    clid_isup_number even = {.nai = 3, .npi = 1, .inn_ni = 1, .digits = "1234"};
    assert_ok(clid__isup_number_encode(CLID_ISUP_CALLED_PARTY_NUMBER, &even, v, &len));
    static const uint8_t even_want[] = {0x03, 0x90, 0x21, 0x43};
    assert_int_equal(len, sizeof even_want);
    assert_memory_equal(v, even_want, len);
    /* Called has no APRI or screening: ignored */
    clid_isup_number extra = {.nai = 3, .npi = 1, .apri = 1, .screening = 3, .digits = "1234"};
    assert_ok(clid__isup_number_encode(CLID_ISUP_CALLED_PARTY_NUMBER, &extra, v, &len));
    assert_memory_equal(v, ((const uint8_t[]){0x03, 0x10, 0x21, 0x43}), 4);
    /* hex signals: code 11, code 12, ST (Q.763 §3.9 e); lower case accepted */
    clid_isup_number hex = {.nai = 3, .npi = 1, .digits = "1bcF"};
    assert_ok(clid__isup_number_encode(CLID_ISUP_CALLED_PARTY_NUMBER, &hex, v, &len));
    assert_memory_equal(v + 2, ((const uint8_t[]){0xB1, 0xFC}), 2);
    clid_isup_number back;
    assert_ok(clid__isup_number_decode(CLID_ISUP_CALLED_PARTY_NUMBER, v, len, &back));
    assert_string_equal(back.digits, "1BCF");
    /* presentation not available: no digits at all */
    clid_isup_number na = {.nai = 0, .npi = 0, .apri = 2};
    assert_ok(clid__isup_number_encode(CLID_ISUP_CALLING_PARTY_NUMBER, &na, v, &len));
    assert_int_equal(len, 2);
    assert_memory_equal(v, ((const uint8_t[]){0x00, 0x08}), 2);
    /* out of range */
    clid_isup_number bad = {.nai = 128, .digits = "1"};
    assert_err(clid__isup_number_encode(CLID_ISUP_CALLING_PARTY_NUMBER, &bad, v, &len),
               CLID_ERR_INVALID_ARGUMENT);
    bad = (clid_isup_number){.nai = 3, .npi = 8, .digits = "1"};
    assert_err(clid__isup_number_encode(CLID_ISUP_CALLING_PARTY_NUMBER, &bad, v, &len),
               CLID_ERR_INVALID_ARGUMENT);
    bad = (clid_isup_number){.nai = 3, .apri = 4, .digits = "1"};
    assert_err(clid__isup_number_encode(CLID_ISUP_CALLING_PARTY_NUMBER, &bad, v, &len),
               CLID_ERR_INVALID_ARGUMENT);
    bad = (clid_isup_number){.nai = 3, .digits = "12G"};
    assert_err(clid__isup_number_encode(CLID_ISUP_CALLING_PARTY_NUMBER, &bad, v, &len),
               CLID_ERR_INVALID_ARGUMENT);
    bad = (clid_isup_number){.nai = 3, .digits = "1+"};
    assert_err(clid__isup_number_encode(CLID_ISUP_CALLING_PARTY_NUMBER, &bad, v, &len),
               CLID_ERR_INVALID_ARGUMENT);
    memset(bad.digits, '1', sizeof bad.digits); /* no NUL: 33 characters */
    assert_err(clid__isup_number_encode(CLID_ISUP_CALLING_PARTY_NUMBER, &bad, v, &len),
               CLID_ERR_INVALID_ARGUMENT);
    clid_isup_iam *iam = NULL;
    assert_ok(clid_isup_iam_new(&iam));
    assert_err(clid_isup_iam_set_number(iam, 0x08, &odd), CLID_ERR_INVALID_ARGUMENT);
    clid_isup_iam_free(iam);
}

static void numbers_as_tns(void **state)
{
    (void)state;
    char tn[CLID_TN_BUF];
    clid_isup_number n = {.nai = CLID_ISUP_NAI_INTERNATIONAL, .npi = 1, .digits = "12155550123"};
    assert_ok(clid_isup_number_to_tn(&n, "44", tn));
    assert_string_equal(tn, "12155550123"); /* international: as is */
    n = (clid_isup_number){.nai = CLID_ISUP_NAI_NATIONAL, .npi = 1, .digits = "2079460000"};
    assert_ok(clid_isup_number_to_tn(&n, "44", tn));
    assert_string_equal(tn, "442079460000");
    assert_ok(clid_isup_number_to_tn(&n, NULL, tn)); /* NULL: "1" */
    assert_string_equal(tn, "12079460000");
    assert_err(clid_isup_number_to_tn(&n, "", tn), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_isup_number_to_tn(&n, "1234", tn), CLID_ERR_INVALID_ARGUMENT);
    assert_err(clid_isup_number_to_tn(&n, "+1", tn), CLID_ERR_INVALID_ARGUMENT);
    n.nai = CLID_ISUP_NAI_SUBSCRIBER;
    assert_err(clid_isup_number_to_tn(&n, "1", tn), CLID_ERR_BAD_TN);
    assert_string_equal(tn, "");
    n.nai = CLID_ISUP_NAI_UNKNOWN;
    assert_err(clid_isup_number_to_tn(&n, "1", tn), CLID_ERR_BAD_TN);
    n = (clid_isup_number){.nai = CLID_ISUP_NAI_INTERNATIONAL, .digits = "1215555012B"};
    assert_err(clid_isup_number_to_tn(&n, "1", tn), CLID_ERR_BAD_TN);
    n = (clid_isup_number){.nai = CLID_ISUP_NAI_INTERNATIONAL, .digits = ""};
    assert_err(clid_isup_number_to_tn(&n, "1", tn), CLID_ERR_BAD_TN);
    n = (clid_isup_number){.nai = CLID_ISUP_NAI_INTERNATIONAL, .digits = "1234567890123456"};
    assert_err(clid_isup_number_to_tn(&n, "1", tn), CLID_ERR_BAD_TN); /* E.164: 15 at most */
    n = (clid_isup_number){.nai = CLID_ISUP_NAI_NATIONAL, .digits = "23456789012345"};
    assert_err(clid_isup_number_to_tn(&n, "44", tn), CLID_ERR_BAD_TN);

    clid_isup_number f;
    assert_ok(clid_isup_number_from_tn("+1 215-555-0123", &f));
    assert_int_equal(f.nai, CLID_ISUP_NAI_INTERNATIONAL);
    assert_int_equal(f.npi, 1);
    assert_int_equal(f.apri + f.screening + f.inn_ni + f.qualifier, 0);
    assert_string_equal(f.digits, "12155550123");
    assert_ok(clid_isup_number_to_tn(&f, "1", tn));
    assert_string_equal(tn, "12155550123");
    assert_err(clid_isup_number_from_tn("1215#", &f), CLID_ERR_BAD_TN);
    assert_err(clid_isup_number_from_tn("abc", &f), CLID_ERR_BAD_TN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(full_iam_decodes),   cmocka_unit_test(round_trips),
        cmocka_unit_test(truncations_refused), cmocka_unit_test(mutations),
        cmocka_unit_test(malformed_refused),  cmocka_unit_test(repeated_parameters),
        cmocka_unit_test(build_from_scratch), cmocka_unit_test(number_encodings),
        cmocka_unit_test(numbers_as_tns),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
