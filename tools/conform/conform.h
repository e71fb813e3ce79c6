/*
 * clid conform: the conformance suite of issue 9 (docs/interop.md).
 *   clid conform gen ...     materialize the catalogue (gen.h)
 * Each part adds its subcommand here and in cmd_conform.c.
 */
#ifndef CLID_TOOL_CONFORM_H
#define CLID_TOOL_CONFORM_H

#include <stdio.h>

int cmd_conform(int argc, char **argv);
void cmd_conform_help(FILE *f);

/* clid conform gen ARGS (argv[0] is "gen") */
int conform_gen_cmd(int argc, char **argv);
void conform_gen_help(FILE *f);

#endif /* CLID_TOOL_CONFORM_H */
