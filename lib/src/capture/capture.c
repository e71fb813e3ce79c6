/*
 * The public entry points of libclid_capture (clid_capture.h).
 * Stub: the reader lands in the following commits.
 */
#include <stdlib.h>

#include <clid/clid_capture.h>

clid_err clid_capture_open_file(const char *path, const clid_capture_limits *limits,
                                clid_capture_warn_fn warn, void *warn_arg, clid_capture **out)
{
    (void)path, (void)limits, (void)warn, (void)warn_arg;
    if (out)
        *out = NULL;
    return CLID_ERR_CAPTURE_OPEN;
}

clid_err clid_capture_open_live(const char *iface, const char *bpf_filter,
                                const clid_capture_limits *limits, clid_capture_warn_fn warn,
                                void *warn_arg, clid_capture **out)
{
    (void)iface, (void)bpf_filter, (void)limits, (void)warn, (void)warn_arg;
    if (out)
        *out = NULL;
    return CLID_ERR_CAPTURE_OPEN;
}

clid_err clid_capture_next(clid_capture *c, clid_capture_msg *msg)
{
    (void)c, (void)msg;
    return CLID_ERR_CAPTURE_END;
}

void clid_capture_break(clid_capture *c)
{
    (void)c;
}

uint64_t clid_capture_offset(const clid_capture *c)
{
    (void)c;
    return 0;
}

void clid_capture_get_stats(const clid_capture *c, clid_capture_stats *out)
{
    (void)c;
    if (out)
        *out = (clid_capture_stats){0};
}

void clid_capture_free(clid_capture *c)
{
    (void)c;
}
