/*
 * clid isup decode|encode: see isup.h and docs/cli.md "clid isup".
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "isup/isup.h"

void cmd_isup_help(FILE *f)
{
    fputs("usage: clid isup decode [--json] [--country-code CC] [--apm-context N] FILE|-\n"
          "       clid isup encode [--sipi] [--output FILE] FILE|-\n"
          "\n"
          "decode: reads a raw ISUP IAM (from the message type code 0x01 on, as RFC 3204\n"
          "bodies carry it) or a SIP-I request (its application/ISUP part) and prints\n"
          "every parameter: the fixed part, the numbers decoded (nature of address,\n"
          "indicators, digits, the E.164 TN), every optional parameter raw, each\n"
          "Application Transport Parameter's context, segmentation and length, and\n"
          "clid's CLI token when the APM of --apm-context carries one (rebuilt as an\n"
          "Identity header value and its claims).\n"
          "encode: builds an IAM from a JSON description (docs/cli.md) and writes it\n"
          "raw, or with --sipi a SIP-I INVITE carrying it (multipart/mixed with SDP).\n"
          "\n"
          "  --json             decode: print one JSON object\n"
          "  --country-code CC  decode: for national numbers (default 1)\n"
          "  --apm-context N    decode: the token's APM context, 1..127 (default 90)\n"
          "  --sipi             encode: write a SIP-I INVITE, not the raw IAM\n"
          "  --output FILE      encode: write there, not to standard output\n"
          "\n"
          "exit status: 0 done, 64 usage, 65 the input is not an IAM / SIP-I request /\n"
          "description clid accepts, 66 unreadable input\n",
          f);
}

int tool_isup_apm_context(const char *cmd, const char *v, unsigned *out)
{
    char *end = NULL;
    unsigned long n = strtoul(v, &end, 10);
    if (v[0] < '0' || v[0] > '9' || *end != '\0' || n < 1 || n > 127)
        return tool_usage_error(cmd, cmd, "--apm-context: 1..127, not '%s'", v);
    *out = (unsigned)n;
    return TOOL_EXIT_OK;
}

const char *tool_isup_param_name(unsigned code)
{
    /* Q.763 Table 5, the parameters an IAM commonly carries. */
    static const struct {
        unsigned code;
        const char *name;
    } names[] = {
        {0x04, "called_party_number"},        {0x0A, "calling_party_number"},
        {0x0B, "redirecting_number"},         {0x28, "original_called_number"},
        {0xC0, "generic_number"},             {0x78, "application_transport"},
        {0x03, "access_transport"},           {0x08, "optional_forward_call_indicators"},
        {0x13, "redirection_information"},    {0x1D, "user_service_information"},
        {0x21, "user_to_user_information"},   {0x31, "propagation_delay_counter"},
        {0x39, "parameter_compatibility"},    {0x3D, "hop_counter"},
        {0x3F, "location_number"},            {0x1A, "closed_user_group_interlock_code"},
        {0x2B, "connection_request"},         {0xC1, "generic_digits"},
        {0x23, "transit_network_selection"},  {0xC3, "correlation_id"},
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (names[i].code == code)
            return names[i].name;
    return NULL;
}

int cmd_isup(int argc, char **argv)
{
    if (argc < 2) {
        cmd_isup_help(stderr);
        return TOOL_EXIT_USAGE;
    }
    if (strcmp(argv[1], "decode") == 0)
        return isup_decode(argc - 1, argv + 1);
    if (strcmp(argv[1], "encode") == 0)
        return isup_encode(argc - 1, argv + 1);
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        cmd_isup_help(stdout);
        return TOOL_EXIT_OK;
    }
    return tool_usage_error("isup", "isup", "unknown subcommand '%s' (decode, encode)", argv[1]);
}
