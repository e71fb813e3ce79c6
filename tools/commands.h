/*
 * The clid tool's commands. main.c dispatches through a table of these;
 * a new command (sign, verify, ca, serve, trace) is one more row there and
 * one more cmd_<name>.c file.
 */
#ifndef CLID_TOOL_COMMANDS_H
#define CLID_TOOL_COMMANDS_H

#include <stdio.h>

typedef struct tool_cmd {
    const char *name;
    const char *summary;                /* one line for `clid help` */
    int (*run)(int argc, char **argv);  /* argv[0] is the command's name; returns an exit code */
    void (*help)(FILE *f);              /* full usage for `clid help <name>` */
} tool_cmd;

int cmd_cert(int argc, char **argv);
void cmd_cert_help(FILE *f);

int cmd_demo(int argc, char **argv);
void cmd_demo_help(FILE *f);

int cmd_sign(int argc, char **argv);
void cmd_sign_help(FILE *f);

int cmd_verify(int argc, char **argv);
void cmd_verify_help(FILE *f);

int cmd_ca(int argc, char **argv);
/* `clid ca ARGS...` (NULL-terminated, at most 38) in process with its stdout
 * (serials, profiles) discarded; its errors still reach stderr, and a
 * failure is reported as "WHO: clid ca SUB failed". For tools that build
 * a PKI (conform gen, serve --demo): same binary, no fork per certificate. */
int cmd_ca_quiet(const char *who, const char *first, ...);
void cmd_ca_help(FILE *f);

int cmd_conform(int argc, char **argv);
void cmd_conform_help(FILE *f);

int cmd_serve(int argc, char **argv);
void cmd_serve_help(FILE *f);

int cmd_trace(int argc, char **argv);
void cmd_trace_help(FILE *f);

int cmd_oob(int argc, char **argv);
void cmd_oob_help(FILE *f);

int cmd_isup(int argc, char **argv);
void cmd_isup_help(FILE *f);

#endif /* CLID_TOOL_COMMANDS_H */
