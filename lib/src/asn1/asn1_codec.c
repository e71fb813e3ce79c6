/*
 * The bridge between clid's extension values and the asn1c-generated codec.
 * This is the only file that includes generated headers (they leak macros
 * and a static ASN_DEBUG into any includer: deps notes §1.3).
 *
 * Decoding is strict DER (deps notes §1.5): ber_decode accepts BER, so a
 * value is accepted only if it decodes completely (RC_OK, every byte
 * consumed), re-encodes to exactly the input bytes (but for X.680
 * extension additions at the end of an extensible SEQUENCE, which this
 * version skips as X.680 asks, each itself checked to be DER:
 * der_struct.h), passes the constraints, and has non-empty lists (asn1c
 * skips those checks: A3).
 *
 * asn1c runs with -fwide-types (asn1/CMakeLists.txt): an INTEGER without an
 * upper bound (TelephoneNumberRange.count) decodes into an INTEGER_t of any
 * size instead of failing in a C long, so that a count far beyond 2^63 is
 * reported as the range error it is (CLID_ERR_BAD_RANGE), not as bytes that
 * are no encoding of the type.
 *
 * The runtime mutates type descriptors on first use (A5). prime() runs
 * every code path over every type once under pthread_once before any other
 * use, after which concurrent use is race-free (verified with TSan in the
 * deps notes; our thread test re-checks it).
 */
#define ASN_DEBUG(...) ((void)0) /* A5: must precede the generated headers */

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "asn1/asn1_codec.h"
#include "asn1/clitoken_codec.h"
#include "asn1/der_struct.h"

#include "EnhancedJWTClaimConstraints.h"
#include "JWTClaimConstraints.h"
#include "JWTClaimPermittedValues.h"
#include "JWTClaimPermittedValuesList.h"
#include "JWTClaimValues.h"
#include "JWTClaimValuesList.h"
#include "MobileNetwork.h"
#include "SignallingEntity.h"
#include "TNAuthorizationList.h"

/* ------------------------------------------------------------------------ */
/* Generic strict DER encode / decode                                        */
/* ------------------------------------------------------------------------ */

static void free_value(asn_TYPE_descriptor_t *td, void *v)
{
    if (v != NULL)
        td->free_struct(td, v, 0);
}

/* asn1c's DER of `v` into a malloc'd buffer; `fail` when asn1c cannot
 * encode it. */
static clid_err der_of(asn_TYPE_descriptor_t *td, void *v, clid_err fail, uint8_t **der,
                       size_t *len)
{
    asn_enc_rval_t er = der_encode(td, v, NULL, NULL);
    if (er.encoded < 0)
        return fail;
    size_t n = (size_t)er.encoded;
    uint8_t *buf = malloc(n ? n : 1);
    if (buf == NULL)
        return CLID_ERR_NOMEM;
    er = der_encode_to_buffer(td, v, buf, n);
    if (er.encoded < 0 || (size_t)er.encoded != n) {
        free(buf);
        return CLID_ERR_INTERNAL;
    }
    *der = buf;
    *len = n;
    return CLID_OK;
}

static clid_err encode_value(asn_TYPE_descriptor_t *td, void *v, uint8_t **der, size_t *len)
{
    if (asn_check_constraints(td, v, NULL, NULL) != 0)
        return CLID_ERR_DER_CONSTRAINT;
    return der_of(td, v, CLID_ERR_DER_CONSTRAINT, der, len);
}

/*
 * What a decoder needs to know of a type beyond its descriptor: where its
 * encoding may carry extension additions (der_struct.h), and value checks
 * that must come before asn1c's constraint checks because those would
 * report them as a mere constraint violation (NULL: none).
 */
typedef struct codec_spec {
    asn_TYPE_descriptor_t *td;
    const clid__der_ext_site *sites;
    size_t n_sites;
    clid_err (*values)(const void *v);
} codec_spec;

/* asn1c's DER of `v`, without its constraint checks (the input's own
 * constraints are judged after its form). */
static clid_err reencode(asn_TYPE_descriptor_t *td, void *v, uint8_t **der, size_t *len)
{
    return der_of(td, v, CLID_ERR_DER_NOT_CANONICAL, der, len);
}

/* Decodes `der` as `spec->td`, strictly. On success *out owns the asn1c
 * value. The checks run from form to meaning: framing (MALFORMED,
 * TRAILING_DATA), DER form (NOT_CANONICAL), the type's own value checks,
 * then the ASN.1 constraints (DER_CONSTRAINT). */
static clid_err decode_value(const codec_spec *spec, const uint8_t *der, size_t len, void **out)
{
    asn_TYPE_descriptor_t *td = spec->td;
    void *v = NULL;
    uint8_t *re = NULL;
    size_t re_len = 0;
    clid_err rc;

    *out = NULL;
    if (len == 0)
        return CLID_ERR_DER_MALFORMED;
    if (len > CLID_EXT_MAX_DER)
        return CLID_ERR_DER_CONSTRAINT;

    asn_dec_rval_t rv = ber_decode(NULL, td, &v, der, len);
    if (rv.code != RC_OK) { /* RC_WMORE: truncated or absurd length; RC_FAIL: bad tag */
        rc = CLID_ERR_DER_MALFORMED;
        goto fail;
    }
    if (rv.consumed != len) {
        rc = CLID_ERR_DER_TRAILING_DATA;
        goto fail;
    }
    rc = reencode(td, v, &re, &re_len);
    if (rc == CLID_OK)
        rc = clid__der_match_known(der, len, re, re_len, spec->sites, spec->n_sites);
    if (rc == CLID_OK && spec->values != NULL)
        rc = spec->values(v);
    if (rc == CLID_OK && asn_check_constraints(td, v, NULL, NULL) != 0)
        rc = CLID_ERR_DER_CONSTRAINT;
    if (rc != CLID_OK)
        goto fail;
    free(re);
    *out = v;
    return CLID_OK;
fail:
    free(re);
    free_value(td, v);
    return rc;
}

/* Appends a new string element (OCTET STRING family) to an A_SEQUENCE_OF. */
static clid_err seq_add_string(asn_TYPE_descriptor_t *td, void *list, const char *s)
{
    OCTET_STRING_t *os = OCTET_STRING_new_fromBuf(td, s, (int)strlen(s));
    if (os == NULL)
        return CLID_ERR_NOMEM;
    if (asn_sequence_add(list, os) != 0) {
        free_value(td, os);
        return CLID_ERR_NOMEM;
    }
    return CLID_OK;
}

static clid_err set_string(OCTET_STRING_t *os, const char *s)
{
    return OCTET_STRING_fromBuf(os, s, (int)strlen(s)) == 0 ? CLID_OK : CLID_ERR_NOMEM;
}

/* ------------------------------------------------------------------------ */
/* TNAuthorizationList                                                       */
/* ------------------------------------------------------------------------ */

static clid_err tnauth_to_asn1(const clid_tnauth *l, TNAuthorizationList_t *a)
{
    for (size_t i = 0; i < l->n; i++) {
        const struct clid_tnauth_item *it = &l->items[i];
        TNEntry_t *e = calloc(1, sizeof *e);
        if (e == NULL)
            return CLID_ERR_NOMEM;
        if (ASN_SEQUENCE_ADD(&a->list, e) != 0) {
            free(e);
            return CLID_ERR_NOMEM;
        }
        switch (it->kind) {
        case CLID_TNAUTH_SPC:
            e->present = TNEntry_PR_spc;
            CLID_TRY(set_string(&e->choice.spc, it->value));
            break;
        case CLID_TNAUTH_TN:
            e->present = TNEntry_PR_one;
            CLID_TRY(set_string(&e->choice.one, it->value));
            break;
        case CLID_TNAUTH_RANGE:
            e->present = TNEntry_PR_range;
            CLID_TRY(set_string(&e->choice.range.start, it->value));
            /* <= 10^15 by construction (clid__tnauth_add), so it fits. */
            if (asn_long2INTEGER(&e->choice.range.count, (long)it->count) != 0)
                return CLID_ERR_NOMEM;
            break;
        }
    }
    return CLID_OK;
}

static clid_err tnauth_encode_raw(const clid_tnauth *l, uint8_t **der, size_t *len)
{
    if (l->n == 0) /* SIZE (1..MAX): A3 */
        return CLID_ERR_DER_CONSTRAINT;
    TNAuthorizationList_t *a = calloc(1, sizeof *a);
    if (a == NULL)
        return CLID_ERR_NOMEM;
    clid_err rc = tnauth_to_asn1(l, a);
    if (rc == CLID_OK)
        rc = encode_value(&asn_DEF_TNAuthorizationList, a, der, len);
    free_value(&asn_DEF_TNAuthorizationList, a);
    return rc;
}

static clid_err tnauth_from_asn1(const TNAuthorizationList_t *a, clid_tnauth *l)
{
    if (a->list.count < 1) /* A3 */
        return CLID_ERR_DER_CONSTRAINT;
    if (a->list.count > CLID_EXT_MAX_ENTRIES)
        return CLID_ERR_DER_CONSTRAINT;
    for (int i = 0; i < a->list.count; i++) {
        const TNEntry_t *e = a->list.array[i];
        switch (e->present) {
        case TNEntry_PR_spc:
            CLID_TRY(clid__tnauth_add(l, CLID_TNAUTH_SPC, (const char *)e->choice.spc.buf,
                                      (size_t)e->choice.spc.size, 0));
            break;
        case TNEntry_PR_one:
            CLID_TRY(clid__tnauth_add(l, CLID_TNAUTH_TN, (const char *)e->choice.one.buf,
                                      (size_t)e->choice.one.size, 0));
            break;
        case TNEntry_PR_range: {
            long count = 0; /* tnauth_values has checked that it fits and is >= 2 */
            if (asn_INTEGER2long(&e->choice.range.count, &count) != 0 || count < 2)
                return CLID_ERR_BAD_RANGE;
            CLID_TRY(clid__tnauth_add(l, CLID_TNAUTH_RANGE, (const char *)e->choice.range.start.buf,
                                      (size_t)e->choice.range.start.size, (uint64_t)count));
            break;
        }
        default:
            return CLID_ERR_DER_MALFORMED;
        }
    }
    return CLID_OK;
}

/*
 * RFC 8226 §9: count INTEGER (2..MAX). A count below 2, or one beyond what
 * a C long holds (any count above 10^15 already runs past the longest
 * TelephoneNumber, which clid__tnauth_add reports the same way), is a range
 * error, whatever asn1c's constraint checker would say of it.
 */
static clid_err tnauth_values(const void *v)
{
    const TNAuthorizationList_t *a = v;
    for (int i = 0; i < a->list.count; i++) {
        const TNEntry_t *e = a->list.array[i];
        if (e->present != TNEntry_PR_range)
            continue;
        /* X.690 §8.3.1: an INTEGER has at least one contents octet; asn1c
         * decodes `02 00` and re-encodes it as it came. */
        if (e->choice.range.count.size < 1)
            return CLID_ERR_DER_MALFORMED;
        long count = 0;
        if (asn_INTEGER2long(&e->choice.range.count, &count) != 0 || count < 2)
            return CLID_ERR_BAD_RANGE;
    }
    return CLID_OK;
}

/* A TelephoneNumberRange is extensible (RFC 8226 §9: "start, count, ...");
 * it sits in TNEntry [1] (EXPLICIT) in the list. Its root components are
 * mandatory, so an addition may carry any tag. */
static const uint8_t tnauth_range_path[] = {0x30, 0xA1, 0x30};
static const clid__der_ext_site tnauth_sites[] = {
    {tnauth_range_path, sizeof tnauth_range_path, 0},
};
static const codec_spec tnauth_spec = {&asn_DEF_TNAuthorizationList, tnauth_sites,
                                       CLID_ARRAY_LEN(tnauth_sites), tnauth_values};

static clid_err tnauth_decode_raw(const uint8_t *der, size_t len, clid_tnauth **out)
{
    void *v = NULL;
    CLID_TRY(decode_value(&tnauth_spec, der, len, &v));
    clid_tnauth *l = NULL;
    clid_err rc = clid_tnauth_new(&l);
    if (rc == CLID_OK)
        rc = tnauth_from_asn1(v, l);
    free_value(&asn_DEF_TNAuthorizationList, v);
    if (rc != CLID_OK) {
        clid_tnauth_free(l);
        return rc;
    }
    *out = l;
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* JWTClaimConstraints (RFC 8226) and EnhancedJWTClaimConstraints (RFC 9118) */
/* ------------------------------------------------------------------------ */

/* Both modules use the same shapes: a list of IA5String names, and a list of
 * {IA5String claim, SEQUENCE OF UTF8String}. These generic helpers work on
 * either module's generated list types through their A_SEQUENCE_OF layout. */
typedef A_SEQUENCE_OF(OCTET_STRING_t) string_list_t;

static clid_err names_to_asn1(const clid_strlist *names, asn_TYPE_descriptor_t *elem_td,
                              string_list_t *list)
{
    for (size_t i = 0; i < names->n; i++)
        CLID_TRY(seq_add_string(elem_td, list, names->v[i]));
    return CLID_OK;
}

static clid_err names_from_asn1(const string_list_t *list, clid_jwtcc *c, clid_strlist *names)
{
    if (list->count < 1 || list->count > CLID_EXT_MAX_ENTRIES)
        return CLID_ERR_DER_CONSTRAINT;
    for (int i = 0; i < list->count; i++)
        CLID_TRY(clid__jwtcc_add_name(c, names, (const char *)list->array[i]->buf,
                                      (size_t)list->array[i]->size));
    return CLID_OK;
}

static int has_permitted_claim(const clid_jwtcc *c, const OCTET_STRING_t *claim)
{
    for (size_t i = 0; i < c->n_perm; i++)
        if (strlen(c->perm[i].claim) == (size_t)claim->size &&
            memcmp(c->perm[i].claim, claim->buf, (size_t)claim->size) == 0)
            return 1;
    return 0;
}

static clid_err permitted_from_asn1(const OCTET_STRING_t *claim, const string_list_t *values,
                                    clid_jwtcc *c)
{
    /* One entry per claim: a repeated claim would be ambiguous. */
    if (has_permitted_claim(c, claim))
        return CLID_ERR_BAD_CLAIM_CONSTRAINT;
    if (values->count < 1 || values->count > CLID_EXT_MAX_ENTRIES)
        return CLID_ERR_DER_CONSTRAINT;
    for (int j = 0; j < values->count; j++)
        CLID_TRY(clid__jwtcc_add_permitted(c, (const char *)claim->buf, (size_t)claim->size,
                                           (const char *)values->array[j]->buf,
                                           (size_t)values->array[j]->size));
    return CLID_OK;
}

static int jwtcc_is_empty(const clid_jwtcc *c)
{
    return c->must_include.n == 0 && c->must_exclude.n == 0 && c->n_perm == 0;
}

static clid_err jwtcc8226_to_asn1(const clid_jwtcc *c, JWTClaimConstraints_t *a)
{
    if (c->must_include.n) {
        a->mustInclude = calloc(1, sizeof *a->mustInclude);
        if (a->mustInclude == NULL)
            return CLID_ERR_NOMEM;
        CLID_TRY(names_to_asn1(&c->must_include, &asn_DEF_JWTClaimName,
                               (string_list_t *)&a->mustInclude->list));
    }
    if (c->n_perm) {
        a->permittedValues = calloc(1, sizeof *a->permittedValues);
        if (a->permittedValues == NULL)
            return CLID_ERR_NOMEM;
        for (size_t i = 0; i < c->n_perm; i++) {
            JWTClaimPermittedValues_t *pv = calloc(1, sizeof *pv);
            if (pv == NULL)
                return CLID_ERR_NOMEM;
            if (ASN_SEQUENCE_ADD(&a->permittedValues->list, pv) != 0) {
                free(pv);
                return CLID_ERR_NOMEM;
            }
            CLID_TRY(set_string(&pv->claim, c->perm[i].claim));
            CLID_TRY(names_to_asn1(&c->perm[i].values, &asn_DEF_UTF8String,
                                   (string_list_t *)&pv->permitted.list));
        }
    }
    return CLID_OK;
}

static clid_err jwtcc9118_to_asn1(const clid_jwtcc *c, EnhancedJWTClaimConstraints_t *a)
{
    if (c->must_include.n) {
        a->mustInclude = calloc(1, sizeof *a->mustInclude);
        if (a->mustInclude == NULL)
            return CLID_ERR_NOMEM;
        CLID_TRY(names_to_asn1(&c->must_include, &asn_DEF_EJWTClaimName,
                               (string_list_t *)&a->mustInclude->list));
    }
    if (c->must_exclude.n) {
        a->mustExclude = calloc(1, sizeof *a->mustExclude);
        if (a->mustExclude == NULL)
            return CLID_ERR_NOMEM;
        CLID_TRY(names_to_asn1(&c->must_exclude, &asn_DEF_EJWTClaimName,
                               (string_list_t *)&a->mustExclude->list));
    }
    if (c->n_perm) {
        a->permittedValues = calloc(1, sizeof *a->permittedValues);
        if (a->permittedValues == NULL)
            return CLID_ERR_NOMEM;
        for (size_t i = 0; i < c->n_perm; i++) {
            JWTClaimValues_t *pv = calloc(1, sizeof *pv);
            if (pv == NULL)
                return CLID_ERR_NOMEM;
            if (ASN_SEQUENCE_ADD(&a->permittedValues->list, pv) != 0) {
                free(pv);
                return CLID_ERR_NOMEM;
            }
            CLID_TRY(set_string(&pv->claim, c->perm[i].claim));
            CLID_TRY(names_to_asn1(&c->perm[i].values, &asn_DEF_UTF8String,
                                   (string_list_t *)&pv->values.list));
        }
    }
    return CLID_OK;
}

static clid_err jwtcc_encode_raw(const clid_jwtcc *c, uint8_t **der, size_t *len)
{
    if (jwtcc_is_empty(c)) /* WITH COMPONENTS: at least one field (A3) */
        return CLID_ERR_DER_CONSTRAINT;
    asn_TYPE_descriptor_t *td = c->kind == CLID_JWTCC_RFC8226 ? &asn_DEF_JWTClaimConstraints
                                                              : &asn_DEF_EnhancedJWTClaimConstraints;
    void *a = calloc(1, c->kind == CLID_JWTCC_RFC8226 ? sizeof(JWTClaimConstraints_t)
                                                      : sizeof(EnhancedJWTClaimConstraints_t));
    if (a == NULL)
        return CLID_ERR_NOMEM;
    clid_err rc = c->kind == CLID_JWTCC_RFC8226 ? jwtcc8226_to_asn1(c, a) : jwtcc9118_to_asn1(c, a);
    if (rc == CLID_OK)
        rc = encode_value(td, a, der, len);
    free_value(td, a);
    return rc;
}

static clid_err jwtcc8226_from_asn1(const JWTClaimConstraints_t *a, clid_jwtcc *c)
{
    if (a->mustInclude)
        CLID_TRY(names_from_asn1((const string_list_t *)&a->mustInclude->list, c, &c->must_include));
    if (a->permittedValues) {
        const JWTClaimPermittedValuesList_t *pl = a->permittedValues;
        if (pl->list.count < 1 || pl->list.count > CLID_EXT_MAX_ENTRIES)
            return CLID_ERR_DER_CONSTRAINT;
        for (int i = 0; i < pl->list.count; i++)
            CLID_TRY(permitted_from_asn1(&pl->list.array[i]->claim,
                                         (const string_list_t *)&pl->list.array[i]->permitted.list,
                                         c));
    }
    return CLID_OK;
}

static clid_err jwtcc9118_from_asn1(const EnhancedJWTClaimConstraints_t *a, clid_jwtcc *c)
{
    if (a->mustInclude)
        CLID_TRY(names_from_asn1((const string_list_t *)&a->mustInclude->list, c, &c->must_include));
    if (a->permittedValues) {
        const JWTClaimValuesList_t *pl = a->permittedValues;
        if (pl->list.count < 1 || pl->list.count > CLID_EXT_MAX_ENTRIES)
            return CLID_ERR_DER_CONSTRAINT;
        for (int i = 0; i < pl->list.count; i++)
            CLID_TRY(permitted_from_asn1(&pl->list.array[i]->claim,
                                         (const string_list_t *)&pl->list.array[i]->values.list, c));
    }
    if (a->mustExclude)
        CLID_TRY(names_from_asn1((const string_list_t *)&a->mustExclude->list, c, &c->must_exclude));
    return CLID_OK;
}

static clid_err jwtcc_decode_raw(clid_jwtcc_kind kind, const uint8_t *der, size_t len,
                                 clid_jwtcc **out)
{
    asn_TYPE_descriptor_t *td = kind == CLID_JWTCC_RFC8226 ? &asn_DEF_JWTClaimConstraints
                                                           : &asn_DEF_EnhancedJWTClaimConstraints;
    /* Neither RFC 8226's nor RFC 9118's type is extensible: an element
     * after the known ones is refused (asn1c fails it). */
    const codec_spec spec = {td, NULL, 0, NULL};
    void *v = NULL;
    CLID_TRY(decode_value(&spec, der, len, &v));
    clid_jwtcc *c = NULL;
    clid_err rc = clid_jwtcc_new(kind, &c);
    if (rc == CLID_OK)
        rc = kind == CLID_JWTCC_RFC8226 ? jwtcc8226_from_asn1(v, c) : jwtcc9118_from_asn1(v, c);
    if (rc == CLID_OK && jwtcc_is_empty(c))
        rc = CLID_ERR_DER_CONSTRAINT; /* "30 00": WITH COMPONENTS unchecked by asn1c (A3) */
    free_value(td, v);
    if (rc != CLID_OK) {
        clid_jwtcc_free(c);
        return rc;
    }
    *out = c;
    return CLID_OK;
}

/* ------------------------------------------------------------------------ */
/* SignallingEntity                                                          */
/* ------------------------------------------------------------------------ */

static clid_err entity_to_asn1(const clid_entity *e, SignallingEntity_t *a)
{
    if (asn_long2INTEGER(&a->role, (long)e->role) != 0)
        return CLID_ERR_NOMEM;
    if (e->countries.n) {
        a->countryCodes = calloc(1, sizeof *a->countryCodes);
        if (a->countryCodes == NULL)
            return CLID_ERR_NOMEM;
        CLID_TRY(names_to_asn1(&e->countries, &asn_DEF_CountryCode,
                               (string_list_t *)&a->countryCodes->list));
    }
    if (e->carrier) {
        a->carrierCode = OCTET_STRING_new_fromBuf(&asn_DEF_CarrierCode, e->carrier, -1);
        if (a->carrierCode == NULL)
            return CLID_ERR_NOMEM;
    }
    if (e->n_plmn) {
        a->mobileNetworks = calloc(1, sizeof *a->mobileNetworks);
        if (a->mobileNetworks == NULL)
            return CLID_ERR_NOMEM;
        for (size_t i = 0; i < e->n_plmn; i++) {
            MobileNetwork_t *m = calloc(1, sizeof *m);
            if (m == NULL)
                return CLID_ERR_NOMEM;
            if (ASN_SEQUENCE_ADD(&a->mobileNetworks->list, m) != 0) {
                free(m);
                return CLID_ERR_NOMEM;
            }
            CLID_TRY(set_string(&m->mcc, e->plmn[i].mcc));
            CLID_TRY(set_string(&m->mnc, e->plmn[i].mnc));
        }
    }
    if (e->n_ispc) {
        a->signallingPointCodes = calloc(1, sizeof *a->signallingPointCodes);
        if (a->signallingPointCodes == NULL)
            return CLID_ERR_NOMEM;
        for (size_t i = 0; i < e->n_ispc; i++) {
            long *pc = malloc(sizeof *pc);
            if (pc == NULL)
                return CLID_ERR_NOMEM;
            *pc = (long)e->ispc[i];
            if (ASN_SEQUENCE_ADD(&a->signallingPointCodes->list, pc) != 0) {
                free(pc);
                return CLID_ERR_NOMEM;
            }
        }
    }
    if (e->operator_name) {
        a->operatorName = OCTET_STRING_new_fromBuf(&asn_DEF_OperatorName, e->operator_name, -1);
        if (a->operatorName == NULL)
            return CLID_ERR_NOMEM;
    }
    return CLID_OK;
}

static clid_err entity_encode_raw(const clid_entity *e, uint8_t **der, size_t *len)
{
    SignallingEntity_t *a = calloc(1, sizeof *a);
    if (a == NULL)
        return CLID_ERR_NOMEM;
    clid_err rc = entity_to_asn1(e, a);
    if (rc == CLID_OK)
        rc = encode_value(&asn_DEF_SignallingEntity, a, der, len);
    free_value(&asn_DEF_SignallingEntity, a);
    return rc;
}

static clid_err entity_from_asn1(const SignallingEntity_t *a, clid_entity **out)
{
    /* The role enumeration is extensible; clid knows these four (BAD_ENTITY
     * for later additions, so that authority is never guessed: the role is
     * what the certificate's key may be used for, and a value this version
     * cannot read cannot be skipped the way a SEQUENCE addition is). */
    long role = -1;
    if (asn_INTEGER2long(&a->role, &role) != 0 || role < CLID_ROLE_ORIGINATING_GATEWAY ||
        role > CLID_ROLE_VERIFIER)
        return CLID_ERR_BAD_ENTITY;
    clid_entity *e = NULL;
    CLID_TRY(clid_entity_new((clid_entity_role)role, &e));
    clid_err rc = CLID_OK;
    if (a->countryCodes) {
        int n = a->countryCodes->list.count;
        if (n < 1 || n > CLID_ENTITY_MAX_LIST)
            rc = CLID_ERR_DER_CONSTRAINT;
        for (int i = 0; rc == CLID_OK && i < n; i++)
            rc = clid__entity_add_country(e, (const char *)a->countryCodes->list.array[i]->buf,
                                          (size_t)a->countryCodes->list.array[i]->size);
    }
    if (rc == CLID_OK && a->carrierCode)
        rc = clid__entity_set_carrier(e, (const char *)a->carrierCode->buf,
                                      (size_t)a->carrierCode->size);
    if (rc == CLID_OK && a->mobileNetworks) {
        int n = a->mobileNetworks->list.count;
        if (n < 1 || n > CLID_ENTITY_MAX_LIST)
            rc = CLID_ERR_DER_CONSTRAINT;
        for (int i = 0; rc == CLID_OK && i < n; i++) {
            const MobileNetwork_t *m = a->mobileNetworks->list.array[i];
            rc = clid__entity_add_plmn(e, (const char *)m->mcc.buf, (size_t)m->mcc.size,
                                       (const char *)m->mnc.buf, (size_t)m->mnc.size);
        }
    }
    if (rc == CLID_OK && a->signallingPointCodes) {
        int n = a->signallingPointCodes->list.count;
        if (n < 1 || n > CLID_ENTITY_MAX_LIST)
            rc = CLID_ERR_DER_CONSTRAINT;
        for (int i = 0; rc == CLID_OK && i < n; i++) {
            long pc = *a->signallingPointCodes->list.array[i];
            rc = pc < 0 || pc > 16383 ? CLID_ERR_DER_CONSTRAINT
                                      : clid_entity_add_ispc(e, (unsigned)pc);
        }
    }
    if (rc == CLID_OK && a->operatorName)
        rc = clid__entity_set_operator_name(e, (const char *)a->operatorName->buf,
                                            (size_t)a->operatorName->size);
    if (rc != CLID_OK) {
        clid_entity_free(e);
        return rc;
    }
    *out = e;
    return CLID_OK;
}

/* SignallingEntity is extensible (asn1/CLID-Q3063-Profile-2026.asn: "...",
 * IMPLICIT TAGS). Its root components are [0] to [5]: an element with one of
 * those tags after the known ones is a field out of order or repeated, not
 * an addition. */
static const uint8_t entity_path[] = {0x30};
static const clid__der_ext_site entity_sites[] = {{entity_path, sizeof entity_path, 0x3Fu}};
/* X.690 §8.4, §8.3.1: the ENUMERATED role has at least one contents octet
 * (asn1c decodes `80 00` and re-encodes it as it came). */
static clid_err entity_values(const void *v)
{
    const SignallingEntity_t *a = v;
    return a->role.size < 1 ? CLID_ERR_DER_MALFORMED : CLID_OK;
}

static const codec_spec entity_spec = {&asn_DEF_SignallingEntity, entity_sites,
                                       CLID_ARRAY_LEN(entity_sites), entity_values};

static clid_err entity_decode_raw(const uint8_t *der, size_t len, clid_entity **out)
{
    void *v = NULL;
    CLID_TRY(decode_value(&entity_spec, der, len, &v));
    clid_err rc = entity_from_asn1(v, out);
    free_value(&asn_DEF_SignallingEntity, v);
    return rc;
}

/* ------------------------------------------------------------------------ */
/* One-time priming (A5)                                                     */
/* ------------------------------------------------------------------------ */

static pthread_once_t prime_once = PTHREAD_ONCE_INIT;

/* Each prime_* round-trips a value holding every field and CHOICE
 * alternative through encode, decode (with its constraint checks and
 * re-encode) and free. Failures are ignored: the point is only that every
 * descriptor has been touched once, single-threaded. */
static void prime_tnauth(void)
{
    clid_tnauth *l = NULL, *d = NULL;
    if (clid_tnauth_new(&l) != CLID_OK)
        return;
    if (clid_tnauth_add_spc(l, "709J") == CLID_OK && clid_tnauth_add_tn(l, "12025551000") == CLID_OK &&
        clid_tnauth_add_range(l, "12025550000", 100) == CLID_OK) {
        uint8_t *der = NULL;
        size_t len = 0;
        if (tnauth_encode_raw(l, &der, &len) == CLID_OK) {
            (void)tnauth_decode_raw(der, len, &d);
            clid_tnauth_free(d);
            free(der);
        }
    }
    clid_tnauth_free(l);
}

static void prime_jwtcc(clid_jwtcc_kind kind)
{
    clid_jwtcc *c = NULL, *d = NULL;
    if (clid_jwtcc_new(kind, &c) != CLID_OK)
        return;
    int ok = clid_jwtcc_add_must_include(c, "rcd") == CLID_OK &&
             clid_jwtcc_add_permitted(c, "attest", "A") == CLID_OK &&
             (kind == CLID_JWTCC_RFC8226 || clid_jwtcc_add_must_exclude(c, "div") == CLID_OK);
    if (ok) {
        uint8_t *der = NULL;
        size_t len = 0;
        if (jwtcc_encode_raw(c, &der, &len) == CLID_OK) {
            (void)jwtcc_decode_raw(kind, der, len, &d);
            clid_jwtcc_free(d);
            free(der);
        }
    }
    clid_jwtcc_free(c);
}

static void prime_entity(void)
{
    clid_entity *e = NULL, *d = NULL;
    if (clid_entity_new(CLID_ROLE_INTERNATIONAL_GATEWAY, &e) != CLID_OK)
        return;
    if (clid_entity_add_country(e, "44") == CLID_OK && clid_entity_set_carrier(e, "ABC1") == CLID_OK &&
        clid_entity_add_plmn(e, "234", "15") == CLID_OK && clid_entity_add_ispc(e, 4242) == CLID_OK &&
        clid_entity_set_operator_name(e, "Example") == CLID_OK) {
        uint8_t *der = NULL;
        size_t len = 0;
        if (entity_encode_raw(e, &der, &len) == CLID_OK) {
            (void)entity_decode_raw(der, len, &d);
            clid_entity_free(d);
            free(der);
        }
    }
    clid_entity_free(e);
}

static void prime(void)
{
    prime_tnauth();
    prime_jwtcc(CLID_JWTCC_RFC8226);
    prime_jwtcc(CLID_JWTCC_RFC9118);
    prime_entity();
    clid__asn1_clitoken_prime(); /* asn1_clitoken.c: the CLI token's types */
}

void clid__asn1_ensure_primed(void)
{
    (void)pthread_once(&prime_once, prime);
}

/* ------------------------------------------------------------------------ */
/* Entry points (asn1_codec.h)                                             */
/* ------------------------------------------------------------------------ */

clid_err clid__asn1_tnauth_encode(const clid_tnauth *l, uint8_t **der, size_t *len)
{
    clid__asn1_ensure_primed();
    return tnauth_encode_raw(l, der, len);
}

clid_err clid__asn1_tnauth_decode(const uint8_t *der, size_t len, clid_tnauth **out)
{
    clid__asn1_ensure_primed();
    return tnauth_decode_raw(der, len, out);
}

clid_err clid__asn1_jwtcc_encode(const clid_jwtcc *c, uint8_t **der, size_t *len)
{
    clid__asn1_ensure_primed();
    return jwtcc_encode_raw(c, der, len);
}

clid_err clid__asn1_jwtcc_decode(clid_jwtcc_kind kind, const uint8_t *der, size_t len,
                                 clid_jwtcc **out)
{
    clid__asn1_ensure_primed();
    return jwtcc_decode_raw(kind, der, len, out);
}

clid_err clid__asn1_entity_encode(const clid_entity *e, uint8_t **der, size_t *len)
{
    clid__asn1_ensure_primed();
    return entity_encode_raw(e, der, len);
}

clid_err clid__asn1_entity_decode(const uint8_t *der, size_t len, clid_entity **out)
{
    clid__asn1_ensure_primed();
    return entity_decode_raw(der, len, out);
}
