/*
 * clid oob publish|retrieve: see oob.h and docs/cli.md "clid oob".
 */
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "oob/oob.h"

const tool_opt oob_opts[OOB__COUNT] = {
    [OOB_CPS] = {"--cps", NULL, 1, 0},
    [OOB_AUD] = {"--aud", NULL, 1, 0},
    [OOB_KEY] = {"--key", NULL, 1, 0},
    [OOB_CERT] = {"--cert", NULL, 1, 0},
    [OOB_X5U] = {"--x5u", NULL, 1, 0},
    [OOB_ORIG] = {"--orig", NULL, 1, 0},
    [OOB_DEST] = {"--dest", NULL, 1, 0},
    [OOB_TIMEOUT] = {"--timeout", NULL, 1, 0},
    [OOB_CPS_HTTP] = {"--cps-allow-http", NULL, 0, 0},
    [OOB_CPS_PRIVATE] = {"--cps-allow-private", NULL, 0, 0},
    [OOB_CPS_CA] = {"--cps-ca", NULL, 1, 0},
    [OOB_HELP] = {"--help", "-h", 0, 0},
    [OOB_SPC] = {"--spc", NULL, 1, 0},
    [OOB_RETENTION] = {"--retention", NULL, 1, 0},
    [OOB_IDENTITY] = {"--identity", NULL, 1, 1},
    [OOB_SIP] = {"--sip", NULL, 1, 0},
    [OOB_TRUST] = {"--trust", NULL, 1, 1},
    [OOB_CRL] = {"--crl", NULL, 1, 1},
    [OOB_MAP] = {"--x5u-map", NULL, 1, 1},
    [OOB_AT] = {"--at", NULL, 1, 0},
    [OOB_MAX_AGE] = {"--max-age", NULL, 1, 0},
    [OOB_TN_POLICY] = {"--tn-policy", NULL, 1, 0},
    [OOB_PPT] = {"--accept-ppt", NULL, 1, 1},
    [OOB_REQ_ENTITY] = {"--require-entity", NULL, 0, 0},
    [OOB_STRICT] = {"--strict", NULL, 0, 0},
    [OOB_CERT_PROFILE] = {"--cert-profile", NULL, 1, 0},
    [OOB_CRL_SIGNER] = {"--crl-signer", NULL, 1, 1},
    [OOB_CRL_POLICY] = {"--crl-policy", NULL, 1, 0},
    [OOB_X5U_HTTP] = {"--allow-http-x5u", NULL, 0, 0},
    [OOB_X5U_PRIVATE] = {"--allow-private-x5u", NULL, 0, 0},
    [OOB_CACHE_DIR] = {"--cache-dir", NULL, 1, 0},
    [OOB_X5U_CA] = {"--x5u-ca", NULL, 1, 0},
    [OOB_CRL_FETCH] = {"--crl-fetch", NULL, 0, 0},
    [OOB_CRL_ALLOW] = {"--crl-url-allow", NULL, 1, 1},
};

void cmd_oob_help(FILE *f)
{
    fputs("usage: clid oob publish --cps URL --key FILE --cert FILE --x5u URL\n"
          "                        [--spc SPC] [--retention SECONDS]\n"
          "                        (--orig TN --dest TN (PASSPORT... | --identity VALUE...)\n"
          "                         | --sip FILE)\n"
          "       clid oob retrieve --cps URL --key FILE --cert FILE --x5u URL\n"
          "                        --orig TN --dest TN [--trust FILE]... [verify options]\n"
          "       common: [--aud AUD] [--timeout MS] [--cps-allow-http]\n"
          "               [--cps-allow-private] [--cps-ca FILE]\n"
          "\n"
          "Out-of-band SHAKEN through a Call Placement Service (RFC 9888, ATIS-1000096):\n"
          "publish a call's PASSporTs under its numbers, or retrieve them. Each request\n"
          "carries a bearer token signed with --key, whose certificate (--cert, served\n"
          "at --x5u) names the requester's SPC in its TNAuthList (docs/oob.md).\n"
          "\n"
          "  --cps URL          the CPS base URL (the client appends passports/DEST/ORIG);\n"
          "                     https, public addresses only unless allowed below\n"
          "  --aud AUD          the CPS's audience for the token (default: the URL's host)\n"
          "  --key FILE         the token signer's private key (EC P-256, PEM)\n"
          "  --cert FILE        its SHAKEN certificate (the token's iss is its SPC)\n"
          "  --x5u URL          where the CPS fetches that certificate\n"
          "  --orig TN, --dest TN  the call's numbers\n"
          "  --timeout MS       the whole request (default 1000)\n"
          "  --cps-allow-http   allow an http CPS URL\n"
          "  --cps-allow-private allow a CPS on loopback or private addresses\n"
          "  --cps-ca FILE      trust anchors for the CPS's TLS (default: system)\n"
          "publish:\n"
          "  PASSPORT...        full-form PASSporTs (h.c.s), at most 8\n"
          "  --identity VALUE   an Identity header value: its PASSporT; repeatable\n"
          "  --sip FILE         the PASSporTs of a SIP request's Identity headers, under\n"
          "                     its caller and callee (- for standard input)\n"
          "  --spc SPC          only a retriever with this SPC gets them (ATIS-1000105)\n"
          "  --retention S      seconds the CPS keeps them, 1..60 (default 60)\n"
          "  prints 'published: N' and 'status: CODE'\n"
          "retrieve:\n"
          "  prints each PASSporT on a line; with --trust, verifies them as Identity\n"
          "  headers of a call from --orig to --dest and prints the best verdict as\n"
          "  'clid verify' does (verstat, reason, sip, detail), and 'passport: INDEX'.\n"
          "  Verify options: --trust --crl --x5u-map --at --max-age --tn-policy\n"
          "  --accept-ppt --require-entity --strict --cert-profile --crl-signer\n"
          "  --crl-policy --allow-http-x5u --allow-private-x5u --cache-dir --x5u-ca\n"
          "  --crl-fetch --crl-url-allow (see 'clid help verify').\n"
          "\n"
          "exit status: publish 0 published, 1 the CPS refused or could not be reached;\n"
          "retrieve 0 TN-Validation-Passed (or, without --trust, PASSporTs retrieved),\n"
          "1 TN-Validation-Failed, 2 No-TN-Validation (no record, the CPS refused or\n"
          "could not be reached); 64 usage error, 65 input is not what it must be,\n"
          "66 an input file cannot be read\n",
          f);
}

static int load_error(const char *sub, const char *what, const char *path, clid_err e)
{
    tool_error("oob %s: %s: %s: %s: %s", sub, what, path, clid_err_name(e), clid_err_str(e));
    return e == CLID_ERR_IO ? TOOL_EXIT_NOINPUT : TOOL_EXIT_DATAERR;
}

static int setup_signer(const char *sub, const tool_args *a, oob_setup *s)
{
    clid_err e = clid_signer_new(&s->signer);
    if (e != CLID_OK) {
        tool_error("oob %s: %s", sub, clid_err_str(e));
        return TOOL_EXIT_FAIL;
    }
    if ((e = clid_signer_set_key_file(s->signer, a->value[OOB_KEY])) != CLID_OK)
        return load_error(sub, "key", a->value[OOB_KEY], e);
    if ((e = clid_signer_set_cert_file(s->signer, a->value[OOB_CERT])) != CLID_OK)
        return load_error(sub, "certificate", a->value[OOB_CERT], e);
    if ((e = clid_signer_set_x5u(s->signer, a->value[OOB_X5U])) != CLID_OK)
        return tool_usage_error("oob", "oob", "--x5u: %s: %s", clid_err_name(e),
                                clid_err_str(e));
    return TOOL_EXIT_OK;
}

static int setup_client(const char *sub, const tool_args *a, oob_setup *s)
{
    clid_err e = clid_fetcher_new(&s->policy);
    if (e == CLID_OK && a->seen[OOB_CPS_HTTP])
        e = clid_fetcher_allow_http(s->policy, 1);
    if (e == CLID_OK && a->seen[OOB_CPS_PRIVATE])
        e = clid_fetcher_allow_private(s->policy, 1);
    if (e != CLID_OK) {
        tool_error("oob %s: %s", sub, clid_err_str(e));
        return TOOL_EXIT_FAIL;
    }
    if (a->seen[OOB_CPS_CA] && (e = clid_fetcher_set_ca_file(s->policy, a->value[OOB_CPS_CA])) !=
                                   CLID_OK)
        return load_error(sub, "--cps-ca", a->value[OOB_CPS_CA], e);
    if ((e = clid_oob_client_new(s->policy, a->value[OOB_CPS], &s->client)) != CLID_OK)
        return tool_usage_error("oob", "oob", "--cps: %s: %s%s", clid_err_name(e),
                                clid_err_str(e),
                                e == CLID_ERR_X5U_URL_POLICY
                                    ? " (--cps-allow-http, --cps-allow-private?)"
                                    : "");
    if (a->seen[OOB_AUD] && clid_oob_client_set_aud(s->client, a->value[OOB_AUD]) != CLID_OK)
        return tool_usage_error("oob", "oob", "--aud: 1..128 printable ASCII characters");
    if (a->seen[OOB_TIMEOUT]) {
        char *end = NULL;
        unsigned long ms = strtoul(a->value[OOB_TIMEOUT], &end, 10);
        if (end == a->value[OOB_TIMEOUT] || *end != '\0' || ms < 1 || ms > 600000 ||
            clid_oob_client_set_timeout_ms(s->client, (unsigned)ms) != CLID_OK)
            return tool_usage_error("oob", "oob", "--timeout: milliseconds, 1..600000");
    }
    return TOOL_EXIT_OK;
}

int oob_setup_new(const char *sub, const tool_args *a, oob_setup *s)
{
    memset(s, 0, sizeof *s);
    static const int required[] = {OOB_CPS, OOB_KEY, OOB_CERT, OOB_X5U};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!a->seen[required[i]])
            return tool_usage_error("oob", "oob", "%s: %s is required", sub,
                                    oob_opts[required[i]].name);
    int rc = setup_signer(sub, a, s);
    return rc == TOOL_EXIT_OK ? setup_client(sub, a, s) : rc;
}

void oob_setup_free(oob_setup *s)
{
    clid_oob_client_free(s->client);
    clid_fetcher_free(s->policy);
    clid_signer_free(s->signer);
    memset(s, 0, sizeof *s);
}

int oob_refuse_range(const char *sub, const tool_args *a, int first, int last, const char *why)
{
    for (int i = first; i <= last; i++)
        if (a->seen[i])
            return tool_usage_error("oob", "oob", "%s: %s: %s", sub, oob_opts[i].name, why);
    return TOOL_EXIT_OK;
}

int cmd_oob(int argc, char **argv)
{
    if (argc < 2)
        return tool_usage_error("oob", "oob", "publish or retrieve?");
    const char *sub = argv[1];
    if (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0 || strcmp(sub, "help") == 0) {
        cmd_oob_help(stdout);
        return TOOL_EXIT_OK;
    }
    int publish = strcmp(sub, "publish") == 0;
    if (!publish && strcmp(sub, "retrieve") != 0)
        return tool_usage_error("oob", "oob", "unknown subcommand '%s'", sub);
    tool_args a;
    int rc = tool_parse_args("oob", "oob", argc - 2, argv + 2, oob_opts, OOB__COUNT, &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[OOB_HELP]) {
        cmd_oob_help(stdout);
        return TOOL_EXIT_OK;
    }
    return publish ? oob_publish(&a) : oob_retrieve(&a);
}
