/*
 * clid serve's CPS memory store (tools/serve/cps_store_mem.c) with the time
 * passed in: expiry at each entry's exp, the jti claim, the bound
 * (max_records, records and jti entries alike, swept before refusing),
 * the per-record entry bound (the Redis LTRIM's), spc visibility,
 * deduplication and the retrieval cap. The HTTP suite (serve_oob.sh) runs
 * the same semantics against both backends.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <clid/clid_oob.h>

#include "serve/cps_store.h"

static cps_store *mk(size_t max)
{
    cps_store *s = NULL;
    char err[128];
    assert_int_equal(cps_store_mem_new(max, &s, err, sizeof err), 0);
    return s;
}

static clid_err put1(cps_store *s, const char *key, int64_t now, int64_t exp, const char *spc,
                     const char *p)
{
    const char *v[1] = {p};
    return s->ops->put(s, key, now, exp, spc, v, 1);
}

static size_t get_n(cps_store *s, const char *key, int64_t now, const char *iss, size_t max,
                    clid_err *e, char first[64])
{
    char **v = NULL;
    size_t n = 0;
    *e = s->ops->get(s, key, now, iss, max, &v, &n);
    if (first != NULL)
        snprintf(first, 64, "%s", n ? v[0] : "");
    cps_strings_free(v, n);
    return n;
}

static void expiry(void **state)
{
    (void)state;
    cps_store *s = mk(100);
    clid_err e;
    assert_int_equal(put1(s, "pp:1:2", 1000, 1010, "", "A"), CLID_OK);
    assert_int_equal(get_n(s, "pp:1:2", 1009, "1001", 8, &e, NULL), 1);
    assert_int_equal(e, CLID_OK);
    /* visible until exp, not at exp */
    assert_int_equal(get_n(s, "pp:1:2", 1010, "1001", 8, &e, NULL), 0);
    assert_int_equal(e, CLID_ERR_OOB_NOT_FOUND);
    cps_store_free(s);
}

static void claim(void **state)
{
    (void)state;
    cps_store *s = mk(100);
    assert_int_equal(s->ops->claim(s, "jti:1001:a", 1000, 30), CLID_OK);
    assert_int_equal(s->ops->claim(s, "jti:1001:a", 1029, 30), CLID_ERR_OOB_TOKEN_REPLAY);
    assert_int_equal(s->ops->claim(s, "jti:1002:a", 1000, 30), CLID_OK); /* per iss */
    /* after its ttl the key is gone (the token itself is long expired) */
    assert_int_equal(s->ops->claim(s, "jti:1001:a", 1030, 30), CLID_OK);
    cps_store_free(s);
}

static void bound(void **state)
{
    (void)state;
    cps_store *s = mk(3);
    assert_int_equal(s->ops->claim(s, "jti:x:1", 1000, 10), CLID_OK);
    assert_int_equal(put1(s, "pp:1:2", 1000, 1005, "", "A"), CLID_OK);
    assert_int_equal(s->ops->claim(s, "jti:x:2", 1000, 20), CLID_OK);
    assert_int_equal(s->ops->claim(s, "jti:x:3", 1000, 10), CLID_ERR_OOB_STORE_FULL);
    assert_int_equal(put1(s, "pp:1:3", 1000, 1005, "", "B"), CLID_ERR_OOB_STORE_FULL);
    /* an existing record takes more entries without a new key */
    assert_int_equal(put1(s, "pp:1:2", 1000, 1005, "", "C"), CLID_OK);
    /* once the first keys expire, room again: swept before refusing */
    assert_int_equal(s->ops->claim(s, "jti:x:3", 1010, 10), CLID_OK);
    assert_int_equal(put1(s, "pp:1:3", 1010, 1015, "", "B"), CLID_OK);
    cps_store_free(s);
}

static void entries_and_visibility(void **state)
{
    (void)state;
    cps_store *s = mk(100);
    clid_err e;
    char first[64];
    char p[16];
    /* ten publishes: the last CLID_OOB_MAX_PASSPORTS entries are kept */
    for (int i = 0; i < 10; i++) {
        snprintf(p, sizeof p, "P%d", i);
        assert_int_equal(put1(s, "pp:1:2", 1000, 1060, "", p), CLID_OK);
    }
    assert_int_equal(get_n(s, "pp:1:2", 1001, "1001", 100, &e, first), CLID_OOB_MAX_PASSPORTS);
    assert_string_equal(first, "P9"); /* newest first */
    assert_int_equal(get_n(s, "pp:1:2", 1001, "1001", 3, &e, NULL), 3); /* the cap */
    /* duplicates collapse */
    assert_int_equal(put1(s, "pp:5:6", 1000, 1060, "", "D"), CLID_OK);
    assert_int_equal(put1(s, "pp:5:6", 1000, 1060, "", "D"), CLID_OK);
    assert_int_equal(get_n(s, "pp:5:6", 1001, "1001", 8, &e, NULL), 1);
    /* spc: only that retriever */
    assert_int_equal(put1(s, "pp:7:8", 1000, 1060, "5678", "R"), CLID_OK);
    assert_int_equal(get_n(s, "pp:7:8", 1001, "9999", 8, &e, NULL), 0);
    assert_int_equal(e, CLID_ERR_OOB_NOT_FOUND);
    assert_int_equal(get_n(s, "pp:7:8", 1001, "5678", 8, &e, first), 1);
    assert_string_equal(first, "R");
    cps_store_free(s);
}

static void entry_json(void **state)
{
    (void)state;
    const char *v[2] = {"A", "B"};
    char *t = cps_entry_encode(1060, "5678", v, 2);
    assert_non_null(t);
    char *out[8] = {0};
    size_t n = 0;
    assert_int_equal(cps_entry_collect(t, strlen(t), 1000, "5678", 8, out, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(cps_entry_collect(t, strlen(t), 1000, "9999", 8, out, &n), 0);
    assert_int_equal(n, 2); /* not visible: nothing added */
    assert_int_equal(cps_entry_collect(t, strlen(t), 1060, "5678", 8, out, &n), 0);
    assert_int_equal(n, 2); /* expired */
    assert_int_equal(cps_entry_collect("{\"exp\":1}", 9, 0, "x", 8, out, &n), -1);
    for (size_t i = 0; i < n; i++)
        free(out[i]);
    free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(expiry),
        cmocka_unit_test(claim),
        cmocka_unit_test(bound),
        cmocka_unit_test(entries_and_visibility),
        cmocka_unit_test(entry_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
