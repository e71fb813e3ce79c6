/*
 * clid isup encode [--sipi] [--output FILE] FILE|-
 *
 * Builds an IAM from a JSON description (docs/cli.md "clid isup"), for tests
 * and labs:
 *   {"fixed": "0060010a00",                  5 octets hex (Q.763 Table 32)
 *    "called": NUMBER, "calling": NUMBER, "redirecting": NUMBER,
 *    "original_called": NUMBER, "generic": [NUMBER...],
 *    "params": [{"code": 49, "hex": "00"}...],  raw optional parameters
 *    "apm": [{"context": 90, "hex": "..."}...], Application Transport data
 *    "sip": {"host", "orig", "dest", "call_id", "date", "country_code",
 *            "multipart": true}}              --sipi only
 * NUMBER = {"nai", "npi", "inn", "ni", "apri", "screening", "qualifier",
 * "digits"} (integers, digits as hex digits) or {"tn": "12025550100"}
 * (international, ISDN plan). Members clid does not know are refused, so a
 * typo is never a silently default field.
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_isup.h>

#include "commands.h"
#include "isup/isup.h"

enum { E_SIPI, E_OUTPUT, E_HELP };
static const tool_opt encode_opts[] = {
    [E_SIPI] = {"--sipi", NULL, 0, 0},
    [E_OUTPUT] = {"--output", NULL, 1, 0},
    [E_HELP] = {"--help", "-h", 0, 0},
};

#define CMD "isup encode"

static int bad(const char *what)
{
    tool_error(CMD ": description: %s", what);
    return TOOL_EXIT_DATAERR;
}

/* Hex text -> octets (at most cap). */
static int unhex(const char *s, uint8_t *out, size_t cap, size_t *n)
{
    size_t len = strlen(s);
    if (len % 2 != 0 || len / 2 > cap)
        return -1;
    for (size_t i = 0; i < len / 2; i++) {
        unsigned v = 0;
        for (int k = 0; k < 2; k++) {
            char c = s[2 * i + (size_t)k];
            unsigned d = c >= '0' && c <= '9'   ? (unsigned)(c - '0')
                         : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                         : c >= 'A' && c <= 'F' ? (unsigned)(c - 'A' + 10)
                                                : 16u;
            if (d == 16)
                return -1;
            v = v * 16 + d;
        }
        out[i] = (uint8_t)v;
    }
    *n = len / 2;
    return 0;
}

static int only_keys(json_t *o, const char *const *keys, size_t n)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        size_t i = 0;
        while (i < n && strcmp(keys[i], k) != 0)
            i++;
        if (i == n) {
            tool_error(CMD ": description: unknown member \"%s\"", k);
            return -1;
        }
    }
    return 0;
}

static int get_uint(const json_t *o, const char *key, unsigned max, unsigned *out)
{
    const json_t *v = json_object_get(o, key);
    if (v == NULL)
        return 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > (json_int_t)max)
        return -1;
    *out = (unsigned)json_integer_value(v);
    return 0;
}

static int parse_number(json_t *j, clid_isup_number *n)
{
    static const char *const keys[] = {"nai", "npi", "inn", "ni", "apri", "screening",
                                       "qualifier", "digits", "tn"};
    memset(n, 0, sizeof *n);
    if (!json_is_object(j) || only_keys(j, keys, sizeof keys / sizeof keys[0]) != 0)
        return -1;
    const json_t *tn = json_object_get(j, "tn");
    if (tn != NULL)
        return json_is_string(tn) && json_object_size(j) == 1 &&
                       clid_isup_number_from_tn(json_string_value(tn), n) == CLID_OK
                   ? 0
                   : -1;
    const json_t *d = json_object_get(j, "digits");
    if (!json_is_string(d) || strlen(json_string_value(d)) > CLID_ISUP_DIGITS_MAX)
        return -1;
    strcpy(n->digits, json_string_value(d));
    unsigned inn = 0, ni = 0;
    if (get_uint(j, "nai", 127, &n->nai) || get_uint(j, "npi", 7, &n->npi) ||
        get_uint(j, "inn", 1, &inn) || get_uint(j, "ni", 1, &ni) ||
        get_uint(j, "apri", 3, &n->apri) || get_uint(j, "screening", 3, &n->screening) ||
        get_uint(j, "qualifier", 255, &n->qualifier))
        return -1;
    n->inn_ni = inn | ni;
    return 0;
}

static int set_number(clid_isup_iam *iam, const json_t *doc, const char *key, unsigned code)
{
    json_t *j = json_object_get(doc, key);
    if (j == NULL)
        return 0;
    clid_isup_number n;
    if (parse_number(j, &n) != 0)
        return -1;
    clid_err e = clid_isup_iam_set_number(iam, code, &n);
    if (e != CLID_OK)
        tool_error(CMD ": %s: %s: %s", key, clid_err_name(e), clid_err_str(e));
    return e == CLID_OK ? 0 : -1;
}

static int build(json_t *doc, clid_isup_iam *iam)
{
    static const char *const keys[] = {"fixed", "called", "calling", "redirecting",
                                       "original_called", "generic", "params", "apm", "sip"};
    if (!json_is_object(doc))
        return bad("not a JSON object");
    if (only_keys(doc, keys, sizeof keys / sizeof keys[0]) != 0)
        return TOOL_EXIT_DATAERR; /* named there */
    const json_t *fx = json_object_get(doc, "fixed");
    if (fx != NULL) {
        uint8_t f[5];
        size_t n = 0;
        if (!json_is_string(fx) || unhex(json_string_value(fx), f, 5, &n) != 0 || n != 5)
            return bad("fixed: 5 octets in hex");
        clid_isup_iam_set_fixed(iam, f);
    }
    if (json_object_get(doc, "called") == NULL)
        return bad("called: the Called Party Number is mandatory (Q.763 Table 32)");
    if (set_number(iam, doc, "called", CLID_ISUP_CALLED_PARTY_NUMBER) ||
        set_number(iam, doc, "calling", CLID_ISUP_CALLING_PARTY_NUMBER) ||
        set_number(iam, doc, "redirecting", CLID_ISUP_REDIRECTING_NUMBER) ||
        set_number(iam, doc, "original_called", CLID_ISUP_ORIGINAL_CALLED_NUMBER))
        return bad("a number is not {nai, npi, ..., digits} or {tn}");
    size_t i;
    json_t *v;
    const json_t *gen = json_object_get(doc, "generic");
    if (gen != NULL && !json_is_array(gen))
        return bad("generic: an array of numbers");
    json_array_foreach(gen, i, v)
    {
        clid_isup_number n;
        if (parse_number(v, &n) != 0 ||
            clid_isup_iam_set_number(iam, CLID_ISUP_GENERIC_NUMBER, &n) != CLID_OK)
            return bad("generic: a number is not valid");
    }
    const json_t *params = json_object_get(doc, "params");
    if (params != NULL && !json_is_array(params))
        return bad("params: an array of {code, hex}");
    json_array_foreach(params, i, v)
    {
        unsigned code = 0;
        uint8_t val[255];
        size_t n = 0;
        const json_t *h = json_object_get(v, "hex");
        if (!json_is_object(v) || json_object_get(v, "code") == NULL ||
            get_uint(v, "code", 255, &code) != 0 || code == 0 || !json_is_string(h) ||
            unhex(json_string_value(h), val, sizeof val, &n) != 0 ||
            clid_isup_iam_add_param(iam, code, val, n) != CLID_OK)
            return bad("params: {code 1..255, hex of at most 255 octets}");
    }
    const json_t *apm = json_object_get(doc, "apm");
    if (apm != NULL && !json_is_array(apm))
        return bad("apm: an array of {context, hex}");
    json_array_foreach(apm, i, v)
    {
        unsigned ctx = 0;
        uint8_t data[CLID_CLI_TOKEN_MAX];
        size_t n = 0;
        const json_t *h = json_object_get(v, "hex");
        if (!json_is_object(v) || get_uint(v, "context", 127, &ctx) != 0 || ctx == 0 ||
            !json_is_string(h) || unhex(json_string_value(h), data, sizeof data, &n) != 0 ||
            clid_isup_iam_set_apm(iam, ctx, data, n) != CLID_OK)
            return bad("apm: {context 1..127, hex}");
    }
    return TOOL_EXIT_OK;
}

/* A string member of the "sip" object, or `def`. */
static const char *sip_str(const json_t *sip, const char *key, const char *def)
{
    const json_t *v = json_object_get(sip, key);
    return json_is_string(v) ? json_string_value(v) : def;
}

static int number_tn(const clid_isup_iam *iam, unsigned code, const char *cc,
                     char tn[CLID_TN_BUF])
{
    clid_isup_number n;
    if (clid_isup_iam_get_number(iam, code, 0, &n) != CLID_OK)
        return -1;
    size_t k = strlen(n.digits);
    if (k > 0 && n.digits[k - 1] == 'F')
        n.digits[k - 1] = '\0';
    return clid_isup_number_to_tn(&n, cc, tn) == CLID_OK ? 0 : -1;
}

/* The SIP-I INVITE (RFC 3204 §4, Q.1912.5): the IAM as a binary
 * application/ISUP part after an SDP offer in multipart/mixed (RFC 2046
 * §5.1.1), or alone. Text fields are checked to be printable tokens. */
static int write_sipi(const json_t *doc, const clid_isup_iam *iam, const uint8_t *isup,
                      size_t isup_len, const char *path)
{
    json_t *sip = json_object_get(doc, "sip");
    static const char *const keys[] = {"host", "orig", "dest", "call_id", "date",
                                       "country_code", "multipart"};
    if (sip != NULL && !json_is_object(sip))
        return bad("sip: an object");
    if (sip != NULL && only_keys(sip, keys, 7) != 0)
        return TOOL_EXIT_DATAERR; /* named there */
    const char *cc = sip_str(sip, "country_code", "1");
    char orig[CLID_TN_BUF] = "", dest[CLID_TN_BUF] = "";
    const char *o = sip_str(sip, "orig", NULL), *d = sip_str(sip, "dest", NULL);
    if (o == NULL && number_tn(iam, CLID_ISUP_CALLING_PARTY_NUMBER, cc, orig) == 0)
        o = orig;
    if (d == NULL && number_tn(iam, CLID_ISUP_CALLED_PARTY_NUMBER, cc, dest) == 0)
        d = dest;
    const char *host = sip_str(sip, "host", "example.net");
    const char *call_id = sip_str(sip, "call_id", "clid-isup-encode-1");
    const char *date = sip_str(sip, "date", NULL);
    if (o == NULL || d == NULL)
        return bad("sip: orig/dest neither given nor E.164 numbers in the IAM");
    const char *fields[] = {o, d, host, call_id, date ? date : "x"};
    for (size_t i = 0; i < 5; i++)
        for (const char *p = fields[i]; *p; p++)
            if (*p < 0x20 || *p > 0x7E || *p == '<' || *p == '>' ||
                (i < 4 && (*p == ' ' || *p == ';')))
                return bad("sip: a field holds a character no header may");
    int multipart = !json_is_false(json_object_get(sip, "multipart"));
    static const char boundary[] = "clid-sipi-boundary";
    static const char sdp[] = "v=0\r\no=- 1 1 IN IP4 192.0.2.1\r\ns=-\r\nc=IN IP4 192.0.2.1\r\n"
                              "t=0 0\r\nm=audio 40000 RTP/AVP 8\r\na=rtpmap:8 PCMA/8000\r\n";
    static const char isup_hdr[] = "Content-Type: application/ISUP;version=itu-t92+\r\n"
                                   "Content-Disposition: signal;handling=required\r\n";
    char head[2048], pre[1024], post[128];
    int pre_n = multipart ? snprintf(pre, sizeof pre,
                                     "--%s\r\nContent-Type: application/sdp\r\n\r\n%s"
                                     "--%s\r\n%s\r\n",
                                     boundary, sdp, boundary, isup_hdr)
                          : 0;
    int post_n = multipart ? snprintf(post, sizeof post, "\r\n--%s--\r\n", boundary) : 0;
    if (!multipart)
        pre[0] = post[0] = '\0';
    size_t body_len = (size_t)pre_n + isup_len + (size_t)post_n;
    char ctype[160];
    if (multipart)
        snprintf(ctype, sizeof ctype, "multipart/mixed;boundary=%s", boundary);
    else
        snprintf(ctype, sizeof ctype, "application/ISUP;version=itu-t92+\r\n"
                                      "Content-Disposition: signal;handling=required");
    int head_n = snprintf(head, sizeof head,
                          "INVITE sip:+%s@%s;user=phone SIP/2.0\r\n"
                          "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-clid-isup\r\n"
                          "Max-Forwards: 70\r\n"
                          "From: <sip:+%s@%s;user=phone>;tag=clid-isup\r\n"
                          "To: <sip:+%s@%s;user=phone>\r\n"
                          "Call-ID: %s\r\n"
                          "CSeq: 1 INVITE\r\n"
                          "Contact: <sip:gw@192.0.2.1:5060>\r\n"
                          "%s%s%s"
                          "MIME-Version: 1.0\r\n"
                          "Content-Type: %s\r\n"
                          "Content-Length: %zu\r\n\r\n",
                          d, host, o, host, d, host, call_id, date ? "Date: " : "",
                          date ? date : "", date ? "\r\n" : "", ctype, body_len);
    if (head_n < 0 || (size_t)head_n >= sizeof head)
        return bad("sip: fields too long");
    size_t total = (size_t)head_n + body_len;
    char *msg = malloc(total);
    if (msg == NULL)
        return TOOL_EXIT_FAIL;
    memcpy(msg, head, (size_t)head_n);
    memcpy(msg + head_n, pre, (size_t)pre_n);
    memcpy(msg + head_n + pre_n, isup, isup_len);
    memcpy(msg + (size_t)head_n + (size_t)pre_n + isup_len, post, (size_t)post_n);
    int rc = tool_write_file(path, msg, total);
    free(msg);
    return rc;
}

int isup_encode(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args(CMD, "isup", argc - 1, argv + 1, encode_opts,
                             sizeof encode_opts / sizeof encode_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[E_HELP]) {
        cmd_isup_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 1)
        return tool_usage_error(CMD, "isup", "one FILE (or -) expected");
    uint8_t *buf = NULL;
    size_t len = 0;
    if ((rc = tool_read_file(a.pos[0], TOOL_MAX_FILE, &buf, &len)) != TOOL_EXIT_OK)
        return rc;
    json_error_t jerr;
    json_t *doc = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
    free(buf);
    if (doc == NULL) {
        tool_error(CMD ": %s: not JSON: %s (line %d)", a.pos[0], jerr.text, jerr.line);
        return TOOL_EXIT_DATAERR;
    }
    clid_isup_iam *iam = NULL;
    uint8_t isup[CLID_ISUP_MAX_LEN];
    size_t isup_len = 0;
    const char *out = a.seen[E_OUTPUT] ? a.value[E_OUTPUT] : "-";
    clid_err e = clid_isup_iam_new(&iam);
    if (e != CLID_OK) {
        rc = TOOL_EXIT_FAIL;
    } else if ((rc = build(doc, iam)) == TOOL_EXIT_OK) {
        e = clid_isup_iam_encode(iam, isup, sizeof isup, &isup_len);
        if (e != CLID_OK) {
            tool_error(CMD ": %s: %s", clid_err_name(e), clid_err_str(e));
            rc = TOOL_EXIT_DATAERR;
        } else if (a.seen[E_SIPI]) {
            rc = write_sipi(doc, iam, isup, isup_len, out);
        } else {
            rc = tool_write_file(out, isup, isup_len);
        }
    }
    clid_isup_iam_free(iam);
    json_decref(doc);
    return rc;
}
