/*
 * What the tool's self-contained HTML reports (clid conform report, clid
 * trace --html) share: text escaping and the Content-Security-Policy hash of
 * their inline scripts.
 */
#ifndef CLID_TOOL_HTML_H
#define CLID_TOOL_HTML_H

#include <stdio.h>

/* Writes s with & < > " ' as entities (HTML 5 §13.1.2.6: safe in text and in
 * quoted attribute values). s must already be sanitized (tool_sanitize). */
void tool_html_put(FILE *f, const char *s);
/* out = "sha256-BASE64" of the script's text, for a CSP script-src
 * (CSP Level 2 §4.2.4). 0, or -1 on failure. */
int tool_csp_script_hash(const char *script, char out[64]);

#endif
