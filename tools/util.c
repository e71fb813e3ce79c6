/* Shared helpers of the clid tool; see util.h for the contracts. */
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <openssl/err.h>
#include <openssl/pem.h>

void tool_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("clid: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

int tool_usage_error(const char *cmd, const char *topic, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "clid: %s: ", cmd);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (see 'clid help%s%s')\n", topic ? " " : "", topic ? topic : "");
    va_end(ap);
    return TOOL_EXIT_USAGE;
}

/* ------------------------------------------------------------------------ */
/* Command line                                                              */
/* ------------------------------------------------------------------------ */

static int same_word(const char *name, const char *word, size_t wlen)
{
    return name != NULL && strlen(name) == wlen && strncmp(name, word, wlen) == 0;
}

static int find_opt(const tool_opt *opts, size_t nopts, const char *word, size_t wlen)
{
    for (size_t i = 0; i < nopts; i++)
        if (same_word(opts[i].name, word, wlen) || same_word(opts[i].alias, word, wlen))
            return (int)i;
    return -1;
}

int tool_parse_args(const char *cmd, const char *topic, int argc, char **argv,
                    const tool_opt *opts, size_t nopts, tool_args *out)
{
    memset(out, 0, sizeof *out);
    if (nopts > TOOL_MAX_OPTS)
        return tool_usage_error(cmd, topic, "internal error: too many options");
    int only_operands = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (!only_operands && strcmp(a, "--") == 0) {
            only_operands = 1;
            continue;
        }
        if (only_operands || a[0] != '-' || a[1] == '\0') {
            if (out->npos == TOOL_MAX_POSITIONAL)
                return tool_usage_error(cmd, topic, "too many operands");
            out->pos[out->npos++] = a;
            continue;
        }
        /* "--name=value" names the option up to '='. */
        const char *eq = strncmp(a, "--", 2) == 0 ? strchr(a, '=') : NULL;
        size_t wlen = eq ? (size_t)(eq - a) : strlen(a);
        int k = find_opt(opts, nopts, a, wlen);
        if (k < 0)
            return tool_usage_error(cmd, topic, "unknown option '%.*s'", (int)wlen, a);
        if (out->seen[k] && !opts[k].repeatable)
            return tool_usage_error(cmd, topic, "option '%s' given twice", opts[k].name);
        if (out->seen[k] == TOOL_MAX_REPEAT)
            return tool_usage_error(cmd, topic, "option '%s' given more than %d times",
                                    opts[k].name, TOOL_MAX_REPEAT);
        out->seen[k]++;
        if (!opts[k].takes_value) {
            if (eq)
                return tool_usage_error(cmd, topic, "option '%s' takes no value", opts[k].name);
            continue;
        }
        if (eq) {
            out->value[k] = eq + 1;
        } else if (i + 1 < argc) {
            out->value[k] = argv[++i];
        } else {
            return tool_usage_error(cmd, topic, "option '%s' needs a value", opts[k].name);
        }
        if (out->value[k][0] == '\0' && opts[k].takes_value != TOOL_VALUE_MAY_BE_EMPTY)
            return tool_usage_error(cmd, topic, "option '%s' needs a non-empty value",
                                    opts[k].name);
        out->values[k][out->seen[k] - 1] = out->value[k];
    }
    return TOOL_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* Files                                                                     */
/* ------------------------------------------------------------------------ */

int tool_read_file(const char *path, size_t max, uint8_t **buf, size_t *len)
{
    *buf = NULL;
    *len = 0;
    int is_stdin = strcmp(path, "-") == 0;
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        tool_error("%s: cannot open: %s", path, strerror(errno));
        return TOOL_EXIT_NOINPUT;
    }
    /* A regular file's size is known: refuse a huge one without reading it. */
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISREG(st.st_mode) && (uintmax_t)st.st_size > max) {
        if (!is_stdin)
            fclose(f);
        tool_error("%s: larger than %zu bytes, refused", path, max);
        return TOOL_EXIT_DATAERR;
    }
    /* One byte of slack tells "exactly max" from "more than max" (pipes have no size). */
    uint8_t *p = malloc(max + 1);
    if (p == NULL) {
        if (!is_stdin)
            fclose(f);
        tool_error("%s: out of memory", path);
        return TOOL_EXIT_FAIL;
    }
    size_t n = 0;
    while (n < max + 1) {
        size_t got = fread(p + n, 1, max + 1 - n, f);
        if (got == 0)
            break;
        n += got;
    }
    int read_error = ferror(f);
    int saved_errno = errno;
    if (!is_stdin)
        fclose(f);
    if (read_error) {
        free(p);
        tool_error("%s: cannot read: %s", path, strerror(saved_errno));
        return TOOL_EXIT_NOINPUT;
    }
    if (n > max) {
        free(p);
        tool_error("%s: larger than %zu bytes, refused", path, max);
        return TOOL_EXIT_DATAERR;
    }
    *buf = p;
    *len = n;
    return TOOL_EXIT_OK;
}

int tool_write_file(const char *path, const void *data, size_t len)
{
    int is_stdout = strcmp(path, "-") == 0;
    FILE *f = is_stdout ? stdout : fopen(path, "wb");
    if (f == NULL) {
        tool_error("%s: cannot create: %s", path, strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    int bad = fwrite(data, 1, len, f) != len;
    bad |= is_stdout ? fflush(f) != 0 : fclose(f) != 0;
    if (bad) {
        tool_error("%s: cannot write: %s", path, strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* Certificates                                                              */
/* ------------------------------------------------------------------------ */

void tool_certs_free(tool_certs *c)
{
    for (size_t i = 0; i < c->n; i++)
        X509_free(c->v[i]);
    c->n = 0;
}

static int looks_like_pem(const uint8_t *buf, size_t len)
{
    static const char tag[] = "-----BEGIN ";
    size_t tl = sizeof tag - 1;
    for (size_t i = 0; i + tl <= len; i++)
        if (buf[i] == '-' && memcmp(buf + i, tag, tl) == 0)
            return 1;
    return 0;
}

static int cert_parse_error(const char *label, const char *where, tool_certs *out)
{
    tool_openssl_errors();
    tool_certs_free(out);
    tool_error("%s: %s: %s: %s", label, where, clid_err_name(CLID_ERR_CERT_PARSE),
               clid_err_str(CLID_ERR_CERT_PARSE));
    return TOOL_EXIT_DATAERR;
}

static int parse_pem(const char *label, const uint8_t *buf, size_t len, tool_certs *out)
{
    BIO *bio = BIO_new_mem_buf(buf, (int)len); /* len <= TOOL_MAX_FILE: fits an int */
    if (bio == NULL)
        return cert_parse_error(label, "PEM", out);
    ERR_clear_error();
    for (;;) {
        /* Skips blocks that are not CERTIFICATE; ends with "no start line". */
        X509 *x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
        if (x == NULL) {
            unsigned long e = ERR_peek_last_error();
            if (ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE) {
                ERR_clear_error();
                break;
            }
            char where[48];
            snprintf(where, sizeof where, "PEM certificate %zu", out->n + 1);
            BIO_free(bio);
            return cert_parse_error(label, where, out);
        }
        if (out->n == TOOL_MAX_CERTS) {
            X509_free(x);
            BIO_free(bio);
            return cert_parse_error(label, "more than 64 PEM certificates", out);
        }
        out->v[out->n++] = x;
    }
    BIO_free(bio);
    if (out->n == 0)
        return cert_parse_error(label, "no PEM CERTIFICATE block", out);
    return TOOL_EXIT_OK;
}

int tool_parse_certs(const char *label, const uint8_t *buf, size_t len, tool_certs *out)
{
    out->n = 0;
    if (len > TOOL_MAX_FILE)
        return cert_parse_error(label, "input too large", out);
    if (looks_like_pem(buf, len))
        return parse_pem(label, buf, len, out);
    const unsigned char *p = buf;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    if (x == NULL)
        return cert_parse_error(label, "DER", out);
    if (p != buf + len) {
        X509_free(x);
        return cert_parse_error(label, "DER with trailing bytes", out);
    }
    out->v[out->n++] = x;
    return TOOL_EXIT_OK;
}

void tool_openssl_errors(void)
{
    if (getenv("CLID_DEBUG") != NULL)
        ERR_print_errors_fp(stderr);
    ERR_clear_error();
}

/* ------------------------------------------------------------------------ */
/* Output                                                                    */
/* ------------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s[0..len), or 0 if it is not one
 * (overlong forms, surrogates and code points past U+10FFFF are invalid). */
static size_t utf8_seq_len(const unsigned char *s, size_t len)
{
    unsigned char c = s[0];
    size_t n;
    unsigned long cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n > len)
        return 0;
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

char *tool_sanitize(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (len > (SIZE_MAX - 1) / 4)
        return NULL;
    char *out = malloc(len * 4 + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        size_t n = utf8_seq_len(u + i, len - i);
        /* C0 controls, DEL and the C1 controls (U+0080..U+009F) can all move a terminal. */
        int control = n == 1 ? (u[i] < 0x20 || u[i] == 0x7F)
                             : (n == 2 && u[i] == 0xC2 && u[i + 1] < 0xA0);
        if (n == 0 || control) {
            size_t k = n ? n : 1;
            for (size_t j = 0; j < k; j++) {
                snprintf(out + o, 5, "\\x%02X", u[i + j]);
                o += 4;
            }
            i += k;
            continue;
        }
        memcpy(out + o, u + i, n);
        o += n;
        i += n;
    }
    out[o] = '\0';
    return out;
}

json_t *tool_json_string(const char *s)
{
    if (s == NULL)
        return NULL;
    json_t *j = json_string(s);
    if (j != NULL)
        return j;
    char *clean = tool_sanitize(s, strlen(s));
    if (clean == NULL)
        return NULL;
    j = json_string(clean);
    free(clean);
    return j;
}

int tool_json_print(FILE *f, const json_t *v)
{
    if (json_dumpf(v, f, JSON_INDENT(2)) != 0)
        return -1;
    return fputc('\n', f) == EOF ? -1 : 0;
}

int tool_json_put(json_t *obj, const char *key, json_t *v)
{
    if (obj == NULL || v == NULL) {
        json_decref(v);
        return -1;
    }
    return json_object_set_new(obj, key, v); /* steals v, also on failure */
}

int tool_json_push(json_t *arr, json_t *v)
{
    if (arr == NULL || v == NULL) {
        json_decref(v);
        return -1;
    }
    return json_array_append_new(arr, v);
}
