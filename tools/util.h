/*
 * Shared helpers of the clid tool: exit codes, messages, argument parsing,
 * bounded file reading, certificate loading and JSON output.
 *
 * The tool sees only the public API (lib/include) plus OpenSSL and jansson:
 * anything it needs from the library that is not public is an API gap.
 */
#ifndef CLID_TOOL_UTIL_H
#define CLID_TOOL_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>
#include <openssl/x509.h>

#include <clid/clid.h>

/* Exit codes (BSD sysexits.h values, written out so the docs can rely on them). */
enum {
    TOOL_EXIT_OK = 0,
    TOOL_EXIT_FAIL = 1,     /* the operation failed */
    TOOL_EXIT_USAGE = 64,   /* EX_USAGE: bad command line */
    TOOL_EXIT_DATAERR = 65, /* EX_DATAERR: input is not what it must be */
    TOOL_EXIT_NOINPUT = 66, /* EX_NOINPUT: input cannot be opened or read */
    TOOL_EXIT_SOFTWARE = 70 /* EX_SOFTWARE: an internal error (never expected) */
};

/* Input bounds: certificate files are small; anything bigger is refused, not read. */
#define TOOL_MAX_FILE (1024 * 1024)
#define TOOL_MAX_CERTS 64 /* certificates in one PEM file */

#if defined(__GNUC__) || defined(__clang__)
#define TOOL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define TOOL_PRINTF(f, a)
#endif

/* Prints "clid: <message>\n" on stderr, as one line. */
void tool_error(const char *fmt, ...) TOOL_PRINTF(1, 2);
/* Prints "clid: <cmd>: <message> (see 'clid help <topic>')" and returns TOOL_EXIT_USAGE. */
int tool_usage_error(const char *cmd, const char *topic, const char *fmt, ...) TOOL_PRINTF(3, 4);

/* --------------------------------------------------------------------- */
/* Command line                                                            */
/* --------------------------------------------------------------------- */

#define TOOL_MAX_POSITIONAL 64 /* `clid cert lint FILE...` */
#define TOOL_MAX_OPTS 40
#define TOOL_MAX_REPEAT 32 /* values of one repeatable option */

#define TOOL_VALUE_MAY_BE_EMPTY 2

typedef struct tool_opt {
    const char *name;  /* "--json" */
    const char *alias; /* "-h" or NULL */
    int takes_value;   /* "--out FILE" or "--out=FILE"; TOOL_VALUE_MAY_BE_EMPTY: "" is a
                          value too (else refused as a usage error) */
    int repeatable;    /* "--dest TN --dest TN": values collected in order */
} tool_opt;

typedef struct tool_args {
    const char *pos[TOOL_MAX_POSITIONAL];
    size_t npos;
    int seen[TOOL_MAX_OPTS];          /* indexed like the tool_opt table; times given */
    const char *value[TOOL_MAX_OPTS]; /* the option's (last) argument, if it takes one */
    const char *values[TOOL_MAX_OPTS][TOOL_MAX_REPEAT]; /* every argument, for repeatable ones */
} tool_args;

/*
 * Parses argv[0..argc) (the words after the command) against `opts`.
 * Options may come before or after operands; "--" ends options; "-" is an
 * operand (standard input). An unknown option, a non-repeatable one given
 * twice, more than TOOL_MAX_REPEAT values, or a missing value, prints one
 * usage line naming `cmd` and returns TOOL_EXIT_USAGE.
 * No global state (unlike getopt), so commands can be called repeatedly.
 */
int tool_parse_args(const char *cmd, const char *topic, int argc, char **argv,
                    const tool_opt *opts, size_t nopts, tool_args *out);

/* --------------------------------------------------------------------- */
/* Files and certificates                                                  */
/* --------------------------------------------------------------------- */

/*
 * Reads all of `path` ("-" = standard input) into a malloc'ed buffer, at
 * most `max` bytes. On failure prints one line and returns
 * TOOL_EXIT_NOINPUT (cannot open or read) or TOOL_EXIT_DATAERR (too big).
 */
int tool_read_file(const char *path, size_t max, uint8_t **buf, size_t *len);

/*
 * Writes data[0..len) to `path` (created or truncated; "-" = standard
 * output), exactly those bytes. On failure prints one line and returns
 * TOOL_EXIT_FAIL.
 */
int tool_write_file(const char *path, const void *data, size_t len);

typedef struct tool_certs {
    X509 *v[TOOL_MAX_CERTS];
    size_t n;
} tool_certs;

/*
 * Parses one DER certificate (the whole buffer, no trailing bytes) or every
 * CERTIFICATE block of a PEM text (other PEM blocks are skipped). On error
 * prints "clid: <label>: PEM|DER: CLID_ERR_CERT_PARSE: ..." and returns
 * TOOL_EXIT_DATAERR; nothing is left in `out` then.
 */
int tool_parse_certs(const char *label, const uint8_t *buf, size_t len, tool_certs *out);
void tool_certs_free(tool_certs *c);

/* --------------------------------------------------------------------- */
/* Output                                                                  */
/* --------------------------------------------------------------------- */

/*
 * Copies `s` for display: bytes that are control characters or not part of
 * valid UTF-8 become "\xNN", so hostile certificate text can neither break
 * a line nor drive the terminal. Never NULL except out of memory.
 */
char *tool_sanitize(const char *s, size_t len);

/* A JSON string for `s`: exactly `s` when it is valid UTF-8, else tool_sanitize(s). */
json_t *tool_json_string(const char *s);

/* Writes `v` as indented JSON plus a newline. 0 on success. */
int tool_json_print(FILE *f, const json_t *v);

/* Adds `v` under `key` (stealing the reference); returns -1 if anything is NULL or fails. */
int tool_json_put(json_t *obj, const char *key, json_t *v);
/* Appends `v` (stealing the reference); returns -1 on failure. */
int tool_json_push(json_t *arr, json_t *v);

/* Prints the OpenSSL error queue only in debug mode (CLID_DEBUG set), then clears it. */
void tool_openssl_errors(void);

#endif /* CLID_TOOL_UTIL_H */
