/*
 * clid conform: the conformance suite of interop events (docs/interop.md,
 * issue 9). cmd_conform.c dispatches `clid conform SUBCOMMAND`; each part
 * declares its subcommand here (one block per part; the parts are built on
 * separate branches and merged, so keep the blocks apart).
 */
#ifndef CLID_TOOL_CONFORM_H
#define CLID_TOOL_CONFORM_H

#include <stdio.h>

/* A subcommand: argv[0] is its name ("serve"); returns an exit code. */
typedef struct conform_sub {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*help)(FILE *f);
} conform_sub;

/* run (run.c): plays a generated suite against verifiers, writes results.json. */
int conform_run_cmd(int argc, char **argv);
void conform_run_help(FILE *f);

/* serve (serve.c): the suite's x5u / CRL server (serve.h). */
int conform_serve_cmd(int argc, char **argv);
void conform_serve_help(FILE *f);

/* report (report.c): renders a results.json as text, JSON and HTML. */
int conform_report_cmd(int argc, char **argv);
void conform_report_help(FILE *f);

/* grade (grade.c): explains every defect of a participant's signer output. */
int conform_grade_cmd(int argc, char **argv);
void conform_grade_help(FILE *f);
/* gen (gen_cmd.c): materializes the catalogue (gen.h). */
int conform_gen_cmd(int argc, char **argv);
void conform_gen_help(FILE *f);

#endif /* CLID_TOOL_CONFORM_H */
