/*
 * clid ca csr --key KEY [--new-key] [extension options] --out FILE
 *     A PKCS#10 request (RFC 2986) whose extensionRequest attribute carries
 *     the requested TNAuthList and SignallingEntity.
 *
 * And the other side, issue --csr: Q.TSCA has the CA verify the information
 * elements of a certificate signing request. clid checks that the request
 * is signed by the key it carries, that the key is P-256, and that what it
 * asks for is within what the operator allows on the command line: the
 * TNAuthList encompassed (as for RFC 9060 delegates), each SignallingEntity
 * field a subset. The CA grants what the CSR asks, or the operator's
 * allowance when the CSR asks nothing; it never grants more.
 */
#include "ca.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

static const tool_opt csr_opts[] = {
    CA_EXT_OPTIONS,
    {"--key", NULL, 1, 0},
    {"--new-key", NULL, 0, 0},
    {"--out", NULL, 1, 0},
    {"--help", "-h", 0, 0},
};
enum { OPT_KEY = CA_OPT_EXT_COUNT, OPT_NEW_KEY, OPT_OUT, OPT_HELP };

/* An extension carrying DER built by the library (the value of extnValue). */
static X509_EXTENSION *der_ext(const char *oid, const uint8_t *der, size_t len)
{
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *ext = NULL;
    if (obj != NULL && os != NULL && len <= CLID_EXT_MAX_DER &&
        ASN1_OCTET_STRING_set(os, der, (int)len) == 1)
        ext = X509_EXTENSION_create_by_OBJ(NULL, obj, 0, os);
    ASN1_OBJECT_free(obj);
    ASN1_OCTET_STRING_free(os);
    return ext;
}

static clid_err push_exts(const ca_spec *s, STACK_OF(X509_EXTENSION) *exts)
{
    uint8_t der[CLID_EXT_MAX_DER];
    size_t len = 0;
    clid_err e;
    if (s->tnauth != NULL) {
        if ((e = clid_tnauth_encode(s->tnauth, der, sizeof der, &len)) != CLID_OK)
            return e;
        X509_EXTENSION *x = der_ext(CLID_OID_TNAUTHLIST, der, len);
        if (x == NULL || sk_X509_EXTENSION_push(exts, x) == 0) {
            X509_EXTENSION_free(x);
            return CLID_ERR_NOMEM;
        }
    }
    if (s->entity != NULL) {
        if ((e = clid_entity_encode(s->entity, der, sizeof der, &len)) != CLID_OK)
            return e;
        X509_EXTENSION *x = der_ext(CLID_OID_SIGNALLING_ENTITY, der, len);
        if (x == NULL || sk_X509_EXTENSION_push(exts, x) == 0) {
            X509_EXTENSION_free(x);
            return CLID_ERR_NOMEM;
        }
    }
    return CLID_OK;
}

static X509_REQ *build_req(const ca_spec *s, EVP_PKEY *key)
{
    X509_REQ *req = X509_REQ_new();
    X509_NAME *name = ca_spec_subject(s, CA_KIND_SP, NULL, NULL);
    STACK_OF(X509_EXTENSION) *exts = sk_X509_EXTENSION_new_null();
    clid_err e = exts ? push_exts(s, exts) : CLID_ERR_NOMEM;
    int ok = req != NULL && name != NULL && e == CLID_OK && X509_REQ_set_version(req, 0) == 1 &&
             X509_REQ_set_subject_name(req, name) == 1 && X509_REQ_set_pubkey(req, key) == 1 &&
             (sk_X509_EXTENSION_num(exts) == 0 || X509_REQ_add_extensions(req, exts) == 1) &&
             X509_REQ_sign(req, key, EVP_sha256()) > 0;
    X509_NAME_free(name);
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    if (ok)
        return req;
    tool_openssl_errors();
    tool_error("ca csr: building the request failed: %s",
               e != CLID_OK ? clid_err_str(e) : "OpenSSL error");
    X509_REQ_free(req);
    return NULL;
}

int ca_cmd_csr(int argc, char **argv)
{
    tool_args a;
    ca_spec spec = {0};
    EVP_PKEY *key = NULL;
    X509_REQ *req = NULL;
    ca_txn t = {.cmd = "csr"};
    ca_buf kbuf = {0}, rbuf = {0};
    int rc = tool_parse_args("ca csr", "ca", argc, argv, csr_opts,
                             sizeof csr_opts / sizeof csr_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[OPT_HELP]) {
        ca_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 0)
        return tool_usage_error("ca csr", "ca", "takes no operands");
    if (a.value[OPT_KEY] == NULL || a.value[OPT_OUT] == NULL)
        return tool_usage_error("ca csr", "ca", "--key KEY and --out FILE are required");
    if ((rc = ca_spec_from_args("ca csr", &a, &spec)) != TOOL_EXIT_OK)
        return rc;
    if (a.seen[OPT_NEW_KEY]) {
        key = ca_key_generate();
        if (key == NULL || ca_buf_key(&kbuf, key) != 0) {
            tool_openssl_errors();
            tool_error("ca csr: key generation failed");
            rc = TOOL_EXIT_FAIL;
            goto out;
        }
        /* A new private key: mode 0600 whatever the umask, never over a file. */
        if ((rc = ca_txn_write_path(&t, a.value[OPT_KEY], kbuf.p, kbuf.len, 0600, 1, "key")) !=
            TOOL_EXIT_OK)
            goto out;
    } else if ((rc = ca_key_load(a.value[OPT_KEY], &key)) != TOOL_EXIT_OK) {
        goto out;
    }
    rc = TOOL_EXIT_FAIL;
    if ((req = build_req(&spec, key)) == NULL)
        goto out;
    if (ca_buf_req(&rbuf, req) != 0) {
        tool_error("ca csr: out of memory");
        goto out;
    }
    if ((rc = ca_txn_write_path(&t, a.value[OPT_OUT], rbuf.p, rbuf.len, 0644, 0, "csr")) ==
        TOOL_EXIT_OK)
        rc = ca_txn_commit(&t);
out:
    ca_txn_end(&t);
    ca_buf_free(&kbuf);
    ca_buf_free(&rbuf);
    X509_REQ_free(req);
    EVP_PKEY_free(key);
    ca_spec_free(&spec);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* issue --csr                                                               */
/* ------------------------------------------------------------------------ */

static int csr_error(const char *path, const char *what, clid_err e)
{
    tool_openssl_errors();
    if (e != CLID_OK)
        tool_error("ca issue: --csr %s: %s: %s: %s", path, what, clid_err_name(e),
                   clid_err_str(e));
    else
        tool_error("ca issue: --csr %s: %s", path, what);
    return TOOL_EXIT_DATAERR;
}

static X509_REQ *parse_req(const uint8_t *buf, size_t len)
{
    X509_REQ *req = NULL;
    int pem = 0;
    for (size_t i = 0; i + 11 <= len && !pem; i++)
        pem = memcmp(buf + i, "-----BEGIN ", 11) == 0;
    if (pem) {
        BIO *bio = BIO_new_mem_buf(buf, (int)len);
        req = bio ? PEM_read_bio_X509_REQ(bio, NULL, NULL, NULL) : NULL;
        BIO_free(bio);
        return req;
    }
    const unsigned char *p = buf;
    req = d2i_X509_REQ(NULL, &p, (long)len);
    if (req != NULL && p != buf + len) {
        X509_REQ_free(req); /* trailing bytes: not one request */
        req = NULL;
    }
    return req;
}

static int oid_is(const ASN1_OBJECT *obj, const char *oid)
{
    char txt[128];
    int n = OBJ_obj2txt(txt, sizeof txt, obj, 1);
    return n > 0 && (size_t)n < sizeof txt && strcmp(txt, oid) == 0;
}

/* The requested extension `oid`: NULL/0 when absent, an error when twice. */
static clid_err requested(STACK_OF(X509_EXTENSION) *exts, const char *oid,
                          const ASN1_OCTET_STRING **out)
{
    *out = NULL;
    for (int i = 0; i < sk_X509_EXTENSION_num(exts); i++) {
        X509_EXTENSION *x = sk_X509_EXTENSION_value(exts, i);
        if (!oid_is(X509_EXTENSION_get_object(x), oid))
            continue;
        if (*out != NULL)
            return CLID_ERR_EXT_DUPLICATE;
        *out = X509_EXTENSION_get_data(x);
    }
    return CLID_OK;
}

static int check_requested(const char *path, STACK_OF(X509_EXTENSION) *exts, ca_spec *spec)
{
    const ASN1_OCTET_STRING *tn_der = NULL, *ent_der = NULL;
    clid_tnauth *tn = NULL;
    clid_entity *ent = NULL;
    clid_err e;
    if ((e = requested(exts, CLID_OID_TNAUTHLIST, &tn_der)) != CLID_OK)
        return csr_error(path, "TNAuthList", e);
    if ((e = requested(exts, CLID_OID_SIGNALLING_ENTITY, &ent_der)) != CLID_OK)
        return csr_error(path, "SignallingEntity", e);
    if (tn_der != NULL &&
        (e = clid_tnauth_decode(ASN1_STRING_get0_data(tn_der),
                                (size_t)ASN1_STRING_length(tn_der), &tn)) != CLID_OK)
        return csr_error(path, "TNAuthList", e);
    if (ent_der != NULL &&
        (e = clid_entity_decode(ASN1_STRING_get0_data(ent_der),
                                (size_t)ASN1_STRING_length(ent_der), &ent)) != CLID_OK) {
        clid_tnauth_free(tn);
        return csr_error(path, "SignallingEntity", e);
    }
    const char *why = NULL;
    char msg[700];
    if (tn != NULL && !clid_tnauth_encompasses(spec->tnauth, tn, 0)) {
        char want[256], have[256];
        ca_tnauth_summary(tn, want, sizeof want);
        ca_tnauth_summary(spec->tnauth, have, sizeof have);
        snprintf(msg, sizeof msg,
                 "asks for a TNAuthList beyond what --spc/--tn/--range allow (requested: %s; "
                 "allowed: %s)",
                 want, have);
        why = msg;
    } else if (ent != NULL && !ca_entity_within(ent, spec->entity, &why)) {
        snprintf(msg, sizeof msg, "asks for %s", why);
        why = msg;
    }
    if (why != NULL) {
        clid_tnauth_free(tn);
        clid_entity_free(ent);
        tool_error("ca issue: --csr %s: refused: the request %s", path, why);
        return TOOL_EXIT_DATAERR;
    }
    /* Grant what was asked; what was not asked comes from the command line. */
    if (tn != NULL) {
        clid_tnauth_free(spec->tnauth);
        spec->tnauth = tn;
    }
    if (ent != NULL) {
        clid_entity_free(spec->entity);
        spec->entity = ent;
    }
    return TOOL_EXIT_OK;
}

int ca_csr_check(const char *path, ca_spec *spec, EVP_PKEY **pubkey)
{
    *pubkey = NULL;
    if (spec->tnauth == NULL)
        return tool_usage_error("ca issue", "ca",
                                "--csr: state what the requester may have with --spc, --tn or "
                                "--range (Q.TSCA: the CA checks the request against it)");
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = tool_read_file(path, CA_MAX_SMALL, &buf, &len);
    if (rc != TOOL_EXIT_OK)
        return rc;
    X509_REQ *req = parse_req(buf, len);
    free(buf);
    if (req == NULL)
        return csr_error(path, "not a PEM or DER certificate request (PKCS#10)", CLID_OK);
    EVP_PKEY *pk = X509_REQ_get0_pubkey(req);
    STACK_OF(X509_EXTENSION) *exts = NULL;
    ERR_clear_error();
    if (pk == NULL || X509_REQ_verify(req, pk) != 1)
        rc = csr_error(path,
                       "not signed by the key it carries (altered or damaged); signature",
                       CLID_ERR_SIGNATURE_INVALID);
    else if (!ca_key_is_p256(pk))
        rc = csr_error(path, "key", CLID_ERR_KEY_TYPE);
    else if ((exts = X509_REQ_get_extensions(req)) == NULL && ERR_peek_error() != 0)
        rc = csr_error(path, "extensionRequest attribute is malformed", CLID_OK);
    else
        rc = check_requested(path, exts, spec);
    if (rc == TOOL_EXIT_OK) {
        if (EVP_PKEY_up_ref(pk) == 1) {
            *pubkey = pk;
        } else {
            tool_error("ca issue: out of memory");
            rc = TOOL_EXIT_FAIL;
        }
    }
    sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
    X509_REQ_free(req);
    return rc;
}
