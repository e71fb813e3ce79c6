/*
 * clid serve: strict JSON input (api_int.h). Every refusal names the JSON
 * path of the member at fault, so a client can fix its request without
 * reading our source. Unknown members are ignored (SERVE-SPEC: ATIS-1000082
 * clients send extra members), but every member we read has exactly one
 * accepted type.
 */
#include "serve/api_int.h"

#include <string.h>

int api_parse(const char *body, size_t len, json_t **root, serve_reply *out)
{
    *root = NULL;
    if (len == 0)
        return api_error(out, 400, SERVE_CODE_INVALID_JSON, CLID_ERR_INVALID_ARGUMENT, "$",
                         "$: the body is empty; a JSON object is expected");
    json_error_t je;
    /* No JSON_ALLOW_NUL: a "\u0000" inside a string is refused by jansson,
     * so every string we read is a C string with no hidden tail. */
    json_t *j = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!j)
        return api_error(out, 400, SERVE_CODE_INVALID_JSON, CLID_ERR_INVALID_ARGUMENT, "$",
                         "$: not valid JSON at line %d, column %d: %s", je.line, je.column,
                         je.text);
    if (!json_is_object(j)) {
        json_decref(j);
        return api_error(out, 400, SERVE_CODE_TYPE, CLID_ERR_INVALID_ARGUMENT, "$",
                         "$: must be a JSON object");
    }
    *root = j;
    return 0;
}

static const char *type_name(json_type t)
{
    switch (t) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    default: return "null";
    }
}

int api_member(json_t *obj, const char *key, const char *path, json_type type, int required,
               json_t **val, serve_reply *out)
{
    json_t *v = json_object_get(obj, key);
    *val = NULL;
    if (v == NULL || json_is_null(v)) {
        if (!required)
            return 0;
        return api_error(out, 400, SERVE_CODE_MISSING, CLID_ERR_INVALID_ARGUMENT, path,
                         "%s: missing (must be %s)", path, type_name(type));
    }
    if (json_typeof(v) != type) {
        /* 1.0 and 1e9 are JSON numbers but not integers: refused, not
         * truncated, so that no two readers disagree on the value. */
        if (type == JSON_INTEGER && json_is_real(v))
            return api_error(out, 400, SERVE_CODE_TYPE, CLID_ERR_INVALID_ARGUMENT, path,
                             "%s: must be an integer (no fraction or exponent)", path);
        return api_error(out, 400, SERVE_CODE_TYPE, CLID_ERR_INVALID_ARGUMENT, path,
                         "%s: must be %s, not %s", path, type_name(type),
                         type_name(json_typeof(v)));
    }
    *val = v;
    return 0;
}

int api_int(json_t *obj, const char *key, const char *path, int required, int64_t min,
            int64_t max, int64_t *v, int *present, serve_reply *out)
{
    json_t *j;
    *present = 0;
    if (api_member(obj, key, path, JSON_INTEGER, required, &j, out) != 0)
        return -1;
    if (!j)
        return 0;
    json_int_t n = json_integer_value(j);
    if (n < min || n > max)
        return api_error(out, 400, SERVE_CODE_VALUE, CLID_ERR_INVALID_ARGUMENT, path,
                         "%s: %lld is out of range [%lld, %lld]", path, (long long)n,
                         (long long)min, (long long)max);
    *v = (int64_t)n;
    *present = 1;
    return 0;
}

int api_printable(json_t *v, const char *path, size_t max, int space, const char **s,
                  serve_reply *out)
{
    if (!json_is_string(v))
        return api_error(out, 400, SERVE_CODE_TYPE, CLID_ERR_INVALID_ARGUMENT, path,
                         "%s: must be a string, not %s", path, type_name(json_typeof(v)));
    size_t n = json_string_length(v);
    const char *p = json_string_value(v);
    if (n == 0 || n > max)
        return api_error(out, 400, SERVE_CODE_VALUE, CLID_ERR_INVALID_ARGUMENT, path,
                         "%s: must be 1..%zu bytes, got %zu", path, max, n);
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)p[i];
        if (!((c > 0x20 && c < 0x7f) || (space && c == ' ')))
            return api_error(out, 400, SERVE_CODE_VALUE, CLID_ERR_HEADER_INJECTION, path,
                             "%s: byte %zu is not printable ASCII (0x%02x)", path, i, c);
    }
    *s = p;
    return 0;
}

int api_tn(json_t *v, const char *path, char out_tn[CLID_TN_BUF], serve_reply *out)
{
    const char *s = NULL; /* set by api_printable when it returns 0 (gcc -O2 cannot tell) */
    out_tn[0] = '\0';
    if (api_printable(v, path, SERVE_TN_MAX_LEN, 1, &s, out) != 0)
        return -1;
    /* A "tn" member holds a number, not a URI: digits, '#', '*', a leading
     * '+', and the visual separators RFC 8224 §8.3 removes. URI forms
     * ("sip:", ";tgrp=", "@host") are refused here although
     * clid_tn_canonicalize would cut them: in a JSON API they are a client
     * bug, and silently cutting them could bind to the wrong number. */
    if (strspn(s, "0123456789#*+-.() ") != strlen(s) || strchr(s + 1, '+') != NULL)
        return api_error(out, 400, SERVE_CODE_VALUE, CLID_ERR_BAD_TN, path,
                         "%s: not a telephone number (digits, '#', '*', a leading '+' and "
                         "the separators \"-.() \" only)",
                         path);
    if (clid_tn_canonicalize(s, out_tn) != CLID_OK)
        return api_error(out, 400, SERVE_CODE_VALUE, CLID_ERR_BAD_TN, path,
                         "%s: not a telephone number (RFC 8224 §8.3: 1..15 of 0-9, # and * "
                         "once separators and '+' are removed)",
                         path);
    return 0;
}
