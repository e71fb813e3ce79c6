/*
 * Certificates for the profile-lint tests, built in memory from openssl
 * configuration text (x509v3_config(5)), so that each test certificate
 * differs from a conforming one by exactly the line under test. The
 * sections LP_SECTIONS names (CRL distribution points, the STI-PA CRL
 * issuer) are always available to the extension text.
 * Aborts on any OpenSSL failure: a broken fixture is not a test result.
 */
#ifndef CLID_TEST_LINTPKI_H
#define CLID_TEST_LINTPKI_H

#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include <clid/clid.h>

#include "support/testpki.h"

/* Extension lines, to be concatenated into lp_spec.ext. */
#define LP_TNAUTH "1.3.6.1.5.5.7.1.26"
#define LP_ENTITY "2.25.42566855811865493193646212583568270452.2.1"
#define LP_BC_CA "basicConstraints=critical,CA:TRUE\n"
#define LP_BC_EE "basicConstraints=critical,CA:FALSE\n"
#define LP_KU_CA "keyUsage=critical,keyCertSign\n"
#define LP_KU_EE "keyUsage=critical,digitalSignature\n"
#define LP_SKI "subjectKeyIdentifier=hash\n"
#define LP_AKI "authorityKeyIdentifier=keyid:always\n"
#define LP_CP "certificatePolicies=2.16.840.1.114569.1.1.4\n"
/* One distribution point: the STI-PA's CRL URL and its cRLIssuer. */
#define LP_CRLDP "crlDistributionPoints=lp_crldp\n"
/* The same without cRLIssuer (a direct CRL). */
#define LP_CRLDP_DIRECT "crlDistributionPoints=lp_crldp_direct\n"
/* SPC 709J */
#define LP_SPC "1.3.6.1.5.5.7.1.26=DER:30:08:A0:06:16:04:37:30:39:4A\n"

/* The conforming SHAKEN certificates: root, intermediate (STI-CA), SP. */
#define LP_SHAKEN_ROOT_SUBJECT "/C=US/O=Example STI-CA/CN=Example SHAKEN Root"
#define LP_SHAKEN_ROOT_EXT LP_BC_CA LP_KU_CA LP_SKI
#define LP_SHAKEN_INTER_SUBJECT "/C=US/O=Example STI-CA/CN=Example SHAKEN Intermediate"
#define LP_SHAKEN_INTER_EXT LP_BC_CA LP_KU_CA LP_SKI LP_AKI LP_CP LP_CRLDP
#define LP_SHAKEN_EE_SUBJECT "/C=US/O=Example Telecom/CN=SHAKEN 709J"
#define LP_SHAKEN_EE_EXT LP_BC_EE LP_KU_EE LP_SKI LP_AKI LP_CP LP_CRLDP LP_SPC

enum { LP_KEY_P256 = 0, LP_KEY_P384, LP_KEY_RSA };

typedef struct lp_spec {
    const char *subject; /* "/C=US/O=.../CN=..." */
    const char *ext;     /* extension lines (LP_* above or any x509v3_config line) */
    const char *serial;  /* hex, "-" allowed; NULL: 16 random octets, positive */
    int64_t not_before;  /* 0 and 0: TP_T0 - 30 days .. TP_T0 + 365 days */
    int64_t not_after;
    const char *not_before_str; /* an exact ASN1 time string instead (UTCTime or
                                   GeneralizedTime by its length) */
    int key;             /* LP_KEY_* */
    int sha384;          /* sign with SHA-384 instead of SHA-256 */
    int version;         /* X509_VERSION_* + 1; 0: version 3 */
    const char *dup_oid; /* append a second copy of the extension with this OID */
    const char *tnauth;  /* tp_tnauth syntax, added with the library */
    const clid_entity *entity; /* added with the library, non-critical */
    int entity_critical;       /* ... or critical */
} lp_spec;

/* `s` issued by `issuer` (NULL: self-signed). The result is a tp_cert
 * (testpki.h): free it with tp_free. */
tp_cert *lp_issue(const lp_spec *s, const tp_cert *issuer);

/* The conforming SHAKEN hierarchy: *root, *inter and *ee (each may be NULL
 * when not wanted; ee needs inter, inter needs root). */
void lp_shaken_chain(tp_cert **root, tp_cert **inter, tp_cert **ee);

/* PEM of certificates a, b, ... (NULL-terminated), malloc'd. */
char *lp_pem(const tp_cert *first, ...);

#endif
