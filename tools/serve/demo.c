/*
 * clid serve --demo: a throwaway CA and signer made with `clid ca` run in
 * process (like clid conform gen, tools/conform/gen_pki.c), in a temporary
 * directory removed on exit; a configuration that trusts the CA's root,
 * signs with x5u = this server's own URL of the chain (served at that
 * path), and maps that URL to the chain file so that verification needs no
 * network; and the curl commands that sign and verify a call.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "commands.h"
#include "serve/server.h"
#include "util.h"

#define DEMO_ORIG "12025550100"
#define DEMO_DEST "12025550101"

int serve_demo_pki(char *dir, size_t cap)
{
    const char *tmp = getenv("TMPDIR");
    if (snprintf(dir, cap, "%s/clid-serve-demo.XXXXXX", tmp && *tmp ? tmp : "/tmp") >= (int)cap ||
        mkdtemp(dir) == NULL) {
        tool_error("serve --demo: cannot make a temporary directory");
        return TOOL_EXIT_FAIL;
    }
    char ca[4096], sp[4096];
    snprintf(ca, sizeof ca, "%s/ca", dir);
    snprintf(sp, sizeof sp, "%s/sp", dir);
    int rc = cmd_ca_quiet("serve --demo", "init", ca, "--name", "clid serve demo", "--org",
                          "clid serve demo", NULL);
    if (rc == TOOL_EXIT_OK)
        rc = cmd_ca_quiet("serve --demo", "issue", ca, "--spc", "1001", "--out", sp, NULL);
    return rc;
}

int serve_demo_config(const char *dir, unsigned port, char *file, size_t cap)
{
    char root[4096], crl[4096], crl_signer[4096], key[4096], chain[4096], x5u[128];
    snprintf(root, sizeof root, "%s/ca/root.pem", dir);
    /* The STI-PA CRL `clid ca init` signed, and its signer: the demo's
     * certificates name that CRL, so without it every verdict would carry
     * CLID_ERR_CRL_UNAVAILABLE (docs/verification.md, "Revocation"). */
    snprintf(crl, sizeof crl, "%s/ca/sti-pa-crl.pem", dir);
    snprintf(crl_signer, sizeof crl_signer, "%s/ca/crl-signer.pem", dir);
    snprintf(key, sizeof key, "%s/sp.key", dir);
    snprintf(chain, sizeof chain, "%s/sp.pem", dir);
    snprintf(x5u, sizeof x5u, "http://127.0.0.1:%u/certs/sp.pem", port);
    snprintf(file, cap, "%s/config.json", dir);
    json_t *c = json_pack("{s:[{s:s,s:i}],s:{s:[s],s:[s],s:[s],s:{s:s}},s:{s:s,s:s,s:s}}",
                          "listen", "address", "127.0.0.1", "port", (int)port, "verify", "trust",
                          root, "crl", crl, "crl_signer", crl_signer, "x5u_map", x5u, chain,
                          "sign", "key", key, "cert", chain, "x5u", x5u);
    int rc = c != NULL && json_dump_file(c, file, JSON_INDENT(2)) == 0 ? TOOL_EXIT_OK
                                                                       : TOOL_EXIT_FAIL;
    json_decref(c);
    if (rc != TOOL_EXIT_OK)
        tool_error("serve --demo: cannot write %s", file);
    return rc;
}

void serve_demo_print(FILE *f, const char *dir, unsigned port)
{
    fprintf(f,
            "clid serve --demo: listening on http://127.0.0.1:%u/ (loopback only)\n"
            "A throwaway CA and signer are in %s (removed on exit).\n"
            "\n"
            "Sign a call (the Identity header value):\n"
            "  ID=$(curl -s -H 'Content-Type: application/json' "
            "-d '{\"signingRequest\":{\"attest\":\"A\",\"orig\":{\"tn\":\"" DEMO_ORIG "\"},"
            "\"dest\":{\"tn\":[\"" DEMO_DEST "\"]},\"origid\":\"123e4567-e89b-42d3-a456-426614174000\"}}' "
            "http://127.0.0.1:%u/stir/v1/signing | sed -n 's/.*\"identity\":\"\\([^\"]*\\)\".*/\\1/p'); echo \"$ID\"\n"
            "\n"
            "Verify it:\n"
            "  curl -s -H 'Content-Type: application/json' "
            "-d '{\"verificationRequest\":{\"from\":{\"tn\":\"" DEMO_ORIG "\"},"
            "\"to\":{\"tn\":[\"" DEMO_DEST "\"]},\"identity\":\"'\"$ID\"'\"}}' "
            "http://127.0.0.1:%u/stir/v1/verification; echo\n"
            "\n"
            "The signer's chain (its x5u): curl -s http://127.0.0.1:%u/certs/sp.pem\n"
            "Health and metrics: curl -s http://127.0.0.1:%u/healthz; "
            "curl -s http://127.0.0.1:%u/metrics\n"
            "Stop with Ctrl-C.\n",
            port, dir, port, port, port, port, port);
    fflush(f);
}

/* Removes DIR and what clid ca made in it (files and directories of our
 * own making: no symbolic link is followed, unlinkat on each entry). */
static void rm_tree(int parent, const char *name)
{
    int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd >= 0) {
        DIR *d = fdopendir(fd);
        if (d != NULL) {
            struct dirent *e;
            while ((e = readdir(d)) != NULL)
                if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                    rm_tree(dirfd(d), e->d_name);
            closedir(d);
        } else {
            close(fd);
        }
        unlinkat(parent, name, AT_REMOVEDIR);
    } else {
        unlinkat(parent, name, 0);
    }
}

void serve_demo_cleanup(const char *dir)
{
    if (dir != NULL && *dir != '\0')
        rm_tree(AT_FDCWD, dir);
}
