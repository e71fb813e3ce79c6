/*
 * clid serve: what both CPS store backends share (cps_store.h): the keys,
 * and the entry as JSON (the Redis list element).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "serve/cps_store.h"

void cps_strings_free(char **v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

int cps_key_jti(char *out, size_t cap, const char *iss, const char *jti)
{
    int n = snprintf(out, cap, "jti:%s:%s", iss, jti);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

int cps_key_record(char *out, size_t cap, const char *dest, const char *orig)
{
    int n = snprintf(out, cap, "pp:%s:%s", dest, orig);
    return n > 0 && (size_t)n < cap ? 0 : -1;
}

char *cps_entry_encode(int64_t exp, const char *spc, const char *const *pp, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a != NULL && i < n; i++)
        if (json_array_append_new(a, json_string(pp[i])) != 0) {
            json_decref(a);
            a = NULL;
        }
    json_t *o = a ? json_pack("{s:I,s:s,s:o}", "exp", (json_int_t)exp, "spc", spc ? spc : "",
                              "passports", a)
                  : NULL;
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    return text;
}

/* Appends a copy of p unless already there. 0, or -1 without memory. */
static int add_unique(char **out, size_t *n, size_t max, const char *p)
{
    for (size_t i = 0; i < *n; i++)
        if (strcmp(out[i], p) == 0)
            return 0;
    if (*n >= max)
        return 0;
    if ((out[*n] = strdup(p)) == NULL)
        return -1;
    (*n)++;
    return 0;
}

int cps_entry_collect(const char *text, size_t len, int64_t now, const char *iss, size_t max,
                      char **out, size_t *n)
{
    json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, NULL);
    json_t *exp = json_object_get(o, "exp");
    json_t *spc = json_object_get(o, "spc");
    json_t *pp = json_object_get(o, "passports");
    if (!json_is_integer(exp) || !json_is_string(spc) || !json_is_array(pp)) {
        json_decref(o);
        return -1;
    }
    int rc = 0;
    const char *sp = json_string_value(spc);
    /* Visible until exp; a restricted entry only to the SPC it names
     * (ATIS-1000105, inferred from OOB-SPEC.md). */
    if (json_integer_value(exp) > now && (sp[0] == '\0' || (iss && strcmp(sp, iss) == 0))) {
        size_t i;
        json_t *p;
        json_array_foreach(pp, i, p) {
            if (json_is_string(p) && add_unique(out, n, max, json_string_value(p)) != 0) {
                rc = -1;
                break;
            }
        }
    }
    json_decref(o);
    return rc;
}

int cps_collect_add(char **out, size_t *n, size_t max, const char *p)
{
    return add_unique(out, n, max, p);
}
