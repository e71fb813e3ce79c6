/*
 * clid cert show FILE [--json]
 * clid cert lint FILE... [--profile shaken|q3063] [--at TIME] [--json] (certlint.c)
 *
 * `show` reads a DER certificate or a PEM file (every CERTIFICATE block is
 * shown, in file order) and prints its fields and decoded extensions. Any
 * extension that does not decode strictly refuses the whole file: a
 * display tool that skipped the bad field would hide exactly what the
 * verifier is going to reject.
 */
#include <stdlib.h>
#include <string.h>

#include "cert/certinfo.h"
#include "cert/certlint.h"
#include "commands.h"
#include "util.h"

void cmd_cert_help(FILE *f)
{
    fputs("usage: clid cert show FILE [--json]\n"
          "       clid cert lint FILE... [--profile shaken|q3063] [--at TIME] [--json]\n"
          "\n"
          "Prints a certificate's subject, issuer, serial, validity and key type, and\n"
          "decodes its TNAuthList (RFC 8226), JWTClaimConstraints (RFC 8226),\n"
          "EnhancedJWTClaimConstraints (RFC 9118) and SignallingEntity (clid's Q.3063\n"
          "profile) extensions with their critical flags.\n"
          "\n"
          "  FILE     DER certificate, or PEM with one or more CERTIFICATE blocks\n"
          "           (each is shown); '-' reads standard input; at most 1 MiB\n"
          "  --json   one JSON object: {\"file\": ..., \"certificates\": [...]}\n"
          "\n"
          "An extension that is not strict DER, is duplicated or violates its\n"
          "constraints refuses the file: one line on stderr, exit status 65.\n"
          "\n",
          f);
    cert_lint_help(f);
}

static const tool_opt show_opts[] = {
    {"--json", NULL, 0, 0},
    {"--help", "-h", 0, 0},
};
enum { OPT_JSON, OPT_HELP };

static int cert_show(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("cert show", "cert", argc, argv, show_opts,
                             sizeof show_opts / sizeof show_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[OPT_HELP]) {
        cmd_cert_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 1)
        return tool_usage_error("cert show", "cert", "expects exactly one FILE");

    const char *path = a.pos[0];
    uint8_t *buf = NULL;
    size_t len = 0;
    rc = tool_read_file(path, TOOL_MAX_FILE, &buf, &len);
    if (rc != TOOL_EXIT_OK)
        return rc;
    tool_certs certs = {.n = 0};
    rc = tool_parse_certs(path, buf, len, &certs);
    free(buf);
    if (rc != TOOL_EXIT_OK)
        return rc;
    rc = certinfo_show(path, path, &certs, a.seen[OPT_JSON]);
    tool_certs_free(&certs);
    return rc;
}

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
} subcommands[] = {
    {"show", cert_show},
    {"lint", cert_lint},
};

int cmd_cert(int argc, char **argv)
{
    if (argc < 2)
        return tool_usage_error("cert", "cert", "expects a subcommand (show, lint)");
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        cmd_cert_help(stdout);
        return TOOL_EXIT_OK;
    }
    for (size_t i = 0; i < sizeof subcommands / sizeof subcommands[0]; i++)
        if (strcmp(subcommands[i].name, sub) == 0)
            return subcommands[i].run(argc - 2, argv + 2);
    return tool_usage_error("cert", "cert", "unknown subcommand '%s'", sub);
}
