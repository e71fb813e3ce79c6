/*
 * The catalogue's named corruptions (tools/conform/corrupt.c): each one
 * changes exactly what it says and nothing else. A base message is built,
 * copied, corrupted, and every field compared with the copy.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "conform/corrupt.h"

static const char jose_txt[] =
    "{\"alg\":\"ES256\",\"ppt\":\"shaken\",\"typ\":\"passport\",\"x5u\":\"https://x.test/a.pem\"}";
static const char claims_txt[] = "{\"attest\":\"A\",\"dest\":{\"tn\":[\"12025550199\"]},\"iat\":"
                                 "1767225600,\"orig\":{\"tn\":\"12025550100\"},\"origid\":\"u\"}";

static void base(conform_msg *m)
{
    memset(m, 0, sizeof *m);
    m->jose = json_loads(jose_txt, 0, NULL);
    m->claims = json_loads(claims_txt, 0, NULL);
    m->jose_txt = strdup(jose_txt);
    m->claims_txt = strdup(claims_txt);
    for (int i = 0; i < 64; i++)
        m->sig[i] = (uint8_t)(i + 1); /* r and s with a high bit clear */
    m->sig_len = 64;
    m->part[0] = conform_b64url((const uint8_t *)jose_txt, strlen(jose_txt));
    m->part[1] = conform_b64url((const uint8_t *)claims_txt, strlen(claims_txt));
    m->part[2] = conform_b64url(m->sig, 64);
    m->param[0] = strdup("info=<https://x.test/a.pem>");
    m->param[1] = strdup("alg=ES256");
    m->param[2] = strdup("ppt=shaken");
    m->nparams = 3;
    m->other_url = "https://x.test/b.pem";
}

/* What differs between a corrupted message and the base, as bits. */
enum {
    D_JOSE = 1, D_CLAIMS = 2, D_JOSE_TXT = 4, D_CLAIMS_TXT = 8, D_SIG = 16, D_PART0 = 32,
    D_PART1 = 64, D_PART2 = 128, D_PARAMS = 256, D_SIP = 512, D_KEY = 1024, D_RESIGN = 2048
};

static int diff(const conform_msg *a, const conform_msg *b)
{
    int d = 0;
    d |= json_equal(a->jose, b->jose) ? 0 : D_JOSE;
    d |= json_equal(a->claims, b->claims) ? 0 : D_CLAIMS;
    d |= strcmp(a->jose_txt, b->jose_txt) ? D_JOSE_TXT : 0;
    d |= strcmp(a->claims_txt, b->claims_txt) ? D_CLAIMS_TXT : 0;
    d |= a->sig_len != b->sig_len || memcmp(a->sig, b->sig, a->sig_len) ? D_SIG : 0;
    d |= strcmp(a->part[0], b->part[0]) ? D_PART0 : 0;
    d |= strcmp(a->part[1], b->part[1]) ? D_PART1 : 0;
    d |= strcmp(a->part[2], b->part[2]) ? D_PART2 : 0;
    int pd = a->nparams != b->nparams;
    for (size_t i = 0; !pd && i < a->nparams; i++)
        pd = strcmp(a->param[i], b->param[i]) != 0;
    d |= pd ? D_PARAMS : 0;
    d |= a->identity_absent != b->identity_absent || a->identity_empty != b->identity_empty ||
                 a->identity_compact_name != b->identity_compact_name ||
                 a->identity_garbage_first != b->identity_garbage_first ||
                 a->identity_lowercase_name != b->identity_lowercase_name
             ? D_SIP
             : 0;
    d |= a->other_key != b->other_key ? D_KEY : 0;
    d |= a->resign != b->resign ? D_RESIGN : 0;
    return d;
}

static conform_msg apply(const char *name)
{
    const corrupt_def *d = corrupt_find(name);
    assert_non_null(d);
    conform_msg m;
    base(&m);
    assert_int_equal(corrupt_apply(d, &m), 0);
    return m;
}

static const char *jget(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

/* The JSON stage: one member of the JOSE header or claims, and a re-sign. */
static void test_json_stage(void **state)
{
    (void)state;
    static const struct {
        const char *name, *member, *value; /* value NULL: removed */
    } t[] = {
        {"jose-ppt-absent", "ppt", NULL},     {"jose-ppt-unknown", "ppt", "foo"},
        {"jose-typ-jwt", "typ", "JWT"},       {"jose-alg-none", "alg", "none"},
        {"jose-alg-hs256", "alg", "HS256"},   {"jose-alg-es384", "alg", "ES384"},
        {"jose-alg-absent", "alg", NULL},     {"jose-x5u-absent", "x5u", NULL},
        {"jose-typ-absent", "typ", NULL},
    };
    conform_msg b;
    base(&b);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        conform_msg m = apply(t[i].name);
        assert_int_equal(diff(&m, &b), D_JOSE | D_RESIGN);
        if (t[i].value == NULL)
            assert_null(json_object_get(m.jose, t[i].member));
        else
            assert_string_equal(jget(m.jose, t[i].member), t[i].value);
        assert_int_equal(json_object_size(m.jose),
                         json_object_size(b.jose) - (t[i].value == NULL));
        conform_msg_free(&m);
    }
    conform_msg m = apply("claims-iat-string");
    assert_int_equal(diff(&m, &b), D_CLAIMS | D_RESIGN);
    assert_string_equal(jget(m.claims, "iat"), "1767225600");
    conform_msg_free(&m);
    m = apply("jose-crit-unknown");
    assert_int_equal(diff(&m, &b), D_JOSE | D_RESIGN);
    assert_int_equal(json_object_size(m.jose), json_object_size(b.jose) + 2);
    assert_string_equal(json_string_value(json_array_get(json_object_get(m.jose, "crit"), 0)),
                        "x-clid");
    assert_int_equal(json_array_size(json_object_get(m.jose, "crit")), 1);
    assert_true(json_is_true(json_object_get(m.jose, "x-clid")));
    conform_msg_free(&m);
    conform_msg_free(&b);
}

static void test_text_stage(void **state)
{
    (void)state;
    conform_msg b;
    base(&b);
    conform_msg m = apply("claims-dup-orig");
    assert_int_equal(diff(&m, &b), D_CLAIMS_TXT | D_RESIGN);
    size_t n = strlen(claims_txt);
    /* the base text, then one member more before the closing brace */
    assert_memory_equal(m.claims_txt, claims_txt, n - 1);
    assert_string_equal(m.claims_txt + n - 1, ",\"orig\":{\"tn\":\"19995550100\"}}");
    json_error_t e;
    assert_null(json_loads(m.claims_txt, JSON_REJECT_DUPLICATES, &e));
    json_t *last = json_loads(m.claims_txt, 0, NULL); /* jansson keeps the last one */
    assert_string_equal(jget(json_object_get(last, "orig"), "tn"), "19995550100");
    json_decref(last);
    conform_msg_free(&m);

    m = apply("jose-dup-alg");
    assert_int_equal(diff(&m, &b), D_JOSE_TXT | D_RESIGN);
    n = strlen(jose_txt);
    assert_memory_equal(m.jose_txt, jose_txt, n - 1);
    assert_string_equal(m.jose_txt + n - 1, ",\"alg\":\"none\"}");
    conform_msg_free(&m);

    m = apply("claims-pretty");
    assert_int_equal(diff(&m, &b), D_CLAIMS_TXT | D_RESIGN);
    assert_non_null(strchr(m.claims_txt, '\n'));
    json_t *back = json_loads(m.claims_txt, JSON_REJECT_DUPLICATES, &e);
    assert_true(json_equal(back, b.claims)); /* the same claims */
    /* in reverse order: origid first */
    assert_string_equal(json_object_iter_key(json_object_iter(back)), "origid");
    json_decref(back);
    conform_msg_free(&m);
    conform_msg_free(&b);
}

static void test_sign_sig_stage(void **state)
{
    (void)state;
    conform_msg b;
    base(&b);
    conform_msg m = apply("sig-other-key");
    assert_int_equal(diff(&m, &b), D_KEY);
    conform_msg_free(&m);

    m = apply("sig-der");
    assert_int_equal(diff(&m, &b), D_SIG);
    /* SEQUENCE { INTEGER r, INTEGER s }: 30 44 02 20 r 02 20 s */
    assert_int_equal(m.sig_len, 70);
    assert_int_equal(m.sig[0], 0x30);
    assert_int_equal(m.sig[1], 0x44);
    assert_int_equal(m.sig[2], 0x02);
    assert_int_equal(m.sig[3], 0x20);
    assert_memory_equal(m.sig + 4, b.sig, 32);
    assert_int_equal(m.sig[36], 0x02);
    assert_memory_equal(m.sig + 38, b.sig + 32, 32);
    conform_msg_free(&m);
    conform_msg_free(&b);
}

static void test_b64_stage(void **state)
{
    (void)state;
    conform_msg b;
    base(&b);
    conform_msg m = apply("b64-padding");
    assert_int_equal(diff(&m, &b), D_PART2);
    assert_int_equal(strlen(b.part[2]), 86);
    assert_int_equal(strncmp(m.part[2], b.part[2], 86), 0);
    assert_string_equal(m.part[2] + 86, "==");
    conform_msg_free(&m);

    m = apply("b64-garbage");
    assert_int_equal(diff(&m, &b), D_PART1);
    assert_int_equal(strlen(m.part[1]), strlen(b.part[1]));
    assert_memory_equal(m.part[1], b.part[1], 4);
    assert_memory_equal(m.part[1] + 4, "!*%$", 4);
    assert_string_equal(m.part[1] + 8, b.part[1] + 8);
    conform_msg_free(&m);

    m = apply("b64-std-alphabet");
    assert_int_equal(diff(&m, &b), D_PART1);
    assert_int_equal(strlen(m.part[1]), strlen(b.part[1]));
    int changed = 0;
    for (size_t i = 0; b.part[1][i]; i++) {
        char x = b.part[1][i], y = m.part[1][i];
        assert_true(x == y || (x == '-' && y == '+') || (x == '_' && y == '/') ||
                    (i == 0 && y == '+'));
        changed += x != y;
        assert_true(y != '-' && y != '_');
    }
    assert_true(changed > 0);
    conform_msg_free(&m);

    m = apply("b64-bad-length");
    assert_int_equal(diff(&m, &b), D_PART1);
    assert_int_equal(strlen(m.part[1]) % 4, 1);
    assert_int_equal(strncmp(m.part[1], b.part[1], strlen(b.part[1])), 0);
    assert_int_equal(strspn(m.part[1] + strlen(b.part[1]), "A"),
                     strlen(m.part[1]) - strlen(b.part[1]));
    conform_msg_free(&m);

    m = apply("compact-form");
    assert_int_equal(diff(&m, &b), D_PART0 | D_PART1);
    assert_string_equal(m.part[0], "");
    assert_string_equal(m.part[1], "");
    conform_msg_free(&m);

    m = apply("claims-tampered");
    assert_int_equal(diff(&m, &b), D_PART1);
    size_t n = 0;
    uint8_t *sent = conform_b64url_decode(m.part[1], &n);
    assert_non_null(sent);
    assert_int_equal(n, strlen(claims_txt));
    char expect[sizeof claims_txt];
    strcpy(expect, claims_txt);
    strstr(expect, "\"attest\":\"A\"")[10] = 'B';
    assert_memory_equal(sent, expect, n);
    free(sent);
    conform_msg_free(&m);
    conform_msg_free(&b);
}

static void test_param_stage(void **state)
{
    (void)state;
    static const struct {
        const char *name;
        const char *params[4]; /* the parameters afterwards */
    } t[] = {
        {"info-absent", {"alg=ES256", "ppt=shaken"}},
        {"info-other-url", {"info=<https://x.test/b.pem>", "alg=ES256", "ppt=shaken"}},
        {"info-no-brackets", {"info=https://x.test/a.pem", "alg=ES256", "ppt=shaken"}},
        {"param-alg-absent", {"info=<https://x.test/a.pem>", "ppt=shaken"}},
        {"param-alg-es384", {"info=<https://x.test/a.pem>", "alg=ES384", "ppt=shaken"}},
        {"param-ppt-absent", {"info=<https://x.test/a.pem>", "alg=ES256"}},
        {"param-ppt-quoted", {"info=<https://x.test/a.pem>", "alg=ES256", "ppt=\"shaken\""}},
        {"param-ppt-div", {"info=<https://x.test/a.pem>", "alg=ES256", "ppt=div"}},
        {"param-ppt-unknown", {"info=<https://x.test/a.pem>", "alg=ES256", "ppt=foo"}},
        {"param-order", {"ppt=shaken", "alg=ES256", "info=<https://x.test/a.pem>"}},
        {"param-names-upper", {"INFO=<https://x.test/a.pem>", "ALG=ES256", "PPT=shaken"}},
        {"param-spaces", {" info = <https://x.test/a.pem>", " alg = ES256", " ppt = shaken"}},
    };
    conform_msg b;
    base(&b);
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        conform_msg m = apply(t[i].name);
        assert_int_equal(diff(&m, &b), D_PARAMS);
        size_t n = 0;
        while (n < 4 && t[i].params[n] != NULL)
            n++;
        assert_int_equal(m.nparams, n);
        for (size_t j = 0; j < n; j++)
            assert_string_equal(m.param[j], t[i].params[j]);
        conform_msg_free(&m);
    }
    conform_msg m = apply("param-oversized");
    assert_int_equal(diff(&m, &b), D_PARAMS);
    assert_int_equal(m.nparams, 4);
    assert_int_equal(strncmp(m.param[3], "x-pad=", 6), 0);
    char *v = conform_msg_identity(&m);
    assert_true(strlen(v) > 8192);
    free(v);
    conform_msg_free(&m);
    conform_msg_free(&b);
}

static void test_sip_stage(void **state)
{
    (void)state;
    static const char *const names[] = {"identity-absent", "identity-empty",
                                        "identity-compact-name", "identity-garbage-first",
                                        "identity-lowercase-name"};
    conform_msg b;
    base(&b);
    for (size_t i = 0; i < 5; i++) {
        conform_msg m = apply(names[i]);
        assert_int_equal(diff(&m, &b), D_SIP);
        int *flag[] = {&m.identity_absent, &m.identity_empty, &m.identity_compact_name,
                       &m.identity_garbage_first, &m.identity_lowercase_name};
        for (size_t j = 0; j < 5; j++)
            assert_int_equal(*flag[j], i == j);
        conform_msg_free(&m);
    }
    conform_msg_free(&b);
}

/* Every corruption of the table is one of the above, and a corruption
 * that finds nothing to edit says so rather than doing nothing. */
static void test_table(void **state)
{
    (void)state;
    assert_int_equal(corrupt_count(), 40); /* each tested above */
    for (size_t i = 0; i < corrupt_count(); i++) {
        const corrupt_def *d = corrupt_at(i);
        assert_ptr_equal(corrupt_find(d->name), d);
        assert_true(strlen(d->what) > 0);
    }
    assert_null(corrupt_find("no-such-corruption"));
    static const char *const needs_something[] = {"jose-alg-absent", "info-absent",
                                                  "param-ppt-absent", "jose-x5u-absent",
                                                  "info-no-brackets"};
    for (size_t i = 0; i < 5; i++) {
        conform_msg m;
        base(&m);
        const corrupt_def *d = corrupt_find(needs_something[i]);
        assert_int_equal(corrupt_apply(d, &m), 0);
        assert_int_equal(corrupt_apply(d, &m), -1); /* nothing left to edit */
        conform_msg_free(&m);
    }
}

/* The assembled value: parts joined with '.', parameters with ';'. */
static void test_identity(void **state)
{
    (void)state;
    conform_msg m;
    base(&m);
    char *v = conform_msg_identity(&m);
    char expect[2048];
    snprintf(expect, sizeof expect, "%s.%s.%s;info=<https://x.test/a.pem>;alg=ES256;ppt=shaken",
             m.part[0], m.part[1], m.part[2]);
    assert_string_equal(v, expect);
    free(v);
    size_t n = 0;
    uint8_t *d = conform_b64url_decode(m.part[0], &n);
    assert_int_equal(n, strlen(jose_txt));
    assert_memory_equal(d, jose_txt, n);
    free(d);
    assert_null(conform_b64url_decode("ab=c", &n));
    conform_msg_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_stage),  cmocka_unit_test(test_text_stage),
        cmocka_unit_test(test_sign_sig_stage), cmocka_unit_test(test_b64_stage),
        cmocka_unit_test(test_param_stage), cmocka_unit_test(test_sip_stage),
        cmocka_unit_test(test_table),       cmocka_unit_test(test_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
