/*
 * clid conform run, the parts that judge (tools/conform/run_verdict.c) and
 * parse (tools/conform/run_sip.c): verdicts and expectation entries, the
 * INVITE split into SIPp keys, the outcome read from a SIPp message trace.
 * Byte-level and negative cases; the end-to-end runs are
 * interop-tests/conformance/conform.sh.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "conform/run.h"

/* ---- verdicts ----------------------------------------------------------- */

static conform_case mkcase(const char *json)
{
    conform_case c;
    memset(&c, 0, sizeof c);
    c.json = json_loads(json, 0, NULL);
    assert_non_null(c.json);
    c.name = json_string_value(json_object_get(c.json, "name"));
    return c;
}

static conform_obs mkobs(const char *vs, int sip, const char *reason)
{
    conform_obs o;
    memset(&o, 0, sizeof o);
    snprintf(o.verstat, sizeof o.verstat, "%s", vs);
    o.sip = sip;
    snprintf(o.reason, sizeof o.reason, "%s", reason);
    return o;
}

static const char *NEG = "{\"name\": \"orig-mismatch\", \"expect\": {\"verstat\": "
                         "\"TN-Validation-Failed\", \"sip\": [438, 0], \"reason\": "
                         "\"CLID_ERR_ORIG_MISMATCH\"}}";

static void verdict_basic(void **state)
{
    (void)state;
    conform_case c = mkcase(NEG);
    conform_target clid = {.name = "clid", .kind = CONFORM_CLID};
    conform_target sip = {.name = "k", .kind = CONFORM_SIP};
    char why[512];
    conform_obs o = mkobs("TN-Validation-Failed", 438, "CLID_ERR_ORIG_MISMATCH");
    assert_string_equal(conform_verdict(&clid, &c, &o, why, sizeof why), "pass");
    assert_string_equal(why, "");
    /* 0 listed: passing the failed call on with a failed verstat is fine. */
    o = mkobs("TN-Validation-Failed", 0, "CLID_ERR_ORIG_MISMATCH");
    assert_string_equal(conform_verdict(&clid, &c, &o, why, sizeof why), "pass");
    /* The reason counts for clid only. */
    o = mkobs("TN-Validation-Failed", 438, "CLID_ERR_SIGNATURE_INVALID");
    assert_string_equal(conform_verdict(&clid, &c, &o, why, sizeof why), "fail");
    assert_non_null(strstr(why, "reason differs"));
    assert_string_equal(conform_verdict(&sip, &c, &o, why, sizeof why), "pass");
    /* A status not listed. */
    o = mkobs("TN-Validation-Failed", 403, "");
    assert_string_equal(conform_verdict(&sip, &c, &o, why, sizeof why), "fail");
    assert_non_null(strstr(why, "SIP status differs: expected TN-Validation-Failed, sip 438/0"));
    /* The verstat first. */
    o = mkobs("TN-Validation-Passed", 0, "");
    assert_string_equal(conform_verdict(&sip, &c, &o, why, sizeof why), "fail");
    assert_non_null(strstr(why, "verstat differs"));
    assert_non_null(strstr(why, "observed TN-Validation-Passed, sip 0"));
    /* No verstat at all. */
    o = mkobs("", 500, "");
    assert_string_equal(conform_verdict(&sip, &c, &o, why, sizeof why), "fail");
    assert_non_null(strstr(why, "no verstat, sip 500"));
    /* A cmd: target without a sip line: judged on the verstat alone. */
    conform_target cmd = {.name = "c", .kind = CONFORM_CMD};
    o = mkobs("TN-Validation-Failed", -1, "");
    assert_string_equal(conform_verdict(&cmd, &c, &o, why, sizeof why), "pass");
    o = mkobs("TN-Validation-Passed", -1, "");
    assert_string_equal(conform_verdict(&cmd, &c, &o, why, sizeof why), "fail");
    assert_non_null(strstr(why, "no SIP status"));
    /* Could not ask. */
    o = mkobs("", -1, "");
    o.error = 1;
    snprintf(o.detail, sizeof o.detail, "no answer within 3 s: killed");
    assert_string_equal(conform_verdict(&cmd, &c, &o, why, sizeof why), "error");
    assert_string_equal(why, "no answer within 3 s: killed");
    json_decref(c.json);
}

static void verdict_expectation(void **state)
{
    (void)state;
    conform_case c = mkcase(NEG);
    json_t *dev = json_loads("{\"orig-mismatch\": {\"verstat\": \"TN-Validation-Passed\", "
                             "\"sip\": 0, \"why\": \"lax: no binding\"}}", 0, NULL);
    conform_target t = {.name = "k", .kind = CONFORM_SIP, .expect_file = "k.json",
                        .deviations = dev};
    char why[512];
    /* Exactly as recorded. */
    conform_obs o = mkobs("TN-Validation-Passed", 0, "");
    assert_string_equal(conform_verdict(&t, &c, &o, why, sizeof why), "known-deviation");
    assert_string_equal(why, "lax: no binding");
    /* Another deviation than recorded. */
    o = mkobs("TN-Validation-Passed", 200, "");
    assert_string_equal(conform_verdict(&t, &c, &o, why, sizeof why), "fail");
    assert_non_null(strstr(why, "the expectation changed: k.json records TN-Validation-Passed, sip 0"));
    /* It meets the catalogue now: the recorded deviation no longer occurs. */
    o = mkobs("TN-Validation-Failed", 438, "");
    assert_string_equal(conform_verdict(&t, &c, &o, why, sizeof why), "fail");
    assert_non_null(strstr(why, "now meets the catalogue"));
    /* A case the file does not name: plain verdicts. */
    conform_case v = mkcase("{\"name\": \"valid\", \"expect\": {\"verstat\": "
                            "\"TN-Validation-Passed\", \"sip\": [0]}}");
    o = mkobs("TN-Validation-Passed", 0, "");
    assert_string_equal(conform_verdict(&t, &v, &o, why, sizeof why), "pass");
    json_decref(v.json);
    json_decref(dev);
    json_decref(c.json);
}

static void skip_needs(void **state)
{
    (void)state;
    conform_case c = mkcase("{\"name\": \"x5u-private\", \"needs\": [\"non-loopback\"], "
                            "\"expect\": {\"verstat\": \"TN-Validation-Failed\", \"sip\": [436]}}");
    conform_target clid = {.name = "clid", .kind = CONFORM_CLID};
    conform_target sip = {.name = "k", .kind = CONFORM_SIP};
    assert_null(conform_skip(&clid, &c));
    assert_non_null(conform_skip(&sip, &c));
    json_decref(c.json);
    c = mkcase("{\"name\": \"n\", \"needs\": [\"other\", 3], \"expect\": {}}");
    assert_null(conform_skip(&sip, &c));
    json_decref(c.json);
}

/* ---- the INVITE as SIPp keys --------------------------------------------- */

static int split(const char *msg, const char *target, char **r, char **h, char **b,
                 char *detail)
{
    return conform_sip_split_invite(msg, strlen(msg), target, r, h, b, detail, 128);
}

static void split_invite(void **state)
{
    (void)state;
    char *r, *h, *b, detail[128];
    const char *msg = "INVITE sip:+12025550199@target.invalid;user=phone SIP/2.0\r\n"
                      "Via: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bK1\r\n"
                      "v: SIP/2.0/UDP 192.0.2.2;branch=z9hG4bK2\r\n"
                      "From: <sip:+12025550100@origin.invalid>;tag=1\r\n"
                      "To: <sip:+12025550199@target.invalid>\r\n"
                      "Call-ID: a@b\r\n"
                      "i: c@d\r\n"
                      "CSeq : 1 INVITE\r\n"
                      "Contact: <sip:x@192.0.2.1>,\r\n"
                      "  <sip:y@192.0.2.1>\r\n"
                      "Identity: eyJ.eyJ.sig;\r\n"
                      " info=<https://127.0.0.1:1/x.pem>;ppt=shaken\r\n"
                      "Max-Forwards: 70\r\n"
                      "y: compact\r\n"
                      "l: 9\r\n"
                      "\r\n"
                      "v=0\r\ns=-\r\n\r\n";
    assert_int_equal(split(msg, "127.0.0.1:5070", &r, &h, &b, detail), 0);
    assert_string_equal(r, "sip:+12025550199@127.0.0.1:5070;user=phone");
    /* The transaction's own fields out (a folded Contact with its field),
     * the case's byte for byte, a folded Identity with its field. */
    assert_string_equal(h, "From: <sip:+12025550100@origin.invalid>;tag=1\r\n"
                           "To: <sip:+12025550199@target.invalid>\r\n"
                           "Identity: eyJ.eyJ.sig;\r\n"
                           " info=<https://127.0.0.1:1/x.pem>;ppt=shaken\r\n"
                           "y: compact");
    assert_string_equal(b, "v=0\r\ns=-");
    free(r), free(h), free(b);

    /* A tel: Request-URI is sent as it is; no body. */
    assert_int_equal(split("INVITE tel:+12025550199 SIP/2.0\r\nFrom: <tel:+1>\r\n\r\n", "h:1",
                           &r, &h, &b, detail), 0);
    assert_string_equal(r, "tel:+12025550199");
    assert_string_equal(h, "From: <tel:+1>");
    assert_string_equal(b, "");
    free(r), free(h), free(b);
    /* sip: without user part: unchanged too. */
    assert_int_equal(split("INVITE sip:target.invalid SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n", "h:1",
                           &r, &h, &b, detail), 0);
    assert_string_equal(r, "sip:target.invalid");
    free(r), free(h), free(b);

    /* Refused: not an INVITE, LF line ends, no end of headers, no SP. */
    static const char *const bad[] = {
        "BYE sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\n\r\n",
        "INVITE sip:a@b SIP/2.0\nTo: <sip:a@b>\n\n",
        "INVITE sip:a@b SIP/2.0\r\nTo: <sip:a@b>\r\n",
        "INVITE sip:a@b\r\nTo: <sip:a@b>\r\n\r\n",
        "",
        "INVITE ",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(split(bad[i], "h:1", &r, &h, &b, detail), -1);
        assert_true(detail[0] != '\0');
        free(r), free(h), free(b);
    }
}

/* ---- the outcome from a SIPp trace ---------------------------------------- */

#define SEP "----------------------------------------------- 2026-12-02 06:55:58.108294\n"

static void read_trace_text(const char *text, const char *cid, conform_obs *o)
{
    char path[] = "/tmp/test_conform_run.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    memset(o, 0, sizeof *o);
    o->sip = -1;
    conform_sip_read_trace(path, cid, o);
    unlink(path);
}

static void read_trace(void **state)
{
    (void)state;
    conform_obs o;
    const char *sent = SEP "UDP message sent (10 bytes):\n\nINVITE sip:a@b SIP/2.0\r\n"
                           "Call-ID: c1@clid\r\n\r\n\n";
    char buf[4096];

    /* Forwarded: the UAS's echo, the asserted identity first. */
    snprintf(buf, sizeof buf, "%s" SEP "UDP message received [9] bytes :\n\n"
             "SIP/2.0 100 Trying\r\nCall-ID: c1@clid\r\n\r\n\n"
             SEP "UDP message received [9] bytes :\n\n"
             "SIP/2.0 200 OK\r\nCall-ID: c1@clid\r\n"
             "X-Conform-Forwarded: pai=verstat=TN-Validation-Passed from=verstat=No-TN-Validation\r\n"
             "\r\n\n", sent);
    read_trace_text(buf, "c1@clid", &o);
    assert_int_equal(o.error, 0);
    assert_int_equal(o.sip, 0);
    assert_string_equal(o.verstat, "TN-Validation-Passed");
    /* From when the forwarded INVITE had it only there. */
    snprintf(buf, sizeof buf, "%s" SEP "UDP message received [9] bytes :\n\n"
             "SIP/2.0 200 OK\r\ncall-id: c1@clid\r\n"
             "X-Conform-Forwarded: pai= from=verstat=TN-Validation-Failed\r\n\r\n\n", sent);
    read_trace_text(buf, "c1@clid", &o);
    assert_string_equal(o.verstat, "TN-Validation-Failed");
    assert_int_equal(o.sip, 0);
    /* Answered by the target itself: its P-Asserted-Identity; none: no verstat. */
    snprintf(buf, sizeof buf, "%s" SEP "UDP message received [9] bytes :\n\n"
             "SIP/2.0 202 Accepted\r\nCall-ID: c1@clid\r\n"
             "P-Asserted-Identity: <tel:+1;verstat=TN-Validation-Passed>\r\n\r\n\n", sent);
    read_trace_text(buf, "c1@clid", &o);
    assert_string_equal(o.verstat, "TN-Validation-Passed");
    snprintf(buf, sizeof buf, "%s" SEP "UDP message received [9] bytes :\n\n"
             "SIP/2.0 200 OK\r\nCall-ID: c1@clid\r\n\r\n\n", sent);
    read_trace_text(buf, "c1@clid", &o);
    assert_string_equal(o.verstat, "");
    assert_int_equal(o.sip, 0);
    /* Rejected: RFC 8224 statuses are failed verifications, others not. */
    snprintf(buf, sizeof buf, "%s" SEP "UDP message received [9] bytes :\n\n"
             "SIP/2.0 438 Invalid Identity Header\r\nCall-ID: c1@clid\r\n\r\n\n", sent);
    read_trace_text(buf, "c1@clid", &o);
    assert_int_equal(o.sip, 438);
    assert_string_equal(o.verstat, "TN-Validation-Failed");
    assert_string_equal(o.detail, "SIP/2.0 438 Invalid Identity Header");
    snprintf(buf, sizeof buf, "%s" SEP "UDP message received [9] bytes :\n\n"
             "SIP/2.0 503 Service Unavailable\r\nCall-ID: c1@clid\r\n\r\n\n", sent);
    read_trace_text(buf, "c1@clid", &o);
    assert_int_equal(o.sip, 503);
    assert_string_equal(o.verstat, "");
    /* Another call's 200 (a stray retransmission) is not this case's. */
    snprintf(buf, sizeof buf, "%s" SEP "UDP message received [9] bytes :\n\n"
             "SIP/2.0 436 Bad Identity Info\r\nCall-ID: c1@clid\r\n\r\n\n"
             SEP "UDP message received [9] bytes :\n\n"
             "SIP/2.0 200 OK\r\nCall-ID: c0@clid\r\n"
             "X-Conform-Forwarded: pai=verstat=TN-Validation-Passed from=\r\n\r\n\n", sent);
    read_trace_text(buf, "c1@clid", &o);
    assert_int_equal(o.sip, 436);
    /* Only provisional responses, none, a truncated block: errors. */
    static const char *const none[] = {
        SEP "UDP message received [9] bytes :\n\nSIP/2.0 180 Ringing\r\nCall-ID: c1@clid\r\n\r\n\n",
        "",
        SEP "UDP message received [9] bytes :",
        SEP "UDP message received [9] bytes :\n\nSIP/2.0 2",
        SEP "UDP message received [9] bytes :\n\nSIP/2.0 200 OK\r\n",
    };
    for (size_t i = 0; i < sizeof none / sizeof none[0]; i++) {
        read_trace_text(none[i], "c1@clid", &o);
        assert_int_equal(o.error, 1);
    }
    /* No trace at all. */
    memset(&o, 0, sizeof o);
    conform_sip_read_trace("/nonexistent/trace.msg", "c1@clid", &o);
    assert_int_equal(o.error, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(verdict_basic),   cmocka_unit_test(verdict_expectation),
        cmocka_unit_test(skip_needs),      cmocka_unit_test(split_invite),
        cmocka_unit_test(read_trace),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
