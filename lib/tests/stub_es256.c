/*
 * TEST-ONLY STUB of the key part of es256.h, for the issue3-chain branch
 * where the real lib/src/es256.c (written on another branch) does not exist
 * yet. signer_cert.c needs clid__es256_key_new/_free/_pkey for the leaf's
 * public key; this wraps an EVP_PKEY after checking it is EC P-256 and
 * nothing more. DROP THIS FILE when es256.c is merged (lib/tests/chain.cmake
 * links it only while no es256 source is part of the library).
 */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>

#include "es256.h"

struct clid__es256_key {
    EVP_PKEY *pkey;
};

int clid__is_p256(const EVP_PKEY *pkey)
{
    char group[32];
    size_t len = 0;
    if (pkey == NULL || EVP_PKEY_get_base_id(pkey) != EVP_PKEY_EC)
        return 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group,
                                       &len) != 1)
        return 0;
    return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

clid_err clid__es256_key_new(EVP_PKEY *pkey, int private_key, clid__es256_key **out)
{
    (void)private_key;
    if (pkey == NULL || out == NULL)
        return CLID_ERR_INVALID_ARGUMENT;
    *out = NULL;
    if (!clid__is_p256(pkey))
        return CLID_ERR_KEY_TYPE;
    clid__es256_key *k = calloc(1, sizeof *k);
    if (k == NULL)
        return CLID_ERR_NOMEM;
    if (EVP_PKEY_up_ref(pkey) != 1) {
        free(k);
        return CLID_ERR_INTERNAL;
    }
    k->pkey = pkey;
    *out = k;
    return CLID_OK;
}

void clid__es256_key_free(clid__es256_key *k)
{
    if (k == NULL)
        return;
    EVP_PKEY_free(k->pkey);
    free(k);
}

EVP_PKEY *clid__es256_key_pkey(const clid__es256_key *k)
{
    return k ? k->pkey : NULL;
}
