/*
 * The error table (clid_errors.h) expanded into lookups. Nothing here may
 * allocate or fail: these are called on error paths.
 */
#include <string.h>

#include <clid/clid_errors.h>

struct err_entry {
    const char *name;
    const char *text;
    clid_err_class cls;
    int sip;
    clid_verstat verstat;
};

static const struct err_entry err_table[] = {
#define CLID_X_ENTRY(name, cls, sip, verstat, text)                                               \
    {#name, text, CLID_CLASS_##cls, sip, CLID_VERSTAT_##verstat},
    CLID_ERRORS(CLID_X_ENTRY)
#undef CLID_X_ENTRY
};

static const struct err_entry *entry(clid_err e)
{
    if ((unsigned)e >= (unsigned)CLID_ERR__COUNT)
        return NULL;
    return &err_table[e];
}

const char *clid_err_name(clid_err e)
{
    const struct err_entry *x = entry(e);
    return x ? x->name : "CLID_ERR_UNKNOWN";
}

const char *clid_err_str(clid_err e)
{
    const struct err_entry *x = entry(e);
    return x ? x->text : "unknown error code";
}

clid_err_class clid_err_class_of(clid_err e)
{
    const struct err_entry *x = entry(e);
    return x ? x->cls : CLID_CLASS_RESOURCE;
}

const char *clid_err_class_name(clid_err_class c)
{
    switch (c) {
    case CLID_CLASS_NONE: return "none";
    case CLID_CLASS_USAGE: return "usage";
    case CLID_CLASS_RESOURCE: return "resource";
    case CLID_CLASS_PARSE: return "parse";
    case CLID_CLASS_CRYPTO: return "crypto";
    case CLID_CLASS_CERT: return "certificate";
    case CLID_CLASS_POLICY: return "policy";
    case CLID_CLASS_FETCH: return "fetch";
    }
    return "unknown";
}

int clid_err_sip_status(clid_err e)
{
    const struct err_entry *x = entry(e);
    return x ? x->sip : 0;
}

const char *clid_err_sip_reason(clid_err e)
{
    /* Reason phrases of RFC 8224 §13 and RFC 3261 §21.4.1. */
    switch (clid_err_sip_status(e)) {
    case 400: return "Bad Request";
    case 403: return "Stale Date";
    case 428: return "Use Identity Header";
    case 436: return "Bad Identity Info";
    case 437: return "Unsupported Credential";
    case 438: return "Invalid Identity Header";
    default: return "";
    }
}

clid_verstat clid_err_verstat(clid_err e)
{
    const struct err_entry *x = entry(e);
    return x ? x->verstat : CLID_VERSTAT_NO_VALIDATION;
}

const char *clid_verstat_str(clid_verstat v)
{
    switch (v) {
    case CLID_VERSTAT_PASSED: return "TN-Validation-Passed";
    case CLID_VERSTAT_FAILED: return "TN-Validation-Failed";
    case CLID_VERSTAT_NO_VALIDATION: return "No-TN-Validation";
    }
    return "No-TN-Validation";
}

clid_err clid_err_from_name(const char *name)
{
    if (name == NULL)
        return CLID_ERR__COUNT;
    for (size_t i = 0; i < sizeof err_table / sizeof err_table[0]; i++)
        if (strcmp(err_table[i].name, name) == 0)
            return (clid_err)i;
    return CLID_ERR__COUNT;
}
