/*
 * The asn1c runtime mutates its type descriptors on first use and is not
 * thread-safe as shipped (deps notes A5); asn1_codec.c primes every type
 * once under pthread_once. Here 4 threads start together at a barrier and
 * their very first codec calls race each other (nothing in this process
 * has touched the codec before), then keep decoding, comparing and
 * re-encoding shared inputs of all four types (the CLI token's codec,
 * asn1_clitoken.c, shares the priming). Every result is checked.
 * Built with -DCLID_SANITIZE=ON this also runs under ASan/UBSan; the same
 * binary is a good TSan subject.
 */
#include "support/clid_test.h"

#include <pthread.h>

#include "asn1/clitoken_codec.h"

#define THREADS 4
#define ITERATIONS 200

static const uint8_t tnauth_der[] = {
    /* spc "709J", one "12025551000", range {"12025550000", 100} */
    0x30, 0x2B, 0xA0, 0x06, 0x16, 0x04, 0x37, 0x30, 0x39, 0x4A, 0xA2, 0x0D, 0x16, 0x0B, 0x31,
    0x32, 0x30, 0x32, 0x35, 0x35, 0x35, 0x31, 0x30, 0x30, 0x30, 0xA1, 0x12, 0x30, 0x10, 0x16,
    0x0B, 0x31, 0x32, 0x30, 0x32, 0x35, 0x35, 0x35, 0x30, 0x30, 0x30, 0x30, 0x02, 0x01, 0x64};
static const uint8_t jwtcc8226_der[] = {
    /* mustInclude {"rcd"}, permittedValues {{"attest", {"A", "B"}}} */
    0x30, 0x1F, 0xA0, 0x07, 0x30, 0x05, 0x16, 0x03, 0x72, 0x63, 0x64, 0xA1, 0x14, 0x30, 0x12,
    0x30, 0x10, 0x16, 0x06, 0x61, 0x74, 0x74, 0x65, 0x73, 0x74, 0x30, 0x06, 0x0C, 0x01, 0x41,
    0x0C, 0x01, 0x42};
static const uint8_t jwtcc9118_der[] = {
    /* mustInclude {"rcd"}, permittedValues {{"attest", {"A"}}}, mustExclude {"div"} */
    0x30, 0x25, 0xA0, 0x07, 0x30, 0x05, 0x16, 0x03, 0x72, 0x63, 0x64, 0xA1, 0x11, 0x30, 0x0F,
    0x30, 0x0D, 0x16, 0x06, 0x61, 0x74, 0x74, 0x65, 0x73, 0x74, 0x30, 0x03, 0x0C, 0x01, 0x41,
    0xA2, 0x07, 0x30, 0x05, 0x16, 0x03, 0x64, 0x69, 0x76};
static const uint8_t entity_der[] = {
    /* internationalGateway, {"44"}, "ABC1", 234-15, 4242, "Example" */
    0x30, 0x2B, 0x80, 0x01, 0x01, 0xA1, 0x04, 0x16, 0x02, 0x34, 0x34, 0x82, 0x04, 0x41, 0x42,
    0x43, 0x31, 0xA3, 0x0B, 0x30, 0x09, 0x16, 0x03, 0x32, 0x33, 0x34, 0x16, 0x02, 0x31, 0x35,
    0xA4, 0x04, 0x02, 0x02, 0x10, 0x92, 0x85, 0x07, 0x45, 0x78, 0x61, 0x6D, 0x70, 0x6C, 0x65};
/* Inputs that exercise the constraint checkers whose caching A2 is about:
 * one="12a" must keep failing in every thread at every iteration. */
static const uint8_t tnauth_bad[] = {0x30, 0x07, 0xA2, 0x05, 0x16, 0x03, 0x31, 0x32, 0x61};
static const uint8_t entity_bad[] = {0x30, 0x08, 0x80, 0x01, 0x00, 0xA1, 0x03, 0x16, 0x01, 0x61};

/* The CLI token (asn1/CLID-CLI-Token-2026.asn): version 1, a signature of
 * 64 bytes 0x5A (written by build_references), attest a, iat 1767225600,
 * origid, x5u "https://a.example/x.pem", orig "12025551000", dest
 * {"12025552000"}; and the same with orig "1202555a" (FROM refused). */
static const uint8_t token_head[] = {0x30, 0x81, 0x98, 0x02, 0x01, 0x01,
                                     0xA0, 0x81, 0x92, 0x04, 0x40};
static const uint8_t token_bad_head[] = {0x30, 0x81, 0x86, 0x02, 0x01, 0x01,
                                         0xA0, 0x81, 0x80, 0x04, 0x40};
static const uint8_t token_tail[] = {
    0x0A, 0x01, 0x00, 0x02, 0x04, 0x69, 0x55, 0xB9, 0x00, 0x04, 0x10, 0x4B, 0x3E, 0x8F, 0x6A,
    0x1C, 0x2D, 0x4E, 0x5F, 0x8A, 0x9B, 0x0C, 0x1D, 0x2E, 0x3F, 0x4A, 0x5B, 0x16, 0x17, 0x68,
    0x74, 0x74, 0x70, 0x73, 0x3A, 0x2F, 0x2F, 0x61, 0x2E, 0x65, 0x78, 0x61, 0x6D, 0x70, 0x6C,
    0x65, 0x2F, 0x78, 0x2E, 0x70, 0x65, 0x6D, 0x80, 0x0B, 0x31, 0x32, 0x30, 0x32, 0x35, 0x35,
    0x35, 0x31, 0x30, 0x30, 0x30, 0xA1, 0x0D, 0x16, 0x0B, 0x31, 0x32, 0x30, 0x32, 0x35, 0x35,
    0x35, 0x32, 0x30, 0x30, 0x30};
/* The bad one's tail: token_tail up to the orig, then [0] "1202555a". */
#define TOKEN_TAIL_BEFORE_ORIG 52
static const uint8_t token_bad_orig[] = {0x80, 0x08, 0x31, 0x32, 0x30, 0x32, 0x35, 0x35, 0x35, 0x61};
static uint8_t token_der[sizeof token_head + 64 + sizeof token_tail];
static uint8_t token_bad[sizeof token_bad_head + 64 + TOKEN_TAIL_BEFORE_ORIG + sizeof token_bad_orig];

/* Reference values, built with the builders only (no codec call), so that
 * the threads make the process's first codec calls. */
static clid_tnauth *ref_tnauth;
static clid_jwtcc *ref_jwtcc8226, *ref_jwtcc9118;
static clid_entity *ref_entity;

static pthread_barrier_t start;

struct worker {
    int id;
    unsigned failures;
    unsigned checks;
    char first_failure[160];
};

static void fail_once(struct worker *w, const char *what, clid_err rc)
{
    if (w->failures++ == 0)
        snprintf(w->first_failure, sizeof w->first_failure, "thread %d: %s (%s)", w->id, what,
                 clid_err_name(rc));
}

static void check_tnauth(struct worker *w)
{
    clid_tnauth *l = NULL;
    uint8_t buf[sizeof tnauth_der];
    size_t n = 0;
    clid_err rc = clid_tnauth_decode(tnauth_der, sizeof tnauth_der, &l);
    if (rc != CLID_OK || !clid_tnauth_equal(l, ref_tnauth))
        fail_once(w, "tnauth decode", rc);
    else if ((rc = clid_tnauth_encode(l, buf, sizeof buf, &n)) != CLID_OK || n != sizeof buf ||
             memcmp(buf, tnauth_der, n) != 0)
        fail_once(w, "tnauth re-encode", rc);
    clid_tnauth_free(l);
    l = NULL;
    if ((rc = clid_tnauth_decode(tnauth_bad, sizeof tnauth_bad, &l)) != CLID_ERR_DER_CONSTRAINT)
        fail_once(w, "tnauth one=\"12a\" not refused", rc);
    clid_tnauth_free(l);
    w->checks += 2;
}

static void check_jwtcc(struct worker *w, clid_jwtcc_kind kind)
{
    const uint8_t *der = kind == CLID_JWTCC_RFC8226 ? jwtcc8226_der : jwtcc9118_der;
    size_t len = kind == CLID_JWTCC_RFC8226 ? sizeof jwtcc8226_der : sizeof jwtcc9118_der;
    const clid_jwtcc *ref = kind == CLID_JWTCC_RFC8226 ? ref_jwtcc8226 : ref_jwtcc9118;
    clid_jwtcc *c = NULL;
    uint8_t buf[64];
    size_t n = 0;
    clid_err rc = clid_jwtcc_decode(kind, der, len, &c);
    if (rc != CLID_OK || !clid_jwtcc_equal(c, ref))
        fail_once(w, "jwtcc decode", rc);
    else if ((rc = clid_jwtcc_encode(c, buf, sizeof buf, &n)) != CLID_OK || n != len ||
             memcmp(buf, der, n) != 0)
        fail_once(w, "jwtcc re-encode", rc);
    clid_jwtcc_free(c);
    w->checks++;
}

static void check_entity(struct worker *w)
{
    clid_entity *e = NULL;
    uint8_t buf[sizeof entity_der];
    size_t n = 0;
    clid_err rc = clid_entity_decode(entity_der, sizeof entity_der, &e);
    if (rc != CLID_OK || !clid_entity_equal(e, ref_entity))
        fail_once(w, "entity decode", rc);
    else if ((rc = clid_entity_encode(e, buf, sizeof buf, &n)) != CLID_OK || n != sizeof buf ||
             memcmp(buf, entity_der, n) != 0)
        fail_once(w, "entity re-encode", rc);
    clid_entity_free(e);
    e = NULL;
    /* CountryCode FROM ("0123456789") */
    if ((rc = clid_entity_decode(entity_bad, sizeof entity_bad, &e)) != CLID_ERR_DER_CONSTRAINT)
        fail_once(w, "entity country \"a\" not refused", rc);
    clid_entity_free(e);
    w->checks += 2;
}

static void check_clitoken(struct worker *w)
{
    clid__cli_token t;
    uint8_t *re = NULL;
    size_t n = 0;
    clid_err rc = clid__asn1_clitoken_decode(token_der, sizeof token_der, &t);
    if (rc != CLID_OK || t.iat != 1767225600 || t.dest_count != 1 ||
        strcmp(t.orig, "12025551000") != 0)
        fail_once(w, "CLI token decode", rc);
    else if ((rc = clid__asn1_clitoken_encode(&t, &re, &n)) != CLID_OK ||
             n != sizeof token_der || memcmp(re, token_der, n) != 0)
        fail_once(w, "CLI token re-encode", rc);
    free(re);
    /* CliTokenTN FROM ("0123456789#*") */
    if ((rc = clid__asn1_clitoken_decode(token_bad, sizeof token_bad, &t)) !=
        CLID_ERR_CLI_TOKEN_PARSE)
        fail_once(w, "CLI token orig \"1202555a\" not refused", rc);
    w->checks += 2;
}

static void *run(void *arg)
{
    struct worker *w = arg;
    (void)pthread_barrier_wait(&start);
    for (int i = 0; i < ITERATIONS; i++) {
        /* Each thread starts with a different type, so the first calls
         * into the runtime differ between threads. */
        for (int k = 0; k < 5; k++) {
            switch ((w->id + i + k) % 5) {
            case 0: check_tnauth(w); break;
            case 1: check_jwtcc(w, CLID_JWTCC_RFC8226); break;
            case 2: check_jwtcc(w, CLID_JWTCC_RFC9118); break;
            case 3: check_clitoken(w); break;
            default: check_entity(w); break;
            }
        }
    }
    return NULL;
}

static void build_references(void)
{
    assert_ok(clid_tnauth_new(&ref_tnauth));
    assert_ok(clid_tnauth_add_spc(ref_tnauth, "709J"));
    assert_ok(clid_tnauth_add_tn(ref_tnauth, "12025551000"));
    assert_ok(clid_tnauth_add_range(ref_tnauth, "12025550000", 100));

    assert_ok(clid_jwtcc_new(CLID_JWTCC_RFC8226, &ref_jwtcc8226));
    assert_ok(clid_jwtcc_add_must_include(ref_jwtcc8226, "rcd"));
    assert_ok(clid_jwtcc_add_permitted(ref_jwtcc8226, "attest", "A"));
    assert_ok(clid_jwtcc_add_permitted(ref_jwtcc8226, "attest", "B"));

    assert_ok(clid_jwtcc_new(CLID_JWTCC_RFC9118, &ref_jwtcc9118));
    assert_ok(clid_jwtcc_add_must_include(ref_jwtcc9118, "rcd"));
    assert_ok(clid_jwtcc_add_permitted(ref_jwtcc9118, "attest", "A"));
    assert_ok(clid_jwtcc_add_must_exclude(ref_jwtcc9118, "div"));

    assert_ok(clid_entity_new(CLID_ROLE_INTERNATIONAL_GATEWAY, &ref_entity));
    assert_ok(clid_entity_add_country(ref_entity, "44"));
    assert_ok(clid_entity_set_carrier(ref_entity, "ABC1"));
    assert_ok(clid_entity_add_plmn(ref_entity, "234", "15"));
    assert_ok(clid_entity_add_ispc(ref_entity, 4242));
    assert_ok(clid_entity_set_operator_name(ref_entity, "Example"));

    uint8_t *p = token_der;
    memcpy(p, token_head, sizeof token_head);
    memset(p + sizeof token_head, 0x5A, 64);
    memcpy(p + sizeof token_head + 64, token_tail, sizeof token_tail);
    p = token_bad;
    memcpy(p, token_bad_head, sizeof token_bad_head);
    memset(p + sizeof token_bad_head, 0x5A, 64);
    p += sizeof token_bad_head + 64;
    memcpy(p, token_tail, TOKEN_TAIL_BEFORE_ORIG);
    memcpy(p + TOKEN_TAIL_BEFORE_ORIG, token_bad_orig, sizeof token_bad_orig);
}

static void concurrent_first_use(void **state)
{
    (void)state;
    build_references();
    struct worker w[THREADS];
    pthread_t t[THREADS];
    assert_int_equal(pthread_barrier_init(&start, NULL, THREADS), 0);
    for (int i = 0; i < THREADS; i++) {
        memset(&w[i], 0, sizeof w[i]);
        w[i].id = i;
        assert_int_equal(pthread_create(&t[i], NULL, run, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    assert_int_equal(pthread_barrier_destroy(&start), 0);
    for (int i = 0; i < THREADS; i++) {
        if (w[i].failures)
            fail_msg("%u failures, first: %s", w[i].failures, w[i].first_failure);
        /* Every iteration ran all eight checks. */
        assert_int_equal(w[i].checks, ITERATIONS * 8);
    }
    clid_tnauth_free(ref_tnauth);
    clid_jwtcc_free(ref_jwtcc8226);
    clid_jwtcc_free(ref_jwtcc9118);
    clid_entity_free(ref_entity);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_first_use),
    };
    return cmocka_run_group_tests_name("asn1_threads", tests, NULL, NULL);
}
