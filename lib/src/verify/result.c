/* What a verification found: the verdict and everything learned on the way. */
#include <stdlib.h>
#include <string.h>

#include "core/internal.h"
#include "verify/result_internal.h"

clid_err clid_result_new(clid_result **out)
{
    CLID_ENSURE(out != NULL, CLID_ERR_INVALID_ARGUMENT);
    clid_result *r = calloc(1, sizeof *r);
    CLID_ENSURE(r != NULL, CLID_ERR_NOMEM);
    r->reason = CLID_ERR_NO_IDENTITY; /* nothing verified yet */
    *out = r;
    return CLID_OK;
}

void clid__result_rcd_clear(clid_result *r)
{
    free(r->rcd_nam);
    free(r->rcd_apn);
    free(r->rcd_crn);
    free(r->rcd_jcard);
    free(r->rcd_jcl);
    free(r->rcd_icn);
    free(r->rcd_digest_jcl);
    free(r->rcd_digest_icn);
    r->rcd_nam = r->rcd_apn = r->rcd_crn = r->rcd_jcard = NULL;
    r->rcd_jcl = r->rcd_icn = r->rcd_digest_jcl = r->rcd_digest_icn = NULL;
    r->rcd_flags = 0;
}

void clid_result_reset(clid_result *r)
{
    if (r == NULL)
        return;
    clid__result_rcd_clear(r);
    free(r->x5u);
    clid__signer_cert_release(r->signer);
    for (size_t i = 0; i < r->div_count; i++)
        clid__signer_cert_release(r->div_links[i].signer);
    free(r->div_opt);
    memset(r, 0, sizeof *r);
    r->reason = CLID_ERR_NO_IDENTITY;
}

void clid__result_move_div_chain(clid_result *to, clid_result *from)
{
    for (size_t i = 0; i < to->div_count; i++)
        clid__signer_cert_release(to->div_links[i].signer);
    free(to->div_opt);
    memcpy(to->div_links, from->div_links, from->div_count * sizeof *from->div_links);
    to->div_count = from->div_count;
    to->div_failed1 = from->div_failed1;
    to->div_opt = from->div_opt;
    from->div_count = 0;
    from->div_failed1 = 0;
    from->div_opt = NULL;
}

void clid_result_free(clid_result *r)
{
    if (r == NULL)
        return;
    clid_result_reset(r);
    free(r);
}

clid_err clid__result_set_claims(clid_result *r, const clid__passport *p)
{
    memcpy(r->ppt, p->ppt, sizeof r->ppt);
    memcpy(r->orig, p->orig, sizeof r->orig);
    memcpy(r->dest, p->dest, sizeof r->dest);
    r->dest_count = p->dest_count;
    r->attest = p->attest;
    memcpy(r->origid, p->origid, sizeof r->origid);
    memcpy(r->div, p->div, sizeof r->div);
    r->iat = p->iat;
    if (p->rcd.present)
        r->rcd_flags |= CLID_RCD_PRESENT; /* RFC 9795 claims, whatever the verdict */
    free(r->x5u);
    r->x5u = NULL;
    if (p->x5u != NULL) {
        r->x5u = clid__strndup(p->x5u, strlen(p->x5u));
        CLID_ENSURE(r->x5u != NULL, CLID_ERR_NOMEM);
    }
    free(r->div_opt);
    r->div_opt = NULL;
    if (p->opt != NULL) {
        r->div_opt = clid__strndup(p->opt, strlen(p->opt));
        CLID_ENSURE(r->div_opt != NULL, CLID_ERR_NOMEM);
    }
    r->have_claims = 1;
    return CLID_OK;
}

void clid__result_set_signer(clid_result *r, clid__signer_cert *c)
{
    clid__signer_cert_ref(c);
    clid__signer_cert_release(r->signer);
    r->signer = c;
    r->spc = NULL;
    for (size_t i = 0; c->tnauth != NULL && i < clid_tnauth_count(c->tnauth); i++) {
        clid_tnauth_entry e;
        if (clid_tnauth_get(c->tnauth, i, &e) == CLID_OK && e.kind == CLID_TNAUTH_SPC) {
            r->spc = e.value;
            break;
        }
    }
}

void clid__result_set_detail(clid_result *r, const char *detail)
{
    size_t n = strlen(detail);
    if (n >= sizeof r->detail)
        n = sizeof r->detail - 1;
    memcpy(r->detail, detail, n);
    r->detail[n] = '\0';
}

void clid__result_warn(clid_result *r, clid_err code)
{
    for (size_t i = 0; i < r->n_warnings; i++)
        if (r->warnings[i] == code)
            return;
    if (r->n_warnings < CLID_RESULT_MAX_WARNINGS)
        r->warnings[r->n_warnings++] = code;
}

clid_err clid__result_deviation(clid_result *r, int strict, clid_err code)
{
    if (strict)
        return code;
    clid__result_warn(r, code);
    return CLID_OK;
}

size_t clid_result_warning_count(const clid_result *r)
{
    return r != NULL ? r->n_warnings : 0;
}

clid_err clid_result_warning(const clid_result *r, size_t i)
{
    return r != NULL && i < r->n_warnings ? r->warnings[i] : CLID_OK;
}

int clid_result_revocation_checked(const clid_result *r)
{
    return r != NULL && r->revocation_checked;
}

clid_err clid_result_reason(const clid_result *r)
{
    return r ? r->reason : CLID_ERR_INVALID_ARGUMENT;
}

clid_verstat clid_result_verstat(const clid_result *r)
{
    return clid_err_verstat(clid_result_reason(r));
}

int clid_result_sip_status(const clid_result *r)
{
    return clid_err_sip_status(clid_result_reason(r));
}

const char *clid_result_detail(const clid_result *r)
{
    return r ? r->detail : "";
}

#define CLAIM_STR(field) (r != NULL && r->have_claims && r->field[0] ? r->field : NULL)

const char *clid_result_ppt(const clid_result *r)
{
    return CLAIM_STR(ppt);
}

const char *clid_result_orig(const clid_result *r)
{
    return CLAIM_STR(orig);
}

size_t clid_result_dest_count(const clid_result *r)
{
    return r && r->have_claims ? r->dest_count : 0;
}

const char *clid_result_dest(const clid_result *r, size_t i)
{
    return r && r->have_claims && i < r->dest_count ? r->dest[i] : NULL;
}

char clid_result_attest(const clid_result *r)
{
    return r && r->have_claims ? r->attest : 0;
}

const char *clid_result_origid(const clid_result *r)
{
    return CLAIM_STR(origid);
}

const char *clid_result_div(const clid_result *r)
{
    return CLAIM_STR(div);
}

int64_t clid_result_iat(const clid_result *r)
{
    return r && r->have_claims ? r->iat : 0;
}

const char *clid_result_x5u(const clid_result *r)
{
    return r ? r->x5u : NULL;
}

const char *clid_result_signer_subject(const clid_result *r)
{
    return r && r->signer ? r->signer->subject : NULL;
}

const char *clid_result_signer_issuer(const clid_result *r)
{
    return r && r->signer ? r->signer->issuer : NULL;
}

const char *clid_result_signer_serial(const clid_result *r)
{
    return r && r->signer ? r->signer->serial : NULL;
}

int64_t clid_result_signer_not_after(const clid_result *r)
{
    return r && r->signer ? r->signer->not_after : 0;
}

const char *clid_result_signer_spc(const clid_result *r)
{
    return r ? r->spc : NULL;
}

const clid_tnauth *clid_result_signer_tnauth(const clid_result *r)
{
    return r && r->signer ? r->signer->tnauth : NULL;
}

const clid_entity *clid_result_signer_entity(const clid_result *r)
{
    return r && r->signer ? r->signer->entity : NULL;
}

unsigned clid_result_binding_checked(const clid_result *r)
{
    return r != NULL ? r->bound : 0;
}

/* ------------------------------------------------------------------------ */
/* Diverted calls (verify_chain.c)                                          */
/* ------------------------------------------------------------------------ */

const char *clid_result_div_opt(const clid_result *r)
{
    return r != NULL ? r->div_opt : NULL;
}

size_t clid_result_div_count(const clid_result *r)
{
    return r != NULL ? r->div_count : 0;
}

const char *clid_result_div_from(const clid_result *r, size_t i)
{
    return r != NULL && i < r->div_count ? r->div_links[i].from : NULL;
}

const char *clid_result_div_to(const clid_result *r, size_t i)
{
    return r != NULL && i < r->div_count ? r->div_links[i].to : NULL;
}

int64_t clid_result_div_iat(const clid_result *r, size_t i)
{
    return r != NULL && i < r->div_count ? r->div_links[i].iat : 0;
}

const char *clid_result_div_spc(const clid_result *r, size_t i)
{
    if (r == NULL || i >= r->div_count || r->div_links[i].signer == NULL)
        return NULL;
    const clid_tnauth *ta = r->div_links[i].signer->tnauth;
    for (size_t k = 0; ta != NULL && k < clid_tnauth_count(ta); k++) {
        clid_tnauth_entry e;
        if (clid_tnauth_get(ta, k, &e) == CLID_OK && e.kind == CLID_TNAUTH_SPC)
            return e.value;
    }
    return NULL;
}

int clid_result_div_failed_link(const clid_result *r)
{
    return r != NULL ? r->div_failed1 - 1 : -1;
}

/* ------------------------------------------------------------------------ */
/* Rich Call Data (RFC 9795): values only of a passed verification           */
/* ------------------------------------------------------------------------ */

unsigned clid_result_rcd(const clid_result *r)
{
    return r != NULL ? r->rcd_flags : 0;
}

#define RCD_VALUE(field) (r != NULL && r->reason == CLID_OK ? r->field : NULL)

const char *clid_result_rcd_name(const clid_result *r)
{
    return RCD_VALUE(rcd_nam);
}

const char *clid_result_rcd_apn(const clid_result *r)
{
    return RCD_VALUE(rcd_apn);
}

const char *clid_result_rcd_reason(const clid_result *r)
{
    return RCD_VALUE(rcd_crn);
}

const char *clid_result_rcd_jcard(const clid_result *r)
{
    return RCD_VALUE(rcd_jcard);
}

const char *clid_result_rcd_jcard_url(const clid_result *r)
{
    return RCD_VALUE(rcd_jcl);
}

const char *clid_result_rcd_icon_url(const clid_result *r)
{
    return RCD_VALUE(rcd_icn);
}

const char *clid_result_rcd_digest(const clid_result *r, const char *pointer)
{
    if (pointer == NULL)
        return NULL;
    if (strcmp(pointer, "/jcl") == 0)
        return RCD_VALUE(rcd_digest_jcl);
    if (strcmp(pointer, "/icn") == 0)
        return RCD_VALUE(rcd_digest_icn);
    return NULL;
}
