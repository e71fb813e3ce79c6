/*
 * The passports body (clid_oob_passports_parse, clid_oob_body_build), its
 * digest (checked against Python's hashlib/base64, an independent
 * implementation) and clid_oob_passport_identity.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "oob_fixture.h"

static clid_err parse(const char *body, clid_oob_passports **out)
{
    return clid_oob_passports_parse(body, strlen(body), out);
}

static void test_parse_good(void **state)
{
    (void)state;
    clid_oob_passports *p = NULL;
    assert_int_equal(parse("{\"passports\":[\"a.b.c\", \"d-_.e.f\"]}", &p), CLID_OK);
    assert_int_equal(clid_oob_passports_count(p), 2);
    assert_string_equal(clid_oob_passports_get(p, 0), "a.b.c");
    assert_string_equal(clid_oob_passports_get(p, 1), "d-_.e.f");
    assert_null(clid_oob_passports_get(p, 2));
    clid_oob_passports_free(p);
    assert_int_equal(clid_oob_passports_count(NULL), 0);
    assert_null(clid_oob_passports_get(NULL, 0));
    clid_oob_passports_free(NULL);
}

static void test_parse_bad(void **state)
{
    (void)state;
    const char *bad[] = {
        "",
        "null",
        "[\"a.b.c\"]",
        "{}",
        "{\"passports\":[]}",
        "{\"passports\":\"a.b.c\"}",
        "{\"passports\":[\"a.b.c\"],\"x\":1}",
        "{\"passports\":[\"a.b.c\"],\"passports\":[\"a.b.c\"]}",
        "{\"passports\":[1]}",
        "{\"passports\":[null]}",
        "{\"passports\":[\"a.b\"]}",
        "{\"passports\":[\"a.b.c.d\"]}",
        "{\"passports\":[\"..c\"]}",
        "{\"passports\":[\"a..c\"]}",
        "{\"passports\":[\"a.b.\"]}",
        "{\"passports\":[\"a.b.c=\"]}",
        "{\"passports\":[\"a.b.c \"]}",
        "{\"passports\":[\"a.b.c\\u0000\"]}",
        "{\"passports\":[\"a.b.c\"]",
        "{\"passports\":[\"a.b.c\"]} x",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        clid_oob_passports *p = (clid_oob_passports *)&p; /* must be reset to NULL */
        print_message("%s\n", bad[i]);
        assert_int_equal(parse(bad[i], &p), CLID_ERR_OOB_BODY_PARSE);
        assert_null(p);
    }
    clid_oob_passports *p = NULL;
    assert_int_equal(clid_oob_passports_parse(NULL, 0, &p), CLID_ERR_OOB_BODY_PARSE);
    assert_int_equal(clid_oob_passports_parse("{}", 2, NULL), CLID_ERR_INVALID_ARGUMENT);
    /* Nine PASSporTs; the eight-PASSporT body parses. */
    char nine[256] = "{\"passports\":[";
    for (int i = 0; i < 9; i++)
        strcat(nine, i ? ",\"a.b.c\"" : "\"a.b.c\"");
    strcat(nine, "]}");
    assert_int_equal(parse(nine, &p), CLID_ERR_OOB_TOO_MANY_PASSPORTS);
    char *comma = strrchr(nine, ',');
    strcpy(comma, "]}");
    assert_int_equal(parse(nine, &p), CLID_OK);
    assert_int_equal(clid_oob_passports_count(p), 8);
    clid_oob_passports_free(p);
    /* One PASSporT longer than CLID_OOB_MAX_PASSPORT_LEN, and exactly it. */
    char *big = malloc(CLID_OOB_MAX_PASSPORT_LEN + 64);
    assert_non_null(big);
    strcpy(big, "{\"passports\":[\"a.b.");
    size_t o = strlen(big);
    memset(big + o, 'c', CLID_OOB_MAX_PASSPORT_LEN - 4 + 1);
    strcpy(big + o + CLID_OOB_MAX_PASSPORT_LEN - 4 + 1, "\"]}");
    assert_int_equal(parse(big, &p), CLID_ERR_OOB_BODY_PARSE);
    strcpy(big + o + CLID_OOB_MAX_PASSPORT_LEN - 4, "\"]}");
    assert_int_equal(parse(big, &p), CLID_OK);
    clid_oob_passports_free(p);
    free(big);
    /* A body longer than CLID_OOB_MAX_BODY, valid but for its padding. */
    char *huge = malloc(CLID_OOB_MAX_BODY + 2);
    assert_non_null(huge);
    memset(huge, ' ', CLID_OOB_MAX_BODY + 1);
    memcpy(huge, "{\"passports\":[\"a.b.c\"]}", 23);
    assert_int_equal(clid_oob_passports_parse(huge, CLID_OOB_MAX_BODY + 1, &p),
                     CLID_ERR_OOB_BODY_PARSE);
    assert_int_equal(clid_oob_passports_parse(huge, CLID_OOB_MAX_BODY, &p), CLID_OK);
    clid_oob_passports_free(p);
    free(huge);
}

static void test_build_and_digest(void **state)
{
    (void)state;
    const char *pp[] = {"a.b.c", "d.e.f"};
    char d[CLID_OOB_DIGEST_BUF];
    assert_int_equal(clid_oob_passports_digest(pp, 2, d), CLID_OK);
    /* python3: base64.b64encode(hashlib.sha256(b'["a.b.c","d.e.f"]').digest()) */
    assert_string_equal(d, "sha256-D4dEMqo5QaTJid4154HY8Xoxrn577gc2lHM1SZ6erkE=");
    char out[64];
    size_t len = 0;
    assert_int_equal(clid_oob_body_build(pp, 2, out, sizeof out, &len), CLID_OK);
    assert_string_equal(out, "{\"passports\":[\"a.b.c\",\"d.e.f\"]}");
    assert_int_equal(len, strlen(out));
    assert_int_equal(clid_oob_body_build(pp, 2, out, len, &len), CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(len, strlen("{\"passports\":[\"a.b.c\",\"d.e.f\"]}") + 1);
    /* The built body parses back to the same strings. */
    clid_oob_passports *p = NULL;
    assert_int_equal(clid_oob_body_build(pp, 2, out, sizeof out, &len), CLID_OK);
    assert_int_equal(clid_oob_passports_parse(out, len, &p), CLID_OK);
    assert_string_equal(clid_oob_passports_get(p, 1), "d.e.f");
    clid_oob_passports_free(p);
    /* Nothing to build from, too many, or not JWS. */
    const char *bad[] = {"a.b"};
    assert_int_equal(clid_oob_passports_digest(bad, 1, d), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_oob_passports_digest(pp, 0, d), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_oob_passports_digest(pp, 9, d), CLID_ERR_INVALID_ARGUMENT);
    assert_int_equal(clid_oob_body_build(NULL, 1, out, sizeof out, &len),
                     CLID_ERR_INVALID_ARGUMENT);
}

static void test_identity(void **state)
{
    (void)state;
    char out[4096];
    size_t len = 0;
    assert_int_equal(clid_oob_passport_identity(pp1, out, sizeof out, &len), CLID_OK);
    char *want = tp_cat(pp1, ";info=<" URL_1234 ">;alg=ES256;ppt=shaken", NULL);
    assert_string_equal(out, want);
    free(want);
    /* It verifies in band like the Identity header it stands for. */
    const char *dest = DEST;
    clid_verify_input in = {.identity = out, .orig = ORIG, .dest = dest, .now = t0};
    clid_result *r = NULL;
    assert_int_equal(clid_result_new(&r), CLID_OK);
    assert_int_equal(clid_verify_identity(ver, &in, r), CLID_OK);
    clid_result_free(r);
    assert_int_equal(clid_oob_passport_identity(pp1, out, 10, &len), CLID_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(clid_oob_passport_identity("a.b.c", out, sizeof out, &len), CLID_ERR_BASE64);
    assert_int_not_equal(clid_oob_passport_identity("", out, sizeof out, &len), CLID_OK);
    char *compact = strdup(pp1);
    char *dot = strchr(compact, '.');
    memmove(compact, dot, strlen(dot) + 1);
    char *dot2 = strchr(compact + 1, '.');
    memmove(compact + 1, dot2, strlen(dot2) + 1);
    assert_int_equal(clid_oob_passport_identity(compact, out, sizeof out, &len),
                     CLID_ERR_PASSPORT_COMPACT);
    free(compact);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good),
        cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_build_and_digest),
        cmocka_unit_test(test_identity),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
