/*
 * libFuzzer target: `clid conform grade`'s explanation of one Identity header
 * value (tools/conform/grade_jose.c). The values come from a participant's
 * signer at an interop event: untrusted bytes, parsed by the tool's own
 * code (parameters, base64url, the JOSE header and claims with jansson,
 * the signature form) before the library's verdict. Beyond "no crash, no
 * leak, no UB" (the sanitizers) the target checks what grade promises: every
 * defect is an object with a non-empty id, clause and one-line text (no CR
 * or LF: the text report prints it on one line), and the facts handed to the
 * verification are sane (div is 0 or 1, iat never negative).
 * Corpus: fuzz/corpus/conform_grade/ (values from the conformance suite).
 */
#include <string.h>

#include "conform/grade.h"
#include "fuzz_common.h"

#define MAX_VALUE (64 * 1024) /* grade reads at most this much of one value */

static void check_defect(const json_t *d)
{
    FUZZ_CHECK(json_is_object(d));
    static const char *const members[] = {"id", "clause", "text"};
    for (size_t i = 0; i < sizeof members / sizeof members[0]; i++) {
        const char *s = json_string_value(json_object_get(d, members[i]));
        FUZZ_CHECK(s != NULL && s[0] != '\0');
        FUZZ_CHECK(strpbrk(s, "\r\n") == NULL);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > MAX_VALUE)
        return 0;
    char *value = malloc(size + 1);
    if (value == NULL)
        return 0;
    memcpy(value, data, size);
    value[size] = '\0'; /* grade reads values NUL-terminated (a NUL inside cuts it) */
    const grade_call call = {.orig = "12025550100",
                             .dest = "12025550199",
                             .date = 1780315200,
                             .at = 1780315210,
                             .max_age = 60};
    json_t *defects = json_array();
    FUZZ_CHECK(defects != NULL);
    grade_facts facts = {0, 0};
    grade_identity_checks(value, &call, defects, &facts);
    size_t i;
    json_t *d;
    json_array_foreach(defects, i, d) check_defect(d);
    FUZZ_CHECK(facts.div == 0 || facts.div == 1);
    FUZZ_CHECK(facts.iat >= 0);
    json_decref(defects);
    free(value);
    return 0;
}
