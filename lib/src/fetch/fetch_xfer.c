/*
 * One x5u or CRL transfer (fetch_internal.h): resolution and the address
 * policy in the caller's thread, then one libcurl easy transfer pinned to
 * the vetted addresses. The two kinds differ only in the size limit, what a
 * good body is (a PEM chain; one CRL) and how long it is cached.
 *
 * Why each curl option is what it is:
 *   - PROTOCOLS_STR "https" (or "http,https"): curl speaks nothing else,
 *     whatever the URL says (file://, gopher://, dict:// are SSRF classics).
 *   - FOLLOWLOCATION 0: a redirect is an answer (CLID_ERR_X5U_REDIRECT), so
 *     a public server cannot bounce clid to an internal one.
 *   - RESOLVE: curl connects to the addresses clid resolved and checked, so
 *     DNS cannot answer differently the second time (rebinding), and curl
 *     never starts its resolver thread. OPENSOCKETFUNCTION checks every
 *     address again just before the socket exists, in case a curl version
 *     ever resolves by itself.
 *   - PROXY "": environment proxies (https_proxy ...) would move the
 *     connection, and the address check, somewhere else.
 *   - HTTP_CONTENT_DECODING 0, no ACCEPT_ENCODING: the size cap applies to
 *     the bytes on the wire and no decompressor runs on hostile input.
 *   - HTTP/1.1 only: a certificate file needs nothing more, and the HTTP/2
 *     stack stays out of the attack surface.
 *   - MAXFILESIZE plus the write callback: an announced Content-Length over
 *     the cap stops before the body; a body without one stops at the cap.
 *   - NOSIGNAL 1: no SIGALRM-based timeouts in a threaded host. SIGPIPE is
 *     blocked in the calling thread during the transfer and a pending one
 *     consumed, so a peer closing early cannot kill a host that did not
 *     ignore it, and the process's signal dispositions are never touched.
 *
 * The shared pieces (resolution and pinning, the options above, the socket
 * guard, SIGPIPE, the curl error map) serve the CPS requests of
 * fetch_http.c too, through fetch_curl.h: one policy for every URL clid
 * connects to.
 *
 * One easy handle per transfer: fetches are rare (the cache answers the
 * rest), a handle costs little next to a TLS handshake (docs/x5u.md has the
 * measurement), and a pool would keep sockets and TLS state that a forked
 * child must neither use nor close.
 */
#include <arpa/inet.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <clid/clid_version.h>

#include "core/internal.h"
#include "fetch/fetch_internal.h"
#include "fetch/fetch_curl.h"
#include "x509/x509_load.h"

#if LIBCURL_VERSION_NUM < 0x075500
#error "libcurl 7.85 or later is needed (CURLOPT_PROTOCOLS_STR)"
#endif

#define MAX_PINNED 8    /* addresses handed to curl */
#define HDR_BYTES_MAX (32u * 1024) /* all response header lines together */
#define CC_MAX 1024
#define PEM_BEGIN "-----BEGIN CERTIFICATE-----"
#define PEM_END "-----END CERTIFICATE-----"
/* ------------------------------------------------------------------------ */
/* libcurl global state                                                      */
/* ------------------------------------------------------------------------ */

/*
 * The one piece of process-wide state besides the asn1c priming (style
 * notes §2.5). curl_global_init must run once before any easy handle; with
 * libcurl 7.84+ built thread-safe (Debian's is: `curl-config --features`
 * says "threadsafe") calling it from any thread is safe, and pthread_once
 * makes it exactly once. curl_global_cleanup is never called: the host may
 * use libcurl itself, and its state is released at exit.
 */
static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

/* Whether libcurl's TLS is this very OpenSSL, so that an X509_STORE made
 * here may be handed to its SSL_CTX (see "Trust store" below). */
static int curl_shares_openssl;

static void curl_init_once(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
    const curl_version_info_data *v = curl_version_info(CURLVERSION_NOW);
    const char *ours = OpenSSL_version(OPENSSL_VERSION_STRING); /* "3.0.19" */
    curl_shares_openssl = v != NULL && v->ssl_version != NULL &&
                          strncmp(v->ssl_version, "OpenSSL/", 8) == 0 &&
                          strcmp(v->ssl_version + 8, ours) == 0;
}

clid_err clid__xfer_global_init(void)
{
    CLID_ENSURE(pthread_once(&curl_once, curl_init_once) == 0, CLID_ERR_INTERNAL);
    return curl_init_rc == CURLE_OK ? CLID_OK : CLID_ERR_INTERNAL;
}

/* ------------------------------------------------------------------------ */
/* Trust store                                                               */
/* ------------------------------------------------------------------------ */

/*
 * A new easy handle makes curl parse its CA file for every connection:
 * measured here at 20 ms for Debian's 144-certificate bundle, ten times the
 * whole TLS exchange with a local server. So each fetcher loads its trust
 * once, into an X509_STORE that every transfer's SSL_CTX shares
 * (CURLOPT_SSL_CTX_FUNCTION, SSL_CTX_set1_cert_store), and curl is told to
 * load nothing itself. That needs curl to use the same OpenSSL as clid;
 * otherwise curl gets CURLOPT_CAINFO as usual and pays the parse.
 *
 * The store is built at the first TLS transfer, without a lock: a thread
 * that finds none builds one and publishes it with a compare-and-swap (the
 * loser frees its own). It records the process that built it: a forked
 * child builds its own and abandons the inherited one, whose internal lock
 * a parent thread may have held at fork time.
 */
struct clid__trust_rec {
    X509_STORE *store;
    pid_t pid;
};

static X509_STORE *load_store(const clid__fetch_cfg *f, CURL *h)
{
    X509_STORE *s = X509_STORE_new();
    int ok = 0;
    if (s != NULL && f->ca_file != NULL) {
        ok = X509_STORE_load_file(s, f->ca_file) == 1;
    } else if (s != NULL) {
        /* The same default as curl's: its built-in bundle and directory. */
        char *file = NULL, *dir = NULL;
        (void)curl_easy_getinfo(h, CURLINFO_CAINFO, &file);
        (void)curl_easy_getinfo(h, CURLINFO_CAPATH, &dir);
        if (file != NULL)
            ok |= X509_STORE_load_file(s, file) == 1;
        if (dir != NULL)
            ok |= X509_STORE_load_path(s, dir) == 1;
        if (file == NULL && dir == NULL)
            ok = X509_STORE_set_default_paths(s) == 1;
    }
    ERR_clear_error();
    if (!ok) {
        X509_STORE_free(s);
        return NULL;
    }
    return s;
}

static X509_STORE *trust_store(clid__fetch_cfg *f, CURL *h)
{
    pid_t me = getpid();
    clid__trust_rec *cur = __atomic_load_n(&f->trust, __ATOMIC_ACQUIRE);
    if (cur != NULL && cur->pid == me)
        return cur->store;
    clid__trust_rec *mine = malloc(sizeof *mine);
    if (mine == NULL)
        return NULL;
    mine->pid = me;
    mine->store = load_store(f, h);
    if (mine->store != NULL &&
        __atomic_compare_exchange_n(&f->trust, &cur, mine, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return mine->store;
    X509_STORE_free(mine->store);
    free(mine);
    /* Another thread of this process won the race (or loading failed). */
    cur = __atomic_load_n(&f->trust, __ATOMIC_ACQUIRE);
    return cur != NULL && cur->pid == me ? cur->store : NULL;
}

void clid__xfer_trust_reset(clid__fetch_cfg *f)
{
    clid__trust_rec *cur = __atomic_exchange_n(&f->trust, NULL, __ATOMIC_ACQ_REL);
    if (cur != NULL && cur->pid == getpid()) {
        X509_STORE_free(cur->store);
        free(cur);
    }
}

static CURLcode on_ssl_ctx(CURL *h, void *ssl_ctx, void *store)
{
    (void)h;
    SSL_CTX_set1_cert_store(ssl_ctx, store); /* takes its own reference */
    return CURLE_OK;
}

/* ------------------------------------------------------------------------ */
/* Resolution and address policy                                             */
/* ------------------------------------------------------------------------ */

/* Appends `s` to the pin entry; 0 on success. */
static int pin_append(char *buf, size_t cap, size_t *len, const char *s)
{
    size_t n = strlen(s);
    if (n >= cap - *len)
        return -1;
    memcpy(buf + *len, s, n + 1);
    *len += n;
    return 0;
}

/*
 * getaddrinfo in the calling thread (its time is the system resolver's,
 * /etc/resolv.conf timeout and attempts), every address checked, and a
 * CURLOPT_RESOLVE entry "host:port:addr,addr" built from them. One refused
 * address refuses the name: a public name has no business resolving into a
 * private network, and picking the "good" one would let DNS choose.
 */
clid_err clid__curl_resolve_pin(const clid__fetch_cfg *f, const clid__url *u,
                                struct curl_slist **pin)
{
    *pin = NULL;
    if (u->kind != CLID__HOST_NAME)
        return CLID_OK; /* a literal: checked by the URL policy; curl does not resolve it */

    char port[8];
    snprintf(port, sizeof port, "%u", u->port);
    struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                             .ai_protocol = IPPROTO_TCP};
    struct addrinfo *res = NULL;
    int g = getaddrinfo(u->host, port, &hints, &res);
    if (g == EAI_MEMORY)
        return CLID_ERR_NOMEM;
    CLID_ENSURE(g == 0, CLID_ERR_X5U_UNREACHABLE);

    char entry[CLID__HOST_MAX + 8 + MAX_PINNED * (INET6_ADDRSTRLEN + 3)];
    size_t len = 0;
    int n = 0, refused = 0, overflow = 0;
    overflow |= pin_append(entry, sizeof entry, &len, u->host);
    overflow |= pin_append(entry, sizeof entry, &len, ":");
    overflow |= pin_append(entry, sizeof entry, &len, port);
    overflow |= pin_append(entry, sizeof entry, &len, ":");
    for (struct addrinfo *a = res; a != NULL; a = a->ai_next) {
        if (a->ai_family != AF_INET && a->ai_family != AF_INET6)
            continue;
        if (!f->pol.allow_private && !clid__addr_is_public(a->ai_addr)) {
            refused = 1;
            break;
        }
        if (n == MAX_PINNED)
            continue;
        char text[INET6_ADDRSTRLEN + 2];
        const void *ip;
        if (a->ai_family == AF_INET)
            ip = &((const struct sockaddr_in *)(const void *)a->ai_addr)->sin_addr;
        else
            ip = &((const struct sockaddr_in6 *)(const void *)a->ai_addr)->sin6_addr;
        if (inet_ntop(a->ai_family, ip, text + 1, INET6_ADDRSTRLEN) == NULL)
            continue;
        const char *s = text + 1;
        if (a->ai_family == AF_INET6) { /* curl wants IPv6 addresses in brackets */
            text[0] = '[';
            strcat(text, "]");
            s = text;
        }
        overflow |= n > 0 && pin_append(entry, sizeof entry, &len, ",");
        overflow |= pin_append(entry, sizeof entry, &len, s);
        n++;
    }
    freeaddrinfo(res);
    CLID_ENSURE(!refused, CLID_ERR_X5U_URL_POLICY);
    CLID_ENSURE(n > 0, CLID_ERR_X5U_UNREACHABLE);
    CLID_ENSURE(!overflow, CLID_ERR_INTERNAL);
    *pin = curl_slist_append(NULL, entry);
    CLID_ENSURE(*pin != NULL, CLID_ERR_NOMEM);
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* The transfer                                                              */
/* ------------------------------------------------------------------------ */

struct xfer {
    CURL *h;
    clid__sock_guard guard;
    int too_large;
    int bad_status; /* the body of a non-200 answer was refused */
    clid__body body; /* no NUL reserved: bodies are kept with their length */
    size_t hdr_bytes;
    char cc[CC_MAX];
    size_t cc_len;
    int cc_overflow;
    char expires[64];
    size_t expires_len;
    int has_expires;
    char date[64];
    size_t date_len;
    int has_date;
    char age[24];
    size_t age_len;
    int has_age;
};

static void headers_reset(struct xfer *x)
{
    x->cc_len = 0;
    x->cc_overflow = 0;
    x->has_expires = x->has_date = x->has_age = 0;
}

static int header_is(const char *line, size_t n, const char *name, const char **val, size_t *vl)
{
    size_t k = strlen(name);
    if (n <= k || line[k] != ':')
        return 0;
    for (size_t i = 0; i < k; i++) {
        char c = line[i];
        if (c >= 'A' && c <= 'Z')
            c += 'a' - 'A';
        if (c != name[i])
            return 0;
    }
    const char *v = line + k + 1, *end = line + n;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' ' || end[-1] == '\t'))
        end--;
    *val = v;
    *vl = (size_t)(end - v);
    return 1;
}

/* Copies a single-valued header (the first occurrence wins); too long
 * keeps an empty value, which the parsers read as malformed. */
static void keep(char *dst, size_t cap, size_t *dlen, int *has, const char *v, size_t vl)
{
    if (*has)
        return;
    *has = 1;
    *dlen = vl < cap ? vl : 0;
    memcpy(dst, v, *dlen);
}

int clid__body_append(clid__body *b, const char *data, size_t n)
{
    if (n > b->max - b->len)
        return CLID__BODY_TOO_LARGE;
    size_t need = b->len + n + b->reserve;
    if (need > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < need)
            cap *= 2;
        if (cap > b->max + b->reserve)
            cap = b->max + b->reserve;
        uint8_t *p = realloc(b->buf, cap);
        if (p == NULL)
            return CLID__BODY_NOMEM;
        b->buf = p;
        b->cap = cap;
    }
    memcpy(b->buf + b->len, data, n);
    b->len += n;
    if (b->reserve > 0)
        b->buf[b->len] = 0;
    return 0;
}

static size_t on_header(char *line, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;
    if (n > HDR_BYTES_MAX - x->hdr_bytes) {
        x->too_large = 1;
        return 0;
    }
    x->hdr_bytes += n;
    const char *v;
    size_t vl;
    if (n >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        headers_reset(x); /* a new response (after a 1xx): its own headers only */
    } else if (header_is(line, n, "cache-control", &v, &vl)) {
        /* Repeated fields form one list (RFC 9110 §5.3). */
        size_t need = vl + (x->cc_len > 0);
        if (need > sizeof x->cc - x->cc_len) {
            x->cc_overflow = 1;
        } else {
            if (x->cc_len > 0)
                x->cc[x->cc_len++] = ',';
            memcpy(x->cc + x->cc_len, v, vl);
            x->cc_len += vl;
        }
    } else if (header_is(line, n, "expires", &v, &vl)) {
        keep(x->expires, sizeof x->expires, &x->expires_len, &x->has_expires, v, vl);
    } else if (header_is(line, n, "date", &v, &vl)) {
        keep(x->date, sizeof x->date, &x->date_len, &x->has_date, v, vl);
    } else if (header_is(line, n, "age", &v, &vl)) {
        keep(x->age, sizeof x->age, &x->age_len, &x->has_age, v, vl);
    }
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
    struct xfer *x = ud;
    size_t n = size * nmemb;
    long status = 0;
    /* Only a 200's body is wanted: an error page is not downloaded. */
    if (curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status) != CURLE_OK || status != 200) {
        x->bad_status = 1;
        return 0;
    }
    int e = clid__body_append(&x->body, data, n);
    x->too_large |= e == CLID__BODY_TOO_LARGE;
    return e == 0 ? n : 0; /* 0: curl stops with CURLE_WRITE_ERROR */
}

/* The last look at an address before curl connects to it. */
static curl_socket_t on_socket(void *ud, curlsocktype purpose, struct curl_sockaddr *a)
{
    clid__sock_guard *g = ud;
    if (purpose != CURLSOCKTYPE_IPCXN)
        return CURL_SOCKET_BAD;
    if (!g->allow_private && !clid__addr_is_public(&a->addr)) {
        g->blocked = 1;
        return CURL_SOCKET_BAD;
    }
    /* Close-on-exec: a forking host must not hand the socket to a child. */
    return socket(a->family, a->socktype | SOCK_CLOEXEC, a->protocol);
}

clid_err clid__curl_map(CURLcode rc)
{
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return CLID_ERR_X5U_TIMEOUT;
    case CURLE_FILESIZE_EXCEEDED:
        return CLID_ERR_X5U_TOO_LARGE;
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
        return CLID_ERR_X5U_URL_POLICY;
    case CURLE_OUT_OF_MEMORY:
        return CLID_ERR_NOMEM;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ENGINE_NOTFOUND:
    case CURLE_SSL_ENGINE_SETFAILED:
    case CURLE_SSL_ENGINE_INITFAILED:
    case CURLE_SSL_SHUTDOWN_FAILED:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CLIENTCERT:
    case CURLE_USE_SSL_FAILED:
        return CLID_ERR_X5U_TLS;
    default:
        /* Resolution, connection, a reset or truncated answer: the host
         * could not be talked to. */
        return CLID_ERR_X5U_UNREACHABLE;
    }
}

/* The options every transfer has (fetch_curl.h says which and why). */
clid_err clid__curl_base_options(clid__fetch_cfg *f, CURL *h, const char *url, const clid__url *u,
                                 struct curl_slist *pin, clid__sock_guard *g, unsigned total_ms)
{
    const char *protos = f->pol.allow_http ? "http,https" : "https";
    CURLcode e = CURLE_OK;
#define SET(opt, val)                                                                             \
    do {                                                                                          \
        if (e == CURLE_OK)                                                                        \
            e = curl_easy_setopt(h, opt, val);                                                    \
    } while (0)
    SET(CURLOPT_URL, url);
    SET(CURLOPT_PROTOCOLS_STR, protos);
    SET(CURLOPT_REDIR_PROTOCOLS_STR, protos);
    SET(CURLOPT_FOLLOWLOCATION, 0L);
    SET(CURLOPT_MAXREDIRS, 0L);
    SET(CURLOPT_NOSIGNAL, 1L);
    SET(CURLOPT_CONNECTTIMEOUT_MS, (long)(f->connect_ms < total_ms ? f->connect_ms : total_ms));
    SET(CURLOPT_TIMEOUT_MS, (long)total_ms);
    SET(CURLOPT_OPENSOCKETFUNCTION, on_socket);
    SET(CURLOPT_OPENSOCKETDATA, g);
    SET(CURLOPT_PROXY, "");
    SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
    SET(CURLOPT_HTTP_CONTENT_DECODING, 0L);
    SET(CURLOPT_USERAGENT, "clid/" CLID_VERSION_STRING);
    if (u->https) {
        SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
        SET(CURLOPT_SSL_VERIFYPEER, 1L);
        SET(CURLOPT_SSL_VERIFYHOST, 2L);
        X509_STORE *store = curl_shares_openssl ? trust_store(f, h) : NULL;
        if (curl_shares_openssl && store == NULL)
            return CLID_ERR_X5U_TLS; /* no trust anchors could be loaded */
        if (store != NULL) {
            SET(CURLOPT_CAINFO, (char *)NULL);
            SET(CURLOPT_CAPATH, (char *)NULL);
            SET(CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
            SET(CURLOPT_SSL_CTX_DATA, store);
        } else if (f->ca_file != NULL) {
            /* The configured file replaces the system store entirely. */
            SET(CURLOPT_CAINFO, f->ca_file);
            SET(CURLOPT_CAPATH, (char *)NULL);
        }
    }
    if (pin != NULL)
        SET(CURLOPT_RESOLVE, pin);
#undef SET
    return e == CURLE_OK ? CLID_OK : CLID_ERR_INTERNAL;
}

/* Every option of an x5u or CRL transfer; CLID_ERR_INTERNAL if this
 * libcurl lacks one. */
static clid_err set_options(clid__fetch_cfg *f, struct xfer *x, const char *url,
                            const clid__url *u, struct curl_slist *pin)
{
    CLID_TRY(clid__curl_base_options(f, x->h, url, u, pin, &x->guard, f->total_ms));
    CURL *h = x->h;
    CURLcode e = CURLE_OK;
#define SET(opt, val)                                                                             \
    do {                                                                                          \
        if (e == CURLE_OK)                                                                        \
            e = curl_easy_setopt(h, opt, val);                                                    \
    } while (0)
    SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)x->body.max);
    SET(CURLOPT_WRITEFUNCTION, on_body);
    SET(CURLOPT_WRITEDATA, x);
    SET(CURLOPT_HEADERFUNCTION, on_header);
    SET(CURLOPT_HEADERDATA, x);
#undef SET
    return e == CURLE_OK ? CLID_OK : CLID_ERR_INTERNAL;
}

/* curl_easy_perform with SIGPIPE held back in this thread only. */
CURLcode clid__curl_perform(CURL *h)
{
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    int was_pending = sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE);
    CURLcode rc = curl_easy_perform(h);
    if (!was_pending && sigpending(&pending) == 0 && sigismember(&pending, SIGPIPE)) {
        const struct timespec zero = {0, 0};
        (void)sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc;
}

static int contains(const uint8_t *p, size_t n, const char *s, size_t *at)
{
    size_t k = strlen(s);
    for (size_t i = *at; k <= n && i <= n - k; i++)
        if (p[i] == (uint8_t)s[0] && memcmp(p + i, s, k) == 0) {
            *at = i + k;
            return 1;
        }
    return 0;
}

/* A PEM certificate block somewhere in the body: Content-Type is not
 * trusted (servers send text/plain, application/x-pem-file, octet-stream). */
static int looks_like_pem(const uint8_t *p, size_t n)
{
    size_t at = 0;
    return contains(p, n, PEM_BEGIN, &at) && contains(p, n, PEM_END, &at);
}

/* The earliest notAfter among the body's certificates, 0 when none parse. */
static int64_t earliest_not_after(const uint8_t *p, size_t n)
{
    BIO *bio = BIO_new_mem_buf(p, (int)n);
    int64_t min = 0;
    X509 *x = NULL;
    for (int i = 0; bio != NULL && i < 16 && (x = PEM_read_bio_X509(bio, NULL, NULL, NULL)); i++) {
        struct tm tm;
        if (ASN1_TIME_to_tm(X509_get0_notAfter(x), &tm) == 1) {
            int64_t t = (int64_t)timegm(&tm);
            if (min == 0 || t < min)
                min = t;
        }
        X509_free(x);
    }
    BIO_free(bio);
    ERR_clear_error(); /* the read that ended the loop queued an error */
    return min;
}

/* The nextUpdate of a body that is one CRL (DER, or one PEM X509 CRL
 * block): 1 with *next (0 when it has none), 0 when it is not one CRL. The
 * verifier parses and checks it again; this is what the cache needs. */
static int crl_next_update(const uint8_t *p, size_t n, int64_t *next)
{
    X509_CRL *crl = NULL;
    if (n > 0 && p[0] == 0x30) {
        const unsigned char *q = p;
        crl = d2i_X509_CRL(NULL, &q, (long)n);
        if (crl != NULL && q != p + n) {
            X509_CRL_free(crl);
            crl = NULL;
        }
    } else if (n > 0 && n <= INT_MAX) {
        BIO *bio = BIO_new_mem_buf(p, (int)n);
        crl = bio ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
        /* One block only. */
        X509_CRL *more = crl ? PEM_read_bio_X509_CRL(bio, NULL, NULL, NULL) : NULL;
        if (more != NULL) {
            X509_CRL_free(more);
            X509_CRL_free(crl);
            crl = NULL;
        }
        BIO_free(bio);
    }
    ERR_clear_error();
    if (crl == NULL)
        return 0;
    if (!clid__asn1_time_unix(X509_CRL_get0_nextUpdate(crl), next))
        *next = 0;
    X509_CRL_free(crl);
    return 1;
}

/* The outcome of a finished transfer. */
static clid_err classify(const struct xfer *x, enum clid__fetch_kind kind, CURLcode rc,
                         int64_t *crl_next)
{
    long status = 0;
    (void)curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
    if (x->guard.blocked)
        return CLID_ERR_X5U_URL_POLICY;
    /* A status line arrived: it decides, even if the body was cut short. */
    if (status >= 300 && status <= 399)
        return CLID_ERR_X5U_REDIRECT;
    if (status > 0 && status != 200)
        return CLID_ERR_X5U_HTTP_STATUS;
    if (x->too_large)
        return CLID_ERR_X5U_TOO_LARGE;
    if (rc != CURLE_OK)
        return clid__curl_map(rc);
    if (kind == CLID__FETCH_CRL)
        return crl_next_update(x->body.buf, x->body.len, crl_next) ? CLID_OK
                                                                   : CLID_ERR_CRL_NOT_A_CRL;
    /* RCD content (RFC 9795) is any body: the verifier checks it against
     * its signed digest, whatever the Content-Type says. */
    if (kind == CLID__FETCH_RCD)
        return CLID_OK;
    return looks_like_pem(x->body.buf, x->body.len) ? CLID_OK : CLID_ERR_X5U_NOT_PEM;
}

/* Lifetime of a good response: the server's word bounded to [5 min, 24 h]
 * (none: 24 h, as the verifier does), never past the chain's notAfter. */
static int64_t cache_expiry(int64_t now, int64_t fresh, int64_t not_after)
{
    int64_t ttl = fresh < 0 ? CLID__X5U_TTL_MAX : fresh;
    if (ttl < CLID__X5U_TTL_MIN)
        ttl = CLID__X5U_TTL_MIN;
    if (ttl > CLID__X5U_TTL_MAX)
        ttl = CLID__X5U_TTL_MAX;
    int64_t until = now + ttl;
    return not_after > 0 && not_after < until ? not_after : until;
}

int64_t clid__crl_cache_expiry(int64_t now, int64_t fresh, int64_t next_update)
{
    /* A stale CRL: kept a minute, so a late publisher is asked once a
     * minute at most, whatever its headers say. */
    if (next_update <= now)
        return now + CLID__CRL_FETCH_TTL_MIN;
    int64_t ttl = fresh < 0 ? CLID__CRL_FETCH_TTL_MAX : fresh;
    if (ttl < CLID__CRL_FETCH_TTL_MIN)
        ttl = CLID__CRL_FETCH_TTL_MIN;
    if (ttl > CLID__CRL_FETCH_TTL_MAX)
        ttl = CLID__CRL_FETCH_TTL_MAX;
    int64_t until = now + ttl;
    return next_update < until ? next_update : until;
}

clid_err clid__xfer_run(clid__fetch_cfg *f, enum clid__fetch_kind kind, const char *url,
                        const clid__url *u, int64_t now, clid__fresult *res,
                        clid__xfer_outcome *o)
{
    struct curl_slist *pin = NULL;
    CLID_TRY(clid__curl_resolve_pin(f, u, &pin));
    struct xfer *x = calloc(1, sizeof *x);
    if (x == NULL) {
        curl_slist_free_all(pin);
        return CLID_ERR_NOMEM;
    }
    /* RCD content: the largest the verifier ever accepts (an icon); the
     * caller's smaller cap (a jCard) is applied to the cached body. */
    x->body.max = kind == CLID__FETCH_CRL   ? f->crl_max_size
             : kind == CLID__FETCH_RCD ? CLID_RCD_ICON_MAX_LEN
                                       : f->max_size;
    int64_t crl_next = 0;
    x->guard.allow_private = f->pol.allow_private;
    x->h = curl_easy_init();
    clid_err err = x->h == NULL ? CLID_ERR_INTERNAL : set_options(f, x, url, u, pin);
    if (err == CLID_OK) {
        o->started = 1;
        err = classify(x, kind, clid__curl_perform(x->h), &crl_next);
    }
    if (err == CLID_OK) {
        clid__fresh_hdrs h = {
            .cache_control = x->cc_len > 0 || x->cc_overflow ? x->cc : NULL,
            .cache_control_len = x->cc_overflow ? 0 : x->cc_len,
            .expires = x->has_expires ? x->expires : NULL,
            .expires_len = x->expires_len,
            .date = x->has_date ? x->date : NULL,
            .date_len = x->date_len,
            .age = x->has_age ? x->age : NULL,
            .age_len = x->age_len,
        };
        int64_t fresh = clid__http_freshness(&h, now, &o->no_store);
        if (x->cc_overflow) { /* unreadable Cache-Control: stale, and kept off disk */
            fresh = 0;
            o->no_store = 1;
        }
        o->expires = kind == CLID__FETCH_CRL ? clid__crl_cache_expiry(now, fresh, crl_next)
                     : kind == CLID__FETCH_RCD ? cache_expiry(now, fresh, 0)
                         : cache_expiry(now, fresh, earliest_not_after(x->body.buf, x->body.len));
        *res = (clid__fresult){
            .err = CLID_OK, .body = x->body.buf, .len = x->body.len, .max_age = fresh};
        x->body.buf = NULL;
    }
    curl_easy_cleanup(x->h);
    curl_slist_free_all(pin);
    free(x->body.buf);
    free(x);
    return err;
}
