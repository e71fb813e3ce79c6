/*
 * The named corruptions of the conformance catalogue (README.md there has
 * the list). A case's Identity header is held as a conform_msg while it is
 * built; each corruption edits one stage of it and nothing else:
 *
 *   JSON   the JOSE header / claims objects, before signing (signed again)
 *   TEXT   their serialized text, before signing (signed again)
 *   SIGN   which key signs
 *   SIG    the signature bytes, after signing
 *   B64    the three base64url parts as sent
 *   PARAM  the Identity header's parameters (info, alg, ppt, ...)
 *   SIP    how the Identity header appears in the request
 *
 * Stages run in this order; within a stage, the catalogue's order.
 */
#ifndef CLID_TOOL_CONFORM_CORRUPT_H
#define CLID_TOOL_CONFORM_CORRUPT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

typedef enum corrupt_stage {
    CORRUPT_JSON,
    CORRUPT_TEXT,
    CORRUPT_SIGN,
    CORRUPT_SIG,
    CORRUPT_B64,
    CORRUPT_PARAM,
    CORRUPT_SIP,
    CORRUPT_NSTAGES
} corrupt_stage;

#define CONFORM_MAX_PARAMS 8
#define CONFORM_SIG_MAX 160

typedef struct conform_msg {
    json_t *jose, *claims;        /* JSON stage (owned) */
    char *jose_txt, *claims_txt;  /* TEXT stage: what is signed (owned) */
    int resign;                   /* JSON/TEXT changed: sign again */
    int other_key;                /* SIGN: sign with another entity's key */
    uint8_t sig[CONFORM_SIG_MAX]; /* SIG stage: raw r||s as signed */
    size_t sig_len;
    char *part[3];                /* B64 stage: the JWS parts as sent (owned) */
    char *param[CONFORM_MAX_PARAMS]; /* PARAM stage: "info=<URL>", "alg=ES256", ... (owned) */
    size_t nparams;
    const char *other_url;        /* for info-other-url: another URL serving the same chain */
    /* SIP stage: how the header is presented */
    int identity_absent;          /* no Identity header */
    int identity_empty;           /* "Identity:" without a value */
    int identity_compact_name;    /* "y:" (RFC 8224 §4) */
    int identity_lowercase_name;  /* "identity:" (RFC 3261 §7.3.1: names are case-insensitive) */
    int identity_garbage_first;   /* another, broken Identity header before this one */
} conform_msg;

typedef struct corrupt_def {
    const char *name;
    corrupt_stage stage;
    const char *what; /* one line, for README.md and errors */
    int (*apply)(conform_msg *m);
} corrupt_def;

/* NULL when unknown. */
const corrupt_def *corrupt_find(const char *name);
size_t corrupt_count(void);
const corrupt_def *corrupt_at(size_t i);

/* Applies one corruption; 0, or -1 (out of memory, or the message lacks
 * what the corruption edits). */
int corrupt_apply(const corrupt_def *d, conform_msg *m);

void conform_msg_free(conform_msg *m);
/* Replaces a parameter whose name is `name` (or appends one); value NULL
 * removes it. 0 or -1. */
int conform_msg_set_param(conform_msg *m, const char *name, const char *text);
/* The position of a parameter named `name`, or -1. */
int conform_msg_find_param(const conform_msg *m, const char *name);
/* "part0.part1.part2;param;param..." (malloc'd), NULL on no memory. */
char *conform_msg_identity(const conform_msg *m);

/* base64url without padding (RFC 7515 §2); malloc'd. */
char *conform_b64url(const uint8_t *p, size_t n);
/* Decodes base64url (no padding); malloc'd, NULL when invalid. */
uint8_t *conform_b64url_decode(const char *s, size_t *n);
/* Raw r||s (64 bytes) to a DER ECDSA-Sig-Value; bytes written or 0. */
size_t conform_sig_to_der(const uint8_t raw[64], uint8_t *out, size_t cap);

#endif /* CLID_TOOL_CONFORM_CORRUPT_H */
