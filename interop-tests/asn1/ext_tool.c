/*
 * ext_tool: a TEST helper (not the product's `clid` tool) that exposes the
 * extension codecs to the interop scripts next to it, so that their output
 * can be compared with what openssl and asn1crypto make of the same bytes.
 *
 *   ext_tool encode tnauth OUT ENTRY...     spc=S  tn=T  range=START+COUNT
 *   ext_tool encode jwtcc8226|jwtcc9118 OUT ITEM...
 *                                           inc=NAME  exc=NAME  perm=CLAIM=VALUE
 *   ext_tool encode entity OUT ROLE ITEM... cc=CC  carrier=ICC  plmn=MCC-MNC
 *                                           ispc=N|Z-AAA-B  name=TEXT
 *   ext_tool decode TYPE FILE               TYPE: tnauth jwtcc8226 jwtcc9118 entity
 *   ext_tool cert TYPE FILE                 the extension of TYPE in a PEM or
 *                                           DER certificate; first line
 *                                           "critical 0|1"
 *
 * OUT "-" writes hex to stdout, else DER to the file. Values print one per
 * line in a fixed form (see print_*). A value clid refuses prints
 * "error CLID_ERR_..." and exits 1; usage and I/O errors exit 2.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <clid/clid.h>

#define MAX_INPUT (1024 * 1024)

static int usage(void)
{
    fputs("usage: ext_tool encode tnauth|jwtcc8226|jwtcc9118|entity OUT [ROLE] ITEM...\n"
          "       ext_tool decode tnauth|jwtcc8226|jwtcc9118|entity FILE\n"
          "       ext_tool cert tnauth|jwtcc8226|jwtcc9118|entity CERT\n",
          stderr);
    return 2;
}

/* Prints the refusal and gives exit status 1 (value refused). */
static int refused(clid_err rc)
{
    printf("error %s\n", clid_err_name(rc));
    return 1;
}

static int read_file(const char *path, uint8_t **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    uint8_t *buf = malloc(MAX_INPUT);
    if (buf == NULL) {
        fclose(f);
        return -1;
    }
    size_t n = fread(buf, 1, MAX_INPUT, f);
    int bad = ferror(f) || !feof(f);
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: read error or larger than %d bytes\n", path, MAX_INPUT);
        free(buf);
        return -1;
    }
    *out = buf;
    *len = n;
    return 0;
}

static int write_out(const char *path, const uint8_t *der, size_t len)
{
    if (strcmp(path, "-") == 0) {
        for (size_t i = 0; i < len; i++)
            printf("%02X", der[i]);
        printf("\n");
        return 0;
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(der, 1, len, f) != len) {
        perror(path);
        if (f)
            fclose(f);
        return 2;
    }
    return fclose(f) == 0 ? 0 : 2;
}

/* ------------------------------------------------------------------------ */
/* Printing                                                                  */
/* ------------------------------------------------------------------------ */

static void print_tnauth(const clid_tnauth *l)
{
    for (size_t i = 0; i < clid_tnauth_count(l); i++) {
        clid_tnauth_entry e;
        if (clid_tnauth_get(l, i, &e) != CLID_OK)
            abort();
        switch (e.kind) {
        case CLID_TNAUTH_SPC: printf("spc %s\n", e.value); break;
        case CLID_TNAUTH_TN: printf("tn %s\n", e.value); break;
        case CLID_TNAUTH_RANGE:
            printf("range %s %llu\n", e.value, (unsigned long long)e.count);
            break;
        }
    }
}

static void print_jwtcc(const clid_jwtcc *c)
{
    for (size_t i = 0; i < clid_jwtcc_must_include_count(c); i++)
        printf("must-include %s\n", clid_jwtcc_must_include(c, i));
    for (size_t i = 0; i < clid_jwtcc_permitted_count(c); i++)
        for (size_t j = 0; j < clid_jwtcc_permitted_value_count(c, i); j++)
            printf("permitted %s %s\n", clid_jwtcc_permitted_claim(c, i),
                   clid_jwtcc_permitted_value(c, i, j));
    for (size_t i = 0; i < clid_jwtcc_must_exclude_count(c); i++)
        printf("must-exclude %s\n", clid_jwtcc_must_exclude(c, i));
}

static void print_entity(const clid_entity *e)
{
    printf("role %s\n", clid_entity_role_name(clid_entity_get_role(e)));
    for (size_t i = 0; i < clid_entity_country_count(e); i++)
        printf("country %s\n", clid_entity_country(e, i));
    if (clid_entity_carrier(e))
        printf("carrier %s\n", clid_entity_carrier(e));
    for (size_t i = 0; i < clid_entity_plmn_count(e); i++)
        printf("plmn %s %s\n", clid_entity_plmn_mcc(e, i), clid_entity_plmn_mnc(e, i));
    for (size_t i = 0; i < clid_entity_ispc_count(e); i++) {
        char text[16];
        if (clid_ispc_format(clid_entity_ispc(e, i), text, sizeof text) != CLID_OK)
            abort();
        printf("ispc %u %s\n", clid_entity_ispc(e, i), text);
    }
    if (clid_entity_operator_name(e))
        printf("operator %s\n", clid_entity_operator_name(e));
}

/* ------------------------------------------------------------------------ */
/* encode                                                                    */
/* ------------------------------------------------------------------------ */

static clid_err build_tnauth(int argc, char **argv, clid_tnauth *l)
{
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        clid_err rc;
        if (strncmp(a, "spc=", 4) == 0) {
            rc = clid_tnauth_add_spc(l, a + 4);
        } else if (strncmp(a, "tn=", 3) == 0) {
            rc = clid_tnauth_add_tn(l, a + 3);
        } else if (strncmp(a, "range=", 6) == 0) {
            char *plus = strchr(a, '+');
            if (plus == NULL)
                return CLID_ERR_INVALID_ARGUMENT;
            *plus = '\0';
            rc = clid_tnauth_add_range(l, a + 6, strtoull(plus + 1, NULL, 10));
        } else {
            return CLID_ERR_INVALID_ARGUMENT;
        }
        if (rc != CLID_OK)
            return rc;
    }
    return CLID_OK;
}

static clid_err build_jwtcc(int argc, char **argv, clid_jwtcc *c)
{
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        clid_err rc;
        if (strncmp(a, "inc=", 4) == 0) {
            rc = clid_jwtcc_add_must_include(c, a + 4);
        } else if (strncmp(a, "exc=", 4) == 0) {
            rc = clid_jwtcc_add_must_exclude(c, a + 4);
        } else if (strncmp(a, "perm=", 5) == 0) {
            char *eq = strchr(a + 5, '=');
            if (eq == NULL)
                return CLID_ERR_INVALID_ARGUMENT;
            *eq = '\0';
            rc = clid_jwtcc_add_permitted(c, a + 5, eq + 1);
        } else {
            return CLID_ERR_INVALID_ARGUMENT;
        }
        if (rc != CLID_OK)
            return rc;
    }
    return CLID_OK;
}

static clid_err build_entity(int argc, char **argv, clid_entity *e)
{
    for (int i = 0; i < argc; i++) {
        char *a = argv[i];
        clid_err rc;
        if (strncmp(a, "cc=", 3) == 0) {
            rc = clid_entity_add_country(e, a + 3);
        } else if (strncmp(a, "carrier=", 8) == 0) {
            rc = clid_entity_set_carrier(e, a + 8);
        } else if (strncmp(a, "plmn=", 5) == 0) {
            char *dash = strchr(a, '-');
            if (dash == NULL)
                return CLID_ERR_INVALID_ARGUMENT;
            *dash = '\0';
            rc = clid_entity_add_plmn(e, a + 5, dash + 1);
        } else if (strncmp(a, "ispc=", 5) == 0) {
            unsigned pc = 0;
            rc = clid_ispc_parse(a + 5, &pc);
            if (rc == CLID_OK)
                rc = clid_entity_add_ispc(e, pc);
        } else if (strncmp(a, "name=", 5) == 0) {
            rc = clid_entity_set_operator_name(e, a + 5);
        } else {
            return CLID_ERR_INVALID_ARGUMENT;
        }
        if (rc != CLID_OK)
            return rc;
    }
    return CLID_OK;
}

static int cmd_encode(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *type = argv[0], *out = argv[1];
    argc -= 2, argv += 2;
    uint8_t der[CLID_EXT_MAX_DER];
    size_t len = 0;
    clid_err rc;
    if (strcmp(type, "tnauth") == 0) {
        clid_tnauth *l = NULL;
        if ((rc = clid_tnauth_new(&l)) == CLID_OK && (rc = build_tnauth(argc, argv, l)) == CLID_OK)
            rc = clid_tnauth_encode(l, der, sizeof der, &len);
        clid_tnauth_free(l);
    } else if (strcmp(type, "jwtcc8226") == 0 || strcmp(type, "jwtcc9118") == 0) {
        clid_jwtcc *c = NULL;
        clid_jwtcc_kind kind = type[5] == '8' ? CLID_JWTCC_RFC8226 : CLID_JWTCC_RFC9118;
        if ((rc = clid_jwtcc_new(kind, &c)) == CLID_OK &&
            (rc = build_jwtcc(argc, argv, c)) == CLID_OK)
            rc = clid_jwtcc_encode(c, der, sizeof der, &len);
        clid_jwtcc_free(c);
    } else if (strcmp(type, "entity") == 0) {
        if (argc < 1)
            return usage();
        clid_entity_role role;
        clid_entity *e = NULL;
        if ((rc = clid_entity_role_from_name(argv[0], &role)) == CLID_OK &&
            (rc = clid_entity_new(role, &e)) == CLID_OK &&
            (rc = build_entity(argc - 1, argv + 1, e)) == CLID_OK)
            rc = clid_entity_encode(e, der, sizeof der, &len);
        clid_entity_free(e);
    } else {
        return usage();
    }
    if (rc != CLID_OK)
        return refused(rc);
    return write_out(out, der, len);
}

/* ------------------------------------------------------------------------ */
/* decode and cert                                                           */
/* ------------------------------------------------------------------------ */

static int decode_and_print(const char *type, const uint8_t *der, size_t len)
{
    clid_err rc;
    if (strcmp(type, "tnauth") == 0) {
        clid_tnauth *l = NULL;
        if ((rc = clid_tnauth_decode(der, len, &l)) == CLID_OK)
            print_tnauth(l);
        clid_tnauth_free(l);
    } else if (strcmp(type, "jwtcc8226") == 0 || strcmp(type, "jwtcc9118") == 0) {
        clid_jwtcc *c = NULL;
        clid_jwtcc_kind kind = type[5] == '8' ? CLID_JWTCC_RFC8226 : CLID_JWTCC_RFC9118;
        if ((rc = clid_jwtcc_decode(kind, der, len, &c)) == CLID_OK)
            print_jwtcc(c);
        clid_jwtcc_free(c);
    } else if (strcmp(type, "entity") == 0) {
        clid_entity *e = NULL;
        if ((rc = clid_entity_decode(der, len, &e)) == CLID_OK)
            print_entity(e);
        clid_entity_free(e);
    } else {
        return usage();
    }
    return rc == CLID_OK ? 0 : refused(rc);
}

static const char *type_oid(const char *type)
{
    if (strcmp(type, "tnauth") == 0)
        return CLID_OID_TNAUTHLIST;
    if (strcmp(type, "jwtcc8226") == 0)
        return CLID_OID_JWT_CLAIM_CONSTRAINTS;
    if (strcmp(type, "jwtcc9118") == 0)
        return CLID_OID_ENHANCED_JWT_CLAIM_CONSTRAINTS;
    if (strcmp(type, "entity") == 0)
        return CLID_OID_SIGNALLING_ENTITY;
    return NULL;
}

static X509 *load_cert(const uint8_t *data, size_t len)
{
    BIO *b = BIO_new_mem_buf(data, (int)len);
    X509 *x = b ? PEM_read_bio_X509(b, NULL, NULL, NULL) : NULL;
    BIO_free(b);
    if (x == NULL) {
        const unsigned char *p = data;
        x = d2i_X509(NULL, &p, (long)len);
    }
    ERR_clear_error();
    return x;
}

/* Goes through the typed getters: they are the API under test. */
static int cert_and_print(const char *type, X509 *x)
{
    const char *oid = type_oid(type);
    if (oid == NULL)
        return usage();
    int critical = 0;
    clid_err rc;
    if (strcmp(type, "tnauth") == 0) {
        clid_tnauth *l = NULL;
        if ((rc = clid_x509_get_tnauth(x, &l, &critical)) == CLID_OK) {
            printf("critical %d\n", critical);
            print_tnauth(l);
        }
        clid_tnauth_free(l);
    } else if (strcmp(type, "entity") == 0) {
        clid_entity *e = NULL;
        if ((rc = clid_x509_get_entity(x, &e, &critical)) == CLID_OK) {
            printf("critical %d\n", critical);
            print_entity(e);
        }
        clid_entity_free(e);
    } else {
        clid_jwtcc *c = NULL;
        clid_jwtcc_kind kind = type[5] == '8' ? CLID_JWTCC_RFC8226 : CLID_JWTCC_RFC9118;
        if ((rc = clid_x509_get_jwtcc(x, kind, &c, &critical)) == CLID_OK) {
            printf("critical %d\n", critical);
            print_jwtcc(c);
        }
        clid_jwtcc_free(c);
    }
    return rc == CLID_OK ? 0 : refused(rc);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    if (strcmp(argv[1], "encode") == 0)
        return cmd_encode(argc - 2, argv + 2);
    if (argc != 4 || (strcmp(argv[1], "decode") != 0 && strcmp(argv[1], "cert") != 0))
        return usage();
    uint8_t *data = NULL;
    size_t len = 0;
    if (read_file(argv[3], &data, &len) != 0)
        return 2;
    int status;
    if (strcmp(argv[1], "decode") == 0) {
        status = decode_and_print(argv[2], data, len);
    } else {
        X509 *x = load_cert(data, len);
        if (x == NULL) {
            fprintf(stderr, "%s: not a PEM or DER certificate\n", argv[3]);
            status = 2;
        } else {
            status = cert_and_print(argv[2], x);
            X509_free(x);
        }
    }
    free(data);
    return status;
}
