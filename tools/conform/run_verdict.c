/*
 * Verdicts (CONFORM-SPEC "The results") and expectation files.
 *
 * pass:            the observation meets the case's "expect": the verstat
 *                  is equal, the SIP status is one of "sip" (0 = passed on),
 *                  and for the clid target the reason name is equal;
 * known-deviation: it does not, but equals the target's recorded
 *                  expectation for the case (verstat and sip);
 * fail:            otherwise; also a case the expectation lists that now
 *                  passes or deviates differently: the expectation changed,
 *                  and CI must notice (issue 9, "the test can fail");
 * skipped:         the case needs what the target cannot have ("needs");
 * error:           the target could not be asked.
 *
 * An expectation file: {"target": NAME, "deviations": {CASE: {"verstat":
 * V, "sip": CODE, "why": "one line"}}}; every CASE must be in the suite.
 */
#include <stdlib.h>
#include <string.h>

#include "conform/run.h"
#include "util.h"

int conform_expect_load(conform_target *t, const char *path, const conform_suite *s)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = tool_read_file(path, 1024 * 1024, &buf, &len);
    if (rc != TOOL_EXIT_OK)
        return rc;
    json_error_t err;
    json_t *j = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &err);
    free(buf);
    if (j == NULL) {
        tool_error("%s:%d: %s", path, err.line, err.text);
        return TOOL_EXIT_DATAERR;
    }
    json_t *dev = json_object_get(j, "deviations");
    if (!json_is_object(dev)) {
        tool_error("%s: no \"deviations\" object", path);
        json_decref(j);
        return TOOL_EXIT_DATAERR;
    }
    const char *name;
    json_t *e;
    json_object_foreach(dev, name, e) {
        int known = 0;
        for (size_t i = 0; i < s->n && !known; i++)
            known = strcmp(s->cases[i].name, name) == 0;
        if (!known) {
            /* A deviation the suite no longer has is a changed expectation too. */
            tool_error("%s: deviation '%s': no such case in the suite (the expectation "
                       "changed: update the file)", path, name);
            json_decref(j);
            return TOOL_EXIT_DATAERR;
        }
        if (!json_is_object(e) || conform_json_str(e, "verstat") == NULL ||
            !json_is_integer(json_object_get(e, "sip")) || conform_json_str(e, "why") == NULL) {
            tool_error("%s: deviation '%s': needs \"verstat\", \"sip\" and \"why\"", path, name);
            json_decref(j);
            return TOOL_EXIT_DATAERR;
        }
    }
    t->deviations = json_incref(dev);
    t->expect_file = path;
    json_decref(j);
    return TOOL_EXIT_OK;
}

const char *conform_skip(const conform_target *t, const conform_case *c)
{
    json_t *needs = json_object_get(c->json, "needs");
    size_t i;
    json_t *v;
    json_array_foreach(needs, i, v) {
        /* The suite's x5u server is on loopback; a case that reaches another
         * address would reach out of the test network from someone else's
         * verifier: only clid's own (whose fetcher the runner controls) is
         * asked. */
        if (json_is_string(v) && strcmp(json_string_value(v), "non-loopback") == 0 &&
            t->kind != CONFORM_CLID)
            return "needs non-loopback: reaches an address other than loopback";
    }
    return NULL;
}

static int sip_listed(const json_t *ex, int sip)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(ex, "sip"), i, v)
        if (json_is_integer(v) && json_integer_value(v) == sip)
            return 1;
    return 0;
}

/* "verstat X, sip N" of an observation, for why texts. */
static void obs_text(const conform_obs *o, char *buf, size_t cap)
{
    char sip[24] = "no SIP status";
    if (o->sip >= 0)
        conform_fmt(sip, sizeof sip, "sip %d", o->sip);
    conform_fmt(buf, cap, "%s, %s%s%s", o->verstat[0] ? o->verstat : "no verstat", sip,
                o->reason[0] ? ", " : "", o->reason);
}

const char *conform_verdict(const conform_target *t, const conform_case *c,
                            const conform_obs *obs, char *why, size_t cap)
{
    why[0] = '\0';
    if (obs->error) {
        conform_fmt(why, cap, "%s", obs->detail);
        return "error";
    }
    const json_t *ex = json_object_get(c->json, "expect");
    const char *want_vs = conform_json_str(ex, "verstat");
    const char *want_reason = conform_json_str(ex, "reason");
    char seen[160];
    obs_text(obs, seen, sizeof seen);

    const char *diff = NULL;
    if (strcmp(obs->verstat, want_vs) != 0)
        diff = "verstat";
    else if (obs->sip != -1 && !sip_listed(ex, obs->sip)) /* -1: a cmd: target gave none */
        diff = "SIP status";
    else if (t->kind == CONFORM_CLID && want_reason != NULL && strcmp(obs->reason, want_reason))
        diff = "reason";

    json_t *dev = t->deviations ? json_object_get(t->deviations, c->name) : NULL;
    if (diff == NULL) {
        if (dev != NULL) {
            conform_fmt(why, cap, "the expectation changed: %s records a deviation (%s) but the "
                        "target now meets the catalogue", t->expect_file,
                        conform_json_str(dev, "why"));
            return "fail";
        }
        return "pass";
    }
    if (dev != NULL) {
        const char *dvs = conform_json_str(dev, "verstat");
        int dsip = (int)json_integer_value(json_object_get(dev, "sip"));
        if (strcmp(dvs, obs->verstat) == 0 && dsip == obs->sip) {
            conform_fmt(why, cap, "%s", conform_json_str(dev, "why"));
            return "known-deviation";
        }
        conform_fmt(why, cap, "the expectation changed: %s records %s, sip %d; observed %s",
                    t->expect_file, dvs, dsip, seen);
        return "fail";
    }
    char sips[64] = "";
    size_t i, n = 0;
    json_t *v;
    json_array_foreach(json_object_get(ex, "sip"), i, v) {
        int w = snprintf(sips + n, sizeof sips - n, "%s%d", n ? "/" : "",
                         (int)json_integer_value(v));
        if (w < 0 || (size_t)w >= sizeof sips - n)
            break;
        n += (size_t)w;
    }
    conform_fmt(why, cap, "%s differs: expected %s, sip %s%s%s; observed %s", diff, want_vs, sips,
                t->kind == CONFORM_CLID && want_reason ? ", " : "",
                t->kind == CONFORM_CLID && want_reason ? want_reason : "", seen);
    return "fail";
}
