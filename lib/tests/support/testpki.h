/*
 * A throw-away STIR PKI built in memory with the OpenSSL C API, for the
 * chain tests: roots, STI-CAs, SP and delegate certificates with chosen
 * validity, basicConstraints, keyUsage, AKI/SKI and TNAuthList, plus CRLs.
 * Everything is deterministic except the keys and signatures. Aborts on any
 * OpenSSL failure: a broken fixture is not a test result.
 */
#ifndef CLID_TESTPKI_H
#define CLID_TESTPKI_H

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <clid/clid.h>

#define TP_T0 INT64_C(1767225600) /* 2026-01-01T00:00:00Z: the tests' "now" */
#define TP_DAY INT64_C(86400)

typedef struct tp_cert {
    X509 *x;
    EVP_PKEY *key;
    long serial;
    char *pem; /* this certificate alone */
} tp_cert;

typedef struct tp_spec {
    const char *cn;
    int64_t not_before; /* 0 and 0: TP_T0 - 30 days .. TP_T0 + 365 days */
    int64_t not_after;
    int ca;             /* default basicConstraints and keyUsage for a CA */
    const char *bc;     /* NULL: "critical,CA:TRUE" or "critical,CA:FALSE"; "": none */
    const char *ku;     /* NULL: "critical,keyCertSign,cRLSign" or "critical,digitalSignature";
                           "": none */
    int no_aki_ski;
    /* Override one of them (when no_aki_ski is 0): NULL the default
     * ("hash" / "keyid:always"), "" leaves it out, else an X509V3 config
     * value such as "critical,keyid:always". */
    const char *ski;
    const char *aki;
    const char *tnauth; /* tp_tnauth syntax; NULL: none */
    int tnauth_critical;
    int tnauth_twice;   /* the same TNAuthList extension twice (RFC 5280 §4.2 forbids it) */
    const uint8_t *tnauth_raw; /* raw extension value instead of `tnauth` */
    size_t tnauth_raw_len;
    const char *critical_oid;  /* a critical extension with this OID (value NULL) */
    int entity_critical;       /* a critical SignallingEntity (originating gateway) */
    int jwtcc_critical;        /* a critical JWTClaimConstraints (mustInclude "orig") */
    int rsa;                   /* RSA-1024 key instead of P-256 (fast to make; refused anyway) */
    const clid_jwtcc *jwtcc;   /* non-critical claim constraints (OID from the value's kind) */
    const clid_entity *entity; /* non-critical SignallingEntity */
    const char *raw_oid;       /* one more non-critical extension, value raw_der (added after
                                  the others, even when the OID is already present) */
    const uint8_t *raw_der;
    size_t raw_der_len;
    /* CRL Distribution Points (RFC 5280 §4.2.1.13): one point with this URI
     * and, when crl_dp_issuer is set, a cRLIssuer naming its subject (the
     * SHAKEN form, ATIS-1000080). */
    const char *crl_dp_url;
    const struct tp_cert *crl_dp_issuer;
    int crl_dp_reasons; /* the point covers keyCompromise only */
} tp_spec;

/* A certificate for `s`, signed by `issuer` (NULL: self-signed). */
tp_cert *tp_issue(const tp_spec *s, const tp_cert *issuer);
void tp_free(tp_cert *c);

/* "spc:709J,tn:12025550100,range:12025550000+100" */
clid_tnauth *tp_tnauth(const char *spec);

#define TP_CRL_BAD_SIG 1 /* corrupt the signature */
#define TP_CRL_NO_AKI 2  /* leave out the authorityKeyIdentifier */

/* A PEM CRL by `issuer` listing the `n` serials, lastUpdate `last`,
 * nextUpdate `next`, altered by TP_CRL_* `flags`. malloc'd. */
char *tp_crl(const tp_cert *issuer, int64_t last, int64_t next, const long *revoked, size_t n,
             int flags);

/* An entry of tp_crl_ex. */
typedef struct tp_revoked {
    long serial;
    const tp_cert *issuer; /* certificateIssuer naming its subject; NULL: none (the entry's
                              issuer is that of the entry before, else the CRL issuer) */
    int critical_unknown;  /* an unknown critical entry extension */
} tp_revoked;

/* A CRL with every option the indirect-CRL tests need (RFC 5280 §5). */
typedef struct tp_crl_spec {
    const tp_cert *signer;  /* its key signs */
    const tp_cert *name_of; /* the CRL issuer name is this one's subject (NULL: signer's) */
    int64_t last, next;     /* thisUpdate, nextUpdate (next 0: none) */
    const tp_revoked *revoked;
    size_t n;
    int idp;                /* an issuingDistributionPoint (critical) */
    int indirect;           /* ... with indirectCRL */
    const char *idp_url;    /* ... with this distribution point name */
    int only_user, only_ca, some_reasons;
    int delta;              /* a deltaCRLIndicator */
    int critical_unknown;   /* an unknown critical CRL extension */
    int no_aki;
    int der;                /* DER instead of PEM; its length in *len */
} tp_crl_spec;
char *tp_crl_ex(const tp_crl_spec *s, size_t *len);

/* malloc'd concatenation of NUL-terminated strings, ending with NULL. */
char *tp_cat(const char *first, ...);

/* The cert's DER wrapped in PEM with `extra` bytes appended inside the
 * block (trailing data after the certificate). malloc'd. */
char *tp_pem_with_trailing(const tp_cert *c, size_t extra);

/* ------------------------------------------------------------------------ */
/* clid objects over the PKI (testpki_clid.c): what every fixture needs     */
/* ------------------------------------------------------------------------ */

/* The fixtures' PKI: "Test Root" (TP_T0 -/+ 10 years, self-signed) and
 * "Test STI-CA" under it (TP_T0 - 1 year .. + 3 years). */
tp_cert *tp_test_root(void);
tp_cert *tp_test_stica(const tp_cert *root);

/* A clid_clock_fn reading the int64_t at `arg` (time injected: the test
 * moves it). */
int64_t tp_fixed_clock(void *arg);

/* `k` as a malloc'd, NUL-terminated PKCS#8 PEM. */
char *tp_key_pem(EVP_PKEY *k);

/* A signer with `key`, the certificate (or chain) `cert_pem` unless NULL,
 * x5u `x5u` and tp_fixed_clock over `now`, set in that order. */
clid_signer *tp_signer_key(EVP_PKEY *key, const char *cert_pem, const char *x5u, int64_t *now);
/* tp_signer_key with `c`'s key and certificate. */
clid_signer *tp_signer_new(const tp_cert *c, const char *x5u, int64_t *now);

/* A context trusting `anchor` with tp_fixed_clock over `now`; nothing
 * mapped. */
clid_ctx *tp_ctx_new(const tp_cert *anchor, int64_t *now);
/* Maps `url` to the PEM chain `pem` in `c` (clid_ctx_add_x5u_pem). */
void tp_ctx_map(clid_ctx *c, const char *url, const char *pem);
/* clid_verifier_new over `c`. */
clid_verifier *tp_verifier_new(const clid_ctx *c);

#endif
