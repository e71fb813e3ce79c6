/*
 * IP fragment reassembly, IPv4 (RFC 791 §3.2) and IPv6 (RFC 8200 §4.5),
 * bounded: at most max_fragments datagrams in reassembly, each at most
 * max_datagram bytes, all of them at most CAP_FRAG_BUDGET_DATAGRAMS *
 * max_datagram bytes; a datagram not complete idle_timeout seconds (capture
 * time) after its first fragment is dropped. A flood evicts the oldest.
 *
 * Overlaps: an exact duplicate of bytes already held is ignored (the same
 * fragment captured twice); any other overlap drops the whole datagram, as
 * RFC 5722 requires for IPv6 and as is safe for IPv4 (no "first or last
 * wins" ambiguity an attacker can play with).
 */
#include <stdlib.h>
#include <string.h>

#include "capture/capture_int.h"

typedef struct piece {
    struct piece *next;
    size_t off, len;
    uint8_t data[];
} piece;

typedef struct dgram {
    cap_frag_key k;
    struct dgram *hnext;        /* hash chain */
    struct dgram *older, *newer; /* age list */
    int64_t first_sec;
    piece *pieces; /* sorted by offset, disjoint */
    size_t bytes;
    size_t total; /* known once the last fragment (MF=0) is seen */
    int have_last;
    int proto; /* upper protocol, from the fragment at offset 0; -1 until then */
} dgram;

struct cap_frag {
    dgram **buckets;
    size_t nbuckets;
    size_t count;
    size_t bytes;
    dgram *oldest, *newest;
};

static size_t key_len(const cap_frag_key *k)
{
    return k->ver == 4 ? 4 : 16;
}

static size_t hash(const cap_frag *f, const cap_frag_key *k)
{
    uint64_t h = 1469598103934665603ull;
    size_t n = key_len(k);
#define MIX(b) (h = (h ^ (uint8_t)(b)) * 1099511628211ull)
    for (size_t i = 0; i < n; i++) {
        MIX(k->src[i]);
        MIX(k->dst[i]);
    }
    for (int i = 0; i < 4; i++)
        MIX(k->id >> (8 * i));
    MIX(k->proto);
    MIX(k->ver);
#undef MIX
    return (size_t)(h & (f->nbuckets - 1));
}

static int key_eq(const cap_frag_key *a, const cap_frag_key *b)
{
    return a->ver == b->ver && a->id == b->id && a->proto == b->proto &&
           memcmp(a->src, b->src, key_len(a)) == 0 && memcmp(a->dst, b->dst, key_len(a)) == 0;
}

static cap_frag *frag_state(clid_capture *c)
{
    if (c->frag)
        return c->frag;
    cap_frag *f = calloc(1, sizeof *f);
    if (!f)
        return NULL;
    f->nbuckets = 64;
    while (f->nbuckets < c->lim.max_fragments && f->nbuckets < (1u << 16))
        f->nbuckets <<= 1;
    f->buckets = calloc(f->nbuckets, sizeof *f->buckets);
    if (!f->buckets) {
        free(f);
        return NULL;
    }
    c->frag = f;
    return f;
}

static void drop(cap_frag *f, dgram *g)
{
    dgram **pp = &f->buckets[hash(f, &g->k)];
    while (*pp && *pp != g)
        pp = &(*pp)->hnext;
    if (*pp)
        *pp = g->hnext;
    if (g->older)
        g->older->newer = g->newer;
    else
        f->oldest = g->newer;
    if (g->newer)
        g->newer->older = g->older;
    else
        f->newest = g->older;
    for (piece *p = g->pieces; p;) {
        piece *n = p->next;
        free(p);
        p = n;
    }
    f->bytes -= g->bytes;
    f->count--;
    free(g);
}

void capture__frag_expire(clid_capture *c, const cap_meta *m)
{
    cap_frag *f = c->frag;
    if (!f)
        return;
    while (f->oldest && m->sec - f->oldest->first_sec > (int64_t)c->lim.idle_timeout) {
        capture__warn(c, m->packet, "frag-timeout",
                      "IP datagram (id %u) incomplete after %u s: dropped", f->oldest->k.id,
                      c->lim.idle_timeout);
        c->st.dropped++;
        drop(f, f->oldest);
    }
}

void capture__frag_flush(clid_capture *c)
{
    cap_frag *f = c->frag;
    if (!f)
        return;
    if (f->count) {
        capture__warn(c, 0, "frag-incomplete",
                      "%zu IP datagrams still incomplete at the end of the capture: dropped",
                      f->count);
        c->st.dropped += f->count;
    }
    while (f->oldest)
        drop(f, f->oldest);
}

void capture__frag_free(cap_frag *f)
{
    if (!f)
        return;
    while (f->oldest)
        drop(f, f->oldest);
    free(f->buckets);
    free(f);
}

static void evict_oldest(clid_capture *c, cap_frag *f, const cap_meta *m, const char *why)
{
    capture__warn_flood(c, 0, m->packet, "frag-flood", why);
    c->st.dropped++;
    drop(f, f->oldest);
}

int capture__frag_add(clid_capture *c, const cap_meta *m, const cap_frag_key *k, size_t off,
                      int more, int proto, const uint8_t *d, size_t len, uint8_t **out,
                      size_t *out_len, int *out_proto)
{
    *out = NULL;
    cap_frag *f = frag_state(c);
    if (!f) {
        c->st.dropped++;
        return 0;
    }
    size_t budget = (size_t)CAP_FRAG_BUDGET_DATAGRAMS * c->lim.max_datagram;
    size_t h = hash(f, k);
    dgram *g = f->buckets[h];
    while (g && !key_eq(&g->k, k))
        g = g->hnext;
    if (off + len > c->lim.max_datagram) {
        capture__warn(c, m->packet, "frag-too-large",
                      "IP fragment ends at byte %zu, past max_datagram (%zu): datagram dropped",
                      off + len, c->lim.max_datagram);
        c->st.dropped++;
        if (g)
            drop(f, g);
        return 0;
    }
    if (len == 0)
        return 0;
    if (!g) {
        while (f->count >= c->lim.max_fragments && f->oldest)
            evict_oldest(c, f, m, "more IP datagrams in reassembly than max_fragments: oldest "
                                  "dropped");
        g = calloc(1, sizeof *g);
        if (!g) {
            c->st.dropped++;
            return 0;
        }
        g->k = *k;
        g->first_sec = m->sec;
        g->proto = -1;
        g->hnext = f->buckets[h];
        f->buckets[h] = g;
        g->older = f->newest;
        if (f->newest)
            f->newest->newer = g;
        else
            f->oldest = g;
        f->newest = g;
        f->count++;
    }
    /* Overlaps and the end of the datagram. */
    size_t end = off + len;
    const char *bad = NULL;
    if (!more) {
        if (g->have_last && g->total != end)
            bad = "two last fragments disagree on the datagram's length";
        for (piece *p = g->pieces; p && !bad; p = p->next)
            if (p->off + p->len > end)
                bad = "a fragment lies past the last fragment";
    } else if (g->have_last && end > g->total) {
        bad = "a fragment lies past the last fragment";
    }
    for (piece *p = g->pieces; p && !bad; p = p->next) {
        if (p->off < end && off < p->off + p->len) {
            if (off >= p->off && end <= p->off + p->len &&
                memcmp(p->data + (off - p->off), d, len) == 0)
                return 0; /* a duplicate of bytes held */
            bad = "overlapping IP fragments (RFC 5722)";
        }
    }
    if (bad) {
        capture__warn(c, m->packet, "frag-overlap", "%s: datagram dropped", bad);
        c->st.dropped++;
        drop(f, g);
        return 0;
    }
    piece *np = malloc(sizeof *np + len);
    if (!np) {
        c->st.dropped++;
        drop(f, g);
        return 0;
    }
    np->off = off;
    np->len = len;
    memcpy(np->data, d, len);
    piece **pp = &g->pieces;
    while (*pp && (*pp)->off < off)
        pp = &(*pp)->next;
    np->next = *pp;
    *pp = np;
    g->bytes += len;
    f->bytes += len;
    if (!more) {
        g->have_last = 1;
        g->total = end;
    }
    if (off == 0)
        g->proto = proto;
    /* The memory budget across all datagrams: evict the oldest others. */
    while (f->bytes > budget && f->oldest && f->oldest != g)
        evict_oldest(c, f, m, "IP fragments exceed their memory budget: oldest datagram dropped");
    if (!g->have_last || g->proto < 0)
        return 0;
    size_t at = 0;
    for (piece *p = g->pieces; p; p = p->next) {
        if (p->off != at)
            return 0;
        at += p->len;
    }
    if (at != g->total)
        return 0;
    uint8_t *whole = malloc(g->total ? g->total : 1);
    if (!whole) {
        c->st.dropped++;
        drop(f, g);
        return 0;
    }
    for (piece *p = g->pieces; p; p = p->next)
        memcpy(whole + p->off, p->data, p->len);
    *out = whole;
    *out_len = g->total;
    *out_proto = g->proto;
    c->st.fragments_reassembled++;
    drop(f, g);
    return 1;
}
