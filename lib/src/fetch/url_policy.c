/*
 * x5u URL syntax and policy (fetch_internal.h).
 *
 * The URL comes from a call, so from anyone. Different URL parsers disagree
 * on odd inputs (backslashes, "127.1", userinfo with several '@', percent-
 * encoded hosts), and that disagreement is how SSRF filters are bypassed.
 * So clid does not try to understand every URL RFC 3986 allows: it accepts
 * one strict form and refuses everything else, so that what it checks is
 * what curl connects to.
 *
 *   URL    = scheme "://" host [ ":" port ] [ path ] [ "?" query ]
 *   scheme = "https" / "http"                          (case-insensitive)
 *   host   = name / dotted-quad / "[" IPv6 "]"
 *   name   = labels of [A-Za-z0-9_-], 1..63 bytes, not starting or ending
 *            with '-', separated by single dots, 1..253 bytes in all; the
 *            last label does not start with a digit (else it must be a
 *            dotted quad: "127.1", "0x7f.1" and "2130706433" are refused)
 *   port   = 1..65535 in decimal without leading zeros
 *   path   = "/" followed by RFC 3986 pchar and '/' (percent escapes %HH)
 *   query  = pchar, '/' and '?'
 * Only printable ASCII, at most CLID__URL_MAX bytes. Never: userinfo ('@'
 * before the host), a fragment, a backslash, or a zone id in an IPv6
 * literal.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "fetch/fetch_internal.h"
#include "core/internal.h"

#define BAD CLID_ERR_X5U_URL_POLICY

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* RFC 3986 §2.3 unreserved, §2.2 sub-delims, plus ':' and '@': pchar
 * without the percent escape. */
static int is_pchar(int c)
{
    return is_alpha(c) || is_digit(c) || strchr("-._~!$&'()*+,;=:@", c) != NULL;
}

static int lower(int c)
{
    return (c >= 'A' && c <= 'Z') ? c + ('a' - 'A') : c;
}

/* Case-insensitive prefix match; returns the length matched or 0. */
static size_t prefix_ci(const char *s, const char *p)
{
    size_t i = 0;
    for (; p[i]; i++)
        if (lower((unsigned char)s[i]) != p[i])
            return 0;
    return i;
}

/* Strict dotted-decimal IPv4: four parts of 1..3 digits, no leading zero
 * (so no octal reading), each <= 255. */
static int is_dotted_quad(const char *s, size_t len)
{
    size_t i = 0;
    for (int part = 0; part < 4; part++) {
        if (part > 0) {
            if (i >= len || s[i] != '.')
                return 0;
            i++;
        }
        size_t start = i;
        unsigned v = 0;
        while (i < len && is_digit(s[i]) && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        size_t n = i - start;
        if (n == 0 || v > 255 || (n > 1 && s[start] == '0'))
            return 0;
    }
    return i == len;
}

/* A host name of LDH labels (underscores tolerated: they occur in real
 * names), or a dotted quad when the last label starts with a digit. */
static clid_err parse_name(const char *s, size_t len, clid__url *u)
{
    CLID_ENSURE(len >= 1 && len <= CLID__HOST_MAX, BAD);
    size_t label_start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && s[i] != '.') {
            CLID_ENSURE(is_alpha(s[i]) || is_digit(s[i]) || s[i] == '-' || s[i] == '_', BAD);
            continue;
        }
        size_t n = i - label_start;
        CLID_ENSURE(n >= 1 && n <= 63, BAD);
        CLID_ENSURE(s[label_start] != '-' && s[i - 1] != '-', BAD);
        if (i < len)
            label_start = i + 1;
    }
    /* WHATWG URL parsing reads a host whose last label is numeric as an
     * IPv4 address in any base; getaddrinfo reads "127.1" as 127.0.0.1.
     * Only the one unambiguous spelling passes. */
    if (is_digit(s[label_start])) {
        CLID_ENSURE(is_dotted_quad(s, len), BAD);
        u->kind = CLID__HOST_IPV4;
    } else {
        u->kind = CLID__HOST_NAME;
    }
    memcpy(u->host, s, len);
    u->host[len] = '\0';
    return CLID_OK;
}

/* "[...]" with an IPv6 address inside (inet_pton: no zone id). */
static clid_err parse_ipv6(const char *s, size_t len, clid__url *u)
{
    CLID_ENSURE(len >= 4 && len - 2 < INET6_ADDRSTRLEN && s[len - 1] == ']', BAD);
    memcpy(u->host, s + 1, len - 2);
    u->host[len - 2] = '\0';
    struct in6_addr a;
    CLID_ENSURE(inet_pton(AF_INET6, u->host, &a) == 1, BAD);
    u->kind = CLID__HOST_IPV6;
    return CLID_OK;
}

static clid_err parse_port(const char *s, size_t len, unsigned *port)
{
    CLID_ENSURE(len >= 1 && len <= 5 && s[0] != '0', BAD);
    unsigned v = 0;
    for (size_t i = 0; i < len; i++) {
        CLID_ENSURE(is_digit(s[i]), BAD);
        v = v * 10 + (unsigned)(s[i] - '0');
    }
    CLID_ENSURE(v <= 65535, BAD);
    *port = v;
    return CLID_OK;
}

static clid_err parse_authority(const char *s, size_t len, clid__url *u)
{
    CLID_ENSURE(memchr(s, '@', len) == NULL, BAD); /* userinfo */
    size_t host_len = len;
    if (len > 0 && s[0] == '[') {
        const char *close = memchr(s, ']', len);
        CLID_ENSURE(close != NULL, BAD);
        host_len = (size_t)(close - s) + 1;
        CLID_TRY(parse_ipv6(s, host_len, u));
    } else {
        const char *colon = memchr(s, ':', len);
        if (colon != NULL)
            host_len = (size_t)(colon - s);
        CLID_TRY(parse_name(s, host_len, u));
    }
    u->port = u->https ? 443 : 80;
    if (host_len == len)
        return CLID_OK;
    CLID_ENSURE(s[host_len] == ':', BAD);
    return parse_port(s + host_len + 1, len - host_len - 1, &u->port);
}

/* Path, query or fragment characters from s[i] up to a byte in `stop` or
 * the end; `extra` lists the delimiters allowed inside. Returns the index
 * where it stopped, or `len` + 1 on a bad byte. */
static size_t scan_part(const char *s, size_t i, size_t len, const char *extra)
{
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if (c == '%') {
            if (i + 2 >= len || !is_hex(s[i + 1]) || !is_hex(s[i + 2]))
                return len + 1;
            i += 3;
        } else if (is_pchar(c) || strchr(extra, c) != NULL) {
            i++;
        } else if (c == '?' || c == '#') {
            return i;
        } else {
            return len + 1;
        }
    }
    return i;
}

clid_err clid__url_parse(const char *url, clid__url *u)
{
    CLID_ENSURE(url != NULL && u != NULL, CLID_ERR_INVALID_ARGUMENT);
    memset(u, 0, sizeof *u);
    size_t len = strnlen(url, CLID__URL_MAX + 1);
    CLID_ENSURE(len <= CLID__URL_MAX, BAD);
    CLID_ENSURE(clid__is_printable_ascii(url, len), BAD);

    size_t i = prefix_ci(url, "https://");
    if (i > 0) {
        u->https = 1;
    } else {
        i = prefix_ci(url, "http://");
        CLID_ENSURE(i > 0, BAD);
    }

    size_t a = i;
    while (i < len && url[i] != '/' && url[i] != '?' && url[i] != '#')
        i++;
    CLID_TRY(parse_authority(url + a, i - a, u));

    if (i < len && url[i] == '/')
        i = scan_part(url, i, len, "/");
    CLID_ENSURE(i <= len, BAD);
    if (i < len && url[i] == '?') {
        u->has_query = 1;
        i = scan_part(url, i + 1, len, "/?");
        CLID_ENSURE(i <= len, BAD);
    }
    if (i < len && url[i] == '#') {
        u->has_fragment = 1;
        i = scan_part(url, i + 1, len, "/?");
        CLID_ENSURE(i == len, BAD);
    }
    CLID_ENSURE(i == len, BAD);
    return CLID_OK;
}

/* The address of an IP literal, for the address rule. */
static int literal_is_public(const clid__url *u)
{
    if (u->kind == CLID__HOST_IPV4) {
        struct sockaddr_in sin = {.sin_family = AF_INET};
        if (inet_pton(AF_INET, u->host, &sin.sin_addr) != 1)
            return 0;
        return clid__addr_is_public((const struct sockaddr *)&sin);
    }
    struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
    if (inet_pton(AF_INET6, u->host, &sin6.sin6_addr) != 1)
        return 0;
    return clid__addr_is_public((const struct sockaddr *)&sin6);
}

clid_err clid__url_check(const clid__url_policy *p, const char *url, clid__url *u)
{
    CLID_ENSURE(p != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_TRY(clid__url_parse(url, u));
    CLID_ENSURE(u->https || p->allow_http, BAD);
    CLID_ENSURE(!u->has_query || p->allow_query, BAD);
    /* A fragment is never sent, so it could only make two cache keys of
     * one resource: refused whatever the policy. */
    CLID_ENSURE(!u->has_fragment, BAD);
    if (p->n_ports > 0) {
        size_t k = 0;
        while (k < p->n_ports && p->ports[k] != u->port)
            k++;
        CLID_ENSURE(k < p->n_ports, BAD);
    }
    if (u->kind != CLID__HOST_NAME && !p->allow_private)
        CLID_ENSURE(literal_is_public(u), BAD);
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* Address policy                                                            */
/* ------------------------------------------------------------------------ */

static int v4_in(uint32_t a, uint32_t net, unsigned bits)
{
    uint32_t mask = bits == 0 ? 0 : 0xffffffffu << (32 - bits);
    return (a & mask) == net;
}

/* IPv4 in host order. */
static int v4_is_public(uint32_t a)
{
    static const struct {
        uint32_t net;
        unsigned bits;
    } refused[] = {
        {0x00000000u, 8},  /* "this network", 0.0.0.0 included (RFC 791) */
        {0x0a000000u, 8},  /* RFC 1918 */
        {0x64400000u, 10}, /* shared address space, carrier-grade NAT (RFC 6598) */
        {0x7f000000u, 8},  /* loopback */
        {0xa9fe0000u, 16}, /* link-local (RFC 3927): cloud metadata services live here */
        {0xac100000u, 12}, /* RFC 1918 */
        {0xc0000000u, 24}, /* IETF protocol assignments (RFC 6890) */
        {0xc0a80000u, 16}, /* RFC 1918 */
        {0xc6120000u, 15}, /* benchmarking (RFC 2544) */
        {0xe0000000u, 4},  /* multicast */
        {0xf0000000u, 4},  /* reserved, broadcast included */
    };
    for (size_t i = 0; i < CLID_ARRAY_LEN(refused); i++)
        if (v4_in(a, refused[i].net, refused[i].bits))
            return 0;
    return 1;
}

static uint32_t v4_at(const uint8_t *b)
{
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/*
 * IPv6 addresses that carry an IPv4 address reach that IPv4 address
 * through a translator or tunnel, so the IPv4 rule decides for them (a
 * literal such as [::ffff:0:127.0.0.1] or [64:ff9b::a9fe:a9fe] must not
 * reach loopback or the metadata service), or, where the IPv4 address
 * cannot be told from the IPv6 one, they are refused (docs/x5u.md).
 */
static int v6_is_public(const uint8_t b[16])
{
    static const uint8_t zero[12] = {0};
    static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const uint8_t translated[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0};
    static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
    static const uint8_t nat64_local[6] = {0, 0x64, 0xff, 0x9b, 0, 0x01};

    /* ::/96 IPv4-compatible (RFC 4291 §2.5.5.1; it includes :: and ::1,
     * which the IPv4 rule refuses as 0.0.0.0/8), ::ffff:0:0/96 IPv4-mapped
     * (§2.5.5.2), ::ffff:0:0:0/96 IPv4-translated (RFC 2765 §2.1, SIIT),
     * 64:ff9b::/96 the well-known NAT64 prefix (RFC 6052 §2.1). */
    if (memcmp(b, zero, 12) == 0 || memcmp(b, mapped, 12) == 0 ||
        memcmp(b, translated, 12) == 0 || memcmp(b, nat64, 12) == 0)
        return v4_is_public(v4_at(b + 12));
    /* 64:ff9b:1::/48, local-use NAT64 (RFC 8215): where the IPv4 address
     * sits depends on the prefix length the operator chose (RFC 6052 §2.2:
     * /48 to /96), so it cannot be read from the address; and a local-use
     * prefix never leads to a public x5u server. Refused. */
    if (memcmp(b, nat64_local, 6) == 0)
        return 0;
    /* 2001::/32 Teredo (RFC 4380 §4): the Teredo server's IPv4 address in
     * bits 32..63, the client's (its NAT's external address, where the
     * traffic goes) in the last 32 bits, each bit inverted. Both must be
     * public. */
    if (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0 && b[3] == 0)
        return v4_is_public(v4_at(b + 4)) && v4_is_public(v4_at(b + 12) ^ 0xffffffffu);
    if (b[0] == 0x20 && b[1] == 0x02) /* 6to4 (RFC 3056 §2) */
        return v4_is_public(v4_at(b + 2));
    if (b[0] == 0xff)                     /* multicast */
        return 0;
    if ((b[0] & 0xfe) == 0xfc)            /* unique local fc00::/7 */
        return 0;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) /* link-local fe80::/10 */
        return 0;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) /* site-local fec0::/10 (deprecated) */
        return 0;
    return 1;
}

int clid__addr_is_public(const struct sockaddr *sa)
{
    if (sa == NULL)
        return 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;
        return v4_is_public(ntohl(sin->sin_addr.s_addr));
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;
        return v6_is_public(sin6->sin6_addr.s6_addr);
    }
    return 0;
}
