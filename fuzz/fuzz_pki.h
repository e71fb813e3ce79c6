/*
 * Shared by the fuzz targets that verify (fuzz_sip, fuzz_sipi, fuzz_oob):
 * the in-memory PKI of lib/tests/support/testpki.c, made once at the first
 * input. A ten-year root, an STI-CA and a SHAKEN leaf with the given
 * TNAuthList; the leaf's chain is mapped at `url` in a context on the
 * clock `now`, and a verifier keeps that context (never freed: the target
 * lives as long as the process). The keys differ per run, so a committed
 * seed that carries a signature reaches the signature check, not a pass.
 */
#ifndef CLID_FUZZ_PKI_H
#define CLID_FUZZ_PKI_H

#include <stdlib.h>

#include "fuzz_common.h"
#include "support/testpki.h"

/* The verifier; *leaf gets the leaf (its key signs), for tp_free. */
static inline clid_verifier *fuzz_pki_verifier(const char *leaf_cn, const char *tnauth,
                                               const char *url, int64_t *now, tp_cert **leaf)
{
    tp_cert *root = tp_issue(&(tp_spec){.cn = "Fuzz Root", .ca = 1,
                                        .not_before = TP_T0 - 3650 * TP_DAY,
                                        .not_after = TP_T0 + 3650 * TP_DAY},
                             NULL);
    tp_cert *inter = tp_issue(&(tp_spec){.cn = "Fuzz STI-CA", .ca = 1}, root);
    tp_cert *sp = tp_issue(&(tp_spec){.cn = leaf_cn, .tnauth = tnauth}, inter);
    char *chain = tp_cat(sp->pem, inter->pem, NULL);
    clid_ctx *ctx = tp_ctx_new(root, now);
    tp_ctx_map(ctx, url, chain);
    clid_verifier *v = tp_verifier_new(ctx);
    free(chain);
    tp_free(inter);
    tp_free(root);
    *leaf = sp;
    return v;
}

#endif /* CLID_FUZZ_PKI_H */
