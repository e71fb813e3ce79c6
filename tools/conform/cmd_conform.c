/*
 * clid conform SUBCOMMAND ...: the conformance suite (issue 9).
 * One row per subcommand; each part of the suite adds its own.
 */
#include <string.h>

#include "commands.h"
#include "conform/conform.h"
#include "util.h"

typedef struct conform_sub {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
    void (*help)(FILE *f);
} conform_sub;

static const conform_sub subs[] = {
    {"gen", "materialize the catalogue: PKI, served files, one SIP INVITE per case",
     conform_gen_cmd, conform_gen_help},
};
#define NSUBS (sizeof subs / sizeof subs[0])

void cmd_conform_help(FILE *f)
{
    fputs("usage: clid conform <subcommand> [arguments]\n\nsubcommands:\n", f);
    for (size_t i = 0; i < NSUBS; i++)
        fprintf(f, "  %-8s%s\n", subs[i].name, subs[i].summary);
    fputs("\n`clid conform <subcommand> --help` for each. Manual: docs/interop.md\n", f);
}

int cmd_conform(int argc, char **argv)
{
    if (argc < 2)
        return tool_usage_error("conform", "conform", "expects a subcommand");
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        cmd_conform_help(stdout);
        return TOOL_EXIT_OK;
    }
    for (size_t i = 0; i < NSUBS; i++)
        if (strcmp(subs[i].name, sub) == 0)
            return subs[i].run(argc - 1, argv + 1);
    return tool_usage_error("conform", "conform", "unknown subcommand '%s'", sub);
}
