/* Reading a generated suite: DIR/suite.json and DIR/cases/NAME/case.json (run.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conform/run.h"
#include "util.h"

#define SUITE_JSON_MAX (4 * 1024 * 1024)

void conform_fmt(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    if (n < 0 && cap > 0)
        buf[0] = '\0';
}

const char *conform_json_str(const json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

char *conform_suite_path(const conform_suite *s, const char *rel)
{
    size_t n = strlen(s->dir) + strlen(rel) + 2;
    char *p = malloc(n);
    if (p != NULL)
        snprintf(p, n, "%s/%s", s->dir, rel);
    return p;
}

static json_t *load_json(const char *path)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    if (tool_read_file(path, SUITE_JSON_MAX, &buf, &len) != TOOL_EXIT_OK)
        return NULL;
    json_error_t err;
    json_t *j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &err);
    free(buf);
    if (j == NULL)
        tool_error("%s:%d: %s", path, err.line, err.text);
    else if (!json_is_object(j)) {
        tool_error("%s: not a JSON object", path);
        json_decref(j);
        j = NULL;
    }
    return j;
}

/* [a-z0-9-]{1,48}: the name becomes a path component and a SIPp Call-ID. */
static int name_ok(const char *n)
{
    size_t len = strlen(n);
    if (len == 0 || len > CONFORM_NAME_MAX)
        return 0;
    return strspn(n, "abcdefghijklmnopqrstuvwxyz0123456789-") == len;
}

int conform_suite_load(const char *dir, conform_suite *s)
{
    memset(s, 0, sizeof *s);
    s->dir = strdup(dir);
    if (s->dir == NULL)
        return TOOL_EXIT_FAIL;
    char *p = conform_suite_path(s, "suite.json");
    s->json = p ? load_json(p) : NULL;
    free(p);
    if (s->json == NULL)
        return TOOL_EXIT_DATAERR;
    json_t *names = json_object_get(s->json, "cases");
    if (!json_is_array(names) || json_array_size(names) == 0 ||
        json_array_size(names) > CONFORM_MAX_CASES) {
        tool_error("%s/suite.json: \"cases\" must list 1..%d case names", dir, CONFORM_MAX_CASES);
        return TOOL_EXIT_DATAERR;
    }
    s->cases = calloc(json_array_size(names), sizeof *s->cases);
    if (s->cases == NULL)
        return TOOL_EXIT_FAIL;
    for (size_t i = 0; i < json_array_size(names); i++) {
        const char *name = json_string_value(json_array_get(names, i));
        if (name == NULL || !name_ok(name)) {
            tool_error("%s/suite.json: cases[%zu]: not a case name ([a-z0-9-]{1,48})", dir, i);
            return TOOL_EXIT_DATAERR;
        }
        for (size_t k = 0; k < s->n; k++)
            if (strcmp(s->cases[k].name, name) == 0) {
                tool_error("%s/suite.json: case '%s' listed twice", dir, name);
                return TOOL_EXIT_DATAERR;
            }
        conform_case *c = &s->cases[s->n];
        size_t n = strlen(dir) + strlen(name) + 8;
        if ((c->dir = malloc(n)) == NULL)
            return TOOL_EXIT_FAIL;
        snprintf(c->dir, n, "%s/cases/%s", dir, name);
        s->n++;
        char *cj = malloc(n + 16);
        if (cj == NULL)
            return TOOL_EXIT_FAIL;
        snprintf(cj, n + 16, "%s/case.json", c->dir);
        c->json = load_json(cj);
        free(cj);
        if (c->json == NULL)
            return TOOL_EXIT_DATAERR;
        c->name = conform_json_str(c->json, "name");
        if (c->name == NULL || strcmp(c->name, name) != 0) {
            tool_error("%s/case.json: \"name\" is not '%s'", c->dir, name);
            c->name = name;
            return TOOL_EXIT_DATAERR;
        }
        json_t *ex = json_object_get(c->json, "expect");
        if (!json_is_object(ex) || conform_json_str(ex, "verstat") == NULL ||
            !json_is_array(json_object_get(ex, "sip"))) {
            tool_error("%s/case.json: \"expect\" needs \"verstat\" and \"sip\"", c->dir);
            return TOOL_EXIT_DATAERR;
        }
    }
    return TOOL_EXIT_OK;
}

void conform_suite_free(conform_suite *s)
{
    for (size_t i = 0; i < s->n; i++) {
        free(s->cases[i].dir);
        json_decref(s->cases[i].json);
    }
    free(s->cases);
    json_decref(s->json);
    free(s->dir);
    memset(s, 0, sizeof *s);
}
