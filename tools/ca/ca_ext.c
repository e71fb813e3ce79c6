/*
 * clid ca: what a certificate says about its holder. The TNAuthList
 * (RFC 8226 §9) and SignallingEntity (docs/q3063-profile.md) options of
 * `issue` and `csr`, the profile lint, the subject name, and the subset
 * checks behind RFC 9060 delegation and Q.TSCA CSR verification.
 */
#include "ca.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

const char *ca_kind_name(ca_kind k)
{
    switch (k) {
    case CA_KIND_SP:
        return "sp";
    case CA_KIND_SP_CA:
        return "sp-ca";
    case CA_KIND_DELEGATE:
        return "delegate";
    }
    return "?";
}

/* ATIS-1000080 (v005): an SPC is digits and upper-case letters only; at
 * most CA_SPC_MAX_LEN so that "SHAKEN <SPC>" fits the 64 characters RFC 5280
 * allows a CN (ub-common-name). */
#define CA_SPC_MAX_LEN 57
static int spc_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CA_SPC_MAX_LEN)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i]) && !(s[i] >= 'A' && s[i] <= 'Z'))
            return 0;
    return 1;
}

static int bad_value(const char *cmd, const char *opt, const char *value, clid_err e)
{
    return tool_usage_error(cmd, "ca", "%s '%s': %s: %s", opt, value, clid_err_name(e),
                            clid_err_str(e));
}

/* "+12025550100" and "12025550100" are the same number (RFC 8224 §8.3 drops the '+'). */
static const char *skip_plus(const char *s)
{
    return s[0] == '+' ? s + 1 : s;
}

/* START+COUNT, COUNT decimal (2 .. 2^64-1; the library checks the rest). */
static int add_range(const char *cmd, clid_tnauth *l, const char *value)
{
    const char *plus = strrchr(value, '+');
    char start[32];
    if (plus == NULL || plus == value || (size_t)(plus - value) >= sizeof start)
        return tool_usage_error(cmd, "ca", "--range '%s': expected START+COUNT (12025550000+100)",
                                value);
    memcpy(start, value, (size_t)(plus - value));
    start[plus - value] = '\0';
    const char *count_s = plus + 1;
    char *end = NULL;
    errno = 0;
    unsigned long long count = strtoull(count_s, &end, 10);
    if (!isdigit((unsigned char)count_s[0]) || *end != '\0')
        return tool_usage_error(cmd, "ca", "--range '%s': COUNT is not a decimal number", value);
    if (errno == ERANGE)
        return tool_usage_error(cmd, "ca", "--range '%s': COUNT overflows 64 bits", value);
    clid_err e = clid_tnauth_add_range(l, skip_plus(start), (uint64_t)count);
    if (e == CLID_ERR_BAD_RANGE)
        return tool_usage_error(cmd, "ca", "--range '%s': %s: %s", value, clid_err_name(e),
                                count < 2 ? "COUNT must be at least 2 (RFC 8226)"
                                          : "range overflow: START+COUNT-1 has more digits than "
                                            "START");
    return e == CLID_OK ? TOOL_EXIT_OK : bad_value(cmd, "--range", value, e);
}

static int add_plmn(const char *cmd, clid_entity *e, const char *value)
{
    /* "MCC-MNC" or the digits run together (the MNC is whatever follows
     * the three MCC digits, so 23415 and 234015 are different networks). */
    char mcc[4], mnc[8];
    const char *dash = strchr(value, '-');
    size_t n = strlen(value);
    if (dash != NULL && dash - value == 3 && n - 4 < sizeof mnc) {
        memcpy(mcc, value, 3);
        snprintf(mnc, sizeof mnc, "%s", dash + 1);
    } else if (dash == NULL && (n == 5 || n == 6)) {
        memcpy(mcc, value, 3);
        snprintf(mnc, sizeof mnc, "%s", value + 3);
    } else {
        return tool_usage_error(cmd, "ca", "--mccmnc '%s': expected MCC-MNC (234-15) or MCCMNC",
                                value);
    }
    mcc[3] = '\0';
    clid_err rc = clid_entity_add_plmn(e, mcc, mnc);
    return rc == CLID_OK ? TOOL_EXIT_OK : bad_value(cmd, "--mccmnc", value, rc);
}

static int build_tnauth(const char *cmd, const tool_args *a, clid_tnauth **out)
{
    if (!a->seen[CA_OPT_SPC] && !a->seen[CA_OPT_TN] && !a->seen[CA_OPT_RANGE])
        return TOOL_EXIT_OK;
    clid_err e = clid_tnauth_new(out);
    if (e != CLID_OK) {
        tool_error("%s: %s", cmd, clid_err_str(e));
        return TOOL_EXIT_FAIL;
    }
    const char *spc = a->value[CA_OPT_SPC];
    if (spc != NULL) {
        if (!spc_ok(spc))
            return tool_usage_error(cmd, "ca",
                                    "--spc '%s': %s: ATIS-1000080 allows only digits and "
                                    "upper-case letters A-Z in an SPC (1 to %d)",
                                    spc, clid_err_name(CLID_ERR_BAD_SPC), CA_SPC_MAX_LEN);
        if ((e = clid_tnauth_add_spc(*out, spc)) != CLID_OK)
            return bad_value(cmd, "--spc", spc, e);
    }
    for (int i = 0; i < a->seen[CA_OPT_TN]; i++) {
        const char *tn = a->values[CA_OPT_TN][i];
        if ((e = clid_tnauth_add_tn(*out, skip_plus(tn))) != CLID_OK)
            return bad_value(cmd, "--tn", tn, e);
    }
    for (int i = 0; i < a->seen[CA_OPT_RANGE]; i++) {
        int rc = add_range(cmd, *out, a->values[CA_OPT_RANGE][i]);
        if (rc != TOOL_EXIT_OK)
            return rc;
    }
    return TOOL_EXIT_OK;
}

static int build_entity(const char *cmd, const tool_args *a, clid_entity **out)
{
    int any = 0;
    for (int k = CA_OPT_COUNTRY; k <= CA_OPT_OPERATOR; k++)
        any |= a->seen[k] != 0;
    if (!any)
        return TOOL_EXIT_OK;
    /* Q.3063 makes the role mandatory; a gateway that signs the calls it
     * originates is the common case, hence the default. */
    clid_entity_role role = CLID_ROLE_ORIGINATING_GATEWAY;
    clid_err e;
    const char *r = a->value[CA_OPT_ROLE];
    if (r != NULL && clid_entity_role_from_name(r, &role) != CLID_OK)
        return tool_usage_error(cmd, "ca",
                                "--role '%s': expected originating-gateway, "
                                "international-gateway, transit or verifier",
                                r);
    if ((e = clid_entity_new(role, out)) != CLID_OK) {
        tool_error("%s: %s", cmd, clid_err_str(e));
        return TOOL_EXIT_FAIL;
    }
    for (int i = 0; i < a->seen[CA_OPT_COUNTRY]; i++) {
        const char *cc = a->values[CA_OPT_COUNTRY][i];
        if ((e = clid_entity_add_country(*out, skip_plus(cc))) != CLID_OK)
            return bad_value(cmd, "--country", cc, e);
    }
    const char *icc = a->value[CA_OPT_CARRIER];
    if (icc != NULL && (e = clid_entity_set_carrier(*out, icc)) != CLID_OK)
        return bad_value(cmd, "--carrier", icc, e);
    for (int i = 0; i < a->seen[CA_OPT_MCCMNC]; i++) {
        int rc = add_plmn(cmd, *out, a->values[CA_OPT_MCCMNC][i]);
        if (rc != TOOL_EXIT_OK)
            return rc;
    }
    for (int i = 0; i < a->seen[CA_OPT_ISPC]; i++) {
        const char *v = a->values[CA_OPT_ISPC][i];
        unsigned ispc;
        if ((e = clid_ispc_parse(v, &ispc)) != CLID_OK ||
            (e = clid_entity_add_ispc(*out, ispc)) != CLID_OK)
            return bad_value(cmd, "--ispc", v, e);
    }
    const char *op = a->value[CA_OPT_OPERATOR];
    if (op != NULL && (e = clid_entity_set_operator_name(*out, op)) != CLID_OK)
        return bad_value(cmd, "--operator", op, e);
    return TOOL_EXIT_OK;
}

int ca_spec_from_args(const char *cmd, const tool_args *a, ca_spec *out)
{
    memset(out, 0, sizeof *out);
    out->cn = a->value[CA_OPT_CN];
    int rc = build_tnauth(cmd, a, &out->tnauth);
    if (rc == TOOL_EXIT_OK)
        rc = build_entity(cmd, a, &out->entity);
    if (rc == TOOL_EXIT_OK && out->cn != NULL &&
        (strlen(out->cn) > 64 || strpbrk(out->cn, "\r\n") != NULL))
        rc = tool_usage_error(cmd, "ca",
                              "--cn: at most 64 bytes on one line (RFC 5280 ub-common-name)");
    if (rc != TOOL_EXIT_OK)
        ca_spec_free(out);
    return rc;
}

void ca_spec_free(ca_spec *s)
{
    clid_tnauth_free(s->tnauth);
    clid_entity_free(s->entity);
    memset(s, 0, sizeof *s);
}

int ca_spec_lint(const char *cmd, const ca_spec *s, ca_kind kind, int usage_rc)
{
    const char *why = NULL;
    size_t n = clid_tnauth_count(s->tnauth), spcs = 0;
    clid_tnauth_entry e = {0};
    for (size_t i = 0; i < n; i++) {
        if (clid_tnauth_get(s->tnauth, i, &e) != CLID_OK)
            continue;
        if (e.kind == CLID_TNAUTH_SPC) {
            spcs++;
            if (!spc_ok(e.value))
                why = "ATIS-1000080 allows only digits and upper-case letters in an SPC (1 to "
                      "57, so that the CN \"SHAKEN <SPC>\" fits 64 characters)";
        }
    }
    if (s->tnauth == NULL || n == 0)
        why = "a certificate needs a TNAuthList: give --spc, --tn or --range (RFC 8226 §9; "
              "verifiers refuse a signer certificate without one)";
    else if (spcs > 1)
        why = "ATIS-1000080: a TNAuthList holds a single SPC";
    else if (kind == CA_KIND_SP && spcs == 1 && n > 1)
        why = "ATIS-1000080: an SP certificate with an SPC carries only that SPC; issue "
              "TN-scoped certificates (--tn/--range) without --spc";
    else if (kind == CA_KIND_SP && spcs == 1 && s->cn != NULL)
        why = "--cn: ATIS-1000080 fixes the CN of an SPC certificate as \"SHAKEN <SPC>\"";
    if (why == NULL)
        return TOOL_EXIT_OK;
    if (usage_rc == TOOL_EXIT_USAGE)
        return tool_usage_error(cmd, "ca", "%s", why);
    tool_error("%s: %s", cmd, why);
    return usage_rc;
}

X509_NAME *ca_spec_subject(const ca_spec *s, ca_kind kind, const char *org, const char *country)
{
    char cn[128], o[80];
    clid_tnauth_entry e = {0};
    const char *spc = NULL;
    for (size_t i = 0; i < clid_tnauth_count(s->tnauth); i++)
        if (clid_tnauth_get(s->tnauth, i, &e) == CLID_OK && e.kind == CLID_TNAUTH_SPC)
            spc = e.value;
    if (s->cn != NULL) {
        snprintf(cn, sizeof cn, "%s", s->cn);
    } else if (spc != NULL) {
        /* ATIS-1000080: the CN of a SHAKEN certificate is "SHAKEN <SPC>". */
        snprintf(cn, sizeof cn, "SHAKEN %s%s", spc, kind == CA_KIND_SP_CA ? " CA" : "");
    } else if (clid_tnauth_get(s->tnauth, 0, &e) == CLID_OK) {
        size_t more = clid_tnauth_count(s->tnauth) - 1;
        char extra[32] = "";
        if (more > 0)
            snprintf(extra, sizeof extra, " and %zu more", more);
        if (e.kind == CLID_TNAUTH_RANGE) {
            /* "TN 12025550100-12025550199": '+' would need RFC 4514 escaping. */
            unsigned long long last = strtoull(e.value, NULL, 10) + e.count - 1;
            snprintf(cn, sizeof cn, "TN %s-%0*llu%s%s", e.value, (int)strlen(e.value), last,
                     extra, kind == CA_KIND_SP_CA ? " CA" : "");
        }
        else
            snprintf(cn, sizeof cn, "TN %s%s%s", e.value, extra,
                     kind == CA_KIND_SP_CA ? " CA" : "");
    } else {
        snprintf(cn, sizeof cn, "clid ca certificate");
    }
    /* ATIS-1000080 v005 (sti.subject.dn): C, O and CN, each once. O is the
     * participant: --org, else the SignallingEntity's operator name, else
     * named after the SPC; C is the CA's. */
    if (org == NULL && s->entity != NULL)
        org = clid_entity_operator_name(s->entity);
    if (org == NULL && spc != NULL) {
        snprintf(o, sizeof o, "SP %s", spc);
        org = o;
    }
    return ca_make_name(cn, org, country);
}

clid_err ca_spec_add_exts(const ca_spec *s, X509 *x)
{
    clid_err e = CLID_OK;
    /* Non-critical: ATIS-1000080 says so for TNAuthList, and a critical
     * extension unknown to a relying party fails its whole chain (RFC 5280
     * §4.2); the Q.3063 profile defines SignallingEntity as non-critical. */
    if (s->tnauth != NULL)
        e = clid_x509_add_tnauth(x, s->tnauth, 0);
    if (e == CLID_OK && s->entity != NULL)
        e = clid_x509_add_entity(x, s->entity, 0);
    return e;
}

static int str_in(const char *s, const char *const *set, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (set[i] != NULL && strcmp(set[i], s) == 0)
            return 1;
    return 0;
}

int ca_entity_within(const clid_entity *req, const clid_entity *allowed, const char **why)
{
    if (allowed == NULL) {
        *why = "a SignallingEntity, but the command line allows none (give --role, --country ...)";
        return 0;
    }
    if (clid_entity_get_role(req) != clid_entity_get_role(allowed)) {
        *why = "a different SignallingEntity role than --role";
        return 0;
    }
    const char *set[CLID_ENTITY_MAX_LIST];
    size_t n = clid_entity_country_count(allowed);
    for (size_t i = 0; i < n && i < CLID_ENTITY_MAX_LIST; i++)
        set[i] = clid_entity_country(allowed, i);
    for (size_t i = 0; i < clid_entity_country_count(req); i++)
        if (!str_in(clid_entity_country(req, i), set, n)) {
            *why = "a country code not given with --country";
            return 0;
        }
    const char *rc = clid_entity_carrier(req), *ac = clid_entity_carrier(allowed);
    if (rc != NULL && (ac == NULL || strcmp(rc, ac) != 0)) {
        *why = "a carrier code other than --carrier";
        return 0;
    }
    for (size_t i = 0; i < clid_entity_plmn_count(req); i++) {
        int found = 0;
        for (size_t j = 0; j < clid_entity_plmn_count(allowed) && !found; j++)
            found = strcmp(clid_entity_plmn_mcc(req, i), clid_entity_plmn_mcc(allowed, j)) == 0 &&
                    strcmp(clid_entity_plmn_mnc(req, i), clid_entity_plmn_mnc(allowed, j)) == 0;
        if (!found) {
            *why = "an MCC/MNC not given with --mccmnc";
            return 0;
        }
    }
    for (size_t i = 0; i < clid_entity_ispc_count(req); i++) {
        int found = 0;
        for (size_t j = 0; j < clid_entity_ispc_count(allowed) && !found; j++)
            found = clid_entity_ispc(req, i) == clid_entity_ispc(allowed, j);
        if (!found) {
            *why = "a signalling point code not given with --ispc";
            return 0;
        }
    }
    const char *ro = clid_entity_operator_name(req), *ao = clid_entity_operator_name(allowed);
    if (ro != NULL && (ao == NULL || strcmp(ro, ao) != 0)) {
        *why = "an operator name other than --operator";
        return 0;
    }
    return 1;
}

void ca_tnauth_summary(const clid_tnauth *l, char *out, size_t cap)
{
    size_t o = 0;
    out[0] = '\0';
    for (size_t i = 0; i < clid_tnauth_count(l) && o < cap; i++) {
        clid_tnauth_entry e;
        if (clid_tnauth_get(l, i, &e) != CLID_OK)
            continue;
        int n;
        const char *sep = i ? ", " : "";
        if (e.kind == CLID_TNAUTH_SPC)
            n = snprintf(out + o, cap - o, "%sSPC %s", sep, e.value);
        else if (e.kind == CLID_TNAUTH_TN)
            n = snprintf(out + o, cap - o, "%sTN %s", sep, e.value);
        else
            n = snprintf(out + o, cap - o, "%srange %s+%llu", sep, e.value,
                         (unsigned long long)e.count);
        if (n < 0)
            break;
        o += (size_t)n;
    }
}

json_t *ca_tnauth_json(const clid_tnauth *l)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < clid_tnauth_count(l) && arr != NULL; i++) {
        clid_tnauth_entry e;
        json_t *o = json_object();
        int bad = clid_tnauth_get(l, i, &e) != CLID_OK;
        if (!bad && e.kind == CLID_TNAUTH_RANGE)
            bad = tool_json_put(o, "type", json_string("range")) != 0 ||
                  tool_json_put(o, "start", tool_json_string(e.value)) != 0 ||
                  tool_json_put(o, "count", json_integer((json_int_t)e.count)) != 0;
        else if (!bad)
            bad = tool_json_put(o, "type", json_string(e.kind == CLID_TNAUTH_SPC ? "spc" : "tn")) !=
                      0 ||
                  tool_json_put(o, "value", tool_json_string(e.value)) != 0;
        if (bad || tool_json_push(arr, o) != 0) {
            if (bad)
                json_decref(o);
            json_decref(arr);
            arr = NULL;
        }
    }
    return arr;
}
