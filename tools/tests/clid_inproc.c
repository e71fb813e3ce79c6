/*
 * clid_inproc: runs many clid command lines in ONE process, for the tool
 * tests that run hundreds of them (test-only; not installed).
 *
 *   clid_inproc [--watch DIR]... [--names DIR]... SCRIPT OUTDIR
 *
 * SCRIPT holds one command per line, its words separated by TABs, without
 * the leading "clid" ("cert<TAB>show<TAB>m1.der"); an empty word is an
 * empty argument. Line N runs through the same command functions as the
 * clid binary (cmd_ca, cmd_cert, cmd_sign, cmd_verify; tools/main.c), with
 * standard input from /dev/null and standard output and error in
 * OUTDIR/N.out and OUTDIR/N.err, and main()'s rule that output which
 * cannot be written turns success into status 1. After it, one line is
 * appended to OUTDIR/status:
 *
 *   N STATUS OUT_BYTES ERR_LINES [HASH]...
 *
 * ERR_LINES counts newline characters (as wc -l); one HASH (SHA-256, hex)
 * per --watch DIR: every path under DIR with its type, mode and size and
 * every regular file's contents; then one per --names DIR: every path
 * under DIR with its type, mode and size. Both skip OUTDIR and what is
 * in it, wherever it is. Line "0 - - -" holds the hashes
 * before the first command: a test compares each command's with the one
 * before it to see that a failing command changed nothing.
 *
 * Why: under ASan+UBSan every clid process costs ~0.1 s of CPU to start
 * and to check for leaks at exit, so a shell loop of 400 runs took minutes
 * on a busy 2-core machine. One process keeps every check: a memory error
 * aborts the batch (the last status line names the command before it) and
 * a leak in any command fails the batch at exit. The commands must not
 * keep state between calls (tools/util.h: "no global state, so commands
 * can be called repeatedly"); the tests still run their first commands
 * through the real binary too and compare (tools/tests/inproc.sh).
 * Exit status: 0 every command ran (whatever its status), 2 usage or I/O
 * error of the runner itself.
 */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "commands.h"

#define MAX_LINE (256 * 1024)
#define MAX_WORDS 256
#define MAX_DIRS 8

static const tool_cmd commands[] = {
    {"ca", NULL, cmd_ca, cmd_ca_help},
    {"cert", NULL, cmd_cert, cmd_cert_help},
    {"conform", NULL, cmd_conform, cmd_conform_help},
    {"sign", NULL, cmd_sign, cmd_sign_help},
    {"verify", NULL, cmd_verify, cmd_verify_help},
};

static int die(const char *what)
{
    fprintf(stderr, "clid_inproc: %s: %s\n", what, strerror(errno));
    return 2;
}

/* --- directory hashes --------------------------------------------------- */

typedef struct entry {
    char *line; /* "path type mode size" */
    char *file; /* regular file to hash, or NULL */
} entry;

static struct {
    entry *v;
    size_t n, cap;
    int contents;
    dev_t skip_dev; /* OUTDIR, not listed with its subtree: found by inode, */
    ino_t skip_ino; /* then skipped by the path the walk reports for it */
    char skip[4096];
    int failed;
} walk;

static int under(const char *path, const char *dir)
{
    size_t n = strlen(dir);
    return dir[0] != '\0' && strncmp(path, dir, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

static int add_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)ftw;
    if (flag == FTW_D && st->st_dev == walk.skip_dev && st->st_ino == walk.skip_ino)
        snprintf(walk.skip, sizeof walk.skip, "%s", path);
    if (under(path, walk.skip))
        return 0;
    if (walk.n == walk.cap) {
        size_t cap = walk.cap ? walk.cap * 2 : 64;
        entry *v = realloc(walk.v, cap * sizeof *v);
        if (v == NULL)
            return walk.failed = 1;
        walk.v = v;
        walk.cap = cap;
    }
    char type = flag == FTW_D || flag == FTW_DP ? 'd' : S_ISREG(st->st_mode) ? 'f' : 'o';
    char buf[64];
    snprintf(buf, sizeof buf, " %c %o %lld", type, (unsigned)(st->st_mode & 07777),
             type == 'd' ? 0LL : (long long)st->st_size);
    size_t len = strlen(path) + strlen(buf) + 1;
    entry *e = &walk.v[walk.n];
    e->line = malloc(len);
    e->file = walk.contents && type == 'f' ? strdup(path) : NULL;
    if (e->line == NULL || (walk.contents && type == 'f' && e->file == NULL))
        return walk.failed = 1;
    snprintf(e->line, len, "%s%s", path, buf);
    walk.n++;
    return 0;
}

static int by_line(const void *a, const void *b)
{
    return strcmp(((const entry *)a)->line, ((const entry *)b)->line);
}

static int hash_file(EVP_MD_CTX *md, const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    unsigned char buf[16384];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        EVP_DigestUpdate(md, buf, n);
    int bad = ferror(f);
    fclose(f);
    return bad ? -1 : 0;
}

/* Writes the hex SHA-256 of DIR's listing (and contents) into hex[65]. */
static int dir_hash(const char *dir, int contents, const char *skip, char hex[65])
{
    struct stat sk;
    walk.n = 0;
    walk.contents = contents;
    walk.skip[0] = '\0';
    walk.skip_dev = 0;
    walk.skip_ino = 0;
    if (stat(skip, &sk) == 0) {
        walk.skip_dev = sk.st_dev;
        walk.skip_ino = sk.st_ino;
    }
    walk.failed = 0;
    int rc = nftw(dir, add_entry, 16, FTW_PHYS);
    qsort(walk.v, walk.n, sizeof *walk.v, by_line);
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    if (md == NULL || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
        rc = -1;
    for (size_t i = 0; i < walk.n; i++) {
        if (rc == 0) {
            EVP_DigestUpdate(md, walk.v[i].line, strlen(walk.v[i].line) + 1);
            if (walk.v[i].file != NULL && hash_file(md, walk.v[i].file) != 0)
                rc = -1;
        }
        free(walk.v[i].line);
        free(walk.v[i].file);
    }
    unsigned char d[32];
    unsigned int dlen = 0;
    if (rc == 0 && EVP_DigestFinal_ex(md, d, &dlen) != 1)
        rc = -1;
    EVP_MD_CTX_free(md);
    if (rc != 0 || walk.failed) {
        /* A directory that cannot be read hashes as "-": it differs from
         * any real hash, so the test reports it. */
        strcpy(hex, "-");
        return 0;
    }
    for (unsigned i = 0; i < dlen; i++)
        snprintf(hex + 2 * i, 3, "%02x", d[i]);
    return 0;
}

/* --- running one command --------------------------------------------------- */

static int run_words(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (argc > 0 && strcmp(argv[0], commands[i].name) == 0)
            return commands[i].run(argc, argv);
    fprintf(stderr, "clid_inproc: unknown command '%s'\n", argc > 0 ? argv[0] : "");
    return 64;
}

/* Points fd at PATH (opened with FLAGS). */
static int redirect(int fd, const char *path, int flags)
{
    int f = open(path, flags, 0644);
    if (f < 0)
        return -1;
    int rc = dup2(f, fd) < 0 ? -1 : 0;
    close(f);
    return rc;
}

static long count_newlines(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return -1;
    long n = 0;
    int c;
    while ((c = getc(f)) != EOF)
        n += c == '\n';
    fclose(f);
    return n;
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void print_hashes(FILE *status, const char **watch, int nwatch, const char **names,
                         int nnames, const char *outdir)
{
    char hex[65];
    for (int w = 0; w < nwatch; w++) {
        dir_hash(watch[w], 1, outdir, hex);
        fprintf(status, " %s", hex);
    }
    for (int w = 0; w < nnames; w++) {
        dir_hash(names[w], 0, outdir, hex);
        fprintf(status, " %s", hex);
    }
    fputc('\n', status);
    fflush(status);
}

int main(int argc, char **argv)
{
    const char *watch[MAX_DIRS], *names[MAX_DIRS];
    int nwatch = 0, nnames = 0, i = 1;
    for (; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--watch") == 0 && nwatch < MAX_DIRS)
            watch[nwatch++] = argv[i + 1];
        else if (strcmp(argv[i], "--names") == 0 && nnames < MAX_DIRS)
            names[nnames++] = argv[i + 1];
        else
            break;
    }
    if (argc - i != 2) {
        fprintf(stderr, "usage: clid_inproc [--watch DIR]... [--names DIR]... SCRIPT OUTDIR\n");
        return 2;
    }
    const char *script = argv[i], *outdir = argv[i + 1];
    FILE *in = fopen(script, "r");
    if (in == NULL)
        return die(script);
    char path[4096];
    snprintf(path, sizeof path, "%s/status", outdir);
    FILE *status = fopen(path, "w");
    if (status == NULL)
        return die(path);
    /* The runner's own stdout/stderr, restored after each command. */
    int keep_out = dup(1), keep_err = dup(2);
    if (keep_out < 0 || keep_err < 0 || redirect(0, "/dev/null", O_RDONLY) != 0)
        return die("dup");

    fputs("0 - - -", status);
    print_hashes(status, watch, nwatch, names, nnames, outdir);

    char *line = malloc(MAX_LINE);
    if (line == NULL)
        return die("malloc");
    long n = 0;
    int rc = 0;
    while (fgets(line, MAX_LINE, in) != NULL) {
        n++;
        size_t len = strlen(line);
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        else if (!feof(in)) {
            fprintf(stderr, "clid_inproc: %s:%ld: line too long\n", script, n);
            rc = 2;
            break;
        }
        char *words[MAX_WORDS];
        int nw = 0;
        for (char *p = line;; nw++) {
            if (nw == MAX_WORDS) {
                fprintf(stderr, "clid_inproc: %s:%ld: too many words\n", script, n);
                rc = 2;
                break;
            }
            words[nw] = p;
            char *tab = strchr(p, '\t');
            if (tab == NULL) {
                nw++;
                break;
            }
            *tab = '\0';
            p = tab + 1;
        }
        if (rc != 0)
            break;
        words[nw] = NULL;

        char out[4096], err[4096];
        snprintf(out, sizeof out, "%s/%ld.out", outdir, n);
        snprintf(err, sizeof err, "%s/%ld.err", outdir, n);
        fflush(stdout);
        fflush(stderr);
        if (redirect(1, out, O_WRONLY | O_CREAT | O_TRUNC) != 0 ||
            redirect(2, err, O_WRONLY | O_CREAT | O_TRUNC) != 0) {
            dup2(keep_err, 2);
            rc = die(out);
            break;
        }
        int st = run_words(nw, words);
        /* As tools/main.c: output that could not be written is a failure. */
        if ((fflush(stdout) != 0 || ferror(stdout)) && st == 0) {
            fprintf(stderr, "clid: cannot write to standard output\n");
            st = 1;
        }
        clearerr(stdout);
        fflush(stderr);
        dup2(keep_out, 1);
        dup2(keep_err, 2);

        fprintf(status, "%ld %d %ld %ld", n, st, file_size(out), count_newlines(err));
        /* Flushed per command: after an abort the file names the last one done. */
        print_hashes(status, watch, nwatch, names, nnames, outdir);
    }
    free(line);
    free(walk.v);
    fclose(in);
    if (fclose(status) != 0)
        return die("status");
    close(keep_out);
    close(keep_err);
    return rc;
}
