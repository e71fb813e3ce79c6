/*
 * clid serve, part A: requests on one shared state while another thread
 * swaps states
 *
 * threads_share_and_swap is meant for ThreadSanitizer too (the library
 * starts no threads; only this test does). A TSan build of just this test:
 *   cmake -S . -B build/tsan -DCMAKE_C_COMPILER=clang \
 *     -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS=-fsanitize=thread \
 *     -DCMAKE_EXE_LINKER_FLAGS=-fsanitize=thread \
 *     -DCMAKE_SHARED_LINKER_FLAGS=-fsanitize=thread
 *   cmake --build build/tsan -j2 --target test_serve_api_threads
 *   TSAN_OPTIONS=halt_on_error=1 build/tsan/tools/tests/test_serve_api_threads
 * (it reports a data race when serve_state's counter is made non-atomic).
 * The API of tools/serve/api.h and state.h, without HTTP; the PKI, clock
 * and helpers are serve_api_fixture.h's.
 */
#include "serve_api_fixture.h"

#include <pthread.h>
#include <stdbool.h>

/* ------------------------------------------------------------------------ */
/* Threads: requests on one shared state while another thread swaps states   */
/* ------------------------------------------------------------------------ */

/* How H holds "the current state": loading the pointer and taking a
 * reference must not interleave with a swap dropping the last reference,
 * so both happen under one mutex (held for a few instructions). */
static pthread_mutex_t g_cur_mu = PTHREAD_MUTEX_INITIALIZER;
static serve_state *g_cur;
static char *g_id;
static atomic_int g_failures;
static atomic_bool g_stop;

static serve_state *current(void)
{
    pthread_mutex_lock(&g_cur_mu);
    serve_state *s = serve_state_ref(g_cur);
    pthread_mutex_unlock(&g_cur_mu);
    return s;
}

#define N_WORKERS 4
#define N_PER_WORKER 150

static void *worker(void *arg)
{
    (void)arg;
    char body[CLID_IDENTITY_MAX_LEN + 256];
    snprintf(body, sizeof body, "{\"verificationRequest\":{" V_FROM "," V_TO ",\"identity\":\"%s\"}}",
             g_id);
    for (int i = 0; i < N_PER_WORKER; i++) {
        serve_state *s = current();
        serve_reply r;
        serve_api_handle(s, (i % 5) == 4 ? SERVE_EP_SIGNING : SERVE_EP_VERIFICATION,
                         (i % 5) == 4 ? SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST) : body,
                         strlen((i % 5) == 4 ? SR("\"attest\":\"A\"," GOOD_ORIG "," GOOD_DEST)
                                             : body),
                         0, &r);
        int ok = r.http_status == 200 &&
                 ((i % 5) == 4 || (r.verstat && strcmp(r.verstat, "TN-Validation-Passed") == 0));
        if (!ok)
            atomic_fetch_add(&g_failures, 1);
        serve_reply_clear(&r);
        serve_state_unref(s);
    }
    return NULL;
}

static void *swapper(void *arg)
{
    (void)arg;
    unsigned swaps = 0;
    while (!atomic_load(&g_stop) || swaps < 3) {
        serve_state_cfg c = base_cfg();
        serve_state *n = NULL;
        char err[256];
        if (serve_state_new(&c, test_clock, NULL, &n, err, sizeof err) != 0) {
            atomic_fetch_add(&g_failures, 1);
            break;
        }
        pthread_mutex_lock(&g_cur_mu);
        serve_state *old = g_cur;
        g_cur = n;
        pthread_mutex_unlock(&g_cur_mu);
        serve_state_unref(old); /* freed here or by its last request */
        swaps++;
    }
    return NULL;
}

static void threads_share_and_swap(void **state)
{
    (void)state;
    g_cur = std_state();
    g_id = api_sign_identity(g_cur, ORIG, DEST, TP_T0);
    atomic_store(&g_failures, 0);
    atomic_store(&g_stop, false);
    /* One shared state first: every verification uses one verifier. */
    pthread_t t[N_WORKERS], sw;
    for (int i = 0; i < N_WORKERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
    for (int i = 0; i < N_WORKERS; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(atomic_load(&g_failures), 0);
    clid_verifier_stats vs;
    serve_state_stats(g_cur, &vs, NULL);
    assert_int_equal(vs.verifications, N_WORKERS * (N_PER_WORKER - N_PER_WORKER / 5));
    /* Then the same while states are swapped under the workers. */
    assert_int_equal(pthread_create(&sw, NULL, swapper, NULL), 0);
    for (int i = 0; i < N_WORKERS; i++)
        assert_int_equal(pthread_create(&t[i], NULL, worker, NULL), 0);
    for (int i = 0; i < N_WORKERS; i++)
        pthread_join(t[i], NULL);
    atomic_store(&g_stop, true);
    pthread_join(sw, NULL);
    assert_int_equal(atomic_load(&g_failures), 0);
    serve_state_unref(g_cur);
    g_cur = NULL;
    free(g_id);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(threads_share_and_swap, reset_clock),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
