/*
 * Target "sip:HOST:PORT": a SIP verifier, reached with SIPp (Debian
 * sip-tester; no hand-written SIP client). Per case, one SIPp UAC sends
 * the case's INVITE: its header fields but the transaction's own (Via,
 * Call-ID, CSeq, Contact, Max-Forwards, Content-Length, which SIPp writes)
 * byte for byte, its body, its Request-URI with the host part pointed at
 * the target; the Call-ID names the case ("conform-CASE-N@clid"). SIPp
 * records every message (OUT/logs/TARGET/CASE.msg); the runner reads the
 * final response from there:
 *   2xx        the call was passed on: sip 0; the verstat is the one the
 *              SIPp UAS on --sip-uas found in the INVITE the target
 *              forwarded (P-Asserted-Identity first, else From: where an
 *              STI-VS puts it, ATIS-1000074 §5.3.1 / RFC 8588), echoed
 *              back in X-Conform-Forwarded; a 2xx the target answered
 *              itself: the verstat of its P-Asserted-Identity, if any
 *   3xx-6xx    rejected: that status, verstat TN-Validation-Failed when it
 *              is one of RFC 8224's verification failures (403 Stale Date,
 *              428, 436, 437, 438), else none
 *   none       error: the target did not answer within --timeout.
 * One SIPp process per case costs ~0.25 s here and keeps every case's
 * trace apart; an injection file cannot carry a whole header section
 * (SIPp splits CSV fields at every ';'), -key values can (CRLF included).
 * The scenarios are written to OUT/sipp/ by the runner (they are part of
 * the runner, not of the suite).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <poll.h>

#include "conform/run.h"
#include "util.h"


/* Final responses the UAC acknowledges as rejections; any other final
 * status still ends the call (SIPp aborts it) and is read from the trace. */
static const int reject_codes[] = {
    300, 301, 302, 305, 380, 400, 401, 402, 403, 404, 405, 406, 407, 408, 410, 413, 414, 415,
    416, 420, 421, 423, 428, 429, 433, 436, 437, 438, 480, 481, 482, 483, 484, 485, 486, 487,
    488, 491, 493, 500, 501, 502, 503, 504, 505, 513, 580, 600, 603, 604, 606, 607, 608};

static const char uac_head[] =
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n"
    "<!-- clid conform run: one INVITE of the suite (keys ruri, hdrs, body), written by\n"
    "     the runner (tools/conform/adapter_sip.c); the final response is read from\n"
    "     the -trace_msg file. -->\n"
    "<scenario name=\"clid conform UAC\">\n"
    "  <send retrans=\"500\" start_txn=\"inv\">\n"
    "    <![CDATA[\n\n"
    "      INVITE [ruri] SIP/2.0\n"
    "      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
    "      Max-Forwards: 70\n"
    "      Call-ID: [call_id]\n"
    "      CSeq: 1 INVITE\n"
    "      Contact: <sip:conform@[local_ip]:[local_port]>\n"
    "      [hdrs]\n"
    "      Content-Length: [len]\n\n"
    "[body]\n"
    "    ]]>\n"
    "  </send>\n"
    "  <recv response=\"100\" optional=\"true\" response_txn=\"inv\"/>\n"
    "  <recv response=\"180\" optional=\"true\" response_txn=\"inv\"/>\n"
    "  <recv response=\"183\" optional=\"true\" response_txn=\"inv\"/>\n";

static const char uac_tail[] =
    "  <recv response=\"200\" response_txn=\"inv\" rrs=\"true\"/>\n"
    "  <send>\n"
    "    <![CDATA[\n\n"
    "      ACK [next_url] SIP/2.0\n"
    "      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\n"
    "      [last_From:]\n"
    "      [last_To:]\n"
    "      Call-ID: [call_id]\n"
    "      CSeq: 1 ACK\n"
    "      Max-Forwards: 70\n"
    "      Content-Length: 0\n\n"
    "    ]]>\n"
    "  </send>\n"
    "  <pause milliseconds=\"1\" next=\"end\"/>\n"
    "  <label id=\"rej\"/>\n"
    "  <send ack_txn=\"inv\">\n"
    "    <![CDATA[\n\n"
    "      ACK [ruri] SIP/2.0\n"
    "      [last_Via:]\n"
    "      [last_From:]\n"
    "      [last_To:]\n"
    "      Call-ID: [call_id]\n"
    "      CSeq: 1 ACK\n"
    "      Max-Forwards: 70\n"
    "      Content-Length: 0\n\n"
    "    ]]>\n"
    "  </send>\n"
    "  <label id=\"end\"/>\n"
    "  <!-- a scenario ending on a label counts the call as failed (SIPp call.cpp) -->\n"
    "  <pause milliseconds=\"1\"/>\n"
    "</scenario>\n";

/* The UAS: answers every INVITE the target forwards with 200, echoing the
 * verstat parameters it found, and takes the ACK. */
static const char uas_xml[] =
    "<?xml version=\"1.0\" encoding=\"ISO-8859-1\" ?>\n"
    "<!-- clid conform run: the UAS a SIP target forwards accepted calls to; echoes the\n"
    "     verstat of the forwarded INVITE in X-Conform-Forwarded (written by the runner,\n"
    "     tools/conform/adapter_sip.c). -->\n"
    "<scenario name=\"clid conform UAS\">\n"
    "  <recv request=\"INVITE\" crlf=\"true\">\n"
    "    <action>\n"
    "      <ereg regexp=\"verstat=[A-Za-z-]+\" search_in=\"hdr\" header=\"P-Asserted-Identity:\"\n"
    "            check_it=\"false\" assign_to=\"pai\"/>\n"
    "      <ereg regexp=\"verstat=[A-Za-z-]+\" search_in=\"hdr\" header=\"From:\"\n"
    "            check_it=\"false\" assign_to=\"from\"/>\n"
    "    </action>\n"
    "  </recv>\n"
    "  <send retrans=\"500\">\n"
    "    <![CDATA[\n\n"
    "      SIP/2.0 200 OK\n"
    "      [last_Via:]\n"
    "      [last_From:]\n"
    "      [last_To:];tag=[pid]SIPpTag01[call_number]\n"
    "      [last_Call-ID:]\n"
    "      [last_CSeq:]\n"
    "      Contact: <sip:[local_ip]:[local_port];transport=[transport]>\n"
    "      X-Conform-Forwarded: pai=[$pai] from=[$from]\n"
    "      Content-Length: 0\n\n"
    "    ]]>\n"
    "  </send>\n"
    "  <recv request=\"ACK\" crlf=\"true\" timeout=\"10000\" ontimeout=\"done\"/>\n"
    "  <label id=\"done\"/>\n"
    "  <pause milliseconds=\"1\"/>\n"
    "</scenario>\n";

typedef struct sip_state {
    char dir[4096];  /* OUT/logs/TARGET-NAME */
    char uac[4096];  /* OUT/sipp/uac.xml */
    int uas_pid;
} sip_state;

static int write_text(const char *path, const char *a, const char *b, const char *c)
{
    FILE *f = fopen(path, "w");
    if (f == NULL)
        return -1;
    fputs(a, f);
    if (b)
        fputs(b, f);
    if (c)
        fputs(c, f);
    return fclose(f) == 0 ? 0 : -1;
}

/* Is 127.0.0.1:port bound for UDP (/proc/net/udp: "0100007F:PORT")? Read
 * only: probing with bind() could take the port from the UAS. */
static int udp_bound(unsigned port)
{
    FILE *f = fopen("/proc/net/udp", "r");
    if (f == NULL)
        return 0;
    char want[32], line[512];
    snprintf(want, sizeof want, "0100007F:%04X ", port);
    int found = 0;
    while (!found && fgets(line, sizeof line, f))
        found = strstr(line, want) != NULL;
    fclose(f);
    return found;
}

static int sip_open(conform_target *t, const conform_suite *s, const conform_run_opts *o)
{
    (void)s;
    sip_state *st = calloc(1, sizeof *st);
    if (st == NULL)
        return -1;
    st->uas_pid = -1;
    t->state = st;
    char sipp[4096], uas[4096];
    conform_fmt(sipp, sizeof sipp, "%s/sipp", o->out);
    conform_fmt(st->uac, sizeof st->uac, "%s/uac.xml", sipp);
    conform_fmt(uas, sizeof uas, "%s/uas.xml", sipp);
    /* A directory of logs per target; the name is the user's: keep it a path component. */
    char tag[64];
    size_t i = 0;
    for (; t->name[i] && i < sizeof tag - 1; i++)
        tag[i] = strchr("/. ", t->name[i]) ? '_' : t->name[i];
    tag[i] = '\0';
    conform_fmt(st->dir, sizeof st->dir, "%s/logs/%s", o->out, tag);
    char recvs[sizeof reject_codes / sizeof reject_codes[0] * 96];
    size_t n = 0;
    for (size_t k = 0; k < sizeof reject_codes / sizeof reject_codes[0]; k++)
        n += (size_t)snprintf(recvs + n, sizeof recvs - n,
                              "  <recv response=\"%d\" optional=\"true\" response_txn=\"inv\" "
                              "next=\"rej\"/>\n", reject_codes[k]);
    if ((mkdir(sipp, 0755) != 0 && errno != EEXIST) ||
        (mkdir(st->dir, 0755) != 0 && errno != EEXIST) ||
        write_text(st->uac, uac_head, recvs, uac_tail) != 0 ||
        write_text(uas, uas_xml, NULL, NULL) != 0) {
        tool_error("conform run: %s: cannot write the SIPp scenarios under %s", t->name, o->out);
        return -1;
    }
    if (o->sip_uas_port == 0)
        return 0;
    if (udp_bound(o->sip_uas_port)) {
        tool_error("conform run: %s: --sip-uas 127.0.0.1:%u is in use already", t->name,
                   o->sip_uas_port);
        return -1;
    }
    char port[16], msgs[4096], errs[4096], log[4096];
    snprintf(port, sizeof port, "%u", o->sip_uas_port);
    conform_fmt(msgs, sizeof msgs, "%s/uas.msg", st->dir);
    conform_fmt(errs, sizeof errs, "%s/uas.err", st->dir);
    conform_fmt(log, sizeof log, "%s/uas.log", st->dir);
    const char *argv[] = {"sipp", "-sf", uas, "-i", "127.0.0.1", "-p", port, "-nostdin",
                    "-trace_msg", "-message_file", msgs, "-trace_err", "-error_file", errs,
                    NULL};
    st->uas_pid = conform_proc_start(argv, log);
    if (st->uas_pid < 0) {
        tool_error("conform run: %s: cannot start the SIPp UAS", t->name);
        return -1;
    }
    /* Ready when its port is bound; SIPp binds right after start. */
    for (int k = 0; k < 500 && !udp_bound(o->sip_uas_port); k++) {
        if (waitpid(st->uas_pid, NULL, WNOHANG) == st->uas_pid) {
            st->uas_pid = -1;
            tool_error("conform run: %s: the SIPp UAS exited at start (%s)", t->name, log);
            return -1;
        }
        poll(NULL, 0, 20);
    }
    if (!udp_bound(o->sip_uas_port)) {
        tool_error("conform run: %s: the SIPp UAS did not bind 127.0.0.1:%u", t->name,
                   o->sip_uas_port);
        return -1;
    }
    return 0;
}

static void sip_close(conform_target *t)
{
    sip_state *st = t->state;
    if (st != NULL)
        conform_proc_stop(st->uas_pid);
    free(st);
    t->state = NULL;
}

static void sip_ask(conform_target *t, const conform_suite *s, const conform_case *c,
                    const conform_run_opts *o, conform_obs *obs)
{
    (void)s;
    sip_state *st = t->state;
    uint8_t *msg = NULL;
    size_t len = 0;
    char *ruri = NULL, *hdrs = NULL, *body = NULL;
    char path[4096], msgs[4096], errs[4096], cid[128], tmo[32];
    conform_fmt(path, sizeof path, "%s/invite.sip", c->dir);
    if (tool_read_file(path, 65536, &msg, &len) != TOOL_EXIT_OK) {
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "cannot read %s", path);
        return;
    }
    /* The message as a C string: a NUL inside it would end a -key value. */
    if (memchr(msg, '\0', len) != NULL) {
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "invite.sip holds a NUL byte: SIPp "
                    "cannot send it");
        free(msg);
        return;
    }
    uint8_t *m2 = realloc(msg, len + 1);
    if (m2 == NULL) {
        free(msg);
        obs->error = 1;
        return;
    }
    msg = m2;
    msg[len] = '\0';
    if (conform_sip_split_invite((const char *)msg, len, t->arg, &ruri, &hdrs, &body, obs->detail,
                     sizeof obs->detail) != 0) {
        obs->error = 1;
        goto out;
    }
    conform_fmt(msgs, sizeof msgs, "%s/%s.msg", st->dir, c->name);
    conform_fmt(errs, sizeof errs, "%s/%s.err", st->dir, c->name);
    remove(msgs);
    remove(errs);
    conform_fmt(cid, sizeof cid, "conform-%s-%%u@clid", c->name);
    /* SIPp's own timeout first, so it exits and leaves its trace complete. */
    conform_fmt(tmo, sizeof tmo, "%us", o->timeout > 2 ? o->timeout - 1 : 1);
    const char *argv[] = {"sipp", t->arg, "-sf", st->uac, "-i", "127.0.0.1", "-m", "1",
                    "-nostdin", "-timeout", tmo, "-timeout_error", "-cid_str", cid,
                    "-key", "ruri", ruri, "-key", "hdrs", hdrs, "-key", "body", body,
                    "-trace_msg", "-message_file", msgs, "-trace_err", "-error_file", errs,
                    NULL};
    char out[256];
    int status = 0;
    int rc = conform_proc_run(argv, errs, o->timeout, out, sizeof out, &status);
    if (rc == -1) {
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "cannot run sipp");
        goto out;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
        obs->error = 1;
        conform_fmt(obs->detail, sizeof obs->detail, "sipp is not installed");
        goto out;
    }
    char callid[128];
    conform_fmt(callid, sizeof callid, "conform-%s-1@clid", c->name); /* -cid_str, call 1 */
    conform_sip_read_trace(msgs, callid, obs);
out:
    free(msg);
    free(ruri);
    free(hdrs);
    free(body);
}

const conform_adapter conform_adapter_sip = {sip_open, sip_ask, sip_close};
