/*
 * clid cert lint FILE... [--profile shaken|q3063] [--at TIME] [--json]
 * clid cert lint --rules [--json]
 *
 * Each FILE is one chain, leaf first, checked with the library's profile
 * lint (clid_lint.h; the rules are docs/lint.md). Every file is read and
 * parsed before anything is printed, so a file that cannot be used gives
 * one error line and no partial report.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <clid/clid.h>

#include "cert/certlint.h"
#include "timearg.h"
#include "util.h"

void cert_lint_help(FILE *f)
{
    fputs("usage: clid cert lint FILE... [--profile shaken|q3063] [--at TIME] [--json]\n"
          "       clid cert lint --rules [--json]\n"
          "\n"
          "Checks every certificate of each FILE (one chain per file, leaf first)\n"
          "against a certificate profile and prints one line per finding: the\n"
          "certificate (index from 0, the leaf), the severity, the rule and its\n"
          "clause, and what is wrong (docs/lint.md lists the rules).\n"
          "\n"
          "  --profile P  shaken (ATIS-1000080 v005, the default) or q3063 (clid's\n"
          "               Q.3063 profile: SignallingEntity certificates)\n"
          "  --at TIME    the time at which certificates must be valid (Unix\n"
          "               seconds or RFC 3339; default now)\n"
          "  --json       one JSON object\n"
          "  --rules      print the rule table instead\n"
          "\n"
          "Exit status: 0 no error (warnings allowed), 1 errors found, 64 usage,\n"
          "65 a FILE is not a certificate chain, 66 a FILE cannot be read.\n",
          f);
}

static const tool_opt lint_opts[] = {
    {"--profile", NULL, 1, 0}, {"--at", NULL, 1, 0}, {"--json", NULL, 0, 0},
    {"--rules", NULL, 0, 0},   {"--help", "-h", 0, 0},
};
enum { OPT_PROFILE, OPT_AT, OPT_JSON, OPT_RULES, OPT_HELP };

typedef struct lint_file {
    const char *path;
    tool_certs certs;
    clid_lint_report *report;
} lint_file;

static const char *rfc3339(int64_t t, char *buf, size_t cap)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if (gmtime_r(&tt, &tm) == NULL || strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(buf, cap, "?");
    return buf;
}

static const char *profiles_of(unsigned bits)
{
    unsigned s = 1u << CLID_CERT_PROFILE_SHAKEN, q = 1u << CLID_CERT_PROFILE_Q3063;
    return (bits & s) && (bits & q) ? "shaken,q3063" : (bits & s) ? "shaken" : "q3063";
}

/* ------------------------------------------------------------------------ */
/* --rules                                                                   */
/* ------------------------------------------------------------------------ */

static int print_rules(int json)
{
    json_t *arr = json ? json_array() : NULL;
    int bad = json && arr == NULL;
    for (size_t i = 0; i < clid_lint_rule_count() && !bad; i++) {
        clid_lint_rule r;
        if (clid_lint_rule_get(i, &r) != CLID_OK) {
            bad = 1;
            break;
        }
        if (!json) {
            printf("%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.id, clid_lint_severity_name(r.severity),
                   profiles_of(r.profiles), r.roles, r.clause, r.source, r.summary);
            continue;
        }
        json_t *o = json_object();
        json_t *profs = json_array();
        for (int p = CLID_CERT_PROFILE_SHAKEN; p <= CLID_CERT_PROFILE_Q3063; p++)
            if (r.profiles & (1u << p))
                bad |= tool_json_push(profs, json_string(clid_cert_profile_name(p)));
        bad |= tool_json_put(o, "id", json_string(r.id));
        bad |= tool_json_put(o, "severity", json_string(clid_lint_severity_name(r.severity)));
        bad |= tool_json_put(o, "profiles", profs);
        bad |= tool_json_put(o, "roles", json_string(r.roles));
        bad |= tool_json_put(o, "clause", json_string(r.clause));
        bad |= tool_json_put(o, "source", json_string(r.source));
        bad |= tool_json_put(o, "summary", json_string(r.summary));
        bad |= tool_json_push(arr, o);
    }
    if (json && !bad) {
        json_t *top = json_object();
        bad |= tool_json_put(top, "rules", json_incref(arr));
        bad |= tool_json_print(stdout, top) != 0;
        json_decref(top);
    }
    json_decref(arr);
    if (!bad && fflush(stdout) != 0)
        bad = 1;
    if (bad) {
        tool_error("cert lint: cannot write the output");
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* Output                                                                    */
/* ------------------------------------------------------------------------ */

static int print_text(const lint_file *files, size_t n, clid_cert_profile profile)
{
    for (size_t f = 0; f < n; f++) {
        const clid_lint_report *r = files[f].report;
        for (size_t i = 0; i < clid_lint_count(r); i++) {
            clid_lint_finding x;
            if (clid_lint_get(r, i, &x) != CLID_OK)
                return -1;
            printf("%s: certificate %zu (%s, %s): %s: %s [%s]: %s\n", files[f].path,
                   x.cert_index, clid_cert_role_name(clid_lint_cert_role(r, x.cert_index)),
                   x.subject, clid_lint_severity_name(x.severity), x.rule, x.clause, x.message);
        }
        size_t e = clid_lint_error_count(r), w = clid_lint_warning_count(r);
        size_t c = clid_lint_cert_count(r);
        if (e == 0 && w == 0)
            printf("%s: %zu certificate%s, conforms to the %s profile\n", files[f].path, c,
                   c == 1 ? "" : "s", clid_cert_profile_name(profile));
        else
            printf("%s: %zu certificate%s, %zu error%s, %zu warning%s (%s profile)\n",
                   files[f].path, c, c == 1 ? "" : "s", e, e == 1 ? "" : "s", w,
                   w == 1 ? "" : "s", clid_cert_profile_name(profile));
    }
    return fflush(stdout) != 0 ? -1 : 0;
}

static json_t *file_json(const lint_file *lf)
{
    const clid_lint_report *r = lf->report;
    json_t *o = json_object();
    json_t *certs = json_array();
    json_t *findings = json_array();
    int bad = tool_json_put(o, "file", tool_json_string(lf->path));
    for (size_t i = 0; i < clid_lint_cert_count(r); i++) {
        json_t *c = json_object();
        bad |= tool_json_put(c, "index", json_integer((json_int_t)i));
        const char *role = clid_cert_role_name(clid_lint_cert_role(r, i));
        bad |= tool_json_put(c, "role", json_string(role));
        bad |= tool_json_put(c, "subject", tool_json_string(clid_lint_cert_subject(r, i)));
        bad |= tool_json_push(certs, c);
    }
    for (size_t i = 0; i < clid_lint_count(r); i++) {
        clid_lint_finding x;
        json_t *j = json_object();
        if (clid_lint_get(r, i, &x) != CLID_OK) {
            json_decref(j);
            bad = 1;
            break;
        }
        bad |= tool_json_put(j, "certificate", json_integer((json_int_t)x.cert_index));
        bad |= tool_json_put(j, "severity", json_string(clid_lint_severity_name(x.severity)));
        bad |= tool_json_put(j, "rule", json_string(x.rule));
        bad |= tool_json_put(j, "clause", json_string(x.clause));
        bad |= tool_json_put(j, "message", tool_json_string(x.message));
        bad |= tool_json_push(findings, j);
    }
    bad |= tool_json_put(o, "certificates", certs);
    bad |= tool_json_put(o, "findings", findings);
    bad |= tool_json_put(o, "errors", json_integer((json_int_t)clid_lint_error_count(r)));
    bad |= tool_json_put(o, "warnings", json_integer((json_int_t)clid_lint_warning_count(r)));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int print_json(const lint_file *files, size_t n, clid_cert_profile profile, int64_t at)
{
    char t[32];
    size_t errors = 0, warnings = 0;
    json_t *top = json_object();
    json_t *arr = json_array();
    int bad = tool_json_put(top, "profile", json_string(clid_cert_profile_name(profile)));
    bad |= tool_json_put(top, "at", json_string(rfc3339(at, t, sizeof t)));
    for (size_t f = 0; f < n; f++) {
        bad |= tool_json_push(arr, file_json(&files[f]));
        errors += clid_lint_error_count(files[f].report);
        warnings += clid_lint_warning_count(files[f].report);
    }
    bad |= tool_json_put(top, "files", arr);
    bad |= tool_json_put(top, "errors", json_integer((json_int_t)errors));
    bad |= tool_json_put(top, "warnings", json_integer((json_int_t)warnings));
    bad |= !bad && tool_json_print(stdout, top) != 0;
    json_decref(top);
    return bad ? -1 : 0;
}

/* ------------------------------------------------------------------------ */
/* The command                                                               */
/* ------------------------------------------------------------------------ */

static void free_files(lint_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        tool_certs_free(&files[i].certs);
        clid_lint_report_free(files[i].report);
    }
}

/* Reads, parses and lints one file; a TOOL_EXIT_* code (one line printed
 * on failure). */
static int lint_one(lint_file *lf, clid_cert_profile profile, int64_t at)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = tool_read_file(lf->path, TOOL_MAX_FILE, &buf, &len);
    if (rc != TOOL_EXIT_OK)
        return rc;
    rc = tool_parse_certs(lf->path, buf, len, &lf->certs);
    free(buf);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (lf->certs.n > CLID_LINT_MAX_CERTS) {
        tool_error("%s: %zu certificates: a chain has at most %d", lf->path, lf->certs.n,
                   CLID_LINT_MAX_CERTS);
        return TOOL_EXIT_DATAERR;
    }
    clid_err e = clid_lint_report_new(&lf->report);
    if (e == CLID_OK)
        e = clid_lint_chain(lf->report, profile, lf->certs.v, lf->certs.n, at);
    if (e != CLID_OK) {
        tool_error("%s: %s: %s", lf->path, clid_err_name(e), clid_err_str(e));
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

int cert_lint(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("cert lint", "cert", argc, argv, lint_opts,
                             sizeof lint_opts / sizeof lint_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[OPT_HELP]) {
        cert_lint_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.seen[OPT_RULES]) {
        if (a.npos != 0 || a.seen[OPT_PROFILE] || a.seen[OPT_AT])
            return tool_usage_error("cert lint", "cert",
                                    "--rules takes no FILE, --profile or --at");
        return print_rules(a.seen[OPT_JSON]);
    }
    if (a.npos == 0)
        return tool_usage_error("cert lint", "cert", "expects at least one FILE");
    clid_cert_profile profile = CLID_CERT_PROFILE_SHAKEN;
    if (a.seen[OPT_PROFILE] &&
        (clid_cert_profile_from_name(a.value[OPT_PROFILE], &profile) != CLID_OK ||
         profile == CLID_CERT_PROFILE_NONE))
        return tool_usage_error("cert lint", "cert", "--profile is shaken or q3063, not '%s'",
                                a.value[OPT_PROFILE]);
    /* The tool reads the clock; the library never does (clid.h, "Time"). */
    int64_t at = (int64_t)time(NULL);
    if (a.seen[OPT_AT] && (tool_parse_time(a.value[OPT_AT], &at) != 0 || at == 0))
        return tool_usage_error("cert lint", "cert", "--at: not a time: '%s'", a.value[OPT_AT]);

    lint_file files[TOOL_MAX_POSITIONAL];
    memset(files, 0, sizeof files);
    size_t n = a.npos;
    for (size_t i = 0; i < n && rc == TOOL_EXIT_OK; i++) {
        files[i].path = a.pos[i];
        rc = lint_one(&files[i], profile, at);
    }
    if (rc == TOOL_EXIT_OK) {
        int werr = a.seen[OPT_JSON] ? print_json(files, n, profile, at)
                                    : print_text(files, n, profile);
        if (werr) {
            tool_error("cert lint: cannot write the output");
            rc = TOOL_EXIT_FAIL;
        } else {
            for (size_t i = 0; i < n && rc == TOOL_EXIT_OK; i++)
                if (clid_lint_error_count(files[i].report) > 0)
                    rc = TOOL_EXIT_FAIL;
        }
    }
    free_files(files, n);
    return rc;
}
