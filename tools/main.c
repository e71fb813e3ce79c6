/*
 * clid: one multi-command tool over the public libclid API.
 *
 *   clid <command> [subcommand] [arguments]
 *   clid help [command]
 *   clid --version
 *
 * Exit codes (docs/cli.md): 0 ok, 1 the operation failed, 64 usage error,
 * 65 bad input data, 66 input cannot be read.
 */
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include <clid/clid.h>

#include "commands.h"
#include "util.h"

static const tool_cmd commands[] = {
    {"ca", "test CA for interop labs: root, intermediate, SP and delegate certificates, CRLs",
     cmd_ca, cmd_ca_help},
    {"cert", "show a certificate's fields and extensions; lint a chain against a profile", cmd_cert,
     cmd_cert_help},
    {"conform", "conformance suite for interop events: gen, serve (x5u/CRL server), run, report, grade", cmd_conform,
     cmd_conform_help},
    {"demo", "make a throwaway certificate with TNAuthList and SignallingEntity, and show it",
     cmd_demo, cmd_demo_help},
    {"isup", "ISUP IAM and SIP-I: decode every parameter (and the CLI token), encode from JSON",
     cmd_isup, cmd_isup_help},
    {"oob", "out-of-band SHAKEN: publish PASSporTs to a CPS, retrieve and verify them",
     cmd_oob, cmd_oob_help},
    {"serve", "STI-AS/STI-VS REST service: sign and verify over HTTP (--config FILE | --demo)",
     cmd_serve, cmd_serve_help},
    {"sign", "sign a call's claims: print an Identity header value (RFC 8224)", cmd_sign,
     cmd_sign_help},
    {"trace", "verify every call in a pcap/pcapng capture, a SIP log, or live (-i IFACE)",
     cmd_trace, cmd_trace_help},
    {"verify", "verify an Identity header value: verstat, reason, SIP status", cmd_verify,
     cmd_verify_help},
};
#define NCOMMANDS (sizeof commands / sizeof commands[0])

static const tool_cmd *find_command(const char *name)
{
    for (size_t i = 0; i < NCOMMANDS; i++)
        if (strcmp(commands[i].name, name) == 0)
            return &commands[i];
    return NULL;
}

static void usage(FILE *f)
{
    fputs("usage: clid <command> [arguments]\n"
          "       clid help [command]\n"
          "       clid --version\n"
          "\n"
          "commands:\n",
          f);
    for (size_t i = 0; i < NCOMMANDS; i++)
        fprintf(f, "  %-8s%s\n", commands[i].name, commands[i].summary);
    fputs("\n"
          "exit status: 0 ok, 1 operation failed, 64 usage error, 65 bad input data,\n"
          "66 input cannot be read. Manual: docs/cli.md\n",
          f);
}

static int help(int argc, char **argv)
{
    if (argc == 0) {
        usage(stdout);
        return TOOL_EXIT_OK;
    }
    const tool_cmd *c = find_command(argv[0]);
    if (c == NULL || argc > 1)
        return tool_usage_error("help", NULL, "no such command '%s'", argv[0]);
    c->help(stdout);
    return TOOL_EXIT_OK;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return TOOL_EXIT_USAGE;
    }
    const char *word = argv[1];
    if (strcmp(word, "--version") == 0) {
        /* The header version and the linked library's can differ after an upgrade. */
        printf("clid %s (libclid %s; %s)\n", CLID_VERSION_STRING, clid_version(),
               OpenSSL_version(OPENSSL_VERSION));
        return TOOL_EXIT_OK;
    }
    if (strcmp(word, "help") == 0 || strcmp(word, "--help") == 0 || strcmp(word, "-h") == 0)
        return help(argc - 2, argv + 2);
    const tool_cmd *c = find_command(word);
    if (c == NULL)
        return tool_usage_error(word, NULL, "unknown command");
    return c->run(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
    int rc = run(argc, argv);
    /* Output that could not be written is a failure, not a success. */
    if (fflush(stdout) != 0 || ferror(stdout)) {
        if (rc == TOOL_EXIT_OK) {
            tool_error("cannot write to standard output");
            rc = TOOL_EXIT_FAIL;
        }
    }
    return rc;
}
