/* The ISUP tests' shared vectors and helpers (isup_fixture.h). */
#include "isup_fixture.h"

const uint8_t IAM_FULL[] = {
    0x01,       /* message type: initial address (Q.763 Table 4) */
    0x00,       /* nature of connection indicators (§3.35): no satellite, no COT */
    0x60, 0x01, /* forward call indicators (§3.23): ISUP not required all the way; ISDN access */
    0x0A,       /* calling party's category (§3.11): ordinary calling subscriber */
    0x00,       /* transmission medium requirement (§3.54): speech */
    0x02,       /* pointer to the Called Party Number (from this octet) */
    0x09,       /* pointer to the optional part: 1 + 1 + 7 octets on */
    /* Called Party Number (§3.9), mandatory variable part */
    0x07,       /* length */
    0x03,       /* even (bit 8 = 0), NAI 3 national (significant) number */
    0x10,       /* INN 0 (routing to internal network number allowed), NPI 1 ISDN */
    0x12, 0x55, 0x55, 0x02, 0x00, /* "2155552000", low nibble first */
    /* Calling Party Number (§3.10) */
    0x0A, 0x08, /* code, length */
    0x84,       /* odd (bit 8 = 1), NAI 4 international number */
    0x13,       /* NI 0, NPI 1, APRI 0 presentation allowed, SI 3 network provided */
    0x21, 0x51, 0x55, 0x05, 0x21, 0x03, /* "12155550123", filler 0000 in the last octet */
    /* Generic Number (§3.26): additional calling party number */
    0xC0, 0x08, /* code, length */
    0x06,       /* number qualifier indicator 6: additional calling party number */
    0x03,       /* even, NAI 3 national */
    0x15,       /* NI 0, NPI 1, APRI 1 presentation restricted, SI 1 user provided verified */
    0x12, 0x55, 0x55, 0x10, 0x99, /* "2155550199" */
    /* Original Called Number (§3.39) */
    0x28, 0x04, /* code, length */
    0x04,       /* even, NAI 4 international */
    0x10,       /* spare, NPI 1, APRI 0, spare */
    0x44, 0x02, /* "4420" */
    /* Redirecting Number (§3.44, the layout of §3.39) */
    0x0B, 0x04, /* code, length */
    0x83,       /* odd, NAI 3 national */
    0x14,       /* spare, NPI 1, APRI 1 restricted, spare */
    0x12, 0x05, /* "215" + filler */
    /* Optional forward call indicators (§3.38), not decoded by clid */
    0x08, 0x01, 0x00,
    /* Generic Number again (may repeat, Q.763 §2.1): additional called number */
    0xC0, 0x04, /* code, length */
    0x01,       /* qualifier 1: additional called number */
    0x84,       /* odd, NAI 4 international */
    0x10,       /* NI 0, NPI 1, APRI 0, SI 0 */
    0x07,       /* "7" + filler */
    /* Application Transport Parameter (§3.82) */
    0x78, 0x06, /* code, length */
    0xDA,       /* ext 1, application context identifier 90 (clid's default) */
    0x80,       /* ext 1, instruction indicators: SNI 0 (no notification), RCI 0 */
    0xC0,       /* ext 1 (no octet 3a), SI 1 new sequence, segmentation indicator 0: final */
    't', 'o', 'k', /* encapsulated application information */
    /* A parameter code no recommendation assigns, with a NUL inside */
    0xFE, 0x03, 0x00, 0xFF, 0x10,
    0x00, /* end of optional parameters (§3.20) */
};
const size_t IAM_FULL_LEN = sizeof IAM_FULL;

const uint8_t IAM_MIN[] = {
    0x01,                   /* IAM */
    0x00, 0x60, 0x01, 0x0A, 0x00, /* fixed part, as above */
    0x02,                   /* pointer to the Called Party Number */
    0x00,                   /* no optional part (Q.763 §1.3.3) */
    0x04, 0x81, 0x10, 0x21, 0x03, /* CdPN: odd, subscriber; NPI 1; "123" */
};
const size_t IAM_MIN_LEN = sizeof IAM_MIN;

static clid_err codec_decode(const uint8_t *der, size_t len, void **out)
{
    clid_isup_iam *iam = NULL;
    clid_err rc = clid_isup_iam_parse(der, len, &iam);
    *out = iam;
    return rc;
}

/* clid_test.h's sweeps query the size with out == NULL and expect CLID_OK
 * (the DER encoders' contract); clid_isup_iam_encode follows
 * clid_sign_identity's (CLID_ERR_BUFFER_TOO_SMALL with the size). */
static clid_err codec_encode(const void *v, uint8_t *out, size_t cap, size_t *out_len)
{
    clid_err rc = clid_isup_iam_encode(v, out, cap, out_len);
    return out == NULL && rc == CLID_ERR_BUFFER_TOO_SMALL ? CLID_OK : rc;
}

static void codec_free(void *v)
{
    clid_isup_iam_free(v);
}

const ct_codec ISUP_IAM_CODEC = {"isup_iam", codec_decode, codec_encode, codec_free};

clid_isup_iam *fx_parse(const uint8_t *buf, size_t len)
{
    uint8_t *copy = ct_dup(buf, len);
    clid_isup_iam *iam = NULL;
    assert_ok(clid_isup_iam_parse(copy, len, &iam));
    assert_non_null(iam);
    free(copy);
    return iam;
}

clid_err fx_parse_err(const uint8_t *buf, size_t len)
{
    uint8_t *copy = ct_dup(buf, len);
    clid_isup_iam *iam = (clid_isup_iam *)&iam; /* poison: a refusal resets it */
    clid_err rc = clid_isup_iam_parse(copy, len, &iam);
    if (rc != CLID_OK)
        assert_null(iam);
    clid_isup_iam_free(rc == CLID_OK ? iam : NULL);
    free(copy);
    return rc;
}

uint8_t *fx_encode(const clid_isup_iam *iam, size_t *len)
{
    size_t need = 0;
    assert_err(clid_isup_iam_encode(iam, NULL, 0, &need), CLID_ERR_BUFFER_TOO_SMALL);
    uint8_t *buf = malloc(need);
    assert_non_null(buf);
    assert_ok(clid_isup_iam_encode(iam, buf, need, len));
    assert_int_equal(*len, need);
    return buf;
}

char *fx_sip(const char *ctype, const char *extra, const uint8_t *body, size_t body_len,
             size_t *len)
{
    char head[2048];
    int n = snprintf(head, sizeof head,
                     "INVITE sip:+12155552000@example.net;user=phone SIP/2.0\r\n"
                     "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:+12155550123@example.com;user=phone>;tag=a1\r\n"
                     "To: <sip:+12155552000@example.net;user=phone>\r\n"
                     "Call-ID: sipi-1@example.com\r\n"
                     "CSeq: 1 INVITE\r\n"
                     "%s%s%s"
                     "%s"
                     "Content-Length: %zu\r\n"
                     "\r\n",
                     ctype != NULL ? "Content-Type: " : "", ctype != NULL ? ctype : "",
                     ctype != NULL ? "\r\n" : "", extra != NULL ? extra : "", body_len);
    assert_true(n > 0 && (size_t)n < sizeof head);
    char *msg = malloc((size_t)n + body_len + 1);
    assert_non_null(msg);
    memcpy(msg, head, (size_t)n);
    if (body_len > 0)
        memcpy(msg + n, body, body_len);
    msg[(size_t)n + body_len] = '\0';
    *len = (size_t)n + body_len;
    return msg;
}
