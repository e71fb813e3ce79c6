/*
 * Rich Call Data on the command line (RFC 9795, RFC 9796; docs/rcd.md):
 *   clid sign   --rcd-name NAME [--rcd-apn TN] [--rcd-jcard FILE |
 *               --rcd-jcard-url URL [--rcd-jcard-content FILE]]
 *               [--rcd-icon-url URL [--rcd-icon-content FILE]]
 *               [--rcd-reason TEXT] [--rcd-ppt]
 *   clid verify [--rcd-content URL=FILE]... [--present-rcd FILE] [--json]
 * Content files give the rcdi digests when signing, and the offline content
 * a verifier checks them against.
 */
#ifndef CLID_TOOL_RCD_ARGS_H
#define CLID_TOOL_RCD_ARGS_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include <clid/clid.h>

/* The --rcd-* options of clid sign, as given (NULL: not given). */
typedef struct tool_rcd_opts {
    const char *name, *apn, *jcard_file, *jcard_url, *jcard_content, *icon_url, *icon_content,
        *reason;
} tool_rcd_opts;

/* The clid_rcd they make, with the files it points into. */
typedef struct tool_rcd {
    clid_rcd rcd;
    uint8_t *jcd;     /* --rcd-jcard's text, NUL-terminated */
    uint8_t *jcl_buf; /* --rcd-jcard-content */
    uint8_t *icn_buf; /* --rcd-icon-content */
} tool_rcd;

/* 1 when any --rcd-* option of o is given. */
int tool_rcd_given(const tool_rcd_opts *o);

/*
 * Checks the combination (a name is required; --rcd-jcard excludes
 * --rcd-jcard-url; a content file needs its URL: usage errors naming
 * `cmd`), reads the files (at most CLID_RCD_JCARD_MAX_LEN bytes for a
 * jCard, CLID_RCD_ICON_MAX_LEN for an icon) and fills *out. Returns a
 * TOOL_EXIT_* code after printing one line on failure; tool_rcd_free in
 * every case.
 */
int tool_rcd_load(const char *cmd, const tool_rcd_opts *o, tool_rcd *out);
void tool_rcd_free(tool_rcd *r);

/* --rcd-content URL=FILE...: each file's bytes mapped to URL
 * (clid_ctx_add_rcd_content). A TOOL_EXIT_* code. */
int tool_rcd_content_map(const char *cmd, clid_ctx *ctx, const char *const *maps, int n);

/*
 * The "rcd" object of clid verify --json: flags (present, constrained,
 * content_ok), then only verified values (clid_result_rcd_*: null when
 * not verified): name, apn, reason, jcard (the JSON text), jcard_url,
 * icon_url, digests {"/jcl": ..., "/icn": ...}. JSON null when the
 * PASSporT carried no RCD.
 */
json_t *tool_rcd_json(const clid_result *r);

/* The text form: "rcd-name: ...", "rcd-reason: ..." lines for the
 * verified values, sanitized. */
void tool_rcd_print(const clid_result *r);

#endif
