/*
 * DER structure checks that asn1c 0.9.28 cannot make (asn1_codec.c uses
 * them; nothing here knows the generated types).
 *
 * X.680 extensibility: a SEQUENCE type with an extension marker ("...",
 * X.680 §25) may carry extension additions defined by a later version of
 * its module; a decoder of this version accepts them and acts on the
 * extension root (X.680's extensibility requirements: additions are
 * designed so that an earlier version may ignore them). asn1c skips them too, but then
 * the value it decoded no longer re-encodes to the input, which is how the
 * strict wrapper recognises BER. clid__der_match_known() tells the two
 * apart: the input must be the DER encoding of the decoded (known) value
 * with additions appended at the end of the extensible SEQUENCEs only, each
 * addition itself well-formed DER.
 */
#ifndef CLID_DER_STRUCT_H
#define CLID_DER_STRUCT_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid_errors.h>

/* How deep additions may nest, and how deep the known part is walked
 * (every module of asn1/ is far shallower): deeper is refused. */
#define CLID_DER_MAX_DEPTH 24

/*
 * Where a type's encoding may carry extension additions: an extensible
 * SEQUENCE, named by the identifier octets of the TLVs from the outermost
 * one down to the SEQUENCE itself (low-tag-number form, one octet each),
 * e.g. {0x30, 0xA1, 0x30} for a TelephoneNumberRange inside TNEntry [1]
 * inside the TNAuthorizationList.
 */
typedef struct clid__der_ext_site {
    const uint8_t *path;
    size_t depth;
    /* Bit n set: context-specific tag [n] belongs to a root component of
     * the SEQUENCE, so an element carrying it after the known ones is that
     * component out of order or repeated (X.690 §10.3 fixes the order),
     * never an addition. */
    uint32_t reserved_context_tags;
} clid__der_ext_site;

/*
 * Compares `in` (the input, one TLV filling in_len) with `re` (asn1c's DER
 * re-encoding of what it decoded from `in`). CLID_OK when they are equal,
 * or when `in` differs only by extension additions at the end of SEQUENCEs
 * named in `sites`, each passing clid__der_check_tlvs, with a tag no
 * reserved one, and every header of `in` on the way is the DER one.
 * Otherwise CLID_ERR_DER_NOT_CANONICAL (a BER-only form, something out of
 * place), or CLID_ERR_DER_MALFORMED when an addition's contents are not
 * TLVs at all.
 */
clid_err clid__der_match_known(const uint8_t *in, size_t in_len, const uint8_t *re, size_t re_len,
                               const clid__der_ext_site *sites, size_t n_sites);

/*
 * Checks that p[0..len) is a sequence of complete DER TLVs (X.690 §8.1,
 * §10, §11), recursively inside constructed ones, at most `depth_left`
 * levels deep: identifier in its shortest form, definite length in its
 * shortest form, universal types in the form DER gives them (SEQUENCE and
 * SET constructed, strings primitive; BOOLEAN 00/FF, INTEGER and
 * ENUMERATED minimal, NULL empty, BIT STRING with zero padding bits,
 * OBJECT IDENTIFIER arcs minimal). What needs the schema (SET ordering,
 * a named bit list's trailing zeros, DEFAULT values) cannot be checked.
 * CLID_OK, CLID_ERR_DER_NOT_CANONICAL (BER but not DER) or
 * CLID_ERR_DER_MALFORMED (not even BER).
 */
clid_err clid__der_check_tlvs(const uint8_t *p, size_t len, unsigned depth_left);

#endif /* CLID_DER_STRUCT_H */
