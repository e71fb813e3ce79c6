/*
 * The results.json schema check and the view the renderers walk
 * (CONFORM-SPEC "The results"). Unknown members are ignored (a later
 * runner may add some); a known member of the wrong type, an unknown
 * verdict, a result naming no listed case or target, a (case, target)
 * given twice, or totals / "ok" disagreeing with the verdicts are errors:
 * a report must not show numbers its rows do not support.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conform/report.h"
#include "conform/report_int.h"
#include "util.h"

static const char *const verdict_names[REP_NVERDICTS] = {
    [REP_PASS] = "pass", [REP_FAIL] = "fail", [REP_KNOWN] = "known-deviation",
    [REP_SKIPPED] = "skipped", [REP_ERROR] = "error"};

const char *rep_verdict_name(int verdict)
{
    return verdict >= 0 && verdict < REP_NVERDICTS ? verdict_names[verdict] : "?";
}

static int verdict_from(const char *s)
{
    for (int i = 0; i < REP_NVERDICTS; i++)
        if (strcmp(s, verdict_names[i]) == 0)
            return i;
    return -1;
}

int rep_verdict_of(const json_t *result)
{
    return verdict_from(rep_str(result, "verdict"));
}

int rep_is_disagreement(int verdict)
{
    return verdict == REP_FAIL || verdict == REP_ERROR || verdict == REP_KNOWN;
}

const char *rep_str(const json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

const char *rep_target_name(const rep_view *v, size_t i)
{
    return rep_str(json_array_get(v->targets, i), "name");
}

const json_t *rep_case(const rep_view *v, size_t i)
{
    return json_array_get(v->cases, i);
}

const char *rep_case_name(const rep_view *v, size_t i)
{
    return rep_str(rep_case(v, i), "name");
}

const json_t *rep_result(const rep_view *v, size_t ci, size_t ti)
{
    int k = v->cell[ci * v->nt + ti];
    return k < 0 ? NULL : json_array_get(v->results, (size_t)k);
}

const char *rep_time(long long t, char buf[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (t < 0 || gmtime_r(&tt, &tm) == NULL || strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, 32, "%lld", t);
    return buf;
}

char *rep_shown(const char *s, size_t max, int *cut)
{
    size_t n = strlen(s);
    *cut = 0;
    if (n > max) {
        n = max;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
        *cut = 1;
    }
    return tool_sanitize(s, n);
}

/* --- one-line outcomes ------------------------------------------------- */

typedef struct sbuf {
    char *p;
    size_t n, cap;
    int oom;
} sbuf;

static void sb_add(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sbuf *b, const char *fmt, ...)
{
    if (b->oom)
        return;
    va_list ap;
    va_start(ap, fmt);
    int need = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (need < 0 || b->n + (size_t)need + 1 > b->cap) {
        size_t cap = (b->cap ? b->cap * 2 : 64) + (need > 0 ? (size_t)need : 0);
        char *p = realloc(b->p, cap);
        if (p == NULL || need < 0) {
            b->oom = 1;
            if (p)
                b->p = p;
            return;
        }
        b->p = p, b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->p + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)need;
}

static char *sb_done(sbuf *b)
{
    if (b->oom || b->p == NULL) {
        free(b->p);
        return b->oom ? NULL : strdup("");
    }
    return b->p;
}

char *rep_expect_str(const json_t *expect)
{
    sbuf b = {0};
    const char *vs = json_string_value(json_object_get(expect, "verstat"));
    sb_add(&b, "%s", vs ? vs : "(any verstat)");
    const json_t *sip = json_object_get(expect, "sip");
    if (json_array_size(sip) > 0) {
        sb_add(&b, "; SIP ");
        for (size_t i = 0; i < json_array_size(sip); i++)
            sb_add(&b, "%s%lld", i == 0 ? "" : i + 1 == json_array_size(sip) ? " or " : ", ",
                   (long long)json_integer_value(json_array_get(sip, i)));
    }
    const char *reason = json_string_value(json_object_get(expect, "reason"));
    if (reason && reason[0])
        sb_add(&b, "; reason %s (clid only)", reason);
    return sb_done(&b);
}

char *rep_observed_str(const json_t *observed)
{
    sbuf b = {0};
    if (!json_is_object(observed))
        return strdup("(nothing observed)");
    const char *vs = json_string_value(json_object_get(observed, "verstat"));
    sb_add(&b, "%s", vs ? vs : "no verstat");
    const json_t *sip = json_object_get(observed, "sip");
    if (json_is_integer(sip))
        sb_add(&b, "; SIP %lld", (long long)json_integer_value(sip));
    const char *reason = json_string_value(json_object_get(observed, "reason"));
    if (reason && reason[0])
        sb_add(&b, "; reason %s", reason);
    return sb_done(&b);
}

/* --- the check ------------------------------------------------------------ */

static int fail_at(char *err, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail_at(char *err, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, cap, fmt, ap);
    va_end(ap);
    return -1;
}

/* A member that, when present, must be of one of the types in `types`
 * ("s" string, "n" null, "i" integer, "o" object, "a" array, "b" bool). */
static int member_is(const json_t *o, const char *key, const char *types, int required)
{
    const json_t *m = json_object_get(o, key);
    if (m == NULL)
        return !required;
    for (const char *t = types; *t; t++)
        if ((*t == 's' && json_is_string(m)) || (*t == 'n' && json_is_null(m)) ||
            (*t == 'i' && json_is_integer(m)) || (*t == 'o' && json_is_object(m)) ||
            (*t == 'a' && json_is_array(m)) || (*t == 'b' && json_is_boolean(m)))
            return 1;
    return 0;
}

static const char *type_words(const char *types)
{
    if (strcmp(types, "s") == 0) return "a string";
    if (strcmp(types, "sn") == 0) return "a string or null";
    if (strcmp(types, "in") == 0) return "an integer or null";
    if (strcmp(types, "i") == 0) return "an integer";
    if (strcmp(types, "o") == 0) return "an object";
    if (strcmp(types, "on") == 0) return "an object or null";
    if (strcmp(types, "a") == 0) return "an array";
    if (strcmp(types, "b") == 0) return "true or false";
    return "of another type";
}

#define NEED(o, key, types, req, ...)                                                          \
    do {                                                                                       \
        if (!member_is((o), (key), (types), (req))) {                                          \
            char where_[96];                                                                   \
            snprintf(where_, sizeof where_, __VA_ARGS__);                                      \
            return fail_at(err, cap, "%s%s%s: %s %s", where_, where_[0] ? "." : "", (key),    \
                           json_object_get((o), (key)) ? "must be" : "missing: must be",      \
                           type_words(types));                                                 \
        }                                                                                      \
    } while (0)

static int find_name(const json_t *arr, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(rep_str(json_array_get(arr, i), "name"), name) == 0)
            return (int)i;
    return -1;
}

static int check_expect(const json_t *e, const char *where, char *err, size_t cap)
{
    NEED(e, "verstat", "s", 1, "%s", where);
    NEED(e, "sip", "a", 1, "%s", where);
    NEED(e, "reason", "sn", 0, "%s", where);
    const json_t *sip = json_object_get(e, "sip");
    for (size_t i = 0; i < json_array_size(sip); i++)
        if (!json_is_integer(json_array_get(sip, i)))
            return fail_at(err, cap, "%s.sip[%zu]: must be an integer (a SIP status, 0 = passed on)",
                           where, i);
    return 0;
}

static int check_lists(const json_t *root, rep_view *v, char *err, size_t cap)
{
    for (size_t i = 0; i < v->nt; i++) {
        const json_t *t = json_array_get(v->targets, i);
        if (!json_is_object(t))
            return fail_at(err, cap, "targets[%zu]: must be an object", i);
        NEED(t, "name", "s", 1, "targets[%zu]", i);
        NEED(t, "spec", "s", 0, "targets[%zu]", i);
        NEED(t, "expect_file", "sn", 0, "targets[%zu]", i);
        if (rep_target_name(v, i)[0] == '\0')
            return fail_at(err, cap, "targets[%zu].name: empty", i);
        if (find_name(v->targets, i, rep_target_name(v, i)) >= 0)
            return fail_at(err, cap, "targets[%zu].name: '%.64s' listed twice", i,
                           rep_target_name(v, i));
    }
    for (size_t i = 0; i < v->nc; i++) {
        const json_t *c = json_array_get(v->cases, i);
        if (!json_is_object(c))
            return fail_at(err, cap, "cases[%zu]: must be an object", i);
        NEED(c, "name", "s", 1, "cases[%zu]", i);
        NEED(c, "group", "s", 0, "cases[%zu]", i);
        NEED(c, "clause", "s", 0, "cases[%zu]", i);
        NEED(c, "title", "s", 0, "cases[%zu]", i);
        NEED(c, "expect", "o", 1, "cases[%zu]", i);
        char where[48];
        snprintf(where, sizeof where, "cases[%zu].expect", i);
        if (check_expect(json_object_get(c, "expect"), where, err, cap) != 0)
            return -1;
        if (rep_case_name(v, i)[0] == '\0')
            return fail_at(err, cap, "cases[%zu].name: empty", i);
        if (find_name(v->cases, i, rep_case_name(v, i)) >= 0)
            return fail_at(err, cap, "cases[%zu].name: '%.64s' listed twice", i, rep_case_name(v, i));
    }
    (void)root;
    return 0;
}

static int check_results(rep_view *v, char *err, size_t cap)
{
    for (size_t i = 0; i < v->nr; i++) {
        const json_t *r = json_array_get(v->results, i);
        if (!json_is_object(r))
            return fail_at(err, cap, "results[%zu]: must be an object", i);
        NEED(r, "case", "s", 1, "results[%zu]", i);
        NEED(r, "target", "s", 1, "results[%zu]", i);
        NEED(r, "verdict", "s", 1, "results[%zu]", i);
        NEED(r, "why", "sn", 0, "results[%zu]", i);
        NEED(r, "observed", "on", 0, "results[%zu]", i);
        const json_t *o = json_object_get(r, "observed");
        if (json_is_object(o)) {
            NEED(o, "verstat", "sn", 0, "results[%zu].observed", i);
            NEED(o, "sip", "in", 0, "results[%zu].observed", i);
            NEED(o, "reason", "sn", 0, "results[%zu].observed", i);
            NEED(o, "detail", "sn", 0, "results[%zu].observed", i);
        }
        int verdict = rep_verdict_of(r);
        if (verdict < 0)
            return fail_at(err, cap,
                           "results[%zu].verdict: '%.32s' is none of pass, fail, known-deviation, "
                           "skipped, error", i, rep_str(r, "verdict"));
        int ci = find_name(v->cases, v->nc, rep_str(r, "case"));
        int ti = find_name(v->targets, v->nt, rep_str(r, "target"));
        if (ci < 0)
            return fail_at(err, cap, "results[%zu].case: '%.64s' is not in cases", i,
                           rep_str(r, "case"));
        if (ti < 0)
            return fail_at(err, cap, "results[%zu].target: '%.64s' is not in targets", i,
                           rep_str(r, "target"));
        int *cell = &v->cell[(size_t)ci * v->nt + (size_t)ti];
        if (*cell >= 0)
            return fail_at(err, cap, "results[%zu]: case '%.64s' on target '%.64s' given twice "
                           "(results[%d])", i, rep_str(r, "case"), rep_str(r, "target"), *cell);
        *cell = (int)i;
        v->totals[ti][verdict]++;
        v->all[verdict]++;
    }
    return 0;
}

/* The file's totals (when given) and "ok" must say what the rows say. */
static int check_totals(const json_t *root, rep_view *v, char *err, size_t cap)
{
    const json_t *totals = json_object_get(root, "totals");
    int computed_ok = 1;
    for (size_t ti = 0; ti < v->nt; ti++) {
        if (v->totals[ti][REP_FAIL] || v->totals[ti][REP_ERROR])
            computed_ok = 0;
        if (totals == NULL)
            continue;
        const json_t *t = json_object_get(totals, rep_target_name(v, ti));
        if (!json_is_object(t))
            return fail_at(err, cap, "totals: no object for target '%.64s'", rep_target_name(v, ti));
        for (int k = 0; k < REP_NVERDICTS; k++) {
            const json_t *n = json_object_get(t, verdict_names[k]);
            if (n != NULL && !json_is_integer(n))
                return fail_at(err, cap, "totals.%.64s.%s: must be an integer",
                               rep_target_name(v, ti), verdict_names[k]);
            long long given = n ? (long long)json_integer_value(n) : 0;
            if (given != v->totals[ti][k])
                return fail_at(err, cap,
                               "totals.%.64s.%s: says %lld but the results hold %ld",
                               rep_target_name(v, ti), verdict_names[k], given, v->totals[ti][k]);
        }
    }
    if (json_object_get(root, "ok") != NULL && json_is_true(json_object_get(root, "ok")) != computed_ok)
        return fail_at(err, cap, "ok: says %s but %s", computed_ok ? "false" : "true",
                       computed_ok ? "no result failed or erred"
                                   : "some results are fail or error");
    v->ok = computed_ok;
    return 0;
}

int rep_view_build(const json_t *root, rep_view *v, char *err, size_t cap)
{
    memset(v, 0, sizeof *v);
    v->root = root;
    if (!json_is_object(root))
        return fail_at(err, cap, "the results must be a JSON object");
    const json_t *ver = json_object_get(root, "version");
    if (!json_is_integer(ver))
        return fail_at(err, cap, "version: missing or not an integer (this clid reads version %d)",
                       CONFORM_RESULTS_VERSION);
    if (json_integer_value(ver) != CONFORM_RESULTS_VERSION)
        return fail_at(err, cap, "version: %lld is not supported (this clid reads version %d)",
                       (long long)json_integer_value(ver), CONFORM_RESULTS_VERSION);
    NEED(root, "suite", "o", 0, "%s", "");
    NEED(root, "targets", "a", 1, "%s", "");
    NEED(root, "cases", "a", 1, "%s", "");
    NEED(root, "results", "a", 1, "%s", "");
    NEED(root, "totals", "o", 0, "%s", "");
    NEED(root, "ok", "b", 1, "%s", "");
    v->suite = json_object_get(root, "suite");
    v->targets = json_object_get(root, "targets");
    v->cases = json_object_get(root, "cases");
    v->results = json_object_get(root, "results");
    v->nt = json_array_size(v->targets);
    v->nc = json_array_size(v->cases);
    v->nr = json_array_size(v->results);
    if (v->nt > REP_MAX_TARGETS)
        return fail_at(err, cap, "targets: %zu, more than %d", v->nt, REP_MAX_TARGETS);
    if (v->nc > REP_MAX_CASES)
        return fail_at(err, cap, "cases: %zu, more than %d", v->nc, REP_MAX_CASES);
    if (check_lists(root, v, err, cap) != 0)
        return -1;
    v->totals = calloc(v->nt ? v->nt : 1, sizeof *v->totals);
    size_t ncells = v->nc * v->nt;
    v->cell = malloc((ncells > 0 ? ncells : 1) * sizeof *v->cell);
    if (v->totals == NULL || v->cell == NULL) {
        rep_view_free(v);
        return fail_at(err, cap, "out of memory");
    }
    for (size_t i = 0; i < v->nc * v->nt; i++)
        v->cell[i] = -1;
    if (check_results(v, err, cap) != 0 || check_totals(root, v, err, cap) != 0) {
        rep_view_free(v);
        return -1;
    }
    return 0;
}

void rep_view_free(rep_view *v)
{
    free(v->totals);
    free(v->cell);
    v->totals = NULL;
    v->cell = NULL;
}
