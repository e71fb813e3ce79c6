/*
 * The certificate-profile rules (clid_lint.h; docs/lint.md has the same table
 * for people). One row per rule:
 *
 *   X(NAME, "id", SEVERITY, PROFILES, "roles", "clause", "source", "summary")
 *
 *   SEVERITY  ERROR ("shall") or WARNING ("should", best practice, heuristic)
 *   PROFILES  SQ both, S shaken only, Q q3063 only
 *   roles     the certificates the rule looks at (docs/lint.md)
 *   clause    where the rule comes from; ATIS-1000080 is not public, so
 *   source    names the public text quoting it (a martinisecurity/zlint lint
 *             of v3/lints/shaken, whose comment quotes the clause), an RFC,
 *             or clid's own docs
 *
 * Findings are sorted by certificate, then by this order: keep rules that
 * explain a certificate's shape (version, serial, algorithms) first.
 * Rule ids are stable: tools and tests match on them.
 */
#ifndef CLID_X509_PROFILE_RULES_H
#define CLID_X509_PROFILE_RULES_H

#define CLID__A5 "ATIS-1000080 v005 §6.4.1"
#define CLID__A5F "ATIS-1000080 v005 §6.4.1.1"
#define CLID__Q4 "clid Q.3063 profile §4"

/* clang-format off */
#define CLID_LINT_RULES(X)                                                                        \
    X(CERT_VERSION, "cert.version", ERROR, SQ, "all", CLID__A5F,                                  \
      "zlint e_atis_version", "X.509 version 3")                                                  \
    X(SERIAL_POSITIVE, "serial.positive", ERROR, SQ, "all", CLID__A5F "; RFC 5280 §4.1.2.2",      \
      "zlint e_atis_serial_number_size (quotes the clause)", "serial number greater than zero")   \
    X(SERIAL_LENGTH, "serial.length", ERROR, SQ, "all", "RFC 5280 §4.1.2.2",                      \
      "RFC 5280", "serial number of at most 20 octets")                                           \
    X(SERIAL_ENTROPY, "serial.entropy", ERROR, SQ, "all", CLID__A5F,                              \
      "zlint e_atis_serial_number_size",                                                          \
      "at least 64 bits of CSPRNG output: a serial shorter than 8 octets cannot hold them")       \
    X(SERIAL_SEQUENTIAL, "serial.sequential", WARNING, SQ, "all", CLID__A5F,                      \
      "clid heuristic",                                                                           \
      "low 32 bits not below 65536: a counter-like serial is not CSPRNG output")                  \
    X(SIG_ALG, "sig.alg", ERROR, SQ, "all", CLID__A5F "; RFC 5758 §3.2; RFC 5280 §4.1.1.2",       \
      "zlint e_atis_signature_algorithm",                                                         \
      "signed with ecdsa-with-SHA256 (no parameters), the same algorithm in the TBS")             \
    X(KEY_ALG, "key.alg", ERROR, SQ, "all", CLID__A5 "; RFC 5480 §2.1.1",                         \
      "zlint e_atis_subject_public_key", "id-ecPublicKey with the namedCurve P-256")              \
    X(EXT_DUPLICATE, "ext.duplicate", ERROR, SQ, "all", "RFC 5280 §4.2", "RFC 5280",              \
      "no extension more than once")                                                              \
    X(EXT_UNKNOWN_CRITICAL, "ext.unknown-critical", ERROR, SQ, "all", "RFC 5280 §4.2",            \
      "RFC 5280", "no critical extension that neither OpenSSL nor clid processes")                \
    X(EXT_DECODE, "ext.decode", ERROR, SQ, "all",                                                 \
      "RFC 8226 §8, §9; RFC 9118 §4; docs/q3063-profile.md §3", "clid's strict DER codecs",       \
      "TNAuthList, (Enhanced)JWTClaimConstraints and SignallingEntity in strict DER")             \
    X(STI_EXT_ALLOWED, "sti.ext.allowed", ERROR, S, "all", CLID__A5F,                             \
      "zlint e_atis_ext_not_specified",                                                           \
      "only keyUsage, basicConstraints, certificatePolicies, SKI, AKI, CRL distribution "         \
      "points and TNAuthList")                                                                    \
    X(Q_EXT_ALLOWED, "q3063.ext.allowed", WARNING, Q, "all", CLID__Q4 ".1",                       \
      "docs/q3063-profile.md",                                                                    \
      "ATIS-1000080's extensions plus SignallingEntity and (Enhanced)JWTClaimConstraints")        \
    X(BC_PRESENT, "bc.present", ERROR, SQ, "all", CLID__A5,                                       \
      "zlint e_atis_ext_basic_constraints", "basicConstraints present")                           \
    X(BC_CRITICAL, "bc.critical", ERROR, SQ, "all", CLID__A5,                                     \
      "zlint e_atis_ext_basic_constraints", "basicConstraints critical")                          \
    X(BC_CA, "bc.ca", ERROR, SQ, "all", CLID__A5, "zlint e_atis_ext_basic_constraints",           \
      "cA TRUE on roots and intermediates (a certificate issuing the previous one), FALSE on "    \
      "end entities")                                                                             \
    X(BC_PATHLEN, "bc.pathlen", ERROR, SQ, "ee", "RFC 5280 §4.2.1.9", "RFC 5280",                 \
      "no pathLenConstraint on an end entity")                                                    \
    X(KU_PRESENT, "ku.present", ERROR, SQ, "all", CLID__A5, "zlint e_atis_ext_key_usage",         \
      "keyUsage present")                                                                         \
    X(KU_CRITICAL, "ku.critical", ERROR, SQ, "all", CLID__A5, "zlint e_atis_ext_key_usage",       \
      "keyUsage critical")                                                                        \
    X(KU_EE, "ku.ee", ERROR, SQ, "ee", CLID__A5, "zlint e_atis_ext_key_usage_ee",                 \
      "end entity: digitalSignature and nothing else")                                            \
    X(KU_CA, "ku.ca", ERROR, SQ, "ca", CLID__A5, "zlint e_atis_ext_key_usage_ca",                 \
      "CA: keyCertSign, and no bit besides keyCertSign, cRLSign and digitalSignature")            \
    X(STI_KU_CA_SINGLE, "sti.ku.ca-single", WARNING, S, "ca", CLID__A5,                           \
      "zlint e_atis_ext_key_usage_ca",                                                            \
      "CA: keyCertSign alone (v005; v004 also allowed digitalSignature and cRLSign)")             \
    X(KU_DER, "ku.der", WARNING, SQ, "all", "RFC 5280 §4.2.1.3; X.690 §11.2.2",                   \
      "zlint e_incorrect_ku_encoding", "keyUsage BIT STRING in DER (no trailing zero bits)")      \
    X(SKI_PRESENT, "ski.present", ERROR, SQ, "all", CLID__A5,                                     \
      "zlint e_atis_subject_key_identifier", "subjectKeyIdentifier present")                      \
    X(SKI_SHA1, "ski.sha1", ERROR, SQ, "all", CLID__A5 "; RFC 5280 §4.2.1.2",                     \
      "zlint e_atis_subject_key_identifier_size",                                                 \
      "subjectKeyIdentifier is the 160-bit SHA-1 hash of the subjectPublicKey")                   \
    X(SKI_CRITICAL, "ski.critical", ERROR, SQ, "all", "RFC 5280 §4.2.1.2", "RFC 5280",            \
      "subjectKeyIdentifier non-critical")                                                        \
    X(AKI_PRESENT, "aki.present", ERROR, SQ, "ee+intermediate", CLID__A5,                         \
      "zlint e_atis_ext_authority_key_identifier", "authorityKeyIdentifier present")              \
    X(AKI_KEYID, "aki.keyid", ERROR, SQ, "all", CLID__A5,                                         \
      "zlint e_atis_ext_authority_key_identifier", "authorityKeyIdentifier has a keyIdentifier")  \
    X(AKI_MATCH, "aki.match", ERROR, SQ, "all", CLID__A5,                                         \
      "zlint e_atis_ext_authority_key_identifier_root",                                           \
      "keyIdentifier equals the issuer's subjectKeyIdentifier (a root's own), when the issuer "   \
      "is in the chain")                                                                          \
    X(AKI_CRITICAL, "aki.critical", ERROR, SQ, "all", "RFC 5280 §4.2.1.1", "RFC 5280",            \
      "authorityKeyIdentifier non-critical")                                                      \
    X(STI_POLICY, "sti.policy", ERROR, S, "ee+intermediate", CLID__A5,                            \
      "zlint e_atis_ext_certificate_policies",                                                    \
      "certificatePolicies present, non-critical, with a single policy OID (the STI-PA's "        \
      "SHAKEN certificate policy)")                                                               \
    X(STI_POLICY_ROOT, "sti.policy.root", ERROR, S, "root", CLID__A5,                             \
      "zlint e_atis_ext_certificate_policies_root", "no certificatePolicies on a root")           \
    X(CRLDP_PRESENT, "crldp.present", ERROR, SQ, "ee+intermediate", CLID__A5,                     \
      "zlint e_atis_ext_crl_distribution", "CRL distribution points present")                     \
    X(CRLDP_FORM, "crldp.form", ERROR, SQ, "ee+intermediate", CLID__A5,                           \
      "zlint e_atis_ext_crl_distribution",                                                        \
      "exactly one DistributionPoint, named by a fullName holding one http or https URI")         \
    X(STI_CRLDP_ISSUER, "sti.crldp.issuer", ERROR, S, "ee+intermediate", CLID__A5,                \
      "zlint e_atis_ext_crl_distribution_struct",                                                 \
      "the DistributionPoint has a cRLIssuer: the directory name of the STI-PA's CRL issuer")     \
    X(CRLDP_ROOT, "crldp.root", ERROR, SQ, "root", CLID__A5,                                      \
      "zlint e_atis_ext_crl_distribution_root", "no CRL distribution points on a root")           \
    X(TNAUTH_PRESENT, "tnauth.present", ERROR, SQ, "ee", CLID__A5 "; RFC 8226 §9",                \
      "zlint e_atis_tn_auth_list", "end entity: TNAuthList present")                              \
    X(TNAUTH_CRITICAL, "tnauth.critical", ERROR, SQ, "all", CLID__A5,                             \
      "zlint e_atis_tn_auth_list", "TNAuthList non-critical")                                     \
    X(STI_TNAUTH_SPC, "sti.tnauth.spc", ERROR, S, "ee", CLID__A5, "zlint e_atis_tn_auth_list",    \
      "end entity: TNAuthList holds a single SPC and no TN or range")                             \
    X(STI_TNAUTH_SPC_FORMAT, "sti.tnauth.spc-format", ERROR, S, "ee", CLID__A5,                   \
      "zlint e_atis_tn_auth_list_spc_format", "the SPC has digits and upper-case letters only")   \
    X(STI_TNAUTH_CA, "sti.tnauth.ca", ERROR, S, "ca", CLID__A5, "zlint e_atis_tn_auth_list_ca",   \
      "no TNAuthList on roots and intermediates")                                                 \
    X(Q_TNAUTH_DELEGATION, "q3063.tnauth.delegation", ERROR, Q, "all",                            \
      CLID__Q4 ".2; RFC 9060 §4", "docs/q3063-profile.md",                                        \
      "a TNAuthList lies within its issuer's TNAuthList, when the issuer has one")                \
    X(Q_ENTITY_PRESENT, "q3063.entity.present", ERROR, Q, "ee", CLID__Q4 ".3",                    \
      "docs/q3063-profile.md", "end entity: SignallingEntity present")                            \
    X(Q_ENTITY_CRITICAL, "q3063.entity.critical", ERROR, Q, "all", CLID__Q4 ".3; §3.2",           \
      "docs/q3063-profile.md", "SignallingEntity non-critical")                                   \
    X(Q_ENTITY_CA, "q3063.entity.ca", WARNING, Q, "ca", CLID__Q4 ".3",                            \
      "docs/q3063-profile.md", "no SignallingEntity on CA certificates (the verifier ignores it)")\
    X(Q_ENTITY_ROLE, "q3063.entity.role", ERROR, Q, "ee", CLID__Q4 ".3; Q.3063 §8.1",             \
      "docs/q3063-profile.md",                                                                    \
      "end entity: a role that signs (originating-gateway, international-gateway)")               \
    X(Q_ENTITY_COUNTRY, "q3063.entity.country", ERROR, Q, "ee", CLID__Q4 ".3",                    \
      "docs/q3063-profile.md",                                                                    \
      "every TN and every number of every range of the TNAuthList begins with a listed country "  \
      "code")                                                                                     \
    X(Q_ENTITY_COUNTRY_ANY, "q3063.entity.country-any", WARNING, Q, "ee", CLID__Q4 ".3",          \
      "docs/q3063-profile.md",                                                                    \
      "country codes listed (without any, the entity may vouch for every number)")                \
    X(STI_SUBJECT_DN, "sti.subject.dn", ERROR, S, "all", CLID__A5, "zlint e_atis_subject_dn",     \
      "subject has C, O and CN, each once; C is an ISO 3166-1 alpha-2 code")                      \
    X(STI_SUBJECT_CN, "sti.subject.cn", ERROR, S, "ee", CLID__A5, "zlint e_atis_subject_cn",      \
      "end entity: CN contains \"SHAKEN <SPC>\" with the TNAuthList's SPC")                       \
    X(STI_SUBJECT_CN_EXACT, "sti.subject.cn-exact", WARNING, S, "ee",                             \
      "US SHAKEN CP §3.1 (Naming)", "zlint e_us_cp_ambiguous_identifier",                         \
      "end entity: CN is exactly \"SHAKEN <SPC>\"")                                               \
    X(STI_SUBJECT_CN_CA, "sti.subject.cn-ca", ERROR, S, "ca", CLID__A5,                           \
      "zlint e_atis_ca_subject_cn",                                                               \
      "CA: CN contains \"SHAKEN\"; a root's also \"ROOT\" (any case)")                             \
    X(STI_SUBJECT_RDN, "sti.subject.rdn", WARNING, S, "all", "SHAKEN PKI best practice",          \
      "zlint w_shaken_subject_rdn_unknown", "no subject attribute other than C, O, CN and L")      \
    X(Q_SUBJECT_CN, "q3063.subject.cn", WARNING, Q, "all", CLID__Q4 ".4",                         \
      "docs/q3063-profile.md", "subject has a CN")                                                \
    X(VALIDITY_RANGE, "validity.range", ERROR, SQ, "all", "RFC 5280 §4.1.2.5", "RFC 5280",        \
      "notBefore not after notAfter")                                                             \
    X(VALIDITY_ENCODING, "validity.encoding", ERROR, SQ, "all", "RFC 5280 §4.1.2.5", "RFC 5280",  \
      "UTCTime through 2049, GeneralizedTime from 2050, each with seconds and Z")                 \
    X(VALIDITY_ISSUER, "validity.issuer", WARNING, SQ, "all", "RFC 5280 §6.1.3 (a)(2)",           \
      "RFC 5280", "validity within the issuer's (else the chain fails once the issuer expires)")  \
    X(VALIDITY_AT, "validity.at", ERROR, SQ, "all", "RFC 5280 §4.1.2.5", "RFC 5280",              \
      "valid at the lint time (clid cert lint --at; never checked by the verifier's policy, "     \
      "whose chain validation checks time)")                                                      \
    X(CHAIN_ORDER, "chain.order", ERROR, SQ, "all", "RFC 7515 §4.1.5",           \
      "RFC 7515", "leaf first, each certificate issued by the next one")
/* clang-format on */

typedef enum clid__lint_rule_id {
#define CLID__RULE_ENUM(name, id, sev, prof, roles, clause, source, summary) CLID__R_##name,
    CLID_LINT_RULES(CLID__RULE_ENUM)
#undef CLID__RULE_ENUM
    CLID__R_COUNT
} clid__lint_rule_id;

#endif
