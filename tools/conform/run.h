/*
 * clid conform run: plays a generated suite (CONFORM-SPEC "The generated
 * suite") against verifiers and records what each one did with each case
 * (CONFORM-SPEC "The results").
 *
 * run.c          the command: options, the x5u server and the generator
 *                (or --suite DIR), the loop over targets and cases,
 *                results.json, the exit status
 * run_suite.c    reading suite.json and cases/NAME/case.json
 * run_verdict.c  verdicts and expectation files (--expect TARGET=FILE)
 * adapter_clid.c target "clid": the public API in process
 * adapter_cmd.c  target "cmd:COMMAND": a process per case, with a timeout
 * adapter_sip.c  target "sip:HOST:PORT": SIPp per case, a SIPp UAS that
 *                records what the target forwards
 *
 * Every observation comes from a participant's verifier: strings are
 * bounded and kept as data (the reports escape them), never interpreted.
 */
#ifndef CLID_TOOL_CONFORM_RUN_H
#define CLID_TOOL_CONFORM_RUN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define CONFORM_MAX_TARGETS 16
#define CONFORM_MAX_CASES 1024
#define CONFORM_NAME_MAX 48       /* case names: [a-z0-9-]{1,48} */
#define CONFORM_DETAIL_MAX 512    /* an observed detail or why, at most */
#define CONFORM_CMD_OUTPUT 65536  /* what a cmd: target may print per case */
#define CONFORM_DEFAULT_TIMEOUT 15 /* seconds a target has per case */

/* One case of the generated suite. */
typedef struct conform_case {
    const char *name; /* in json */
    char *dir;        /* SUITE/cases/NAME */
    json_t *json;     /* case.json (the catalogue entry plus "call") */
} conform_case;

typedef struct conform_suite {
    char *dir;
    json_t *json; /* suite.json */
    conform_case *cases;
    size_t n;
} conform_suite;

typedef enum { CONFORM_CLID, CONFORM_SIP, CONFORM_CMD } conform_kind;

/* What a target did with one case. */
typedef struct conform_obs {
    char verstat[32]; /* "" when it gave none */
    int sip;          /* final SIP status; 0 = passed on (not rejected); -1 = none */
    char reason[64];  /* clid's reason name (target clid only), else "" */
    char detail[CONFORM_DETAIL_MAX];
    int error;        /* 1: the target could not be asked; detail says why */
} conform_obs;

typedef struct conform_run_opts {
    const char *out;   /* the run's directory (logs under OUT/logs/) */
    unsigned timeout;  /* seconds per case */
    unsigned sip_uas_port; /* where a sip: target forwards accepted calls; 0: none */
    const char *sipp_dir;  /* the SIPp scenarios (uac.xml, uas.xml) */
} conform_run_opts;

typedef struct conform_target conform_target;

typedef struct conform_adapter {
    /* Prepares the target for the suite; 0, or -1 with a message printed. */
    int (*open)(conform_target *t, const conform_suite *s, const conform_run_opts *o);
    /* Asks the target about one case; fills *obs (obs->error when it could not). */
    void (*ask)(conform_target *t, const conform_suite *s, const conform_case *c,
                const conform_run_opts *o, conform_obs *obs);
    void (*close)(conform_target *t);
} conform_adapter;

struct conform_target {
    char name[64];       /* "clid", "kamailio" (NAME=SPEC) or the spec itself */
    const char *spec;    /* "clid", "sip:127.0.0.1:5070", "cmd:..." */
    conform_kind kind;
    const char *arg;     /* after "sip:" / "cmd:" */
    const char *expect_file;
    json_t *deviations;  /* the expectation file's "deviations", or NULL */
    const conform_adapter *ad;
    void *state;
};

extern const conform_adapter conform_adapter_clid;
extern const conform_adapter conform_adapter_cmd;
extern const conform_adapter conform_adapter_sip;

/* run_suite.c: loads DIR/suite.json and every case; 0, or a TOOL_EXIT code
 * with a message printed. */
int conform_suite_load(const char *dir, conform_suite *s);
void conform_suite_free(conform_suite *s);
/* "SUITE/REL" for a path suite.json gives relative to the suite (malloc). */
char *conform_suite_path(const conform_suite *s, const char *rel);
/* A string member of a JSON object, or NULL. */
const char *conform_json_str(const json_t *o, const char *key);

/* run_verdict.c: loads --expect FILE into t; 0, or a TOOL_EXIT code. */
int conform_expect_load(conform_target *t, const char *path, const conform_suite *s);
/* The verdict for `obs` of target t on case c, and why in why[cap]. A case
 * the target must skip (needs) is decided before asking: conform_skip. */
const char *conform_verdict(const conform_target *t, const conform_case *c,
                            const conform_obs *obs, char *why, size_t cap);
/* Non-NULL (the reason) when t must not be asked about c. */
const char *conform_skip(const conform_target *t, const conform_case *c);

/*
 * run_proc.c: child processes, each in its own process group (so a
 * timeout ends the whole tree it started, by that group's ID).
 * conform_proc_run runs argv (PATH searched) with standard input from
 * /dev/null, standard output captured into out[cap] (NUL-terminated, the
 * rest read and dropped), standard error appended to errpath (NULL:
 * /dev/null), for at most timeout_s seconds. Returns 0 when it ended
 * (*status as waitpid), -1 when it could not start, -2 when it ran out of
 * time (then killed and reaped).
 */
int conform_proc_run(const char *const argv[], const char *errpath, unsigned timeout_s, char *out,
                     size_t cap, int *status);
/* Starts argv in the background, output to logpath; its PID, or -1. */
int conform_proc_start(const char *const argv[], const char *logpath);
/* SIGTERM to pid (and its group), SIGKILL after 5 s, reaped. */
void conform_proc_stop(int pid);

/*
 * run_sip.c: the sip: target's parsing.
 * conform_sip_split_invite splits the case's INVITE msg[0..len) (NUL-
 * terminated, CRLF line ends) into SIPp's keys: *ruri (the Request-URI,
 * a sip: URI's host part replaced by `target`), *hdrs (every header field,
 * folded lines with their field, but those SIPp writes: Via, Call-ID,
 * CSeq, Contact, Max-Forwards, Content-Length, full or compact), *body
 * (trailing CRLFs dropped: SIPp ends the last line). malloc'ed, also on
 * failure (free them); 0, or -1 with detail[cap] saying why.
 * conform_sip_read_trace fills obs from SIPp's -trace_msg file: the last
 * final response received for Call-ID `cid` (run.h conform_obs; the rules
 * in adapter_sip.c).
 */
int conform_sip_split_invite(const char *msg, size_t len, const char *target, char **ruri,
                             char **hdrs, char **body, char *detail, size_t cap);
void conform_sip_read_trace(const char *path, const char *cid, conform_obs *obs);

/* One formatted line into buf[cap], truncated, never NUL-less. */
void conform_fmt(char *buf, size_t cap, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif /* CLID_TOOL_CONFORM_RUN_H */
