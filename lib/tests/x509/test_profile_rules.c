/*
 * The certificate-profile rules (profile*.c, clid_lint.h), one certificate
 * per rule: a conforming SHAKEN chain (root, intermediate, SP) and a
 * conforming Q.3063-profile end entity, then for each rule a certificate
 * that differs from the conforming one by the one line that violates it,
 * and the lint must report exactly that rule on exactly that certificate.
 * Every rule of the table is covered (rules_all_covered).
 */
#include "support/clid_test.h"

#include <openssl/x509.h>

#include "support/lintpki.h"
#include "x509/profile.h"

#define T0 TP_T0
#define DAY TP_DAY

enum which { W_EE, W_INTER, W_ROOT };

/* The Q.3063-profile end entity: TNs of +44, an international gateway
 * listing country code 44, a direct CRL, no certificate policy. */
#define Q_EE_SUBJECT "/C=GB/O=Example Telecom/CN=gateway 1"
#define Q_EE_EXT LP_BC_EE LP_KU_EE LP_SKI LP_AKI LP_CRLDP_DIRECT
#define Q_TN "tn:442079460123,range:442079460000+1000"

static clid_entity *ent_gw44, *ent_transit, *ent_cc1, *ent_nocc;
static tp_cert *root, *inter;

typedef struct lint_case {
    const char *name;
    clid_cert_profile profile;
    enum which which;
    lp_spec spec;             /* the certificate at `which` */
    clid_entity **entity;     /* its SignallingEntity (for Q.3063 end entities) */
    const char *rule;         /* the one finding expected, NULL: none */
    size_t index;             /* on this certificate */
    int no_time;              /* lint without a time (validity.at not checked) */
} lint_case;

#define SH CLID_CERT_PROFILE_SHAKEN
#define QP CLID_CERT_PROFILE_Q3063
#define EE_SUBJ LP_SHAKEN_EE_SUBJECT
#define EE_EXT LP_SHAKEN_EE_EXT
#define IN_SUBJ LP_SHAKEN_INTER_SUBJECT
#define IN_EXT LP_SHAKEN_INTER_EXT
#define RT_SUBJ LP_SHAKEN_ROOT_SUBJECT
#define RT_EXT LP_SHAKEN_ROOT_EXT
/* A SHAKEN end entity with `ext` as its extensions. */
#define EE(ext_) {.subject = EE_SUBJ, .ext = (ext_)}
#define AKI_OTHER                                                                                 \
    "authorityKeyIdentifier=DER:30:16:80:14:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:"   \
    "12:13:14\n"
#define EE_BASE LP_BC_EE LP_KU_EE LP_SKI LP_AKI LP_CP LP_CRLDP /* no TNAuthList */

static const lint_case cases[] = {
    /* conforming chains */
    {"shaken conforming", SH, W_EE, EE(EE_EXT), NULL, NULL, 0, 0},
    {"q3063 conforming", QP, W_EE, {.subject = Q_EE_SUBJECT, .ext = Q_EE_EXT, .tnauth = Q_TN},
     &ent_gw44, NULL, 0, 0},
    {"q3063 conforming with a SPC only", QP, W_EE,
     {.subject = Q_EE_SUBJECT, .ext = Q_EE_EXT LP_SPC}, &ent_gw44, NULL, 0, 0},

    /* version, serial, algorithms */
    {"v2 certificate", SH, W_EE, {.subject = EE_SUBJ, .ext = EE_EXT, .version = 2}, NULL,
     "cert.version", 0, 0},
    {"serial zero", SH, W_EE, {.subject = EE_SUBJ, .ext = EE_EXT, .serial = "00"}, NULL,
     "serial.positive", 0, 0},
    {"serial negative", SH, W_EE,
     {.subject = EE_SUBJ, .ext = EE_EXT, .serial = "-4142434445464748"}, NULL, "serial.positive",
     0, 0},
    {"serial of 21 octets", SH, W_EE,
     {.subject = EE_SUBJ,
      .ext = EE_EXT,
      .serial = "414141414141414141414141414141414141414141"},
     NULL, "serial.length", 0, 0},
    {"serial of 7 octets", SH, W_EE,
     {.subject = EE_SUBJ, .ext = EE_EXT, .serial = "41424344454647"}, NULL, "serial.entropy", 0,
     0},
    {"serial from a counter", SH, W_EE,
     {.subject = EE_SUBJ, .ext = EE_EXT, .serial = "733EE4AB00000002"}, NULL,
     "serial.sequential", 0, 0},
    {"ecdsa-with-SHA384", SH, W_EE, {.subject = EE_SUBJ, .ext = EE_EXT, .sha384 = 1}, NULL,
     "sig.alg", 0, 0},
    {"P-384 key", SH, W_EE, {.subject = EE_SUBJ, .ext = EE_EXT, .key = LP_KEY_P384}, NULL,
     "key.alg", 0, 0},
    {"RSA key", SH, W_EE, {.subject = EE_SUBJ, .ext = EE_EXT, .key = LP_KEY_RSA}, NULL,
     "key.alg", 0, 0},

    /* extensions in general */
    {"TNAuthList twice", SH, W_EE, {.subject = EE_SUBJ, .ext = EE_EXT, .dup_oid = LP_TNAUTH},
     NULL, "ext.duplicate", 0, 0},
    {"unknown critical extension", SH, W_EE, EE(EE_EXT "1.2.3.4=critical,DER:05:00\n"), NULL,
     "ext.unknown-critical", 0, 0},
    {"BER TNAuthList", SH, W_EE,
     EE(EE_BASE LP_TNAUTH "=DER:30:81:08:A0:06:16:04:37:30:39:4A\n"), NULL, "ext.decode", 0, 0},
    {"unknown extension in SHAKEN", SH, W_EE, EE(EE_EXT "1.2.3.4=DER:05:00\n"), NULL,
     "sti.ext.allowed", 0, 0},
    {"SignallingEntity in SHAKEN", SH, W_EE, EE(EE_EXT), &ent_gw44, "sti.ext.allowed", 0, 0},
    {"unknown extension in Q.3063", QP, W_EE,
     {.subject = Q_EE_SUBJECT, .ext = Q_EE_EXT "1.2.3.4=DER:05:00\n", .tnauth = Q_TN}, &ent_gw44,
     "q3063.ext.allowed", 0, 0},

    /* basicConstraints */
    {"no basicConstraints", SH, W_EE, EE(LP_KU_EE LP_SKI LP_AKI LP_CP LP_CRLDP LP_SPC), NULL,
     "bc.present", 0, 0},
    {"basicConstraints not critical", SH, W_EE,
     EE("basicConstraints=CA:FALSE\n" LP_KU_EE LP_SKI LP_AKI LP_CP LP_CRLDP LP_SPC), NULL,
     "bc.critical", 0, 0},
    {"intermediate without cA", SH, W_INTER,
     {.subject = IN_SUBJ, .ext = LP_BC_EE LP_KU_CA LP_SKI LP_AKI LP_CP LP_CRLDP}, NULL, "bc.ca",
     1, 0},
    {"end entity with pathLenConstraint", SH, W_EE,
     EE("basicConstraints=critical,DER:30:03:02:01:00\n" LP_KU_EE LP_SKI LP_AKI LP_CP LP_CRLDP
            LP_SPC),
     NULL, "bc.pathlen", 0, 0},

    /* keyUsage */
    {"no keyUsage", SH, W_EE, EE(LP_BC_EE LP_SKI LP_AKI LP_CP LP_CRLDP LP_SPC), NULL,
     "ku.present", 0, 0},
    {"keyUsage not critical", SH, W_EE,
     EE(LP_BC_EE "keyUsage=digitalSignature\n" LP_SKI LP_AKI LP_CP LP_CRLDP LP_SPC), NULL,
     "ku.critical", 0, 0},
    {"end entity with nonRepudiation", SH, W_EE,
     EE(LP_BC_EE "keyUsage=critical,digitalSignature,nonRepudiation\n" LP_SKI LP_AKI LP_CP
            LP_CRLDP LP_SPC),
     NULL, "ku.ee", 0, 0},
    {"intermediate without keyCertSign", SH, W_INTER,
     {.subject = IN_SUBJ,
      .ext = LP_BC_CA "keyUsage=critical,cRLSign\n" LP_SKI LP_AKI LP_CP LP_CRLDP},
     NULL, "ku.ca", 1, 0},
    {"intermediate with keyEncipherment", SH, W_INTER,
     {.subject = IN_SUBJ,
      .ext = LP_BC_CA "keyUsage=critical,keyCertSign,keyEncipherment\n" LP_SKI LP_AKI LP_CP
          LP_CRLDP},
     NULL, "ku.ca", 1, 0},
    {"intermediate with cRLSign", SH, W_INTER,
     {.subject = IN_SUBJ,
      .ext = LP_BC_CA "keyUsage=critical,keyCertSign,cRLSign\n" LP_SKI LP_AKI LP_CP LP_CRLDP},
     NULL, "sti.ku.ca-single", 1, 0},
    {"intermediate with cRLSign in Q.3063", QP, W_INTER,
     {.subject = IN_SUBJ,
      .ext = LP_BC_CA "keyUsage=critical,keyCertSign,cRLSign\n" LP_SKI LP_AKI LP_CP LP_CRLDP},
     NULL, NULL, 0, 0},
    {"keyUsage not DER", SH, W_EE,
     EE(LP_BC_EE "keyUsage=critical,DER:03:02:00:80\n" LP_SKI LP_AKI LP_CP LP_CRLDP LP_SPC), NULL,
     "ku.der", 0, 0},

    /* key identifiers */
    {"no subjectKeyIdentifier", SH, W_EE, EE(LP_BC_EE LP_KU_EE LP_AKI LP_CP LP_CRLDP LP_SPC),
     NULL, "ski.present", 0, 0},
    {"subjectKeyIdentifier of 8 octets", SH, W_EE,
     EE(LP_BC_EE LP_KU_EE "subjectKeyIdentifier=0102030405060708\n" LP_AKI LP_CP LP_CRLDP LP_SPC),
     NULL, "ski.sha1", 0, 0},
    {"subjectKeyIdentifier not the key's hash", SH, W_EE,
     EE(LP_BC_EE LP_KU_EE "subjectKeyIdentifier=0102030405060708090A0B0C0D0E0F1011121314\n" LP_AKI
            LP_CP LP_CRLDP LP_SPC),
     NULL, "ski.sha1", 0, 0},
    {"subjectKeyIdentifier critical", SH, W_EE,
     EE(LP_BC_EE LP_KU_EE "subjectKeyIdentifier=critical,hash\n" LP_AKI LP_CP LP_CRLDP LP_SPC),
     NULL, "ski.critical", 0, 0},
    {"no authorityKeyIdentifier", SH, W_EE, EE(LP_BC_EE LP_KU_EE LP_SKI LP_CP LP_CRLDP LP_SPC),
     NULL, "aki.present", 0, 0},
    {"authorityKeyIdentifier without keyIdentifier", SH, W_EE,
     EE(LP_BC_EE LP_KU_EE LP_SKI "authorityKeyIdentifier=issuer:always\n" LP_CP LP_CRLDP LP_SPC),
     NULL, "aki.keyid", 0, 0},
    {"authorityKeyIdentifier of another key", SH, W_EE,
     EE(LP_BC_EE LP_KU_EE LP_SKI AKI_OTHER LP_CP LP_CRLDP LP_SPC), NULL, "aki.match", 0, 0},
    {"root's authorityKeyIdentifier not its own", SH, W_ROOT,
     {.subject = RT_SUBJ, .ext = RT_EXT AKI_OTHER}, NULL, "aki.match", 2, 0},
    {"authorityKeyIdentifier critical", SH, W_EE,
     EE(LP_BC_EE LP_KU_EE LP_SKI "authorityKeyIdentifier=critical,keyid:always\n" LP_CP LP_CRLDP
            LP_SPC),
     NULL, "aki.critical", 0, 0},

    /* certificate policies */
    {"no certificatePolicies", SH, W_EE, EE(LP_BC_EE LP_KU_EE LP_SKI LP_AKI LP_CRLDP LP_SPC),
     NULL, "sti.policy", 0, 0},
    {"two certificate policies", SH, W_EE,
     EE(LP_BC_EE LP_KU_EE LP_SKI LP_AKI
        "certificatePolicies=2.16.840.1.114569.1.1.4,2.16.840.1.114569.1.1.3\n" LP_CRLDP LP_SPC),
     NULL, "sti.policy", 0, 0},
    {"certificatePolicies critical", SH, W_EE,
     EE(LP_BC_EE LP_KU_EE LP_SKI LP_AKI "certificatePolicies=critical,2.16.840.1.114569.1.1.4\n"
            LP_CRLDP LP_SPC),
     NULL, "sti.policy", 0, 0},
    {"root with certificatePolicies", SH, W_ROOT, {.subject = RT_SUBJ, .ext = RT_EXT LP_CP},
     NULL, "sti.policy.root", 2, 0},

    /* CRL distribution points */
    {"no CRL distribution points", SH, W_EE, EE(LP_BC_EE LP_KU_EE LP_SKI LP_AKI LP_CP LP_SPC),
     NULL, "crldp.present", 0, 0},
    {"intermediate without CRL distribution points", SH, W_INTER,
     {.subject = IN_SUBJ, .ext = LP_BC_CA LP_KU_CA LP_SKI LP_AKI LP_CP}, NULL, "crldp.present", 1,
     0},
    {"two distribution points", SH, W_EE,
     EE(LP_BC_EE LP_KU_EE LP_SKI LP_AKI LP_CP "crlDistributionPoints=lp_crldp,lp_crldp\n" LP_SPC),
     NULL, "crldp.form", 0, 0},
    {"an ldap distribution point", SH, W_EE,
     EE(LP_BC_EE LP_KU_EE LP_SKI LP_AKI LP_CP "crlDistributionPoints=lp_crldp_ldap\n" LP_SPC),
     NULL, "crldp.form", 0, 0},
    {"no cRLIssuer", SH, W_EE,
     EE(LP_BC_EE LP_KU_EE LP_SKI LP_AKI LP_CP LP_CRLDP_DIRECT LP_SPC), NULL, "sti.crldp.issuer", 0,
     0},
    {"root with CRL distribution points", SH, W_ROOT,
     {.subject = RT_SUBJ, .ext = RT_EXT LP_CRLDP}, NULL, "crldp.root", 2, 0},
    {"no CRL distribution points in Q.3063", QP, W_EE,
     {.subject = Q_EE_SUBJECT, .ext = LP_BC_EE LP_KU_EE LP_SKI LP_AKI, .tnauth = Q_TN}, &ent_gw44,
     "crldp.present", 0, 0},

    /* TNAuthList */
    {"no TNAuthList", SH, W_EE, EE(EE_BASE), NULL, "tnauth.present", 0, 0},
    {"TNAuthList critical", SH, W_EE,
     EE(EE_BASE LP_TNAUTH "=critical,DER:30:08:A0:06:16:04:37:30:39:4A\n"), NULL,
     "tnauth.critical", 0, 0},
    {"SPC and a TN", SH, W_EE,
     {.subject = EE_SUBJ, .ext = EE_BASE, .tnauth = "spc:709J,tn:12025550100"},
     NULL, "sti.tnauth.spc", 0, 0},
    {"lower-case SPC", SH, W_EE,
     {.subject = "/C=US/O=Example Telecom/CN=SHAKEN 709j", .ext = EE_BASE, .tnauth = "spc:709j"},
     NULL, "sti.tnauth.spc-format", 0, 0},
    {"intermediate with a TNAuthList", SH, W_INTER,
     {.subject = IN_SUBJ, .ext = IN_EXT, .tnauth = "spc:709J"}, NULL, "sti.tnauth.ca", 1, 0},
    {"no TNAuthList in Q.3063", QP, W_EE, {.subject = Q_EE_SUBJECT, .ext = Q_EE_EXT}, &ent_gw44,
     "tnauth.present", 0, 0},
    {"delegate beyond its SP CA", QP, W_INTER,
     {.subject = IN_SUBJ, .ext = IN_EXT, .tnauth = "range:442079460000+100"}, NULL,
     "q3063.tnauth.delegation", 0, 0},
    {"delegate within its SP CA", QP, W_INTER,
     {.subject = IN_SUBJ, .ext = IN_EXT, .tnauth = "range:442079400000+100000"}, NULL, NULL, 0,
     0},

    /* SignallingEntity */
    {"no SignallingEntity", QP, W_EE, {.subject = Q_EE_SUBJECT, .ext = Q_EE_EXT, .tnauth = Q_TN},
     NULL, "q3063.entity.present", 0, 0},
    {"SignallingEntity critical", QP, W_EE,
     {.subject = Q_EE_SUBJECT, .ext = Q_EE_EXT, .tnauth = Q_TN, .entity_critical = 1}, &ent_gw44,
     "q3063.entity.critical", 0, 0},
    {"intermediate with a SignallingEntity", QP, W_INTER, {.subject = IN_SUBJ, .ext = IN_EXT},
     &ent_gw44, "q3063.entity.ca", 1, 0},
    {"a transit entity signs", QP, W_EE,
     {.subject = Q_EE_SUBJECT, .ext = Q_EE_EXT, .tnauth = "tn:442079460123"}, &ent_transit,
     "q3063.entity.role", 0, 0},
    {"TNs outside the country codes", QP, W_EE,
     {.subject = Q_EE_SUBJECT, .ext = Q_EE_EXT, .tnauth = Q_TN}, &ent_cc1, "q3063.entity.country",
     0, 0},
    {"range running out of the country code", QP, W_EE,
     {.subject = Q_EE_SUBJECT, .ext = Q_EE_EXT, .tnauth = "range:449999999990+20"}, &ent_gw44,
     "q3063.entity.country", 0, 0},
    {"no country code", QP, W_EE, {.subject = Q_EE_SUBJECT, .ext = Q_EE_EXT, .tnauth = Q_TN},
     &ent_nocc, "q3063.entity.country-any", 0, 0},

    /* subject names */
    {"no C", SH, W_EE, {.subject = "/O=Example Telecom/CN=SHAKEN 709J", .ext = EE_EXT}, NULL,
     "sti.subject.dn", 0, 0},
    {"lower-case C", SH, W_EE, {.subject = "/C=us/O=Example Telecom/CN=SHAKEN 709J", .ext = EE_EXT},
     NULL, "sti.subject.dn", 0, 0},
    {"CN without SHAKEN SPC", SH, W_EE,
     {.subject = "/C=US/O=Example Telecom/CN=Example 709J", .ext = EE_EXT}, NULL,
     "sti.subject.cn", 0, 0},
    {"CN with more than SHAKEN SPC", SH, W_EE,
     {.subject = "/C=US/O=Example Telecom/CN=Example SHAKEN 709J", .ext = EE_EXT}, NULL,
     "sti.subject.cn-exact", 0, 0},
    {"intermediate CN without SHAKEN", SH, W_INTER,
     {.subject = "/C=US/O=Example STI-CA/CN=Example Intermediate", .ext = IN_EXT}, NULL,
     "sti.subject.cn-ca", 1, 0},
    {"root CN without ROOT", SH, W_ROOT,
     {.subject = "/C=US/O=Example STI-CA/CN=Example SHAKEN CA", .ext = RT_EXT}, NULL,
     "sti.subject.cn-ca", 2, 0},
    {"an OU", SH, W_EE,
     {.subject = "/C=US/O=Example Telecom/OU=Voice/CN=SHAKEN 709J", .ext = EE_EXT},
     NULL, "sti.subject.rdn", 0, 0},
    {"no CN in Q.3063", QP, W_EE,
     {.subject = "/C=GB/O=Example Telecom", .ext = Q_EE_EXT, .tnauth = Q_TN},
     &ent_gw44, "q3063.subject.cn", 0, 0},

    /* validity */
    {"notBefore after notAfter", SH, W_EE,
     {.subject = EE_SUBJ, .ext = EE_EXT, .not_before = T0 + 10 * DAY, .not_after = T0 - 10 * DAY},
     NULL, "validity.range", 0, 1},
    {"GeneralizedTime in 2025", SH, W_EE,
     {.subject = EE_SUBJ, .ext = EE_EXT, .not_before_str = "20251202000000Z"}, NULL,
     "validity.encoding", 0, 0},
    {"valid beyond its issuer", SH, W_EE,
     {.subject = EE_SUBJ, .ext = EE_EXT, .not_before = T0 - DAY, .not_after = T0 + 400 * DAY},
     NULL, "validity.issuer", 0, 0},
    {"expired", SH, W_EE,
     {.subject = EE_SUBJ, .ext = EE_EXT, .not_before = T0 - 20 * DAY, .not_after = T0 - DAY},
     NULL, "validity.at", 0, 0},
    {"not yet valid", SH, W_EE,
     {.subject = EE_SUBJ, .ext = EE_EXT, .not_before = T0 + DAY, .not_after = T0 + 20 * DAY},
     NULL, "validity.at", 0, 0},
};

/* ------------------------------------------------------------------------ */
/* Fixture                                                                   */
/* ------------------------------------------------------------------------ */

static clid_entity *entity(clid_entity_role role, const char *cc)
{
    clid_entity *e = NULL;
    assert_ok(clid_entity_new(role, &e));
    if (cc != NULL)
        assert_ok(clid_entity_add_country(e, cc));
    return e;
}

static int setup(void **state)
{
    (void)state;
    lp_shaken_chain(&root, &inter, NULL);
    ent_gw44 = entity(CLID_ROLE_INTERNATIONAL_GATEWAY, "44");
    ent_transit = entity(CLID_ROLE_TRANSIT, "44");
    ent_cc1 = entity(CLID_ROLE_ORIGINATING_GATEWAY, "1");
    ent_nocc = entity(CLID_ROLE_ORIGINATING_GATEWAY, NULL);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tp_free(root);
    tp_free(inter);
    clid_entity_free(ent_gw44);
    clid_entity_free(ent_transit);
    clid_entity_free(ent_cc1);
    clid_entity_free(ent_nocc);
    return 0;
}

/* Prints every finding of `r` (on failure, to show what was found). */
static void dump(const char *name, const clid_lint_report *r)
{
    for (size_t i = 0; i < clid_lint_count(r); i++) {
        clid_lint_finding f;
        assert_ok(clid_lint_get(r, i, &f));
        print_message("  %s: [%zu] %s %s: %s\n", name, f.cert_index,
                      clid_lint_severity_name(f.severity), f.rule, f.message);
    }
}

/* Builds the case's chain [ee, inter, root], the case's certificate at its
 * place (and those below it issued by it), lints it, checks the findings. */
static void run_case(const lint_case *k)
{
    lp_spec s = k->spec;
    s.entity = k->entity ? *k->entity : NULL;
    tp_cert *rt = root, *in = inter, *ee = NULL;
    tp_cert *own_rt = NULL, *own_in = NULL;
    if (k->which == W_ROOT) {
        rt = own_rt = lp_issue(&s, NULL);
        in = own_in = lp_issue(&(lp_spec){.subject = IN_SUBJ, .ext = IN_EXT}, rt);
    } else if (k->which == W_INTER) {
        in = own_in = lp_issue(&s, rt);
    }
    if (k->which == W_EE) {
        ee = lp_issue(&s, in);
    } else if (k->profile == QP) {
        ee = lp_issue(&(lp_spec){.subject = Q_EE_SUBJECT, .ext = Q_EE_EXT, .tnauth = Q_TN,
                                 .entity = ent_gw44},
                      in);
    } else {
        ee = lp_issue(&(lp_spec){.subject = EE_SUBJ, .ext = EE_EXT}, in);
    }

    X509 *chain[3] = {ee->x, in->x, rt->x};
    clid_lint_report *r = NULL;
    assert_ok(clid_lint_report_new(&r));
    assert_ok(clid_lint_chain(r, k->profile, chain, 3, k->no_time ? 0 : T0));
    size_t want = k->rule ? 1 : 0;
    if (clid_lint_count(r) != want) {
        print_message("%s: %zu findings, expected %s\n", k->name, clid_lint_count(r),
                      k->rule ? k->rule : "none");
        dump(k->name, r);
        fail();
    }
    if (k->rule != NULL) {
        clid_lint_finding f;
        assert_ok(clid_lint_get(r, 0, &f));
        if (strcmp(f.rule, k->rule) != 0 || f.cert_index != k->index) {
            print_message("%s: expected %s on certificate %zu\n", k->name, k->rule, k->index);
            dump(k->name, r);
            fail();
        }
        assert_non_null(f.clause);
        assert_true(strlen(f.message) > 0);
    }
    clid_lint_report_free(r);
    tp_free(ee);
    tp_free(own_in);
    tp_free(own_rt);
}

/* ------------------------------------------------------------------------ */
/* Tests                                                                     */
/* ------------------------------------------------------------------------ */

static void each_rule_alone(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        run_case(&cases[i]);
}

/* Every rule of the table has a case above that violates it alone. */
static void rules_all_covered(void **state)
{
    (void)state;
    for (size_t i = 0; i < clid_lint_rule_count(); i++) {
        clid_lint_rule rule;
        assert_ok(clid_lint_rule_get(i, &rule));
        int found = 0;
        for (size_t k = 0; k < sizeof cases / sizeof cases[0] && !found; k++)
            found = cases[k].rule && strcmp(cases[k].rule, rule.id) == 0;
        /* chain.order needs two certificates that do not chain: its own test. */
        if (!found && strcmp(rule.id, "chain.order") != 0) {
            print_message("rule %s has no case\n", rule.id);
            fail();
        }
    }
}

/* A leaf whose issuer is not the next certificate. */
static void chain_order(void **state)
{
    (void)state;
    tp_cert *ee = lp_issue(&(lp_spec){.subject = EE_SUBJ, .ext = EE_EXT}, inter);
    tp_cert *other = lp_issue(
        &(lp_spec){.subject = "/C=US/O=Example STI-CA/CN=Other SHAKEN Intermediate",
                   .ext = IN_EXT},
        root);
    X509 *chain[3] = {ee->x, other->x, root->x};
    clid_lint_report *r = NULL;
    assert_ok(clid_lint_report_new(&r));
    assert_ok(clid_lint_chain(r, SH, chain, 3, T0));
    if (clid_lint_count(r) != 1)
        dump("chain order", r);
    assert_int_equal(clid_lint_count(r), 1);
    clid_lint_finding f;
    assert_ok(clid_lint_get(r, 0, &f));
    assert_string_equal(f.rule, "chain.order");
    assert_int_equal(f.cert_index, 0);
    assert_int_equal(clid_lint_error_count(r), 1);
    assert_int_equal(clid_lint_warning_count(r), 0);
    clid_lint_report_free(r);
    tp_free(ee);
    tp_free(other);
}

/* The verifier's view: the leaf is the signer, so a CA certificate there is
 * an end entity with cA TRUE (bc.ca), and certificates after n_lint are
 * only issuers. */
static void signer_with_ca_flag(void **state)
{
    (void)state;
    X509 *chain[2] = {inter->x, root->x};
    clid_lint_report *r = NULL;
    assert_ok(clid_lint_report_new(&r));
    assert_ok(clid__lint_run(r, SH, chain, 2, 1, 1, 0));
    assert_int_equal(clid_lint_cert_count(r), 1);
    assert_int_equal(clid_lint_cert_role(r, 0), CLID_CERT_ROLE_END_ENTITY);
    int seen = 0;
    for (size_t i = 0; i < clid_lint_count(r); i++) {
        clid_lint_finding f;
        assert_ok(clid_lint_get(r, i, &f));
        assert_int_equal(f.cert_index, 0);
        seen |= strcmp(f.rule, "bc.ca") == 0;
    }
    assert_true(seen);
    /* The same chain linted as a file: an intermediate and a root, clean. */
    assert_ok(clid_lint_chain(r, SH, chain, 2, T0));
    dump("inter+root", r);
    assert_int_equal(clid_lint_count(r), 0);
    assert_int_equal(clid_lint_cert_role(r, 0), CLID_CERT_ROLE_INTERMEDIATE);
    assert_int_equal(clid_lint_cert_role(r, 1), CLID_CERT_ROLE_ROOT);
    clid_lint_report_free(r);
}

/* A conforming SHAKEN chain is not a Q.3063 one, and the reverse: the
 * profile-specific rules say why, the shared ones stay quiet. */
static void profiles_differ(void **state)
{
    (void)state;
    tp_cert *sp = lp_issue(&(lp_spec){.subject = EE_SUBJ, .ext = EE_EXT}, inter);
    tp_cert *gw = lp_issue(&(lp_spec){.subject = Q_EE_SUBJECT, .ext = Q_EE_EXT, .tnauth = Q_TN,
                                      .entity = ent_gw44},
                           inter);
    clid_lint_report *r = NULL;
    assert_ok(clid_lint_report_new(&r));
    X509 *c1[2] = {sp->x, inter->x};
    assert_ok(clid_lint_chain(r, QP, c1, 2, T0));
    assert_int_equal(clid_lint_count(r), 1);
    clid_lint_finding f;
    assert_ok(clid_lint_get(r, 0, &f));
    assert_string_equal(f.rule, "q3063.entity.present");

    X509 *c2[2] = {gw->x, inter->x};
    assert_ok(clid_lint_chain(r, SH, c2, 2, T0));
    const char *want[] = {"sti.ext.allowed", "sti.policy", "sti.crldp.issuer", "sti.tnauth.spc"};
    assert_int_equal(clid_lint_count(r), 4);
    for (size_t i = 0; i < 4; i++) {
        assert_ok(clid_lint_get(r, i, &f));
        assert_string_equal(f.rule, want[i]); /* in the order of the rule table */
        assert_int_equal(f.severity, CLID_LINT_ERROR);
    }
    assert_ok(clid_lint_get(r, 0, &f));
    assert_non_null(strstr(f.message, "Q.3063-profile"));
    assert_int_equal(clid_lint_error_count(r), 4);
    clid_lint_report_free(r);
    tp_free(sp);
    tp_free(gw);
}

/* Certificate text in messages and subjects is printable ASCII. */
static void messages_are_printable(void **state)
{
    (void)state;
    tp_cert *ee = lp_issue(
        &(lp_spec){.subject = "/C=US/O=Example Telecom/CN=SHAKEN 709J \x1b[31m\xc3\xa9",
                   .ext = EE_EXT},
        inter);
    X509 *chain[2] = {ee->x, inter->x};
    clid_lint_report *r = NULL;
    assert_ok(clid_lint_report_new(&r));
    assert_ok(clid_lint_chain(r, SH, chain, 2, T0));
    assert_int_equal(clid_lint_count(r), 1);
    clid_lint_finding f;
    assert_ok(clid_lint_get(r, 0, &f));
    assert_string_equal(f.rule, "sti.subject.cn-exact");
    for (const char *s = f.message; *s; s++)
        assert_true(*s >= 0x20 && *s < 0x7f);
    for (const char *s = f.subject; *s; s++)
        assert_true(*s >= 0x20 && *s < 0x7f);
    assert_non_null(strstr(f.message, "\\x1B[31m\\xC3\\xA9"));
    clid_lint_report_free(r);
    tp_free(ee);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_rule_alone),        cmocka_unit_test(rules_all_covered),
        cmocka_unit_test(chain_order),            cmocka_unit_test(signer_with_ca_flag),
        cmocka_unit_test(profiles_differ),        cmocka_unit_test(messages_are_printable),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
