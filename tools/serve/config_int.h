/*
 * clid serve: internal to config*.c, the checking helpers (config.c) that
 * config_oob.c shares. Every helper reports a mistake with its key path
 * through cfg_bad and counts it in v->nerr.
 */
#ifndef CLID_TOOL_SERVE_CONFIG_INT_H
#define CLID_TOOL_SERVE_CONFIG_INT_H

#include <jansson.h>

#include "serve/config.h"
#include "util.h"

typedef struct vctx {
    const char *file;
    int nerr;
} vctx;

void cfg_bad(vctx *v, const char *path, const char *fmt, ...) TOOL_PRINTF(3, 4);
/* path + "." + key into out (key alone at the top). */
void cfg_join(char *out, size_t cap, const char *path, const char *key);
/* Unknown keys of obj (not in the NULL-terminated `known`) are mistakes. */
void cfg_check_keys(vctx *v, json_t *obj, const char *path, const char *const *known);
/* Members: absent or null gives NULL / def; another type is a mistake. */
json_t *cfg_get_obj(vctx *v, json_t *obj, const char *path, const char *key);
const char *cfg_get_str(vctx *v, json_t *obj, const char *path, const char *key);
unsigned cfg_get_uint(vctx *v, json_t *obj, const char *path, const char *key, unsigned def,
                      unsigned min, unsigned max);
int cfg_get_bool(vctx *v, json_t *obj, const char *path, const char *key, int def);
const char *cfg_get_enum(vctx *v, json_t *obj, const char *path, const char *key,
                         const char *const *allowed);

/* config_oob.c: the "oob" member. */
void cfg_load_oob(vctx *v, serve_config *c, json_t *root);

#endif
