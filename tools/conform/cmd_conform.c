/*
 * clid conform SUBCOMMAND ...: the conformance suite of interop events
 * (docs/interop.md). One row per subcommand; each part of the suite adds
 * its own row (gen, serve, run, report, grade).
 */
#include <string.h>

#include "commands.h"
#include "conform/conform.h"
#include "util.h"

static const conform_sub subs[] = {
    {"run", "play a generated suite against verifiers (clid, SIP via SIPp, a command)",
     conform_run_cmd, conform_run_help},
    {"gen", "materialize the catalogue: PKI, served files, one SIP INVITE per case",
     conform_gen_cmd, conform_gen_help},
    {"serve", "serve a suite's x5u chains and CRLs over HTTPS on loopback (routes.json)",
     conform_serve_cmd, conform_serve_help},
    {"report", "render a results.json as a text matrix, JSON and a self-contained HTML page",
     conform_report_cmd, conform_report_help},
    {"grade", "explain every defect of Identity values or SIP requests a signer produced",
     conform_grade_cmd, conform_grade_help},
};
#define NSUBS (sizeof subs / sizeof subs[0])

void cmd_conform_help(FILE *f)
{
    fputs("usage: clid conform SUBCOMMAND [arguments]\n"
          "       clid conform SUBCOMMAND --help\n"
          "\n"
          "The conformance suite of interop events (docs/interop.md).\n"
          "\n"
          "subcommands:\n",
          f);
    for (size_t i = 0; i < NSUBS; i++)
        fprintf(f, "  %-8s%s\n", subs[i].name, subs[i].summary);
}

int cmd_conform(int argc, char **argv)
{
    if (argc < 2) {
        cmd_conform_help(stderr);
        return TOOL_EXIT_USAGE;
    }
    for (size_t i = 0; i < NSUBS; i++)
        if (strcmp(argv[1], subs[i].name) == 0)
            return subs[i].run(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        cmd_conform_help(stdout);
        return TOOL_EXIT_OK;
    }
    return tool_usage_error("conform", "conform", "unknown subcommand '%s'", argv[1]);
}
