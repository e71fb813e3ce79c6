/* The verifier's certificate-profile policy; see profile_enforce.h. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "x509/profile.h"
#include "x509/profile_enforce.h"

/* Verdicts kept per chain: one per context generation that asked. A
 * context changes generation only when it is reconfigured, so more than a
 * few means contexts being rebuilt; the verdict is then recomputed. */
#define MEMO_MAX 8
#define MEMO_DETAIL 512

struct clid__profile_memo {
    struct clid__profile_memo *next; /* immutable once published */
    unsigned generation;
    clid_err rc;
    char detail[MEMO_DETAIL];
};

static void copy_detail(char *detail, size_t cap, const char *from)
{
    if (detail == NULL || cap == 0)
        return;
    size_t n = strlen(from);
    if (n >= cap)
        n = cap - 1;
    memcpy(detail, from, n);
    detail[n] = '\0';
}

int clid__profile_memo_get(const clid__trust *trust, clid__signer_cert *c, clid_err *rc,
                           char *detail, size_t cap)
{
    if (trust->cert_profile == CLID_CERT_PROFILE_NONE)
        return 0;
    for (const struct clid__profile_memo *m =
             __atomic_load_n(&c->profile_memo, __ATOMIC_ACQUIRE);
         m != NULL; m = m->next) {
        if (m->generation == trust->generation) {
            *rc = m->rc;
            if (m->rc != CLID_OK)
                copy_detail(detail, cap, m->detail);
            return 1;
        }
    }
    return 0;
}

/* Publishes a verdict: entries are pushed with a CAS and never changed or
 * removed before the chain is freed, so readers need no lock (and nothing
 * here can wait: see signer_cert.h on fork). Two threads may both push one
 * for the same generation; they agree. */
static void memo_put(clid__signer_cert *c, unsigned generation, clid_err rc, const char *detail)
{
    struct clid__profile_memo *head = __atomic_load_n(&c->profile_memo, __ATOMIC_ACQUIRE);
    size_t n = 0;
    for (const struct clid__profile_memo *m = head; m != NULL; m = m->next)
        n++;
    if (n >= MEMO_MAX)
        return;
    struct clid__profile_memo *m = calloc(1, sizeof *m);
    if (m == NULL)
        return; /* not remembered: computed again next time */
    m->generation = generation;
    m->rc = rc;
    copy_detail(m->detail, sizeof m->detail, detail);
    do {
        m->next = head;
    } while (!__atomic_compare_exchange_n(&c->profile_memo, &head, m, 0, __ATOMIC_RELEASE,
                                          __ATOMIC_ACQUIRE));
}

clid_err clid__profile_enforce(const clid__trust *trust, clid__signer_cert *c,
                               STACK_OF(X509) *chain, char *detail, size_t cap)
{
    if (trust->cert_profile == CLID_CERT_PROFILE_NONE)
        return CLID_OK;
    clid_err rc = CLID_OK;
    if (clid__profile_memo_get(trust, c, &rc, detail, cap))
        return rc;

    int n = sk_X509_num(chain);
    CLID_ENSURE(n >= 1 && n <= CLID_LINT_MAX_CERTS, CLID_ERR_INTERNAL);
    X509 *certs[CLID_LINT_MAX_CERTS];
    for (int i = 0; i < n; i++)
        certs[i] = sk_X509_value(chain, i);
    /* Below the trust anchor: RFC 5280 §6.1.1 (d) takes the anchor as
     * configured input. A chain that is only its anchor still has a signer. */
    size_t n_lint = n > 1 ? (size_t)n - 1 : 1;

    clid_lint_report *r = NULL;
    CLID_TRY(clid_lint_report_new(&r));
    /* Time is not a profile property here: path validation checked it. */
    rc = clid__lint_run(r, trust->cert_profile, certs, (size_t)n, n_lint, 1, 0);
    if (rc == CLID_OK) {
        char buf[MEMO_DETAIL] = "";
        rc = clid__lint_first_error(r, buf, sizeof buf) ? CLID_ERR_CERT_PROFILE : CLID_OK;
        memo_put(c, trust->generation, rc, buf);
        if (rc != CLID_OK)
            copy_detail(detail, cap, buf);
    }
    clid_lint_report_free(r);
    return rc;
}

void clid__profile_memo_free(struct clid__profile_memo *m)
{
    while (m != NULL) {
        struct clid__profile_memo *next = m->next;
        free(m);
        m = next;
    }
}
