/*
 * clid ca: the CA directory. Locking, atomic transactions, the index, new
 * serials and the CRL number. The rules (docs/ca.md "Crash safety"):
 *
 *   - every change happens under an exclusive flock(2) on DIR/lock;
 *   - every file is replaced, never edited: written whole to a temporary
 *     file in its final directory, fsync'ed, then renamed over the old one,
 *     and the directory fsync'ed, so each file is either old or new;
 *   - all temporary files of a command are written before the first rename,
 *     so any write error (disk full, I/O error, injected failure) leaves the
 *     directory exactly as it was;
 *   - renames happen in an order whose every prefix is consistent: the
 *     certificate first (certs/SERIAL.pem spends its serial: ca_serial_new
 *     never draws it again), then the index, then the files outside DIR.
 */
#include "ca.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define TMP_PREFIX ".tmp."

/* ------------------------------------------------------------------------ */
/* Failure injection                                                         */
/* ------------------------------------------------------------------------ */

int ca_hook(const char *cmd, const char *step)
{
    char name[64];
    snprintf(name, sizeof name, "%s:%s", cmd, step);
    const char *crash = getenv("CLID_CA_CRASH_AT");
    if (crash != NULL && strcmp(crash, name) == 0) {
        /* What a power cut or kill -9 does: no cleanup, no atexit. */
        raise(SIGKILL);
    }
    const char *fail = getenv("CLID_CA_FAIL_AT");
    if (fail != NULL && strcmp(fail, name) == 0) {
        tool_error("ca %s: injected failure at step '%s' (CLID_CA_FAIL_AT)", cmd, name);
        return -1;
    }
    return 0;
}

int ca_hook_defect(const char *cmd)
{
    char name[64];
    snprintf(name, sizeof name, "%s:profile", cmd);
    const char *fail = getenv("CLID_CA_FAIL_AT");
    return fail != NULL && strcmp(fail, name) == 0;
}

/* ------------------------------------------------------------------------ */
/* Files                                                                     */
/* ------------------------------------------------------------------------ */

int ca_exists_at(int dirfd, const char *name)
{
    struct stat st;
    return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int ca_open_parent(const char *path, const char **base)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (slash == NULL) {
        snprintf(dir, sizeof dir, ".");
        *base = path;
    } else {
        size_t n = (size_t)(slash - path);
        if (n >= sizeof dir) {
            tool_error("%s: path too long", path);
            return -1;
        }
        memcpy(dir, path, n);
        dir[n] = '\0';
        if (n == 0)
            snprintf(dir, sizeof dir, "/");
        *base = slash + 1;
    }
    if (**base == '\0' || strcmp(*base, ".") == 0 || strcmp(*base, "..") == 0 ||
        strlen(*base) > 200) {
        tool_error("%s: not a usable file name", path);
        return -1;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        tool_error("%s: cannot create: %s: %s", path, dir, strerror(errno));
    return fd;
}

static int write_all(int fd, const void *data, size_t len)
{
    const char *p = data;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int ca_txn_write(ca_txn *t, int dirfd, const char *label, const char *name, const void *data,
                 size_t len, mode_t mode, int no_clobber, const char *step)
{
    if (t->n == CA_TXN_MAX || strlen(name) >= sizeof t->f[0].name) {
        tool_error("%s: internal error: transaction too large", label);
        return TOOL_EXIT_FAIL;
    }
    ca_txn_file *f = &t->f[t->n];
    memset(f, 0, sizeof *f);
    f->dirfd = dirfd;
    f->step = step;
    f->no_clobber = no_clobber;
    snprintf(f->label, sizeof f->label, "%s", label);
    snprintf(f->name, sizeof f->name, "%s", name);
    snprintf(f->tmp, sizeof f->tmp, TMP_PREFIX "%ld.%s", (long)getpid(), name);
    if (no_clobber && ca_exists_at(dirfd, name)) {
        tool_error("%s: exists; not replaced (remove it or choose another name)", label);
        return TOOL_EXIT_FAIL;
    }
    /* O_EXCL: never write through a file or link someone placed there; the
     * mode is set again with fchmod so that it does not depend on umask. */
    int fd = openat(dirfd, f->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0) {
        tool_error("%s: cannot create: %s", label, strerror(errno));
        return TOOL_EXIT_FAIL;
    }
    t->n++;
    f->state = 1;
    int err = 0;
    if (fchmod(fd, mode) != 0 || write_all(fd, data, len) != 0 || fsync(fd) != 0)
        err = errno != 0 ? errno : EIO;
    if (close(fd) != 0 && err == 0)
        err = errno;
    if (err != 0) {
        tool_error("%s: cannot write: %s", label, strerror(err));
        return TOOL_EXIT_FAIL;
    }
    return TOOL_EXIT_OK;
}

int ca_txn_write_path(ca_txn *t, const char *path, const void *data, size_t len, mode_t mode,
                      int no_clobber, const char *step)
{
    const char *base = NULL;
    if (t->nfds == sizeof t->fds / sizeof t->fds[0]) {
        tool_error("%s: internal error: transaction too large", path);
        return TOOL_EXIT_FAIL;
    }
    int fd = ca_open_parent(path, &base);
    if (fd < 0)
        return TOOL_EXIT_FAIL;
    t->fds[t->nfds++] = fd;
    return ca_txn_write(t, fd, path, base, data, len, mode, no_clobber, step);
}

static void txn_abort(ca_txn *t)
{
    for (size_t i = 0; i < t->n; i++)
        if (t->f[i].state == 1) {
            unlinkat(t->f[i].dirfd, t->f[i].tmp, 0);
            t->f[i].state = 0;
        }
}

void ca_txn_end(ca_txn *t)
{
    txn_abort(t);
    for (size_t i = 0; i < t->nfds; i++)
        close(t->fds[i]);
    t->nfds = 0;
    t->n = 0;
}

/* Moves the temporary file into place. no_clobber uses link(2), which fails
 * when the name exists, so a file that appeared meanwhile is never replaced. */
static int publish(ca_txn_file *f)
{
    if (f->no_clobber) {
        if (linkat(f->dirfd, f->tmp, f->dirfd, f->name, 0) == 0)
            return unlinkat(f->dirfd, f->tmp, 0) == 0 ? 0 : -1;
        if (errno != EPERM && errno != EOPNOTSUPP && errno != EMLINK)
            return -1;
        /* File systems without hard links: checked above, rename now. */
        if (ca_exists_at(f->dirfd, f->name)) {
            errno = EEXIST;
            return -1;
        }
    }
    return renameat(f->dirfd, f->tmp, f->dirfd, f->name);
}

int ca_txn_commit(ca_txn *t)
{
    if (ca_hook(t->cmd, "temps") != 0) {
        txn_abort(t);
        return TOOL_EXIT_FAIL;
    }
    for (size_t i = 0; i < t->n; i++) {
        ca_txn_file *f = &t->f[i];
        /* The directory fsync makes this rename durable before the next one
         * starts, so the order survives a power cut too. */
        if (publish(f) != 0 || fsync(f->dirfd) != 0) {
            tool_error("%s: cannot write: %s", f->label, strerror(errno));
            txn_abort(t);
            return TOOL_EXIT_FAIL;
        }
        f->state = 2;
        if (ca_hook(t->cmd, f->step) != 0) {
            txn_abort(t);
            return TOOL_EXIT_FAIL;
        }
    }
    return TOOL_EXIT_OK;
}

/* Temporary files in a locked directory belong to a writer that died. */
static void remove_stale_temps(int dirfd)
{
    int fd = dup(dirfd);
    DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;
    if (dir == NULL) {
        if (fd >= 0)
            close(fd);
        return;
    }
    struct dirent *e;
    while ((e = readdir(dir)) != NULL)
        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0)
            unlinkat(dirfd, e->d_name, 0);
    closedir(dir);
}

/* ------------------------------------------------------------------------ */
/* Opening a CA directory                                                    */
/* ------------------------------------------------------------------------ */

static int lock_dir(ca_dir *d, int lock)
{
    struct timespec pause = {0, 20 * 1000 * 1000};
    int op = (lock == CA_LOCK_EXCLUSIVE ? LOCK_EX : LOCK_SH) | LOCK_NB;
    for (int waited = 0; waited < CA_LOCK_WAIT_SECONDS * 50; waited++) {
        if (flock(d->lock_fd, op) == 0)
            return TOOL_EXIT_OK;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            tool_error("%s/lock: cannot lock: %s", d->path, strerror(errno));
            return TOOL_EXIT_FAIL;
        }
        nanosleep(&pause, NULL);
    }
    tool_error("%s: still locked by another 'clid ca' after %d s; not changed", d->path,
               CA_LOCK_WAIT_SECONDS);
    return TOOL_EXIT_FAIL;
}

static int read_in_dir(const ca_dir *d, const char *name, size_t max, uint8_t **buf, size_t *len)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", d->path, name);
    return tool_read_file(path, max, buf, len);
}

static int corrupt(const ca_dir *d, const char *name, const char *what)
{
    tool_error("%s/%s: %s; not a consistent clid CA directory", d->path, name, what);
    return TOOL_EXIT_DATAERR;
}

static int load_json(const ca_dir *d, const char *name, size_t max, json_t **out)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = read_in_dir(d, name, max, &buf, &len);
    if (rc != TOOL_EXIT_OK)
        return rc;
    json_error_t jerr;
    *out = json_loadb((const char *)buf, len, JSON_REJECT_DUPLICATES, &jerr);
    free(buf);
    if (*out == NULL || !json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return corrupt(d, name, "not a JSON object");
    }
    return TOOL_EXIT_OK;
}

/* A decimal counter file (crlnumber). */
static int load_counter(const ca_dir *d, const char *name, uint64_t *out)
{
    uint8_t *buf = NULL;
    size_t len = 0;
    int rc = read_in_dir(d, name, 64, &buf, &len);
    if (rc != TOOL_EXIT_OK)
        return rc;
    char text[65];
    memcpy(text, buf, len);
    text[len] = '\0';
    free(buf);
    if (len > 0 && text[len - 1] == '\n')
        text[len - 1] = '\0';
    char *end = NULL;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    int bad = text[0] < '0' || text[0] > '9' || errno != 0 || *end != '\0';
    *out = v;
    return bad ? corrupt(d, name, "not a counter") : TOOL_EXIT_OK;
}

static int config_serial(const ca_dir *d, const char *key, ca_serial *out)
{
    if (ca_serial_parse(ca_config_str(d, key), out) != 0)
        return corrupt(d, "ca.json", "missing or bad serial");
    return TOOL_EXIT_OK;
}

static int cmp_serial(const void *a, const void *b)
{
    return strcmp(((const ca_serial *)a)->hex, ((const ca_serial *)b)->hex);
}

/* Every entry has a valid, unique serial and names its issuer. */
static int check_index(ca_dir *d)
{
    json_t *certs = ca_index_certs(d);
    if (json_integer_value(json_object_get(d->index, "version")) != 1 || !json_is_array(certs))
        return corrupt(d, "index.json", "not a version 1 index");
    size_t n = json_array_size(certs);
    ca_serial *seen = calloc(n + 1, sizeof *seen);
    if (seen == NULL) {
        tool_error("out of memory");
        return TOOL_EXIT_FAIL;
    }
    int rc = TOOL_EXIT_OK;
    for (size_t i = 0; i < n && rc == TOOL_EXIT_OK; i++) {
        json_t *e = json_array_get(certs, i);
        ca_serial is;
        if (ca_entry_serial(e, "serial", &seen[i]) != 0 ||
            ca_entry_serial(e, "issuer_serial", &is) != 0 ||
            json_string_value(json_object_get(e, "kind")) == NULL)
            rc = corrupt(d, "index.json", "an entry lacks serial, issuer_serial or kind");
    }
    if (rc == TOOL_EXIT_OK) {
        qsort(seen, n, sizeof *seen, cmp_serial);
        for (size_t i = 1; i < n; i++)
            if (ca_serial_eq(&seen[i], &seen[i - 1])) {
                rc = corrupt(d, "index.json", "a serial appears twice");
                break;
            }
    }
    free(seen);
    return rc;
}

int ca_dir_open(const char *path, int lock, ca_dir *d)
{
    memset(d, 0, sizeof *d);
    d->path = path;
    d->fd = d->certs_fd = d->lock_fd = -1;
    d->fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d->fd < 0) {
        tool_error("%s: cannot open CA directory: %s", path, strerror(errno));
        return TOOL_EXIT_NOINPUT;
    }
    d->lock_fd = openat(d->fd, "lock", O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    d->certs_fd = openat(d->fd, "certs", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (d->lock_fd < 0 || d->certs_fd < 0) {
        tool_error("%s: not a clid CA directory (no lock file or certs/; see 'clid ca init')",
                   path);
        return TOOL_EXIT_NOINPUT;
    }
    int rc = lock_dir(d, lock);
    if (rc != TOOL_EXIT_OK)
        return rc;
    if (lock == CA_LOCK_EXCLUSIVE) {
        remove_stale_temps(d->fd);
        remove_stale_temps(d->certs_fd);
    }
    /* Serials are random (ca_serial_new); the "serial" counter file of
     * directories made by earlier versions is no longer read. */
    if ((rc = load_json(d, "ca.json", CA_MAX_SMALL, &d->config)) != TOOL_EXIT_OK ||
        (rc = load_json(d, "index.json", CA_MAX_INDEX, &d->index)) != TOOL_EXIT_OK ||
        (rc = check_index(d)) != TOOL_EXIT_OK ||
        (rc = load_counter(d, "crlnumber", &d->next_crlnumber)) != TOOL_EXIT_OK ||
        (rc = config_serial(d, "root_serial", &d->root_serial)) != TOOL_EXIT_OK ||
        (rc = config_serial(d, "inter_serial", &d->inter_serial)) != TOOL_EXIT_OK)
        return rc;
    return TOOL_EXIT_OK;
}

int ca_serial_new(const ca_dir *d, ca_serial *out)
{
    /* 2^126 values: a repeat is never expected; the loop is what makes
     * "unique in the index" a guarantee rather than a probability. A
     * certs/SERIAL.pem without an index entry is a certificate an issue
     * that crashed between its renames wrote (docs/ca.md section 8): its
     * serial is spent too. */
    for (int tries = 0; tries < 64; tries++) {
        char name[CA_SERIAL_HEX + 8];
        if (ca_serial_random(out) != 0)
            break;
        snprintf(name, sizeof name, "%s.pem", out->hex);
        if (ca_index_find(d, out) == NULL && !ca_exists_at(d->certs_fd, name))
            return 0;
    }
    tool_openssl_errors();
    tool_error("%s: cannot draw a new serial number (CSPRNG failure)", d->path);
    return -1;
}

int ca_dir_load(ca_dir *d, int keys)
{
    char path[4096];
    int rc;
    snprintf(path, sizeof path, "%s/root.pem", d->path);
    if ((rc = ca_cert_load(path, &d->root, NULL)) != TOOL_EXIT_OK)
        return rc;
    snprintf(path, sizeof path, "%s/inter.pem", d->path);
    if ((rc = ca_cert_load(path, &d->inter, NULL)) != TOOL_EXIT_OK)
        return rc;
    if (keys == CA_KEYS_NONE)
        return TOOL_EXIT_OK;
    snprintf(path, sizeof path, "%s/inter.key", d->path);
    if ((rc = ca_key_load(path, &d->inter_key)) != TOOL_EXIT_OK)
        return rc;
    if (keys == CA_KEYS_BOTH) {
        snprintf(path, sizeof path, "%s/root.key", d->path);
        if ((rc = ca_key_load(path, &d->root_key)) != TOOL_EXIT_OK)
            return rc;
    }
    if ((d->root_key != NULL && X509_check_private_key(d->root, d->root_key) != 1) ||
        X509_check_private_key(d->inter, d->inter_key) != 1) {
        tool_openssl_errors();
        return corrupt(d, "root.key/inter.key", "a key does not match its certificate");
    }
    return TOOL_EXIT_OK;
}

void ca_dir_close(ca_dir *d)
{
    X509_free(d->root);
    X509_free(d->inter);
    EVP_PKEY_free(d->root_key);
    EVP_PKEY_free(d->inter_key);
    X509_free(d->crl_signer);
    EVP_PKEY_free(d->crl_signer_key);
    json_decref(d->config);
    json_decref(d->index);
    if (d->certs_fd >= 0)
        close(d->certs_fd);
    if (d->lock_fd >= 0)
        close(d->lock_fd); /* releases the flock */
    if (d->fd >= 0)
        close(d->fd);
    memset(d, 0, sizeof *d);
    d->fd = d->certs_fd = d->lock_fd = -1;
}

const char *ca_config_str(const ca_dir *d, const char *key)
{
    return json_string_value(json_object_get(d->config, key));
}

/* ------------------------------------------------------------------------ */
/* The index                                                                 */
/* ------------------------------------------------------------------------ */

json_t *ca_index_certs(const ca_dir *d)
{
    return json_object_get(d->index, "certificates");
}

int ca_entry_serial(json_t *e, const char *key, ca_serial *out)
{
    return ca_serial_parse(json_string_value(json_object_get(e, key)), out);
}

json_t *ca_index_find(const ca_dir *d, const ca_serial *serial)
{
    json_t *certs = ca_index_certs(d);
    for (size_t i = 0; i < json_array_size(certs); i++) {
        json_t *e = json_array_get(certs, i);
        ca_serial v;
        if (ca_entry_serial(e, "serial", &v) == 0 && ca_serial_eq(&v, serial))
            return e;
    }
    return NULL;
}

static json_t *time_string(const ASN1_TIME *t)
{
    int64_t v;
    char buf[32];
    if (ca_asn1_time_unix(t, &v) != 0)
        return NULL;
    ca_format_time(v, buf, sizeof buf);
    return json_string(buf);
}

json_t *ca_index_entry(X509 *x, const char *kind, const ca_serial *issuer_serial,
                       const char *profile, const char *reason)
{
    char sha[65], file[CA_SERIAL_HEX + 16];
    ca_serial s;
    if (ca_get_serial(x, &s) != 0 || ca_cert_sha256(x, sha, sizeof sha) != 0)
        return NULL;
    snprintf(file, sizeof file, "certs/%s.pem", s.hex);
    char *subject = ca_name_string(X509_get_subject_name(x));
    clid_tnauth *l = NULL;
    json_t *tn = json_null();
    if (clid_x509_get_tnauth(x, &l, NULL) == CLID_OK) {
        json_decref(tn);
        tn = ca_tnauth_json(l);
    }
    clid_tnauth_free(l);
    json_t *e = json_object();
    if (tool_json_put(e, "serial", json_string(s.hex)) != 0 ||
        tool_json_put(e, "kind", json_string(kind)) != 0 ||
        tool_json_put(e, "issuer_serial", json_string(issuer_serial->hex)) != 0 ||
        tool_json_put(e, "subject", subject ? tool_json_string(subject) : NULL) != 0 ||
        tool_json_put(e, "not_before", time_string(X509_get0_notBefore(x))) != 0 ||
        tool_json_put(e, "not_after", time_string(X509_get0_notAfter(x))) != 0 ||
        tool_json_put(e, "sha256", json_string(sha)) != 0 ||
        tool_json_put(e, "file", json_string(file)) != 0 ||
        tool_json_put(e, "tnauthlist", tn) != 0 ||
        tool_json_put(e, "profile", json_string(profile)) != 0 ||
        (reason != NULL && tool_json_put(e, "profile_reason", tool_json_string(reason)) != 0) ||
        tool_json_put(e, "revoked", json_null()) != 0) {
        json_decref(e);
        e = NULL;
    }
    free(subject);
    return e;
}

int ca_index_bytes(const json_t *index, ca_buf *out)
{
    char *s = json_dumps(index, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (s == NULL)
        return -1;
    int rc = ca_buf_add(out, s, strlen(s));
    if (rc == 0)
        rc = ca_buf_add(out, "\n", 1);
    free(s);
    return rc;
}
