/* Small shared helpers: owned string lists, bounded growth, character classes. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"

char *clid__strndup(const char *s, size_t len)
{
    char *p = malloc(len + 1);
    if (p == NULL)
        return NULL;
    memcpy(p, s, len);
    p[len] = '\0';
    return p;
}

clid_err clid__grow(void **p, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return CLID_OK;
    size_t ncap = *cap ? *cap : 4;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return CLID_ERR_NOMEM;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem)
        return CLID_ERR_NOMEM;
    void *np = realloc(*p, ncap * elem);
    if (np == NULL)
        return CLID_ERR_NOMEM;
    *p = np;
    *cap = ncap;
    return CLID_OK;
}

clid_err clid__strlist_push(clid_strlist *l, const char *s, size_t len)
{
    CLID_TRY(clid__grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v));
    char *c = clid__strndup(s, len);
    if (c == NULL)
        return CLID_ERR_NOMEM;
    l->v[l->n++] = c;
    return CLID_OK;
}

void clid__strlist_clear(clid_strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i]);
    free(l->v);
    l->v = NULL;
    l->n = l->cap = 0;
}

int clid__strlist_contains(const clid_strlist *l, const char *s)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i], s) == 0)
            return 1;
    return 0;
}

int clid__strlist_equal(const clid_strlist *a, const clid_strlist *b)
{
    if (a->n != b->n)
        return 0;
    for (size_t i = 0; i < a->n; i++)
        if (strcmp(a->v[i], b->v[i]) != 0)
            return 0;
    return 1;
}

clid_err clid__strlist_copy(clid_strlist *dst, const clid_strlist *src)
{
    for (size_t i = 0; i < src->n; i++)
        CLID_TRY(clid__strlist_push(dst, src->v[i], strlen(src->v[i])));
    return CLID_OK;
}

int clid__is_tn(const char *s, size_t len)
{
    if (len < 1 || len > 15)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= '0' && c <= '9') || c == '#' || c == '*'))
            return 0;
    }
    return 1;
}

int clid__all_digits(const char *s, size_t len)
{
    if (len < 1)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

int clid__is_printable_ascii(const char *s, size_t len)
{
    if (len < 1)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c > 0x7e)
            return 0;
    }
    return 1;
}

int clid__is_clean_utf8(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c < 0x20 || c == 0x7f)
                return 0;
            i++;
            continue;
        }
        size_t n;
        unsigned cp, min;
        if ((c & 0xe0) == 0xc0) {
            n = 1, cp = c & 0x1f, min = 0x80;
        } else if ((c & 0xf0) == 0xe0) {
            n = 2, cp = c & 0x0f, min = 0x800;
        } else if ((c & 0xf8) == 0xf0) {
            n = 3, cp = c & 0x07, min = 0x10000;
        } else {
            return 0;
        }
        if (len - i <= n)
            return 0;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
            cp = (cp << 6) | (s[i + k] & 0x3f);
        }
        if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
            return 0;
        if (cp >= 0x80 && cp <= 0x9f) /* C1 controls */
            return 0;
        i += n + 1;
    }
    return 1;
}
