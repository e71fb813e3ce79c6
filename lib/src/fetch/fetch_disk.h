/*
 * The x5u fetcher's persistent directory (fetch_disk.c): one file per URL,
 * named by the SHA-256 of the URL, holding the body and its expiry, written
 * atomically (temporary file, fsync, rename), so that any number of
 * processes may share a directory and a crash never leaves half a file
 * under a real name.
 */
#ifndef CLID_FETCH_DISK_H
#define CLID_FETCH_DISK_H

#include <stddef.h>
#include <stdint.h>

#include <clid/clid_errors.h>

/* Creates `dir` (mode 0700) when missing; CLID_ERR_IO when it cannot, when
 * it is not a directory, or when anyone but this user may write to it:
 * world- or group-writable, or owned by another user (files planted there
 * would be served as certificates). */
clid_err clid__fdisk_prepare(const char *dir);

/* The body cached for `url` if its file is intact and unexpired at `now`:
 * *body is malloc'd. A file that is damaged, expired or for another URL is
 * removed. CLID_ERR_IO when there is nothing usable. */
clid_err clid__fdisk_read(const char *dir, const char *url, int64_t now, uint8_t **body,
                          size_t *len, int64_t *expires);

/* Stores the body for `url` until `expires`; failures are silent (the
 * directory is an optimisation, never a source of errors). */
void clid__fdisk_write(const char *dir, const char *url, const uint8_t *body, size_t len,
                       int64_t expires);

/* Removes expired or damaged cache files, and temporary files left by a
 * crash more than an hour ago. */
void clid__fdisk_sweep(const char *dir, int64_t now);

#endif
