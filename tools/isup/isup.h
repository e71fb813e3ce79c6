/*
 * clid isup decode|encode, and what clid sign/verify --isup share with them
 * (docs/cli.md "clid isup"). Public API only (clid_isup.h).
 */
#ifndef CLID_TOOL_ISUP_H
#define CLID_TOOL_ISUP_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* --apm-context N: the Q.763 §3.82 application context identifier, 1..127
 * (0 is "unidentified context"); TOOL_EXIT_USAGE naming `cmd` otherwise. */
int tool_isup_apm_context(const char *cmd, const char *v, unsigned *out);

/* The name of an ISUP parameter code (Q.763 Table 5) clid knows, else NULL. */
const char *tool_isup_param_name(unsigned code);

int isup_decode(int argc, char **argv);
int isup_encode(int argc, char **argv);

#endif /* CLID_TOOL_ISUP_H */
