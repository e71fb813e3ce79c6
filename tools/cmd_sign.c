/*
 * clid sign --key KEY [--cert CHAIN] --x5u URL --orig TN --dest TN [--dest TN]...
 *           --attest A|B|C [--origid UUID] [--at TIME] [--div TN] [--compact]
 * clid sign --key KEY [--cert CHAIN] --x5u URL --attest A|B|C [--origid UUID]
 *           [--at TIME] [--orig TN] [--dest TN] [--output FILE] FILE|-
 *
 * Without FILE: prints the Identity header value (RFC 8224 §4.1) for the
 * claims, signed with ES256 (RFC 8225, ppt "shaken" RFC 8588, or "div"
 * RFC 8946 with --div).
 * With FILE: reads a SIP request and writes it with an Identity header added
 * (clid_sip.h: the caller and callee come from the request; every other
 * byte is unchanged). --orig/--dest are then optional checks: given, they
 * must equal the request's numbers after canonicalization, or nothing is
 * signed (exit 1), so a script cannot sign a request for a number it did
 * not mean.
 * With --cert, the signer refuses an orig TN its certificate's TNAuthList
 * does not cover (the same rule every verifier applies).
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_sip.h>

#include "commands.h"
#include "timearg.h"
#include "util.h"

void cmd_sign_help(FILE *f)
{
    fputs("usage: clid sign --key KEY [--cert CHAIN] --x5u URL --orig TN --dest TN\n"
          "                 [--dest TN]... --attest A|B|C [--origid UUID] [--at TIME]\n"
          "                 [--div TN] [--compact]\n"
          "       clid sign --key KEY [--cert CHAIN] --x5u URL --attest A|B|C\n"
          "                 [--origid UUID] [--at TIME] [--orig TN] [--dest TN]\n"
          "                 [--output FILE] FILE|-\n"
          "\n"
          "Prints the Identity header value: <PASSporT>;info=<URL>;alg=ES256;ppt=shaken\n"
          "With FILE (- for standard input), reads a SIP request and writes it with an\n"
          "Identity header added; caller and callee come from the request\n"
          "(P-Asserted-Identity or From; To or Request-URI).\n"
          "\n"
          "  --key KEY      EC P-256 private key, PEM (PKCS#8 or SEC1, unencrypted)\n"
          "  --cert CHAIN   the certificate (chain) served at the x5u URL; when given, the\n"
          "                 key must match it and the orig TN must be in its TNAuthList\n"
          "  --x5u URL      where verifiers fetch CHAIN (http or https)\n"
          "  --orig TN      calling number; visual separators and a leading + are dropped;\n"
          "                 with FILE optional, and then it must be the request's caller\n"
          "  --dest TN      called number; repeat for several; with FILE optional (once),\n"
          "                 and then it must be the request's callee\n"
          "  --attest A|B|C attestation level (RFC 8588)\n"
          "  --origid UUID  origination identifier; default: a random UUID\n"
          "  --at TIME      iat: Unix seconds or RFC 3339; default: now\n"
          "  --div TN       sign a diversion PASSporT (ppt \"div\", RFC 8946) for the\n"
          "                 diverting number TN instead (--attest is then ignored)\n"
          "  --compact      print only the compact PASSporT \"..signature\" (RFC 8225 §7)\n"
          "  --output FILE  with FILE: write the signed request there, not to stdout\n"
          "\n"
          "exit status: 0 signed, 1 signing refused, 64 usage, 65 FILE is not a SIP\n"
          "request clid accepts, 66 unreadable key/cert/FILE\n",
          f);
}

enum { OPT_KEY, OPT_CERT, OPT_X5U, OPT_ORIG, OPT_DEST, OPT_ATTEST, OPT_ORIGID, OPT_AT, OPT_DIV,
       OPT_COMPACT, OPT_OUTPUT, OPT_HELP };

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
    [OPT_OUTPUT] = {"--output", NULL, 1, 0},
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

/* The signer from --key, --cert, --x5u. */
static int load_signer(const tool_args *a, clid_signer **out)
{
    *out = NULL;
    clid_signer *s = NULL;
    clid_err e = clid_signer_new(&s);
    if (e != CLID_OK) {
        tool_error("sign: %s", clid_err_str(e));
        return TOOL_EXIT_FAIL;
    }
    int rc = TOOL_EXIT_OK;
    if ((e = clid_signer_set_key_file(s, a->value[OPT_KEY])) != CLID_OK) {
        rc = load_error("key", a->value[OPT_KEY], e);
    } else if (a->seen[OPT_CERT] &&
               (e = clid_signer_set_cert_file(s, a->value[OPT_CERT])) != CLID_OK) {
        rc = load_error("certificate", a->value[OPT_CERT], e);
    } else if ((e = clid_signer_set_x5u(s, a->value[OPT_X5U])) != CLID_OK) {
        rc = tool_usage_error("sign", "sign", "--x5u: %s: %s", clid_err_name(e),
                              clid_err_str(e));
    }
    if (rc != TOOL_EXIT_OK) {
        clid_signer_free(s);
        return rc;
    }
    *out = s;
    return TOOL_EXIT_OK;
}

/* --orig/--dest given with FILE must name the request's numbers. */
static int check_number(const char *file, const char *opt, const char *given, const char *req,
                        clid_err mismatch)
{
    char tn[CLID_TN_BUF];
    if (clid_tn_canonicalize(given, tn) != CLID_OK)
        return tool_usage_error("sign", "sign", "%s: not a telephone number: '%s'", opt, given);
    if (strcmp(tn, req) == 0)
        return TOOL_EXIT_OK;
    tool_error("%s: SIP request: %s: %s %s is not the request's number %s", file,
               clid_err_name(mismatch), opt, tn, req[0] ? req : "(none)");
    return TOOL_EXIT_FAIL;
}

static int sip_error(const char *file, clid_err e)
{
    tool_error("%s: SIP request: %s: %s", file, clid_err_name(e), clid_err_str(e));
    return e == CLID_ERR_SIP_PARSE || e == CLID_ERR_SIP_TOO_LARGE ? TOOL_EXIT_DATAERR
                                                                   : TOOL_EXIT_FAIL;
}

/* clid sign ... FILE|- */
static int sign_request(const tool_args *a, char attest, int64_t iat)
{
    const char *file = a->pos[0];
    uint8_t *msg = NULL;
    size_t len = 0;
    int rc = tool_read_file(file, CLID_SIP_MAX_LEN, &msg, &len);
    if (rc != TOOL_EXIT_OK)
        return rc;

    char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
    clid_err e = clid_sip_get_tns((const char *)msg, len, orig, dest);
    if (e == CLID_ERR_SIP_PARSE || e == CLID_ERR_SIP_TOO_LARGE)
        rc = sip_error(file, e);
    if (rc == TOOL_EXIT_OK && a->seen[OPT_ORIG])
        rc = check_number(file, "--orig", a->value[OPT_ORIG], orig, CLID_ERR_ORIG_MISMATCH);
    if (rc == TOOL_EXIT_OK && a->seen[OPT_DEST])
        rc = check_number(file, "--dest", a->value[OPT_DEST], dest, CLID_ERR_DEST_MISMATCH);

    clid_signer *s = NULL;
    if (rc == TOOL_EXIT_OK)
        rc = load_signer(a, &s);
    char *out = NULL;
    size_t out_len = 0;
    if (rc == TOOL_EXIT_OK) {
        size_t cap = len + CLID_SIP_SIGN_EXTRA + 1;
        out = malloc(cap);
        clid_sip_sign_opts o = {.attest = attest, .origid = a->value[OPT_ORIGID], .iat = iat};
        e = out == NULL ? CLID_ERR_NOMEM
                        : clid_sip_sign(s, &o, (const char *)msg, len, out, cap, &out_len);
        if (e != CLID_OK)
            rc = sip_error(file, e);
    }
    if (rc == TOOL_EXIT_OK)
        rc = tool_write_file(a->seen[OPT_OUTPUT] ? a->value[OPT_OUTPUT] : "-", out, out_len);
    free(out);
    clid_signer_free(s);
    free(msg);
    return rc;
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
    if (a.npos > 1)
        return tool_usage_error("sign", "sign", "unexpected operand '%s'", a.pos[1]);
    int request = a.npos == 1;
    static const int required[] = {OPT_KEY, OPT_X5U, OPT_ORIG, OPT_DEST};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        int opt = required[i];
        if (request && (opt == OPT_ORIG || opt == OPT_DEST))
            continue; /* taken from the request */
        if (!a.seen[opt])
            return tool_usage_error("sign", "sign", "missing %s", sign_opts[opt].name);
    }
    if (request) {
        /* A request names one callee and is signed with ppt "shaken". */
        if (a.seen[OPT_DIV] || a.seen[OPT_COMPACT])
            return tool_usage_error("sign", "sign", "%s: not with a SIP request",
                                    a.seen[OPT_DIV] ? "--div" : "--compact");
        if (a.seen[OPT_DEST] > 1)
            return tool_usage_error("sign", "sign", "--dest: at most once with a SIP request");
    } else if (a.seen[OPT_OUTPUT]) {
        return tool_usage_error("sign", "sign", "--output: only with a SIP request FILE");
    }
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
    if (request)
        return sign_request(&a, claims.attest, claims.iat);

    clid_signer *s = NULL;
    if ((rc = load_signer(&a, &s)) != TOOL_EXIT_OK)
        return rc;
    char out[CLID_IDENTITY_MAX_LEN];
    size_t len = 0;
    clid_err e = a.seen[OPT_COMPACT] ? clid_sign_passport(s, &claims, 1, out, sizeof out, &len)
                                     : clid_sign_identity(s, &claims, out, sizeof out, &len);
    if (e == CLID_OK) {
        printf("%s\n", out);
    } else {
        tool_error("sign: %s: %s", clid_err_name(e), clid_err_str(e));
        rc = TOOL_EXIT_FAIL;
    }
    clid_signer_free(s);
    return rc;
}
