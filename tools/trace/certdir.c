/*
 * --cert-dir DIR: certificate bundles handed out at interop events, offline.
 * Decision (docs/trace.md "Certificates"): the chain for an x5u URL is the
 * file DIR/<last path segment of the URL>, or that name + ".pem", the way
 * events publish them (https://certs.example/sp1.pem -> DIR/sp1.pem). The
 * verifier still validates the chain against --trust, so a wrong file can
 * only fail a call, never pass one. Installed as the context's x5u fetcher
 * (clid_ctx_set_fetcher), so --x5u-map entries (consulted first by the
 * library) win, and with --fetch a URL not in DIR goes to the network
 * fetcher.
 * The segment is used as a file name only when it is [A-Za-z0-9._-]{1,200}
 * and does not begin with '.', so a URL cannot name a path outside DIR.
 */
#include <stdio.h>
#include <string.h>

#include "trace/trace.h"

static int segment(const char *url, char *out, size_t cap)
{
    const char *end = url + strcspn(url, "?#");
    const char *s = end;
    while (s > url && s[-1] != '/')
        s--;
    size_t n = (size_t)(end - s);
    if (n == 0 || n > 200 || n >= cap || s[0] == '.')
        return -1;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return -1;
    }
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

/* 1 read, 0 no such file, -1 too large or unreadable. */
static int read_bounded(const char *path, uint8_t *buf, size_t cap, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    size_t n = fread(buf, 1, cap, f);
    int more = fgetc(f) != EOF, err = ferror(f);
    fclose(f);
    if (err || more)
        return -1;
    *len = n;
    return 1;
}

clid_err trace_certdir_fetch(void *arg, const char *url, uint8_t *buf, size_t cap, size_t *len,
                             int64_t *max_age_s)
{
    const trace_certdir *d = arg;
    char name[256], path[4096 + 300];
    if (d->dir != NULL && segment(url, name, sizeof name) == 0) {
        for (int i = 0; i < 2; i++) {
            snprintf(path, sizeof path, "%s/%s%s", d->dir, name, i ? ".pem" : "");
            int r = read_bounded(path, buf, cap, len);
            if (r == 1) {
                *max_age_s = -1;
                return CLID_OK;
            }
            if (r < 0)
                return CLID_ERR_X5U_TOO_LARGE;
        }
    }
    if (d->next != NULL)
        return d->next(d->next_arg, url, buf, cap, len, max_age_s);
    return CLID_ERR_X5U_UNMAPPED;
}
