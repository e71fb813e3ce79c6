/*
 * The rules of clid's Q.3063 profile only (profile_rules.h, marked Q;
 * docs/q3063-profile.md §4): the extensions it allows, RFC 9060 delegation
 * of TNAuthLists, and the SignallingEntity of the end entity, which must be
 * present, non-critical, of a role that signs, and consistent with the
 * TNAuthList: the listed country codes must cover every TN and range
 * (Q.3063 §8.1: the outgoing SSGW vouches for the CLIs of its own
 * countries; clid's verifier refuses a caller outside them).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/objects.h>

#include "x509/profile.h"

#define ADD(rule, ...) clid__lint_add(l, c, CLID__R_##rule, __VA_ARGS__)

static int q3063_extension(X509_EXTENSION *ext, const char *oid)
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
        return strcmp(oid, CLID_OID_TNAUTHLIST) == 0 ||
               strcmp(oid, CLID_OID_SIGNALLING_ENTITY) == 0 ||
               strcmp(oid, CLID_OID_JWT_CLAIM_CONSTRAINTS) == 0 ||
               strcmp(oid, CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS) == 0;
    }
}

static void allowed_extensions(clid__lint *l, const clid__lint_cert *c)
{
    char oid[128];
    for (int i = 0; i < X509_get_ext_count(c->x); i++) {
        X509_EXTENSION *ext = X509_get_ext(c->x, i);
        clid__lint_oid(ext, oid, sizeof oid);
        if (q3063_extension(ext, oid))
            continue;
        if (X509_EXTENSION_get_critical(ext) > 0 && !clid__lint_ext_processed(ext, c->role))
            continue; /* ext.unknown-critical */
        int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
        ADD(Q_EXT_ALLOWED, "extension %s%s%s%s is not one of the profile's", oid,
            nid != NID_undef ? " (" : "", nid != NID_undef ? OBJ_nid2sn(nid) : "",
            nid != NID_undef ? ")" : "");
    }
}

static void delegation(clid__lint *l, const clid__lint_cert *c)
{
    if (c->tnauth == NULL || c->issuer == NULL || c->issuer == c->x)
        return;
    const clid__lint_cert *issuer = &l->certs[c->index + 1]; /* c->issuer is the next one */
    /* An SPC entry of the issuer covers only the same SPC (as `clid ca`
     * checks delegates), so the result holds under either TN policy. */
    if (issuer->tnauth != NULL && !clid_tnauth_encompasses(issuer->tnauth, c->tnauth, 0))
        ADD(Q_TNAUTH_DELEGATION, "TNAuthList is not within that of its issuer, certificate %zu",
            issuer->index);
}

/* Whether the number `tn` begins with one of the entity's country codes;
 * that code, or NULL. */
static const char *country_of(const clid_entity *e, const char *tn)
{
    for (size_t i = 0; i < clid_entity_country_count(e); i++) {
        const char *cc = clid_entity_country(e, i);
        if (strncmp(tn, cc, strlen(cc)) == 0)
            return cc;
    }
    return NULL;
}

/* The last number of a range, with the width of `start` (the codec
 * guarantees it keeps that width); 0 when it cannot be written. */
static int range_last(const char *start, uint64_t count, char *out, size_t cap)
{
    size_t len = strlen(start);
    if (count == 0 || len == 0 || len >= cap || strspn(start, "0123456789") != len)
        return 0;
    uint64_t v = strtoull(start, NULL, 10);
    int n = snprintf(out, cap, "%0*" PRIu64, (int)len, v + (count - 1));
    return n > 0 && (size_t)n == len;
}

/* The first TNAuthList entry (TN or range) the country codes do not cover,
 * written into buf; NULL when they all are. A range is covered when its
 * first and last numbers begin with the same code: same-length numbers
 * with one prefix form one interval, so every number between does too. */
static const char *uncovered(const clid_tnauth *l, const clid_entity *e, char *buf, size_t cap,
                             size_t *count)
{
    const char *first = NULL;
    *count = 0;
    for (size_t i = 0; i < clid_tnauth_count(l); i++) {
        clid_tnauth_entry te;
        if (clid_tnauth_get(l, i, &te) != CLID_OK || te.kind == CLID_TNAUTH_SPC)
            continue;
        char last[32];
        const char *cc = country_of(e, te.value);
        int ok = cc != NULL;
        if (ok && te.kind == CLID_TNAUTH_RANGE)
            ok = range_last(te.value, te.count, last, sizeof last) && country_of(e, last) == cc;
        if (ok)
            continue;
        if ((*count)++ == 0) {
            if (te.kind == CLID_TNAUTH_RANGE)
                (void)snprintf(buf, cap, "range %s count %" PRIu64, te.value, te.count);
            else
                (void)snprintf(buf, cap, "TN %s", te.value);
            first = buf;
        }
    }
    return first;
}

static void entity(clid__lint *l, const clid__lint_cert *c)
{
    int present = c->entity_err != CLID_ERR_EXT_ABSENT;
    if (present && c->entity_critical)
        ADD(Q_ENTITY_CRITICAL, "SignallingEntity is critical");
    if (c->role != CLID_CERT_ROLE_END_ENTITY) {
        if (present)
            ADD(Q_ENTITY_CA, "the %s has a SignallingEntity", clid_cert_role_name(c->role));
        return;
    }
    if (!present) {
        ADD(Q_ENTITY_PRESENT, "the end entity has no SignallingEntity");
        return;
    }
    if (c->entity == NULL)
        return; /* ext.decode */
    clid_entity_role role = clid_entity_get_role(c->entity);
    if (role != CLID_ROLE_ORIGINATING_GATEWAY && role != CLID_ROLE_INTERNATIONAL_GATEWAY)
        ADD(Q_ENTITY_ROLE, "role %s does not sign calls (originating-gateway and "
            "international-gateway do)", clid_entity_role_name(role));
    if (clid_entity_country_count(c->entity) == 0) {
        ADD(Q_ENTITY_COUNTRY_ANY, "SignallingEntity lists no country code");
        return;
    }
    char what[96];
    size_t n = 0;
    if (c->tnauth != NULL && uncovered(c->tnauth, c->entity, what, sizeof what, &n) != NULL)
        ADD(Q_ENTITY_COUNTRY, "%s%s is not within the SignallingEntity's country codes", what,
            n > 1 ? " (and more entries)" : "");
}

static void subject(clid__lint *l, const clid__lint_cert *c)
{
    if (X509_NAME_get_index_by_NID(X509_get_subject_name(c->x), NID_commonName, -1) < 0)
        ADD(Q_SUBJECT_CN, "the subject has no CN");
}

void clid__lint_q3063(clid__lint *l, const clid__lint_cert *c)
{
    allowed_extensions(l, c);
    delegation(l, c);
    entity(l, c);
    subject(l, c);
}
