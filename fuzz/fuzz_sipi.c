/*
 * libFuzzer target: whole SIP-I requests through clid_sipi_verify,
 * clid_sipi_token_to_identity and clid_sipi_sign (clid_isup.h), the
 * composition a SIP-I gateway runs on what the network hands it. The IAM
 * codec, SIP-I bodies and CLI token have targets of their own (fuzz_isup,
 * fuzz_clitoken); this one reaches the glue between them and the SIP
 * adapter. Beyond "no crash, no leak, no UB" it checks what the API
 * promises:
 *   - clid_sipi_verify records its verdict in the result (reason equal to
 *     the return), and a verdict that passed has a verified orig;
 *   - clid_sipi_token_to_identity adds exactly one "Identity: " line;
 *   - a request without Identity headers that clid_sipi_sign signs
 *     verifies with clid_sipi_verify (the round trip: the signer refuses an
 *     IAM whose numbers are not the request's, so the consistency check
 *     holds), both with the Identity header and, once it is removed, from
 *     the token alone.
 * The PKI (testpki.c) is made at the first input; its keys differ per run,
 * so seeds that carry Identity headers or tokens reach the signature
 * check, not a pass. Corpus: fuzz/corpus/sipi/ (the SIP-I requests of
 * fuzz/corpus/isup/, and one signed by clid sign --isup).
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_isup.h>

#include "fuzz_common.h"
#include "core/internal.h"
#include "sip/sip_internal.h"
#include "fuzz_pki.h"

#define URL "https://cert.example.org/sp.pem"

static int64_t t0 = TP_T0;
static clid_verifier *ver;
static clid_signer *signer;

static void setup(void)
{
    tp_cert *sp = NULL;
    ver = fuzz_pki_verifier("SHAKEN 709J", "spc:709J", URL, &t0, &sp);
    signer = tp_signer_key(sp->key, NULL, URL, &t0);
    tp_free(sp);
}

/* Identity headers by clid's own scanner; SIZE_MAX when it cannot scan. */
static size_t count_identity(const char *msg, size_t len)
{
    clid__sip_raw r;
    if (clid__sip_raw_scan(msg, len, &r) != CLID_OK)
        return SIZE_MAX;
    size_t pos = r.headers, n = 0;
    clid__sip_field f;
    while (clid__sip_next_field(&r, &pos, &f))
        n += (size_t)(clid__sip_field_is(&r, &f, "identity", 'y'));
    return n;
}

static clid_err verify(const char *msg, size_t len)
{
    clid_sipi_opts o = {.verify = {.now = t0}};
    clid_result *res = NULL;
    FUZZ_CHECK(clid_result_new(&res) == CLID_OK);
    clid_err rc = clid_sipi_verify(ver, &o, msg, len, res);
    FUZZ_CHECK(clid_result_reason(res) == rc);
    if (rc == CLID_OK)
        FUZZ_CHECK(clid_result_orig(res) != NULL);
    clid_result_free(res);
    return rc;
}

static void token_to_identity(const char *msg, size_t len)
{
    size_t cap = len + CLID_SIP_SIGN_EXTRA + 1, n = 0;
    char *out = malloc(cap);
    FUZZ_CHECK(out != NULL);
    if (clid_sipi_token_to_identity(NULL, msg, len, out, cap, &n) == CLID_OK) {
        FUZZ_CHECK(n < cap && out[n] == '\0');
        size_t before = count_identity(msg, len);
        if (before != SIZE_MAX)
            FUZZ_CHECK(count_identity(out, n) == before + 1);
    }
    free(out);
}

/* The signed request without its Identity line: the token must carry the
 * call alone (the TDM->SIP direction). */
static void verify_token_only(const char *signed_msg, size_t len)
{
    const char *id = strstr(signed_msg, "\nIdentity: ");
    FUZZ_CHECK(id != NULL);
    const char *end = strchr(id + 1, '\n');
    FUZZ_CHECK(end != NULL);
    size_t cut = (size_t)(end - id), n = len - cut;
    char *stripped = malloc(n + 1);
    FUZZ_CHECK(stripped != NULL);
    memcpy(stripped, signed_msg, (size_t)(id - signed_msg));
    memcpy(stripped + (id - signed_msg), end, len - (size_t)(end - signed_msg));
    stripped[n] = '\0';
    FUZZ_CHECK(verify(stripped, n) == CLID_OK);
    free(stripped);
}

static void sign_round_trip(const char *msg, size_t len)
{
    if (count_identity(msg, len) != 0)
        return; /* an Identity that fails decides the verdict: no round trip */
    clid_sip_sign_opts so = {.attest = 'A', .iat = t0};
    size_t cap = CLID_SIP_MAX_LEN + 1, n = 0;
    char *out = malloc(cap);
    FUZZ_CHECK(out != NULL);
    if (clid_sipi_sign(signer, &so, NULL, msg, len, out, cap, &n) == CLID_OK) {
        FUZZ_CHECK(n < cap && out[n] == '\0');
        FUZZ_CHECK(count_identity(out, n) == 1);
        FUZZ_CHECK(verify(out, n) == CLID_OK);
        verify_token_only(out, n);
    }
    free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int ready;
    if (!ready) {
        setup();
        ready = 1;
    }
    const char *msg = (const char *)data;
    (void)verify(msg, size);
    token_to_identity(msg, size);
    sign_round_trip(msg, size);
    return 0;
}
