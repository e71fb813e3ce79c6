/*
 * Request paths of clid conform serve: canonical, and confined under the
 * root. The server is a test fixture that may run on a shared machine, so a
 * request must reach nothing but the files of its root: ".." is refused
 * outright and no symbolic link is followed (O_NOFOLLOW on every
 * component), which also defeats a link placed inside the root.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "conform/serve.h"

int serve_path_normalise(const char *url, char *out, size_t cap)
{
    if (url == NULL || url[0] != '/' || cap < 2)
        return -1;
    size_t n = 0, depth = 0;
    const char *p = url;
    while (*p != '\0') {
        while (*p == '/')
            p++;
        const char *start = p;
        while (*p != '\0' && *p != '/') {
            unsigned char ch = (unsigned char)*p;
            if (ch < 0x20 || ch == 0x7F || ch == '\\')
                return -1;
            p++;
        }
        size_t len = (size_t)(p - start);
        if (len == 0 || (len == 1 && start[0] == '.'))
            continue;
        if (len == 2 && start[0] == '.' && start[1] == '.')
            return -1; /* never resolved: the root is the top */
        if (++depth > SERVE_MAX_DEPTH || n + 1 + len >= cap || n + 1 + len > SERVE_MAX_PATH)
            return -1;
        out[n++] = '/';
        memcpy(out + n, start, len);
        n += len;
    }
    if (n == 0)
        out[n++] = '/';
    out[n] = '\0';
    return 0;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

size_t serve_unescape(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    char *w = s;
    for (const char *r = s; *r != '\0'; r++) {
        int hi, lo;
        if (r[0] == '%' && (hi = hexval(r[1])) >= 0 && (lo = hexval(r[2])) >= 0) {
            /* %00 would cut the path short ("/a.pem%00.txt" read as
             * "/a.pem"): it becomes a control character, which
             * serve_path_normalise refuses. */
            int v = hi * 16 + lo;
            *w++ = (char)(v == 0 ? 0x01 : v);
            r += 2;
        } else {
            *w++ = *r;
        }
    }
    *w = '\0';
    return (size_t)(w - s);
}

static int status_of(int err)
{
    return err == ENOENT || err == ENOTDIR || err == ENAMETOOLONG ? 404 : 403;
}

int serve_path_open(int rootfd, const char *norm, struct stat *st, int *status)
{
    char buf[SERVE_MAX_PATH + 1];
    size_t len = strlen(norm);
    *status = 404;
    if (len < 2 || len >= sizeof buf || norm[0] != '/')
        return -1;
    memcpy(buf, norm + 1, len); /* without the leading '/', with the NUL */
    int dir = dup(rootfd);
    if (dir < 0) {
        *status = 500;
        return -1;
    }
    char *comp = buf;
    for (;;) {
        char *slash = strchr(comp, '/');
        if (slash != NULL)
            *slash = '\0';
        int flags = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK;
        if (slash != NULL)
            flags |= O_DIRECTORY;
        int fd = openat(dir, comp, flags);
        if (fd < 0) {
            int err = errno;
            struct stat lst;
            *status = status_of(err);
            /* A link is refused (403), whatever it points to. */
            if (fstatat(dir, comp, &lst, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(lst.st_mode))
                *status = 403;
            close(dir);
            return -1;
        }
        close(dir);
        if (slash == NULL) {
            if (fstat(fd, st) != 0 || !S_ISREG(st->st_mode)) {
                *status = S_ISDIR(st->st_mode) ? 404 : 403;
                close(fd);
                return -1;
            }
            /* Reads block again (O_NONBLOCK only kept a FIFO from hanging the open). */
            int fl = fcntl(fd, F_GETFL);
            if (fl >= 0)
                (void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
            return fd;
        }
        dir = fd;
        comp = slash + 1;
    }
}

const char *serve_content_type(const char *norm)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        /* RFC 8224 §7.3 / ATIS-1000074: x5u serves application/pem-certificate-chain
         * (RFC 8555 §9.1); a CRL distribution point application/pkix-crl (RFC 2585 §4.2). */
        {".pem", "application/pem-certificate-chain"},
        {".crl", "application/pkix-crl"},
        {".der", "application/pkix-cert"},
        {".cer", "application/pkix-cert"},
        {".json", "application/json"},
        {".txt", "text/plain; charset=utf-8"},
        {".html", "text/html; charset=utf-8"},
    };
    size_t n = strlen(norm);
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        size_t e = strlen(types[i].ext);
        if (n > e && strcmp(norm + n - e, types[i].ext) == 0)
            return types[i].type;
    }
    return "application/octet-stream";
}
