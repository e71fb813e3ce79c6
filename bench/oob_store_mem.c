/*
 * oob_store_mem: bytes per record of clid serve's CPS memory store
 * (tools/serve/cps_store_mem.c), for bench/oob-bench.sh and
 * docs/performance.md "CPS".
 *
 *   oob_store_mem N PASSPORT_LEN
 * Stores N records (distinct dest, one PASSporT of PASSPORT_LEN bytes each,
 * and one jti entry each, as a publish does) and prints
 *   records=N rss_before_kb=A rss_after_kb=B bytes_per_record=C
 * RSS from /proc/self/status: what the process really holds (malloc
 * overhead and the hash table included), not a sum of sizes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/cps_store.h"

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f != NULL && fgets(line, sizeof line, f) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = atol(line + 6);
    if (f != NULL)
        fclose(f);
    return kb;
}

int main(int argc, char **argv)
{
    if (argc != 3)
        return 2;
    size_t n = (size_t)atol(argv[1]), plen = (size_t)atol(argv[2]);
    cps_store *s = NULL;
    char err[256];
    if (n == 0 || plen == 0 || cps_store_mem_new(2 * n, &s, err, sizeof err) != 0)
        return 2;
    char *pp = malloc(plen + 1);
    if (pp == NULL)
        return 1;
    memset(pp, 'a', plen);
    pp[plen] = '\0';
    long before = rss_kb();
    const int64_t now = 1000000;
    for (size_t i = 0; i < n; i++) {
        char key[96], jti[96];
        snprintf(key, sizeof key, "pp:1202%07zu:12025550100", i);
        snprintf(jti, sizeof jti, "jti:1001:%08zx-0000-4000-8000-000000000000", i);
        memcpy(pp, key + 3, 11); /* distinct PASSporTs, as in life */
        const char *v[1] = {pp};
        if (s->ops->claim(s, jti, now, 120) != CLID_OK ||
            s->ops->put(s, key, now, now + 60, "", v, 1) != CLID_OK) {
            fprintf(stderr, "oob_store_mem: store refused record %zu\n", i);
            return 1;
        }
    }
    long after = rss_kb();
    printf("records=%zu rss_before_kb=%ld rss_after_kb=%ld bytes_per_record=%ld\n", n, before,
           after, (after - before) * 1024 / (long)n);
    cps_store_free(s);
    free(pp);
    return 0;
}
