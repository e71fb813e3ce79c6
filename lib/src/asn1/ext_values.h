/*
 * The C-side values of the certificate extension fields: the bottom of the
 * asn1 module. The value files (ext_tnauth.c, ext_jwtcc.c, ext_entity.c)
 * know nothing of DER; asn1_codec.c (asn1_codec.h) converts between the
 * asn1c types and these, and ext_der.c / ext_x509.c sit above the codec.
 */
#ifndef CLID_EXT_VALUES_H
#define CLID_EXT_VALUES_H

#include <clid/clid_ext.h>

#include "core/internal.h"

struct clid_tnauth_item {
    clid_tnauth_kind kind;
    char *value;
    uint64_t count;
};

struct clid_tnauth {
    struct clid_tnauth_item *items;
    size_t n;
    size_t cap;
};

struct clid_jwtcc_permitted {
    char *claim;
    clid_strlist values;
};

struct clid_jwtcc {
    clid_jwtcc_kind kind;
    clid_strlist must_include;
    clid_strlist must_exclude;
    struct clid_jwtcc_permitted *perm;
    size_t n_perm;
    size_t cap_perm;
};

struct clid_entity_plmn {
    char mcc[4];
    char mnc[4];
};

struct clid_entity {
    clid_entity_role role;
    clid_strlist countries;
    char *carrier;
    struct clid_entity_plmn plmn[CLID_ENTITY_MAX_LIST];
    size_t n_plmn;
    unsigned ispc[CLID_ENTITY_MAX_LIST];
    size_t n_ispc;
    char *operator_name;
};

/* Adders that take a length (decoded strings are not NUL-terminated C
 * strings until validated); the public adders call these with strlen. */
clid_err clid__tnauth_add(clid_tnauth *l, clid_tnauth_kind kind, const char *v, size_t len,
                          uint64_t count);
clid_err clid__jwtcc_add_name(clid_jwtcc *c, clid_strlist *list, const char *name, size_t len);
clid_err clid__jwtcc_add_permitted(clid_jwtcc *c, const char *claim, size_t claim_len,
                                   const char *value, size_t value_len);
clid_err clid__entity_add_country(clid_entity *e, const char *cc, size_t len);
clid_err clid__entity_set_carrier(clid_entity *e, const char *icc, size_t len);
clid_err clid__entity_add_plmn(clid_entity *e, const char *mcc, size_t mcc_len, const char *mnc,
                               size_t mnc_len);
clid_err clid__entity_set_operator_name(clid_entity *e, const char *name, size_t len);

#endif /* CLID_EXT_VALUES_H */
