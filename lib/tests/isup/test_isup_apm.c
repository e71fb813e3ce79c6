/*
 * The Application Transport Parameter (lib/src/isup/isup_apm.c, Q.763
 * §3.82): one parameter, segments of at most 250 octets, reassembly in
 * order, segments out of order or missing, other contexts untouched.
 */
#include "isup_fixture.h"

#include "core/internal.h"
#include "isup/isup_internal.h"

static clid_isup_iam *min_iam(void)
{
    return fx_parse(IAM_MIN, IAM_MIN_LEN);
}

static void single_parameter(void **state)
{
    (void)state;
    clid_isup_iam *iam = fx_parse(IAM_FULL, IAM_FULL_LEN);
    uint8_t out[16];
    size_t len = 0;
    assert_ok(clid_isup_iam_get_apm(iam, CLID_ISUP_APM_CONTEXT_DEFAULT, out, sizeof out, &len));
    assert_int_equal(len, 3);
    assert_memory_equal(out, "tok", 3);
    /* size query, then too small */
    assert_err(clid_isup_iam_get_apm(iam, CLID_ISUP_APM_CONTEXT_DEFAULT, NULL, 0, &len),
               CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, 3);
    assert_err(clid_isup_iam_get_apm(iam, CLID_ISUP_APM_CONTEXT_DEFAULT, out, 2, &len),
               CLID_ERR_BUFFER_TOO_SMALL);
    assert_err(clid_isup_iam_get_apm(iam, 5, out, sizeof out, &len), CLID_ERR_ISUP_PARAM_ABSENT);
    assert_err(clid_isup_iam_get_apm(iam, 128, out, sizeof out, &len),
               CLID_ERR_INVALID_ARGUMENT);
    clid_isup_iam_free(iam);

    /* set_apm writes ext|context, the instruction indicators, ext|SI|0, the data */
    iam = min_iam();
    static const uint8_t data[] = {0x30, 0x00, 0x01};
    assert_ok(clid_isup_iam_set_apm(iam, 90, data, sizeof data));
    unsigned code = 0;
    const uint8_t *v = NULL;
    assert_ok(clid_isup_iam_param(iam, 0, &code, &v, &len));
    assert_int_equal(code, CLID_ISUP_APPLICATION_TRANSPORT);
    static const uint8_t want[] = {0xDA, 0x80, 0xC0, 0x30, 0x00, 0x01};
    assert_int_equal(len, sizeof want);
    assert_memory_equal(v, want, len);
    clid_isup_iam_free(iam);
}

static void segmented(void **state)
{
    (void)state;
    clid_isup_iam *iam = min_iam();
    uint8_t data[600];
    for (size_t i = 0; i < sizeof data; i++)
        data[i] = (uint8_t)(i * 7);
    /* another context's APM, and another parameter, before */
    static const uint8_t other[] = {0x85, 0x80, 0xC0, 0xAA};
    assert_ok(clid_isup_iam_add_param(iam, CLID_ISUP_APPLICATION_TRANSPORT, other, 4));
    assert_ok(clid_isup_iam_set_apm(iam, 90, data, sizeof data));
    assert_int_equal(clid_isup_iam_param_count(iam), 4);
    /* 250 + 250 + 100: SI 1 and 2 following, then 1, then 0, each with the
     * local reference (octet 3 ext 0, octet 3a) */
    static const uint8_t hdr[3][4] = {
        {0xDA, 0x80, 0x42, 0x81}, {0xDA, 0x80, 0x01, 0x81}, {0xDA, 0x80, 0x00, 0x81}};
    static const size_t hdr_len[3] = {4, 4, 4};
    static const size_t seg_len[3] = {250, 250, 100};
    for (size_t s = 0; s < 3; s++) {
        unsigned code = 0;
        const uint8_t *v = NULL;
        size_t len = 0;
        assert_ok(clid_isup_iam_param(iam, 1 + s, &code, &v, &len));
        assert_int_equal(code, CLID_ISUP_APPLICATION_TRANSPORT);
        assert_int_equal(len, hdr_len[s] + seg_len[s]);
        assert_memory_equal(v, hdr[s], hdr_len[s]);
        assert_memory_equal(v + hdr_len[s], data + 250 * s, seg_len[s]);
    }
    uint8_t out[700];
    size_t len = 0;
    assert_ok(clid_isup_iam_get_apm(iam, 90, out, sizeof out, &len));
    assert_int_equal(len, sizeof data);
    assert_memory_equal(out, data, len);
    assert_ok(clid_isup_iam_get_apm(iam, 5, out, sizeof out, &len));
    assert_int_equal(len, 1);
    assert_int_equal(out[0], 0xAA);

    /* the encoded IAM parses back to the same APM */
    size_t enc_len = 0;
    uint8_t *enc = fx_encode(iam, &enc_len);
    clid_isup_iam *back = fx_parse(enc, enc_len);
    assert_ok(clid_isup_iam_get_apm(back, 90, out, sizeof out, &len));
    assert_int_equal(len, sizeof data);
    assert_memory_equal(out, data, len);
    ct_assert_roundtrip(&ISUP_IAM_CODEC, enc, enc_len);
    free(enc);
    clid_isup_iam_free(back);

    /* replacing: one segment where the three were; context 5 untouched */
    assert_ok(clid_isup_iam_set_apm(iam, 90, data, 10));
    assert_int_equal(clid_isup_iam_param_count(iam), 2);
    assert_ok(clid_isup_iam_get_apm(iam, 90, out, sizeof out, &len));
    assert_int_equal(len, 10);
    assert_ok(clid_isup_iam_get_apm(iam, 5, out, sizeof out, &len));
    assert_int_equal(len, 1);
    /* exactly 250: one parameter; 251: two; 2500: ten; 2501: refused */
    assert_ok(clid_isup_iam_set_apm(iam, 90, data, 250));
    assert_int_equal(clid_isup_iam_param_count(iam), 2);
    assert_ok(clid_isup_iam_set_apm(iam, 90, data, 251));
    assert_int_equal(clid_isup_iam_param_count(iam), 3);
    uint8_t *big = calloc(2501, 1);
    assert_non_null(big);
    assert_ok(clid_isup_iam_set_apm(iam, 90, big, 2500));
    assert_int_equal(clid_isup_iam_param_count(iam), 11);
    assert_err(clid_isup_iam_set_apm(iam, 90, big, 2501), CLID_ERR_ISUP_TOO_LARGE);
    free(big);
    /* too large for an IAM of CLID_ISUP_MAX_LEN */
    assert_err(clid_isup_iam_encode(iam, NULL, 0, &len), CLID_ERR_ISUP_TOO_LARGE);
    assert_ok(clid_isup_iam_set_apm(iam, 90, NULL, 0));
    assert_ok(clid_isup_iam_get_apm(iam, 90, NULL, 0, &len));
    assert_int_equal(len, 0);
    assert_err(clid_isup_iam_set_apm(iam, 128, data, 1), CLID_ERR_INVALID_ARGUMENT);
    clid_isup_iam_free(iam);
}

/* IAM_MIN with the given APM parameter values (each: length, value). */
static clid_isup_iam *with_apms(const uint8_t *opt, size_t opt_len)
{
    uint8_t buf[512];
    memcpy(buf, IAM_MIN, IAM_MIN_LEN);
    buf[7] = (uint8_t)(IAM_MIN[8] + 2);
    memcpy(buf + IAM_MIN_LEN, opt, opt_len);
    buf[IAM_MIN_LEN + opt_len] = 0x00;
    return fx_parse(buf, IAM_MIN_LEN + opt_len + 1);
}

static clid_err get90(const uint8_t *opt, size_t opt_len, char *out, size_t cap)
{
    clid_isup_iam *iam = with_apms(opt, opt_len);
    size_t len = 0;
    clid_err rc = clid_isup_iam_get_apm(iam, 90, (uint8_t *)out, cap - 1, &len);
    out[rc == CLID_OK ? len : 0] = '\0';
    clid_isup_iam_free(iam);
    return rc;
}

static void segments_in_and_out_of_order(void **state)
{
    (void)state;
    char out[32];
    /* Each value: ACI 90 (0xDA), instruction indicators (0x80), ext|SI|
     * segmentation indicator, [SLR], data. In order: SI 1 + 2, 1, 0. */
    static const uint8_t ok[] = {0x78, 0x05, 0xDA, 0x80, 0x42, 0x81, 'a',
                                 0x31, 0x01, 0x00, /* another parameter between */
                                 0x78, 0x04, 0xDA, 0x80, 0x81, 'b', /* no SLR: lenient */
                                 0x78, 0x05, 0xDA, 0x80, 0x00, 0x81, 'c'};
    assert_ok(get90(ok, sizeof ok, out, sizeof out));
    assert_string_equal(out, "abc");
    /* out of order: the final segment before the first */
    static const uint8_t swapped[] = {0x78, 0x04, 0xDA, 0x80, 0x80, 'b',
                                      0x78, 0x04, 0xDA, 0x80, 0xC1, 'a'};
    assert_err(get90(swapped, sizeof swapped, out, sizeof out), CLID_ERR_ISUP_PARSE);
    /* missing the middle one */
    static const uint8_t gap[] = {0x78, 0x04, 0xDA, 0x80, 0xC2, 'a',
                                  0x78, 0x04, 0xDA, 0x80, 0x80, 'c'};
    assert_err(get90(gap, sizeof gap, out, sizeof out), CLID_ERR_ISUP_PARSE);
    /* missing the last one */
    static const uint8_t tail[] = {0x78, 0x04, 0xDA, 0x80, 0xC2, 'a',
                                   0x78, 0x04, 0xDA, 0x80, 0x81, 'b'};
    assert_err(get90(tail, sizeof tail, out, sizeof out), CLID_ERR_ISUP_PARSE);
    /* a first segment without SI "new sequence" */
    static const uint8_t no_si[] = {0x78, 0x04, 0xDA, 0x80, 0x80, 'a'};
    assert_err(get90(no_si, sizeof no_si, out, sizeof out), CLID_ERR_ISUP_PARSE);
    /* a new sequence before the last one ended */
    static const uint8_t restart[] = {0x78, 0x04, 0xDA, 0x80, 0xC1, 'a',
                                      0x78, 0x04, 0xDA, 0x80, 0xC0, 'b'};
    assert_err(get90(restart, sizeof restart, out, sizeof out), CLID_ERR_ISUP_PARSE);
    /* two complete messages for one context */
    static const uint8_t twice[] = {0x78, 0x04, 0xDA, 0x80, 0xC0, 'a',
                                    0x78, 0x04, 0xDA, 0x80, 0xC0, 'b'};
    assert_err(get90(twice, sizeof twice, out, sizeof out), CLID_ERR_ISUP_PARSE);
    /* a later segment naming another local reference */
    static const uint8_t slr[] = {0x78, 0x05, 0xDA, 0x80, 0x41, 0x81, 'a',
                                  0x78, 0x05, 0xDA, 0x80, 0x00, 0x82, 'b'};
    assert_err(get90(slr, sizeof slr, out, sizeof out), CLID_ERR_ISUP_PARSE);
    /* another context interleaved does not disturb the order */
    static const uint8_t mixed[] = {0x78, 0x04, 0xDA, 0x80, 0xC1, 'a',
                                    0x78, 0x04, 0x85, 0x80, 0xC0, 'x',
                                    0x78, 0x04, 0xDA, 0x80, 0x80, 'b'};
    assert_ok(get90(mixed, sizeof mixed, out, sizeof out));
    assert_string_equal(out, "ab");
    /* a two-octet context identifier (octet 1a) is no 7-bit context */
    static const uint8_t two_octet[] = {0x78, 0x05, 0x5A, 0x81, 0x80, 0xC0, 'z'};
    assert_err(get90(two_octet, sizeof two_octet, out, sizeof out), CLID_ERR_ISUP_PARAM_ABSENT);
}

static void malformed_apm_refused(void **state)
{
    (void)state;
    static const uint8_t bad[][7] = {
        {0x78, 0x02, 0xDA, 0x80},             /* no octet 3 */
        {0x78, 0x03, 0x5A, 0x80, 0xC0},       /* ext 0: octet 1a, then no octet 3 */
        {0x78, 0x04, 0x5A, 0x01, 0x80, 0xC0}, /* octet 1a with ext 0 again */
        {0x78, 0x03, 0xDA, 0x00, 0xC0},       /* octet 2 with ext 0: no 2a is defined */
        {0x78, 0x03, 0xDA, 0x80, 0x40},       /* octet 3 ext 0 but no octet 3a */
        {0x78, 0x04, 0xDA, 0x80, 0x40, 0x01}, /* octet 3a with ext 0 */
        {0x78, 0x04, 0xDA, 0x80, 0xCA, 'x'},  /* segmentation indicator 10: spare */
    };
    static const size_t len[] = {4, 5, 6, 5, 5, 6, 6};
    for (size_t i = 0; i < CLID_ARRAY_LEN(bad); i++) {
        uint8_t buf[64];
        memcpy(buf, IAM_MIN, IAM_MIN_LEN);
        buf[7] = (uint8_t)(IAM_MIN[8] + 2);
        memcpy(buf + IAM_MIN_LEN, bad[i], len[i]);
        buf[IAM_MIN_LEN + len[i]] = 0x00;
        if (fx_parse_err(buf, IAM_MIN_LEN + len[i] + 1) != CLID_ERR_ISUP_PARSE)
            fail_msg("malformed APM %zu accepted", i);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_parameter),
        cmocka_unit_test(segmented),
        cmocka_unit_test(segments_in_and_out_of_order),
        cmocka_unit_test(malformed_apm_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
