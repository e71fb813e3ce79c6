/*
 * Unit tests of the x5u fetcher (clid_fetch.h) against the local server
 * (see fetch_fixture.h): a forked child, threads sharing a fetcher, no
 * thread of clid's own, and the fetcher under clid_verify_identity end to
 * end.
 *
 * Without /usr/bin/python3 these tests are skipped with a message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fetch_fixture.h"

#define ORIG "12025550100"
#define DEST "13035550199"

/* ------------------------------------------------------------------------ */
/* Fork, threads                                                             */
/* ------------------------------------------------------------------------ */

/* The checks a forked child runs; 0 when all pass. */
static int child_checks(clid_fetcher *f)
{
    size_t len = 0;
    int64_t age = 0;
    clid_fetcher_stats s;
    clid_fetcher_get_stats(f, &s);
    if (s.requests != 0 || s.cache_hits != 0) /* the parent's are not the child's */
        return 6;
    if (clid_fetcher_fetch(f, https("/chain.pem"), buf, BUF_CAP, &len, &age) != CLID_OK)
        return 1;
    if (len != strlen(chain_sp) || memcmp(buf, chain_sp, len) != 0)
        return 2;
    clid_fetcher_get_stats(f, &s);
    if (s.requests != 1 || s.cache_hits != 0)
        return 3;
    if (clid_fetcher_fetch(f, https("/chain.pem"), buf, BUF_CAP, &len, &age) != CLID_OK)
        return 4;
    clid_fetcher_get_stats(f, &s);
    if (s.requests != 1 || s.cache_hits != 1)
        return 5;
    clid_fetcher_free(f);
    return 0;
}

/*
 * The child starts with an empty cache and fresh counters, and fetches
 * fine. It abandons, by design, the trust store its parent loaded (a
 * parent thread may have held its lock at fork time): so, as in
 * test_certcache, it reports through a pipe and replaces itself with
 * true(1), and no leak checker audits that image.
 */
static void test_fork(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    clid_fetcher *f = new_fetcher();
    int before = count("/chain.pem");
    assert_int_equal(fetch(f, https("/chain.pem"), NULL, NULL), CLID_OK);
    int fds[2];
    assert_int_equal(pipe(fds), 0);
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        close(fds[0]);
        unsigned char b = (unsigned char)child_checks(f);
        if (write(fds[1], &b, 1) != 1)
            _exit(1);
        execlp("true", "true", (char *)NULL);
        _exit(2);
    }
    close(fds[1]);
    unsigned char b = 0xff;
    assert_int_equal(read(fds[0], &b, 1), 1);
    close(fds[0]);
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_int_equal(b, 0);
    assert_int_equal(count("/chain.pem"), before + 2);
    /* The parent's cache is untouched. */
    assert_int_equal(fetch(f, https("/chain.pem"), NULL, NULL), CLID_OK);
    assert_int_equal(count("/chain.pem"), before + 2);
    assert_stats(f, 1, 1, 0, 0);
    clid_fetcher_free(f);
}

struct worker {
    clid_fetcher *f;
    const char *url;
    pthread_barrier_t *barrier;
    clid_err rc;
    size_t len;
    uint8_t *buf;
};

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    int64_t age = 0;
    pthread_barrier_wait(w->barrier);
    w->rc = clid_fetcher_fetch(w->f, w->url, w->buf, BUF_CAP, &w->len, &age);
    return NULL;
}

/* Four threads ask for one slow URL at once: one transfer, four answers
 * (the others wait for it). Then four URLs at once, each fetched. */
static void test_threads(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    clid_fetcher *f = new_fetcher();
    pthread_barrier_t barrier;
    struct worker w[4];
    pthread_t th[4];
    char urls[4][128];
    int before = count("/delay.pem");
    assert_int_equal(pthread_barrier_init(&barrier, NULL, 4), 0);
    for (int i = 0; i < 4; i++) {
        w[i] = (struct worker){.f = f, .url = urls[i], .barrier = &barrier,
                               .buf = malloc(BUF_CAP)};
        assert_non_null(w[i].buf);
        snprintf(urls[i], sizeof urls[i], "%s", https("/delay.pem"));
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].rc, CLID_OK);
        assert_int_equal(w[i].len, strlen(chain_sp));
        assert_memory_equal(w[i].buf, chain_sp, w[i].len);
    }
    assert_int_equal(count("/delay.pem"), before + 1);
    assert_stats(f, 1, 3, 0, 0);
    clid_fetcher_free(f);

    /* Different URLs in parallel: each its own transfer, the mutex never
     * held across one (four 300 ms transfers end well before 4 x 300 ms
     * would; not asserted on time, which valgrind stretches). */
    f = new_fetcher();
    assert_int_equal(clid_fetcher_allow_query(f, 1), CLID_OK);
    for (int i = 0; i < 4; i++) {
        w[i].f = f;
        snprintf(urls[i], sizeof urls[i], "%s?t=%d", https("/delay.pem"), i);
        assert_int_equal(pthread_create(&th[i], NULL, worker_main, &w[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(th[i], NULL), 0);
        assert_int_equal(w[i].rc, CLID_OK);
        free(w[i].buf);
    }
    assert_int_equal(count("/delay.pem"), before + 5);
    assert_stats(f, 4, 0, 0, 0);
    pthread_barrier_destroy(&barrier);
    clid_fetcher_free(f);
}

static int task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

struct sampler {
    volatile int stop;
    int max;
};

static void *sampler_main(void *arg)
{
    struct sampler *s = arg;
    while (!s->stop) {
        int n = task_count();
        if (n > s->max)
            s->max = n;
        struct timespec ts = {0, 1000000};
        nanosleep(&ts, NULL);
    }
    return NULL;
}

/* clid starts no thread: not for the transfer, and not for name resolution
 * (the host is a name, so this goes through getaddrinfo and the pinned
 * CURLOPT_RESOLVE entry; without the pin, curl's threaded resolver would
 * show up here). A sampler thread watches /proc/self/task during a 300 ms
 * transfer. */
static void test_no_threads(void **state)
{
    (void)state;
    NEED_SERVER();
    clid_fetcher *f = new_fetcher();
    int before = task_count();
    struct sampler s = {0};
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, sampler_main, &s), 0);
    assert_int_equal(fetch(f, https("/delay.pem"), NULL, NULL), CLID_OK);
    assert_int_equal(fetch(f, url_of("127.0.0.1", port_https, "/delay.pem"), NULL, NULL),
                     CLID_OK);
    s.stop = 1;
    assert_int_equal(pthread_join(th, NULL), 0);
    assert_true(s.max >= before + 1);   /* the sampler saw itself */
    assert_int_equal(s.max, before + 1); /* and nothing else */
    assert_int_equal(task_count(), before);
    clid_fetcher_free(f);
}

/* ------------------------------------------------------------------------ */
/* End to end                                                                */
/* ------------------------------------------------------------------------ */

static char *sign_for(const char *x5u)
{
    static const char *const dest[] = {DEST};
    clid_claims c = {.orig = ORIG, .dest = dest, .dest_count = 1, .attest = 'A'};
    clid_signer *s = tp_signer_key(sp->key, chain_sp, x5u, &t_now);
    char *out = malloc(4096);
    assert_non_null(out);
    size_t len = 0;
    assert_int_equal(clid_sign_identity(s, &c, out, 4096, &len), CLID_OK);
    clid_signer_free(s);
    return out;
}

static void test_end_to_end(void **state)
{
    (void)state;
    NEED_SERVER();
    t_now = TP_T0;
    clid_fetcher *f = new_fetcher();
    clid_ctx *ctx = NULL;
    assert_int_equal(clid_ctx_new(&ctx), CLID_OK);
    assert_int_equal(clid_ctx_add_trust_pem(ctx, root->pem, strlen(root->pem)), CLID_OK);
    assert_int_equal(clid_ctx_set_clock(ctx, tp_fixed_clock, &t_now), CLID_OK);
    assert_int_equal(clid_ctx_set_fetcher(ctx, clid_fetcher_fetch, f), CLID_OK);
    clid_verifier *v1 = NULL, *v2 = NULL;
    assert_int_equal(clid_verifier_new(ctx, &v1), CLID_OK);
    assert_int_equal(clid_verifier_new(ctx, &v2), CLID_OK);
    clid_result *res = NULL;
    assert_int_equal(clid_result_new(&res), CLID_OK);

    char *hdr = sign_for(https("/chain.pem"));
    clid_verify_input in = {.identity = hdr, .orig = ORIG, .dest = DEST};
    int before = count("/chain.pem");
    /* Five verifications on one verifier, five on another sharing the
     * fetcher: the server sees one request. */
    for (int i = 0; i < 10; i++) {
        clid_result_reset(res);
        assert_int_equal(clid_verify_identity(i < 5 ? v1 : v2, &in, res), CLID_OK);
        assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_PASSED);
        assert_string_equal(clid_result_signer_spc(res), "709J");
    }
    assert_int_equal(count("/chain.pem"), before + 1);
    clid_fetcher_stats s;
    clid_fetcher_get_stats(f, &s);
    assert_int_equal(s.requests, 1);
    assert_int_equal(s.cache_hits, 1); /* v2's first miss; its later calls hit its own cache */
    free(hdr);

    /* A failing x5u: 436 with the precise reason. */
    hdr = sign_for(https("/404"));
    in.identity = hdr;
    clid_result_reset(res);
    assert_int_equal(clid_verify_identity(v1, &in, res), CLID_ERR_X5U_HTTP_STATUS);
    assert_int_equal(clid_result_sip_status(res), 436);
    assert_int_equal(clid_result_verstat(res), CLID_VERSTAT_FAILED);
    free(hdr);
    hdr = sign_for("https://127.0.0.1/sp.pem");
    in.identity = hdr;
    assert_int_equal(clid_fetcher_allow_private(f, 0), CLID_OK);
    clid_result_reset(res);
    assert_int_equal(clid_verify_identity(v1, &in, res), CLID_ERR_X5U_URL_POLICY);
    assert_int_equal(clid_result_sip_status(res), 436);
    free(hdr);

    clid_result_free(res);
    clid_verifier_free(v1);
    clid_verifier_free(v2);
    clid_ctx_free(ctx);
    clid_fetcher_free(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_fork),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_no_threads),
        cmocka_unit_test(test_end_to_end),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
