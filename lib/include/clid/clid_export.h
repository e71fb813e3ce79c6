/*
 * clid: symbol export and attribute macros shared by the public headers.
 * The library is built with -fvisibility=hidden; only CLID_API symbols are
 * exported (s2n-tls does the same).
 */
#ifndef CLID_EXPORT_H
#define CLID_EXPORT_H

#if defined(__GNUC__) || defined(__clang__)
#define CLID_API __attribute__((visibility("default")))
/* A returned error that is ignored is almost always a security bug here. */
#define CLID_WUR __attribute__((warn_unused_result))
#else
#define CLID_API
#define CLID_WUR
#endif

#endif /* CLID_EXPORT_H */
