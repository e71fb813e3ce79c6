/*
 * Writes SIP-I INVITEs whose IAM clid builds, for tshark to decode
 * (isup_tshark.sh): Called Party Number national 2155552000, Calling Party
 * Number international 12155550123 (network provided), and an Application
 * Transport Parameter for clid's context 90 whose encapsulated information
 * starts with empty originating and destination address fields (Q.765; tshark
 * decodes them for context identifiers above 3), then the data.
 *
 *   isup_sipi_tool multipart|single|segmented FILE
 *
 * multipart: SDP + application/ISUP;version=itu-t92+ (RFC 3204);
 * single: the IAM as the whole body, "application/isup; base=etsi121;
 * version=nxv3"; segmented: multipart with 600 octets of data (three
 * segments). The IAM goes into a template by clid_sipi_replace_isup.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clid/clid_isup.h>

static int fail(const char *what, clid_err rc)
{
    fprintf(stderr, "isup_sipi_tool: %s: %s\n", what, clid_err_name(rc));
    return 1;
}

static const char HEAD[] = "INVITE sip:+12155552000@192.0.2.2;user=phone SIP/2.0\r\n"
                           "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-isup1\r\n"
                           "Max-Forwards: 70\r\n"
                           "From: <sip:+12155550123@192.0.2.1;user=phone>;tag=t1\r\n"
                           "To: <sip:+12155552000@192.0.2.2;user=phone>\r\n"
                           "Call-ID: isup-tshark-1@192.0.2.1\r\n"
                           "CSeq: 1 INVITE\r\n";

static const char MULTI_BODY[] =
    "--b1\r\nContent-Type: application/sdp\r\n\r\n"
    "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\nt=0 0\r\n"
    "m=audio 4000 RTP/AVP 0\r\n"
    "\r\n--b1\r\nContent-Type: application/ISUP;version=itu-t92+\r\n"
    "Content-Disposition: signal;handling=required\r\n\r\n"
    "PLACEHOLDER"
    "\r\n--b1--\r\n";

int main(int argc, char **argv)
{
    if (argc != 3)
        return fprintf(stderr, "usage: isup_sipi_tool multipart|single|segmented FILE\n"), 2;
    int single = strcmp(argv[1], "single") == 0;
    size_t data_len = strcmp(argv[1], "segmented") == 0 ? 600 : 40;

    clid_isup_iam *iam = NULL;
    clid_err rc = clid_isup_iam_new(&iam);
    if (rc != CLID_OK)
        return fail("new", rc);
    clid_isup_number cdpn = {.nai = CLID_ISUP_NAI_NATIONAL, .npi = 1, .digits = "2155552000"};
    clid_isup_number cgpn = {.nai = CLID_ISUP_NAI_INTERNATIONAL, .npi = 1, .screening = 3,
                             .digits = "12155550123"};
    uint8_t data[600];
    data[0] = 0x00; /* originating address length: none */
    data[1] = 0x00; /* destination address length: none */
    for (size_t i = 2; i < data_len; i++)
        data[i] = (uint8_t)('a' + i % 26);
    if ((rc = clid_isup_iam_set_number(iam, CLID_ISUP_CALLED_PARTY_NUMBER, &cdpn)) != CLID_OK ||
        (rc = clid_isup_iam_set_number(iam, CLID_ISUP_CALLING_PARTY_NUMBER, &cgpn)) != CLID_OK ||
        (rc = clid_isup_iam_set_apm(iam, CLID_ISUP_APM_CONTEXT_DEFAULT, data, data_len)) !=
            CLID_OK)
        return fail("build", rc);
    uint8_t enc[CLID_ISUP_MAX_LEN];
    size_t enc_len = 0;
    if ((rc = clid_isup_iam_encode(iam, enc, sizeof enc, &enc_len)) != CLID_OK)
        return fail("encode", rc);
    clid_isup_iam_free(iam);

    char tmpl[2048];
    const char *body = single ? "PLACEHOLDER" : MULTI_BODY;
    const char *ctype = single ? "application/isup; base=etsi121; version=nxv3"
                               : "multipart/mixed;boundary=b1";
    int n = snprintf(tmpl, sizeof tmpl, "%sContent-Type: %s\r\nContent-Length: %zu\r\n\r\n%s",
                     HEAD, ctype, strlen(body), body);
    if (n < 0 || (size_t)n >= sizeof tmpl)
        return fail("template", CLID_ERR_INTERNAL);
    static char out[8192];
    size_t out_len = 0;
    rc = clid_sipi_replace_isup(tmpl, (size_t)n, enc, enc_len, out, sizeof out, &out_len);
    if (rc != CLID_OK)
        return fail("replace", rc);
    FILE *f = fopen(argv[2], "wb");
    if (f == NULL || fwrite(out, 1, out_len, f) != out_len || fclose(f) != 0)
        return fail("write", CLID_ERR_INTERNAL);
    return 0;
}
