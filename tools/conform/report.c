/*
 * clid conform report RESULTS.json [--text F] [--json F] [--html F]
 * and conform_report_write() for `clid conform run` (report.h).
 */
#include <errno.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "conform/conform.h"
#include "conform/report.h"
#include "conform/report_int.h"
#include "util.h"

/* A results.json of 64 MiB is ~100 targets of thousands of verbose cases. */
#define REPORT_MAX_INPUT (64u * 1024 * 1024)

int conform_report_check(const json_t *results, char *err, size_t cap)
{
    rep_view v;
    if (rep_view_build(results, &v, err, cap) != 0)
        return -1;
    rep_view_free(&v);
    return 0;
}

int conform_report_ok(const json_t *results)
{
    return json_is_true(json_object_get(results, "ok"));
}

/* The normalized results: the same document, keys sorted, indented. */
static int write_json(const rep_view *v, FILE *f)
{
    return json_dumpf(v->root, f, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 && fputc('\n', f) != EOF
               ? 0
               : -1;
}

/* Writes one report to `path` ("-": standard output) through a temporary
 * file renamed into place, so a reader never sees half a report. */
static int write_to(const char *path, const char *what, const rep_view *v,
                    int (*fn)(const rep_view *, FILE *))
{
    if (strcmp(path, "-") == 0) {
        if (fn(v, stdout) != 0 || fflush(stdout) != 0) {
            tool_error("conform report: cannot write the %s report to standard output", what);
            return TOOL_EXIT_FAIL;
        }
        return TOOL_EXIT_OK;
    }
    size_t n = strlen(path) + 16;
    char *tmp = malloc(n);
    if (tmp == NULL)
        return TOOL_EXIT_FAIL;
    snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int ok = f != NULL && fn(v, f) == 0;
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    if (ok && rename(tmp, path) != 0)
        ok = 0;
    if (!ok) {
        int e = errno;
        remove(tmp);
        tool_error("%s: cannot write the %s report: %s", path, what, strerror(e));
    }
    free(tmp);
    return ok ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

int conform_report_write(const json_t *results, const conform_report_out *out)
{
    rep_view v;
    char err[256];
    if (rep_view_build(results, &v, err, sizeof err) != 0) {
        tool_error("conform report: results: %s", err);
        return TOOL_EXIT_DATAERR;
    }
    int rc = TOOL_EXIT_OK;
    if (out->text_fp != NULL && (rep_write_text(&v, out->text_fp) != 0 || fflush(out->text_fp) != 0)) {
        tool_error("conform report: cannot write the text report");
        rc = TOOL_EXIT_FAIL;
    }
    if (rc == TOOL_EXIT_OK && out->text != NULL)
        rc = write_to(out->text, "text", &v, rep_write_text);
    if (rc == TOOL_EXIT_OK && out->json != NULL)
        rc = write_to(out->json, "JSON", &v, write_json);
    if (rc == TOOL_EXIT_OK && out->html != NULL)
        rc = write_to(out->html, "HTML", &v, rep_write_html);
    rep_view_free(&v);
    return rc;
}

/* --- the command ------------------------------------------------------------ */

void conform_report_help(FILE *f)
{
    fputs("usage: clid conform report RESULTS.json [--text FILE] [--json FILE] [--html FILE]\n"
          "\n"
          "Renders the results of 'clid conform run' (RESULTS.json, schema version 1):\n"
          "totals per target, the failures first (expected and observed outcome, the\n"
          "clause, why), known deviations, and the case x target matrix. Without any\n"
          "option, the text report goes to standard output. FILE '-' is standard output.\n"
          "\n"
          "  --text FILE   the text report (terminal-friendly)\n"
          "  --json FILE   the results, checked and normalized (sorted keys, indented)\n"
          "  --html FILE   one self-contained HTML page (no network needed to open it;\n"
          "                correct with JavaScript disabled)\n"
          "\n"
          "exit status: 0 every target met the catalogue (results 'ok'), 1 some did not\n"
          "(or a report could not be written), 64 usage error, 65 RESULTS.json is not\n"
          "valid results, 66 it cannot be read\n",
          f);
}

enum { OPT_TEXT, OPT_JSON, OPT_HTML, OPT_HELP };
static const tool_opt report_opts[] = {
    [OPT_TEXT] = {"--text", NULL, 1, 0},
    [OPT_JSON] = {"--json", NULL, 1, 0},
    [OPT_HTML] = {"--html", NULL, 1, 0},
    [OPT_HELP] = {"--help", "-h", 0, 0},
};

int conform_report_cmd(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("conform report", "conform", argc - 1, argv + 1, report_opts,
                             sizeof report_opts / sizeof report_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[OPT_HELP]) {
        conform_report_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 1)
        return tool_usage_error("conform report", "conform", "wants one RESULTS.json");
    uint8_t *buf = NULL;
    size_t len = 0;
    if ((rc = tool_read_file(a.pos[0], REPORT_MAX_INPUT, &buf, &len)) != TOOL_EXIT_OK)
        return rc;
    json_error_t jerr;
    /* Duplicate keys would let two readers see two different results. */
    json_t *root = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
    free(buf);
    if (root == NULL) {
        tool_error("%s: not JSON: line %d column %d: %s", a.pos[0], jerr.line, jerr.column,
                   jerr.text);
        return TOOL_EXIT_DATAERR;
    }
    conform_report_out out = {0};
    out.text = a.value[OPT_TEXT];
    out.json = a.value[OPT_JSON];
    out.html = a.value[OPT_HTML];
    if (out.text == NULL && out.json == NULL && out.html == NULL)
        out.text_fp = stdout;
    rc = conform_report_write(root, &out);
    if (rc == TOOL_EXIT_OK)
        rc = conform_report_ok(root) ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
    json_decref(root);
    return rc;
}
