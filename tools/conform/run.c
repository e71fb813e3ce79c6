/*
 * clid conform run --target T [--target T]... --out DIR [--suite DIR]
 *                  [--seed S] [--at TIME] [--catalogue FILE]
 *                  [--expect TARGET=FILE]... [--timeout SECONDS]
 *                  [--sip-uas PORT] [--text FILE] [--json FILE] [--html FILE]
 *
 * Plays every case of a generated suite against every target and writes
 * OUT/results.json (CONFORM-SPEC "The results"), then the reports. Without
 * --suite it makes the suite itself: `clid conform serve` as a child on a
 * port the kernel picks (stopped by PID), conform_gen() with that port in
 * the base URL, into OUT/suite. With --suite DIR it plays an existing
 * suite whose x5u server the caller runs (repeat runs, hand-made suites).
 * Exit status: 0 every target met the catalogue or its recorded
 * expectation, 1 otherwise, 64 usage, 65 bad suite or expectation file,
 * 66 unreadable input.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conform/conform.h"
#include "conform/gen.h"
#include "conform/run.h"
#include "timearg.h"
#include "util.h"

#include "conform/report.h"

void conform_run_help(FILE *f)
{
    fputs("usage: clid conform run --target T [--target T]... --out DIR [--suite DIR]\n"
          "                        [--seed S] [--at TIME] [--catalogue FILE]\n"
          "                        [--expect TARGET=FILE]... [--timeout SECONDS]\n"
          "                        [--sip-uas PORT] [--text FILE] [--json FILE] [--html FILE]\n"
          "\n"
          "Plays the conformance suite against verifiers and writes DIR/results.json.\n"
          "\n"
          "  --target T        clid             clid's verifier, in process\n"
          "                    sip:HOST:PORT    a SIP verifier, through SIPp\n"
          "                    cmd:COMMAND      a command, given the case directory as\n"
          "                                     its last argument; prints the verstat on\n"
          "                                     its first line, optionally 'sip: CODE'\n"
          "                    NAME=T           the same, named NAME in the reports\n"
          "  --out DIR         the run's directory (results.json, logs/, suite/)\n"
          "  --suite DIR       play this generated suite (its x5u server must run)\n"
          "                    instead of generating one\n"
          "  --seed S, --at TIME, --catalogue FILE   passed to the generator\n"
          "  --expect T=FILE   target T's recorded deviations (JSON): a case it gets\n"
          "                    wrong the recorded way is a known deviation; any other\n"
          "                    difference, either way, fails\n"
          "  --timeout S       seconds a target has per case (default 15)\n"
          "  --sip-uas PORT    where sip: targets forward accepted calls: a SIPp UAS\n"
          "                    on 127.0.0.1:PORT records their verstat\n"
          "  --text/--json/--html FILE   the reports\n"
          "\n"
          "Exit status: 0 every target met the catalogue or its expectation, 1 not,\n"
          "64 usage, 65 bad suite or expectation, 66 unreadable input.\n",
          f);
}

enum {
    OPT_TARGET, OPT_OUT, OPT_SUITE, OPT_SEED, OPT_AT, OPT_CATALOGUE, OPT_EXPECT, OPT_TIMEOUT,
    OPT_SIP_UAS, OPT_TEXT, OPT_JSON, OPT_HTML, OPT_HELP
};
static const tool_opt run_opts[] = {
    [OPT_TARGET] = {"--target", NULL, 1, 1},   [OPT_OUT] = {"--out", NULL, 1, 0},
    [OPT_SUITE] = {"--suite", NULL, 1, 0},     [OPT_SEED] = {"--seed", NULL, 1, 0},
    [OPT_AT] = {"--at", NULL, 1, 0},           [OPT_CATALOGUE] = {"--catalogue", NULL, 1, 0},
    [OPT_EXPECT] = {"--expect", NULL, 1, 1},   [OPT_TIMEOUT] = {"--timeout", NULL, 1, 0},
    [OPT_SIP_UAS] = {"--sip-uas", NULL, 1, 0}, [OPT_TEXT] = {"--text", NULL, 1, 0},
    [OPT_JSON] = {"--json", NULL, 1, 0},       [OPT_HTML] = {"--html", NULL, 1, 0},
    [OPT_HELP] = {"--help", "-h", 0, 0},
};
#define NOPTS (sizeof run_opts / sizeof run_opts[0])

#define usage(...) tool_usage_error("conform run", "conform", __VA_ARGS__)

/* NAME=SPEC when the part before '=' is a plain name (no ':'). */
static int parse_target(const char *word, conform_target *t, size_t index)
{
    memset(t, 0, sizeof *t);
    const char *eq = strchr(word, '=');
    const char *colon = strchr(word, ':');
    const char *spec = word;
    if (eq != NULL && (colon == NULL || eq < colon)) {
        size_t n = (size_t)(eq - word);
        if (n == 0 || n >= sizeof t->name ||
            strspn(word, "abcdefghijklmnopqrstuvwxyz0123456789-_.") != n)
            return usage("--target '%s': NAME must be [a-z0-9-_.]", word);
        memcpy(t->name, word, n);
        t->name[n] = '\0';
        spec = eq + 1;
    }
    t->spec = spec;
    if (strcmp(spec, "clid") == 0) {
        t->kind = CONFORM_CLID;
        t->ad = &conform_adapter_clid;
    } else if (strncmp(spec, "sip:", 4) == 0 && spec[4] != '\0') {
        t->kind = CONFORM_SIP;
        t->ad = &conform_adapter_sip;
        t->arg = spec + 4;
    } else if (strncmp(spec, "cmd:", 4) == 0 && spec[4] != '\0') {
        t->kind = CONFORM_CMD;
        t->ad = &conform_adapter_cmd;
        t->arg = spec + 4;
    } else {
        return usage("--target '%s': clid, sip:HOST:PORT or cmd:COMMAND", word);
    }
    if (t->name[0] == '\0') {
        if (t->kind == CONFORM_CMD)
            conform_fmt(t->name, sizeof t->name, "cmd%zu", index + 1);
        else
            conform_fmt(t->name, sizeof t->name, "%.63s", spec);
    }
    return TOOL_EXIT_OK;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0755) != 0 && errno != EEXIST) {
        tool_error("conform run: %s: %s", path, strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

/* Waits for serve's ready file ({"port": N, "pid": P}, written atomically);
 * the port, or 0 when the server ended or did not get ready in time. */
static unsigned wait_ready(const char *path, int *pid)
{
    /* 60 s: a server under ASan on a busy machine starts in well under that. */
    for (int i = 0; i < 3000; i++) {
        json_t *j = json_load_file(path, 0, NULL);
        if (j != NULL) {
            json_int_t port = json_integer_value(json_object_get(j, "port"));
            json_decref(j);
            if (port > 0 && port < 65536)
                return (unsigned)port;
        }
        if (waitpid(*pid, NULL, WNOHANG) == *pid) {
            *pid = -1; /* reaped: its PID is no longer ours to signal */
            return 0;
        }
        poll(NULL, 0, 20);
    }
    return 0;
}

/* Without --suite: OUT/suite is prepared (TLS, routes), `clid conform serve`
 * started on it as a child on a port the kernel picks, and the suite
 * generated with that port in its base URL (CONFORM-SPEC "The results";
 * gen.h conform_gen_prepare). The server runs until the run ends. */
static int make_suite(const tool_args *a, const char *out, char **suite_dir, int *server_pid)
{
    char dir[4096], www[4096], cert[4096], key[4096], ready[4096], log[4096], exe[4096],
        base[64];
    *server_pid = -1;
    conform_fmt(dir, sizeof dir, "%s/suite", out);
    struct stat st;
    if (stat(dir, &st) == 0) {
        tool_error("conform run: %s exists already: give a new --out, or --suite %s to play "
                   "it again", dir, dir);
        return TOOL_EXIT_USAGE;
    }
    int rc = conform_gen_prepare(dir, "https://127.0.0.1");
    if (rc != TOOL_EXIT_OK)
        return rc;
    conform_fmt(www, sizeof www, "%s/www", dir);
    conform_fmt(cert, sizeof cert, "%s/pki/tls-server.pem", dir);
    conform_fmt(key, sizeof key, "%s/pki/tls-server.key", dir);
    conform_fmt(ready, sizeof ready, "%s/serve.ready", out);
    conform_fmt(log, sizeof log, "%s/logs/serve.log", out);
    /* The server is this very binary (same build, same sanitizers). */
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0 || (size_t)n >= sizeof exe - 1) {
        tool_error("conform run: cannot find the clid binary (/proc/self/exe)");
        return TOOL_EXIT_FAIL;
    }
    exe[n] = '\0';
    remove(ready);
    const char *argv[] = {exe, "conform", "serve", "--root", www, "--cert-pem", cert,
                          "--key-pem", key, "--port", "0", "--ready-file", ready, NULL};
    *server_pid = conform_proc_start(argv, log);
    if (*server_pid < 0) {
        tool_error("conform run: cannot start clid conform serve");
        return TOOL_EXIT_FAIL;
    }
    unsigned port = wait_ready(ready, server_pid);
    if (port == 0) {
        tool_error("conform run: clid conform serve did not get ready (log: %s)", log);
        return TOOL_EXIT_FAIL;
    }
    conform_fmt(base, sizeof base, "https://127.0.0.1:%u", port);
    conform_gen_opts g = {dir, base, a->value[OPT_SEED], 0, a->value[OPT_CATALOGUE]};
    if (a->seen[OPT_AT])
        (void)tool_parse_time(a->value[OPT_AT], &g.at); /* checked by the caller */
    fprintf(stderr, "conform run: x5u server pid %d on %s; generating %s\n", *server_pid, base,
            dir);
    if ((rc = conform_gen(&g)) != TOOL_EXIT_OK)
        return rc;
    *suite_dir = strdup(dir);
    return *suite_dir ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

static json_t *obs_json(const conform_target *t, const conform_obs *o)
{
    json_t *j = json_object();
    tool_json_put(j, "verstat", o->verstat[0] ? json_string(o->verstat) : json_null());
    tool_json_put(j, "sip", o->sip >= 0 ? json_integer(o->sip) : json_null());
    tool_json_put(j, "reason", t->kind == CONFORM_CLID && o->reason[0]
                                   ? json_string(o->reason) : json_null());
    tool_json_put(j, "detail", o->detail[0] ? tool_json_string(o->detail) : json_null());
    return j;
}

static json_t *case_json(const conform_case *c)
{
    json_t *j = json_object();
    static const char *const keys[] = {"group", "clause", "title"};
    tool_json_put(j, "name", json_string(c->name));
    for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
        const char *v = conform_json_str(c->json, keys[i]);
        tool_json_put(j, keys[i], v ? tool_json_string(v) : json_null());
    }
    tool_json_put(j, "expect", json_deep_copy(json_object_get(c->json, "expect")));
    return j;
}

static const char *const verdicts[] = {"pass", "fail", "known-deviation", "skipped", "error"};

/* Plays every case against t; appends to results, counts into totals. */
static void play(conform_target *t, const conform_suite *s, const conform_run_opts *o,
                 json_t *results, json_t *totals, int *ok)
{
    json_t *tot = json_object();
    for (size_t v = 0; v < sizeof verdicts / sizeof verdicts[0]; v++)
        tool_json_put(tot, verdicts[v], json_integer(0));
    int opened = t->ad->open(t, s, o) == 0;
    for (size_t i = 0; i < s->n; i++) {
        const conform_case *c = &s->cases[i];
        conform_obs obs;
        memset(&obs, 0, sizeof obs);
        obs.sip = -1;
        char why[CONFORM_DETAIL_MAX + 256];
        const char *verdict;
        const char *skip = conform_skip(t, c);
        if (skip != NULL) {
            verdict = "skipped";
            conform_fmt(why, sizeof why, "%s", skip);
        } else if (!opened) {
            obs.error = 1;
            conform_fmt(obs.detail, sizeof obs.detail, "the target could not be prepared");
            verdict = conform_verdict(t, c, &obs, why, sizeof why);
        } else {
            t->ad->ask(t, s, c, o, &obs);
            verdict = conform_verdict(t, c, &obs, why, sizeof why);
        }
        if (strcmp(verdict, "fail") == 0 || strcmp(verdict, "error") == 0)
            *ok = 0;
        json_t *r = json_object();
        tool_json_put(r, "case", json_string(c->name));
        tool_json_put(r, "target", json_string(t->name));
        tool_json_put(r, "observed", skip ? json_null() : obs_json(t, &obs));
        tool_json_put(r, "verdict", json_string(verdict));
        tool_json_put(r, "why", why[0] ? tool_json_string(why) : json_null());
        tool_json_push(results, r);
        json_t *cnt = json_object_get(tot, verdict);
        json_integer_set(cnt, json_integer_value(cnt) + 1);
        fprintf(stderr, "conform run: %s: %s: %s\n", t->name, c->name, verdict);
    }
    if (opened)
        t->ad->close(t);
    tool_json_put(totals, t->name, tot);
}

static int write_reports(const json_t *res, const tool_args *a)
{
    /* The text matrix on standard output unless --text says where. */
    conform_report_out ro = {a->seen[OPT_TEXT] ? NULL : stdout, a->value[OPT_TEXT],
                             a->value[OPT_JSON], a->value[OPT_HTML]};
    return conform_report_write(res, &ro);
}

int conform_run_cmd(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("conform run", "conform", argc - 1, argv + 1, run_opts, NOPTS, &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[OPT_HELP]) {
        conform_run_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 0)
        return usage("unexpected operand '%s'", a.pos[0]);
    if (!a.seen[OPT_TARGET] || !a.seen[OPT_OUT])
        return usage("%s", "--target and --out are required");
    if (a.seen[OPT_TARGET] > CONFORM_MAX_TARGETS)
        return usage("%s", "too many targets");
    conform_run_opts o = {a.value[OPT_OUT], CONFORM_DEFAULT_TIMEOUT, 0, NULL};
    if (a.seen[OPT_TIMEOUT]) {
        char *end = NULL;
        unsigned long v = strtoul(a.value[OPT_TIMEOUT], &end, 10);
        if (*end != '\0' || a.value[OPT_TIMEOUT][0] == '-' || v == 0 || v > 3600)
            return usage("--timeout '%s': 1..3600 seconds", a.value[OPT_TIMEOUT]);
        o.timeout = (unsigned)v;
    }
    if (a.seen[OPT_SIP_UAS]) {
        char *end = NULL;
        unsigned long v = strtoul(a.value[OPT_SIP_UAS], &end, 10);
        if (*end != '\0' || v == 0 || v > 65535)
            return usage("--sip-uas '%s': a UDP port", a.value[OPT_SIP_UAS]);
        o.sip_uas_port = (unsigned)v;
    }
    if (a.seen[OPT_AT]) {
        int64_t at;
        if (tool_parse_time(a.value[OPT_AT], &at) != 0)
            return usage("--at '%s': not Unix seconds or RFC 3339", a.value[OPT_AT]);
    }
    if (a.seen[OPT_SUITE] && (a.seen[OPT_SEED] || a.seen[OPT_AT] || a.seen[OPT_CATALOGUE]))
        return usage("%s", "--suite: the suite is made already (no --seed, --at, --catalogue)");

    conform_target targets[CONFORM_MAX_TARGETS];
    size_t nt = 0;
    for (int i = 0; i < a.seen[OPT_TARGET]; i++) {
        if ((rc = parse_target(a.values[OPT_TARGET][i], &targets[nt], nt)) != TOOL_EXIT_OK)
            return rc;
        for (size_t k = 0; k < nt; k++)
            if (strcmp(targets[k].name, targets[nt].name) == 0)
                return usage("--target: two targets named '%s' (use NAME=SPEC)",
                             targets[nt].name);
        nt++;
    }

    conform_suite s;
    memset(&s, 0, sizeof s);
    json_t *res = NULL;
    char *suite_dir = NULL;
    int server = -1;
    char logs[4096];
    conform_fmt(logs, sizeof logs, "%s/logs", o.out);
    if ((rc = make_dir(o.out)) != TOOL_EXIT_OK || (rc = make_dir(logs)) != TOOL_EXIT_OK)
        goto out;
    if (a.seen[OPT_SUITE]) {
        suite_dir = strdup(a.value[OPT_SUITE]);
    } else if ((rc = make_suite(&a, o.out, &suite_dir, &server)) != TOOL_EXIT_OK) {
        goto out;
    }
    if (suite_dir == NULL || (rc = conform_suite_load(suite_dir, &s)) != TOOL_EXIT_OK) {
        rc = rc ? rc : TOOL_EXIT_FAIL;
        goto out;
    }
    for (int i = 0; i < a.seen[OPT_EXPECT]; i++) {
        const char *w = a.values[OPT_EXPECT][i];
        const char *eq = strchr(w, '=');
        size_t k = 0;
        for (; eq && k < nt; k++)
            if (strlen(targets[k].name) == (size_t)(eq - w) &&
                strncmp(targets[k].name, w, (size_t)(eq - w)) == 0)
                break;
        if (eq == NULL || k == nt || eq[1] == '\0') {
            rc = usage("--expect '%s': TARGET=FILE, TARGET a --target's name", w);
            goto out;
        }
        if (targets[k].deviations != NULL) {
            rc = usage("--expect '%s': a second file for that target", w);
            goto out;
        }
        if ((rc = conform_expect_load(&targets[k], eq + 1, &s)) != TOOL_EXIT_OK)
            goto out;
    }

    res = json_object();
    json_t *tj = json_array(), *cj = json_array(), *results = json_array(),
           *totals = json_object();
    tool_json_put(res, "version", json_integer(1));
    tool_json_put(res, "suite", json_deep_copy(s.json));
    for (size_t k = 0; k < nt; k++) {
        json_t *t = json_object();
        tool_json_put(t, "name", tool_json_string(targets[k].name));
        tool_json_put(t, "spec", tool_json_string(targets[k].spec));
        tool_json_put(t, "expect_file", targets[k].expect_file
                                            ? tool_json_string(targets[k].expect_file)
                                            : json_null());
        tool_json_push(tj, t);
    }
    for (size_t i = 0; i < s.n; i++)
        tool_json_push(cj, case_json(&s.cases[i]));
    int ok = 1;
    for (size_t k = 0; k < nt; k++)
        play(&targets[k], &s, &o, results, totals, &ok);
    tool_json_put(res, "targets", tj);
    tool_json_put(res, "cases", cj);
    tool_json_put(res, "results", results);
    tool_json_put(res, "totals", totals);
    tool_json_put(res, "ok", json_boolean(ok));

    char path[4096];
    conform_fmt(path, sizeof path, "%s/results.json", o.out);
    FILE *f = fopen(path, "w");
    if (f == NULL || tool_json_print(f, res) != 0 || fclose(f) != 0) {
        tool_error("conform run: cannot write %s", path);
        rc = TOOL_EXIT_FAIL;
        goto out;
    }
    if ((rc = write_reports(res, &a)) != TOOL_EXIT_OK)
        goto out;
    rc = ok ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
out:
    if (server > 0)
        conform_proc_stop(server);
    for (size_t k = 0; k < nt; k++)
        json_decref(targets[k].deviations);
    json_decref(res);
    conform_suite_free(&s);
    free(suite_dir);
    return rc;
}
