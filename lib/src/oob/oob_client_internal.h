/*
 * Private to the CPS client and the gateway flow (oob_client.c,
 * oob_gateway.c): publish and retrieve with an explicit time limit, so that
 * the gateway can spend its budget without changing the shared client.
 */
#ifndef CLID_OOB_CLIENT_INTERNAL_H
#define CLID_OOB_CLIENT_INTERNAL_H

#include <clid/clid_oob.h>

/* The client's transfer timeout (clid_oob_client_set_timeout_ms). */
unsigned clid__oob_client_timeout(const clid_oob_client *c);

/* clid_oob_publish and clid_oob_retrieve with a transfer limit of
 * timeout_ms (1..600000) instead of the client's. */
clid_err clid__oob_publish_ms(clid_oob_client *c, const clid_signer *s,
                              const clid_oob_publish_opts *o, unsigned timeout_ms,
                              int *http_status);
clid_err clid__oob_retrieve_ms(clid_oob_client *c, const clid_signer *s, const char *orig,
                               const char *dest, unsigned timeout_ms, clid_oob_passports **out,
                               int *http_status);

#endif /* CLID_OOB_CLIENT_INTERNAL_H */
