/* Helpers shared by the tool's libmicrohttpd servers (httpd.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "httpd.h"
#include "util.h"

int httpd_read_pem(const char *who, const char *path, char **out)
{
    uint8_t *buf;
    size_t len;
    *out = NULL;
    int rc = tool_read_file(path, TOOL_MAX_FILE, &buf, &len);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (memchr(buf, '\0', len) != NULL || (*out = malloc(len + 1)) == NULL) {
        OPENSSL_cleanse(buf, len);
        free(buf);
        tool_error("%s: %s: not a PEM text", who, path);
        return TOOL_EXIT_DATAERR;
    }
    memcpy(*out, buf, len);
    (*out)[len] = '\0';
    OPENSSL_cleanse(buf, len);
    free(buf);
    return TOOL_EXIT_OK;
}

int httpd_parse_addr(const char *s, unsigned port, httpd_addr *a, int *v6)
{
    memset(a, 0, sizeof *a);
    *v6 = 0;
    if (inet_pton(AF_INET, s, &a->in4.sin_addr) == 1) {
        a->in4.sin_family = AF_INET;
        a->in4.sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, s, &a->in6.sin6_addr) == 1) {
        a->in6.sin6_family = AF_INET6;
        a->in6.sin6_port = htons((uint16_t)port);
        *v6 = 1;
        return 0;
    }
    return -1;
}

int httpd_write_ready(const char *who, const char *path, unsigned port)
{
    char tmp[4096], body[64];
    int n = snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    int m = snprintf(body, sizeof body, "{\"port\":%u,\"pid\":%ld}\n", port, (long)getpid());
    if (n < 0 || (size_t)n >= sizeof tmp || m < 0) {
        tool_error("%s: --ready-file: path too long", who);
        return -1;
    }
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) {
        tool_error("%s: %s: %s", who, tmp, strerror(errno));
        return -1;
    }
    int ok = write(fd, body, (size_t)m) == m && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        tool_error("%s: %s: %s", who, path, strerror(errno));
        unlink(tmp);
        return -1;
    }
    return 0;
}
