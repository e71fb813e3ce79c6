/*
 * The CLI token (clid's Q.3063 profile, docs/q3063-profile.md "CLI token"):
 * a SHAKEN PASSporT as clitoken_codec.h's values and back. The public calls
 * are in clid_isup.h; this is what the SIP-I code needs beyond them.
 */
#ifndef CLID_ISUP_CLI_TOKEN_H
#define CLID_ISUP_CLI_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid.h>

/* The PASSporT a token rebuilds: the full JWS "h.c.s" (malloc'd,
 * NUL-terminated; free() it) and its x5u (malloc'd). iam_orig / iam_dest
 * stand in for an omitted orig / dest (any spelling clid_tn_canonicalize
 * takes; NULL when the IAM has none). Errors: CLID_ERR_CLI_TOKEN_PARSE (not
 * strict DER of a known version, or an omitted number with no IAM number),
 * CLID_ERR_BAD_TN (an IAM number that is no TN), CLID_ERR_NOMEM. */
clid_err clid__cli_token_rebuild(const uint8_t *tok, size_t tok_len, const char *iam_orig,
                                 const char *iam_dest, char **jws, size_t *jws_len, char **x5u);

#endif /* CLID_ISUP_CLI_TOKEN_H */
