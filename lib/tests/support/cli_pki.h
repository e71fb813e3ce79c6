/*
 * A small STIR PKI made with the openssl 3.0 command line (not with clid),
 * to show that certificates from the usual tools pass clid's strict
 * validation. Valid 2026-11-22T00:31:30Z .. 2036-11-19 (root and STI-CA as
 * long). Generated with:
 *
 *   openssl ecparam -name prime256v1 -genkey -noout -out root.key
 *   openssl req -new -x509 -key root.key -subj "/CN=CLI Test Root" -days 3650 -out root.pem
 *     (stock v3_ca: SKI, AKI, basicConstraints critical CA:TRUE, and NO keyUsage)
 *   int.ext: basicConstraints=critical,CA:TRUE,pathlen:1
 *            keyUsage=critical,keyCertSign,cRLSign
 *            subjectKeyIdentifier=hash  authorityKeyIdentifier=keyid:always
 *   openssl x509 -req -in int.csr -CA root.pem -CAkey root.key -set_serial 4097 \
 *     -days 3650 -extfile int.ext -out int.pem
 *   sp.ext:  basicConstraints=critical,CA:FALSE  keyUsage=critical,digitalSignature
 *            subjectKeyIdentifier=hash  authorityKeyIdentifier=keyid:always
 *            1.3.6.1.5.5.7.1.26=DER:30:08:A0:06:16:04:37:30:39:4A   (SPC "709J")
 *   openssl x509 -req -in sp.csr -CA int.pem -CAkey int.key -set_serial 8193 \
 *     -days 3650 -extfile sp.ext -out sp.pem
 *   noaki.pem: the same leaf with subjectKeyIdentifier=none, authorityKeyIdentifier=none
 *
 * `openssl verify -x509_strict` refuses sp.pem (error 92: the root has no
 * keyUsage); clid exempts the trust anchor from the profile checks.
 */
#ifndef CLID_TEST_CLI_PKI_H
#define CLID_TEST_CLI_PKI_H

#define CLI_PKI_AT 1798761600 /* 2027-01-01T00:00:00Z */

static const char cli_root_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBhTCCASugAwIBAgIUKe0WfPHnqeD3sircVZVh0QKXD0cwCgYIKoZIzj0EAwIw\n"
    "GDEWMBQGA1UEAwwNQ0xJIFRlc3QgUm9vdDAeFw0yNjExMjIwMDMxMzBaFw0zNjEx\n"
    "MTkwMDMxMzBaMBgxFjAUBgNVBAMMDUNMSSBUZXN0IFJvb3QwWTATBgcqhkjOPQIB\n"
    "BggqhkjOPQMBBwNCAAS8tjnUOXtUgb8J/Fj3wOdOpxVTY6uwNmO96iZQmYoXT9Hi\n"
    "Aok8/7fmjogaO1GME9o5wzcfY0nJKuReKFSVmkOoo1MwUTAdBgNVHQ4EFgQUnV2Y\n"
    "LXIjLZElic9HuyPMZTCTE14wHwYDVR0jBBgwFoAUnV2YLXIjLZElic9HuyPMZTCT\n"
    "E14wDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNIADBFAiEA75DOEGTCX71m\n"
    "fz3x0B3t3fiJN39s+8bO9/nlOzQQSM4CIHLtRBdC86FRGd05vkE8+8tFj3U5Azli\n"
    "+eEvMqRpRUc/\n"
    "-----END CERTIFICATE-----\n";

static const char cli_int_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBiDCCAS6gAwIBAgICEAEwCgYIKoZIzj0EAwIwGDEWMBQGA1UEAwwNQ0xJIFRl\n"
    "c3QgUm9vdDAeFw0yNjExMjIwMDMxMzBaFw0zNjExMTkwMDMxMzBaMBoxGDAWBgNV\n"
    "BAMMD0NMSSBUZXN0IFNUSS1DQTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABCtB\n"
    "0BQa3OCQchjkl0Vq7+ICJlvqJRmQgqxOV14lE0kbUJTwTKBQombZwc0WoKb1MdcZ\n"
    "Xe9oEr64EZc8EsSk0LijZjBkMBIGA1UdEwEB/wQIMAYBAf8CAQEwDgYDVR0PAQH/\n"
    "BAQDAgEGMB0GA1UdDgQWBBS7m9PKOlkYQEJCb6BUaABUwlHaczAfBgNVHSMEGDAW\n"
    "gBSdXZgtciMtkSWJz0e7I8xlMJMTXjAKBggqhkjOPQQDAgNIADBFAiAbCE5sfnRU\n"
    "mP+S3KLcj62Lj4WHX0LQ7EvMJi242j34AwIhALzwTNFlUfPPF5SlpyHSWZ1N/umo\n"
    "cGd4Fyh86r0uy7ov\n"
    "-----END CERTIFICATE-----\n";

static const char cli_sp_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBwDCCAWWgAwIBAgICIAEwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPQ0xJIFRl\n"
    "c3QgU1RJLUNBMB4XDTI2MTEyMjAwMzEzMFoXDTM2MTExOTAwMzEzMFowPTELMAkG\n"
    "A1UEBhMCVVMxGDAWBgNVBAoMD0V4YW1wbGUgQ2FycmllcjEUMBIGA1UEAwwLU0hB\n"
    "S0VOIDcwOUowWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASE0h42X2nOAbH8thGi\n"
    "fsxL0YNB/XIuvE7tBm3abu5wN8U+68xsinY1uCdzKAU9Q5hvU1PBX5G7PbPBKUZc\n"
    "ZbP5o3gwdjAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDAdBgNVHQ4EFgQU\n"
    "72vZn0QDAQjaxdA72hqBXFPBgbEwHwYDVR0jBBgwFoAUu5vTyjpZGEBCQm+gVGgA\n"
    "VMJR2nMwFgYIKwYBBQUHARoECjAIoAYWBDcwOUowCgYIKoZIzj0EAwIDSQAwRgIh\n"
    "AMgzohHXaFeniiAeiB2xGwsSG2wPK/bobEvlaTaFYR4eAiEAuqzadcvUSgVfKHm3\n"
    "Pt0Fm4UAA31mvrDnld3PYMo/ulM=\n"
    "-----END CERTIFICATE-----\n";

static const char cli_noaki_pem[] =
    "-----BEGIN CERTIFICATE-----\n"
    "MIIBgDCCASWgAwIBAgICIAIwCgYIKoZIzj0EAwIwGjEYMBYGA1UEAwwPQ0xJIFRl\n"
    "c3QgU1RJLUNBMB4XDTI2MTEyMjAwMzEzMFoXDTM2MTExOTAwMzEzMFowPTELMAkG\n"
    "A1UEBhMCVVMxGDAWBgNVBAoMD0V4YW1wbGUgQ2FycmllcjEUMBIGA1UEAwwLU0hB\n"
    "S0VOIDcwOUowWTATBgcqhkjOPQIBBggqhkjOPQMBBwNCAASE0h42X2nOAbH8thGi\n"
    "fsxL0YNB/XIuvE7tBm3abu5wN8U+68xsinY1uCdzKAU9Q5hvU1PBX5G7PbPBKUZc\n"
    "ZbP5ozgwNjAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIHgDAWBggrBgEFBQcB\n"
    "GgQKMAigBhYENzA5SjAKBggqhkjOPQQDAgNJADBGAiEA3MWSjDchnIvUXtRUwxOh\n"
    "KbPiyCp73/zW3v7ix0wLkm4CIQDEPYOluYNUBi3n/cNiPswjrPiK2bBtqpyOBGKc\n"
    "YF3Lng==\n"
    "-----END CERTIFICATE-----\n";

#endif
