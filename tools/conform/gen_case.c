/*
 * One case: sign its PASSporT with the public API (clid_sign_identity),
 * apply the catalogue's claim overrides and named corruptions
 * (corrupt.h), and write DIR/cases/NAME/{case.json, invite.sip}.
 *
 * What the public API cannot sign (claims it refuses by design: attest "W",
 * a JOSE header with alg "none", duplicate members ...) is signed again
 * here with OpenSSL, ES256 over the edited text (RFC 7515 §5.1, RFC 7518
 * §3.4), so that each case carries its one defect and a valid signature.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/bn.h>
#include <openssl/ecdsa.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <clid/clid.h>
#include <clid/clid_sip.h>

#include "conform/corrupt.h"
#include "conform/gen.h"
#include "util.h"

#define SIP_HOST "clid-conform.invalid"
#define TARGET_HOST "target.invalid"

/* ---- signing ------------------------------------------------------------ */

/* ES256 over "b64(jose).b64(claims)", raw r||s (RFC 7518 §3.4). */
static int es256_sign(const char *key_path, const char *jose_txt, const char *claims_txt,
                      uint8_t sig[64])
{
    FILE *f = fopen(key_path, "r");
    EVP_PKEY *k = f != NULL ? PEM_read_PrivateKey(f, NULL, NULL, NULL) : NULL;
    if (f != NULL)
        fclose(f);
    char *h = conform_b64url((const uint8_t *)jose_txt, strlen(jose_txt));
    char *c = conform_b64url((const uint8_t *)claims_txt, strlen(claims_txt));
    char *input = NULL;
    int ok = k != NULL && h != NULL && c != NULL &&
             (input = malloc(strlen(h) + strlen(c) + 2)) != NULL;
    uint8_t der[80];
    size_t dl = sizeof der;
    EVP_MD_CTX *md = ok ? EVP_MD_CTX_new() : NULL;
    if (ok) {
        sprintf(input, "%s.%s", h, c);
        ok = md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, k) == 1 &&
             EVP_DigestSign(md, der, &dl, (const uint8_t *)input, strlen(input)) == 1;
    }
    const uint8_t *p = der;
    ECDSA_SIG *es = ok ? d2i_ECDSA_SIG(NULL, &p, (long)dl) : NULL;
    ok = es != NULL && BN_bn2binpad(ECDSA_SIG_get0_r(es), sig, 32) == 32 &&
         BN_bn2binpad(ECDSA_SIG_get0_s(es), sig + 32, 32) == 32;
    ECDSA_SIG_free(es);
    EVP_MD_CTX_free(md);
    free(input);
    free(h);
    free(c);
    EVP_PKEY_free(k);
    return ok ? 0 : -1;
}

static char *decode_text(const char *b64)
{
    size_t n = 0;
    uint8_t *d = conform_b64url_decode(b64, &n);
    char *t = d != NULL ? malloc(n + 1) : NULL;
    if (t != NULL) {
        memcpy(t, d, n);
        t[n] = '\0';
    }
    free(d);
    return t;
}

/* Splits "h.c.s;p1;p2..." into the message. */
static int split_identity(const char *v, conform_msg *m)
{
    char *copy = strdup(v);
    if (copy == NULL)
        return -1;
    char *params = strchr(copy, ';');
    if (params != NULL)
        *params++ = '\0';
    char *dot1 = strchr(copy, '.'), *dot2 = dot1 != NULL ? strchr(dot1 + 1, '.') : NULL;
    int ok = dot2 != NULL;
    if (ok) {
        *dot1 = *dot2 = '\0';
        m->part[0] = strdup(copy);
        m->part[1] = strdup(dot1 + 1);
        m->part[2] = strdup(dot2 + 1);
        ok = m->part[0] && m->part[1] && m->part[2];
    }
    for (char *save = NULL, *p = params != NULL ? strtok_r(params, ";", &save) : NULL;
         ok && p != NULL; p = strtok_r(NULL, ";", &save))
        ok = m->nparams < CONFORM_MAX_PARAMS && (m->param[m->nparams++] = strdup(p)) != NULL;
    free(copy);
    if (!ok)
        return -1;
    m->jose_txt = decode_text(m->part[0]);
    m->claims_txt = decode_text(m->part[1]);
    size_t sl = 0;
    uint8_t *sig = conform_b64url_decode(m->part[2], &sl);
    if (sig != NULL && sl <= sizeof m->sig) {
        memcpy(m->sig, sig, sl);
        m->sig_len = sl;
    }
    free(sig);
    if (m->jose_txt == NULL || m->claims_txt == NULL || m->sig_len != 64)
        return -1;
    m->jose = json_loads(m->jose_txt, 0, NULL);
    m->claims = json_loads(m->claims_txt, 0, NULL);
    return m->jose != NULL && m->claims != NULL ? 0 : -1;
}

static int is_digits(const char *s)
{
    return s != NULL && s[0] != '\0' && strspn(s, "0123456789") == strlen(s);
}

/* ---- the SIP request ---------------------------------------------------- */

/* A TN becomes <sip:+TN@host;user=phone>; a name-addr is kept; a URI is
 * put in angle brackets. */
static void name_addr(char *out, size_t cap, const char *v, const char *host)
{
    if (is_digits(v))
        snprintf(out, cap, "<sip:+%s@%s;user=phone>", v, host);
    else if (strchr(v, '<') != NULL)
        snprintf(out, cap, "%s", v);
    else
        snprintf(out, cap, "<%s>", v);
}

static void http_date(char out[40], int64_t t)
{
    static const char *const wd[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const mo[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    snprintf(out, 40, "%s, %02d %s %04d %02d:%02d:%02d GMT", wd[tm.tm_wday], tm.tm_mday,
             mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

typedef struct sip_parts {
    const char *ruri, *from, *to, *pai; /* as in the catalogue (TN or URI), pai may be NULL */
    int has_date;
    int64_t date;
    const char *date_text; /* the Date header as written, when given */
    json_t *identity;   /* array of values in order */
    int compact_name;
    int lowercase_name;
    const char *callid; /* a UUID */
} sip_parts;

static char *build_invite(const sip_parts *s)
{
    size_t cap = 64 * 1024;
    char *m = malloc(cap), buf[600];
    if (m == NULL)
        return NULL;
    size_t n = 0;
#define ADD(...) (n += (size_t)snprintf(m + n, n < cap ? cap - n : 0, __VA_ARGS__))
    if (is_digits(s->ruri))
        ADD("INVITE sip:+%s@%s;user=phone SIP/2.0\r\n", s->ruri, TARGET_HOST);
    else
        ADD("INVITE %s SIP/2.0\r\n", s->ruri);
    ADD("Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK%.8s\r\n", s->callid);
    ADD("Max-Forwards: 70\r\n");
    name_addr(buf, sizeof buf, s->from, SIP_HOST);
    ADD("From: %s;tag=%.8s\r\n", buf, s->callid + 9);
    name_addr(buf, sizeof buf, s->to, TARGET_HOST);
    ADD("To: %s\r\n", buf);
    if (s->pai != NULL) {
        name_addr(buf, sizeof buf, s->pai, SIP_HOST);
        ADD("P-Asserted-Identity: %s\r\n", buf);
    }
    ADD("Call-ID: %s@%s\r\n", s->callid, SIP_HOST);
    ADD("CSeq: 1 INVITE\r\n");
    ADD("Contact: <sip:192.0.2.10:5060>\r\n");
    if (s->date_text != NULL) {
        ADD("Date: %s\r\n", s->date_text);
    } else if (s->has_date) {
        char d[40];
        http_date(d, s->date);
        ADD("Date: %s\r\n", d);
    }
    for (size_t i = 0; i < json_array_size(s->identity); i++) {
        const char *v = json_string_value(json_array_get(s->identity, i));
        const char *hn = s->compact_name ? "y" : s->lowercase_name ? "identity" : "Identity";
        if (v[0] == '\0')
            ADD("%s:\r\n", hn);
        else
            ADD("%s: %s\r\n", hn, v);
    }
    ADD("Content-Length: 0\r\n\r\n");
#undef ADD
    if (n >= cap) {
        free(m);
        return NULL;
    }
    return m;
}

/* ---- one case ----------------------------------------------------------- */

static int fail(const char *name, const char *what)
{
    tool_error("conform gen: case %s: %s", name, what);
    return TOOL_EXIT_FAIL;
}

/* The shaken PASSporT (and the message model) for the case. */
/* An Identity header value signed through the public API (clid_sign.h) with
 * the key at key_path and the x5u url: what a conforming signer sends. */
static clid_err sign_value(const char *key_path, const char *url, const clid_claims *cl,
                           char value[CLID_IDENTITY_MAX_LEN])
{
    clid_signer *s = NULL;
    size_t len = 0;
    clid_err e = clid_signer_new(&s);
    if (e == CLID_OK)
        e = clid_signer_set_key_file(s, key_path);
    if (e == CLID_OK)
        e = clid_signer_set_x5u(s, url);
    if (e == CLID_OK)
        e = clid_sign_identity(s, cl, value, CLID_IDENTITY_MAX_LEN, &len);
    clid_signer_free(s);
    return e;
}

static int make_passport(gen_ctx *g, const json_t *c, const char *orig, const char *dest,
                         int64_t iat, conform_msg *m)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    const char *signer = json_string_value(json_object_get(c, "signer"));
    const char *b = json_string_value(json_object_get(c, "x5u"));
    json_t *over = json_object_get(c, "claims");
    char key[GEN_PATH], chain[GEN_PATH], url[GEN_PATH], origid[37];
    gen_entity_paths(g, signer, key, chain);
    gen_x5u_url(g, signer, b, url);
    gen_uuid(g->seed, name, origid);

    /* what the public API may sign: canonical numbers, attest A/B/C */
    const char *attest = json_string_value(json_object_get(over, "attest"));
    const char *dests[1] = {dest};
    clid_claims cl = {.orig = orig,
                      .dest = dests,
                      .dest_count = 1,
                      .attest = attest != NULL && strlen(attest) == 1 && strchr("ABC", attest[0])
                                    ? attest[0]
                                    : 'A',
                      .origid = origid,
                      .iat = iat};
    char value[CLID_IDENTITY_MAX_LEN];
    clid_err e = sign_value(key, url, &cl, value);
    if (e != CLID_OK) {
        tool_error("conform gen: case %s: signing: %s", name, clid_err_name(e));
        return TOOL_EXIT_FAIL;
    }
    if (split_identity(value, m) != 0)
        return fail(name, "cannot read back the signed Identity value");

    /* the catalogue's claim overrides: a member set, or removed with null */
    json_t *before = json_deep_copy(m->claims);
    const char *k;
    json_t *v;
    json_object_foreach(over, k, v)
    {
        if (json_is_null(v))
            json_object_del(m->claims, k);
        else
            json_object_set_new(m->claims, k, json_deep_copy(v));
    }
    if (!json_equal(before, m->claims))
        m->resign = 1;
    json_decref(before);

    static char other[GEN_PATH + 32];
    snprintf(other, sizeof other, "%s/certs/sp-copy.pem", g->base);
    m->other_url = other;

    json_t *names = json_object_get(c, "corrupt");
    for (int stage = 0; stage < CORRUPT_NSTAGES; stage++) {
        if (stage == CORRUPT_TEXT && m->resign) {
            char *jt = json_dumps(m->jose, JSON_COMPACT);
            char *ct = json_dumps(m->claims, JSON_COMPACT);
            if (jt == NULL || ct == NULL) {
                free(jt);
                free(ct);
                return fail(name, "out of memory");
            }
            free(m->jose_txt);
            free(m->claims_txt);
            m->jose_txt = jt;
            m->claims_txt = ct;
        }
        if (stage == CORRUPT_SIG && (m->resign || m->other_key)) {
            char okey[GEN_PATH], ochain[GEN_PATH];
            gen_entity_paths(g, strcmp(signer, "sp2") == 0 ? "sp" : "sp2", okey, ochain);
            if (es256_sign(m->other_key ? okey : key, m->jose_txt, m->claims_txt, m->sig) != 0)
                return fail(name, "cannot sign the edited PASSporT");
            m->sig_len = 64;
        }
        if (stage == CORRUPT_B64) {
            for (int i = 0; i < 3; i++)
                free(m->part[i]);
            m->part[0] = conform_b64url((const uint8_t *)m->jose_txt, strlen(m->jose_txt));
            m->part[1] = conform_b64url((const uint8_t *)m->claims_txt, strlen(m->claims_txt));
            m->part[2] = conform_b64url(m->sig, m->sig_len);
            if (!m->part[0] || !m->part[1] || !m->part[2])
                return fail(name, "out of memory");
        }
        for (size_t i = 0; i < json_array_size(names); i++) {
            const corrupt_def *d = corrupt_find(json_string_value(json_array_get(names, i)));
            if (d != NULL && (int)d->stage == stage && corrupt_apply(d, m) != 0) {
                char w[200];
                snprintf(w, sizeof w, "corruption %s does not apply", d->name);
                return fail(name, w);
            }
        }
    }
    return TOOL_EXIT_OK;
}

/* A div PASSporT (RFC 8946) from the same signer, for the retargeted call. */
static int make_div(gen_ctx *g, const json_t *c, const char *orig, const char *new_dest,
                    const char *div, int64_t iat, json_t *identity)
{
    const char *signer = json_string_value(json_object_get(c, "signer"));
    char key[GEN_PATH], chain[GEN_PATH], url[GEN_PATH];
    gen_entity_paths(g, signer, key, chain);
    gen_x5u_url(g, signer, json_string_value(json_object_get(c, "x5u")), url);
    const char *dests[1] = {new_dest};
    clid_claims cl = {.orig = orig, .dest = dests, .dest_count = 1, .iat = iat, .div = div};
    char value[CLID_IDENTITY_MAX_LEN];
    clid_err e = sign_value(key, url, &cl, value);
    if (e != CLID_OK)
        return fail(json_string_value(json_object_get(c, "name")), "cannot sign the div PASSporT");
    json_array_append_new(identity, json_string(value));
    return TOOL_EXIT_OK;
}

static const char *sip_str(const json_t *sip, const char *k, const char *dflt)
{
    json_t *v = json_object_get(sip, k);
    return json_is_string(v) ? json_string_value(v) : dflt;
}

int gen_case(gen_ctx *g, const json_t *c)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    json_t *over = json_object_get(c, "claims"), *sip = json_object_get(c, "sip");
    /* the numbers signed: the overrides' when they are plain numbers */
    const char *orig = GEN_DEFAULT_ORIG, *dest = GEN_DEFAULT_DEST;
    const char *o = json_string_value(json_object_get(json_object_get(over, "orig"), "tn"));
    const char *d = json_string_value(
        json_array_get(json_object_get(json_object_get(over, "dest"), "tn"), 0));
    if (is_digits(o))
        orig = o;
    if (is_digits(d))
        dest = d;
    int64_t iat = g->at + json_integer_value(json_object_get(c, "iat_offset"));

    conform_msg m;
    memset(&m, 0, sizeof m);
    int rc = make_passport(g, c, orig, dest, iat, &m);
    json_t *identity = json_array();
    char *main_value = rc == TOOL_EXIT_OK ? conform_msg_identity(&m) : NULL;
    if (rc == TOOL_EXIT_OK && main_value == NULL)
        rc = fail(name, "out of memory");
    if (rc == TOOL_EXIT_OK && !m.identity_absent) {
        if (m.identity_garbage_first) {
            char bad[GEN_PATH + 64];
            snprintf(bad, sizeof bad, "not-a-passport;info=<%s/certs/sp.pem>;alg=ES256;ppt=shaken",
                     g->base);
            json_array_append_new(identity, json_string(bad));
        }
        json_array_append_new(identity, json_string(m.identity_empty ? "" : main_value));
    }
    const char *div = sip_str(sip, "div", NULL);
    const char *ruri = sip_str(sip, "ruri", sip_str(sip, "to", dest));
    if (rc == TOOL_EXIT_OK && div != NULL)
        rc = make_div(g, c, orig, ruri, div, iat, identity);

    char callid[37], label[80];
    snprintf(label, sizeof label, "call-id:%s", name);
    gen_uuid(g->seed, label, callid);
    json_t *date_v = json_object_get(sip, "date");
    sip_parts sp = {.ruri = ruri,
                    .from = sip_str(sip, "from", orig),
                    .to = sip_str(sip, "to", dest),
                    .pai = sip_str(sip, "pai", NULL),
                    .has_date = !(date_v != NULL && json_is_null(date_v)),
                    .date = g->at + json_integer_value(json_object_get(sip, "date_offset")),
                    .date_text = sip_str(sip, "date_text", NULL),
                    .identity = identity,
                    .compact_name = m.identity_compact_name,
                    .lowercase_name = m.identity_lowercase_name,
                    .callid = callid};
    char *invite = rc == TOOL_EXIT_OK ? build_invite(&sp) : NULL;
    if (rc == TOOL_EXIT_OK && invite == NULL)
        rc = fail(name, "the INVITE is too large");

    char req_orig[CLID_TN_BUF] = "", req_dest[CLID_TN_BUF] = "";
    if (rc == TOOL_EXIT_OK &&
        clid_sip_get_tns(invite, strlen(invite), req_orig, req_dest) == CLID_ERR_SIP_PARSE)
        rc = fail(name, "clid cannot read the INVITE it made");

    char url[GEN_PATH];
    gen_x5u_url(g, json_string_value(json_object_get(c, "signer")),
                json_string_value(json_object_get(c, "x5u")), url);
    const char *x5u = json_string_value(json_object_get(m.jose, "x5u"));
    char fromh[600], toh[600], paih[600];
    name_addr(fromh, sizeof fromh, sp.from, SIP_HOST);
    name_addr(toh, sizeof toh, sp.to, TARGET_HOST);
    if (sp.pai != NULL)
        name_addr(paih, sizeof paih, sp.pai, SIP_HOST);
    json_t *call = json_pack(
        "{s:o, s:o, s:s, s:s, s:o, s:o, s:I, s:o, s:O, s:b}", "orig",
        req_orig[0] ? json_string(req_orig) : json_null(), "dest",
        req_dest[0] ? json_string(req_dest) : json_null(), "from", fromh, "to", toh, "pai",
        sp.pai != NULL ? json_string(paih) : json_null(), "date",
        sp.has_date && sp.date_text == NULL ? json_integer(sp.date) : json_null(), "at", (json_int_t)g->at, "x5u",
        x5u != NULL && !m.identity_absent ? json_string(x5u) : json_null(), "identity", identity,
        "identity_compact", m.identity_compact_name);
    json_t *out = json_deep_copy(c);
    if (call == NULL || out == NULL)
        rc = rc == TOOL_EXIT_OK ? fail(name, "out of memory") : rc;
    else
        json_object_set_new(out, "call", call);

    char path[GEN_PATH];
    if (rc == TOOL_EXIT_OK &&
        (gen_path(g, path, "cases/%s/case.json", name) != 0 || gen_mkdirs(path, 0) != 0 ||
         json_dump_file(out, path, JSON_INDENT(2)) != 0))
        rc = fail(name, "cannot write case.json");
    if (rc == TOOL_EXIT_OK && (gen_path(g, path, "cases/%s/invite.sip", name) != 0 ||
                               tool_write_file(path, invite, strlen(invite)) != TOOL_EXIT_OK))
        rc = fail(name, "cannot write invite.sip");
    json_decref(out);
    json_decref(identity);
    free(invite);
    free(main_value);
    conform_msg_free(&m);
    return rc;
}
