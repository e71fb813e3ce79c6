/* HTML escaping and CSP script hashes for the tool's reports (html.h). */
#include "html.h"

#include <string.h>

#include <openssl/evp.h>

void tool_html_put(FILE *f, const char *s)
{
    for (const char *p = s; *p; p++) {
        switch (*p) {
        case '&': fputs("&amp;", f); break;
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&#39;", f); break;
        default: fputc(*p, f);
        }
    }
}

int tool_csp_script_hash(const char *script, char out[64])
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (EVP_Digest(script, strlen(script), md, &mdlen, EVP_sha256(), NULL) != 1 || mdlen != 32)
        return -1;
    memcpy(out, "sha256-", 7);
    EVP_EncodeBlock((unsigned char *)out + 7, md, 32); /* 44 characters + NUL */
    return 0;
}
