/*
 * clid conform gen: materializes the conformance catalogue
 * (interop-tests/conformance/catalogue.json, format in its README.md) into
 * a suite directory (docs/interop.md, CONFORM-SPEC):
 *
 *   DIR/suite.json, DIR/pki/, DIR/www/ (+ routes.json),
 *   DIR/cases/NAME/{case.json, invite.sip}
 *
 * Deterministic from the seed: names, numbers, origids, iat, Date, URLs,
 * messages (and keys and serials where `clid ca --seed` derives them);
 * ECDSA signatures differ from run to run (OpenSSL 3.0 has no RFC 6979).
 */
#ifndef CLID_TOOL_CONFORM_GEN_H
#define CLID_TOOL_CONFORM_GEN_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef struct conform_gen_opts {
    const char *out;       /* DIR: created, or an empty directory */
    const char *base_url;  /* what `clid conform serve` answers, e.g. https://127.0.0.1:4443 */
    const char *seed;      /* NULL: "clid-conform" */
    int64_t at;            /* the suite time (iat, Date, verification); 0: now */
    const char *catalogue; /* NULL: the source tree's catalogue (CLID_CONFORM_CATALOGUE) */
} conform_gen_opts;

/* Returns a tool exit status (util.h) and prints its own errors. */
int conform_gen(const conform_gen_opts *o);

/* Prepares DIR for an x5u server before the suite exists: writes only
 * DIR/pki/tls-ca.pem, tls-server.pem, tls-server.key (SAN 127.0.0.1,
 * localhost and base_url's host; the port does not matter) and
 * DIR/www/routes.json (fixed). A runner then starts `clid conform serve
 * --root DIR/www --cert-pem DIR/pki/tls-server.pem --key-pem
 * DIR/pki/tls-server.key --port 0` and calls conform_gen with that port;
 * conform_gen keeps the TLS files it finds. Tool exit status. */
int conform_gen_prepare(const char *dir, const char *base_url);

/* ---- internal to gen*.c ------------------------------------------------ */

#define GEN_PATH 1024
#define GEN_DEFAULT_ORIG "12025550100"
#define GEN_DEFAULT_DEST "12025550199"
#define GEN_DEFAULT_SEED "clid-conform"

/* The suite's state while generating. */
typedef struct gen_ctx {
    const char *dir;
    char base[512]; /* base URL without a trailing slash */
    const char *seed;
    int64_t at;
} gen_ctx;

/* Loads and checks the catalogue; NULL after printing why. */
json_t *gen_catalogue_load(const char *path);
/* Checks one case entry against the format (README.md); NULL when it is
 * valid, else a static-or-buffer message (buf of cap bytes). */
const char *gen_case_check(json_t *c, char *buf, size_t cap);
/* The x5u behaviours and signer entities the catalogue may name. */
int gen_x5u_known(const char *name);
int gen_signer_known(const char *name);

/* The TLS files (kept when all three exist already); www/routes.json.
 * Tool exit status. */
int gen_tls(const gen_ctx *g);
int gen_routes(const gen_ctx *g);
/* Builds DIR/pki and DIR/www (certificates, CRLs, TLS); suite paths
 * written into `suite`. Tool exit status. */
int gen_pki(gen_ctx *g, json_t *suite);
/* The signer entity's key and chain files (under DIR/pki). */
void gen_entity_paths(const gen_ctx *g, const char *entity, char key[GEN_PATH],
                      char chain[GEN_PATH]);
/* The x5u URL of a case (signer, behaviour), or NULL-free "" on error. */
void gen_x5u_url(const gen_ctx *g, const char *signer, const char *behaviour, char url[GEN_PATH]);

/* Generates one case into DIR/cases/NAME. Tool exit status. */
int gen_case(gen_ctx *g, const json_t *c);

/* Deterministic bytes from the seed and a label (SHA-256(seed NUL label)). */
void gen_derive(const char *seed, const char *label, uint8_t out[32]);
/* A version-4-shaped UUID from the seed and a label. */
void gen_uuid(const char *seed, const char *label, char out[37]);

/* Formats a path under DIR into buf (GEN_PATH); 0, or -1 when too long. */
int gen_path(const gen_ctx *g, char buf[GEN_PATH], const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* mkdir -p of a path's directories (of the path itself when `self`). */
int gen_mkdirs(const char *path, int self);

#endif /* CLID_TOOL_CONFORM_GEN_H */
