/*
 * clid ca list DIR [--json]
 * clid ca export DIR --out FILE
 *
 * Readers take the shared lock, so they never see a half-finished change
 * (they could not anyway: files are replaced by rename), and a writer waits
 * for them to finish.
 */
#include "ca.h"

#include <stdlib.h>
#include <string.h>

static const tool_opt list_opts[] = {
    {"--json", NULL, 0, 0},
    {"--help", "-h", 0, 0},
};
enum { LIST_JSON, LIST_HELP };

/* "revoked", "expired" (now past notAfter) or "valid". */
static const char *status(json_t *e, int64_t now)
{
    int64_t na;
    if (!json_is_null(json_object_get(e, "revoked")))
        return "revoked";
    if (ca_parse_time(json_string_value(json_object_get(e, "not_after")), &na) == 0 && na <= now)
        return "expired";
    return "valid";
}

static int list_json(const ca_dir *d, json_t *certs, int64_t now)
{
    json_t *out = json_object();
    json_t *arr = json_array();
    for (size_t i = 0; i < json_array_size(certs); i++) {
        json_t *e = json_deep_copy(json_array_get(certs, i));
        if (tool_json_put(e, "status", json_string(status(e, now))) != 0 ||
            tool_json_push(arr, e) != 0) {
            json_decref(e);
            break;
        }
    }
    int rc = TOOL_EXIT_FAIL;
    if (tool_json_put(out, "dir", tool_json_string(d->path)) == 0 &&
        tool_json_put(out, "name", json_string(ca_config_str(d, "name"))) == 0 &&
        tool_json_put(out, "root_serial", json_string(ca_config_str(d, "root_serial"))) == 0 &&
        tool_json_put(out, "crl_url", json_string(ca_config_str(d, "crl_url"))) == 0 &&
        /* Directories made before profiles were stated: null. */
        tool_json_put(out, "root_profile",
                      ca_config_str(d, "root_profile")
                          ? json_string(ca_config_str(d, "root_profile"))
                          : json_null()) == 0 &&
        json_array_size(arr) == json_array_size(certs) &&
        tool_json_put(out, "certificates", json_incref(arr)) == 0)
        rc = tool_json_print(stdout, out) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
    else
        tool_error("ca list: out of memory");
    json_decref(arr);
    json_decref(out);
    return rc;
}

static void list_text(json_t *certs, int64_t now)
{
    printf("%-32s  %-7s  %-12s  %-7s  %-20s  %s\n", "SERIAL", "STATUS", "KIND", "PROFILE",
           "NOT AFTER", "SUBJECT");
    for (size_t i = 0; i < json_array_size(certs); i++) {
        json_t *e = json_array_get(certs, i);
        char *subject = tool_sanitize(json_string_value(json_object_get(e, "subject")),
                                      json_string_length(json_object_get(e, "subject")));
        /* "-": an entry written before profiles were stated. */
        const char *profile = json_string_value(json_object_get(e, "profile"));
        printf("%-32s  %-7s  %-12s  %-7s  %-20s  %s\n",
               json_string_value(json_object_get(e, "serial")), status(e, now),
               json_string_value(json_object_get(e, "kind")), profile ? profile : "-",
               json_string_value(json_object_get(e, "not_after")), subject ? subject : "?");
        free(subject);
    }
}

int ca_cmd_list(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("ca list", "ca", argc, argv, list_opts,
                             sizeof list_opts / sizeof list_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[LIST_HELP]) {
        ca_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 1)
        return tool_usage_error("ca list", "ca", "expects exactly one DIR");
    ca_dir d;
    if ((rc = ca_dir_open(a.pos[0], CA_LOCK_SHARED, &d)) == TOOL_EXIT_OK) {
        json_t *certs = ca_index_certs(&d);
        if (a.seen[LIST_JSON])
            rc = list_json(&d, certs, ca_now());
        else
            list_text(certs, ca_now());
    }
    ca_dir_close(&d);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* export                                                                    */
/* ------------------------------------------------------------------------ */

static const tool_opt export_opts[] = {
    {"--out", NULL, 1, 0},
    {"--help", "-h", 0, 0},
};
enum { EXPORT_OUT, EXPORT_HELP };

/*
 * The trust bundle is the root alone. The intermediate is not a trust
 * anchor: it travels in every x5u chain (PREFIX.pem), and anchoring it would
 * let a verifier accept SP certificates even after the root revoked the
 * intermediate (RFC 5280 §6.1 takes anchors as trusted, unchecked).
 */
int ca_cmd_export(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("ca export", "ca", argc, argv, export_opts,
                             sizeof export_opts / sizeof export_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[EXPORT_HELP]) {
        ca_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 1 || a.value[EXPORT_OUT] == NULL)
        return tool_usage_error("ca export", "ca", "expects DIR and --out FILE");
    const char *out = a.value[EXPORT_OUT];
    ca_dir d;
    ca_txn t = {.cmd = "export"};
    ca_buf pem = {0};
    if ((rc = ca_dir_open(a.pos[0], CA_LOCK_SHARED, &d)) != TOOL_EXIT_OK ||
        (rc = ca_dir_load(&d, CA_KEYS_NONE)) != TOOL_EXIT_OK)
        goto out;
    if (ca_buf_cert(&pem, d.root) != 0) {
        tool_error("ca export: out of memory");
        rc = TOOL_EXIT_FAIL;
        goto out;
    }
    if (strcmp(out, "-") == 0) {
        rc = fwrite(pem.p, 1, pem.len, stdout) == pem.len ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
    } else if ((rc = ca_txn_write_path(&t, out, pem.p, pem.len, 0644, 0, "out")) ==
               TOOL_EXIT_OK) {
        rc = ca_txn_commit(&t);
    }
out:
    ca_txn_end(&t);
    ca_buf_free(&pem);
    ca_dir_close(&d);
    return rc;
}
