/*
 * Rendering collected certificate facts (certinfo_collect) as text, and the
 * output shared by `clid cert show` and `clid demo`; see certinfo.h.
 */
#include "certinfo.h"

#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------------ */
/* Text rendering                                                            */
/* ------------------------------------------------------------------------ */

/* Label column: top-level labels are padded to 14 columns, nested ones
 * are indented by two and padded to 12, so all values line up. */
static void put_line(FILE *f, int nested, const char *label, const char *value)
{
    if (value == NULL)
        value = "";
    char *clean = tool_sanitize(value, strlen(value));
    fprintf(f, nested ? "  %-12s%s\n" : "%-14s%s\n", label, clean ? clean : "?");
    free(clean);
}

static const char *jstr(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static void ext_header(FILE *f, const char *name, const char *oid, const json_t *v)
{
    const char *state = json_is_null(v) || v == NULL ? "absent"
                        : json_is_true(json_object_get(v, "critical")) ? "critical"
                                                                         : "non-critical";
    fprintf(f, "%s (%s): %s\n", name, oid, state);
}

static void print_tnauth(FILE *f, const json_t *v)
{
    ext_header(f, "TNAuthList", CLID_OID_TNAUTHLIST, v);
    size_t i;
    const json_t *e;
    json_array_foreach(json_object_get(v, "entries"), i, e)
    {
        const char *type = jstr(e, "type");
        if (strcmp(type, "range") == 0) {
            char buf[96];
            const char *last = json_string_value(json_object_get(e, "last"));
            snprintf(buf, sizeof buf, "%.32s count %" JSON_INTEGER_FORMAT "%s%.32s%s",
                     jstr(e, "start"), json_integer_value(json_object_get(e, "count")),
                     last ? " (to " : "", last ? last : "", last ? ")" : "");
            put_line(f, 1, "Range:", buf);
        } else {
            put_line(f, 1, strcmp(type, "spc") == 0 ? "SPC:" : "TN:", jstr(e, "value"));
        }
    }
}

static void print_jwtcc(FILE *f, const char *name, const char *oid, const json_t *v)
{
    ext_header(f, name, oid, v);
    size_t i, j;
    const json_t *e, *val;
    json_array_foreach(json_object_get(v, "must_include"), i, e)
        put_line(f, 1, "Include:", json_string_value(e));
    json_array_foreach(json_object_get(v, "permitted_values"), i, e)
    {
        json_array_foreach(json_object_get(e, "values"), j, val)
        {
            /* put_line escapes control characters in the claim and the value alike. */
            const char *claim = jstr(e, "claim");
            const char *value = json_string_value(val);
            if (value == NULL)
                continue;
            size_t n = strlen(claim) + strlen(value) + 4;
            char *buf = malloc(n);
            if (buf != NULL) {
                snprintf(buf, n, "%s = %s", claim, value);
                put_line(f, 1, "Permitted:", buf);
                free(buf);
            }
        }
    }
    json_array_foreach(json_object_get(v, "must_exclude"), i, e)
        put_line(f, 1, "Exclude:", json_string_value(e));
}

static void print_entity(FILE *f, const json_t *v)
{
    ext_header(f, "SignallingEntity", CLID_OID_SIGNALLING_ENTITY, v);
    if (json_is_null(v))
        return;
    size_t i;
    const json_t *e;
    char buf[64];
    put_line(f, 1, "Role:", jstr(v, "role"));
    json_array_foreach(json_object_get(v, "country_codes"), i, e)
        put_line(f, 1, "Country:", json_string_value(e));
    if (json_is_string(json_object_get(v, "carrier_code")))
        put_line(f, 1, "Carrier:", jstr(v, "carrier_code"));
    json_array_foreach(json_object_get(v, "mobile_networks"), i, e)
    {
        snprintf(buf, sizeof buf, "MCC %.3s, MNC %.3s", jstr(e, "mcc"), jstr(e, "mnc"));
        put_line(f, 1, "PLMN:", buf);
    }
    json_array_foreach(json_object_get(v, "signalling_point_codes"), i, e)
    {
        snprintf(buf, sizeof buf, "%.15s (%" JSON_INTEGER_FORMAT ")", jstr(e, "zaaab"),
                 json_integer_value(json_object_get(e, "code")));
        put_line(f, 1, "ISPC:", buf);
    }
    if (json_is_string(json_object_get(v, "operator_name")))
        put_line(f, 1, "Operator:", jstr(v, "operator_name"));
}

int certinfo_print_text(FILE *f, const json_t *info)
{
    put_line(f, 0, "Subject:", jstr(info, "subject"));
    put_line(f, 0, "Issuer:", jstr(info, "issuer"));
    put_line(f, 0, "Serial:", jstr(info, "serial"));
    put_line(f, 0, "Not before:", jstr(info, "not_before"));
    put_line(f, 0, "Not after:", jstr(info, "not_after"));
    put_line(f, 0, "Key:", jstr(info, "key_type"));
    print_tnauth(f, json_object_get(info, "tnauthlist"));
    print_jwtcc(f, "JWTClaimConstraints", CLID_OID_JWT_CLAIM_CONSTRAINTS,
                json_object_get(info, "jwt_claim_constraints"));
    print_jwtcc(f, "EnhancedJWTClaimConstraints", CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS,
                json_object_get(info, "enhanced_jwt_claim_constraints"));
    print_entity(f, json_object_get(info, "signalling_entity"));
    return ferror(f) ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* Both commands' output                                                     */
/* ------------------------------------------------------------------------ */

int certinfo_show(const char *label, const char *file_name, const tool_certs *certs, int json)
{
    json_t *list = json_array();
    if (list == NULL) {
        tool_error("%s: out of memory", label);
        return TOOL_EXIT_FAIL;
    }
    for (size_t i = 0; i < certs->n; i++) {
        json_t *info = NULL;
        const char *where = NULL;
        clid_err rc = certinfo_collect(certs->v[i], &info, &where);
        if (rc == CLID_OK && tool_json_push(list, info) != 0)
            rc = CLID_ERR_NOMEM;
        if (rc != CLID_OK) {
            json_decref(list);
            char which[40] = "";
            if (certs->n > 1)
                snprintf(which, sizeof which, "certificate %zu: ", i + 1);
            tool_error("%s: %s%s: %s: %s", label, which, where, clid_err_name(rc),
                       clid_err_str(rc));
            return clid_err_class_of(rc) == CLID_CLASS_RESOURCE ? TOOL_EXIT_FAIL
                                                                 : TOOL_EXIT_DATAERR;
        }
    }

    int werr = 0;
    if (json) {
        json_t *top = json_object();
        int bad = tool_json_put(top, "file", file_name ? tool_json_string(file_name) : json_null());
        bad |= tool_json_put(top, "certificates", json_incref(list));
        werr = bad || tool_json_print(stdout, top) != 0;
        json_decref(top);
    } else {
        size_t i;
        const json_t *info;
        json_array_foreach(list, i, info)
        {
            if (json_array_size(list) > 1)
                printf("%sCertificate %zu of %zu\n", i ? "\n" : "", i + 1, json_array_size(list));
            werr |= certinfo_print_text(stdout, info) != 0;
        }
    }
    json_decref(list);
    if (werr) {
        tool_error("%s: cannot write the output", label);
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}
