/*
 * clid conform gen --out DIR --base-url URL [--seed S] [--at TIME] [--catalogue FILE]
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "conform/conform.h"
#include "conform/gen.h"
#include "timearg.h"
#include "util.h"

#ifndef CLID_CONFORM_CATALOGUE
#define CLID_CONFORM_CATALOGUE "interop-tests/conformance/catalogue.json"
#endif

void conform_gen_help(FILE *f)
{
    fputs("usage: clid conform gen --out DIR --base-url URL [--seed S] [--at TIME]\n"
          "                        [--catalogue FILE]\n"
          "       clid conform gen --prepare --out DIR --base-url URL\n"
          "       clid conform gen --check [--catalogue FILE]\n"
          "\n"
          "Materializes the conformance catalogue: DIR/pki (the suite's PKI, made with\n"
          "clid ca), DIR/www (what `clid conform serve` serves at URL, with routes.json),\n"
          "DIR/cases/NAME/{case.json,invite.sip} and DIR/suite.json.\n"
          "\n"
          "  --out DIR        created if need be; must hold no suite yet (its pki/tls-*\n"
          "                   and www/ may exist: a runner's x5u server may be serving)\n"
          "  --base-url URL   where DIR/www is served, e.g. https://127.0.0.1:4443\n"
          "  --seed S         origids, names and (with clid ca --seed) keys and serials\n"
          "                   derive from S (default \"" GEN_DEFAULT_SEED "\")\n"
          "  --at TIME        the suite time: iat, Date, verification (default: now)\n"
          "  --catalogue FILE default: " CLID_CONFORM_CATALOGUE "\n"
          "  --check          check the catalogue's format only (README.md there)\n"
          "  --prepare        write only DIR/pki/tls-* and DIR/www/routes.json, for an\n"
          "                   x5u server started before the suite (its port is then\n"
          "                   the --base-url of the generation)\n"
          "\n"
          "exit status: 0 generated, 1 failed, 64 usage, 65 invalid catalogue,\n"
          "66 unreadable catalogue\n",
          f);
}

/* DIR may exist, and may hold what a runner prepared before generating
 * (conform_gen_tls's pki/tls-*, an x5u server's www/), but no suite yet. */
static int dir_ready(const char *dir)
{
    static const char *const made[] = {"suite.json", "cases", "pki/ca", "pki/certs"};
    char p[GEN_PATH];
    struct stat st;
    if (stat(dir, &st) != 0)
        return errno == ENOENT && gen_mkdirs(dir, 1) == 0 ? 0 : -1;
    if (!S_ISDIR(st.st_mode))
        return -1;
    for (size_t i = 0; i < sizeof made / sizeof made[0]; i++) {
        if ((size_t)snprintf(p, sizeof p, "%s/%s", dir, made[i]) >= sizeof p)
            return -1;
        if (stat(p, &st) == 0 || errno != ENOENT)
            return -1;
    }
    return 0;
}

int conform_gen(const conform_gen_opts *o)
{
    gen_ctx g;
    memset(&g, 0, sizeof g);
    g.dir = o->out;
    g.seed = o->seed != NULL ? o->seed : GEN_DEFAULT_SEED;
    g.at = o->at != 0 ? o->at : (int64_t)time(NULL);
    size_t bl = strlen(o->base_url);
    while (bl > 0 && o->base_url[bl - 1] == '/')
        bl--;
    if (bl == 0 || bl >= sizeof g.base - 100 ||
        (strncmp(o->base_url, "https://", 8) != 0 && strncmp(o->base_url, "http://", 7) != 0))
        return tool_usage_error("conform gen", "conform", "--base-url: an http(s) URL");
    memcpy(g.base, o->base_url, bl);
    const char *catpath = o->catalogue != NULL ? o->catalogue : CLID_CONFORM_CATALOGUE;
    json_t *cat = gen_catalogue_load(catpath);
    if (cat == NULL)
        return TOOL_EXIT_DATAERR;
    if (dir_ready(o->out) != 0) {
        json_decref(cat);
        tool_error("conform gen: %s: holds a suite already (or cannot be made)", o->out);
        return TOOL_EXIT_FAIL;
    }
    json_t *suite = json_pack("{s:i, s:s, s:I, s:s, s:s}", "version", 1, "seed", g.seed, "at",
                              (json_int_t)g.at, "base_url", g.base, "catalogue", catpath);
    int rc = gen_routes(&g);
    if (rc == TOOL_EXIT_OK)
        rc = gen_pki(&g, suite);
    json_t *names = json_array();
    json_t *cases = json_object_get(cat, "cases");
    for (size_t i = 0; rc == TOOL_EXIT_OK && i < json_array_size(cases); i++) {
        rc = gen_case(&g, json_array_get(cases, i));
        json_array_append(names, json_object_get(json_array_get(cases, i), "name"));
    }
    json_object_set_new(suite, "cases", names);
    char p[GEN_PATH];
    if (rc == TOOL_EXIT_OK && (gen_path(&g, p, "suite.json") != 0 ||
                               json_dump_file(suite, p, JSON_INDENT(2)) != 0)) {
        tool_error("conform gen: cannot write %s", p);
        rc = TOOL_EXIT_FAIL;
    }
    if (rc == TOOL_EXIT_OK)
        printf("%zu cases in %s (seed %s, at %lld)\n", json_array_size(cases), o->out, g.seed,
               (long long)g.at);
    json_decref(suite);
    json_decref(cat);
    return rc;
}

enum { OPT_OUT, OPT_BASE, OPT_SEED, OPT_AT, OPT_CAT, OPT_PREPARE, OPT_CHECK, OPT_HELP };

static const tool_opt gen_opts[] = {
    [OPT_OUT] = {"--out", NULL, 1, 0},      [OPT_BASE] = {"--base-url", NULL, 1, 0},
    [OPT_SEED] = {"--seed", NULL, 1, 0},    [OPT_AT] = {"--at", NULL, 1, 0},
    [OPT_CAT] = {"--catalogue", NULL, 1, 0}, [OPT_PREPARE] = {"--prepare", NULL, 0, 0},
    [OPT_CHECK] = {"--check", NULL, 0, 0}, [OPT_HELP] = {"--help", "-h", 0, 0},
};

int conform_gen_cmd(int argc, char **argv)
{
    tool_args a;
    int rc = tool_parse_args("conform gen", "conform", argc - 1, argv + 1, gen_opts,
                             sizeof gen_opts / sizeof gen_opts[0], &a);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (a.seen[OPT_HELP]) {
        conform_gen_help(stdout);
        return TOOL_EXIT_OK;
    }
    if (a.npos != 0)
        return tool_usage_error("conform gen", "conform", "unexpected operand '%s'", a.pos[0]);
    if (a.seen[OPT_CHECK]) { /* the catalogue's format only, nothing written */
        const char *path = a.seen[OPT_CAT] ? a.value[OPT_CAT] : CLID_CONFORM_CATALOGUE;
        json_t *cat = gen_catalogue_load(path);
        if (cat == NULL)
            return TOOL_EXIT_DATAERR;
        printf("%s: %zu cases, valid\n", path, json_array_size(json_object_get(cat, "cases")));
        json_decref(cat);
        return TOOL_EXIT_OK;
    }
    if (!a.seen[OPT_OUT] || !a.seen[OPT_BASE])
        return tool_usage_error("conform gen", "conform", "--out and --base-url are required");
    if (a.seen[OPT_PREPARE])
        return dir_ready(a.value[OPT_OUT]) == 0
                   ? conform_gen_prepare(a.value[OPT_OUT], a.value[OPT_BASE])
                   : (tool_error("conform gen: %s: holds a suite already", a.value[OPT_OUT]),
                      TOOL_EXIT_FAIL);
    conform_gen_opts o = {.out = a.value[OPT_OUT],
                          .base_url = a.value[OPT_BASE],
                          .seed = a.value[OPT_SEED],
                          .catalogue = a.value[OPT_CAT]};
    if (a.seen[OPT_AT] && (tool_parse_time(a.value[OPT_AT], &o.at) != 0 || o.at <= 0))
        return tool_usage_error("conform gen", "conform", "--at: not Unix seconds or RFC 3339");
    return conform_gen(&o);
}

int conform_gen_prepare(const char *dir, const char *base_url)
{
    gen_ctx g;
    memset(&g, 0, sizeof g);
    g.dir = dir;
    g.seed = GEN_DEFAULT_SEED;
    g.at = (int64_t)time(NULL);
    size_t bl = strlen(base_url);
    if (bl >= sizeof g.base)
        return tool_usage_error("conform gen", "conform", "--base-url: too long");
    memcpy(g.base, base_url, bl);
    int rc = gen_tls(&g);
    return rc == TOOL_EXIT_OK ? gen_routes(&g) : rc;
}
