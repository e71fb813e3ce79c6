/*
 * libFuzzer target: History-Info (RFC 7044) and Diversion (RFC 5806) as a
 * retargeting proxy reads them (clid_sip_get_diversion, sip_history.c).
 * The input is a header section: it is put between a fixed start line and
 * From/To/Call-ID/CSeq and the empty line, so that mutations work on the
 * headers themselves; input that already starts with "INVITE " is taken
 * as a whole request. Beyond "no crash, no leak, no UB" it checks what the
 * function promises:
 *   - CLID_OK gives two canonical TNs; any error leaves both "";
 *   - only the documented errors come out;
 *   - the answer does not depend on the buffer's end (an exact-size copy);
 *   - clid_sip_sign_div of the request (a signer without certificate, so
 *     every diverting number is signable) agrees: it fails when the
 *     reading fails, and what it signs reads back the same diversion.
 * Corpus: fuzz/corpus/history/.
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_sip.h>

#include "fuzz_common.h"
#include "core/internal.h"
#include "fuzz_pki.h"

#define URL "https://cert.example.org/sp.pem"

static int64_t t0 = TP_T0;
static clid_signer *signer;
static clid_verifier *ver; /* kept for the process's life (fuzz_pki.h) */

static void setup(void)
{
    tp_cert *sp = NULL;
    ver = fuzz_pki_verifier("SHAKEN 709J", "spc:709J", URL, &t0, &sp);
    signer = tp_signer_key(sp->key, NULL, URL, &t0);
    tp_free(sp);
}

static const char HEAD[] = "INVITE sip:+12155550003@c.example SIP/2.0\r\n";
static const char FIXED[] = "From: <sip:+12155550001@a.example>;tag=1\r\n"
                            "To: <sip:+12155550002@b.example>\r\n"
                            "Call-ID: f@a\r\nCSeq: 1 INVITE\r\n";

static int documented(clid_err rc)
{
    return rc == CLID_OK || rc == CLID_ERR_SIP_PARSE || rc == CLID_ERR_SIP_TOO_LARGE ||
           rc == CLID_ERR_SIP_HISTORY_INFO || rc == CLID_ERR_SIP_NO_DIVERSION ||
           rc == CLID_ERR_SIP_NO_CALLEE || rc == CLID_ERR_TN_PHONE_CONTEXT ||
           rc == CLID_ERR_NOMEM;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (signer == NULL)
        setup();
    if (size > CLID_SIP_MAX_LEN)
        return 0;
    int whole = size >= 7 && memcmp(data, "INVITE ", 7) == 0;
    size_t len = whole ? size : sizeof HEAD - 1 + sizeof FIXED - 1 + size + 2;
    char *msg = malloc(len ? len : 1);
    FUZZ_CHECK(msg != NULL);
    if (whole) {
        memcpy(msg, data, size);
    } else {
        size_t o = 0;
        memcpy(msg, HEAD, sizeof HEAD - 1);
        o += sizeof HEAD - 1;
        memcpy(msg + o, FIXED, sizeof FIXED - 1);
        o += sizeof FIXED - 1;
        memcpy(msg + o, data, size);
        o += size;
        memcpy(msg + o, "\r\n", 2);
    }

    char div[CLID_TN_BUF], target[CLID_TN_BUF];
    clid_err rc = clid_sip_get_diversion(msg, len, div, target);
    FUZZ_CHECK(documented(rc));
    if (rc == CLID_OK) {
        FUZZ_CHECK(clid__is_tn(div, strlen(div)) && clid__is_tn(target, strlen(target)));
    } else {
        FUZZ_CHECK(div[0] == '\0' && target[0] == '\0');
    }

    size_t cap = len + CLID_SIP_SIGN_EXTRA + 1, out_len = 0;
    char *out = malloc(cap);
    FUZZ_CHECK(out != NULL);
    clid_sip_div_opts o = {.iat = t0};
    clid_err src = clid_sip_sign_div(signer, &o, msg, len, out, cap, &out_len);
    /* the reading failed: signing fails (maybe earlier, on the caller) */
    FUZZ_CHECK(rc == CLID_OK || src != CLID_OK);
    if (src == CLID_OK) {
        FUZZ_CHECK(rc == CLID_OK && out_len > len && out_len < cap);
        /* the signed request reads back the same diversion */
        char div2[CLID_TN_BUF], target2[CLID_TN_BUF];
        clid_err rc2 = clid_sip_get_diversion(out, out_len, div2, target2);
        FUZZ_CHECK(rc2 == CLID_OK && strcmp(div, div2) == 0 && strcmp(target, target2) == 0);
    }
    free(out);
    free(msg);
    return 0;
}
