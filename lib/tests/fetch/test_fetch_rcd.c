/*
 * clid_fetcher_fetch_rcd (RFC 9795 jcl/icn content): any body within the
 * caller's cap, the x5u URL and address policy, a cache entry of its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch_fixture.h"

static clid_err rcd(clid_fetcher *f, const char *url, size_t cap, size_t *len)
{
    int64_t age = 0;
    return clid_fetcher_fetch_rcd(f, url, buf, cap, len, &age);
}

static void body_served_and_cached_apart(void **state)
{
    (void)state;
    NEED_SERVER();
    static const char jcard[] = "[\"vcard\",[[\"fn\",{},\"text\",\"Alice\"]]]";
    char path[200];
    snprintf(path, sizeof path, "%s/alice.json", tmpdir);
    write_file(path, jcard, strlen(jcard));
    clid_fetcher *f = new_fetcher();
    size_t len = 0;
    int before = count("/crl/alice.json");
    /* Not PEM, not a CRL: RCD content is any body. */
    assert_int_equal(rcd(f, https("/crl/alice.json"), CLID_RCD_JCARD_MAX_LEN, &len), CLID_OK);
    assert_int_equal(len, strlen(jcard));
    assert_memory_equal(buf, jcard, len);
    assert_int_equal(rcd(f, https("/crl/alice.json"), CLID_RCD_JCARD_MAX_LEN, &len), CLID_OK);
    assert_int_equal(count("/crl/alice.json"), before + 1); /* cached */
    /* The same URL as x5u is another entry (and no PEM). */
    assert_int_equal(fetch(f, https("/crl/alice.json"), &len, NULL), CLID_ERR_X5U_NOT_PEM);
    assert_int_equal(count("/crl/alice.json"), before + 2);
    /* An HTML page is content too, for the digest to judge. */
    assert_int_equal(rcd(f, https("/notpem"), CLID_RCD_JCARD_MAX_LEN, &len), CLID_OK);
    clid_fetcher_free(f);
}

static void limits_and_policy(void **state)
{
    (void)state;
    NEED_SERVER();
    clid_fetcher *f = new_fetcher();
    size_t len = 0;
    /* 70 KiB: more than a jCard may be, within an icon's cap. */
    assert_int_equal(rcd(f, https("/big"), CLID_RCD_JCARD_MAX_LEN, &len), CLID_ERR_X5U_TOO_LARGE);
    assert_int_equal(len, 0);
    uint8_t *icon = malloc(CLID_RCD_ICON_MAX_LEN);
    int64_t age = 0;
    assert_int_equal(clid_fetcher_fetch_rcd(f, https("/bigstream"), icon, CLID_RCD_ICON_MAX_LEN,
                                            &len, &age),
                     CLID_OK);
    assert_true(len > CLID_RCD_JCARD_MAX_LEN);
    free(icon);
    assert_int_equal(rcd(f, https("/redirect"), CLID_RCD_JCARD_MAX_LEN, &len),
                     CLID_ERR_X5U_REDIRECT);
    clid_fetcher_free(f);
    /* Loopback is a private address: refused unless allowed. */
    f = new_fetcher();
    assert_int_equal(clid_fetcher_allow_private(f, 0), CLID_OK);
    int before = count("/chain.pem");
    assert_int_equal(rcd(f, https("/chain.pem"), CLID_RCD_JCARD_MAX_LEN, &len),
                     CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(count("/chain.pem"), before);
    clid_fetcher_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(body_served_and_cached_apart),
        cmocka_unit_test(limits_and_policy),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
