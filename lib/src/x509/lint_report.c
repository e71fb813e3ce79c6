/*
 * The lint report handle and the rule table (clid_lint.h): storage of the
 * findings, their getters, and the names of profiles, severities and roles.
 * The rules themselves are in profile*.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/x509.h>

#include "core/internal.h"
#include "x509/profile.h"

/* A finding's message, at most this long (longer ones are cut). */
#define LINT_MESSAGE_MAX 400
/* Findings kept per run: more means a certificate that is wrong everywhere. */
#define LINT_MAX_FINDINGS 512

enum { P_S = 1u << CLID_CERT_PROFILE_SHAKEN, P_Q = 1u << CLID_CERT_PROFILE_Q3063 };
#define PROF_S P_S
#define PROF_Q P_Q
#define PROF_SQ (P_S | P_Q)

static const clid_lint_rule rules[] = {
#define CLID__RULE_ROW(name, id_, sev, prof, roles_, clause_, source_, summary_)                   \
    {.id = id_,                                                                                   \
     .severity = CLID_LINT_##sev,                                                                 \
     .profiles = PROF_##prof,                                                                     \
     .roles = roles_,                                                                             \
     .clause = clause_,                                                                           \
     .source = source_,                                                                           \
     .summary = summary_},
    CLID_LINT_RULES(CLID__RULE_ROW)
#undef CLID__RULE_ROW
};

typedef struct finding {
    clid__lint_rule_id rule;
    size_t cert;
    size_t seq; /* insertion order, for a stable sort */
    char *message;
} finding;

struct clid_lint_report {
    finding *v;
    size_t n;
    size_t cap;
    size_t errors;
    size_t n_certs;
    clid_cert_role roles[CLID_LINT_MAX_CERTS];
    char *subjects[CLID_LINT_MAX_CERTS];
};

/* ------------------------------------------------------------------------ */
/* Names                                                                     */
/* ------------------------------------------------------------------------ */

const char *clid_cert_profile_name(clid_cert_profile p)
{
    switch (p) {
    case CLID_CERT_PROFILE_NONE:
        return "none";
    case CLID_CERT_PROFILE_SHAKEN:
        return "shaken";
    case CLID_CERT_PROFILE_Q3063:
        return "q3063";
    }
    return NULL;
}

clid_err clid_cert_profile_from_name(const char *name, clid_cert_profile *out)
{
    CLID_ENSURE(name != NULL && out != NULL, CLID_ERR_INVALID_ARGUMENT);
    for (int p = CLID_CERT_PROFILE_NONE; p <= CLID_CERT_PROFILE_Q3063; p++) {
        if (strcmp(name, clid_cert_profile_name((clid_cert_profile)p)) == 0) {
            *out = (clid_cert_profile)p;
            return CLID_OK;
        }
    }
    return CLID_ERR_INVALID_ARGUMENT;
}

const char *clid_lint_severity_name(clid_lint_severity s)
{
    switch (s) {
    case CLID_LINT_WARNING:
        return "warning";
    case CLID_LINT_ERROR:
        return "error";
    }
    return NULL;
}

const char *clid_cert_role_name(clid_cert_role r)
{
    switch (r) {
    case CLID_CERT_ROLE_END_ENTITY:
        return "end-entity";
    case CLID_CERT_ROLE_INTERMEDIATE:
        return "intermediate";
    case CLID_CERT_ROLE_ROOT:
        return "root";
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* The rule table                                                            */
/* ------------------------------------------------------------------------ */

size_t clid_lint_rule_count(void)
{
    return CLID_ARRAY_LEN(rules);
}

clid_err clid_lint_rule_get(size_t i, clid_lint_rule *out)
{
    CLID_ENSURE(out != NULL && i < CLID_ARRAY_LEN(rules), CLID_ERR_INVALID_ARGUMENT);
    *out = rules[i];
    return CLID_OK;
}

int clid__lint_wants(const clid__lint *l, clid__lint_rule_id rule)
{
    return rule < CLID__R_COUNT && (rules[rule].profiles & (1u << l->profile)) != 0;
}

/* ------------------------------------------------------------------------ */
/* The report                                                                */
/* ------------------------------------------------------------------------ */

clid_err clid_lint_report_new(clid_lint_report **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    *out = calloc(1, sizeof **out);
    return *out != NULL ? CLID_OK : CLID_ERR_NOMEM;
}

void clid__lint_report_reset(clid_lint_report *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->v[i].message);
    r->n = 0;
    r->errors = 0;
    for (size_t i = 0; i < r->n_certs; i++) {
        free(r->subjects[i]);
        r->subjects[i] = NULL;
    }
    r->n_certs = 0;
}

void clid_lint_report_free(clid_lint_report *r)
{
    if (r == NULL)
        return;
    clid__lint_report_reset(r);
    free(r->v);
    free(r);
}

/* A copy of s[0..len) in printable ASCII: other bytes become \xNN, so a
 * value from a certificate can neither break a line nor drive a terminal. */
static char *printable(const char *s, size_t len)
{
    char *out = malloc(len * 4 + 1);
    if (out == NULL)
        return NULL;
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        if (ch >= 0x20 && ch < 0x7F) {
            out[o++] = (char)ch;
        } else {
            o += (size_t)snprintf(out + o, 5, "\\x%02X", ch);
        }
    }
    out[o] = '\0';
    return out;
}

clid_err clid__lint_report_add_cert(clid_lint_report *r, const X509 *x, clid_cert_role role)
{
    CLID_ENSURE(r->n_certs < CLID_LINT_MAX_CERTS, CLID_ERR_INVALID_ARGUMENT);
    char *subject = NULL;
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return CLID_ERR_NOMEM;
    /* XN_FLAG_RFC2253 escapes control and non-ASCII bytes (\NN). */
    if (X509_NAME_print_ex(bio, X509_get_subject_name(x), 0, XN_FLAG_RFC2253) >= 0) {
        char *data = NULL;
        long n = BIO_get_mem_data(bio, &data);
        if (n >= 0)
            subject = printable(n > 0 ? data : "", (size_t)n);
    }
    BIO_free(bio);
    if (subject == NULL)
        return CLID_ERR_NOMEM;
    r->roles[r->n_certs] = role;
    r->subjects[r->n_certs] = subject;
    r->n_certs++;
    return CLID_OK;
}

clid_err clid__lint_report_add(clid_lint_report *r, clid__lint_rule_id rule, size_t cert,
                               const char *message)
{
    if (r->n >= LINT_MAX_FINDINGS)
        return CLID_OK;
    CLID_TRY(clid__grow((void **)&r->v, &r->cap, r->n + 1, sizeof *r->v));
    size_t len = strnlen(message, LINT_MESSAGE_MAX);
    char *m = printable(message, len);
    if (m == NULL)
        return CLID_ERR_NOMEM;
    r->v[r->n] = (finding){.rule = rule, .cert = cert, .seq = r->n, .message = m};
    r->n++;
    if (rules[rule].severity == CLID_LINT_ERROR)
        r->errors++;
    return CLID_OK;
}

static int finding_cmp(const void *a, const void *b)
{
    const finding *x = a, *y = b;
    if (x->cert != y->cert)
        return x->cert < y->cert ? -1 : 1;
    if (x->rule != y->rule)
        return x->rule < y->rule ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

void clid__lint_report_sort(clid_lint_report *r)
{
    if (r->n > 1)
        qsort(r->v, r->n, sizeof *r->v, finding_cmp);
}

size_t clid_lint_count(const clid_lint_report *r)
{
    return r != NULL ? r->n : 0;
}

size_t clid_lint_error_count(const clid_lint_report *r)
{
    return r != NULL ? r->errors : 0;
}

size_t clid_lint_warning_count(const clid_lint_report *r)
{
    return r != NULL ? r->n - r->errors : 0;
}

clid_err clid_lint_get(const clid_lint_report *r, size_t i, clid_lint_finding *out)
{
    CLID_ENSURE(r != NULL && out != NULL && i < r->n, CLID_ERR_INVALID_ARGUMENT);
    const finding *f = &r->v[i];
    const clid_lint_rule *rule = &rules[f->rule];
    *out = (clid_lint_finding){
        .rule = rule->id,
        .clause = rule->clause,
        .severity = rule->severity,
        .cert_index = f->cert,
        .subject = f->cert < r->n_certs ? r->subjects[f->cert] : "",
        .message = f->message,
    };
    return CLID_OK;
}

size_t clid_lint_cert_count(const clid_lint_report *r)
{
    return r != NULL ? r->n_certs : 0;
}

clid_cert_role clid_lint_cert_role(const clid_lint_report *r, size_t i)
{
    return r != NULL && i < r->n_certs ? r->roles[i] : CLID_CERT_ROLE_END_ENTITY;
}

const char *clid_lint_cert_subject(const clid_lint_report *r, size_t i)
{
    return r != NULL && i < r->n_certs ? r->subjects[i] : "";
}

int clid__lint_first_error(const clid_lint_report *r, char *detail, size_t cap)
{
    for (size_t i = 0; i < r->n; i++) {
        const finding *f = &r->v[i];
        const clid_lint_rule *rule = &rules[f->rule];
        if (rule->severity != CLID_LINT_ERROR)
            continue;
        if (detail != NULL && cap > 0)
            (void)snprintf(detail, cap, "%s (%s): certificate %zu: %s [%s]", rule->id,
                           rule->clause, f->cert, f->message,
                           f->cert < r->n_certs ? r->subjects[f->cert] : "");
        return 1;
    }
    return 0;
}
