/*
 * Shared by the ISUP unit tests: hand-built IAMs written from the field
 * layouts of ITU-T Q.763 (isup_fixture.c names every octet), the IAM as a
 * generic codec for clid_test.h's sweeps, and a SIP-I request builder.
 */
#ifndef CLID_ISUP_FIXTURE_H
#define CLID_ISUP_FIXTURE_H

#include "support/clid_test.h"

#include <clid/clid_isup.h>

/* Every parameter clid decodes, Generic Number twice, two parameters clid
 * does not know, and an APM for context 90 holding "tok". */
extern const uint8_t IAM_FULL[];
extern const size_t IAM_FULL_LEN;
/* Only the fixed part and the Called Party Number (pointer to optional 0). */
extern const uint8_t IAM_MIN[];
extern const size_t IAM_MIN_LEN;

extern const ct_codec ISUP_IAM_CODEC;

/* Parses what must parse. */
clid_isup_iam *fx_parse(const uint8_t *buf, size_t len);
/* Encodes into a malloc'd buffer through the size query; *len its length. */
uint8_t *fx_encode(const clid_isup_iam *iam, size_t *len);
/* An exact-size heap copy parsed; the error. */
clid_err fx_parse_err(const uint8_t *buf, size_t len);

/* "INVITE ... Content-Type: <ctype>\r\n<extra headers>Content-Length: N\r\n
 * \r\n<body>" into a malloc'd buffer (*len its length; NUL-terminated,
 * though the body may hold NULs). */
char *fx_sip(const char *ctype, const char *extra, const uint8_t *body, size_t body_len,
             size_t *len);

#endif /* CLID_ISUP_FIXTURE_H */
