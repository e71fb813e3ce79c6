#include "conform/conform.h"
#include "util.h"
void conform_grade_help(FILE *f) { fputs("usage: clid conform grade\n", f); }
int conform_grade_cmd(int argc, char **argv) { (void)argc; (void)argv; return TOOL_EXIT_FAIL; }
