/* clid ca: times, keys, PEM buffers and certificate building blocks; see ca.h. */
#include "ca.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509v3.h>

/* ------------------------------------------------------------------------ */
/* Time                                                                      */
/* ------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (no timegm in POSIX). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : dm[m - 1];
}

/* RFC 3339 §5.6 date-time; fractions of a second are dropped. */
static int parse_rfc3339(const char *s, int64_t *out)
{
    int y, mo, d, h, mi, sec;
    if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
        s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't') ||
        digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
        digits(s + 17, 2, &sec))
        return -1;
    if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
        mi > 59 || sec > 60)
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return -1;
        while (isdigit((unsigned char)*p))
            p++;
    }
    int64_t offset = 0;
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (digits(p + 1, 2, &oh) || p[3] != ':' || digits(p + 4, 2, &om) || oh > 23 || om > 59)
            return -1;
        offset = (oh * 60 + om) * 60 * (*p == '+' ? 1 : -1);
        p += 6;
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    if (sec == 60)
        sec = 59; /* a leap second is stored as the second before it */
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - offset;
    return *out >= 0 ? 0 : -1;
}

int ca_parse_time(const char *s, int64_t *out)
{
    if (s == NULL || *s == '\0')
        return -1;
    size_t n = strspn(s, "0123456789");
    if (s[n] == '\0') {
        /* Unix seconds up to 9999-12-31 (RFC 5280 GeneralizedTime's years). */
        if (n > 12)
            return -1;
        int64_t v = strtoll(s, NULL, 10);
        if (v > 253402300799LL)
            return -1;
        *out = v;
        return 0;
    }
    return parse_rfc3339(s, out);
}

void ca_format_time(int64_t t, char *out, size_t cap)
{
    struct tm tm;
    time_t tt = (time_t)t;
    if (gmtime_r(&tt, &tm) == NULL || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
        snprintf(out, cap, "?");
}

int ca_asn1_time_unix(const ASN1_TIME *t, int64_t *out)
{
    struct tm tm;
    memset(&tm, 0, sizeof tm);
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
        return -1;
    *out = days_from_civil(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday) * 86400 +
           tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
    return 0;
}

int64_t ca_now(void)
{
    return (int64_t)time(NULL);
}

int ca_parse_days(const char *cmd, const char *value, long *out)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(value, &end, 10);
    if (!isdigit((unsigned char)value[0]) || errno != 0 || *end != '\0' || v < 1 ||
        v > CA_MAX_DAYS)
        return tool_usage_error(cmd, "ca", "--days '%s': expected a whole number of days, 1 to %d",
                                value, CA_MAX_DAYS);
    *out = v;
    return TOOL_EXIT_OK;
}

int ca_parse_time_opt(const char *cmd, const char *opt, const char *value, int64_t *out)
{
    if (ca_parse_time(value, out) != 0)
        return tool_usage_error(cmd, "ca",
                                "%s '%s': expected Unix seconds or an RFC 3339 date-time "
                                "(2026-01-01T00:00:00Z)",
                                opt, value);
    return TOOL_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* Buffers                                                                   */
/* ------------------------------------------------------------------------ */

int ca_buf_add(ca_buf *b, const void *data, size_t len)
{
    if (len > SIZE_MAX - b->len - 1)
        return -1;
    char *p = realloc(b->p, b->len + len + 1);
    if (p == NULL)
        return -1;
    if (len > 0)
        memcpy(p + b->len, data, len);
    b->p = p;
    b->len += len;
    b->p[b->len] = '\0';
    return 0;
}

void ca_buf_free(ca_buf *b)
{
    if (b->p != NULL)
        OPENSSL_cleanse(b->p, b->len); /* buffers may hold private keys */
    free(b->p);
    b->p = NULL;
    b->len = 0;
}

static int buf_from_bio(ca_buf *b, BIO *bio, int ok)
{
    char *data = NULL;
    long n = ok ? BIO_get_mem_data(bio, &data) : -1;
    int rc = n >= 0 ? ca_buf_add(b, data, (size_t)n) : -1;
    if (n > 0)
        OPENSSL_cleanse(data, (size_t)n);
    BIO_free(bio);
    return rc;
}

int ca_buf_cert(ca_buf *b, X509 *x)
{
    BIO *bio = BIO_new(BIO_s_mem());
    return bio ? buf_from_bio(b, bio, PEM_write_bio_X509(bio, x) == 1) : -1;
}

int ca_buf_crl(ca_buf *b, X509_CRL *c)
{
    BIO *bio = BIO_new(BIO_s_mem());
    return bio ? buf_from_bio(b, bio, PEM_write_bio_X509_CRL(bio, c) == 1) : -1;
}

int ca_buf_crl_der(ca_buf *b, X509_CRL *c)
{
    BIO *bio = BIO_new(BIO_s_mem());
    return bio ? buf_from_bio(b, bio, i2d_X509_CRL_bio(bio, c) == 1) : -1;
}

int ca_buf_key(ca_buf *b, EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    return bio ? buf_from_bio(b, bio,
                              PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) == 1)
               : -1;
}

int ca_buf_req(ca_buf *b, X509_REQ *r)
{
    BIO *bio = BIO_new(BIO_s_mem());
    return bio ? buf_from_bio(b, bio, PEM_write_bio_X509_REQ(bio, r) == 1) : -1;
}

/* ------------------------------------------------------------------------ */
/* Keys                                                                      */
/* ------------------------------------------------------------------------ */

EVP_PKEY *ca_key_generate(void)
{
    return EVP_EC_gen("P-256");
}

int ca_key_is_p256(const EVP_PKEY *k)
{
    char group[64];
    size_t glen = 0;
    if (k == NULL || !EVP_PKEY_is_a(k, "EC"))
        return 0;
    if (EVP_PKEY_get_group_name(k, group, sizeof group, &glen) != 1)
        return 0;
    return strcmp(group, "prime256v1") == 0 || strcmp(group, "P-256") == 0;
}

/* Never prompt for a pass phrase: a lab CA tool must not hang on a terminal. */
static int no_password(char *buf, int size, int rwflag, void *u)
{
    (void)buf;
    (void)size;
    (void)rwflag;
    (void)u;
    return -1;
}

int ca_key_load(const char *path, EVP_PKEY **out)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = tool_read_file(path, CA_MAX_SMALL, &buf, &len);
    if (rc != TOOL_EXIT_OK)
        return rc;
    BIO *bio = BIO_new_mem_buf(buf, (int)len);
    EVP_PKEY *k = bio ? PEM_read_bio_PrivateKey(bio, NULL, no_password, NULL) : NULL;
    BIO_free(bio);
    OPENSSL_cleanse(buf, len);
    free(buf);
    if (k == NULL) {
        tool_openssl_errors();
        tool_error("%s: %s: %s (an unencrypted PEM private key is expected)", path,
                   clid_err_name(CLID_ERR_KEY_PARSE), clid_err_str(CLID_ERR_KEY_PARSE));
        return TOOL_EXIT_DATAERR;
    }
    if (!ca_key_is_p256(k)) {
        EVP_PKEY_free(k);
        tool_error("%s: %s: %s", path, clid_err_name(CLID_ERR_KEY_TYPE),
                   clid_err_str(CLID_ERR_KEY_TYPE));
        return TOOL_EXIT_DATAERR;
    }
    *out = k;
    return TOOL_EXIT_OK;
}

int ca_cert_load(const char *path, X509 **out, tool_certs *all)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    *out = NULL;
    int rc = tool_read_file(path, TOOL_MAX_FILE, &buf, &len);
    if (rc != TOOL_EXIT_OK)
        return rc;
    tool_certs certs = {.n = 0};
    rc = tool_parse_certs(path, buf, len, &certs);
    free(buf);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (X509_up_ref(certs.v[0]) != 1) {
        tool_certs_free(&certs);
        tool_error("%s: out of memory", path);
        return TOOL_EXIT_FAIL;
    }
    *out = certs.v[0];
    if (all != NULL)
        *all = certs;
    else
        tool_certs_free(&certs);
    return TOOL_EXIT_OK;
}

/* ------------------------------------------------------------------------ */
/* Certificate fields                                                        */
/* ------------------------------------------------------------------------ */

int ca_serial_parse(const char *s, ca_serial *out)
{
    char digits[2 * 20 + 1];
    size_t n = 0;
    if (s == NULL)
        return -1;
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
        s += 2;
    for (; *s != '\0'; s++) {
        if (*s == ':')
            continue;
        if (!isxdigit((unsigned char)*s))
            return -1;
        if (n == 0 && *s == '0')
            continue; /* leading zeros: the same number */
        if (n == sizeof digits - 1)
            return -1; /* more than 20 octets */
        digits[n++] = (char)toupper((unsigned char)*s);
    }
    if (n == 0)
        return -1; /* empty, or zero: RFC 5280 §4.1.2.2 wants a positive serial */
    size_t o = 0;
    if (n % 2 == 1)
        out->hex[o++] = '0';
    memcpy(out->hex + o, digits, n);
    out->hex[o + n] = '\0';
    return 0;
}

int ca_serial_eq(const ca_serial *a, const ca_serial *b)
{
    return strcmp(a->hex, b->hex) == 0;
}

ASN1_INTEGER *ca_serial_asn1(const ca_serial *s)
{
    BIGNUM *bn = NULL;
    ASN1_INTEGER *ai = NULL;
    if (BN_hex2bn(&bn, s->hex) > 0)
        ai = BN_to_ASN1_INTEGER(bn, NULL);
    BN_free(bn);
    return ai;
}

int ca_set_serial(X509 *x, const ca_serial *s)
{
    ASN1_INTEGER *ai = ca_serial_asn1(s);
    int ok = ai != NULL && X509_set_serialNumber(x, ai) == 1;
    ASN1_INTEGER_free(ai);
    return ok ? 0 : -1;
}

int ca_get_serial(const X509 *x, ca_serial *out)
{
    const ASN1_INTEGER *ai = X509_get0_serialNumber(x);
    BIGNUM *bn = ASN1_INTEGER_to_BN(ai, NULL);
    char *hex = bn != NULL && !BN_is_negative(bn) ? BN_bn2hex(bn) : NULL;
    int rc = hex != NULL ? ca_serial_parse(hex, out) : -1;
    OPENSSL_free(hex);
    BN_free(bn);
    return rc;
}

int ca_serial_random(ca_serial *out)
{
    unsigned char b[16];
    for (;;) {
        if (RAND_bytes(b, sizeof b) != 1)
            return -1;
        b[0] = (unsigned char)((b[0] & 0x3F) | 0x40);
        /* The low 32 bits below 2^16 look like a counter to a linter (and
         * to ours: serial.sequential); drawing again costs 2^-16 bits. */
        if (b[12] == 0 && b[13] == 0)
            continue;
        for (size_t i = 0; i < sizeof b; i++)
            snprintf(out->hex + 2 * i, 3, "%02X", b[i]);
        return 0;
    }
}

int ca_add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
    X509V3_CTX ctx;
    X509V3_set_ctx(&ctx, issuer, x, NULL, NULL, 0);
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
    int ok = ext != NULL && X509_add_ext(x, ext, -1) == 1;
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

/* RFC 5280 §4.2.1.4 certificatePolicies with one policy OID and no qualifiers. */
int ca_add_policy(X509 *x, const char *oid)
{
    int ok = 0;
    CERTIFICATEPOLICIES *pols = sk_POLICYINFO_new_null();
    POLICYINFO *pi = POLICYINFO_new();
    ASN1_OBJECT *obj = OBJ_txt2obj(oid, 1);
    if (pols == NULL || pi == NULL || obj == NULL)
        goto out;
    ASN1_OBJECT_free(pi->policyid);
    pi->policyid = obj;
    obj = NULL;
    if (sk_POLICYINFO_push(pols, pi) == 0)
        goto out;
    pi = NULL;
    ok = X509_add1_ext_i2d(x, NID_certificate_policies, pols, 0, 0) == 1;
out:
    ASN1_OBJECT_free(obj);
    POLICYINFO_free(pi);
    CERTIFICATEPOLICIES_free(pols);
    return ok ? 0 : -1;
}

/* ASN1_TIME_set picks UTCTime through 2049 and GeneralizedTime after, as
 * RFC 5280 §4.1.2.5 requires. */
int ca_set_validity(X509 *x, int64_t not_before, int64_t not_after)
{
    if (ASN1_TIME_set(X509_getm_notBefore(x), (time_t)not_before) == NULL ||
        ASN1_TIME_set(X509_getm_notAfter(x), (time_t)not_after) == NULL)
        return -1;
    return 0;
}

X509_NAME *ca_make_name(const char *cn, const char *org, const char *country)
{
    X509_NAME *n = X509_NAME_new();
    if (n == NULL)
        return NULL;
    if ((country != NULL &&
         X509_NAME_add_entry_by_txt(n, "C", MBSTRING_ASC, (const unsigned char *)country, -1, -1,
                                    0) != 1) ||
        (org != NULL && X509_NAME_add_entry_by_txt(n, "O", MBSTRING_UTF8,
                                                   (const unsigned char *)org, -1, -1, 0) != 1) ||
        X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_UTF8, (const unsigned char *)cn, -1, -1,
                                   0) != 1) {
        X509_NAME_free(n);
        return NULL;
    }
    return n;
}

int ca_cert_sha256(const X509 *x, char *out, size_t cap)
{
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (cap < 65 || X509_digest(x, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32)
        return -1;
    for (unsigned i = 0; i < mdlen; i++)
        snprintf(out + 2 * i, 3, "%02x", md[i]);
    return 0;
}

char *ca_name_string(const X509_NAME *name)
{
    char *s = NULL;
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL)
        return NULL;
    unsigned long flags = XN_FLAG_RFC2253 & ~(unsigned long)ASN1_STRFLGS_ESC_MSB;
    if (X509_NAME_print_ex(bio, name, 0, flags) >= 0) {
        char *data = NULL;
        long n = BIO_get_mem_data(bio, &data);
        s = n >= 0 ? malloc((size_t)n + 1) : NULL;
        if (s != NULL) {
            if (n > 0)
                memcpy(s, data, (size_t)n);
            s[n] = '\0';
        }
    }
    BIO_free(bio);
    return s;
}
