/*
 * clid oob publish (oob.h): PASSporTs given as operands, as Identity header
 * values, or taken from a SIP request (clid_oob_egress: its Identity
 * headers under its caller and callee).
 */
#include <stdlib.h>
#include <string.h>

#include <clid/clid_sip.h>

#include "oob/oob.h"

/* The PASSporT of an Identity header value: the part before ';'. */
static char *jws_of(const char *identity)
{
    size_t n = strcspn(identity, ";");
    char *s = malloc(n + 1);
    if (s != NULL) {
        memcpy(s, identity, n);
        s[n] = '\0';
    }
    return s;
}

static int print_outcome(const char *what, clid_err e, int status, size_t published)
{
    if (e != CLID_OK) {
        tool_error("oob publish: %s: %s: %s", what, clid_err_name(e), clid_err_str(e));
        if (status != 0)
            printf("status: %d\n", status);
        return e == CLID_ERR_SIP_PARSE || e == CLID_ERR_SIP_TOO_LARGE ||
                       e == CLID_ERR_OOB_BODY_PARSE || e == CLID_ERR_BAD_TN ||
                       e == CLID_ERR_NO_IDENTITY
                   ? TOOL_EXIT_DATAERR
                   : TOOL_EXIT_FAIL;
    }
    printf("published: %zu\nstatus: %d\n", published, status);
    return fflush(stdout) == 0 ? TOOL_EXIT_OK : TOOL_EXIT_FAIL;
}

static int publish_sip(const tool_args *a, oob_setup *s)
{
    uint8_t *msg = NULL;
    size_t len = 0;
    int rc = tool_read_file(a->value[OOB_SIP], CLID_SIP_MAX_LEN, &msg, &len);
    if (rc != TOOL_EXIT_OK)
        return rc;
    size_t published = 0;
    /* The budget is the client's timeout: one publish. */
    clid_err e = clid_oob_egress(s->client, s->signer, (const char *)msg, len, 0, &published);
    free(msg);
    return print_outcome(a->value[OOB_SIP], e, e == CLID_OK ? 201 : 0, published);
}

static int publish_list(const tool_args *a, oob_setup *s)
{
    size_t n_id = (size_t)a->seen[OOB_IDENTITY];
    size_t n = a->npos + n_id;
    if (n == 0)
        return tool_usage_error("oob", "oob", "publish: no PASSporT (operands, --identity or "
                                "--sip)");
    if (n > CLID_OOB_MAX_PASSPORTS)
        return tool_usage_error("oob", "oob", "publish: at most %d PASSporTs",
                                CLID_OOB_MAX_PASSPORTS);
    if (!a->seen[OOB_ORIG] || !a->seen[OOB_DEST])
        return tool_usage_error("oob", "oob", "publish: --orig and --dest are required");
    unsigned retention = 0;
    if (a->seen[OOB_RETENTION]) {
        char *end = NULL;
        unsigned long r = strtoul(a->value[OOB_RETENTION], &end, 10);
        if (end == a->value[OOB_RETENTION] || *end != '\0' || r < 1 ||
            r > CLID_OOB_MAX_RETENTION)
            return tool_usage_error("oob", "oob", "--retention: seconds, 1..%d",
                                    CLID_OOB_MAX_RETENTION);
        retention = (unsigned)r;
    }
    char *owned[CLID_OOB_MAX_PASSPORTS] = {0};
    const char *pp[CLID_OOB_MAX_PASSPORTS];
    int rc = TOOL_EXIT_OK;
    for (size_t i = 0; i < a->npos; i++)
        pp[i] = a->pos[i];
    for (size_t i = 0; i < n_id; i++) {
        owned[i] = jws_of(a->values[OOB_IDENTITY][i]);
        if (owned[i] == NULL)
            rc = TOOL_EXIT_FAIL;
        pp[a->npos + i] = owned[i];
    }
    if (rc == TOOL_EXIT_OK) {
        clid_oob_publish_opts o = {.orig = a->value[OOB_ORIG], .dest = a->value[OOB_DEST],
                                   .passports = pp, .passport_count = n,
                                   .spc = a->value[OOB_SPC], .retention = retention};
        int status = 0;
        clid_err e = clid_oob_publish(s->client, s->signer, &o, &status);
        rc = print_outcome(a->value[OOB_CPS], e, status, n);
    }
    for (size_t i = 0; i < n_id; i++)
        free(owned[i]);
    return rc;
}

int oob_publish(const tool_args *a)
{
    int rc = oob_refuse_range("publish", a, OOB_TRUST, OOB_CRL_ALLOW, "retrieve only");
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a->seen[OOB_SIP]) {
        static const int not_with_sip[] = {OOB_ORIG, OOB_DEST, OOB_IDENTITY, OOB_SPC,
                                           OOB_RETENTION};
        for (size_t i = 0; i < sizeof not_with_sip / sizeof not_with_sip[0]; i++)
            if ((rc = oob_refuse_range("publish", a, not_with_sip[i], not_with_sip[i],
                                       "not with --sip (the request has them)")) != 0)
                return rc;
        if (a->npos > 0)
            return tool_usage_error("oob", "oob", "publish: no operand with --sip");
    }
    oob_setup s;
    rc = oob_setup_new("publish", a, &s);
    if (rc == TOOL_EXIT_OK)
        rc = a->seen[OOB_SIP] ? publish_sip(a, &s) : publish_list(a, &s);
    oob_setup_free(&s);
    return rc;
}
