/*
 * A scripted fake CPS for the client tests: libmicrohttpd (tests only;
 * libclid never links it) on 127.0.0.1, a kernel-picked port, answering
 * each request with the next scripted answer (the last one repeats) and
 * recording what it received.
 */
#ifndef CLID_TEST_CPS_FAKE_H
#define CLID_TEST_CPS_FAKE_H

#include <stddef.h>

#define FAKE_MAX_REQ 32
#define FAKE_MAX_BODY 65536

typedef struct fake_answer {
    unsigned status;
    const char *body;     /* NULL: "" */
    size_t body_len;      /* 0: strlen(body) */
    int chunked;          /* no Content-Length: the size is known only at the end */
    const char *location; /* a Location header (redirect tests) */
    unsigned delay_ms;    /* wait before answering (timeout tests) */
} fake_answer;

typedef struct fake_req {
    char method[8];
    char url[256];
    char *authorization; /* malloc'd, NULL when absent */
    char *content_type;
    char *body;          /* malloc'd, NUL-terminated */
    size_t body_len;
} fake_req;

typedef struct fake_cps fake_cps;

/* Starts the server; aborts the test on failure. */
fake_cps *fake_start(void);
void fake_stop(fake_cps *f);
unsigned fake_port(const fake_cps *f);
/* Replaces the script and forgets what was received. */
void fake_script(fake_cps *f, const fake_answer *a, size_t n);
/* Requests received so far; fake_get(i) stays valid until the next
 * fake_script or fake_stop. */
size_t fake_count(fake_cps *f);
const fake_req *fake_get(fake_cps *f, size_t i);

#endif
