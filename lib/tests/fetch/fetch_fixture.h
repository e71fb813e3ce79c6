/*
 * The fixture shared by the x5u fetcher tests (test_fetch*.c): a test PKI
 * (root, STI-CA, SP leaf; the SP chain also written to <tmpdir>/chain.pem),
 * a result buffer, and a local server to fetch from.
 *
 * The server is lib/tests/fetch/x5u_server.py, started by the group setup (fork +
 * exec of /usr/bin/python3, its ports read from its first line of output)
 * and killed by PID at teardown. It listens on 127.0.0.1 only, so the
 * fetchers here allow private addresses, except where the test is that they
 * do not. The server counts requests per path (GET /count over plain HTTP),
 * which is how "the server saw one request" is asserted.
 *
 * Without /usr/bin/python3 the server tests are skipped with a message
 * (NEED_SERVER); the parser tests still run.
 */
#ifndef CLID_TEST_FETCH_FIXTURE_H
#define CLID_TEST_FETCH_FIXTURE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <clid/clid.h>
#include <clid/clid_fetch.h>

#include "support/testpki.h"

#define BUF_CAP CLID_CHAIN_MAX_LEN

extern char tmpdir[64];     /* the group's temporary directory */
extern pid_t server_pid;    /* > 0 while the server runs */
extern int port_https, port_http, port_badtls, port_badname;
extern int64_t t_now;       /* the fetchers' clock (tp_fixed_clock) */
extern tp_cert *root, *inter, *sp;
extern char *chain_sp;      /* sp's chain: sp, inter */
extern uint8_t *buf;        /* BUF_CAP bytes for fetch() */

/* cmocka group setup and teardown: the PKI, the buffer, curl, the server. */
int group_setup(void **state);
int group_teardown(void **state);

/* Skips the test when the server is not running. */
#define NEED_SERVER()                                                                             \
    do {                                                                                          \
        if (server_pid <= 0)                                                                      \
            skip();                                                                               \
    } while (0)

void write_file(const char *path, const void *p, size_t n);

/* How many requests the server has seen for `path`. */
int count(const char *path);
/* "https://host:port/path" in a static buffer. */
const char *url_of(const char *host, int port, const char *path);
/* url_of for localhost and the server's HTTPS port. */
const char *https(const char *path);
/* A fetcher for the local server: loopback allowed, the test CA, the test
 * clock, and timeouts generous enough for valgrind. */
clid_fetcher *new_fetcher(void);
/* clid_fetcher_fetch into buf; len and max_age may be NULL. */
clid_err fetch(clid_fetcher *f, const char *url, size_t *len, int64_t *max_age);
void assert_stats(const clid_fetcher *f, uint64_t requests, uint64_t hits, uint64_t negative,
                  uint64_t failures);
/* A new directory for a persistent cache. */
const char *new_cache_dir(void);

/* The file a persistent cache in `dir` keeps `url` in (malloc'd). */
char *cache_file_path(const char *dir, const char *url);
/* A whole file (up to 128 KiB), malloc'd. */
uint8_t *read_whole(const char *path, size_t *n);

#endif /* CLID_TEST_FETCH_FIXTURE_H */
