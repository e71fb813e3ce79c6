/*
 * Test helper of the clid serve CPS tests (serve_oob*.sh) and of
 * bench/oob-bench.sh: signs CPS bearer tokens (clid_oob_token_sign) with
 * any claim the tests need wrong (an iat in the past, another aud, a jti
 * to replay), and writes the publish body (clid_oob_body_build).
 *
 *   oob_tok KEY CERT X5U ACTION AUD ORIG DEST [name=value...]
 *     names: iss, spc, jti, ttl, iat_offset (seconds added to now),
 *            pp (one PASSporT, repeatable), body (file for the publish
 *            body), count N (N tokens, one per line, jti random: bench)
 * Prints the token(s) on stdout; exit 0, or 1 with the clid error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <clid/clid.h>
#include <clid/clid_oob.h>

static int die(const char *what, clid_err e)
{
    fprintf(stderr, "oob_tok: %s: %s: %s\n", what, clid_err_name(e), clid_err_str(e));
    return 1;
}

int main(int argc, char **argv)
{
    if (argc < 8) {
        fprintf(stderr, "usage: oob_tok KEY CERT X5U ACTION AUD ORIG DEST [name=value...]\n");
        return 2;
    }
    clid_signer *s = NULL;
    clid_err e = clid_signer_new(&s);
    if (e == CLID_OK)
        e = clid_signer_set_key_file(s, argv[1]);
    if (e == CLID_OK)
        e = clid_signer_set_cert_file(s, argv[2]);
    if (e == CLID_OK)
        e = clid_signer_set_x5u(s, argv[3]);
    if (e != CLID_OK)
        return die("signer", e);
    clid_oob_token_params p;
    memset(&p, 0, sizeof p);
    p.action = strcmp(argv[4], "publish") == 0    ? CLID_OOB_PUBLISH
               : strcmp(argv[4], "republish") == 0 ? CLID_OOB_REPUBLISH
                                                   : CLID_OOB_RETRIEVE;
    p.aud = argv[5];
    p.orig = argv[6];
    p.dest = argv[7];
    const char *pp[CLID_OOB_MAX_PASSPORTS + 4];
    size_t npp = 0;
    const char *body = NULL;
    long count = 1;
    for (int i = 8; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (eq == NULL)
            return 2;
        *eq = '\0';
        const char *k = argv[i], *v = eq + 1;
        if (strcmp(k, "iss") == 0)
            p.iss = v;
        else if (strcmp(k, "spc") == 0)
            p.spc = v;
        else if (strcmp(k, "jti") == 0)
            p.jti = v;
        else if (strcmp(k, "ttl") == 0)
            p.ttl = (unsigned)atoi(v);
        else if (strcmp(k, "iat_offset") == 0)
            p.iat = (int64_t)time(NULL) + atol(v);
        else if (strcmp(k, "pp") == 0 && npp < sizeof pp / sizeof pp[0])
            pp[npp++] = v;
        else if (strcmp(k, "body") == 0)
            body = v;
        else if (strcmp(k, "count") == 0)
            count = atol(v);
        else
            return 2;
    }
    p.passports = npp ? pp : NULL;
    p.passport_count = npp;
    static char tok[CLID_OOB_MAX_TOKEN + 1];
    for (long i = 0; i < count; i++) {
        size_t len = 0;
        e = clid_oob_token_sign(s, &p, tok, sizeof tok, &len);
        if (e != CLID_OK)
            return die("token", e);
        printf("%.*s\n", (int)len, tok);
    }
    if (body != NULL) {
        static char b[CLID_OOB_MAX_BODY * 2];
        size_t len = 0;
        e = clid_oob_body_build(pp, npp, b, sizeof b, &len);
        if (e != CLID_OK)
            return die("body", e);
        FILE *f = fopen(body, "w");
        if (f == NULL || fwrite(b, 1, len, f) != len || fclose(f) != 0)
            return 1;
    }
    clid_signer_free(s);
    return 0;
}
