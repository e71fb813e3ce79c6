/*
 * SIP-I bodies (lib/src/isup/sipi_body.c, RFC 3204, RFC 2046 §5.1.1): the
 * ISUP octets as the whole body or one part of multipart/mixed, the media
 * type spellings of real equipment, Content-Disposition handling, binary
 * content, and the replacement that keeps every other octet.
 */
#include "isup_fixture.h"

static const char SDP[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
                           "t=0 0\r\nm=audio 4000 RTP/AVP 0\r\n";

/* A multipart body: SDP, then the IAM with the given part headers. */
static uint8_t *multipart(const char *boundary, const char *isup_headers, const uint8_t *iam,
                          size_t iam_len, size_t *len)
{
    char head[1024];
    int n = snprintf(head, sizeof head,
                     "--%s\r\nContent-Type: application/sdp\r\n\r\n%s\r\n--%s\r\n%s\r\n", boundary,
                     SDP, boundary, isup_headers);
    assert_true(n > 0 && (size_t)n < sizeof head);
    char tail[128];
    int t = snprintf(tail, sizeof tail, "\r\n--%s--\r\n", boundary);
    uint8_t *b = malloc((size_t)n + iam_len + (size_t)t);
    assert_non_null(b);
    memcpy(b, head, (size_t)n);
    memcpy(b + n, iam, iam_len);
    memcpy(b + n + iam_len, tail, (size_t)t);
    *len = (size_t)n + iam_len + (size_t)t;
    return b;
}

/* multipart() as the body of a "multipart/mixed;boundary=<boundary>"
 * request (fx_sip). malloc'd. */
static char *multipart_sip(const char *boundary, const char *isup_headers, const uint8_t *iam,
                           size_t iam_len, size_t *len)
{
    size_t blen = 0;
    uint8_t *b = multipart(boundary, isup_headers, iam, iam_len, &blen);
    char ctype[128];
    int n = snprintf(ctype, sizeof ctype, "multipart/mixed;boundary=%s", boundary);
    assert_true(n > 0 && (size_t)n < sizeof ctype);
    char *msg = fx_sip(ctype, NULL, b, blen, len);
    free(b);
    return msg;
}

/* clid_sipi_find_isup's code on a request of body type `ctype` (NULL:
 * none) over body[0..n). */
static clid_err find_in(const char *ctype, const uint8_t *body, size_t n)
{
    size_t len = 0;
    clid_sipi_part p;
    char *msg = fx_sip(ctype, NULL, body, n, &len);
    clid_err rc = clid_sipi_find_isup(msg, len, &p);
    free(msg);
    return rc;
}

static void assert_found(const char *msg, size_t len, const char *version, const char *base,
                         int required)
{
    clid_sipi_part p;
    assert_ok(clid_sipi_find_isup(msg, len, &p));
    assert_int_equal(p.len, IAM_FULL_LEN);
    assert_true(p.offset + p.len <= len);
    assert_memory_equal(msg + p.offset, IAM_FULL, IAM_FULL_LEN);
    assert_string_equal(p.version, version);
    assert_string_equal(p.base, base);
    assert_int_equal(p.handling_required, required);
}

static void single_part(void **state)
{
    (void)state;
    size_t len = 0;
    char *msg = fx_sip("application/ISUP;version=itu-t92+;base=itu-t92+",
                       "Content-Disposition: signal;handling=optional\r\n", IAM_FULL,
                       IAM_FULL_LEN, &len);
    assert_found(msg, len, "itu-t92+", "itu-t92+", 0);
    free(msg);
    /* lower case, parameters reordered and quoted, whitespace, no disposition:
     * RFC 3261 §20.11 makes handling "required" */
    msg = fx_sip("application/isup ; base=\"etsi121\" ; VERSION = nxv3", NULL, IAM_FULL,
                 IAM_FULL_LEN, &len);
    assert_found(msg, len, "nxv3", "etsi121", 1);
    free(msg);
    msg = fx_sip("APPLICATION/ISUP", NULL, IAM_FULL, IAM_FULL_LEN, &len);
    assert_found(msg, len, "", "", 1);
    free(msg);
    /* not ISUP, or no body type at all */
    assert_err(find_in("application/sdp", (const uint8_t *)SDP, strlen(SDP)),
               CLID_ERR_ISUP_ABSENT);
    assert_err(find_in(NULL, NULL, 0), CLID_ERR_ISUP_ABSENT);
    /* the parameter given twice is ambiguous; an unterminated quote */
    assert_err(find_in("application/ISUP;version=ansi00;version=itu-t92+", IAM_FULL,
                       IAM_FULL_LEN),
               CLID_ERR_SIP_PARSE);
    assert_err(find_in("application/ISUP;version=\"ansi00", IAM_FULL, IAM_FULL_LEN),
               CLID_ERR_SIP_PARSE);
}

static void truncated_or_padded(void **state)
{
    (void)state;
    size_t len = 0;
    clid_sipi_part p;
    char *msg = fx_sip("application/ISUP;version=itu-t92+", NULL, IAM_FULL, IAM_FULL_LEN, &len);
    /* Content-Length promises more than there is */
    assert_err(clid_sipi_find_isup(msg, len - 1, &p), CLID_ERR_SIP_PARSE);
    free(msg);
    /* more octets than Content-Length */
    uint8_t body[512];
    memcpy(body, IAM_FULL, IAM_FULL_LEN);
    body[IAM_FULL_LEN] = 0x00;
    msg = fx_sip("application/ISUP;version=itu-t92+", NULL, body, IAM_FULL_LEN + 1, &len);
    assert_ok(clid_sipi_find_isup(msg, len, &p));
    assert_err(clid_sipi_find_isup(msg, len - 1, &p), CLID_ERR_SIP_PARSE);
    free(msg);
    /* every truncation of a multipart request is refused, never read past */
    msg = multipart_sip("b1", "Content-Type: application/ISUP;version=itu-t92+\r\n", IAM_FULL,
                        IAM_FULL_LEN, &len);
    for (size_t n = 0; n < len; n++) {
        char *cut = malloc(n ? n : 1);
        assert_non_null(cut);
        memcpy(cut, msg, n);
        if (clid_sipi_find_isup(cut, n, &p) == CLID_OK)
            fail_msg("a request cut at %zu/%zu gave an ISUP part", n, len);
        free(cut);
    }
    free(msg);
}

static void multipart_parts(void **state)
{
    (void)state;
    size_t blen = 0, len = 0;
    char *msg = multipart_sip("unique-boundary-1",
                              "Content-Type: application/ISUP;version=itu-t92+\r\n"
                              "Content-Disposition: signal;handling=required\r\n",
                              IAM_FULL, IAM_FULL_LEN, &len);
    assert_found(msg, len, "itu-t92+", "", 1);
    free(msg);
    /* the boundary quoted, other spelling of the ISUP type, folded part header */
    uint8_t *b = multipart("b=2",
                           "content-type: application/isup;\r\n base=etsi121;version=\"nxv3\"\r\n"
                           "content-disposition: signal; handling=optional\r\n",
                           IAM_FULL, IAM_FULL_LEN, &blen);
    msg = fx_sip("multipart/mixed; boundary=\"b=2\"", NULL, b, blen, &len);
    assert_found(msg, len, "nxv3", "etsi121", 0);
    free(msg);
    /* missing boundary parameter */
    assert_err(find_in("multipart/mixed", b, blen), CLID_ERR_SIP_PARSE);
    /* a boundary that never occurs */
    assert_err(find_in("multipart/mixed;boundary=zz", b, blen), CLID_ERR_SIP_PARSE);
    /* no close delimiter: truncated */
    assert_err(find_in("multipart/mixed;boundary=\"b=2\"", b, blen - 8), CLID_ERR_SIP_PARSE);
    free(b);
    /* only SDP: no ISUP */
    static const char sdp_only[] = "--b1\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n--b1--\r\n";
    assert_err(find_in("multipart/mixed;boundary=b1", (const uint8_t *)sdp_only, strlen(sdp_only)),
               CLID_ERR_ISUP_ABSENT);
    /* a preamble, and an IAM holding CRLF CRLF, "--b1x" and NULs */
    uint8_t iam[] = {0x01, 0x00, 0x0D, 0x0A, 0x0D, 0x0A, '-', '-', 'b', '1', 'x', 0x00};
    char head[256];
    int hn = snprintf(head, sizeof head,
                      "preamble\r\n--b1\r\nContent-Type: application/ISUP\r\n\r\n");
    uint8_t body[512];
    memcpy(body, head, (size_t)hn);
    memcpy(body + hn, iam, sizeof iam);
    memcpy(body + hn + sizeof iam, "\r\n--b1--", 8);
    msg = fx_sip("multipart/mixed;boundary=b1", NULL, body, (size_t)hn + sizeof iam + 8, &len);
    clid_sipi_part p;
    assert_ok(clid_sipi_find_isup(msg, len, &p));
    assert_int_equal(p.len, sizeof iam);
    assert_memory_equal(msg + p.offset, iam, sizeof iam);
    free(msg);
    /* two ISUP parts: which one? */
    static const char two[] = "--b1\r\nContent-Type: application/ISUP\r\n\r\nA\r\n"
                              "--b1\r\nContent-Type: application/ISUP\r\n\r\nB\r\n--b1--";
    assert_err(find_in("multipart/mixed;boundary=b1", (const uint8_t *)two, strlen(two)),
               CLID_ERR_SIP_PARSE);
    /* a part whose headers never end */
    static const char nohdr_end[] = "--b1\r\nContent-Type: application/ISUP\r\n--b1--";
    assert_err(find_in("multipart/mixed;boundary=b1", (const uint8_t *)nohdr_end,
                       strlen(nohdr_end)),
               CLID_ERR_SIP_PARSE);
}

static void replace(void **state)
{
    (void)state;
    static const char hdrs[] = "Content-Type: application/ISUP;version=itu-t92+\r\n"
                               "Content-Disposition: signal;handling=required\r\n";
    size_t len = 0, want_len = 0;
    char *msg = multipart_sip("b1", hdrs, IAM_MIN, IAM_MIN_LEN, &len);
    /* the expected result, built the same way around IAM_FULL */
    char *want = multipart_sip("b1", hdrs, IAM_FULL, IAM_FULL_LEN, &want_len);
    size_t need = 0;
    assert_err(clid_sipi_replace_isup(msg, len, IAM_FULL, IAM_FULL_LEN, NULL, 0, &need),
               CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(need, want_len + 1);
    char *out = malloc(need);
    assert_non_null(out);
    size_t out_len = 0;
    assert_ok(clid_sipi_replace_isup(msg, len, IAM_FULL, IAM_FULL_LEN, out, need, &out_len));
    assert_int_equal(out_len, want_len);
    assert_memory_equal(out, want, want_len); /* Content-Length and all else as expected */
    clid_sipi_part p;
    assert_ok(clid_sipi_find_isup(out, out_len, &p));
    assert_int_equal(p.len, IAM_FULL_LEN);
    /* and back */
    char *back = malloc(len + 1);
    assert_non_null(back);
    assert_ok(clid_sipi_replace_isup(out, out_len, IAM_MIN, IAM_MIN_LEN, back, len + 1,
                                     &out_len));
    assert_int_equal(out_len, len);
    assert_memory_equal(back, msg, len);
    free(back);
    /* new octets holding the delimiter would end the part early */
    static const uint8_t evil[] = {0x01, '\r', '\n', '-', '-', 'b', '1', '-', '-'};
    assert_err(clid_sipi_replace_isup(msg, len, evil, sizeof evil, out, need, &out_len),
               CLID_ERR_INVALID_ARGUMENT);
    free(out);
    free(want);
    free(msg);

    /* whole-body ISUP */
    msg = fx_sip("application/ISUP;version=itu-t92+", NULL, IAM_MIN, IAM_MIN_LEN, &len);
    want = fx_sip("application/ISUP;version=itu-t92+", NULL, IAM_FULL, IAM_FULL_LEN, &want_len);
    out = malloc(want_len + 1);
    assert_non_null(out);
    assert_ok(clid_sipi_replace_isup(msg, len, IAM_FULL, IAM_FULL_LEN, out, want_len + 1,
                                     &out_len));
    assert_int_equal(out_len, want_len);
    assert_memory_equal(out, want, want_len);
    free(out);
    free(want);
    /* no ISUP to replace */
    char buf[4096];
    char *plain = fx_sip("application/sdp", NULL, (const uint8_t *)SDP, strlen(SDP), &len);
    assert_err(clid_sipi_replace_isup(plain, len, IAM_FULL, IAM_FULL_LEN, buf, sizeof buf,
                                      &out_len),
               CLID_ERR_ISUP_ABSENT);
    free(plain);
    free(msg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(single_part),
        cmocka_unit_test(truncated_or_padded),
        cmocka_unit_test(multipart_parts),
        cmocka_unit_test(replace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
