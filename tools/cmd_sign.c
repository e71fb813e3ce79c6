/*
 * clid sign --key KEY [--cert CHAIN] --x5u URL --orig TN --dest TN [--dest TN]...
 *           --attest A|B|C [--origid UUID] [--at TIME] [--div TN [--opt PASSPORT]]
 *           [--compact]
 * clid sign --key KEY [--cert CHAIN] --x5u URL --attest A|B|C [--origid UUID]
 *           [--at TIME] [--orig TN] [--dest TN] [--output FILE] FILE|-
 * clid sign --key KEY [--cert CHAIN] --x5u URL [--at TIME] [--orig TN]
 *           --div [TN] [--trust FILE|DIR [--x5u-map URL=FILE]...]
 *           [--output FILE] --sip FILE|FILE|-
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
 * With --div and FILE: the request was retargeted by this proxy; a div
 * PASSporT (RFC 8946) is added for the diverting number and new target read
 * from its History-Info or Diversion header (clid_sip_sign_div); a TN given
 * with --div must be that diverting number. With --trust, the request's
 * original PASSporT must verify first (RFC 8946 §4: a retargeting entity
 * vouches only for a call whose identity it verified).
 * With --isup, FILE is a SIP-I request (RFC 3204 application/ISUP body):
 * the same Identity header, and the PASSporT as clid's CLI token in the
 * IAM's Application Transport Parameter (clid_sipi_sign,
 * docs/q3063-profile.md); --ssgw-key/--ssgw-cert/--ssgw-x5u name the
 * gateway signer that re-signs PASSporTs a token cannot carry bit for bit.
 * --rcd-* add Rich Call Data claims (RFC 9795; rcd_args.h, docs/rcd.md) to
 * the PASSporT, or with --rcd-ppt sign a ppt "rcd" PASSporT instead.
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_isup.h>
#include <clid/clid_sip.h>

#include "commands.h"
#include "fetch_setup.h"
#include "isup/isup.h"
#include "rcd_args.h"
#include "timearg.h"
#include "util.h"
#include "verify_setup.h"

void cmd_sign_help(FILE *f)
{
    fputs("usage: clid sign --key KEY [--cert CHAIN] --x5u URL --orig TN --dest TN\n"
          "                 [--dest TN]... --attest A|B|C [--origid UUID] [--at TIME]\n"
          "                 [--div TN [--opt PASSPORT]] [--compact]\n"
          "       clid sign --key KEY [--cert CHAIN] --x5u URL --attest A|B|C\n"
          "                 [--origid UUID] [--at TIME] [--orig TN] [--dest TN]\n"
          "                 [--output FILE] FILE|-\n"
          "       clid sign --key KEY [--cert CHAIN] --x5u URL [--at TIME] [--orig TN]\n"
          "                 --div [TN] [--trust FILE|DIR [--x5u-map URL=FILE]...]\n"
          "                 [--allow-http-x5u] [--allow-private-x5u]\n"
          "                 [--output FILE] --sip FILE|FILE|-\n"
          "       clid sign --isup [--country-code CC] [--apm-context N]\n"
          "                 [--ssgw-key KEY --ssgw-cert CHAIN --ssgw-x5u URL]\n"
          "                 [the options of FILE] FILE|-\n"
          "       Rich Call Data, in either form: --rcd-name NAME [--rcd-apn TN]\n"
          "                 [--rcd-jcard FILE | --rcd-jcard-url URL [--rcd-jcard-content FILE]]\n"
          "                 [--rcd-icon-url URL [--rcd-icon-content FILE]] [--rcd-reason TEXT]\n"
          "                 [--rcd-ppt]\n"
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
          "                 diverting number TN instead (--attest is then ignored);\n"
          "                 with FILE: add a div PASSporT for the request's diversion\n"
          "                 (History-Info, else Diversion: RFC 7044, RFC 5806) to its\n"
          "                 new target; TN, if given, must be the diverting number\n"
          "                 (a value that is no number is not taken as TN)\n"
          "  --opt PASSPORT with --div TN: a div-o PASSporT (ppt \"div-o\", RFC 8946 §5)\n"
          "                 carrying the original PASSporT (full form, or an Identity\n"
          "                 header value: its part before ';') in \"opt\"\n"
          "  --trust FILE|DIR  with --div and FILE: verify the request's original\n"
          "                 PASSporT first, under these trust anchors (repeatable), and\n"
          "                 sign nothing when it fails (RFC 8946 §4); its dest is not\n"
          "                 bound (the request was retargeted), its orig is; the time\n"
          "                 is --at, else now; certificates come from --x5u-map\n"
          "                 URL=FILE (repeatable), else are fetched (https, public\n"
          "                 addresses; --allow-http-x5u, --allow-private-x5u widen it)\n"
          "  --sip FILE     the SIP request FILE (as the operand)\n"
          "  --compact      print only the compact PASSporT \"..signature\" (RFC 8225 §7)\n"
          "  --output FILE  with FILE: write the signed request there, not to stdout\n"
          "  --isup         FILE is a SIP-I request (application/ISUP body, RFC 3204):\n"
          "                 also put the PASSporT as a CLI token into the IAM's\n"
          "                 Application Transport Parameter (docs/q3063-profile.md); the\n"
          "                 IAM's calling/called numbers must be the request's\n"
          "  --country-code CC  for national numbers in the IAM (default 1)\n"
          "  --apm-context N    APM application context identifier, 1..127 (default 90,\n"
          "                 clid's choice, not an ITU assignment)\n"
          "  --ssgw-key KEY, --ssgw-cert CHAIN, --ssgw-x5u URL  the signing gateway's\n"
          "                 signer (Q.3063-profile certificate): re-signs a PASSporT that\n"
          "                 no token can carry bit for bit (else refused)\n"
          "  --rcd-name NAME    Rich Call Data (RFC 9795, docs/rcd.md): the caller's display\n"
          "                 name (\"nam\" in the \"rcd\" claim); required by the others\n"
          "  --rcd-apn TN       alternate presentation number (\"apn\")\n"
          "  --rcd-jcard FILE   an inline jCard (\"jcd\", JSON, covered by the signature)\n"
          "  --rcd-jcard-url URL  a jCard by reference (\"jcl\")\n"
          "  --rcd-jcard-content FILE  the bytes that URL serves: adds its \"rcdi\" digest\n"
          "                 (without it no digest, and verifiers do not present the jCard)\n"
          "  --rcd-icon-url URL   an icon or logo (\"icn\")\n"
          "  --rcd-icon-content FILE   the bytes the icon URL serves: adds its digest\n"
          "  --rcd-reason TEXT  the call reason (\"crn\")\n"
          "  --rcd-ppt          sign a separate ppt \"rcd\" PASSporT (no attest/origid)\n"
          "                 instead of adding the claims to the shaken one\n"
          "\n"
          "exit status: 0 signed, 1 signing refused, 64 usage, 65 FILE is not a SIP\n"
          "request clid accepts, 66 unreadable key/cert/FILE\n",
          f);
}

enum { OPT_KEY, OPT_CERT, OPT_X5U, OPT_ORIG, OPT_DEST, OPT_ATTEST, OPT_ORIGID, OPT_AT, OPT_DIV,
       OPT_COMPACT, OPT_OUTPUT, OPT_HELP, OPT_ISUP, OPT_CC, OPT_APM_CTX, OPT_SSGW_KEY,
       OPT_SSGW_CERT, OPT_SSGW_X5U, OPT_SIP,
       /* Rich Call Data (issue 14; rcd_args.h) */
       OPT_RCD_NAME, OPT_RCD_APN, OPT_RCD_JCARD, OPT_RCD_JCARD_URL, OPT_RCD_JCARD_CONTENT,
       OPT_RCD_ICON_URL, OPT_RCD_ICON_CONTENT, OPT_RCD_REASON, OPT_RCD_PPT,
       /* --div --trust: the original verified first */
       OPT_TRUST, OPT_MAP, OPT_ALLOW_HTTP, OPT_ALLOW_PRIVATE,
       /* div-o (RFC 8946 §5) */
       OPT_OPT };

static const tool_opt sign_opts[] = {
    [OPT_KEY] = {"--key", NULL, 1, 0},
    [OPT_CERT] = {"--cert", NULL, 1, 0},
    [OPT_X5U] = {"--x5u", NULL, 1, 0},
    [OPT_ORIG] = {"--orig", NULL, 1, 0},
    [OPT_DEST] = {"--dest", NULL, 1, 1},
    [OPT_ATTEST] = {"--attest", NULL, 1, 0},
    [OPT_ORIGID] = {"--origid", NULL, 1, 0},
    [OPT_AT] = {"--at", NULL, 1, 0},
    /* "" (a bare --div, see cmd_sign): with a request, the diverting
     * number comes from it */
    [OPT_DIV] = {"--div", NULL, TOOL_VALUE_MAY_BE_EMPTY, 0},
    [OPT_COMPACT] = {"--compact", NULL, 0, 0},
    [OPT_OUTPUT] = {"--output", NULL, 1, 0},
    [OPT_HELP] = {"--help", "-h", 0, 0},
    [OPT_ISUP] = {"--isup", NULL, 0, 0},
    [OPT_CC] = {"--country-code", NULL, 1, 0},
    [OPT_APM_CTX] = {"--apm-context", NULL, 1, 0},
    [OPT_SSGW_KEY] = {"--ssgw-key", NULL, 1, 0},
    [OPT_SSGW_CERT] = {"--ssgw-cert", NULL, 1, 0},
    [OPT_SSGW_X5U] = {"--ssgw-x5u", NULL, 1, 0},
    [OPT_SIP] = {"--sip", NULL, 1, 0},
    [OPT_RCD_NAME] = {"--rcd-name", NULL, 1, 0},
    [OPT_RCD_APN] = {"--rcd-apn", NULL, 1, 0},
    [OPT_RCD_JCARD] = {"--rcd-jcard", NULL, 1, 0},
    [OPT_RCD_JCARD_URL] = {"--rcd-jcard-url", NULL, 1, 0},
    [OPT_RCD_JCARD_CONTENT] = {"--rcd-jcard-content", NULL, 1, 0},
    [OPT_RCD_ICON_URL] = {"--rcd-icon-url", NULL, 1, 0},
    [OPT_RCD_ICON_CONTENT] = {"--rcd-icon-content", NULL, 1, 0},
    [OPT_RCD_REASON] = {"--rcd-reason", NULL, 1, 0},
    [OPT_RCD_PPT] = {"--rcd-ppt", NULL, 0, 0},
    [OPT_TRUST] = {"--trust", NULL, 1, 1},
    [OPT_MAP] = {"--x5u-map", NULL, 1, 1},
    [OPT_ALLOW_HTTP] = {"--allow-http-x5u", NULL, 0, 0},
    [OPT_ALLOW_PRIVATE] = {"--allow-private-x5u", NULL, 0, 0},
    [OPT_OPT] = {"--opt", NULL, 1, 0},
};

/* Loading errors: a file that cannot be read is EX_NOINPUT; one that reads
 * but is not a usable key or certificate is refused as well (exit 66: the
 * input is unusable), with the precise code on the message line. */
static int load_error(const char *what, const char *path, clid_err rc)
{
    tool_error("%s: %s: %s: %s", path, what, clid_err_name(rc), clid_err_str(rc));
    return TOOL_EXIT_NOINPUT;
}

/* The signer from KEY, CERT (NULL: none), X5U. */
static int load_signer_from(const char *key, const char *cert, const char *x5u,
                            clid_signer **out)
{
    *out = NULL;
    clid_signer *s = NULL;
    clid_err e = clid_signer_new(&s);
    if (e != CLID_OK) {
        tool_error("sign: %s", clid_err_str(e));
        return TOOL_EXIT_FAIL;
    }
    int rc = TOOL_EXIT_OK;
    if ((e = clid_signer_set_key_file(s, key)) != CLID_OK) {
        rc = load_error("key", key, e);
    } else if (cert != NULL && (e = clid_signer_set_cert_file(s, cert)) != CLID_OK) {
        rc = load_error("certificate", cert, e);
    } else if ((e = clid_signer_set_x5u(s, x5u)) != CLID_OK) {
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

/* The signer from --key, --cert, --x5u. */
static int load_signer(const tool_args *a, clid_signer **out)
{
    return load_signer_from(a->value[OPT_KEY], a->seen[OPT_CERT] ? a->value[OPT_CERT] : NULL,
                            a->value[OPT_X5U], out);
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
    return e == CLID_ERR_SIP_PARSE || e == CLID_ERR_SIP_TOO_LARGE || e == CLID_ERR_ISUP_PARSE ||
                   e == CLID_ERR_ISUP_TOO_LARGE || e == CLID_ERR_ISUP_ABSENT
               ? TOOL_EXIT_DATAERR
               : TOOL_EXIT_FAIL;
}

/* --isup: clid_sipi_sign with the options, the gateway signer loaded when
 * given. The output grows by the Identity line and the token. */
static int sign_sipi(const tool_args *a, const clid_signer *s, const clid_sip_sign_opts *so,
                     const uint8_t *msg, size_t len, char **out, size_t *out_len)
{
    clid_sipi_opts o;
    memset(&o, 0, sizeof o);
    o.country_code = a->value[OPT_CC];
    int rc = TOOL_EXIT_OK;
    if (a->seen[OPT_APM_CTX] &&
        (rc = tool_isup_apm_context("sign", a->value[OPT_APM_CTX], &o.apm_context)) != TOOL_EXIT_OK)
        return rc;
    clid_signer *ssgw = NULL;
    if (a->seen[OPT_SSGW_KEY] &&
        (rc = load_signer_from(a->value[OPT_SSGW_KEY], a->value[OPT_SSGW_CERT],
                               a->value[OPT_SSGW_X5U], &ssgw)) != TOOL_EXIT_OK)
        return rc;
    o.ssgw = ssgw;
    size_t cap = len + CLID_SIP_SIGN_EXTRA + 2 * CLID_CLI_TOKEN_MAX + 1;
    *out = malloc(cap);
    clid_err e = *out == NULL ? CLID_ERR_NOMEM
                              : clid_sipi_sign(s, so, &o, (const char *)msg, len, *out, cap,
                                               out_len);
    clid_signer_free(ssgw);
    return e == CLID_OK ? TOOL_EXIT_OK : sip_error(a->pos[0], e);
}

/* --div with a request: clid_sip_sign_div, after checking a given TN
 * against the diverting number the request names. */
static int sign_div_request(const tool_args *a, const clid_signer *s, int64_t iat,
                            const uint8_t *msg, size_t len, char **out, size_t *out_len)
{
    const char *file = a->pos[0];
    char div[CLID_TN_BUF], target[CLID_TN_BUF];
    clid_err e = clid_sip_get_diversion((const char *)msg, len, div, target);
    if (e != CLID_OK)
        return sip_error(file, e);
    int rc = TOOL_EXIT_OK;
    if (a->value[OPT_DIV][0] != '\0' &&
        (rc = check_number(file, "--div", a->value[OPT_DIV], div, CLID_ERR_DIV_CHAIN_LINK)) !=
            TOOL_EXIT_OK)
        return rc;
    /* --trust: the original verified first, at --at (iat) or now */
    tool_verifier tv = {NULL, NULL, NULL};
    clid_sip_verify_opts vo = {.now = iat};
    clid_sip_div_opts o = {.iat = iat, .verify_opts = &vo};
    if (a->seen[OPT_TRUST]) {
        tool_verify_setup vs = {.cmd = "sign", .err_prefix = "",
                                .trust = a->values[OPT_TRUST], .n_trust = a->seen[OPT_TRUST],
                                .x5u_map = a->values[OPT_MAP], .n_x5u_map = a->seen[OPT_MAP]};
        tool_fetch_opts fo = {.allow_http = a->seen[OPT_ALLOW_HTTP],
                              .allow_private = a->seen[OPT_ALLOW_PRIVATE]};
        if ((rc = tool_verifier_open(&vs, &fo, &tv)) != TOOL_EXIT_OK) {
            tool_verifier_close(&tv);
            return rc;
        }
        o.verifier = tv.v;
    }
    size_t cap = len + CLID_SIP_SIGN_EXTRA + 1;
    *out = malloc(cap);
    e = *out == NULL ? CLID_ERR_NOMEM
                     : clid_sip_sign_div(s, &o, (const char *)msg, len, *out, cap, out_len);
    tool_verifier_close(&tv);
    return e == CLID_OK ? TOOL_EXIT_OK : sip_error(file, e);
}

/* clid sign ... FILE|- */
static int sign_request(const tool_args *a, char attest, int64_t iat, const clid_rcd *rcd)
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
    clid_sip_sign_opts o = {.attest = attest, .origid = a->value[OPT_ORIGID], .iat = iat,
                            .rcd = rcd, .ppt_rcd = a->seen[OPT_RCD_PPT]};
    if (rc == TOOL_EXIT_OK && a->seen[OPT_DIV]) {
        rc = sign_div_request(a, s, iat, msg, len, &out, &out_len);
    } else if (rc == TOOL_EXIT_OK && a->seen[OPT_ISUP]) {
        rc = sign_sipi(a, s, &o, msg, len, &out, &out_len);
    } else if (rc == TOOL_EXIT_OK) {
        size_t cap = len + CLID_SIP_SIGN_EXTRA + 1;
        out = malloc(cap);
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

static int cmd_sign_args(tool_args *ap);

/* Whether s can be a TN as --div takes one (clid_tn_canonicalize decides
 * later): digits, '+', '#', '*' and visual separators only. */
static int tn_like(const char *s)
{
    return s[0] != '\0' && s[0] != '-' && strspn(s, "0123456789+#*-.() ") == strlen(s);
}

/* A bare "--div" (last, or followed by anything that is no TN: another
 * option, the FILE) becomes "--div=": with a request it needs no value. */
static char **bare_div(int argc, char **argv)
{
    static char empty_div[] = "--div=";
    char **v = malloc(((size_t)argc + 1) * sizeof *v);
    if (v == NULL)
        return NULL;
    for (int i = 0; i < argc; i++) {
        int bare = strcmp(argv[i], "--div") == 0 && (i + 1 == argc || !tn_like(argv[i + 1]));
        v[i] = bare ? empty_div : argv[i];
    }
    v[argc] = NULL;
    return v;
}

int cmd_sign(int argc, char **argv)
{
    tool_args a;
    char **args = bare_div(argc, argv);
    if (args == NULL) {
        tool_error("sign: %s", clid_err_str(CLID_ERR_NOMEM));
        return TOOL_EXIT_FAIL;
    }
    int rc = tool_parse_args("sign", "sign", argc - 1, args + 1, sign_opts,
                             sizeof sign_opts / sizeof sign_opts[0], &a);
    if (rc == TOOL_EXIT_OK)
        rc = cmd_sign_args(&a);
    free(args);
    return rc;
}

static int cmd_sign_args(tool_args *ap)
{
    tool_args a = *ap;
    int rc = TOOL_EXIT_OK;
    if (a.seen[OPT_HELP]) {
        cmd_sign_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.seen[OPT_SIP]) {
        if (a.npos > 0)
            return tool_usage_error("sign", "sign", "--sip FILE and the operand '%s'", a.pos[0]);
        a.pos[a.npos++] = a.value[OPT_SIP];
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
        /* A request names one callee and is signed with ppt "shaken", or
         * with --div a div PASSporT for its diversion. */
        if (a.seen[OPT_COMPACT])
            return tool_usage_error("sign", "sign", "--compact: not with a SIP request");
        if (a.seen[OPT_DIV] && (a.seen[OPT_ISUP] || a.seen[OPT_DEST] || a.seen[OPT_ATTEST] ||
                                a.seen[OPT_ORIGID]))
            return tool_usage_error("sign", "sign",
                                    "--div with a request: no --isup, --dest, --attest, --origid");
        if (a.seen[OPT_DEST] > 1)
            return tool_usage_error("sign", "sign", "--dest: at most once with a SIP request");
    } else if (a.seen[OPT_DIV] && a.value[OPT_DIV][0] == '\0') {
        return tool_usage_error("sign", "sign", "--div needs a TN without a SIP request");
    } else if (a.seen[OPT_OUTPUT] || a.seen[OPT_ISUP]) {
        return tool_usage_error("sign", "sign", "%s: only with a SIP request FILE",
                                a.seen[OPT_OUTPUT] ? "--output" : "--isup");
    }
    /* The original verified first only where there is one to verify. */
    static const int trust_only[] = {OPT_MAP, OPT_ALLOW_HTTP, OPT_ALLOW_PRIVATE};
    for (size_t i = 0; i < sizeof trust_only / sizeof trust_only[0]; i++)
        if (a.seen[trust_only[i]] && !a.seen[OPT_TRUST])
            return tool_usage_error("sign", "sign", "%s: only with --trust",
                                    sign_opts[trust_only[i]].name);
    if (a.seen[OPT_TRUST] && !(request && a.seen[OPT_DIV]))
        return tool_usage_error("sign", "sign",
                                "--trust: only with --div and a SIP request (the original "
                                "it verifies)");
    if (a.seen[OPT_OPT] && (request || !a.seen[OPT_DIV]))
        return tool_usage_error("sign", "sign", "--opt: only with --div TN, without a SIP request");
    static const int isup_only[] = {OPT_CC, OPT_APM_CTX, OPT_SSGW_KEY, OPT_SSGW_CERT,
                                    OPT_SSGW_X5U};
    for (size_t i = 0; i < sizeof isup_only / sizeof isup_only[0]; i++)
        if (a.seen[isup_only[i]] && !a.seen[OPT_ISUP])
            return tool_usage_error("sign", "sign", "%s: only with --isup",
                                    sign_opts[isup_only[i]].name);
    if (a.seen[OPT_SSGW_KEY] != a.seen[OPT_SSGW_X5U] ||
        (a.seen[OPT_SSGW_CERT] && !a.seen[OPT_SSGW_KEY]))
        return tool_usage_error("sign", "sign",
                                "--ssgw-key and --ssgw-x5u go together (--ssgw-cert with them)");
    /* A ppt "rcd" PASSporT carries no attest (RFC 9795 §6). */
    if (!a.seen[OPT_DIV] && !a.seen[OPT_ATTEST] && !a.seen[OPT_RCD_PPT])
        return tool_usage_error("sign", "sign", "missing --attest");
    tool_rcd_opts ro = {a.value[OPT_RCD_NAME], a.value[OPT_RCD_APN], a.value[OPT_RCD_JCARD],
                        a.value[OPT_RCD_JCARD_URL], a.value[OPT_RCD_JCARD_CONTENT],
                        a.value[OPT_RCD_ICON_URL], a.value[OPT_RCD_ICON_CONTENT],
                        a.value[OPT_RCD_REASON]};
    int with_rcd = tool_rcd_given(&ro);
    if (a.seen[OPT_RCD_PPT] && !with_rcd)
        return tool_usage_error("sign", "sign", "--rcd-ppt needs --rcd-name");
    if (with_rcd && a.seen[OPT_DIV])
        return tool_usage_error("sign", "sign", "--rcd-*: not with --div");

    clid_claims claims;
    memset(&claims, 0, sizeof claims);
    claims.orig = a.value[OPT_ORIG];
    claims.dest = a.values[OPT_DEST];
    claims.dest_count = (size_t)a.seen[OPT_DEST];
    claims.origid = a.value[OPT_ORIGID];
    claims.div = a.value[OPT_DIV];
    /* an Identity header value is taken as its PASSporT (before ';') */
    char opt[CLID_IDENTITY_MAX_LEN + 1];
    if (a.seen[OPT_OPT]) {
        size_t n = strcspn(a.value[OPT_OPT], ";");
        if (n > CLID_IDENTITY_MAX_LEN)
            return tool_usage_error("sign", "sign", "--opt: longer than %d bytes",
                                    CLID_IDENTITY_MAX_LEN);
        memcpy(opt, a.value[OPT_OPT], n);
        opt[n] = '\0';
        claims.opt = opt;
    }
    if (a.seen[OPT_ATTEST]) {
        const char *at = a.value[OPT_ATTEST];
        if (strlen(at) != 1 || (at[0] != 'A' && at[0] != 'B' && at[0] != 'C'))
            return tool_usage_error("sign", "sign", "--attest must be A, B or C");
        claims.attest = at[0];
    }
    if (a.seen[OPT_AT] && (tool_parse_time(a.value[OPT_AT], &claims.iat) != 0 || claims.iat == 0))
        return tool_usage_error("sign", "sign", "--at: not Unix seconds or RFC 3339: '%s'",
                                a.value[OPT_AT]);
    tool_rcd rcd;
    memset(&rcd, 0, sizeof rcd);
    if (with_rcd && (rc = tool_rcd_load("sign", &ro, &rcd)) != TOOL_EXIT_OK) {
        tool_rcd_free(&rcd);
        return rc;
    }
    if (with_rcd) {
        claims.rcd = &rcd.rcd;
        claims.ppt_rcd = a.seen[OPT_RCD_PPT];
    }
    if (request) {
        rc = sign_request(&a, claims.attest, claims.iat, claims.rcd);
        tool_rcd_free(&rcd);
        return rc;
    }

    clid_signer *s = NULL;
    if ((rc = load_signer(&a, &s)) != TOOL_EXIT_OK) {
        tool_rcd_free(&rcd);
        return rc;
    }
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
    tool_rcd_free(&rcd);
    return rc;
}
