/*
 * A tiny program built against an *installed* libclid (see run.sh): it proves
 * that the installed headers compile on their own, that the exported symbols
 * are there, and that the library works when found through find_package(clid)
 * or pkg-config.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <clid/clid.h>
#include <clid/clid_oob.h>
#include <clid/clid_sip.h>

static int fail(const char *what, clid_err rc)
{
    fprintf(stderr, "consumer: %s: %s\n", what, clid_err_name(rc));
    return 1;
}

int main(void)
{
    /* RFC 8226 SPC "709J" as SHAKEN certificates carry it. */
    static const uint8_t want[] = {0x30, 0x08, 0xA0, 0x06, 0x16, 0x04, '7', '0', '9', 'J'};
    static const uint8_t ber[] = {0x30, 0x81, 0x08, 0xA0, 0x06, 0x16, 0x04, '7', '0', '9', 'J'};
    clid_tnauth *l = NULL, *back = NULL;
    uint8_t der[64];
    size_t n = 0;
    clid_err rc;

    if (strcmp(clid_version(), CLID_VERSION_STRING) != 0) {
        fprintf(stderr, "consumer: header %s, library %s\n", CLID_VERSION_STRING, clid_version());
        return 1;
    }
    if ((rc = clid_tnauth_new(&l)) != CLID_OK)
        return fail("clid_tnauth_new", rc);
    if ((rc = clid_tnauth_add_spc(l, "709J")) != CLID_OK)
        return fail("clid_tnauth_add_spc", rc);
    if ((rc = clid_tnauth_encode(l, der, sizeof der, &n)) != CLID_OK)
        return fail("clid_tnauth_encode", rc);
    if (n != sizeof want || memcmp(der, want, n) != 0)
        return fail("encoding differs from RFC 8226", CLID_ERR_INTERNAL);
    if ((rc = clid_tnauth_decode(der, n, &back)) != CLID_OK)
        return fail("clid_tnauth_decode", rc);
    if (!clid_tnauth_equal(l, back))
        return fail("round trip", CLID_ERR_INTERNAL);
    clid_tnauth_free(back);
    back = NULL;
    rc = clid_tnauth_decode(ber, sizeof ber, &back);
    if (rc != CLID_ERR_DER_NOT_CANONICAL || back != NULL)
        return fail("BER input was not refused as non-canonical", rc);
    if (strcmp(clid_err_name(CLID_ERR_DER_NOT_CANONICAL), "CLID_ERR_DER_NOT_CANONICAL") != 0)
        return fail("clid_err_name", CLID_ERR_INTERNAL);
    clid_tnauth_free(l);
    /* The SIP adapter pulls libosip2's parser into the link (static too). */
    static const char req[] = "INVITE sip:+12025550199@example.net SIP/2.0\r\n"
                              "From: <sip:+12025550100@example.org>;tag=1\r\n"
                              "To: <sip:+12025550199@example.net>\r\n"
                              "Call-ID: c\r\nCSeq: 1 INVITE\r\n\r\n";
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
    if ((rc = clid_sip_get_tns(req, sizeof req - 1, orig, dest)) != CLID_OK)
        return fail("clid_sip_get_tns", rc);
    if (strcmp(orig, "12025550100") != 0 || strcmp(dest, "12025550199") != 0)
        return fail("clid_sip_get_tns numbers", CLID_ERR_INTERNAL);
    /* Verification: a missing number is an explicit skip, never a NULL;
     * an empty Identity value is a call without identity. */
    clid_ctx *ctx = NULL;
    clid_verifier *v = NULL;
    clid_result *res = NULL;
    if ((rc = clid_ctx_new(&ctx)) != CLID_OK || (rc = clid_verifier_new(ctx, &v)) != CLID_OK ||
        (rc = clid_result_new(&res)) != CLID_OK)
        return fail("clid_ctx_new/clid_verifier_new/clid_result_new", rc);
    clid_verify_input in = {.identity = "x", .orig = "12025550100"};
    if ((rc = clid_verify_identity(v, &in, res)) != CLID_ERR_INVALID_ARGUMENT)
        return fail("a NULL dest without CLID_VERIFY_SKIP_DEST_BINDING", rc);
    in.identity = "";
    in.skip = CLID_VERIFY_SKIP_DEST_BINDING;
    if ((rc = clid_verify_identity(v, &in, res)) != CLID_ERR_NO_IDENTITY ||
        clid_result_binding_checked(res) != 0)
        return fail("an empty Identity value", rc);
    clid_result_free(res);
    clid_verifier_free(v);
    clid_ctx_free(ctx);
    /* Out of band (clid_oob.h): the digest a publish token carries. */
    const char *pp[] = {"a.b.c", "d.e.f"};
    char digest[CLID_OOB_DIGEST_BUF];
    if ((rc = clid_oob_passports_digest(pp, 2, digest)) != CLID_OK ||
        strcmp(digest, "sha256-D4dEMqo5QaTJid4154HY8Xoxrn577gc2lHM1SZ6erkE=") != 0)
        return fail("clid_oob_passports_digest", rc);
    printf("consumer ok: libclid %s\n", clid_version());
    return 0;
}
