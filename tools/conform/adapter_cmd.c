/*
 * Target "cmd:COMMAND": any verifier behind a command line. COMMAND is
 * run by /bin/sh with the case's directory (case.json, invite.sip)
 * appended as its last argument; it answers on standard output:
 *   line 1:            TN-Validation-Passed | TN-Validation-Failed | No-TN-Validation
 *   a line "sip: N"    optional: the SIP response it would send (0: passed on)
 * Its exit status is not read (verifiers such as `clid verify` exit 1 on a
 * failed call). It has --timeout seconds per case; one that runs out of
 * time, dies of a signal, cannot be started or answers no verstat is an
 * error verdict for that case, and the run goes on. Its standard error is
 * kept in OUT/logs/TARGET.stderr (appended, a header line per case).
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "conform/run.h"
#include "util.h"

typedef struct cmd_state {
    char *errlog;
} cmd_state;

static int cmd_open(conform_target *t, const conform_suite *s, const conform_run_opts *o)
{
    (void)s;
    cmd_state *st = calloc(1, sizeof *st);
    size_t n = strlen(o->out) + strlen(t->name) + 32;
    if (st == NULL || (st->errlog = malloc(n)) == NULL) {
        free(st);
        tool_error("conform run: out of memory");
        return -1;
    }
    snprintf(st->errlog, n, "%s/logs/%s.stderr", o->out, t->name);
    t->state = st;
    return 0;
}

static void cmd_close(conform_target *t)
{
    cmd_state *st = t->state;
    if (st != NULL)
        free(st->errlog);
    free(st);
    t->state = NULL;
}

static int is_verstat(const char *s)
{
    return strcmp(s, "TN-Validation-Passed") == 0 || strcmp(s, "TN-Validation-Failed") == 0 ||
           strcmp(s, "No-TN-Validation") == 0;
}

/* Parses the answer; 0, or -1 with obs->detail saying what was wrong. */
static int parse_answer(char *text, conform_obs *obs)
{
    obs->sip = -1; /* none given: not compared */
    char *save = NULL;
    int first = 1;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        if (first) {
            first = 0;
            if (!is_verstat(line)) {
                char *safe = tool_sanitize(line, len > 64 ? 64 : len);
                conform_fmt(obs->detail, sizeof obs->detail,
                            "the first line is no verstat: '%s'", safe ? safe : "");
                free(safe);
                return -1;
            }
            conform_fmt(obs->verstat, sizeof obs->verstat, "%s", line);
            continue;
        }
        if (strncmp(line, "sip:", 4) == 0) {
            char *end = NULL;
            const char *v = line + 4;
            while (*v == ' ')
                v++;
            long code = strtol(v, &end, 10);
            if (end == v || *end != '\0' || code < 0 || code > 699 ||
                (code > 0 && code < 100)) {
                conform_fmt(obs->detail, sizeof obs->detail, "bad 'sip:' line");
                return -1;
            }
            obs->sip = (int)code;
        }
    }
    if (first) {
        conform_fmt(obs->detail, sizeof obs->detail, "no answer on standard output");
        return -1;
    }
    return 0;
}

static void cmd_ask(conform_target *t, const conform_suite *s, const conform_case *c,
                    const conform_run_opts *o, conform_obs *obs)
{
    (void)s;
    cmd_state *st = t->state;
    FILE *ef = fopen(st->errlog, "a");
    if (ef != NULL) {
        fprintf(ef, "=== case %s\n", c->name);
        fclose(ef);
    }
    /* sh -c 'COMMAND "$1"' sh CASEDIR: the directory is one argument,
     * whatever it contains. */
    size_t n = strlen(t->arg) + 8;
    char *script = malloc(n);
    char *out = malloc(CONFORM_CMD_OUTPUT);
    if (script == NULL || out == NULL) {
        free(script);
        free(out);
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "out of memory");
        return;
    }
    snprintf(script, n, "%s \"$1\"", t->arg);
    const char *argv[] = {"/bin/sh", "-c", script, "sh", c->dir, NULL};
    int status = 0;
    int rc = conform_proc_run(argv, st->errlog, o->timeout, out, CONFORM_CMD_OUTPUT, &status);
    if (rc == -2) {
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "no answer within %u s: killed", o->timeout);
    } else if (rc != 0) {
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "cannot start /bin/sh");
    } else if (WIFSIGNALED(status)) {
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "the command died of signal %d",
                    WTERMSIG(status));
    } else if (WIFEXITED(status) && (WEXITSTATUS(status) == 126 || WEXITSTATUS(status) == 127) &&
               out[0] == '\0') {
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "the command cannot be run (exit %d)",
                    WEXITSTATUS(status));
    } else if (parse_answer(out, obs) != 0) {
        obs->error = 1;
    }
    free(script);
    free(out);
}

const conform_adapter conform_adapter_cmd = {cmd_open, cmd_ask, cmd_close};
