/*
 * The fixture shared by the SIP adapter tests (test_sip*.c): see
 * sip_fixture.h.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sip_fixture.h"

#ifndef CLID_SIP_GOLDEN_DIR
#error "CLID_SIP_GOLDEN_DIR must name lib/tests/sip/golden"
#endif

tp_cert *root, *inter, *sp;
char *chain_sp;
int64_t t0 = TP_T0;
clid_ctx *ctx;
clid_verifier *ver;
clid_signer *signer;
const clid_sip_sign_opts sign_opts = {.attest = 'A', .origid = ORIGID};

int group_setup(void **state)
{
    (void)state;
    root = tp_test_root();
    inter = tp_test_stica(root);
    sp = tp_issue(&(tp_spec){.cn = "SHAKEN 709J", .tnauth = "spc:709J"}, inter);
    chain_sp = tp_cat(sp->pem, inter->pem, NULL);

    ctx = tp_ctx_new(root, &t0);
    tp_ctx_map(ctx, URL, chain_sp);
    ver = tp_verifier_new(ctx);
    signer = tp_signer_new(sp, URL, &t0);
    return 0;
}

int group_teardown(void **state)
{
    (void)state;
    clid_signer_free(signer);
    clid_verifier_free(ver);
    clid_ctx_free(ctx);
    tp_free(sp);
    tp_free(inter);
    tp_free(root);
    free(chain_sp);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Helpers                                                                   */
/* ------------------------------------------------------------------------ */

/* An exact-size heap copy (no NUL after it: ASan sees any over-read). */
char *dup_exact(const char *s, size_t n)
{
    char *p = malloc(n ? n : 1);
    assert_non_null(p);
    memcpy(p, s, n);
    return p;
}

/* Reads a whole file into an exact-size buffer; NULL if it does not exist. */
static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char buf[70000];
    size_t n = fread(buf, 1, sizeof buf, f);
    assert_true(feof(f));
    fclose(f);
    *len = n;
    return dup_exact(buf, n);
}

static char *golden_path(const char *name, const char *suffix)
{
    return tp_cat(CLID_SIP_GOLDEN_DIR "/", name, suffix, NULL);
}

char *read_golden(const char *name, const char *suffix, size_t *len)
{
    char *path = golden_path(name, suffix);
    char *data = read_file(path, len);
    free(path);
    return data;
}

/* Signs msg; returns the malloc'd output (NUL-terminated) or NULL with *rc. */
char *sign_msg(const char *msg, size_t len, const clid_sip_sign_opts *o, size_t *out_len,
               clid_err *rc)
{
    size_t need = 0;
    *rc = clid_sip_sign(signer, o, msg, len, NULL, 0, &need);
    if (*rc != CLID_ERR_BUFFER_TOO_SMALL)
        return NULL;
    char *out = malloc(need);
    assert_non_null(out);
    *rc = clid_sip_sign(signer, o, msg, len, out, need, out_len);
    if (*rc != CLID_OK) {
        free(out);
        return NULL;
    }
    assert_int_equal(*out_len + 1, need);
    assert_int_equal(out[*out_len], '\0');
    return out;
}

char *sign_ok(const char *msg, size_t len, size_t *out_len)
{
    clid_err rc;
    char *out = sign_msg(msg, len, &sign_opts, out_len, &rc);
    assert_err(rc, CLID_OK);
    return out;
}

char *verstat_msg(const char *msg, size_t len, clid_verstat v, size_t *out_len, clid_err *rc)
{
    size_t need = 0;
    *rc = clid_sip_add_verstat(msg, len, v, NULL, 0, &need);
    if (*rc != CLID_ERR_BUFFER_TOO_SMALL)
        return NULL;
    assert_true(need <= len + CLID_SIP_VERSTAT_EXTRA + 1);
    char *out = malloc(need);
    assert_non_null(out);
    *rc = clid_sip_add_verstat(msg, len, v, out, need, out_len);
    assert_err(*rc, CLID_OK);
    assert_int_equal(*out_len + 1, need);
    return out;
}

clid_err verify_msg(const char *msg, size_t len, clid_result *res)
{
    char *copy = dup_exact(msg, len);
    clid_sip_verify_opts o = {.now = t0};
    clid_err rc = clid_sip_verify(ver, &o, copy, len, res);
    free(copy);
    if (res != NULL)
        assert_int_equal(clid_result_reason(res), rc);
    return rc;
}

/* memmem: the buffers here are not NUL-terminated (exact-size copies). */
static const char *find(const char *hay, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; n <= len && i <= len - n; i++)
        if (memcmp(hay + i, needle, n) == 0)
            return hay + i;
    return NULL;
}

/* "Name: value" + line ending inserted before the line that starts with
 * `before` (NULL: before the empty line). malloc'd, NUL-terminated. */
char *insert_line(const char *msg, size_t len, const char *before, const char *line,
                  const char *eol, size_t *out_len)
{
    size_t at = 0;
    if (before == NULL) {
        const char *p = find(msg, len, "\r\n\r\n");
        const char *q = find(msg, len, "\n\n");
        at = p != NULL && (q == NULL || p < q) ? (size_t)(p - msg) + 2 : (size_t)(q - msg) + 1;
    } else {
        char *needle = tp_cat("\n", before, NULL);
        const char *p = find(msg, len, needle);
        assert_non_null(p);
        at = (size_t)(p - msg) + 1;
        free(needle);
    }
    size_t ll = strlen(line), el = strlen(eol);
    char *out = malloc(len + ll + el + 1);
    assert_non_null(out);
    memcpy(out, msg, at);
    memcpy(out + at, line, ll);
    memcpy(out + at + ll, eol, el);
    memcpy(out + at + ll + el, msg + at, len - at);
    *out_len = len + ll + el;
    out[*out_len] = '\0';
    return out;
}
