/*
 * Shared by the fuzz targets: the libFuzzer entry point's prototype (the
 * project builds with -Wmissing-prototypes) and an invariant check that
 * aborts, so that libFuzzer, the replay driver and ctest all see a crash.
 */
#ifndef CLID_FUZZ_COMMON_H
#define CLID_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                          \
    do {                                                                                          \
        if (!(cond)) {                                                                            \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);          \
            abort();                                                                              \
        }                                                                                         \
    } while (0)

#endif /* CLID_FUZZ_COMMON_H */
