/* Child processes of the runner (run.h): own process group, timeouts, reaped. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "conform/run.h"

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* In the child: own group, stdin /dev/null, stdout to outfd, stderr to
 * errpath; then exec. Only async-signal-safe calls (we may have threads:
 * none are started by clid, but libcurl's resolver could). */
static void child(const char *const argv[], int outfd, const char *errpath, pid_t parent)
{
    setpgid(0, 0);
    /* Its own group keeps the terminal's signals for the runner alone; so
     * that a runner killed outright (a ctest timeout) leaves no server or
     * SIPp behind, the child gets SIGTERM when the runner dies (Linux). */
    if (prctl(PR_SET_PDEATHSIG, SIGTERM) != 0 || getppid() != parent)
        _exit(125);
    int in = open("/dev/null", O_RDONLY);
    int err = errpath ? open(errpath, O_WRONLY | O_CREAT | O_APPEND, 0644) : -1;
    if (err < 0)
        err = open("/dev/null", O_WRONLY);
    if (in < 0 || err < 0 || dup2(in, 0) < 0 || dup2(outfd, 1) < 0 || dup2(err, 2) < 0)
        _exit(126);
    /* Signals the runner ignores stay ignored across exec: reset SIGPIPE. */
    signal(SIGPIPE, SIG_DFL);
    /* execvp's prototype predates const; it does not modify argv. */
    union {
        const char *const *c;
        char *const *m;
    } args = {argv};
    execvp(argv[0], args.m);
    _exit(127);
}

/* Has pid ended? Leaves it a zombie (WNOWAIT): while it is one, its PID,
 * and so its process group's ID, cannot be reused, so signalling the group
 * afterwards reaches only what it left behind. */
static int ended(pid_t pid)
{
    siginfo_t si;
    memset(&si, 0, sizeof si);
    if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT) != 0)
        return errno != EINTR;
    return si.si_pid == pid;
}

static void kill_and_reap(pid_t pid)
{
    kill(-pid, SIGKILL);
    kill(pid, SIGKILL);
    while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
        ;
}

int conform_proc_run(const char *const argv[], const char *errpath, unsigned timeout_s, char *out,
                     size_t cap, int *status)
{
    int p[2];
    out[0] = '\0';
    if (pipe(p) != 0)
        return -1;
    pid_t self = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(p[0]);
        close(p[1]);
        return -1;
    }
    if (pid == 0) {
        close(p[0]);
        child(argv, p[1], errpath, self);
    }
    setpgid(pid, pid); /* also here: no race with the kill below */
    close(p[1]);
    int64_t deadline = now_ms() + (int64_t)timeout_s * 1000;
    size_t n = 0;
    int eof = 0;
    while (!eof) {
        int64_t left = deadline - now_ms();
        if (left <= 0)
            break;
        struct pollfd pfd = {p[0], POLLIN, 0};
        int r = poll(&pfd, 1, (int)(left > 1000 ? 1000 : left));
        if (r < 0 && errno != EINTR)
            break;
        if (r <= 0)
            continue;
        char buf[4096];
        ssize_t got = read(p[0], buf, sizeof buf);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            eof = 1;
            break;
        }
        size_t take = (size_t)got;
        if (n + 1 < cap) {
            if (take > cap - 1 - n)
                take = cap - 1 - n;
            memcpy(out + n, buf, take);
            n += take;
            out[n] = '\0';
        }
    }
    close(p[0]);
    /* Output closed: the process ends now, or within what is left. */
    for (;;) {
        if (ended(pid)) {
            kill(-pid, SIGKILL); /* anything it left behind in its group */
            while (waitpid(pid, status, 0) < 0 && errno == EINTR)
                ;
            return 0;
        }
        if (now_ms() >= deadline) {
            kill_and_reap(pid);
            return -2;
        }
        poll(NULL, 0, 10);
    }
}

int conform_proc_start(const char *const argv[], const char *logpath)
{
    int out = open(logpath, O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (out < 0)
        return -1;
    pid_t self = getpid();
    pid_t pid = fork();
    if (pid < 0) {
        close(out);
        return -1;
    }
    if (pid == 0)
        child(argv, out, logpath, self);
    setpgid(pid, pid);
    close(out);
    return (int)pid;
}

void conform_proc_stop(int pid)
{
    if (pid <= 0)
        return;
    kill(-pid, SIGTERM);
    kill(pid, SIGTERM);
    int64_t deadline = now_ms() + 5000;
    for (;;) {
        if (ended(pid)) {
            kill(-pid, SIGKILL); /* its group, by its ID: nothing left behind */
            while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
                ;
            return;
        }
        if (now_ms() >= deadline) {
            kill_and_reap(pid);
            return;
        }
        poll(NULL, 0, 20);
    }
}
