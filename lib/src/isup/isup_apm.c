/*
 * The Application Transport Parameter, code 0x78 (ITU-T Q.763 §3.82,
 * Figure 81), which carries Q.765 APM data:
 *
 *   octet 1   ext | application context identifier (7 bits)
 *   octet 1a  ext | application context identifier, continued
 *             (present when octet 1's ext bit is 0)
 *   octet 2   ext | spare | SNI | RCI: application transport instruction
 *             indicators (send notification, release call)
 *   octet 3   ext | SI | APM segmentation indicator: SI 1 for a new
 *             sequence (the first segment, or an unsegmented message), 0
 *             for a subsequent segment; the indicator is 0 for the final
 *             segment, else 1..9 segments follow (10..63 spare)
 *   octet 3a  ext | segmentation local reference (SLR), present when
 *             octet 3's ext bit is 0
 *   octet 4.. encapsulated application information
 *
 * An ext bit of 1 marks the last octet of its group (Q.763 §1.6). Contexts
 * here are the one-octet identifiers of clid_isup.h (7 bits); a parameter
 * with a two-octet identifier belongs to no such context and is passed
 * through. The encapsulated information is handed over as it is: Q.765
 * starts it with originating and destination address fields for most
 * contexts (tshark decodes them for identifiers above 3); what the data
 * holds is the application's business.
 */
#include "isup/isup_internal.h"

#include <string.h>

#include "core/internal.h"

#define SEG_DATA_MAX 250 /* data octets per parameter: 255 less octets 1, 2, 3, 3a */
#define SEG_FOLLOWING_MAX 9 /* Q.763 §3.82: 1..9 following segments */
#define SLR_CLID 0x01       /* the local reference clid puts in a first segment */

typedef struct app_view {
    int one_octet_context; /* octet 1's ext bit is 1 */
    unsigned context;
    unsigned instruction;  /* octet 2: SNI, RCI */
    int new_sequence;      /* octet 3: SI */
    unsigned following;    /* APM segmentation indicator */
    int has_slr;
    unsigned slr;
    const uint8_t *data;
    size_t data_len;
} app_view;

static clid_err app_read(const uint8_t *v, size_t len, app_view *a)
{
    memset(a, 0, sizeof *a);
    size_t o = 0;
    CLID_ENSURE(len >= 3, CLID_ERR_ISUP_PARSE);
    a->one_octet_context = (v[o] & 0x80) != 0;
    a->context = v[o++] & 0x7F;
    if (!a->one_octet_context) {
        /* octet 1a, which must end the identifier */
        CLID_ENSURE(o < len && (v[o] & 0x80) != 0, CLID_ERR_ISUP_PARSE);
        a->context = a->context << 7 | (v[o++] & 0x7Fu);
    }
    /* octet 2: no extension octet is defined */
    CLID_ENSURE(o < len && (v[o] & 0x80) != 0, CLID_ERR_ISUP_PARSE);
    a->instruction = v[o++] & 0x03;
    CLID_ENSURE(o < len, CLID_ERR_ISUP_PARSE);
    uint8_t oct3 = v[o++];
    a->new_sequence = (oct3 & 0x40) != 0;
    a->following = oct3 & 0x3F;
    CLID_ENSURE(a->following <= SEG_FOLLOWING_MAX, CLID_ERR_ISUP_PARSE); /* spare values */
    if ((oct3 & 0x80) == 0) {
        CLID_ENSURE(o < len && (v[o] & 0x80) != 0, CLID_ERR_ISUP_PARSE);
        a->has_slr = 1;
        a->slr = v[o++] & 0x7F;
    }
    a->data = v + o;
    a->data_len = len - o;
    return CLID_OK;
}

clid_err clid__isup_app_check(const uint8_t *v, size_t len)
{
    app_view a;
    return app_read(v, len, &a);
}

static int is_context(const clid__isup_param *p, unsigned context, app_view *a)
{
    if (p->code != CLID_ISUP_APPLICATION_TRANSPORT)
        return 0;
    /* Every 0x78 in an IAM passed clid__isup_app_check on its way in. */
    if (app_read(p->val, p->len, a) != CLID_OK)
        return 0;
    return a->one_octet_context && a->context == context;
}

/* Walks the segments for `context` (Q.765: the indicator counts down to 0
 * in message order); *total receives the reassembled length. */
static clid_err reassemble(const clid_isup_iam *iam, unsigned context, uint8_t *out,
                           size_t cap, size_t *total)
{
    int started = 0, done = 0;
    unsigned expect = 0;
    app_view first = {0};
    size_t n = 0;
    for (size_t k = 0; k < iam->n_opt; k++) {
        app_view a;
        if (!is_context(&iam->opt[k], context, &a))
            continue;
        /* A second message for the same context after a final segment would
         * leave the reader to choose one. */
        CLID_ENSURE(!done, CLID_ERR_ISUP_PARSE);
        if (!started) {
            /* Q.765: a message starts with SI "new sequence" */
            CLID_ENSURE(a.new_sequence, CLID_ERR_ISUP_PARSE);
            started = 1;
            first = a;
        } else {
            /* out of order, or a new sequence before the last one ended */
            CLID_ENSURE(!a.new_sequence && a.following + 1 == expect, CLID_ERR_ISUP_PARSE);
            /* A later segment that names a reference must name the first's. */
            CLID_ENSURE(!a.has_slr || (first.has_slr && a.slr == first.slr),
                        CLID_ERR_ISUP_PARSE);
        }
        expect = a.following;
        done = a.following == 0;
        if (out != NULL && n + a.data_len <= cap && a.data_len > 0)
            memcpy(out + n, a.data, a.data_len);
        n += a.data_len;
    }
    CLID_ENSURE(started, CLID_ERR_ISUP_PARAM_ABSENT);
    CLID_ENSURE(done, CLID_ERR_ISUP_PARSE); /* segments missing at the end */
    *total = n;
    return CLID_OK;
}

clid_err clid_isup_iam_get_apm(const clid_isup_iam *iam, unsigned context, uint8_t *out,
                               size_t cap, size_t *out_len)
{
    CLID_ENSURE(iam != NULL && out_len != NULL, CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(context <= 0x7F, CLID_ERR_INVALID_ARGUMENT);
    size_t total = 0;
    CLID_TRY(reassemble(iam, context, NULL, 0, &total));
    *out_len = total;
    CLID_ENSURE(out != NULL || total == 0, CLID_ERR_BUFFER_TOO_SMALL);
    CLID_ENSURE(cap >= total, CLID_ERR_BUFFER_TOO_SMALL);
    return reassemble(iam, context, out, cap, &total);
}

clid_err clid_isup_iam_set_apm(clid_isup_iam *iam, unsigned context, const uint8_t *data,
                               size_t len)
{
    CLID_ENSURE(iam != NULL && (data != NULL || len == 0), CLID_ERR_INVALID_ARGUMENT);
    CLID_ENSURE(context <= 0x7F, CLID_ERR_INVALID_ARGUMENT);
    size_t segs = len == 0 ? 1 : (len + SEG_DATA_MAX - 1) / SEG_DATA_MAX;
    CLID_ENSURE(segs <= SEG_FOLLOWING_MAX + 1, CLID_ERR_ISUP_TOO_LARGE);
    /* The new segments take the place of the first old one (or go last). */
    size_t at = iam->n_opt;
    for (size_t k = iam->n_opt; k-- > 0;) {
        app_view a;
        if (is_context(&iam->opt[k], context, &a)) {
            clid__isup_delete_param(iam, k);
            at = k;
        }
    }
    if (at > iam->n_opt)
        at = iam->n_opt;
    size_t off = 0;
    for (size_t s = 0; s < segs; s++) {
        uint8_t v[CLID__ISUP_PARAM_MAX];
        size_t o = 0;
        unsigned following = (unsigned)(segs - 1 - s);
        v[o++] = (uint8_t)(0x80 | context);
        v[o++] = 0x80; /* no notification, do not release the call */
        uint8_t si = s == 0 ? 0x40 : 0x00;
        if (segs > 1) {
            /* Every segment names the local reference, which is what
             * receivers (tshark among them) reassemble by. */
            v[o++] = (uint8_t)(si | following);
            v[o++] = 0x80 | SLR_CLID;
        } else {
            v[o++] = (uint8_t)(0x80 | si | following);
        }
        size_t chunk = len - off < SEG_DATA_MAX ? len - off : SEG_DATA_MAX;
        if (chunk > 0)
            memcpy(v + o, data + off, chunk);
        off += chunk;
        clid_err rc = clid__isup_insert_param(iam, at + s, CLID_ISUP_APPLICATION_TRANSPORT, v,
                                              o + chunk);
        if (rc != CLID_OK) {
            while (s-- > 0) /* the segments inserted so far */
                clid__isup_delete_param(iam, at);
            return rc;
        }
    }
    return CLID_OK;
}
