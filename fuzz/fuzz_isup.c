/*
 * libFuzzer target: the ISUP IAM codec and SIP-I bodies (clid_isup.h), the
 * inputs a SIP-I gateway takes from the network. Every input is tried both
 * as an IAM and as a SIP-I request. Beyond "no crash, no leak, no UB":
 *   - an IAM that parses encodes to the input byte for byte (Q.763 layout
 *     kept), its numbers decode, and its APM for a context reassembles or
 *     is refused with a clear code;
 *   - set_apm then get_apm gives the data back, and the encoded IAM parses
 *     again to the same APM;
 *   - an application/ISUP part that clid_sipi_find_isup reports lies inside
 *     the request, and replacing it by the same octets gives a request in
 *     which the same part is found again with the same octets.
 * Corpus: fuzz/corpus/isup/ (fuzz/make_isup_seeds.py: hand-built IAMs,
 * SIP-I requests single part and multipart).
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_isup.h>

#include "fuzz_common.h"

static void number_checks(const clid_isup_iam *iam)
{
    static const unsigned codes[] = {CLID_ISUP_CALLED_PARTY_NUMBER, CLID_ISUP_CALLING_PARTY_NUMBER,
                                     CLID_ISUP_REDIRECTING_NUMBER,
                                     CLID_ISUP_ORIGINAL_CALLED_NUMBER, CLID_ISUP_GENERIC_NUMBER};
    for (size_t k = 0; k < sizeof codes / sizeof codes[0]; k++) {
        clid_isup_number n;
        clid_err rc = clid_isup_iam_get_number(iam, codes[k], 0, &n);
        FUZZ_CHECK(rc == CLID_OK || rc == CLID_ERR_ISUP_PARAM_ABSENT);
        if (rc != CLID_OK)
            continue;
        FUZZ_CHECK(strlen(n.digits) <= CLID_ISUP_DIGITS_MAX);
        char tn[CLID_TN_BUF];
        if (clid_isup_number_to_tn(&n, "44", tn) == CLID_OK) {
            clid_isup_number back;
            FUZZ_CHECK(clid_isup_number_from_tn(tn, &back) == CLID_OK);
        }
    }
}

static void iam_checks(const uint8_t *data, size_t size)
{
    clid_isup_iam *iam = NULL;
    clid_err rc = clid_isup_iam_parse(data, size, &iam);
    if (rc != CLID_OK) {
        FUZZ_CHECK(iam == NULL);
        FUZZ_CHECK(rc == CLID_ERR_ISUP_PARSE || rc == CLID_ERR_ISUP_TOO_LARGE);
        return;
    }
    uint8_t *enc = malloc(CLID_ISUP_MAX_LEN);
    FUZZ_CHECK(enc != NULL);
    size_t len = 0;
    FUZZ_CHECK(clid_isup_iam_encode(iam, enc, CLID_ISUP_MAX_LEN, &len) == CLID_OK);
    FUZZ_CHECK(len == size && memcmp(enc, data, size) == 0);
    number_checks(iam);
    uint8_t *apm = malloc(CLID_ISUP_MAX_LEN);
    FUZZ_CHECK(apm != NULL);
    for (unsigned ctx = 0; ctx < 128; ctx++) {
        rc = clid_isup_iam_get_apm(iam, ctx, apm, CLID_ISUP_MAX_LEN, &len);
        FUZZ_CHECK(rc == CLID_OK || rc == CLID_ERR_ISUP_PARSE || rc == CLID_ERR_ISUP_PARAM_ABSENT);
        FUZZ_CHECK(rc != CLID_OK || len <= size);
    }
    /* The input itself as APM data for clid's context. */
    size_t data_len = size > 600 ? 600 : size;
    FUZZ_CHECK(clid_isup_iam_set_apm(iam, CLID_ISUP_APM_CONTEXT_DEFAULT, data, data_len) ==
               CLID_OK);
    FUZZ_CHECK(clid_isup_iam_get_apm(iam, CLID_ISUP_APM_CONTEXT_DEFAULT, apm, CLID_ISUP_MAX_LEN,
                                     &len) == CLID_OK);
    FUZZ_CHECK(len == data_len && memcmp(apm, data, data_len) == 0);
    rc = clid_isup_iam_encode(iam, enc, CLID_ISUP_MAX_LEN, &len);
    FUZZ_CHECK(rc == CLID_OK || rc == CLID_ERR_ISUP_TOO_LARGE);
    if (rc == CLID_OK) {
        clid_isup_iam *back = NULL;
        FUZZ_CHECK(clid_isup_iam_parse(enc, len, &back) == CLID_OK);
        FUZZ_CHECK(clid_isup_iam_get_apm(back, CLID_ISUP_APM_CONTEXT_DEFAULT, apm,
                                         CLID_ISUP_MAX_LEN, &len) == CLID_OK);
        FUZZ_CHECK(len == data_len && memcmp(apm, data, data_len) == 0);
        clid_isup_iam_free(back);
    }
    free(apm);
    free(enc);
    clid_isup_iam_free(iam);
}

static void sipi_checks(const uint8_t *data, size_t size)
{
    const char *msg = (const char *)data;
    clid_sipi_part p;
    if (clid_sipi_find_isup(msg, size, &p) != CLID_OK)
        return;
    FUZZ_CHECK(p.offset <= size && p.len <= size - p.offset);
    FUZZ_CHECK(memchr(p.version, '\0', sizeof p.version) != NULL);
    FUZZ_CHECK(memchr(p.base, '\0', sizeof p.base) != NULL);
    if (p.len <= CLID_ISUP_MAX_LEN)
        iam_checks(data + p.offset, p.len);
    size_t need = 0;
    clid_err rc = clid_sipi_replace_isup(msg, size, data + p.offset, p.len, NULL, 0, &need);
    if (rc != CLID_ERR_BUFFER_TOO_SMALL)
        return; /* too large an ISUP part, or a request clid could not write back */
    char *out = malloc(need);
    FUZZ_CHECK(out != NULL);
    size_t out_len = 0;
    rc = clid_sipi_replace_isup(msg, size, data + p.offset, p.len, out, need, &out_len);
    FUZZ_CHECK(rc == CLID_OK);
    clid_sipi_part q;
    FUZZ_CHECK(clid_sipi_find_isup(out, out_len, &q) == CLID_OK);
    FUZZ_CHECK(q.len == p.len && memcmp(out + q.offset, data + p.offset, p.len) == 0);
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    iam_checks(data, size);
    sipi_checks(data, size);
    return 0;
}
