/*
 * Persistent x5u cache files (fetch_disk.h).
 *
 * File name: the 64 hex digits of SHA-256(URL), so a URL (attacker text)
 * never becomes a path. Contents, all lengths explicit so bodies may hold
 * any byte:
 *
 *   clid-x5u 1\n
 *   expires <Unix seconds>\n
 *   url <n>\n<n bytes of URL>\n
 *   body <n>\n<n bytes of body>\n
 *   sha256 <64 hex digits of SHA-256 of everything above>\n
 *
 * A reader accepts a file only if it parses exactly, its checksum matches,
 * and it names the URL asked for; anything else (a torn write on a file
 * system without atomic rename, a disk error, an edit, a stray file) is
 * removed and treated as a miss. Files are 0600 in a 0700 directory.
 */
#define _GNU_SOURCE /* mkostemp: the temporary file must not leak into exec'd children */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fetch/fetch_disk.h"
#include "fetch/fetch_internal.h"
#include "core/internal.h"

#define MAGIC "clid-x5u 1\n"
#define BODY_MAX CLID_CRL_MAX_LEN                      /* the fetcher's largest size limit */
#define FILE_MAX (BODY_MAX + CLID__URL_MAX + 256u)     /* body, URL and the header lines */
#define TRAILER_LEN (7 + 64 + 1)                       /* "sha256 " hex "\n" */
#define TMP_PREFIX ".tmp-"
#define TMP_MAX_AGE 3600
#define SWEEP_MAX_ENTRIES 100000

static int sha256(const void *p, size_t n, uint8_t out[32])
{
    unsigned int len = 0;
    return EVP_Digest(p, n, out, &len, EVP_sha256(), NULL) == 1 && len == 32 ? 0 : -1;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[b[i] >> 4];
        out[2 * i + 1] = digits[b[i] & 15];
    }
    out[2 * n] = '\0';
}

clid_err clid__fcache_file_name(const char *url, char name[65])
{
    uint8_t h[32];
    CLID_ENSURE(url != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(sha256(url, strlen(url), h) == 0, CLID_ERR_INTERNAL);
    hex(h, sizeof h, name);
    return CLID_OK;
}

static int path_of(const char *dir, const char *name, char out[PATH_MAX])
{
    int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);
    return n > 0 && n < PATH_MAX ? 0 : -1;
}

clid_err clid__fdisk_prepare(const char *dir)
{
    CLID_ENSURE(dir != NULL && dir[0] != '\0', CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(strlen(dir) < PATH_MAX - 80, CLID_ERR_INVALID_ARGUMENT);
    if (mkdir(dir, 0700) != 0 && errno != EEXIST)
        return CLID_ERR_IO;
    struct stat st;
    CLID_ENSURE(stat(dir, &st) == 0 && S_ISDIR(st.st_mode), CLID_ERR_IO);
    /* A file planted in the directory is served as a certificate chain for
     * its URL (the name is only a hash of the URL, and the checksum inside
     * is no secret): only this user may be able to write there. Not the
     * world, not a group (whoever else is in it), and not another owner,
     * who may chmod it at will. */
    CLID_ENSURE((st.st_mode & (S_IWOTH | S_IWGRP)) == 0, CLID_ERR_IO);
    CLID_ENSURE(st.st_uid == geteuid(), CLID_ERR_IO);
    CLID_ENSURE(access(dir, R_OK | W_OK | X_OK) == 0, CLID_ERR_IO);
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* Reading                                                                   */
/* ------------------------------------------------------------------------ */

/* Reads a whole regular file of at most FILE_MAX bytes (no symlinks). */
static int slurp(const char *path, uint8_t **out, size_t *len)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat st;
    uint8_t *buf = NULL;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > FILE_MAX || (buf = malloc((size_t)st.st_size)) == NULL) {
        close(fd);
        return -2; /* unusable: the caller removes it */
    }
    size_t n = (size_t)st.st_size, got = 0;
    while (got < n) {
        ssize_t r = read(fd, buf + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    if (got != n) {
        free(buf);
        return -2;
    }
    *out = buf;
    *len = n;
    return 0;
}

/* A cursor over the file. */
struct rd {
    const uint8_t *p;
    size_t len;
    size_t i;
    int bad;
};

static void expect(struct rd *r, const char *lit)
{
    size_t n = strlen(lit);
    if (r->bad || r->len - r->i < n || memcmp(r->p + r->i, lit, n) != 0)
        r->bad = 1;
    else
        r->i += n;
}

/* A decimal number up to '\n' (no sign, no leading zeros, <= max). */
static uint64_t number(struct rd *r, uint64_t max)
{
    uint64_t v = 0;
    size_t start = r->i;
    while (!r->bad && r->i < r->len && r->p[r->i] >= '0' && r->p[r->i] <= '9') {
        if (v > (max - (uint64_t)(r->p[r->i] - '0')) / 10) {
            r->bad = 1;
            break;
        }
        v = v * 10 + (uint64_t)(r->p[r->i++] - '0');
    }
    size_t n = r->i - start;
    if (n == 0 || (n > 1 && r->p[start] == '0'))
        r->bad = 1;
    expect(r, "\n");
    return v;
}

/* `n` raw bytes followed by '\n'. */
static const uint8_t *bytes(struct rd *r, size_t n)
{
    if (r->bad || r->len - r->i < n) {
        r->bad = 1;
        return NULL;
    }
    const uint8_t *at = r->p + r->i;
    r->i += n;
    expect(r, "\n");
    return at;
}

struct parsed {
    int64_t expires;
    const uint8_t *url;
    size_t url_len;
    const uint8_t *body;
    size_t body_len;
};

static int parse_file(const uint8_t *p, size_t len, struct parsed *out)
{
    if (len < TRAILER_LEN)
        return -1;
    size_t payload = len - TRAILER_LEN;
    uint8_t h[32];
    char want[65];
    if (sha256(p, payload, h) != 0)
        return -1;
    hex(h, sizeof h, want);
    if (memcmp(p + payload, "sha256 ", 7) != 0 || memcmp(p + payload + 7, want, 64) != 0 ||
        p[len - 1] != '\n')
        return -1;

    struct rd r = {.p = p, .len = payload};
    expect(&r, MAGIC);
    expect(&r, "expires ");
    out->expires = (int64_t)number(&r, INT64_MAX);
    expect(&r, "url ");
    out->url_len = (size_t)number(&r, CLID__URL_MAX);
    out->url = bytes(&r, out->url_len);
    expect(&r, "body ");
    out->body_len = (size_t)number(&r, BODY_MAX);
    out->body = bytes(&r, out->body_len);
    return r.bad || r.i != payload ? -1 : 0;
}

clid_err clid__fdisk_read(const char *dir, const char *url, int64_t now, uint8_t **body,
                          size_t *len, int64_t *expires)
{
    char name[65], path[PATH_MAX];
    CLID_TRY(clid__fcache_file_name(url, name));
    CLID_ENSURE(path_of(dir, name, path) == 0, CLID_ERR_IO);
    uint8_t *buf = NULL;
    size_t n = 0;
    int rc = slurp(path, &buf, &n);
    if (rc == -1)
        return CLID_ERR_IO; /* no file: the common miss */
    struct parsed f;
    size_t ulen = strlen(url);
    if (rc != 0 || parse_file(buf, n, &f) != 0 || f.url_len != ulen ||
        memcmp(f.url, url, ulen) != 0 || f.expires <= now) {
        free(buf);
        (void)unlink(path);
        return CLID_ERR_IO;
    }
    uint8_t *copy = malloc(f.body_len ? f.body_len : 1);
    if (copy == NULL) {
        free(buf);
        return CLID_ERR_NOMEM;
    }
    memcpy(copy, f.body, f.body_len);
    *body = copy;
    *len = f.body_len;
    /* Whoever wrote the file (another clock, another version, a person),
     * it serves no longer than a fresh fetch could. */
    *expires = f.expires;
    if (now < INT64_MAX - CLID__X5U_TTL_MAX && f.expires > now + CLID__X5U_TTL_MAX)
        *expires = now + CLID__X5U_TTL_MAX;
    free(buf);
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* Writing                                                                   */
/* ------------------------------------------------------------------------ */

static int write_all(int fd, const uint8_t *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* The file's bytes, malloc'd. */
static uint8_t *serialize(const char *url, const uint8_t *body, size_t len, int64_t expires,
                          size_t *out_len)
{
    size_t ulen = strlen(url);
    char head[96];
    int hn = snprintf(head, sizeof head, MAGIC "expires %lld\nurl %zu\n", (long long)expires,
                      ulen);
    char mid[48];
    int mn = snprintf(mid, sizeof mid, "\nbody %zu\n", len);
    if (hn <= 0 || (size_t)hn >= sizeof head || mn <= 0 || (size_t)mn >= sizeof mid)
        return NULL;
    size_t payload = (size_t)hn + ulen + (size_t)mn + len + 1;
    uint8_t *buf = malloc(payload + TRAILER_LEN + 1);
    if (buf == NULL)
        return NULL;
    size_t i = 0;
    memcpy(buf + i, head, (size_t)hn);
    i += (size_t)hn;
    memcpy(buf + i, url, ulen);
    i += ulen;
    memcpy(buf + i, mid, (size_t)mn);
    i += (size_t)mn;
    memcpy(buf + i, body, len);
    i += len;
    buf[i++] = '\n';
    uint8_t h[32];
    char hx[65];
    if (sha256(buf, payload, h) != 0) {
        free(buf);
        return NULL;
    }
    hex(h, sizeof h, hx);
    memcpy(buf + i, "sha256 ", 7);
    memcpy(buf + i + 7, hx, 64);
    buf[i + 71] = '\n';
    *out_len = payload + TRAILER_LEN;
    return buf;
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd); /* makes the rename itself durable */
        close(fd);
    }
}

void clid__fdisk_write(const char *dir, const char *url, const uint8_t *body, size_t len,
                       int64_t expires)
{
    char name[65], path[PATH_MAX], tmp[PATH_MAX];
    if (len > BODY_MAX || clid__fcache_file_name(url, name) != CLID_OK ||
        path_of(dir, name, path) != 0 || path_of(dir, TMP_PREFIX "XXXXXX", tmp) != 0)
        return;
    size_t n = 0;
    uint8_t *buf = serialize(url, body, len, expires, &n);
    if (buf == NULL)
        return;
    int fd = mkostemp(tmp, O_CLOEXEC); /* 0600, O_EXCL */
    if (fd < 0) {
        free(buf);
        return;
    }
    int ok = write_all(fd, buf, n) == 0 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    free(buf);
    if (ok && rename(tmp, path) == 0) {
        sync_dir(dir);
        return;
    }
    (void)unlink(tmp);
}

/* ------------------------------------------------------------------------ */
/* Sweeping                                                                  */
/* ------------------------------------------------------------------------ */

static int is_cache_name(const char *s)
{
    size_t i = 0;
    for (; s[i]; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return 0;
    return i == 64;
}

/* Whether the cache file at `path`, named `name`, is intact and current. */
static int file_is_current(const char *path, const char *name, int64_t now)
{
    uint8_t *buf = NULL;
    size_t n = 0;
    if (slurp(path, &buf, &n) != 0)
        return 0;
    struct parsed f;
    int ok = 0;
    if (parse_file(buf, n, &f) == 0 && f.expires > now) {
        uint8_t h[32];
        char hx[65];
        ok = sha256(f.url, f.url_len, h) == 0;
        hex(h, sizeof h, hx);
        ok = ok && strcmp(hx, name) == 0;
    }
    free(buf);
    return ok;
}

void clid__fdisk_sweep(const char *dir, int64_t now)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    time_t wall = time(NULL); /* temporary files age in real time, whatever the clock */
    char path[PATH_MAX];
    struct dirent *de;
    for (int seen = 0; seen < SWEEP_MAX_ENTRIES && (de = readdir(d)) != NULL; seen++) {
        if (path_of(dir, de->d_name, path) != 0)
            continue;
        if (is_cache_name(de->d_name)) {
            if (!file_is_current(path, de->d_name, now))
                (void)unlink(path);
        } else if (strncmp(de->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0) {
            struct stat st;
            if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime < wall - TMP_MAX_AGE)
                (void)unlink(path);
        }
    }
    closedir(d);
}
