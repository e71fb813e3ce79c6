/*
 * clid: certificate-based calling line identity for SIP.
 * The one header most users include.
 */
#ifndef CLID_H
#define CLID_H

#include <clid/clid_errors.h>
#include <clid/clid_export.h>
#include <clid/clid_ext.h>
#include <clid/clid_version.h>

#endif /* CLID_H */
