/*
 * clid sign --key KEY [--cert CHAIN] --x5u URL --orig TN --dest TN [--dest TN]...
 *           --attest A|B|C [--origid UUID] [--at TIME] [--div TN] [--compact]
 *
 * Prints the Identity header value (RFC 8224 §4.1) for the claims, signed
 * with ES256 (RFC 8225, ppt "shaken" RFC 8588, or "div" RFC 8946 with --div).
 * With --cert, the signer refuses an orig TN its certificate's TNAuthList
 * does not cover (the same rule every verifier applies).
 */
#include <string.h>

#include "commands.h"
#include "timearg.h"
#include "util.h"

void cmd_sign_help(FILE *f)
{
    fputs("usage: clid sign --key KEY [--cert CHAIN] --x5u URL --orig TN --dest TN\n"
          "                 [--dest TN]... --attest A|B|C [--origid UUID] [--at TIME]\n"
          "                 [--div TN] [--compact]\n"
          "\n"
          "Prints the Identity header value: <PASSporT>;info=<URL>;alg=ES256;ppt=shaken\n"
          "\n"
          "  --key KEY      EC P-256 private key, PEM (PKCS#8 or SEC1, unencrypted)\n"
          "  --cert CHAIN   the certificate (chain) served at the x5u URL; when given, the\n"
          "                 key must match it and the orig TN must be in its TNAuthList\n"
          "  --x5u URL      where verifiers fetch CHAIN (http or https)\n"
          "  --orig TN      calling number; visual separators and a leading + are dropped\n"
          "  --dest TN      called number; repeat for several\n"
          "  --attest A|B|C attestation level (RFC 8588)\n"
          "  --origid UUID  origination identifier; default: a random UUID\n"
          "  --at TIME      iat: Unix seconds or RFC 3339; default: now\n"
          "  --div TN       sign a diversion PASSporT (ppt \"div\", RFC 8946) for the\n"
          "                 diverting number TN instead (--attest is then ignored)\n"
          "  --compact      print only the compact PASSporT \"..signature\" (RFC 8225 §7)\n"
          "\n"
          "exit status: 0 signed, 1 signing refused, 64 usage, 66 unreadable key/cert\n",
          f);
}

enum { OPT_KEY, OPT_CERT, OPT_X5U, OPT_ORIG, OPT_DEST, OPT_ATTEST, OPT_ORIGID, OPT_AT, OPT_DIV,
       OPT_COMPACT, OPT_HELP };

static const tool_opt sign_opts[] = {
    [OPT_KEY] = {"--key", NULL, 1, 0},
    [OPT_CERT] = {"--cert", NULL, 1, 0},
    [OPT_X5U] = {"--x5u", NULL, 1, 0},
    [OPT_ORIG] = {"--orig", NULL, 1, 0},
    [OPT_DEST] = {"--dest", NULL, 1, 1},
    [OPT_ATTEST] = {"--attest", NULL, 1, 0},
    [OPT_ORIGID] = {"--origid", NULL, 1, 0},
    [OPT_AT] = {"--at", NULL, 1, 0},
    [OPT_DIV] = {"--div", NULL, 1, 0},
    [OPT_COMPACT] = {"--compact", NULL, 0, 0},
    [OPT_HELP] = {"--help", "-h", 0, 0},
};

/* Loading errors: a file that cannot be read is EX_NOINPUT; one that reads
 * but is not a usable key or certificate is refused as well (exit 66: the
 * input is unusable), with the precise code on the message line. */
static int load_error(const char *what, const char *path, clid_err rc)
{
    tool_error("%s: %s: %s: %s", path, what, clid_err_name(rc), clid_err_str(rc));
    return TOOL_EXIT_NOINPUT;
}

int cmd_sign(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("sign", "sign", argc - 1, argv + 1, sign_opts,
                             sizeof sign_opts / sizeof sign_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[OPT_HELP]) {
        cmd_sign_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 0)
        return tool_usage_error("sign", "sign", "unexpected operand '%s'", a.pos[0]);
    static const int required[] = {OPT_KEY, OPT_X5U, OPT_ORIG, OPT_DEST};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!a.seen[required[i]])
            return tool_usage_error("sign", "sign", "missing %s", sign_opts[required[i]].name);
    if (!a.seen[OPT_DIV] && !a.seen[OPT_ATTEST])
        return tool_usage_error("sign", "sign", "missing --attest");

    clid_claims claims;
    memset(&claims, 0, sizeof claims);
    claims.orig = a.value[OPT_ORIG];
    claims.dest = a.values[OPT_DEST];
    claims.dest_count = (size_t)a.seen[OPT_DEST];
    claims.origid = a.value[OPT_ORIGID];
    claims.div = a.value[OPT_DIV];
    if (a.seen[OPT_ATTEST]) {
        const char *at = a.value[OPT_ATTEST];
        if (strlen(at) != 1 || (at[0] != 'A' && at[0] != 'B' && at[0] != 'C'))
            return tool_usage_error("sign", "sign", "--attest must be A, B or C");
        claims.attest = at[0];
    }
    if (a.seen[OPT_AT] && (tool_parse_time(a.value[OPT_AT], &claims.iat) != 0 || claims.iat == 0))
        return tool_usage_error("sign", "sign", "--at: not Unix seconds or RFC 3339: '%s'",
                                a.value[OPT_AT]);

    clid_signer *s = NULL;
    clid_err e = clid_signer_new(&s);
    if (e != CLID_OK) {
        tool_error("sign: %s", clid_err_str(e));
        return TOOL_EXIT_FAIL;
    }
    rc = TOOL_EXIT_OK;
    if ((e = clid_signer_set_key_file(s, a.value[OPT_KEY])) != CLID_OK) {
        rc = load_error("key", a.value[OPT_KEY], e);
    } else if (a.seen[OPT_CERT] &&
               (e = clid_signer_set_cert_file(s, a.value[OPT_CERT])) != CLID_OK) {
        rc = load_error("certificate", a.value[OPT_CERT], e);
    } else if ((e = clid_signer_set_x5u(s, a.value[OPT_X5U])) != CLID_OK) {
        rc = tool_usage_error("sign", "sign", "--x5u: %s: %s", clid_err_name(e),
                              clid_err_str(e));
    } else {
        char out[CLID_IDENTITY_MAX_LEN];
        size_t len = 0;
        e = a.seen[OPT_COMPACT] ? clid_sign_passport(s, &claims, 1, out, sizeof out, &len)
                                : clid_sign_identity(s, &claims, out, sizeof out, &len);
        if (e == CLID_OK) {
            printf("%s\n", out);
        } else {
            tool_error("sign: %s: %s", clid_err_name(e), clid_err_str(e));
            rc = TOOL_EXIT_FAIL;
        }
    }
    clid_signer_free(s);
    return rc;
}
