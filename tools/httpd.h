/*
 * What the tool's two libmicrohttpd servers share (`clid conform serve`,
 * tools/conform/serve*.c, and `clid serve`, tools/serve/): reading a TLS
 * PEM into the NUL-terminated string MHD_OPTION_HTTPS_MEM_* takes, parsing
 * a listen address literal, and the ready file {"port":N,"pid":P} written
 * atomically once listening (a test or a supervisor polls for the file
 * instead of sleeping).
 */
#ifndef CLID_TOOL_HTTPD_H
#define CLID_TOOL_HTTPD_H

#include <netinet/in.h>
#include <sys/socket.h>

typedef union httpd_addr {
    struct sockaddr sa;
    struct sockaddr_in in4;
    struct sockaddr_in6 in6;
} httpd_addr;

/* `path` read whole (at most TOOL_MAX_FILE) as a NUL-terminated string
 * (*out, malloc'ed; the caller cleanses and frees it). A NUL byte inside
 * is refused. TOOL_EXIT_* after one line naming `who`. */
int httpd_read_pem(const char *who, const char *path, char **out);

/* An IPv4 or IPv6 literal and a port into *a (*v6 set for IPv6); -1 when
 * `s` is neither. */
int httpd_parse_addr(const char *s, unsigned port, httpd_addr *a, int *v6);

/* {"port":N,"pid":P} into a temporary file beside `path`, fsync'ed, then
 * renamed over `path`: a reader sees the whole file or none. 0, or -1
 * after one line naming `who`. */
int httpd_write_ready(const char *who, const char *path, unsigned port);

#endif /* CLID_TOOL_HTTPD_H */
