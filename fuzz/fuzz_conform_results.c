/*
 * libFuzzer target: a results.json as `clid conform report` reads it
 * (tools/conform/report_view.c), then rendered as text and as HTML
 * (report_text.c, report_html.c). Results files travel between event
 * operators and participants, and every string in them (a verifier's
 * detail, a case title) came from someone else: hostile. Beyond the
 * sanitizers the target checks that a results file the checker accepts
 * renders, and that no string in it can open markup in the page: the HTML
 * holds exactly the page's own two <script> elements, whatever the input.
 * Corpus: fuzz/corpus/conform_results/.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "conform/report.h"
#include "conform/report_int.h"
#include "fuzz_common.h"

#define MAX_RESULTS (1024 * 1024)

static size_t count(const char *hay, size_t len, const char *needle)
{
    size_t n = 0, k = strlen(needle);
    for (size_t i = 0; i + k <= len; i++)
        if (memcmp(hay + i, needle, k) == 0)
            n++;
    return n;
}

static void render(const rep_view *v)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(rep_write_text(v, f) == 0);
    FUZZ_CHECK(fclose(f) == 0);
    free(buf);

    buf = NULL;
    len = 0;
    f = open_memstream(&buf, &len);
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(rep_write_html(v, f) == 0);
    FUZZ_CHECK(fclose(f) == 0);
    FUZZ_CHECK(count(buf, len, "<script") == 2);
    FUZZ_CHECK(count(buf, len, "<img") == 0);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_RESULTS)
        return 0;
    json_error_t jerr;
    json_t *root = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL)
        return 0;
    char err[256];
    rep_view v;
    if (rep_view_build(root, &v, err, sizeof err) == 0) {
        FUZZ_CHECK(conform_report_check(root, err, sizeof err) == 0);
        render(&v);
        rep_view_free(&v);
    } else {
        FUZZ_CHECK(err[0] != '\0'); /* a refusal always says why */
        FUZZ_CHECK(conform_report_check(root, err, sizeof err) != 0);
    }
    json_decref(root);
    return 0;
}
