/*
 * Certificates a participant hands in, graded with the library's lint
 * (clid_lint.h): the same rules and clauses as `clid cert lint`.
 */
#include <stdio.h>

#include "conform/grade.h"
#include "util.h"

int grade_chain(X509 *const *chain, size_t n, clid_cert_profile profile, int64_t at,
                json_t *defects, json_t *warnings)
{
    if (n == 0 || n > CLID_LINT_MAX_CERTS) {
        grade_add(defects, "cert.count", "ATIS-1000080 v005 §6.4.1", NULL,
                  "the file holds %zu certificates; a chain to grade has 1 to %d", n,
                  CLID_LINT_MAX_CERTS);
        return 0;
    }
    clid_lint_report *r = NULL;
    clid_err e = clid_lint_report_new(&r);
    if (e == CLID_OK)
        e = clid_lint_chain(r, profile, chain, n, at);
    if (e != CLID_OK) {
        tool_error("conform grade: lint: %s", clid_err_str(e));
        clid_lint_report_free(r);
        return -1;
    }
    for (size_t i = 0; i < clid_lint_count(r); i++) {
        clid_lint_finding f;
        if (clid_lint_get(r, i, &f) != CLID_OK)
            continue;
        const char *role = clid_cert_role_name(clid_lint_cert_role(r, f.cert_index));
        if (f.severity == CLID_LINT_ERROR) {
            grade_add(defects, f.rule, f.clause, NULL, "certificate %zu (%s, %s): %s; %s (%s)",
                      f.cert_index, role, f.subject, f.message, f.clause, f.rule);
        } else {
            json_t *w = json_array();
            grade_add(w, f.rule, f.clause, NULL, "certificate %zu (%s, %s): %s; %s (%s)",
                      f.cert_index, role, f.subject, f.message, f.clause, f.rule);
            json_array_extend(warnings, w);
            json_decref(w);
        }
    }
    clid_lint_report_free(r);
    return 0;
}
