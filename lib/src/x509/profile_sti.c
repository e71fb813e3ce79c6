/*
 * The SHAKEN-only rules (profile_rules.h, marked S): ATIS-1000080 v005
 * §6.4.1 and §6.4.1.1 as quoted by martinisecurity/zlint's v3/lints/shaken
 * (the ATIS text itself is not public), and the STI governance policy's
 * naming rules: the allowed extensions, the certificate policy, the
 * single-SPC TNAuthList of end entities and none on CAs, and the subject
 * names. ATIS-1000080 v005 allows no extension beyond its list, so a
 * certificate carrying clid's SignallingEntity is a Q.3063-profile
 * certificate, never a SHAKEN one: sti.ext.allowed says so by name.
 */
#include <ctype.h>
#include <string.h>

#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "x509/profile.h"

#define ADD(rule, ...) clid__lint_add(l, c, CLID__R_##rule, __VA_ARGS__)

/* The extensions ATIS-1000080 v005 §6.4.1.1 specifies for STI certificates. */
static int sti_extension(X509_EXTENSION *ext, const char *oid)
{
    switch (OBJ_obj2nid(X509_EXTENSION_get_object(ext))) {
    case NID_key_usage:
    case NID_basic_constraints:
    case NID_certificate_policies:
    case NID_subject_key_identifier:
    case NID_authority_key_identifier:
    case NID_crl_distribution_points:
        return 1;
    default:
        return strcmp(oid, CLID_OID_TNAUTHLIST) == 0;
    }
}

static void allowed_extensions(clid__lint *l, const clid__lint_cert *c)
{
    char oid[128];
    for (int i = 0; i < X509_get_ext_count(c->x); i++) {
        X509_EXTENSION *ext = X509_get_ext(c->x, i);
        clid__lint_oid(ext, oid, sizeof oid);
        if (sti_extension(ext, oid))
            continue;
        /* A critical extension nothing processes is ext.unknown-critical. */
        if (X509_EXTENSION_get_critical(ext) > 0 && !clid__lint_ext_processed(ext, c->role))
            continue;
        if (strcmp(oid, CLID_OID_SIGNALLING_ENTITY) == 0) {
            ADD(STI_EXT_ALLOWED, "SignallingEntity (%s) is not allowed in STI certificates: a "
                "certificate carrying it is a Q.3063-profile certificate (lint it with --profile "
                "q3063)", oid);
            continue;
        }
        int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
        const char *sn = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
        if (strcmp(oid, CLID_OID_JWT_CLAIM_CONSTRAINTS) == 0)
            sn = "JWTClaimConstraints";
        else if (strcmp(oid, CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS) == 0)
            sn = "EnhancedJWTClaimConstraints";
        ADD(STI_EXT_ALLOWED, "extension %s%s%s%s is not allowed in STI certificates", oid,
            sn ? " (" : "", sn ? sn : "", sn ? ")" : "");
    }
}

static void policies(clid__lint *l, const clid__lint_cert *c)
{
    int crit = -1;
    CERTIFICATEPOLICIES *cp = X509_get_ext_d2i(c->x, NID_certificate_policies, &crit, NULL);
    if (c->role == CLID_CERT_ROLE_ROOT) {
        if (crit != -1)
            ADD(STI_POLICY_ROOT, "a root with certificatePolicies");
    } else if (crit == -1) {
        ADD(STI_POLICY, "no certificatePolicies");
    } else if (crit >= 0 && cp == NULL) {
        ADD(STI_POLICY, "certificatePolicies do not decode");
    } else if (cp != NULL) {
        if (crit)
            ADD(STI_POLICY, "certificatePolicies is critical");
        if (sk_POLICYINFO_num(cp) != 1)
            ADD(STI_POLICY, "%d certificate policies, not one", sk_POLICYINFO_num(cp));
    }
    CERTIFICATEPOLICIES_free(cp);
}

static int spc_well_formed(const char *spc)
{
    if (*spc == '\0')
        return 0;
    for (const char *p = spc; *p; p++)
        if (!((*p >= '0' && *p <= '9') || (*p >= 'A' && *p <= 'Z')))
            return 0;
    return 1;
}

static void tnauth(clid__lint *l, const clid__lint_cert *c)
{
    if (c->role != CLID_CERT_ROLE_END_ENTITY) {
        if (c->tnauth_err != CLID_ERR_EXT_ABSENT)
            ADD(STI_TNAUTH_CA, "the %s has a TNAuthList", clid_cert_role_name(c->role));
        return;
    }
    if (c->tnauth == NULL)
        return; /* absent or undecodable: tnauth.present, ext.decode */
    size_t n = clid_tnauth_count(c->tnauth), kinds[3] = {0, 0, 0};
    for (size_t i = 0; i < n; i++) {
        clid_tnauth_entry e;
        if (clid_tnauth_get(c->tnauth, i, &e) != CLID_OK)
            continue;
        kinds[e.kind]++;
        if (e.kind == CLID_TNAUTH_SPC && !spc_well_formed(e.value))
            ADD(STI_TNAUTH_SPC_FORMAT, "SPC \"%s\" has characters other than digits and "
                "upper-case letters", e.value);
    }
    if (n != 1 || kinds[CLID_TNAUTH_SPC] != 1)
        ADD(STI_TNAUTH_SPC, "TNAuthList holds %zu SPC, %zu TN and %zu range entries, not a "
            "single SPC", kinds[CLID_TNAUTH_SPC], kinds[CLID_TNAUTH_TN],
            kinds[CLID_TNAUTH_RANGE]);
}

/* Whether `needle` occurs in `hay`, ignoring ASCII case. */
static int contains_nocase(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] &&
               tolower((unsigned char)hay[i]) == tolower((unsigned char)needle[i]))
            i++;
        if (i == n)
            return 1;
    }
    return 0;
}

static void subject(clid__lint *l, const clid__lint_cert *c)
{
    const X509_NAME *name = X509_get_subject_name(c->x);
    int n_c = 0, n_o = 0, n_cn = 0, bad_c = 0, other = NID_undef;
    for (int i = 0; i < X509_NAME_entry_count(name); i++) {
        const X509_NAME_ENTRY *e = X509_NAME_get_entry(name, i);
        int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(e));
        const ASN1_STRING *v = X509_NAME_ENTRY_get_data(e);
        const unsigned char *p = ASN1_STRING_get0_data(v);
        switch (nid) {
        case NID_countryName:
            n_c++;
            bad_c |= !(ASN1_STRING_length(v) == 2 && p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' &&
                       p[1] <= 'Z');
            break;
        case NID_organizationName:
            n_o++;
            break;
        case NID_commonName:
            n_cn++;
            break;
        case NID_localityName:
            break;
        default:
            if (other == NID_undef)
                other = nid != NID_undef ? nid : -1;
        }
    }
    if (n_c != 1 || n_o != 1 || n_cn != 1)
        ADD(STI_SUBJECT_DN, "the subject has %d C, %d O and %d CN attributes, not one each", n_c,
            n_o, n_cn);
    else if (bad_c)
        ADD(STI_SUBJECT_DN, "the subject's C is not an ISO 3166-1 alpha-2 code");
    if (other != NID_undef)
        ADD(STI_SUBJECT_RDN, "the subject has attributes other than C, O, CN and L (%s)",
            other > 0 ? OBJ_nid2sn(other) : "an unknown one");

    char cn_buf[256];
    const char *cn = clid__lint_cn(name, cn_buf, sizeof cn_buf);
    if (cn == NULL)
        return; /* sti.subject.dn reports it */
    if (c->role == CLID_CERT_ROLE_END_ENTITY) {
        const char *spc = c->tnauth ? clid__lint_first_spc(c->tnauth) : NULL;
        if (spc == NULL)
            return; /* no SPC to name: sti.tnauth.spc reports it */
        char want[96];
        (void)snprintf(want, sizeof want, "SHAKEN %s", spc);
        if (strstr(cn, want) == NULL)
            ADD(STI_SUBJECT_CN, "CN \"%s\" does not contain \"%s\"", cn, want);
        else if (strcmp(cn, want) != 0)
            ADD(STI_SUBJECT_CN_EXACT, "CN \"%s\" is not exactly \"%s\"", cn, want);
    } else {
        int shaken = strstr(cn, "SHAKEN") != NULL;
        int root = c->role != CLID_CERT_ROLE_ROOT || contains_nocase(cn, "root");
        if (!shaken || !root)
            ADD(STI_SUBJECT_CN_CA, "the %s's CN \"%s\" does not contain %s%s%s",
                clid_cert_role_name(c->role), cn, shaken ? "" : "\"SHAKEN\"",
                shaken || root ? "" : " and ", root ? "" : "\"ROOT\"");
    }
}

void clid__lint_sti(clid__lint *l, const clid__lint_cert *c)
{
    allowed_extensions(l, c);
    policies(l, c);
    tnauth(l, c);
    subject(l, c);
}
