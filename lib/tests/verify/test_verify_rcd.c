/*
 * Rich Call Data verification (RFC 9795; verify/verify_rcd.c): round
 * trips signed by clid, claim constraints on rcd and crn with the detail
 * naming the violated constraint, rcdi digests against the offline
 * content map and a fetcher, and what a result presents.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "passport/rcd.h"
#include "verify_fixture.h"

#define JCL "https://rcd.example.org/alice.json"
#define ICN "https://rcd.example.org/alice.png"
static const char jcard[] = "[\"vcard\",[[\"fn\",{},\"text\",\"Alice Example\"]]]";
static const uint8_t icon[] = {0x89, 'P', 'N', 'G', 1, 2, 3};

/* What a scenario serves: content map entries and an optional fetcher. */
typedef struct rscen {
    const tp_cert *leaf;        /* NULL: sp */
    const clid_claims *claims;  /* NULL: default claims with `rcd` */
    const clid_rcd *rcd;
    const char *map_url[2];
    const void *map_data[2];
    size_t map_len[2];
    clid_fetch_fn fetch;
    void *fetch_arg;
} rscen;

static clid_err rrun(const rscen *s)
{
    const tp_cert *leaf = s->leaf ? s->leaf : sp;
    clid_ctx *c = bare_ctx();
    char *chain = tp_cat(leaf->pem, inter->pem, NULL);
    tp_ctx_map(c, URL_X, chain);
    free(chain);
    assert_int_equal(clid_ctx_accept_ppt(c, "shaken"), CLID_OK);
    assert_int_equal(clid_ctx_accept_ppt(c, "rcd"), CLID_OK);
    for (size_t i = 0; i < 2; i++)
        if (s->map_url[i] != NULL)
            assert_int_equal(clid_ctx_add_rcd_content(c, s->map_url[i], s->map_data[i],
                                                      s->map_len[i]),
                             CLID_OK);
    if (s->fetch != NULL)
        assert_int_equal(clid_ctx_set_rcd_fetcher(c, s->fetch, s->fetch_arg), CLID_OK);
    clid_verifier *v = tp_verifier_new(c);
    clid_claims cl = default_claims();
    cl.rcd = s->rcd;
    char *hdr = sign_hdr(leaf->key, URL_X, s->claims ? s->claims : &cl);
    clid_verify_input in = input(hdr);
    clid_err rc = verify_on(v, &in);
    free(hdr);
    clid_verifier_free(v);
    clid_ctx_free(c);
    return rc;
}

static void name_only(void **state)
{
    (void)state;
    clid_rcd r = {.nam = "Alice Example", .crn = "Your order"};
    check(rrun(&(rscen){.rcd = &r}), CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_rcd(res), CLID_RCD_PRESENT | CLID_RCD_CONTENT_OK);
    assert_string_equal(clid_result_rcd_name(res), "Alice Example");
    assert_string_equal(clid_result_rcd_reason(res), "Your order");
    assert_null(clid_result_rcd_jcard(res));
    assert_null(clid_result_rcd_icon_url(res));
    assert_int_equal(clid_result_warning_count(res), 0);

    /* ppt "rcd" (RFC 9795 §4): no attest or origid. */
    clid_claims cl = default_claims();
    cl.rcd = &r;
    cl.ppt_rcd = 1;
    check(rrun(&(rscen){.claims = &cl}), CLID_OK, PASSED, 0);
    assert_string_equal(clid_result_ppt(res), "rcd");
    assert_int_equal(clid_result_attest(res), 0);
    assert_string_equal(clid_result_rcd_name(res), "Alice Example");
}

static void inline_jcard(void **state)
{
    (void)state;
    clid_rcd r = {.nam = "Alice", .jcd = jcard, .apn = "+1-202-555-0177"};
    check(rrun(&(rscen){.rcd = &r}), CLID_OK, PASSED, 0);
    assert_string_equal(clid_result_rcd_jcard(res), jcard);
    assert_string_equal(clid_result_rcd_apn(res), "12025550177");
}

static void url_content_from_map(void **state)
{
    (void)state;
    clid_rcd r = {.nam = "Alice",
                  .jcl = JCL,
                  .jcl_content = (const uint8_t *)jcard,
                  .jcl_content_len = strlen(jcard),
                  .icn = ICN,
                  .icn_content = icon,
                  .icn_content_len = sizeof icon};
    rscen s = {.rcd = &r,
               .map_url = {JCL, ICN},
               .map_data = {jcard, icon},
               .map_len = {strlen(jcard), sizeof icon}};
    check(rrun(&s), CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_rcd(res), CLID_RCD_PRESENT | CLID_RCD_CONTENT_OK);
    assert_string_equal(clid_result_rcd_jcard(res), jcard);
    assert_string_equal(clid_result_rcd_jcard_url(res), JCL);
    assert_string_equal(clid_result_rcd_icon_url(res), ICN);
    char want[96];
    assert_int_equal(clid__rcd_digest_format(CLID__RCD_SHA256, icon, sizeof icon, want,
                                             sizeof want),
                     CLID_OK);
    assert_string_equal(clid_result_rcd_digest(res, "/icn"), want);
    assert_non_null(clid_result_rcd_digest(res, "/jcl"));

    /* The icon served differs from the signed digest. */
    static const uint8_t other[] = {1, 2, 3};
    s.map_data[1] = other;
    s.map_len[1] = sizeof other;
    check(rrun(&s), CLID_ERR_RCD_DIGEST_MISMATCH, FAILED, 438);
    assert_string_equal(clid_result_detail(res), "rcd /icn: CLID_ERR_RCD_DIGEST_MISMATCH");
    assert_null(clid_result_rcd_name(res));
    assert_int_equal(clid_result_rcd(res), CLID_RCD_PRESENT);

    /* jcl serves JSON signed as such, but no jCard. */
    static const char notjcard[] = "{\"fn\":\"Alice\"}";
    r.jcl_content = (const uint8_t *)notjcard;
    r.jcl_content_len = strlen(notjcard);
    s.map_data[0] = notjcard;
    s.map_len[0] = strlen(notjcard);
    s.map_data[1] = icon;
    s.map_len[1] = sizeof icon;
    check(rrun(&s), CLID_ERR_RCD_CONTENT_INVALID, FAILED, 438);
    assert_string_equal(clid_result_detail(res), "rcd /jcl: CLID_ERR_RCD_CONTENT_INVALID");

    /* A jCard behind jcl that references further URIs (one level only). */
    static const char nested[] =
        "[\"vcard\",[[\"logo\",{},\"uri\",\"https://rcd.example.org/l.png\"]]]";
    r.jcl_content = (const uint8_t *)nested;
    r.jcl_content_len = strlen(nested);
    s.map_data[0] = nested;
    s.map_len[0] = strlen(nested);
    check(rrun(&s), CLID_ERR_RCD_CONTENT_INVALID, FAILED, 438);
}

static void url_without_digest_or_content(void **state)
{
    (void)state;
    /* No content given to the signer: no rcdi, not presented. */
    clid_rcd r = {.nam = "Alice", .icn = ICN};
    check(rrun(&(rscen){.rcd = &r, .map_url = {ICN}, .map_data = {icon},
                        .map_len = {sizeof icon}}),
          CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_rcd(res), CLID_RCD_PRESENT);
    assert_int_equal(clid_result_warning(res, 0), CLID_ERR_RCD_DIGEST_MISSING);
    assert_null(clid_result_rcd_icon_url(res));
    assert_string_equal(clid_result_rcd_name(res), "Alice");

    /* A digest, but neither map nor fetcher: unavailable, the name stays. */
    r = (clid_rcd){.nam = "Alice", .jcl = JCL, .jcl_content = (const uint8_t *)jcard,
                   .jcl_content_len = strlen(jcard)};
    check(rrun(&(rscen){.rcd = &r}), CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_warning(res, 0), CLID_ERR_RCD_CONTENT_UNAVAILABLE);
    assert_null(clid_result_rcd_jcard(res));
    assert_null(clid_result_rcd_jcard_url(res));
    assert_string_equal(clid_result_rcd_name(res), "Alice");
}

/* A fetcher answering every URL with `rc` or the jCard. */
static unsigned fetches;
static clid_err fake_fetch(void *arg, const char *url, uint8_t *buf, size_t cap, size_t *len,
                           int64_t *max_age)
{
    (void)url, (void)max_age;
    fetches++;
    clid_err rc = *(clid_err *)arg;
    if (rc != CLID_OK)
        return rc;
    assert_int_equal(cap, CLID_RCD_JCARD_MAX_LEN);
    memcpy(buf, jcard, strlen(jcard));
    *len = strlen(jcard);
    return CLID_OK;
}

static void content_from_fetcher(void **state)
{
    (void)state;
    clid_rcd r = {.nam = "Alice", .jcl = JCL, .jcl_content = (const uint8_t *)jcard,
                  .jcl_content_len = strlen(jcard)};
    clid_err frc = CLID_OK;
    fetches = 0;
    check(rrun(&(rscen){.rcd = &r, .fetch = fake_fetch, .fetch_arg = &frc}), CLID_OK, PASSED, 0);
    assert_int_equal(fetches, 1);
    assert_string_equal(clid_result_rcd_jcard(res), jcard);
    frc = CLID_ERR_X5U_REDIRECT;
    check(rrun(&(rscen){.rcd = &r, .fetch = fake_fetch, .fetch_arg = &frc}), CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_warning(res, 0), CLID_ERR_RCD_CONTENT_UNAVAILABLE);
    assert_string_equal(clid_result_detail(res), "rcd /jcl: CLID_ERR_X5U_REDIRECT");
    assert_null(clid_result_rcd_jcard(res));
    frc = CLID_ERR_X5U_TOO_LARGE;
    check(rrun(&(rscen){.rcd = &r, .fetch = fake_fetch, .fetch_arg = &frc}),
          CLID_ERR_RCD_CONTENT_INVALID, FAILED, 438);

    /* A signature that does not verify: nothing is fetched. */
    fetches = 0;
    frc = CLID_OK;
    clid_claims cl = default_claims();
    cl.rcd = &r;
    cl.orig = "12025550101"; /* the request says ORIG */
    check(rrun(&(rscen){.claims = &cl, .fetch = fake_fetch, .fetch_arg = &frc}),
          CLID_ERR_ORIG_MISMATCH, FAILED, 438);
    assert_int_equal(fetches, 0);
}

static void map_entry_too_large(void **state)
{
    (void)state;
    clid_ctx *c = bare_ctx();
    uint8_t *big = calloc(1, CLID_RCD_ICON_MAX_LEN + 1);
    assert_int_equal(clid_ctx_add_rcd_content(c, ICN, big, CLID_RCD_ICON_MAX_LEN + 1),
                     CLID_ERR_RCD_CONTENT_INVALID);
    assert_int_equal(clid_ctx_add_rcd_content(c, "not a url", big, 1),
                     CLID_ERR_INVALID_ARGUMENT);
    clid_ctx_free(c);
    /* A jCard larger than its cap, though within the icon cap. */
    size_t n = CLID_RCD_JCARD_MAX_LEN + 1;
    clid_rcd r = {.nam = "Alice", .jcl = JCL, .jcl_content = big, .jcl_content_len = 100};
    check(rrun(&(rscen){.rcd = &r, .map_url = {JCL}, .map_data = {big}, .map_len = {n}}),
          CLID_ERR_RCD_CONTENT_INVALID, FAILED, 438);
    free(big);
}

/* A leaf under inter with constraints `j` (freed). */
static tp_cert *leaf_with(clid_jwtcc *j)
{
    tp_cert *x = tp_issue(&(tp_spec){.cn = "rcd", .tnauth = "spc:709J", .jwtcc = j}, inter);
    clid_jwtcc_free(j);
    return x;
}

static clid_jwtcc *jw(clid_jwtcc_kind kind)
{
    clid_jwtcc *j = NULL;
    assert_int_equal(clid_jwtcc_new(kind, &j), CLID_OK);
    return j;
}

static void constraints(void **state)
{
    (void)state;
    clid_rcd alice = {.nam = "Alice", .crn = "Delivery"};

    /* mustInclude rcd, absent. */
    clid_jwtcc *j = jw(CLID_JWTCC_RFC8226);
    assert_int_equal(clid_jwtcc_add_must_include(j, "rcd"), CLID_OK);
    tp_cert *x = leaf_with(j);
    check(rrun(&(rscen){.leaf = x}), CLID_ERR_CLAIM_CONSTRAINT_VIOLATED, FAILED, 438);
    assert_string_equal(clid_result_detail(res), "mustInclude rcd");
    check(rrun(&(rscen){.leaf = x, .rcd = &alice}), CLID_OK, PASSED, 0);
    assert_int_equal(clid_result_rcd(res) & CLID_RCD_CONSTRAINED, 0);
    tp_free(x);

    /* mustExclude crn (RFC 9118), present. */
    j = jw(CLID_JWTCC_RFC9118);
    assert_int_equal(clid_jwtcc_add_must_exclude(j, "crn"), CLID_OK);
    x = leaf_with(j);
    check(rrun(&(rscen){.leaf = x, .rcd = &alice}), CLID_ERR_CLAIM_CONSTRAINT_VIOLATED, FAILED,
          438);
    assert_string_equal(clid_result_detail(res), "mustExclude crn");
    tp_free(x);

    /* permittedValues for rcd: the vetted name and icon. */
    j = jw(CLID_JWTCC_RFC9118);
    assert_int_equal(clid_jwtcc_add_permitted(j, "rcd", "{\"nam\":\"Alice\",\"icn\":\"" ICN "\"}"),
                     CLID_OK);
    assert_int_equal(clid_jwtcc_add_permitted(j, "crn", "Delivery"), CLID_OK);
    x = leaf_with(j);
    check(rrun(&(rscen){.leaf = x, .rcd = &alice}), CLID_OK, PASSED, 0); /* icn left out */
    assert_int_equal(clid_result_rcd(res), CLID_RCD_PRESENT | CLID_RCD_CONSTRAINED |
                                               CLID_RCD_CONTENT_OK);
    clid_rcd changed = {.nam = "Mallory"};
    check(rrun(&(rscen){.leaf = x, .rcd = &changed}), CLID_ERR_CLAIM_CONSTRAINT_VIOLATED, FAILED,
          438);
    assert_string_equal(clid_result_detail(res), "permittedValues rcd.nam");
    assert_int_equal(clid_result_rcd(res), CLID_RCD_PRESENT | CLID_RCD_CONSTRAINED);
    assert_null(clid_result_rcd_name(res));
    clid_rcd added = {.nam = "Alice", .jcd = jcard};
    check(rrun(&(rscen){.leaf = x, .rcd = &added}), CLID_ERR_CLAIM_CONSTRAINT_VIOLATED, FAILED,
          438);
    assert_string_equal(clid_result_detail(res), "permittedValues rcd.jcd");
    clid_rcd reason = {.nam = "Alice", .crn = "Prize"};
    check(rrun(&(rscen){.leaf = x, .rcd = &reason}), CLID_ERR_CLAIM_CONSTRAINT_VIOLATED, FAILED,
          438);
    assert_string_equal(clid_result_detail(res), "permittedValues crn");
    tp_free(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(name_only),
        cmocka_unit_test(inline_jcard),
        cmocka_unit_test(url_content_from_map),
        cmocka_unit_test(url_without_digest_or_content),
        cmocka_unit_test(content_from_fetcher),
        cmocka_unit_test(map_entry_too_large),
        cmocka_unit_test(constraints),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
