/* clid cert lint: a chain against a certificate profile (certlint.c). */
#ifndef CLID_TOOL_CERTLINT_H
#define CLID_TOOL_CERTLINT_H

#include <stdio.h>

int cert_lint(int argc, char **argv);
void cert_lint_help(FILE *f);

#endif /* CLID_TOOL_CERTLINT_H */
