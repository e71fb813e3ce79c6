/* Rich Call Data options of clid sign and clid verify (rcd_args.h). */
#include "rcd_args.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

int tool_rcd_given(const tool_rcd_opts *o)
{
    return o->name || o->apn || o->jcard_file || o->jcard_url || o->jcard_content ||
           o->icon_url || o->icon_content || o->reason;
}

void tool_rcd_free(tool_rcd *r)
{
    free(r->jcd);
    free(r->jcl_buf);
    free(r->icn_buf);
    memset(r, 0, sizeof *r);
}

int tool_rcd_load(const char *cmd, const tool_rcd_opts *o, tool_rcd *out)
{
    memset(out, 0, sizeof *out);
    /* RFC 9795 §5: the rcd claim carries a display name ("nam"). */
    if (o->name == NULL)
        return tool_usage_error(cmd, cmd, "--rcd-* options need --rcd-name");
    if (o->jcard_file != NULL && (o->jcard_url != NULL || o->jcard_content != NULL))
        return tool_usage_error(cmd, cmd, "--rcd-jcard: not with --rcd-jcard-url (RFC 9795: "
                                          "jcd and jcl exclude each other)");
    if (o->jcard_content != NULL && o->jcard_url == NULL)
        return tool_usage_error(cmd, cmd, "--rcd-jcard-content: only with --rcd-jcard-url");
    if (o->icon_content != NULL && o->icon_url == NULL)
        return tool_usage_error(cmd, cmd, "--rcd-icon-content: only with --rcd-icon-url");

    clid_rcd *r = &out->rcd;
    r->nam = o->name;
    r->apn = o->apn;
    r->jcl = o->jcard_url;
    r->icn = o->icon_url;
    r->crn = o->reason;
    int rc = TOOL_EXIT_OK;
    size_t n = 0;
    if (o->jcard_file != NULL) {
        /* One byte more than the limit: a larger jCard is refused by the
         * signer with its reason rather than cut here. */
        rc = tool_read_file(o->jcard_file, CLID_RCD_JCARD_MAX_LEN, &out->jcd, &n);
        if (rc == TOOL_EXIT_OK) {
            uint8_t *t = realloc(out->jcd, n + 1);
            if (t == NULL) {
                tool_error("%s: out of memory", cmd);
                rc = TOOL_EXIT_FAIL;
            } else {
                t[n] = '\0';
                out->jcd = t;
                if (memchr(t, '\0', n) != NULL) {
                    tool_error("%s: %s: a jCard is JSON text (a NUL byte found)", cmd,
                               o->jcard_file);
                    rc = TOOL_EXIT_DATAERR;
                }
                r->jcd = (const char *)t;
            }
        }
    }
    if (rc == TOOL_EXIT_OK && o->jcard_content != NULL) {
        rc = tool_read_file(o->jcard_content, CLID_RCD_JCARD_MAX_LEN, &out->jcl_buf, &n);
        r->jcl_content = out->jcl_buf;
        r->jcl_content_len = n;
    }
    if (rc == TOOL_EXIT_OK && o->icon_content != NULL) {
        rc = tool_read_file(o->icon_content, CLID_RCD_ICON_MAX_LEN, &out->icn_buf, &n);
        r->icn_content = out->icn_buf;
        r->icn_content_len = n;
    }
    /* an empty content file still has a digest (of no bytes) */
    if (rc == TOOL_EXIT_OK && o->jcard_content != NULL && r->jcl_content == NULL)
        r->jcl_content = (const uint8_t *)"";
    if (rc == TOOL_EXIT_OK && o->icon_content != NULL && r->icn_content == NULL)
        r->icn_content = (const uint8_t *)"";
    return rc;
}

int tool_rcd_content_map(const char *cmd, clid_ctx *ctx, const char *const *maps, int n)
{
    for (int i = 0; i < n; i++) {
        const char *eq = strchr(maps[i], '=');
        if (eq == NULL || eq == maps[i] || eq[1] == '\0')
            return tool_usage_error(cmd, cmd, "--rcd-content: URL=FILE expected: '%s'", maps[i]);
        char *url = malloc((size_t)(eq - maps[i]) + 1);
        if (url == NULL) {
            tool_error("%s: out of memory", cmd);
            return TOOL_EXIT_FAIL;
        }
        memcpy(url, maps[i], (size_t)(eq - maps[i]));
        url[eq - maps[i]] = '\0';
        uint8_t *buf = NULL;
        size_t len = 0;
        int rc = tool_read_file(eq + 1, CLID_RCD_ICON_MAX_LEN, &buf, &len);
        if (rc == TOOL_EXIT_OK) {
            clid_err e = clid_ctx_add_rcd_content(ctx, url, buf != NULL ? buf : (const uint8_t *)"",
                                                  len);
            if (e == CLID_ERR_INVALID_ARGUMENT) {
                rc = tool_usage_error(cmd, cmd, "--rcd-content: %s: %s", url, clid_err_str(e));
            } else if (e != CLID_OK) {
                tool_error("%s: --rcd-content: %s: %s: %s", cmd, eq + 1, clid_err_name(e),
                           clid_err_str(e));
                rc = TOOL_EXIT_DATAERR;
            }
        }
        free(buf);
        free(url);
        if (rc != TOOL_EXIT_OK)
            return rc;
    }
    return TOOL_EXIT_OK;
}

static json_t *opt_str(const char *s)
{
    return s != NULL ? tool_json_string(s) : json_null();
}

json_t *tool_rcd_json(const clid_result *r)
{
    unsigned f = clid_result_rcd(r);
    if (!(f & CLID_RCD_PRESENT))
        return json_null();
    json_t *o = json_object();
    json_t *flags = json_object();
    tool_json_put(flags, "present", json_true());
    tool_json_put(flags, "constrained", json_boolean(f & CLID_RCD_CONSTRAINED));
    tool_json_put(flags, "content_ok", json_boolean(f & CLID_RCD_CONTENT_OK));
    tool_json_put(o, "flags", flags);
    tool_json_put(o, "name", opt_str(clid_result_rcd_name(r)));
    tool_json_put(o, "apn", opt_str(clid_result_rcd_apn(r)));
    tool_json_put(o, "reason", opt_str(clid_result_rcd_reason(r)));
    tool_json_put(o, "jcard", opt_str(clid_result_rcd_jcard(r)));
    tool_json_put(o, "jcard_url", opt_str(clid_result_rcd_jcard_url(r)));
    tool_json_put(o, "icon_url", opt_str(clid_result_rcd_icon_url(r)));
    json_t *d = json_object();
    tool_json_put(d, "/jcl", opt_str(clid_result_rcd_digest(r, "/jcl")));
    tool_json_put(d, "/icn", opt_str(clid_result_rcd_digest(r, "/icn")));
    tool_json_put(o, "digests", d);
    return o;
}

static void print_line(const char *label, const char *v)
{
    if (v == NULL)
        return;
    char *safe = tool_sanitize(v, strlen(v));
    printf("%s: %s\n", label, safe != NULL ? safe : "");
    free(safe);
}

void tool_rcd_print(const clid_result *r)
{
    print_line("rcd-name", clid_result_rcd_name(r));
    print_line("rcd-reason", clid_result_rcd_reason(r));
    print_line("rcd-jcard-url", clid_result_rcd_jcard_url(r));
    print_line("rcd-icon-url", clid_result_rcd_icon_url(r));
}
