/*
 * Unit tests of the verifier's certificate cache. White-box: certcache.c is
 * compiled into this file so that a test can hold the cache's mutex across
 * fork() (the libclid.a copy of certcache.o is then not linked).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "x509/certcache.c"
#include "support/testpki.h"

#define N_CERTS 6

/* Distinct chains (distinct bytes, so distinct hashes), loaded once. */
static tp_cert *root;
static tp_cert *leaves[N_CERTS];
static clid__signer_cert *certs[N_CERTS];

static int group_setup(void **state)
{
    (void)state;
    root = tp_issue(&(tp_spec){.cn = "Cache Root", .ca = 1}, NULL);
    for (int i = 0; i < N_CERTS; i++) {
        char cn[32];
        snprintf(cn, sizeof cn, "leaf %d", i);
        leaves[i] = tp_issue(&(tp_spec){.cn = cn, .tnauth = "spc:709J"}, root);
        if (clid__signer_cert_load(leaves[i]->pem, strlen(leaves[i]->pem), &certs[i]) != CLID_OK)
            return -1;
    }
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    for (int i = 0; i < N_CERTS; i++) {
        clid__signer_cert_release(certs[i]);
        tp_free(leaves[i]);
    }
    tp_free(root);
    return 0;
}

static int refs(const clid__signer_cert *c)
{
    return __atomic_load_n(&c->refs, __ATOMIC_SEQ_CST);
}

/* Every test must leave the shared certificates with only the group's reference. */
static int check_refs(void **state)
{
    (void)state;
    for (int i = 0; i < N_CERTS; i++)
        if (refs(certs[i]) != 1)
            return -1;
    return 0;
}

static void put_and_get_by_url(void **state)
{
    (void)state;
    clid__cert_cache *cc = NULL;
    assert_int_equal(clid__cert_cache_new(8, &cc), CLID_OK);
    assert_null(clid__cert_cache_get_url(cc, "https://a.example/c.pem", 0));

    clid__cert_cache_put(cc, "https://a.example/c.pem", certs[0], 1000);
    assert_int_equal(refs(certs[0]), 2);
    clid__signer_cert *got = clid__cert_cache_get_url(cc, "https://a.example/c.pem", 10);
    assert_ptr_equal(got, certs[0]);
    assert_int_equal(refs(certs[0]), 3);
    clid__signer_cert_release(got);
    assert_null(clid__cert_cache_get_url(cc, "https://b.example/c.pem", 10));
    /* URLs compare exactly. */
    assert_null(clid__cert_cache_get_url(cc, "https://a.example/c.pem?", 10));

    clid__cert_cache_free(cc);
    assert_int_equal(refs(certs[0]), 1);
}

static void url_entries_expire(void **state)
{
    (void)state;
    clid__cert_cache *cc = NULL;
    assert_int_equal(clid__cert_cache_new(8, &cc), CLID_OK);
    clid__cert_cache_put(cc, "https://a.example/c.pem", certs[0], 100);
    clid__signer_cert *got = clid__cert_cache_get_url(cc, "https://a.example/c.pem", 99);
    assert_ptr_equal(got, certs[0]);
    clid__signer_cert_release(got);
    /* Expiry is exclusive: at `expires` the entry is stale and dropped. */
    assert_null(clid__cert_cache_get_url(cc, "https://a.example/c.pem", 100));
    assert_int_equal(refs(certs[0]), 1);
    assert_null(clid__cert_cache_get_hash(cc, certs[0]->chain_hash));
    clid__cert_cache_free(cc);
}

static void put_replaces(void **state)
{
    (void)state;
    clid__cert_cache *cc = NULL;
    assert_int_equal(clid__cert_cache_new(8, &cc), CLID_OK);
    clid__cert_cache_put(cc, "https://a.example/c.pem", certs[0], 100);
    clid__cert_cache_put(cc, "https://a.example/c.pem", certs[1], 200);
    assert_int_equal(refs(certs[0]), 1);
    clid__signer_cert *got = clid__cert_cache_get_url(cc, "https://a.example/c.pem", 150);
    assert_ptr_equal(got, certs[1]);
    clid__signer_cert_release(got);
    /* The replaced chain is no longer found by its hash either. */
    assert_null(clid__cert_cache_get_hash(cc, certs[0]->chain_hash));

    /* A hash-only put replaces the hash-only entry with equal bytes. */
    clid__signer_cert *again = NULL;
    assert_int_equal(clid__signer_cert_load(leaves[2]->pem, strlen(leaves[2]->pem), &again),
                     CLID_OK);
    clid__cert_cache_put(cc, NULL, certs[2], 0);
    clid__cert_cache_put(cc, NULL, again, 0);
    assert_int_equal(refs(certs[2]), 1);
    got = clid__cert_cache_get_hash(cc, certs[2]->chain_hash);
    assert_ptr_equal(got, again);
    clid__signer_cert_release(got);
    clid__signer_cert_release(again);
    clid__cert_cache_free(cc);
}

static void hash_lookups(void **state)
{
    (void)state;
    clid__cert_cache *cc = NULL;
    assert_int_equal(clid__cert_cache_new(8, &cc), CLID_OK);
    clid__cert_cache_put(cc, NULL, certs[0], 0);
    clid__cert_cache_put(cc, "https://b.example/c.pem", certs[1], 100);

    clid__signer_cert *got = clid__cert_cache_get_hash(cc, certs[0]->chain_hash);
    assert_ptr_equal(got, certs[0]);
    clid__signer_cert_release(got);
    /* An entry put with a URL is found by its hash too, with no expiry:
     * equal bytes parse to the same chain whenever they were fetched. */
    got = clid__cert_cache_get_hash(cc, certs[1]->chain_hash);
    assert_ptr_equal(got, certs[1]);
    clid__signer_cert_release(got);
    uint8_t unknown[32] = {0};
    assert_null(clid__cert_cache_get_hash(cc, unknown));
    /* A hash-only entry has no URL. */
    assert_null(clid__cert_cache_get_url(cc, "", 0));
    clid__cert_cache_free(cc);
}

static void lru_eviction_order(void **state)
{
    (void)state;
    clid__cert_cache *cc = NULL;
    assert_int_equal(clid__cert_cache_new(3, &cc), CLID_OK);
    clid__cert_cache_put(cc, "u0", certs[0], 1000);
    clid__cert_cache_put(cc, "u1", certs[1], 1000);
    clid__cert_cache_put(cc, "u2", certs[2], 1000);
    /* Use u0: u1 becomes the least recently used. */
    clid__signer_cert_release(clid__cert_cache_get_url(cc, "u0", 0));
    clid__cert_cache_put(cc, "u3", certs[3], 1000);
    assert_int_equal(refs(certs[1]), 1);
    assert_null(clid__cert_cache_get_url(cc, "u1", 0));
    /* A hash lookup counts as a use too: u2 survives, u0 goes. */
    clid__signer_cert_release(clid__cert_cache_get_hash(cc, certs[2]->chain_hash));
    clid__cert_cache_put(cc, "u4", certs[4], 1000);
    assert_null(clid__cert_cache_get_url(cc, "u0", 0));
    const int kept[] = {2, 3, 4};
    for (size_t i = 0; i < 3; i++) {
        char url[8];
        snprintf(url, sizeof url, "u%d", kept[i]);
        clid__signer_cert *got = clid__cert_cache_get_url(cc, url, 0);
        assert_ptr_equal(got, certs[kept[i]]);
        clid__signer_cert_release(got);
    }
    clid__cert_cache_free(cc);
}

static void set_max_evicts_down(void **state)
{
    (void)state;
    clid__cert_cache *cc = NULL;
    assert_int_equal(clid__cert_cache_new(8, &cc), CLID_OK);
    for (int i = 0; i < 4; i++) {
        char url[8];
        snprintf(url, sizeof url, "u%d", i);
        clid__cert_cache_put(cc, url, certs[i], 1000);
    }
    assert_int_equal(clid__cert_cache_set_max(cc, 2), CLID_OK);
    assert_int_equal(refs(certs[0]), 1);
    assert_int_equal(refs(certs[1]), 1);
    assert_int_equal(refs(certs[2]), 2);
    assert_int_equal(refs(certs[3]), 2);
    /* 0 disables caching: everything goes and nothing new is kept. */
    assert_int_equal(clid__cert_cache_set_max(cc, 0), CLID_OK);
    assert_int_equal(refs(certs[2]), 1);
    clid__cert_cache_put(cc, "u5", certs[5], 1000);
    assert_int_equal(refs(certs[5]), 1);
    assert_null(clid__cert_cache_get_url(cc, "u5", 0));
    assert_int_equal(clid__cert_cache_set_max(NULL, 1), CLID_ERR_INVALID_ARGUMENT);
    clid__cert_cache_free(cc);
}

static void clear_drops_everything(void **state)
{
    (void)state;
    clid__cert_cache *cc = NULL;
    assert_int_equal(clid__cert_cache_new(8, &cc), CLID_OK);
    clid__cert_cache_put(cc, "u0", certs[0], 1000);
    clid__cert_cache_put(cc, NULL, certs[1], 0);
    clid__signer_cert *held = clid__cert_cache_get_url(cc, "u0", 0);
    clid__cert_cache_clear(cc);
    assert_null(clid__cert_cache_get_url(cc, "u0", 0));
    assert_null(clid__cert_cache_get_hash(cc, certs[1]->chain_hash));
    /* A reference taken before the clear stays usable. */
    assert_int_equal(refs(held), 2);
    assert_non_null(held->subject);
    clid__signer_cert_release(held);
    /* Still usable after a clear. */
    clid__cert_cache_put(cc, "u0", certs[0], 1000);
    clid__signer_cert_release(clid__cert_cache_get_url(cc, "u0", 0));
    clid__cert_cache_free(cc);
    clid__cert_cache_clear(NULL);
    clid__cert_cache_free(NULL);
}

static void grows_past_initial_buckets(void **state)
{
    (void)state;
    clid__cert_cache *cc = NULL;
    assert_int_equal(clid__cert_cache_new(1000, &cc), CLID_OK);
    char url[32];
    for (int i = 0; i < 200; i++) {
        snprintf(url, sizeof url, "https://x.example/%d", i);
        clid__cert_cache_put(cc, url, certs[i % N_CERTS], 1000);
    }
    for (int i = 0; i < 200; i++) {
        snprintf(url, sizeof url, "https://x.example/%d", i);
        clid__signer_cert *got = clid__cert_cache_get_url(cc, url, 0);
        assert_ptr_equal(got, certs[i % N_CERTS]);
        clid__signer_cert_release(got);
    }
    clid__cert_cache_free(cc);
}

/* ------------------------------------------------------------------------ */
/* Threads and fork                                                          */
/* ------------------------------------------------------------------------ */

struct hammer_arg {
    clid__cert_cache *cc;
    unsigned seed;
    volatile int *stop; /* NULL: run a fixed number of rounds */
    int failures;
};

static void *hammer(void *p)
{
    struct hammer_arg *a = p;
    char url[16];
    for (int round = 0; a->stop ? !__atomic_load_n(a->stop, __ATOMIC_ACQUIRE) : round < 20000;
         round++) {
        unsigned r = (unsigned)rand_r(&a->seed);
        int i = (int)(r % N_CERTS);
        snprintf(url, sizeof url, "u%u", (r >> 8) % 12);
        clid__signer_cert *got = NULL;
        switch ((r >> 16) % 8) {
        case 0:
        case 1:
        case 2:
            clid__cert_cache_put(a->cc, url, certs[i], (int64_t)((r >> 4) % 100));
            break;
        case 3:
            clid__cert_cache_put(a->cc, NULL, certs[i], 0);
            break;
        case 4:
        case 5:
            got = clid__cert_cache_get_url(a->cc, url, (int64_t)((r >> 12) % 100));
            break;
        case 6:
            got = clid__cert_cache_get_hash(a->cc, certs[i]->chain_hash);
            if (got != NULL && got != certs[i])
                a->failures++;
            break;
        default:
            if ((r >> 20) % 64 == 0)
                clid__cert_cache_clear(a->cc);
            else
                (void)clid__cert_cache_set_max(a->cc, 4 + (r >> 24) % 8);
            break;
        }
        /* Use what was returned: a concurrent eviction must not free it. */
        if (got != NULL && (got->subject == NULL || got->chain == NULL))
            a->failures++;
        clid__signer_cert_release(got);
    }
    return NULL;
}

static void four_threads_hammer(void **state)
{
    (void)state;
    clid__cert_cache *cc = NULL;
    assert_int_equal(clid__cert_cache_new(8, &cc), CLID_OK);
    pthread_t t[4];
    struct hammer_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct hammer_arg){.cc = cc, .seed = 1234u + (unsigned)i};
        assert_int_equal(pthread_create(&t[i], NULL, hammer, &args[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(args[i].failures, 0);
    }
    clid__cert_cache_free(cc);
    /* check_refs (teardown) proves no reference was lost or leaked. */
}

/* In the child: the cache is empty and works. Exit status says what failed. */
static int child_checks(clid__cert_cache *cc)
{
    /* Before any other call: the first call in the new process resets. */
    if (clid__cert_cache_get_url(cc, "u0", 0) != NULL)
        return 10;
    if (clid__cert_cache_get_hash(cc, certs[1]->chain_hash) != NULL)
        return 11;
    clid__cert_cache_put(cc, "child", certs[2], 1000);
    clid__signer_cert *got = clid__cert_cache_get_url(cc, "child", 0);
    if (got != certs[2])
        return 12;
    clid__signer_cert_release(got);
    clid__cert_cache_free(cc);
    return 0;
}


/*
 * Runs child_checks in a forked child and returns its result.
 * With `clean_exit` the child frees everything and exits normally, so a leak
 * checker (LSan, valgrind) audits the child too. Without it, the child was
 * forked while the cache's mutex was (or may have been) held, and owns
 * memory that only absent threads or the abandoned lists point to, by
 * design: it reports through a pipe and replaces itself with true(1), so
 * no leak checker audits that image.
 */
static int run_child(clid__cert_cache *cc, int clean_exit)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        close(fds[0]);
        int code = child_checks(cc);
        if (clean_exit) {
            if (code == 0)
                group_teardown(NULL);
            exit(code);
        }
        unsigned char b = (unsigned char)code;
        if (write(fds[1], &b, 1) != 1)
            _exit(1);
        execlp("true", "true", (char *)NULL);
        _exit(2);
    }
    close(fds[1]);
    unsigned char b = 0xFF;
    ssize_t got = read(fds[0], &b, 1);
    close(fds[0]);
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
        return -2;
    if (clean_exit)
        return WEXITSTATUS(status);
    return got == 1 && WEXITSTATUS(status) == 0 ? b : -3;
}

static void fork_child_sees_empty_cache(void **state)
{
    (void)state;
    clid__cert_cache *cc = NULL;
    assert_int_equal(clid__cert_cache_new(8, &cc), CLID_OK);
    clid__cert_cache_put(cc, "u0", certs[0], 1000);
    clid__cert_cache_put(cc, NULL, certs[1], 0);
    assert_int_equal(run_child(cc, 1), 0);
    /* The parent's cache is untouched by the child. */
    clid__signer_cert *got = clid__cert_cache_get_url(cc, "u0", 0);
    assert_ptr_equal(got, certs[0]);
    clid__signer_cert_release(got);
    clid__cert_cache_free(cc);
}

/* The mutex is held at fork() (here by the forking thread itself; in a
 * real worker by a thread that does not exist in the child): the child must
 * not wait for it, and starts with an empty, working cache. */
static void fork_with_lock_held(void **state)
{
    (void)state;
    clid__cert_cache *cc = NULL;
    assert_int_equal(clid__cert_cache_new(8, &cc), CLID_OK);
    clid__cert_cache_put(cc, "u0", certs[0], 1000);
    clid__cert_cache_put(cc, NULL, certs[1], 0);
    assert_int_equal(pthread_mutex_lock(&cc->lock), 0);
    int rc = run_child(cc, 0);
    assert_int_equal(pthread_mutex_unlock(&cc->lock), 0);
    assert_int_equal(rc, 0);
    clid__signer_cert *got = clid__cert_cache_get_url(cc, "u0", 0);
    assert_ptr_equal(got, certs[0]);
    clid__signer_cert_release(got);
    clid__cert_cache_free(cc);
}

/* Fork while other threads work on the cache, so that some forks happen
 * with the mutex held: the child must still start empty and work. */
static void fork_during_concurrent_use(void **state)
{
    (void)state;
    clid__cert_cache *cc = NULL;
    assert_int_equal(clid__cert_cache_new(8, &cc), CLID_OK);
    volatile int stop = 0;
    pthread_t t[2];
    struct hammer_arg args[2];
    for (int i = 0; i < 2; i++) {
        args[i] = (struct hammer_arg){.cc = cc, .seed = 99u + (unsigned)i, .stop = &stop};
        assert_int_equal(pthread_create(&t[i], NULL, hammer, &args[i]), 0);
    }
    for (int k = 0; k < 20; k++) {
        assert_int_equal(run_child(cc, 0), 0);
    }
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < 2; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(args[i].failures, 0);
    }
    clid__cert_cache_free(cc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(put_and_get_by_url, check_refs),
        cmocka_unit_test_teardown(url_entries_expire, check_refs),
        cmocka_unit_test_teardown(put_replaces, check_refs),
        cmocka_unit_test_teardown(hash_lookups, check_refs),
        cmocka_unit_test_teardown(lru_eviction_order, check_refs),
        cmocka_unit_test_teardown(set_max_evicts_down, check_refs),
        cmocka_unit_test_teardown(clear_drops_everything, check_refs),
        cmocka_unit_test_teardown(grows_past_initial_buckets, check_refs),
        cmocka_unit_test_teardown(four_threads_hammer, check_refs),
        cmocka_unit_test_teardown(fork_child_sees_empty_cache, check_refs),
        cmocka_unit_test_teardown(fork_with_lock_held, check_refs),
        cmocka_unit_test_teardown(fork_during_concurrent_use, check_refs),
    };
    return cmocka_run_group_tests_name("certcache", tests, group_setup, group_teardown);
}
