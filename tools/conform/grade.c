/*
 * clid conform grade [--orig TN --dest TN | --sip] [--trust F]... [options]
 *                    [--cert CHAIN]... [--json] FILE|DIR...
 *
 * Explains every defect of what a participant's signer produced (grade.h):
 * FILE holds Identity header values, one a line ('#' comments and blank
 * lines skipped, an "Identity:" or "y:" prefix allowed), or with --sip one
 * SIP request; a DIR is every regular file in it, in name order. A FILE
 * (or --cert FILE) holding certificates (PEM or DER, leaf first) is graded
 * with the library's lint instead. Exit status 0 when nothing has a defect,
 * 1 when something has (lint warnings alone are not defects).
 */
#include <ctype.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include <clid/clid_sip.h>

#include "conform/conform.h"
#include "conform/grade.h"
#include "timearg.h"
#include "util.h"

#define GRADE_MAX_FILES 10000 /* files of one directory */
#define GRADE_MAX_VALUES 4096 /* Identity values of one file */

void conform_grade_help(FILE *f)
{
    fputs("usage: clid conform grade [--orig TN --dest TN | --sip] [--trust FILE]...\n"
          "                          [--date TIME] [--at TIME] [--max-age SECONDS]\n"
          "                          [--x5u-map URL=FILE]... [--chain FILE] [--crl FILE]...\n"
          "                          [--crl-signer FILE]... [--x5u-ca FILE] [--allow-private-x5u]\n"
          "                          [--cert FILE]... [--cert-profile shaken|q3063] [--json]\n"
          "                          [FILE|DIR]...\n"
          "\n"
          "Explains every defect of the Identity header values (or, with --sip, the SIP\n"
          "requests) a participant's signer produced, each in plain words with its clause,\n"
          "and grades the certificates handed in with the lint of 'clid cert lint'.\n"
          "FILE: Identity values one a line ('#' comments, blank lines and an 'Identity:'\n"
          "prefix allowed), or one SIP request with --sip, or certificates (PEM or DER,\n"
          "leaf first). DIR: every regular file in it, in name order.\n"
          "Each value is also verified under the strict policy; its verdict is shown and\n"
          "what it finds beyond the checks (an untrusted chain, a signature of another\n"
          "key, a number outside the certificate) is a defect too.\n"
          "\n"
          "  --orig TN, --dest TN  the numbers the signer was asked to sign for (binding)\n"
          "  --sip              FILEs are SIP requests: numbers and Date come from them\n"
          "  --trust FILE       trust anchors (PEM file or directory); repeatable\n"
          "  --date TIME        the call's Date header, held against iat\n"
          "  --at TIME          when the values were produced (freshness); also the\n"
          "                     verification time (default: the Date, else iat)\n"
          "  --max-age SECONDS  freshness window (default 60)\n"
          "  --x5u-map URL=FILE the chain for URL from FILE (else x5u URLs are fetched)\n"
          "  --chain FILE       the signer's chain for every value (also linted)\n"
          "  --crl FILE, --crl-signer FILE   revocation, as in 'clid verify'\n"
          "  --x5u-ca FILE      trust anchors of the x5u servers' TLS\n"
          "  --allow-private-x5u  fetch x5u URLs on loopback and private addresses (an\n"
          "                     event's own server)\n"
          "  --cert FILE        a certificate chain to lint (leaf first); repeatable\n"
          "  --cert-profile P   the lint profile: shaken (default) or q3063\n"
          "  --json             one JSON object: items with their defects and verdicts\n"
          "\n"
          "exit status: 0 no defect, 1 defects found, 64 usage error, 65 an input is not\n"
          "what it must be, 66 an input cannot be read\n",
          f);
}

enum { OPT_ORIG, OPT_DEST, OPT_SIP, OPT_TRUST, OPT_DATE, OPT_AT, OPT_MAX_AGE, OPT_MAP, OPT_CHAIN,
       OPT_CRL, OPT_CRL_SIGNER, OPT_X5U_CA, OPT_ALLOW_PRIVATE, OPT_CERT, OPT_PROFILE, OPT_JSON,
       OPT_HELP };
static const tool_opt grade_opts[] = {
    [OPT_ORIG] = {"--orig", NULL, 1, 0},
    [OPT_DEST] = {"--dest", NULL, 1, 0},
    [OPT_SIP] = {"--sip", NULL, 0, 0},
    [OPT_TRUST] = {"--trust", NULL, 1, 1},
    [OPT_DATE] = {"--date", NULL, 1, 0},
    [OPT_AT] = {"--at", NULL, 1, 0},
    [OPT_MAX_AGE] = {"--max-age", NULL, 1, 0},
    [OPT_MAP] = {"--x5u-map", NULL, 1, 1},
    [OPT_CHAIN] = {"--chain", NULL, 1, 0},
    [OPT_CRL] = {"--crl", NULL, 1, 1},
    [OPT_CRL_SIGNER] = {"--crl-signer", NULL, 1, 1},
    [OPT_X5U_CA] = {"--x5u-ca", NULL, 1, 0},
    [OPT_ALLOW_PRIVATE] = {"--allow-private-x5u", NULL, 0, 0},
    [OPT_CERT] = {"--cert", NULL, 1, 1},
    [OPT_PROFILE] = {"--cert-profile", NULL, 1, 0},
    [OPT_JSON] = {"--json", NULL, 0, 0},
    [OPT_HELP] = {"--help", "-h", 0, 0},
};

typedef struct grader {
    const tool_args *a;
    grade_call call;
    grade_ver *ver;
    clid_cert_profile profile;
    json_t *items;
    int rc; /* worst input error (TOOL_EXIT_*), OK if none */
} grader;

static json_t *new_item(const char *source, const char *kind)
{
    json_t *it = json_object();
    json_object_set_new(it, "source", tool_json_string(source));
    json_object_set_new(it, "kind", json_string(kind));
    json_object_set_new(it, "defects", json_array());
    json_object_set_new(it, "warnings", json_array());
    return it;
}

static void grade_value(grader *g, const char *source, const char *kind, long line,
                        const char *value, const grade_call *call)
{
    json_t *it = new_item(source, kind);
    json_object_set_new(it, kind[0] == 's' ? "header" : "line", json_integer(line));
    size_t n = strlen(value);
    char *shown = tool_sanitize(value, n > 200 ? 200 : n);
    json_object_set_new(it, "value", json_string(shown ? shown : ""));
    free(shown);
    json_t *defects = json_object_get(it, "defects");
    grade_facts facts;
    grade_identity_checks(value, call, defects, &facts);
    if (g->ver != NULL && value[strspn(value, " \t")] != '\0')
        grade_ver_identity(g->ver, value, call, &facts, it, defects);
    json_array_append_new(g->items, it);
}

/* --- certificates ------------------------------------------------------------ */

static int looks_like_certs(const uint8_t *buf, size_t len)
{
    static const char pem[] = "-----BEGIN CERTIFICATE-----";
    /* DER: a SEQUENCE of more than 127 bytes (30 81 .. or 30 82 ..), which
     * no text file starts with (0x81 and 0x82 are not ASCII). */
    if (len > 2 && buf[0] == 0x30 && (buf[1] == 0x81 || buf[1] == 0x82))
        return 1;
    for (size_t i = 0; i + sizeof pem - 1 <= len; i++)
        if (memcmp(buf + i, pem, sizeof pem - 1) == 0)
            return 1;
    return 0;
}

static void grade_certs(grader *g, const char *source, const uint8_t *buf, size_t len)
{
    tool_certs certs = {0};
    if (tool_parse_certs(source, buf, len, &certs) != TOOL_EXIT_OK) {
        g->rc = TOOL_EXIT_DATAERR;
        return;
    }
    json_t *it = new_item(source, "certificates");
    json_object_set_new(it, "count", json_integer((json_int_t)certs.n));
    json_object_set_new(it, "profile", json_string(clid_cert_profile_name(g->profile)));
    int64_t at = g->call.at ? g->call.at : (int64_t)time(NULL);
    if (grade_chain(certs.v, certs.n, g->profile, at, json_object_get(it, "defects"),
                    json_object_get(it, "warnings")) != 0)
        g->rc = TOOL_EXIT_FAIL;
    tool_certs_free(&certs);
    json_array_append_new(g->items, it);
}

/* --- SIP requests ----------------------------------------------------------------- */

/* The value of each header named `name` (or `compact`) in the header
 * section, unfolded (RFC 3261 §7.3.1), at most `max`; malloc'ed. */
static size_t sip_headers(const char *msg, size_t len, const char *name, const char *compact,
                          char **out, size_t max)
{
    size_t n = 0;
    const char *p = memchr(msg, '\n', len); /* skip the request line */
    const char *end = msg + len;
    while (p != NULL && p + 1 < end && n < max) {
        const char *line = p + 1;
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        const char *le = eol ? eol : end;
        if (le > line && le[-1] == '\r')
            le--;
        if (le == line)
            break; /* the blank line: end of the headers */
        size_t nl = strcspn(line, ":\n");
        const char *colon = line + nl;
        size_t kl = nl;
        while (kl > 0 && (line[kl - 1] == ' ' || line[kl - 1] == '\t'))
            kl--;
        int match = colon < le && ((kl == strlen(name) && strncasecmp(line, name, kl) == 0) ||
                                   (compact && kl == strlen(compact) &&
                                    strncasecmp(line, compact, kl) == 0));
        p = eol;
        if (!match)
            continue;
        /* The value, with folded continuation lines joined by one SP. */
        size_t cap = (size_t)(end - colon) + 1, vl = 0;
        char *v = malloc(cap);
        if (v == NULL)
            break;
        const char *s = colon + 1;
        for (;;) {
            while (s < le && (*s == ' ' || *s == '\t'))
                s++;
            while (s < le)
                v[vl++] = *s++;
            if (eol == NULL || eol + 1 >= end || (eol[1] != ' ' && eol[1] != '\t'))
                break;
            s = eol + 1;
            eol = memchr(s, '\n', (size_t)(end - s));
            le = eol ? eol : end;
            if (le > s && le[-1] == '\r')
                le--;
            v[vl++] = ' ';
            p = eol;
        }
        while (vl > 0 && (v[vl - 1] == ' ' || v[vl - 1] == '\t'))
            vl--;
        v[vl] = '\0';
        out[n++] = v;
    }
    return n;
}

static void grade_sip(grader *g, const char *source, const char *msg, size_t len)
{
    json_t *req = new_item(source, "sip-request");
    json_t *rdef = json_object_get(req, "defects");
    grade_call call = g->call;
    char orig[CLID_TN_BUF] = "", dest[CLID_TN_BUF] = "";
    clid_err e = clid_sip_get_tns(msg, len, orig, dest);
    if (e == CLID_ERR_SIP_PARSE || e == CLID_ERR_SIP_TOO_LARGE) {
        grade_add(rdef, "sip.parse", "RFC 3261 §7", clid_err_name(e),
                  "the file is not a SIP request clid can read (%s); RFC 3261 §7", clid_err_str(e));
        json_array_append_new(g->items, req);
        return;
    }
    if (orig[0] == '\0')
        grade_add(rdef, "sip.no-caller", "RFC 8224 §5.1", "CLID_ERR_SIP_NO_CALLER",
                  "the request names no calling number (P-Asserted-Identity or From); RFC 8224 "
                  "§5.1 signs a telephone number");
    if (dest[0] == '\0')
        grade_add(rdef, "sip.no-callee", "RFC 8224 §5.1", "CLID_ERR_SIP_NO_CALLEE",
                  "the request names no called number (To or Request-URI); RFC 8224 §5.1");
    call.orig = orig[0] ? orig : NULL;
    call.dest = dest[0] ? dest : NULL;
    char *dates[4] = {0};
    size_t nd = sip_headers(msg, len, "Date", NULL, dates, 4);
    if (nd > 1)
        grade_add(rdef, "sip.date-repeated", "RFC 3261 §20.17", "CLID_ERR_DATE_INVALID",
                  "the request has %zu Date headers; RFC 3261 §20.17 allows one", nd);
    if (nd >= 1 && clid_sip_parse_date(dates[0], &call.date) != CLID_OK) {
        char *d = tool_sanitize(dates[0], strlen(dates[0]) > 60 ? 60 : strlen(dates[0]));
        grade_add(rdef, "sip.date", "RFC 3261 §20.17; RFC 8224 §4.1", "CLID_ERR_DATE_INVALID",
                  "the Date header '%s' is not an RFC 3261 §20.17 date", d ? d : "?");
        free(d);
    }
    for (size_t i = 0; i < nd; i++)
        free(dates[i]);
    char *ids[CLID_SIP_MAX_IDENTITIES + 1] = {0};
    size_t ni = sip_headers(msg, len, "Identity", "y", ids, CLID_SIP_MAX_IDENTITIES + 1);
    if (ni == 0)
        grade_add(rdef, "sip.no-identity", "RFC 8224 §4; RFC 8224 §6.2.2", "CLID_ERR_NO_IDENTITY",
                  "the request carries no Identity header: the call is unsigned (RFC 8224 §4; a "
                  "verifier answers 428 or passes it on unverified)");
    if (ni > CLID_SIP_MAX_IDENTITIES)
        grade_add(rdef, "sip.identities", "RFC 8224 §4", NULL,
                  "the request carries more than %d Identity headers; verifiers check only the "
                  "first %d",
                  CLID_SIP_MAX_IDENTITIES, CLID_SIP_MAX_IDENTITIES);
    /* The request's verdict at --at, else its Date, else now. */
    if (g->ver != NULL)
        grade_ver_sip(g->ver, msg, len, call.at ? call.at : call.date, req);
    json_array_append_new(g->items, req);
    for (size_t i = 0; i < ni && i < CLID_SIP_MAX_IDENTITIES; i++)
        grade_value(g, source, "sip-identity", (long)i + 1, ids[i], &call);
    for (size_t i = 0; i < ni; i++)
        free(ids[i]);
}

/* --- files and directories ------------------------------------------------------------ */

static void grade_identity_file(grader *g, const char *source, char *text)
{
    long line = 0, count = 0;
    for (char *s = text, *next; s != NULL && *s; s = next) {
        line++;
        char *nl = strchr(s, '\n');
        next = nl ? nl + 1 : NULL;
        if (nl)
            *nl = '\0';
        size_t n = strlen(s);
        while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
            s[--n] = '\0';
        while (*s == ' ' || *s == '\t')
            s++;
        if (*s == '\0' || *s == '#')
            continue;
        /* "Identity: VALUE" or "y: VALUE" as copied from a trace. */
        size_t kl = strcspn(s, ":;.");
        if (s[kl] == ':' && ((kl == 8 && strncasecmp(s, "Identity", 8) == 0) ||
                             (kl == 1 && (s[0] == 'y' || s[0] == 'Y'))))
            s += kl + 1;
        if (++count > GRADE_MAX_VALUES) {
            tool_error("%s: more than %d Identity values; the rest is not graded", source,
                       GRADE_MAX_VALUES);
            g->rc = TOOL_EXIT_DATAERR;
            return;
        }
        grade_value(g, source, "identity", line, s, &g->call);
    }
    if (count == 0) {
        tool_error("%s: no Identity value in it", source);
        g->rc = TOOL_EXIT_DATAERR;
    }
}

static void grade_file(grader *g, const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = tool_read_file(path, TOOL_MAX_FILE, &buf, &len);
    if (rc != TOOL_EXIT_OK) {
        g->rc = rc;
        return;
    }
    /* The text parsers below want a NUL-terminated string. */
    uint8_t *t = realloc(buf, len + 1);
    if (t == NULL) {
        free(buf);
        g->rc = TOOL_EXIT_FAIL;
        return;
    }
    buf = t;
    buf[len] = '\0';
    if (looks_like_certs(buf, len))
        grade_certs(g, path, buf, len);
    else if (memchr(buf, '\0', len) != NULL) {
        tool_error("%s: holds NUL bytes: neither Identity values nor a SIP request", path);
        g->rc = TOOL_EXIT_DATAERR;
    } else if (g->a->seen[OPT_SIP])
        grade_sip(g, path, (const char *)buf, len);
    else
        grade_identity_file(g, path, (char *)buf);
    free(buf);
}

static int skip_entry(const struct dirent *d)
{
    return d->d_name[0] != '.';
}

static void grade_path(grader *g, const char *path)
{
    struct stat st;
    if (strcmp(path, "-") != 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        struct dirent **list = NULL;
        int n = scandir(path, &list, skip_entry, alphasort);
        if (n < 0) {
            tool_error("%s: cannot list the directory", path);
            g->rc = TOOL_EXIT_NOINPUT;
            return;
        }
        for (int i = 0; i < n; i++) {
            size_t l = strlen(path) + strlen(list[i]->d_name) + 2;
            char *p = malloc(l);
            if (p != NULL && i < GRADE_MAX_FILES) {
                snprintf(p, l, "%s/%s", path, list[i]->d_name);
                if (stat(p, &st) == 0 && S_ISREG(st.st_mode))
                    grade_file(g, p);
            }
            free(p);
            free(list[i]);
        }
        free(list);
        return;
    }
    grade_file(g, path);
}

/* --- output ---------------------------------------------------------------------------- */

static void print_item(const json_t *it)
{
    const json_t *defects = json_object_get(it, "defects");
    const json_t *warnings = json_object_get(it, "warnings");
    const char *kind = json_string_value(json_object_get(it, "kind"));
    const char *src = json_string_value(json_object_get(it, "source"));
    char *s = tool_sanitize(src, strlen(src));
    printf("%s", s ? s : "?");
    free(s);
    const json_t *line = json_object_get(it, "line");
    const json_t *hdr = json_object_get(it, "header");
    if (line)
        printf(":%lld: Identity value", (long long)json_integer_value(line));
    else if (hdr)
        printf(": Identity header %lld", (long long)json_integer_value(hdr));
    else if (strcmp(kind, "certificates") == 0)
        printf(": %lld certificate%s (profile %s)",
               (long long)json_integer_value(json_object_get(it, "count")),
               json_integer_value(json_object_get(it, "count")) == 1 ? "" : "s",
               json_string_value(json_object_get(it, "profile")));
    else
        printf(": SIP request");
    size_t nd = json_array_size(defects), nw = json_array_size(warnings);
    if (nd == 0)
        printf(": no defect");
    else
        printf(": %zu defect%s", nd, nd == 1 ? "" : "s");
    if (nw)
        printf(", %zu warning%s", nw, nw == 1 ? "" : "s");
    const json_t *v = json_object_get(it, "verdict");
    if (v)
        printf(" (strict verdict: %s, %s, SIP %lld)",
               json_string_value(json_object_get(v, "verstat")),
               json_string_value(json_object_get(v, "reason")),
               (long long)json_integer_value(json_object_get(v, "sip")));
    putchar('\n');
    size_t i;
    json_t *d;
    json_array_foreach(defects, i, d)
        printf("  - %s\n", json_string_value(json_object_get(d, "text")));
    json_array_foreach(warnings, i, d)
        printf("  ~ warning: %s\n", json_string_value(json_object_get(d, "text")));
}

static int time_opt(const tool_args *a, int opt, const char *name, int64_t *out)
{
    if (!a->seen[opt])
        return 0;
    if (tool_parse_time(a->value[opt], out) != 0)
        return tool_usage_error("conform grade", "conform",
                                "%s: not Unix seconds or an RFC 3339 time", name);
    return 0;
}

int conform_grade_cmd(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("conform grade", "conform", argc - 1, argv + 1, grade_opts,
                             sizeof grade_opts / sizeof grade_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[OPT_HELP]) {
        conform_grade_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos == 0 && !a.seen[OPT_CERT] && !a.seen[OPT_CHAIN])
        return tool_usage_error("conform grade", "conform", "nothing to grade: give FILE|DIR or --cert");
    if (a.seen[OPT_SIP] && (a.seen[OPT_ORIG] || a.seen[OPT_DEST] || a.seen[OPT_DATE]))
        return tool_usage_error("conform grade", "conform",
                                "--sip takes the numbers and the Date from each request: no "
                                "--orig, --dest or --date");
    grader g = {0};
    g.a = &a;
    g.call.orig = a.value[OPT_ORIG];
    g.call.dest = a.value[OPT_DEST];
    g.call.max_age = CLID_DEFAULT_MAX_AGE;
    char tn[CLID_TN_BUF];
    if ((g.call.orig && clid_tn_canonicalize(g.call.orig, tn) != CLID_OK) ||
        (g.call.dest && clid_tn_canonicalize(g.call.dest, tn) != CLID_OK))
        return tool_usage_error("conform grade", "conform", "--orig/--dest: not a telephone number");
    if ((rc = time_opt(&a, OPT_DATE, "--date", &g.call.date)) != 0 ||
        (rc = time_opt(&a, OPT_AT, "--at", &g.call.at)) != 0)
        return rc;
    if (a.seen[OPT_MAX_AGE]) {
        char *end = NULL;
        unsigned long v = strtoul(a.value[OPT_MAX_AGE], &end, 10);
        if (*end != '\0' || a.value[OPT_MAX_AGE][0] == '-' || v == 0 || v > 86400UL)
            return tool_usage_error("conform grade", "conform", "--max-age: 1 to 86400 seconds");
        g.call.max_age = (unsigned)v;
    }
    g.profile = CLID_CERT_PROFILE_SHAKEN;
    if (a.seen[OPT_PROFILE] &&
        (clid_cert_profile_from_name(a.value[OPT_PROFILE], &g.profile) != CLID_OK ||
         g.profile == CLID_CERT_PROFILE_NONE))
        return tool_usage_error("conform grade", "conform", "--cert-profile must be shaken or q3063");
    if (a.npos > 0) {
        grade_ver_opts vo = {0};
        vo.trust = a.values[OPT_TRUST], vo.ntrust = a.seen[OPT_TRUST];
        vo.crl = a.values[OPT_CRL], vo.ncrl = a.seen[OPT_CRL];
        vo.crl_signer = a.values[OPT_CRL_SIGNER], vo.ncrl_signer = a.seen[OPT_CRL_SIGNER];
        vo.map = a.values[OPT_MAP], vo.nmap = a.seen[OPT_MAP];
        vo.chain = a.value[OPT_CHAIN];
        vo.x5u_ca = a.value[OPT_X5U_CA];
        vo.allow_private = a.seen[OPT_ALLOW_PRIVATE];
        vo.max_age = g.call.max_age;
        if ((rc = grade_ver_new(&vo, &g.ver)) != TOOL_EXIT_OK)
            return rc;
    }
    g.items = json_array();
    for (size_t i = 0; i < a.npos; i++)
        grade_path(&g, a.pos[i]);
    if (a.seen[OPT_CHAIN])
        grade_file(&g, a.value[OPT_CHAIN]);
    for (int i = 0; i < a.seen[OPT_CERT]; i++)
        grade_file(&g, a.values[OPT_CERT][i]);
    grade_ver_free(g.ver);

    size_t i, with = 0, total = 0;
    json_t *it;
    json_array_foreach(g.items, i, it) {
        size_t n = json_array_size(json_object_get(it, "defects"));
        total += n;
        with += n > 0;
    }
    if (a.seen[OPT_JSON]) {
        json_t *o = json_object();
        json_object_set_new(o, "items", json_incref(g.items));
        json_object_set_new(o, "defects", json_integer((json_int_t)total));
        json_object_set_new(o, "ok", json_boolean(total == 0));
        tool_json_print(stdout, o);
        json_decref(o);
    } else if (json_array_size(g.items) > 0) {
        json_array_foreach(g.items, i, it)
            print_item(it);
        printf("graded %zu item%s: %zu with defects, %zu defect%s in all\n",
               json_array_size(g.items), json_array_size(g.items) == 1 ? "" : "s", with, total,
               total == 1 ? "" : "s");
    }
    json_decref(g.items);
    if (g.rc != TOOL_EXIT_OK)
        return g.rc;
    return total == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}
