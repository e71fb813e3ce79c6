/*
 * The catalogue's format (interop-tests/conformance/README.md): checked
 * whole before anything is generated, so a typo in a case is an error,
 * never a silently different case.
 */
#include <string.h>

#include <clid/clid_errors.h>

#include "conform/corrupt.h"
#include "conform/gen.h"
#include "util.h"

static const char *const groups[] = {"header",      "passport", "freshness", "binding",
                                     "certificate", "x5u",      "valid"};
static const char *const x5us[] = {"chain",    "leaf-only", "wrong-cert",      "404",
                                   "timeout",  "redirect",  "private-address", "oversized",
                                   "not-pem",  "http",      "chain-with-root", "chain-reversed",
                                   "der",      "query"};
static const char *const signers[] = {
    "sp",          "sp2",           "tn-range",       "sp-ca",         "delegate",
    "delegate-outside", "expired",  "not-yet-valid",  "revoked-sti-pa", "direct-sp",
    "revoked-direct", "untrusted",  "ku-no-digsig",   "no-tnauth",     "tnauth-not-der",
    "jwtcc",       "ejwtcc"};
static const char *const verstats[] = {"TN-Validation-Passed", "TN-Validation-Failed",
                                       "No-TN-Validation"};
static const char *const needs[] = {"non-loopback", "slow-x5u"};
static const char *const case_keys[] = {"name",  "group",   "clause", "title",      "signer",
                                        "x5u",   "claims",  "sip",    "corrupt",    "needs",
                                        "expect", "iat_offset", "note"};
static const char *const sip_keys[] = {"from", "to", "ruri", "pai", "date_offset", "date",
                                       "date_text", "div"};

#define IN(s, arr) in_list((s), (arr), sizeof(arr) / sizeof(arr)[0])

static int in_list(const char *s, const char *const *l, size_t n)
{
    for (size_t i = 0; s != NULL && i < n; i++)
        if (strcmp(s, l[i]) == 0)
            return 1;
    return 0;
}

int gen_x5u_known(const char *name) { return IN(name, x5us); }
int gen_signer_known(const char *name) { return IN(name, signers); }

static int name_ok(const char *s)
{
    size_t n = s != NULL ? strlen(s) : 0;
    if (n < 1 || n > 48)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '-'))
            return 0;
    return 1;
}

static int line_ok(const char *s, size_t max)
{
    size_t n = s != NULL ? strlen(s) : 0;
    return n > 0 && n <= max && strpbrk(s, "\r\n\t") == NULL;
}

const char *gen_case_check(json_t *c, char *buf, size_t cap)
{
#define FAIL(...) return (snprintf(buf, cap, __VA_ARGS__), buf)
    if (!json_is_object(c))
        FAIL("a case is not a JSON object");
    const char *key;
    json_t *v;
    const char *name = json_string_value(json_object_get(c, "name"));
    if (!name_ok(name))
        FAIL("name: [a-z0-9-]{1,48} required");
    json_object_foreach(c, key, v) if (!IN(key, case_keys)) FAIL("%s: unknown member \"%s\"",
                                                                          name, key);
    if (!IN(json_string_value(json_object_get(c, "group")), groups))
        FAIL("%s: group: one of header, passport, freshness, binding, certificate, x5u, valid",
             name);
    if (!line_ok(json_string_value(json_object_get(c, "clause")), 200))
        FAIL("%s: clause: one line required", name);
    if (!line_ok(json_string_value(json_object_get(c, "title")), 120))
        FAIL("%s: title: one line of at most 120 characters required", name);
    if (!gen_signer_known(json_string_value(json_object_get(c, "signer"))))
        FAIL("%s: signer: unknown entity", name);
    if (!gen_x5u_known(json_string_value(json_object_get(c, "x5u"))))
        FAIL("%s: x5u: unknown behaviour", name);
    if ((v = json_object_get(c, "claims")) != NULL && !json_is_object(v))
        FAIL("%s: claims: an object of claim overrides", name);
    if ((v = json_object_get(c, "iat_offset")) != NULL && !json_is_integer(v))
        FAIL("%s: iat_offset: an integer", name);
    if ((v = json_object_get(c, "note")) != NULL && !json_is_string(v))
        FAIL("%s: note: a string", name);
    if ((v = json_object_get(c, "sip")) != NULL) {
        if (!json_is_object(v))
            FAIL("%s: sip: an object", name);
        json_t *s;
        json_object_foreach(v, key, s)
        {
            if (!IN(key, sip_keys))
                FAIL("%s: sip: unknown member \"%s\"", name, key);
            int ok = strcmp(key, "date_offset") == 0 ? json_is_integer(s)
                     : strcmp(key, "date") == 0      ? json_is_null(s)
                     : strcmp(key, "pai") == 0 ? json_is_null(s) || line_ok(json_string_value(s), 200)
                                               : line_ok(json_string_value(s), 200);
            if (!ok)
                FAIL("%s: sip.%s: wrong type", name, key);
        }
    }
    if ((v = json_object_get(c, "corrupt")) != NULL) {
        if (!json_is_array(v))
            FAIL("%s: corrupt: an array of names", name);
        for (size_t i = 0; i < json_array_size(v); i++) {
            const char *cn = json_string_value(json_array_get(v, i));
            if (cn == NULL || corrupt_find(cn) == NULL)
                FAIL("%s: corrupt: unknown corruption \"%s\"", name, cn ? cn : "?");
            for (size_t j = 0; j < i; j++)
                if (json_equal(json_array_get(v, j), json_array_get(v, i)))
                    FAIL("%s: corrupt: \"%s\" twice", name, cn);
        }
    }
    if ((v = json_object_get(c, "needs")) != NULL) {
        if (!json_is_array(v))
            FAIL("%s: needs: an array", name);
        for (size_t i = 0; i < json_array_size(v); i++)
            if (!IN(json_string_value(json_array_get(v, i)), needs))
                FAIL("%s: needs: unknown requirement", name);
    }
    json_t *e = json_object_get(c, "expect");
    if (!json_is_object(e) || json_object_size(e) != 3)
        FAIL("%s: expect: {verstat, sip, reason} required", name);
    const char *vs = json_string_value(json_object_get(e, "verstat"));
    if (!IN(vs, verstats))
        FAIL("%s: expect.verstat: unknown", name);
    json_t *sip = json_object_get(e, "sip");
    if (!json_is_array(sip) || json_array_size(sip) == 0)
        FAIL("%s: expect.sip: a non-empty array", name);
    const char *reason = json_string_value(json_object_get(e, "reason"));
    clid_err r = reason != NULL ? clid_err_from_name(reason) : CLID_ERR__COUNT;
    if (r == CLID_ERR__COUNT)
        FAIL("%s: expect.reason: not a clid reason name", name);
    /* The reason must tell the same verstat and SIP status clid's table
     * gives it (clid_errors.h), else the case contradicts itself. */
    if (strcmp(clid_verstat_str(clid_err_verstat(r)), vs) != 0)
        FAIL("%s: expect: %s is %s, not %s", name, reason, clid_verstat_str(clid_err_verstat(r)),
             vs);
    int found = 0;
    for (size_t i = 0; i < json_array_size(sip); i++) {
        json_t *s = json_array_get(sip, i);
        json_int_t code = json_integer_value(s);
        if (!json_is_integer(s) || !(code == 0 || (code >= 400 && code <= 699)))
            FAIL("%s: expect.sip: 0 or a final SIP status", name);
        found |= code == clid_err_sip_status(r);
    }
    if (!found)
        FAIL("%s: expect.sip does not list %d, the status of %s", name, clid_err_sip_status(r),
             reason);
    return NULL;
#undef FAIL
}

json_t *gen_catalogue_load(const char *path)
{
    json_error_t je;
    json_t *cat = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (cat == NULL) {
        tool_error("%s:%d: %s", path, je.line, je.text);
        return NULL;
    }
    json_t *cases = json_object_get(cat, "cases");
    if (json_integer_value(json_object_get(cat, "version")) != 1 || !json_is_array(cases) ||
        json_object_size(cat) != 2 || json_array_size(cases) == 0) {
        tool_error("%s: expected {\"version\": 1, \"cases\": [...]}", path);
        json_decref(cat);
        return NULL;
    }
    char buf[300];
    for (size_t i = 0; i < json_array_size(cases); i++) {
        json_t *c = json_array_get(cases, i);
        const char *why = gen_case_check(c, buf, sizeof buf);
        for (size_t j = 0; why == NULL && j < i; j++)
            if (json_equal(json_object_get(c, "name"),
                           json_object_get(json_array_get(cases, j), "name")))
                why = "name used twice";
        if (why != NULL) {
            tool_error("%s: case %zu: %s", path, i + 1, why);
            json_decref(cat);
            return NULL;
        }
    }
    return cat;
}
