/*
 * The suite's PKI (README.md "Signer entities"), made with `clid ca` run in
 * process (cmd_ca), plus the few certificates clid ca refuses to make
 * (they are the defects under test): those are clid ca certificates edited
 * with OpenSSL and signed again by their issuer. And the TLS CA and server
 * certificate of `clid conform serve`.
 *
 *   pki/ca       the main CA (STI-PA indirect CRL only, ATIS-1000080 shape)
 *   pki/direct   a second CA with direct CRLs (--direct-crls)
 *   pki/rogue    a CA whose root no verifier trusts
 *   pki/certs/ENTITY.{key,pem}   each signer: key, and chain without root
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <clid/clid_ext.h>

#include "ca/ca.h"
#include "commands.h"
#include "conform/gen.h"
#include "util.h"

#define DAY 86400

/* clid ca in process, its stdout discarded (commands.h). */
#define run_ca(...) cmd_ca_quiet("conform gen", __VA_ARGS__)

static void fmt_time(char out[24], int64_t t)
{
    snprintf(out, 24, "%lld", (long long)t);
}

void gen_entity_paths(const gen_ctx *g, const char *entity, char key[GEN_PATH],
                      char chain[GEN_PATH])
{
    if (gen_path(g, key, "pki/certs/%s.key", entity) != 0 ||
        gen_path(g, chain, "pki/certs/%s.pem", entity) != 0)
        key[0] = chain[0] = '\0';
}

/* ---- files -------------------------------------------------------------- */

static int copy_file(const char *from, const char *to)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = tool_read_file(from, TOOL_MAX_FILE, &buf, &len);
    if (rc == TOOL_EXIT_OK && gen_mkdirs(to, 0) != 0)
        rc = TOOL_EXIT_FAIL;
    if (rc == TOOL_EXIT_OK)
        rc = tool_write_file(to, buf, len);
    free(buf);
    return rc;
}

/* ---- certificates edited with OpenSSL ----------------------------------- */

static EVP_PKEY *load_key(const char *path)
{
    FILE *f = fopen(path, "r");
    EVP_PKEY *k = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f != NULL)
        fclose(f);
    return k;
}

static STACK_OF(X509) *load_chain(const char *path)
{
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return NULL;
    STACK_OF(X509) *sk = sk_X509_new_null();
    X509 *x;
    while (sk != NULL && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL)
        sk_X509_push(sk, x);
    ERR_clear_error();
    fclose(f);
    if (sk != NULL && sk_X509_num(sk) == 0) {
        sk_X509_free(sk);
        sk = NULL;
    }
    return sk;
}

static int write_chain(const char *path, STACK_OF(X509) *sk)
{
    FILE *f = fopen(path, "w");
    int ok = f != NULL;
    for (int i = 0; ok && i < sk_X509_num(sk); i++)
        ok = PEM_write_X509(f, sk_X509_value(sk, i)) == 1;
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/* A serial from the seed and the entity: 16 octets, positive. */
static int set_serial(X509 *x, const gen_ctx *g, const char *label)
{
    uint8_t b[32];
    char l[200];
    snprintf(l, sizeof l, "serial:%s", label);
    gen_derive(g->seed, l, b);
    b[0] = (uint8_t)((b[0] & 0x7f) | 0x40);
    BIGNUM *bn = BN_bin2bn(b, 16, NULL);
    ASN1_INTEGER *s = bn != NULL ? BN_to_ASN1_INTEGER(bn, NULL) : NULL;
    int ok = s != NULL && X509_set_serialNumber(x, s) == 1;
    ASN1_INTEGER_free(s);
    BN_free(bn);
    return ok ? 0 : -1;
}

static int del_ext_oid(X509 *x, const char *oid)
{
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
    int i = o != NULL ? X509_get_ext_by_OBJ(x, o, -1) : -1;
    ASN1_OBJECT_free(o);
    if (i < 0)
        return -1;
    X509_EXTENSION_free(X509_delete_ext(x, i));
    return 0;
}

static int add_ext_der(X509 *x, const char *oid, int crit, const uint8_t *der, size_t len)
{
    ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);
    ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
    X509_EXTENSION *e = NULL;
    int ok = o != NULL && os != NULL && ASN1_OCTET_STRING_set(os, der, (int)len) == 1 &&
             (e = X509_EXTENSION_create_by_OBJ(NULL, o, crit, os)) != NULL &&
             X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    ASN1_OCTET_STRING_free(os);
    ASN1_OBJECT_free(o);
    return ok ? 0 : -1;
}

typedef int (*cert_edit)(X509 *x, const void *arg);

/* keyUsage without digitalSignature (nonRepudiation alone). */
static int edit_ku(X509 *x, const void *arg)
{
    (void)arg;
    int i = X509_get_ext_by_NID(x, NID_key_usage, -1);
    if (i >= 0)
        X509_EXTENSION_free(X509_delete_ext(x, i));
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, NULL, NID_key_usage, "critical,nonRepudiation");
    int ok = e != NULL && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok ? 0 : -1;
}

static int edit_no_tnauth(X509 *x, const void *arg)
{
    (void)arg;
    return del_ext_oid(x, CLID_OID_TNAUTHLIST);
}

/* The TNAuthList's outer SEQUENCE length in the long form (30 81 LL):
 * valid BER, not DER (X.690 §10.1). */
static int edit_tnauth_ber(X509 *x, const void *arg)
{
    (void)arg;
    ASN1_OBJECT *o = OBJ_txt2obj(CLID_OID_TNAUTHLIST, 1);
    int i = o != NULL ? X509_get_ext_by_OBJ(x, o, -1) : -1;
    ASN1_OBJECT_free(o);
    X509_EXTENSION *e = i >= 0 ? X509_get_ext(x, i) : NULL;
    ASN1_OCTET_STRING *d = e != NULL ? X509_EXTENSION_get_data(e) : NULL;
    if (d == NULL || d->length < 2 || d->length > 120 || d->data[0] != 0x30 ||
        d->data[1] != d->length - 2)
        return -1;
    uint8_t ber[128];
    ber[0] = 0x30;
    ber[1] = 0x81;
    memcpy(ber + 2, d->data + 1, (size_t)d->length - 1);
    return ASN1_OCTET_STRING_set(d, ber, d->length + 1) == 1 ? 0 : -1;
}

/* JWTClaimConstraints (RFC 8226 §8) or EnhancedJWTClaimConstraints (RFC 9118). */
static int edit_jwtcc(X509 *x, const void *arg)
{
    int enhanced = arg != NULL;
    clid_jwtcc *j = NULL;
    uint8_t der[256];
    size_t len = 0;
    int ok = clid_jwtcc_new(enhanced ? CLID_JWTCC_RFC9118 : CLID_JWTCC_RFC8226, &j) == CLID_OK;
    if (ok && enhanced)
        ok = clid_jwtcc_add_must_exclude(j, "rcd") == CLID_OK;
    else if (ok)
        ok = clid_jwtcc_add_must_include(j, "attest") == CLID_OK &&
             clid_jwtcc_add_permitted(j, "attest", "C") == CLID_OK;
    ok = ok && clid_jwtcc_encode(j, der, sizeof der, &len) == CLID_OK;
    clid_jwtcc_free(j);
    return ok ? add_ext_der(x, enhanced ? CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS
                                        : CLID_OID_JWT_CLAIM_CONSTRAINTS,
                            0, der, len)
              : -1;
}

/* A TNAuthList outside the parent SP CA's: 12025559900 + 10. */
static int edit_outside(X509 *x, const void *arg)
{
    (void)arg;
    ASN1_OBJECT *o = OBJ_txt2obj(CLID_OID_TNAUTHLIST, 1);
    int i = o != NULL ? X509_get_ext_by_OBJ(x, o, -1) : -1;
    ASN1_OBJECT_free(o);
    X509_EXTENSION *e = i >= 0 ? X509_get_ext(x, i) : NULL;
    clid_tnauth *l = NULL;
    uint8_t der[128];
    size_t len = 0;
    int ok = e != NULL && clid_tnauth_new(&l) == CLID_OK &&
             clid_tnauth_add_range(l, "12025559900", 10) == CLID_OK &&
             clid_tnauth_encode(l, der, sizeof der, &len) == CLID_OK &&
             ASN1_OCTET_STRING_set(X509_EXTENSION_get_data(e), der, (int)len) == 1;
    clid_tnauth_free(l);
    return ok ? 0 : -1;
}

/* Edits the leaf of pki/certs/ENTITY.pem and signs it again with
 * issuer_key, under a serial of its own. */
static int edit_entity(const gen_ctx *g, const char *entity, const char *issuer_key,
                       cert_edit fn, const void *arg)
{
    char key[GEN_PATH], chain[GEN_PATH];
    gen_entity_paths(g, entity, key, chain);
    STACK_OF(X509) *sk = load_chain(chain);
    EVP_PKEY *ik = load_key(issuer_key);
    X509 *leaf = sk != NULL ? sk_X509_value(sk, 0) : NULL;
    int ok = leaf != NULL && ik != NULL && fn(leaf, arg) == 0 && set_serial(leaf, g, entity) == 0 &&
             X509_sign(leaf, ik, EVP_sha256()) > 0 && write_chain(chain, sk) == 0;
    EVP_PKEY_free(ik);
    sk_X509_pop_free(sk, X509_free);
    if (!ok) {
        tool_error("conform gen: cannot make the %s certificate", entity);
        return TOOL_EXIT_SOFTWARE;
    }
    return TOOL_EXIT_OK;
}

/* ---- the TLS CA and server certificate ---------------------------------- */

/* The TLS keys derive from the seed too (clid ca's derivation), so the
 * same seed gives the same suite down to the server's key. */
static EVP_PKEY *seeded_p256(const gen_ctx *g, const char *label)
{
    return ca_seed_key(g->seed, label);
}

static int add_conf_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX c;
    X509V3_set_ctx(&c, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *e = X509V3_EXT_conf_nid(NULL, &c, nid, value);
    int ok = e != NULL && X509_add_ext(x, e, -1) == 1;
    X509_EXTENSION_free(e);
    return ok ? 0 : -1;
}

static X509 *tls_cert(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *ikey, int64_t nb,
                      int64_t na, const gen_ctx *g)
{
    X509 *x = X509_new();
    X509_NAME *n = X509_NAME_new();
    int ok = x != NULL && n != NULL && X509_set_version(x, 2) == 1 &&
             X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)cn, -1,
                                        -1, 0) == 1 &&
             X509_set_subject_name(x, n) == 1 &&
             X509_set_issuer_name(x, issuer != NULL ? X509_get_subject_name(issuer) : n) == 1 &&
             set_serial(x, g, cn) == 0 && X509_set_pubkey(x, key) == 1 &&
             ASN1_TIME_set(X509_getm_notBefore(x), (time_t)nb) != NULL &&
             ASN1_TIME_set(X509_getm_notAfter(x), (time_t)na) != NULL;
    if (ok && issuer == NULL)
        ok = add_conf_ext(x, x, NID_basic_constraints, "critical,CA:TRUE") == 0 &&
             add_conf_ext(x, x, NID_key_usage, "critical,keyCertSign,cRLSign") == 0 &&
             add_conf_ext(x, x, NID_subject_key_identifier, "hash") == 0;
    else if (ok) {
        char san[GEN_PATH + 64];
        const char *h = strstr(g->base, "://");
        h = h != NULL ? h + 3 : g->base;
        size_t hl = strcspn(h, ":/");
        int ip = hl > 0 && strspn(h, "0123456789.") >= hl;
        snprintf(san, sizeof san, "IP:127.0.0.1,DNS:localhost,%s:%.*s", ip ? "IP" : "DNS",
                 (int)hl, h);
        ok = add_conf_ext(x, issuer, NID_basic_constraints, "critical,CA:FALSE") == 0 &&
             add_conf_ext(x, issuer, NID_key_usage, "critical,digitalSignature") == 0 &&
             add_conf_ext(x, issuer, NID_ext_key_usage, "serverAuth") == 0 &&
             add_conf_ext(x, issuer, NID_authority_key_identifier, "keyid") == 0 &&
             add_conf_ext(x, issuer, NID_subject_alt_name, san) == 0;
    }
    ok = ok && X509_sign(x, issuer != NULL ? ikey : key, EVP_sha256()) > 0;
    X509_NAME_free(n);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static int write_pem(const gen_ctx *g, const char *rel, X509 *x, EVP_PKEY *k)
{
    char p[GEN_PATH];
    if (gen_path(g, p, "%s", rel) != 0)
        return -1;
    FILE *f = fopen(p, "w");
    int ok = f != NULL && (x == NULL || PEM_write_X509(f, x) == 1) &&
             (k == NULL || PEM_write_PrivateKey(f, k, NULL, NULL, 0, NULL, NULL) == 1);
    if (f != NULL && fclose(f) != 0)
        ok = 0;
    return ok ? 0 : -1;
}

/* TLS for the x5u server: valid both at the suite time and now (the
 * verifiers' TLS stacks use their own clock). */
int gen_tls(const gen_ctx *g)
{
    static const char *const files[] = {"pki/tls-ca.pem", "pki/tls-server.pem",
                                        "pki/tls-server.key"};
    int have = 0;
    char p[GEN_PATH];
    for (size_t i = 0; i < 3; i++)
        have += gen_path(g, p, "%s", files[i]) == 0 && access(p, R_OK) == 0;
    if (have == 3)
        return TOOL_EXIT_OK;
    if (gen_path(g, p, "pki/tls-ca.pem") != 0 || gen_mkdirs(p, 0) != 0)
        return TOOL_EXIT_FAIL;
    int64_t now = (int64_t)time(NULL);
    int64_t nb = (g->at < now ? g->at : now) - DAY, na = (g->at > now ? g->at : now) + 400 * DAY;
    EVP_PKEY *ck = seeded_p256(g, "conform/tls-ca"), *sk = seeded_p256(g, "conform/tls-server");
    X509 *ca = ck != NULL ? tls_cert("clid conform TLS CA", ck, NULL, NULL, nb, na, g) : NULL;
    X509 *srv = ca != NULL && sk != NULL
                    ? tls_cert("clid conform x5u server", sk, ca, ck, nb, na, g)
                    : NULL;
    int ok = srv != NULL && write_pem(g, "pki/tls-ca.pem", ca, NULL) == 0 &&
             write_pem(g, "pki/tls-server.pem", srv, NULL) == 0 &&
             write_pem(g, "pki/tls-server.key", NULL, sk) == 0;
    X509_free(srv);
    X509_free(ca);
    EVP_PKEY_free(sk);
    EVP_PKEY_free(ck);
    if (!ok) {
        tool_error("conform gen: cannot make the TLS certificates");
        return TOOL_EXIT_SOFTWARE;
    }
    return TOOL_EXIT_OK;
}

/* ---- the whole PKI ------------------------------------------------------ */

/* DIR/www/routes.json: the failing x5u behaviours. Fixed paths, the same
 * for every suite, so that a server started before the suite exists
 * (conform_gen_tls) already has them. */
int gen_routes(const gen_ctx *g)
{
    json_t *r = json_pack("{s:{s:i}, s:{s:i}, s:{s:s}, s:{s:i}}", "/x5u/missing.pem", "status",
                          404, "/x5u/slow.pem", "delay_ms", 10000, "/x5u/redirect.pem",
                          "redirect", "/certs/sp.pem", "/x5u/huge.pem", "body_bytes", 100000);
    char p[GEN_PATH];
    int ok = r != NULL && gen_path(g, p, "www/routes.json") == 0 && gen_mkdirs(p, 0) == 0 &&
             json_dump_file(r, p, JSON_INDENT(2) | JSON_SORT_KEYS) == 0;
    json_decref(r);
    if (!ok) {
        tool_error("conform gen: cannot write %s/www/routes.json", g->dir);
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

/* x5u URLs: chains under /certs/, failing behaviours under /x5u/. */
void gen_x5u_url(const gen_ctx *g, const char *signer, const char *b, char url[GEN_PATH])
{
    const char *other = strcmp(signer, "sp2") == 0 ? "sp" : "sp2";
    if (strcmp(b, "chain") == 0)
        snprintf(url, GEN_PATH, "%s/certs/%s.pem", g->base, signer);
    else if (strcmp(b, "leaf-only") == 0)
        snprintf(url, GEN_PATH, "%s/certs/%s-leaf.pem", g->base, signer);
    else if (strcmp(b, "wrong-cert") == 0)
        snprintf(url, GEN_PATH, "%s/certs/%s.pem", g->base, other);
    else if (strcmp(b, "chain-with-root") == 0)
        snprintf(url, GEN_PATH, "%s/certs/%s-with-root.pem", g->base, signer);
    else if (strcmp(b, "chain-reversed") == 0)
        snprintf(url, GEN_PATH, "%s/certs/%s-reversed.pem", g->base, signer);
    else if (strcmp(b, "query") == 0)
        snprintf(url, GEN_PATH, "%s/certs/%s.pem?v=1", g->base, signer);
    else if (strcmp(b, "der") == 0)
        snprintf(url, GEN_PATH, "%s/certs/%s.der", g->base, signer);
    else if (strcmp(b, "http") == 0) /* the same chain over plain http */
        snprintf(url, GEN_PATH, "http://%s/certs/%s.pem",
                 strstr(g->base, "://") != NULL ? strstr(g->base, "://") + 3 : g->base, signer);
    else if (strcmp(b, "private-address") == 0)
        snprintf(url, GEN_PATH, "https://10.255.255.1/certs/%s.pem", signer);
    else if (strcmp(b, "404") == 0)
        snprintf(url, GEN_PATH, "%s/x5u/missing.pem", g->base);
    else if (strcmp(b, "timeout") == 0)
        snprintf(url, GEN_PATH, "%s/x5u/slow.pem", g->base);
    else if (strcmp(b, "redirect") == 0)
        snprintf(url, GEN_PATH, "%s/x5u/redirect.pem", g->base);
    else if (strcmp(b, "oversized") == 0)
        snprintf(url, GEN_PATH, "%s/x5u/huge.pem", g->base);
    else if (strcmp(b, "not-pem") == 0)
        snprintf(url, GEN_PATH, "%s/x5u/not-pem.pem", g->base);
    else
        url[0] = '\0';
}

static const char *const entities[] = {
    "sp",        "sp2",           "tn-range",   "sp-ca",     "delegate", "delegate-outside",
    "expired",   "not-yet-valid", "revoked-sti-pa", "direct-sp", "revoked-direct", "untrusted",
    "ku-no-digsig", "no-tnauth",  "tnauth-not-der", "jwtcc",  "ejwtcc"};

static int publish(gen_ctx *g, json_t *suite)
{
    char from[GEN_PATH], to[GEN_PATH], key[GEN_PATH];
    int rc = TOOL_EXIT_OK;
    for (size_t i = 0; rc == TOOL_EXIT_OK && i < sizeof entities / sizeof entities[0]; i++) {
        gen_entity_paths(g, entities[i], key, from);
        if (gen_path(g, to, "www/certs/%s.pem", entities[i]) != 0)
            return TOOL_EXIT_SOFTWARE;
        rc = copy_file(from, to);
    }
    /* sp's chain also at a second URL (info != x5u) and its leaf alone */
    if (rc == TOOL_EXIT_OK && gen_path(g, from, "pki/certs/sp.pem") == 0 &&
        gen_path(g, to, "www/certs/sp-copy.pem") == 0)
        rc = copy_file(from, to);
    if (rc == TOOL_EXIT_OK) {
        STACK_OF(X509) *sk = load_chain(from);
        STACK_OF(X509) *one = sk_X509_new_null();
        if (sk == NULL || one == NULL || gen_path(g, to, "www/certs/sp-leaf.pem") != 0 ||
            sk_X509_push(one, sk_X509_value(sk, 0)) != 1 || write_chain(to, one) != 0)
            rc = TOOL_EXIT_FAIL;
        sk_X509_free(one);
        sk_X509_pop_free(sk, X509_free);
    }
    /* sp's chain with the root after it, in reverse order, and its leaf as DER */
    if (rc == TOOL_EXIT_OK) {
        STACK_OF(X509) *sk = load_chain(from), *rev = sk_X509_new_null();
        char root[GEN_PATH];
        STACK_OF(X509) *r = gen_path(g, root, "pki/ca/root.pem") == 0 ? load_chain(root) : NULL;
        X509 *leaf = sk != NULL ? sk_X509_value(sk, 0) : NULL;
        int ok = sk != NULL && rev != NULL && r != NULL;
        for (int i = sk != NULL ? sk_X509_num(sk) - 1 : -1; ok && i >= 0; i--)
            ok = sk_X509_push(rev, sk_X509_value(sk, i)) > 0;
        ok = ok && gen_path(g, to, "www/certs/sp-reversed.pem") == 0 && write_chain(to, rev) == 0;
        ok = ok && sk_X509_push(sk, sk_X509_value(r, 0)) > 0;
        if (ok)
            X509_up_ref(sk_X509_value(r, 0));
        ok = ok && gen_path(g, to, "www/certs/sp-with-root.pem") == 0 && write_chain(to, sk) == 0;
        unsigned char *der = NULL;
        int dl = ok ? i2d_X509(leaf, &der) : -1;
        ok = ok && dl > 0 && gen_path(g, to, "www/certs/sp.der") == 0 &&
             tool_write_file(to, der, (size_t)dl) == TOOL_EXIT_OK;
        OPENSSL_free(der);
        sk_X509_free(rev);
        sk_X509_pop_free(r, X509_free);
        sk_X509_pop_free(sk, X509_free);
        if (!ok)
            rc = TOOL_EXIT_FAIL;
    }
    /* the failing x5u behaviours (routes.json) and their plain files */
    static const char garbage[] = "this is not a PEM certificate chain\n";
    if (rc == TOOL_EXIT_OK && (gen_path(g, to, "www/x5u/not-pem.pem") != 0 ||
                               gen_mkdirs(to, 0) != 0 ||
                               tool_write_file(to, garbage, sizeof garbage - 1) != 0))
        rc = TOOL_EXIT_FAIL;
    if (rc == TOOL_EXIT_OK && gen_path(g, to, "www/x5u/slow.pem") == 0)
        rc = copy_file(from, to);
    /* CRLs at the URLs the certificates name */
    static const char *const crls[][2] = {{"pki/ca/sti-pa.crl", "www/crl/ca/sti-pa.crl"},
                                          {"pki/direct/sti-pa.crl", "www/crl/direct/sti-pa.crl"},
                                          {"pki/direct/inter.crl", "www/crl/direct/inter.crl"},
                                          {"pki/rogue/sti-pa.crl", "www/crl/rogue/sti-pa.crl"}};
    for (size_t i = 0; rc == TOOL_EXIT_OK && i < sizeof crls / sizeof crls[0]; i++)
        if (gen_path(g, from, "%s", crls[i][0]) != 0 || gen_path(g, to, "%s", crls[i][1]) != 0 ||
            copy_file(from, to) != TOOL_EXIT_OK)
            rc = TOOL_EXIT_FAIL;
    /* what verifiers are given */
    json_object_set_new(suite, "trust", json_string("pki/trust.pem"));
    json_object_set_new(suite, "crls", json_pack("[sss]", "pki/ca/sti-pa-crl.pem",
                                                 "pki/direct/sti-pa-crl.pem",
                                                 "pki/direct/crl.pem"));
    json_object_set_new(suite, "crl_signers",
                        json_pack("[ss]", "pki/ca/crl-signer.pem", "pki/direct/crl-signer.pem"));
    json_object_set_new(suite, "tls_ca", json_string("pki/tls-ca.pem"));
    json_object_set_new(suite, "tls_cert", json_string("pki/tls-server.pem"));
    json_object_set_new(suite, "tls_key", json_string("pki/tls-server.key"));
    if (rc == TOOL_EXIT_OK) {
        uint8_t *a = NULL, *b = NULL;
        size_t al = 0, bl = 0;
        char pa[GEN_PATH], pb[GEN_PATH];
        if (gen_path(g, pa, "pki/ca/root.pem") != 0 || gen_path(g, pb, "pki/direct/root.pem") != 0 ||
            tool_read_file(pa, TOOL_MAX_FILE, &a, &al) != 0 ||
            tool_read_file(pb, TOOL_MAX_FILE, &b, &bl) != 0 || gen_path(g, to, "pki/trust.pem") != 0)
            rc = TOOL_EXIT_FAIL;
        FILE *f = rc == TOOL_EXIT_OK ? fopen(to, "w") : NULL;
        if (rc == TOOL_EXIT_OK && (f == NULL || fwrite(a, 1, al, f) != al ||
                                   fwrite(b, 1, bl, f) != bl))
            rc = TOOL_EXIT_FAIL;
        if (f != NULL && fclose(f) != 0)
            rc = TOOL_EXIT_FAIL;
        free(a);
        free(b);
    }
    if (rc != TOOL_EXIT_OK)
        tool_error("conform gen: cannot publish the PKI under %s/www", g->dir);
    return rc;
}

int gen_pki(gen_ctx *g, json_t *suite)
{
    char ca[GEN_PATH], direct[GEN_PATH], rogue[GEN_PATH], certs[GEN_PATH];
    char url_ca[GEN_PATH], url_direct[GEN_PATH], url_rogue[GEN_PATH];
    char nb[24], ca_nb[24], crl_at[24], rev_at[24], old_nb[24], future_nb[24];
    fmt_time(nb, g->at - DAY);
    fmt_time(ca_nb, g->at - 800 * DAY); /* before the expired certificate's notBefore */
    fmt_time(crl_at, g->at - 3600);
    fmt_time(rev_at, g->at - 7200);
    fmt_time(old_nb, g->at - 400 * DAY);
    fmt_time(future_nb, g->at + 30 * DAY);
    if (gen_path(g, ca, "pki/ca") != 0 || gen_path(g, direct, "pki/direct") != 0 ||
        gen_path(g, rogue, "pki/rogue") != 0 || gen_path(g, certs, "pki/certs") != 0 ||
        gen_mkdirs(certs, 1) != 0)
        return TOOL_EXIT_FAIL;
    snprintf(url_ca, sizeof url_ca, "%s/crl/ca/inter.crl", g->base);
    snprintf(url_direct, sizeof url_direct, "%s/crl/direct/inter.crl", g->base);
    snprintf(url_rogue, sizeof url_rogue, "%s/crl/rogue/inter.crl", g->base);

    int rc = run_ca("init", ca, "--name", "clid conform", "--org", "clid conform",
                    "--not-before", ca_nb, "--crl-url", url_ca, "--seed", g->seed, NULL);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("init", direct, "--name", "clid conform direct", "--org", "clid conform",
                    "--not-before", ca_nb, "--crl-url", url_direct, "--direct-crls", "--seed",
                    g->seed, NULL);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("init", rogue, "--name", "clid conform rogue", "--org", "rogue",
                    "--not-before", ca_nb, "--crl-url", url_rogue, "--seed", g->seed, NULL);

    char out[2 * GEN_PATH], key[GEN_PATH], pem[GEN_PATH];
#define OUT(e) (snprintf(out, sizeof out, "%s/%s", certs, (e)), out)
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("issue", ca, "--spc", "1001", "--not-before", nb, "--out", OUT("sp"), NULL);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("issue", ca, "--spc", "1002", "--not-before", nb, "--out", OUT("sp2"), NULL);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("issue", ca, "--range", "12025550100+100", "--not-before", nb, "--out",
                    OUT("tn-range"), NULL);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("issue", ca, "--ca", "--range", "12025550100+100", "--not-before", nb,
                    "--out", OUT("sp-ca"), NULL);
    gen_entity_paths(g, "sp-ca", key, pem);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("issue", ca, "--delegate-of", pem, "--parent-key", key, "--range",
                    "12025550100+10", "--not-before", nb, "--out", OUT("delegate"), NULL);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("issue", ca, "--delegate-of", pem, "--parent-key", key, "--range",
                    "12025550150+10", "--not-before", nb, "--out", OUT("delegate-outside"), NULL);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("issue", ca, "--spc", "1003", "--not-before", old_nb, "--days", "365",
                    "--out", OUT("expired"), NULL);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("issue", ca, "--spc", "1004", "--not-before", future_nb, "--out",
                    OUT("not-yet-valid"), NULL);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("issue", ca, "--spc", "1005", "--not-before", nb, "--out",
                    OUT("revoked-sti-pa"), NULL);
    static const char *const edited[] = {"ku-no-digsig", "no-tnauth", "tnauth-not-der", "jwtcc",
                                         "ejwtcc"};
    static const char *const edited_spc[] = {"1006", "1007", "1008", "1009", "1010"};
    for (size_t i = 0; rc == TOOL_EXIT_OK && i < 5; i++)
        rc = run_ca("issue", ca, "--spc", edited_spc[i], "--not-before", nb, "--out",
                    OUT(edited[i]), NULL);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("issue", direct, "--spc", "2001", "--not-before", nb, "--crl-url", url_direct,
                    "--out", OUT("direct-sp"), NULL);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("issue", direct, "--spc", "2002", "--not-before", nb, "--crl-url",
                    url_direct, "--out", OUT("revoked-direct"), NULL);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("issue", rogue, "--spc", "3001", "--not-before", nb, "--out",
                    OUT("untrusted"), NULL);
#undef OUT
    /* revocations, then the CRLs */
    gen_entity_paths(g, "revoked-sti-pa", key, pem);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("revoke", ca, pem, "--reason", "keyCompromise", "--at", rev_at, NULL);
    gen_entity_paths(g, "revoked-direct", key, pem);
    if (rc == TOOL_EXIT_OK)
        rc = run_ca("revoke", direct, pem, "--reason", "keyCompromise", "--at", rev_at, NULL);
    const char *dirs[] = {ca, direct, rogue};
    for (size_t i = 0; rc == TOOL_EXIT_OK && i < 3; i++)
        rc = run_ca("crl", dirs[i], "--at", crl_at, "--days", "30", NULL);

    /* what clid ca refuses to make */
    char ikey[GEN_PATH], spca_key[GEN_PATH];
    if (gen_path(g, ikey, "pki/ca/inter.key") != 0)
        return TOOL_EXIT_FAIL;
    gen_entity_paths(g, "sp-ca", spca_key, pem);
    if (rc == TOOL_EXIT_OK)
        rc = edit_entity(g, "ku-no-digsig", ikey, edit_ku, NULL);
    if (rc == TOOL_EXIT_OK)
        rc = edit_entity(g, "no-tnauth", ikey, edit_no_tnauth, NULL);
    if (rc == TOOL_EXIT_OK)
        rc = edit_entity(g, "tnauth-not-der", ikey, edit_tnauth_ber, NULL);
    if (rc == TOOL_EXIT_OK)
        rc = edit_entity(g, "jwtcc", ikey, edit_jwtcc, NULL);
    if (rc == TOOL_EXIT_OK)
        rc = edit_entity(g, "ejwtcc", ikey, edit_jwtcc, "enhanced");
    if (rc == TOOL_EXIT_OK)
        rc = edit_entity(g, "delegate-outside", spca_key, edit_outside, NULL);
    if (rc == TOOL_EXIT_OK)
        rc = gen_tls(g);
    if (rc == TOOL_EXIT_OK)
        rc = publish(g, suite);
    return rc;
}
