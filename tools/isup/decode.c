/*
 * clid isup decode [--json] [--country-code CC] [--apm-context N] FILE|-
 *
 * One JSON document is built from the IAM (public API only: the codec of
 * clid_isup.h), then printed as is (--json) or as lines. Every byte shown
 * comes from hostile input: numbers are hex digits by construction, raw
 * parameters are printed as hex, the token's claims through jansson.
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_isup.h>

#include "commands.h"
#include "isup/isup.h"

enum { D_JSON, D_CC, D_APM_CTX, D_HELP };
static const tool_opt decode_opts[] = {
    [D_JSON] = {"--json", NULL, 0, 0},
    [D_CC] = {"--country-code", NULL, 1, 0},
    [D_APM_CTX] = {"--apm-context", NULL, 1, 0},
    [D_HELP] = {"--help", "-h", 0, 0},
};

static json_t *hex_json(const uint8_t *p, size_t n)
{
    char *s = malloc(2 * n + 1);
    if (s == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++)
        snprintf(s + 2 * i, 3, "%02x", p[i]);
    s[2 * n] = '\0';
    json_t *j = json_string(s);
    free(s);
    return j;
}

static int is_number_param(unsigned code)
{
    return code == CLID_ISUP_CALLED_PARTY_NUMBER || code == CLID_ISUP_CALLING_PARTY_NUMBER ||
           code == CLID_ISUP_REDIRECTING_NUMBER || code == CLID_ISUP_ORIGINAL_CALLED_NUMBER ||
           code == CLID_ISUP_GENERIC_NUMBER;
}

static json_t *number_json(const clid_isup_iam *iam, unsigned code, size_t i, const char *cc)
{
    clid_isup_number n;
    if (clid_isup_iam_get_number(iam, code, i, &n) != CLID_OK)
        return json_null();
    json_t *o = json_object();
    tool_json_put(o, "nai", json_integer(n.nai));
    tool_json_put(o, "npi", json_integer(n.npi));
    tool_json_put(o, code == CLID_ISUP_CALLED_PARTY_NUMBER ? "inn" : "ni",
                  json_integer(n.inn_ni));
    if (code != CLID_ISUP_CALLED_PARTY_NUMBER) {
        tool_json_put(o, "apri", json_integer(n.apri));
        tool_json_put(o, "screening", json_integer(n.screening));
    }
    if (code == CLID_ISUP_GENERIC_NUMBER)
        tool_json_put(o, "qualifier", json_integer(n.qualifier));
    tool_json_put(o, "digits", tool_json_string(n.digits));
    char tn[CLID_TN_BUF];
    tool_json_put(o, "tn",
                  clid_isup_number_to_tn(&n, cc, tn) == CLID_OK ? json_string(tn) : json_null());
    return o;
}

/* Q.763 §3.82 Figure 81: ext|ACI [ext|ACI], ext|spare|SNI|RCI,
 * ext|SI|segmentation indicator [ext|SLR], then the data. */
static json_t *atp_json(const uint8_t *v, size_t n)
{
    json_t *o = json_object();
    size_t i = 0;
    if (i >= n)
        return o;
    unsigned aci = v[i] & 0x7F;
    int two = !(v[i++] & 0x80);
    if (two && i < n)
        aci = (aci << 7) | (v[i++] & 0x7Fu);
    tool_json_put(o, "context", json_integer(aci));
    if (i < n) {
        tool_json_put(o, "send_notification", json_integer((v[i] >> 1) & 1));
        tool_json_put(o, "release_call", json_integer(v[i] & 1));
        i++;
    }
    if (i < n) {
        int slr = !(v[i] & 0x80);
        tool_json_put(o, "new_sequence", json_integer((v[i] >> 6) & 1));
        tool_json_put(o, "segmentation_indicator", json_integer(v[i] & 0x3F));
        i++;
        if (slr && i < n)
            tool_json_put(o, "segmentation_local_reference", json_integer(v[i++] & 0x7F));
    }
    tool_json_put(o, "data_length", json_integer((json_int_t)(n - i)));
    return o;
}

static int b64url_val(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '-' ? 62 : c == '_' ? 63 : -1;
}

/* The JSON of one base64url JWS segment (header or claims), NULL if it is none. */
static json_t *jws_segment(const char *s, size_t n)
{
    char *out = malloc(n * 3 / 4 + 4);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    unsigned acc = 0, bits = 0;
    for (size_t i = 0; i < n; i++) {
        int v = b64url_val(s[i]);
        if (v < 0) {
            free(out);
            return NULL;
        }
        acc = (acc << 6) | (unsigned)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out[o++] = (char)((acc >> bits) & 0xFF);
        }
    }
    json_t *j = json_loadb(out, o, JSON_REJECT_DUPLICATES, NULL);
    free(out);
    return j;
}

/* The token of `context`, rebuilt: {"length", "identity", "header", "claims"}
 * or {"length", "error"}; NULL without one. */
static json_t *token_json(const clid_isup_iam *iam, unsigned context, const char *cc)
{
    uint8_t tok[CLID_CLI_TOKEN_MAX];
    size_t tok_len = 0;
    if (clid_isup_iam_get_apm(iam, context, tok, sizeof tok, &tok_len) != CLID_OK)
        return NULL;
    char orig[CLID_TN_BUF], dest[CLID_TN_BUF];
    clid_isup_number n;
    const char *o = NULL, *d = NULL;
    if (clid_isup_iam_get_number(iam, CLID_ISUP_CALLING_PARTY_NUMBER, 0, &n) == CLID_OK &&
        clid_isup_number_to_tn(&n, cc, orig) == CLID_OK)
        o = orig;
    if (clid_isup_iam_get_number(iam, CLID_ISUP_CALLED_PARTY_NUMBER, 0, &n) == CLID_OK) {
        size_t k = strlen(n.digits);
        if (k > 0 && n.digits[k - 1] == 'F')
            n.digits[k - 1] = '\0'; /* ST ends a called number, Q.763 §3.9 e */
        if (clid_isup_number_to_tn(&n, cc, dest) == CLID_OK)
            d = dest;
    }
    json_t *j = json_object();
    tool_json_put(j, "context", json_integer(context));
    tool_json_put(j, "length", json_integer((json_int_t)tok_len));
    char *id = malloc(CLID_IDENTITY_MAX_LEN);
    size_t id_len = 0;
    clid_err e = id == NULL ? CLID_ERR_NOMEM
                            : clid_cli_token_to_identity(tok, tok_len, o, d, id,
                                                         CLID_IDENTITY_MAX_LEN, &id_len);
    if (e != CLID_OK) {
        tool_json_put(j, "error", json_string(clid_err_name(e)));
    } else {
        tool_json_put(j, "identity", tool_json_string(id));
        const char *dot1 = strchr(id, '.');
        const char *dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
        json_t *h = dot1 ? jws_segment(id, (size_t)(dot1 - id)) : NULL;
        json_t *c = dot2 ? jws_segment(dot1 + 1, (size_t)(dot2 - dot1 - 1)) : NULL;
        tool_json_put(j, "header", h ? h : json_null());
        tool_json_put(j, "claims", c ? c : json_null());
    }
    free(id);
    return j;
}

static json_t *iam_json(const clid_isup_iam *iam, size_t len, const char *cc, unsigned context)
{
    json_t *o = json_object();
    tool_json_put(o, "message_type", json_string("IAM"));
    tool_json_put(o, "length", json_integer((json_int_t)len));
    uint8_t fx[5];
    clid_isup_iam_get_fixed(iam, fx);
    json_t *f = json_object();
    tool_json_put(f, "nature_of_connection_indicators", hex_json(fx, 1));
    tool_json_put(f, "forward_call_indicators", hex_json(fx + 1, 2));
    tool_json_put(f, "calling_partys_category", hex_json(fx + 3, 1));
    tool_json_put(f, "transmission_medium_requirement", hex_json(fx + 4, 1));
    tool_json_put(o, "fixed", f);
    tool_json_put(o, "called_party_number",
                  number_json(iam, CLID_ISUP_CALLED_PARTY_NUMBER, 0, cc));
    json_t *params = json_array();
    size_t generic = 0, count = clid_isup_iam_param_count(iam);
    for (size_t i = 0; i < count; i++) {
        unsigned code = 0;
        const uint8_t *v = NULL;
        size_t n = 0;
        if (clid_isup_iam_param(iam, i, &code, &v, &n) != CLID_OK)
            continue;
        json_t *p = json_object();
        tool_json_put(p, "code", json_integer(code));
        const char *name = tool_isup_param_name(code);
        tool_json_put(p, "name", name ? json_string(name) : json_null());
        tool_json_put(p, "length", json_integer((json_int_t)n));
        tool_json_put(p, "hex", hex_json(v, n));
        if (is_number_param(code))
            tool_json_put(p, "number",
                          number_json(iam, code, code == CLID_ISUP_GENERIC_NUMBER ? generic++ : 0,
                                      cc));
        if (code == CLID_ISUP_APPLICATION_TRANSPORT)
            tool_json_put(p, "apm", atp_json(v, n));
        tool_json_push(params, p);
    }
    tool_json_put(o, "parameters", params);
    json_t *tok = token_json(iam, context, cc);
    tool_json_put(o, "cli_token", tok ? tok : json_null());
    return o;
}

static void print_number(const char *label, json_t *n)
{
    if (!json_is_object(n)) {
        printf("%s: absent\n", label);
        return;
    }
    printf("%s:", label);
    const char *k;
    json_t *v;
    json_object_foreach(n, k, v)
    {
        if (json_is_integer(v))
            printf(" %s=%lld", k, (long long)json_integer_value(v));
        else if (json_is_string(v))
            printf(" %s=%s", k, json_string_value(v));
        else
            printf(" %s=-", k);
    }
    printf("\n");
}

static void print_text(const json_t *doc)
{
    const json_t *sipi = json_object_get(doc, "sipi");
    if (json_is_object(sipi)) {
        /* version= and base= are the sender's text: sanitized for the terminal. */
        const char *ver = json_string_value(json_object_get(sipi, "version"));
        const char *base = json_string_value(json_object_get(sipi, "base"));
        char *v = tool_sanitize(ver ? ver : "", ver ? strlen(ver) : 0);
        char *b = tool_sanitize(base ? base : "", base ? strlen(base) : 0);
        printf("sip-i: version=%s base=%s handling=%s offset=%lld length=%lld\n", v ? v : "",
               b ? b : "",
               json_is_true(json_object_get(sipi, "handling_required")) ? "required"
                                                                          : "optional",
               (long long)json_integer_value(json_object_get(sipi, "offset")),
               (long long)json_integer_value(json_object_get(sipi, "length")));
        free(v);
        free(b);
    }
    printf("message_type: IAM (0x01), %lld octets\n",
           (long long)json_integer_value(json_object_get(doc, "length")));
    const json_t *f = json_object_get(doc, "fixed");
    printf("fixed: nature_of_connection=%s forward_call=%s calling_category=%s "
           "transmission_medium=%s\n",
           json_string_value(json_object_get(f, "nature_of_connection_indicators")),
           json_string_value(json_object_get(f, "forward_call_indicators")),
           json_string_value(json_object_get(f, "calling_partys_category")),
           json_string_value(json_object_get(f, "transmission_medium_requirement")));
    print_number("called_party_number (0x04)", json_object_get(doc, "called_party_number"));
    const json_t *params = json_object_get(doc, "parameters");
    size_t i;
    json_t *p;
    json_array_foreach(params, i, p)
    {
        const char *name = json_string_value(json_object_get(p, "name"));
        char label[96];
        snprintf(label, sizeof label, "parameter 0x%02llx %s (%lld octets)",
                 (long long)json_integer_value(json_object_get(p, "code")),
                 name ? name : "unknown", (long long)json_integer_value(json_object_get(p, "length")));
        json_t *num = json_object_get(p, "number");
        json_t *apm = json_object_get(p, "apm");
        if (num != NULL) {
            print_number(label, num);
        } else if (apm != NULL) {
            print_number(label, apm);
        } else {
            printf("%s: %s\n", label, json_string_value(json_object_get(p, "hex")));
        }
    }
    const json_t *tok = json_object_get(doc, "cli_token");
    if (!json_is_object(tok)) {
        printf("cli_token: absent\n");
        return;
    }
    printf("cli_token: context=%lld length=%lld\n",
           (long long)json_integer_value(json_object_get(tok, "context")),
           (long long)json_integer_value(json_object_get(tok, "length")));
    const json_t *err = json_object_get(tok, "error");
    if (err != NULL) {
        printf("cli_token error: %s\n", json_string_value(err));
        return;
    }
    printf("identity: %s\n", json_string_value(json_object_get(tok, "identity")));
    char *h = json_dumps(json_object_get(tok, "header"), JSON_COMPACT | JSON_ENSURE_ASCII);
    char *c = json_dumps(json_object_get(tok, "claims"), JSON_COMPACT | JSON_ENSURE_ASCII);
    printf("header: %s\nclaims: %s\n", h ? h : "null", c ? c : "null");
    free(h);
    free(c);
}

int isup_decode(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("isup decode", "isup", argc - 1, argv + 1, decode_opts,
                             sizeof decode_opts / sizeof decode_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[D_HELP]) {
        cmd_isup_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 1)
        return tool_usage_error("isup decode", "isup", "one FILE (or -) expected");
    unsigned context = CLID_ISUP_APM_CONTEXT_DEFAULT;
    if (a.seen[D_APM_CTX] &&
        (rc = tool_isup_apm_context("isup decode", a.value[D_APM_CTX], &context)) != TOOL_EXIT_OK)
        return rc;
    const char *cc = a.seen[D_CC] ? a.value[D_CC] : "1";
    uint8_t *buf = NULL;
    size_t len = 0;
    if ((rc = tool_read_file(a.pos[0], CLID_SIP_MAX_LEN, &buf, &len)) != TOOL_EXIT_OK)
        return rc;

    /* A raw IAM starts with its message type code (Q.763 Table 4: IAM
     * 0x01); a SIP request starts with a method token, never with 0x01. */
    clid_sipi_part part;
    memset(&part, 0, sizeof part);
    int sip = !(len > 0 && buf[0] == 0x01);
    clid_err e = CLID_OK;
    if (sip)
        e = clid_sipi_find_isup((const char *)buf, len, &part);
    else
        part.len = len;
    clid_isup_iam *iam = NULL;
    if (e == CLID_OK)
        e = clid_isup_iam_parse(buf + part.offset, part.len, &iam);
    if (e != CLID_OK) {
        tool_error("%s: %s: %s: %s", a.pos[0], sip ? "SIP-I request" : "IAM", clid_err_name(e),
                   clid_err_str(e));
        free(buf);
        return TOOL_EXIT_DATAERR;
    }
    json_t *doc = iam_json(iam, part.len, cc, context);
    if (sip && doc != NULL) {
        json_t *s = json_object();
        tool_json_put(s, "version", tool_json_string(part.version));
        tool_json_put(s, "base", tool_json_string(part.base));
        tool_json_put(s, "handling_required", json_boolean(part.handling_required));
        tool_json_put(s, "offset", json_integer((json_int_t)part.offset));
        tool_json_put(s, "length", json_integer((json_int_t)part.len));
        tool_json_put(doc, "sipi", s);
    }
    if (doc == NULL) {
        rc = TOOL_EXIT_FAIL;
    } else if (a.seen[D_JSON]) {
        rc = tool_json_print(stdout, doc) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
    } else {
        print_text(doc);
        rc = fflush(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
    }
    json_decref(doc);
    clid_isup_iam_free(iam);
    free(buf);
    return rc;
}
