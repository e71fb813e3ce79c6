/*
 * DER structure checks (der_struct.h): a TLV reader that accepts only the
 * DER forms of X.690 §8.1 and §10, the DER rules of the universal types
 * whose contents can be judged without a schema (X.690 §8.2, §8.3, §8.6,
 * §8.8, §8.19, §10.2, §11.1, §11.2), and the comparison of an input with
 * asn1c's re-encoding of its known part.
 */
#include <string.h>

#include "asn1/der_struct.h"
#include "core/internal.h"

/* One TLV: identifier octets id[0..id_len), contents c[0..c_len). */
typedef struct tlv {
    const uint8_t *id;
    size_t id_len;
    const uint8_t *c;
    size_t c_len;
    size_t total; /* header + contents */
    int constructed;
    int cls;            /* 0 universal, 1 application, 2 context, 3 private */
    uint32_t number;    /* tag number */
} tlv;

/* Identifier and length longer than this are not what any value of ours
 * (or a sane addition) needs: 4 tag octets hold tag numbers below 2^28,
 * 4 length octets lengths below 2^32. */
#define MAX_TAG_OCTETS 4
#define MAX_LEN_OCTETS 4

/*
 * Reads one TLV from p[0..len). DER headers only (X.690 §10.1: definite
 * length in the fewest octets; §8.1.2: the low-tag-number form below 31,
 * no leading 0x80 in a high tag number). CLID_ERR_DER_MALFORMED when the
 * bytes are not a TLV that fits; CLID_ERR_DER_NOT_CANONICAL for a header
 * BER allows but DER does not.
 */
static clid_err read_tlv(const uint8_t *p, size_t len, tlv *t)
{
    size_t i = 0;
    CLID_ENSURE(len >= 2, CLID_ERR_DER_MALFORMED);
    t->id = p;
    t->cls = p[0] >> 6;
    t->constructed = (p[0] & 0x20) != 0;
    t->number = p[0] & 0x1F;
    i = 1;
    if (t->number == 0x1F) {
        uint32_t n = 0;
        size_t k = 0;
        CLID_ENSURE(p[1] != 0x80, CLID_ERR_DER_NOT_CANONICAL); /* §8.1.2.4.2 c) */
        do {
            CLID_ENSURE(i < len && k < MAX_TAG_OCTETS, CLID_ERR_DER_MALFORMED);
            n = (n << 7) | (p[i] & 0x7F);
            k++;
        } while (p[i++] & 0x80);
        CLID_ENSURE(n >= 31, CLID_ERR_DER_NOT_CANONICAL); /* §8.1.2.3: short form below 31 */
        t->number = n;
    }
    t->id_len = i;

    CLID_ENSURE(i < len, CLID_ERR_DER_MALFORMED);
    uint8_t l0 = p[i++];
    size_t clen = 0;
    if (l0 < 0x80) {
        clen = l0;
    } else {
        size_t k = l0 & 0x7F;
        CLID_ENSURE(k != 0, CLID_ERR_DER_NOT_CANONICAL); /* indefinite: BER only (§10.1) */
        CLID_ENSURE(k != 0x7F && k <= MAX_LEN_OCTETS, CLID_ERR_DER_MALFORMED);
        CLID_ENSURE(len - i >= k, CLID_ERR_DER_MALFORMED);
        CLID_ENSURE(p[i] != 0, CLID_ERR_DER_NOT_CANONICAL); /* leading zero octet */
        for (size_t j = 0; j < k; j++)
            clen = (clen << 8) | p[i + j];
        i += k;
        CLID_ENSURE(clen >= 0x80, CLID_ERR_DER_NOT_CANONICAL); /* short form would do */
    }
    CLID_ENSURE(clen <= len - i, CLID_ERR_DER_MALFORMED);
    t->c = p + i;
    t->c_len = clen;
    t->total = i + clen;
    return CLID_OK;
}

/* Universal tag numbers (X.680 §8.6, Table 1). */
enum {
    U_EOC = 0, U_BOOLEAN = 1, U_INTEGER = 2, U_BIT_STRING = 3, U_NULL = 5, U_OID = 6,
    U_EXTERNAL = 8, U_ENUMERATED = 10, U_EMBEDDED_PDV = 11, U_RELATIVE_OID = 13,
    U_SEQUENCE = 16, U_SET = 17, U_CHARACTER_STRING = 29
};

/* X.690 §8.3.2: the first nine bits of an INTEGER are not all 0 or all 1. */
static int integer_minimal(const uint8_t *c, size_t n)
{
    if (n == 0)
        return 0;
    if (n == 1)
        return 1;
    return !((c[0] == 0x00 && (c[1] & 0x80) == 0) || (c[0] == 0xFF && (c[1] & 0x80) != 0));
}

/* X.690 §8.19.2 (and §8.20.2): each arc in the fewest octets; the last
 * octet ends an arc. */
static int arcs_minimal(const uint8_t *c, size_t n)
{
    if (n == 0 || (c[n - 1] & 0x80) != 0)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (c[i] == 0x80 && (i == 0 || (c[i - 1] & 0x80) == 0))
            return 0;
    return 1;
}

/* The DER form of a universal type's primitive contents. */
static clid_err check_universal_primitive(const tlv *t)
{
    const uint8_t *c = t->c;
    size_t n = t->c_len;
    switch (t->number) {
    case U_EOC:
        return CLID_ERR_DER_MALFORMED; /* only ends an indefinite length */
    case U_BOOLEAN:
        CLID_ENSURE(n == 1, CLID_ERR_DER_MALFORMED);
        CLID_ENSURE(c[0] == 0x00 || c[0] == 0xFF, CLID_ERR_DER_NOT_CANONICAL); /* §11.1 */
        return CLID_OK;
    case U_INTEGER:
    case U_ENUMERATED:
        CLID_ENSURE(n >= 1, CLID_ERR_DER_MALFORMED);
        CLID_ENSURE(integer_minimal(c, n), CLID_ERR_DER_NOT_CANONICAL);
        return CLID_OK;
    case U_BIT_STRING:
        /* §8.6.2: the initial octet counts the unused bits, 0..7, and 0
         * when there are none; §11.2.1: those bits are zero in DER. */
        CLID_ENSURE(n >= 1 && c[0] <= 7 && (n > 1 || c[0] == 0), CLID_ERR_DER_MALFORMED);
        CLID_ENSURE(n == 1 || (c[n - 1] & ((1u << c[0]) - 1)) == 0, CLID_ERR_DER_NOT_CANONICAL);
        return CLID_OK;
    case U_NULL:
        CLID_ENSURE(n == 0, CLID_ERR_DER_MALFORMED); /* §8.8.2 */
        return CLID_OK;
    case U_OID:
    case U_RELATIVE_OID:
        CLID_ENSURE(arcs_minimal(c, n), CLID_ERR_DER_NOT_CANONICAL);
        return CLID_OK;
    case U_SEQUENCE:
    case U_SET:
    case U_EXTERNAL:
    case U_EMBEDDED_PDV:
    case U_CHARACTER_STRING:
        return CLID_ERR_DER_MALFORMED; /* constructed types (§8.9-§8.12, §8.18) */
    default:
        /* Strings, times, REAL, and numbers later editions defined: any
         * contents. */
        return CLID_OK;
    }
}

static clid_err check_tlv(const tlv *t, unsigned depth_left);

clid_err clid__der_check_tlvs(const uint8_t *p, size_t len, unsigned depth_left)
{
    CLID_ENSURE(depth_left > 0 || len == 0, CLID_ERR_DER_NOT_CANONICAL);
    while (len > 0) {
        tlv t;
        CLID_TRY(read_tlv(p, len, &t));
        CLID_TRY(check_tlv(&t, depth_left));
        p += t.total;
        len -= t.total;
    }
    return CLID_OK;
}

static clid_err check_tlv(const tlv *t, unsigned depth_left)
{
    if (t->cls == 0) {
        int must_construct = t->number == U_SEQUENCE || t->number == U_SET ||
                             t->number == U_EXTERNAL || t->number == U_EMBEDDED_PDV ||
                             t->number == U_CHARACTER_STRING;
        if (!t->constructed)
            return check_universal_primitive(t);
        /* §10.2: DER encodes strings (and every other simple type)
         * primitive; a constructed one is BER. */
        CLID_ENSURE(must_construct, CLID_ERR_DER_NOT_CANONICAL);
    }
    if (!t->constructed)
        return CLID_OK; /* a tagged primitive: any contents */
    return clid__der_check_tlvs(t->c, t->c_len, depth_left - 1);
}

/* ------------------------------------------------------------------------ */
/* The known part and its extension additions                                */
/* ------------------------------------------------------------------------ */

/* The site whose path is path[0..depth), or NULL. */
static const clid__der_ext_site *site_at(const uint8_t *path, size_t depth,
                                         const clid__der_ext_site *sites, size_t n_sites)
{
    for (size_t i = 0; i < n_sites; i++)
        if (sites[i].depth == depth && memcmp(sites[i].path, path, depth) == 0)
            return &sites[i];
    return NULL;
}

typedef struct walk {
    const clid__der_ext_site *sites;
    size_t n_sites;
    uint8_t path[CLID_DER_MAX_DEPTH];
} walk;

/* An element after the known ones of an extensible SEQUENCE. */
static clid_err check_addition(const tlv *t, const clid__der_ext_site *site)
{
    if (t->cls == 2 && t->number < 32 && (site->reserved_context_tags >> t->number) & 1u)
        return CLID_ERR_DER_NOT_CANONICAL;
    return check_tlv(t, CLID_DER_MAX_DEPTH);
}

static clid_err match(walk *w, size_t depth, const tlv *in, const tlv *re)
{
    if (in->total == re->total && memcmp(in->id, re->id, in->total) == 0)
        return CLID_OK;
    /* Only a constructed TLV can hide an addition; the identifiers must be
     * the same (re's are DER, so equal bytes mean in's are too). */
    CLID_ENSURE(in->constructed && re->constructed && in->id_len == re->id_len &&
                    memcmp(in->id, re->id, in->id_len) == 0,
                CLID_ERR_DER_NOT_CANONICAL);
    CLID_ENSURE(depth < CLID_DER_MAX_DEPTH, CLID_ERR_DER_NOT_CANONICAL);
    w->path[depth] = in->id_len == 1 ? in->id[0] : 0x1F; /* high tags name no site */

    const uint8_t *ip = in->c, *rp = re->c;
    size_t il = in->c_len, rl = re->c_len;
    while (rl > 0) {
        tlv ic, rc;
        CLID_ENSURE(il > 0, CLID_ERR_DER_NOT_CANONICAL);
        /* asn1c has read these bytes, so they are BER: what fails here is
         * a header DER does not allow. */
        CLID_ENSURE(read_tlv(ip, il, &ic) == CLID_OK, CLID_ERR_DER_NOT_CANONICAL);
        CLID_ENSURE(read_tlv(rp, rl, &rc) == CLID_OK, CLID_ERR_INTERNAL);
        CLID_TRY(match(w, depth + 1, &ic, &rc));
        ip += ic.total, il -= ic.total;
        rp += rc.total, rl -= rc.total;
    }
    if (il == 0)
        return CLID_OK;
    /* What follows the known elements: additions, where the type is
     * extensible (X.680 §25: they come after the extension root). */
    const clid__der_ext_site *site = site_at(w->path, depth + 1, w->sites, w->n_sites);
    CLID_ENSURE(site != NULL, CLID_ERR_DER_NOT_CANONICAL);
    while (il > 0) {
        tlv a;
        /* asn1c skipped each addition by its (BER) header; only what is
         * inside a constructed one has not been read yet. */
        CLID_ENSURE(read_tlv(ip, il, &a) == CLID_OK, CLID_ERR_DER_NOT_CANONICAL);
        CLID_TRY(check_addition(&a, site));
        ip += a.total, il -= a.total;
    }
    return CLID_OK;
}

clid_err clid__der_match_known(const uint8_t *in, size_t in_len, const uint8_t *re, size_t re_len,
                               const clid__der_ext_site *sites, size_t n_sites)
{
    if (in_len == re_len && memcmp(in, re, in_len) == 0)
        return CLID_OK;
    tlv it, rt;
    clid_err rc = read_tlv(in, in_len, &it);
    if (rc != CLID_OK)
        return CLID_ERR_DER_NOT_CANONICAL; /* asn1c read it: BER, not DER */
    CLID_ENSURE(it.total == in_len, CLID_ERR_DER_NOT_CANONICAL);
    CLID_ENSURE(read_tlv(re, re_len, &rt) == CLID_OK && rt.total == re_len, CLID_ERR_INTERNAL);
    walk w = {sites, n_sites, {0}};
    return match(&w, 0, &it, &rt);
}
