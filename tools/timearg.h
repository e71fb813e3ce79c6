/* Times on the command line: Unix seconds or RFC 3339. */
#ifndef CLID_TOOL_TIMEARG_H
#define CLID_TOOL_TIMEARG_H

#include <stdint.h>

/*
 * Parses "1795305094" (Unix seconds) or an RFC 3339 date-time
 * "2026-11-22T10:00:00Z", "2026-11-22T10:00:00.5+01:00" (fractions are
 * dropped; 't'/'z' accepted as RFC 3339 §5.6 allows). 0 on success, -1 on
 * anything else (including dates before 1970 or past 9999).
 */
int tool_parse_time(const char *s, int64_t *out);

#endif
