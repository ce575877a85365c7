// One function per check family of the audit (one file each), adding findings to the list.
#pragma once

#include "orchestrator/audit/audit.h"
#include "orchestrator/audit/probe.h"

namespace golive {

void audit_tls(const AuditInput& in, Probe& probe, RiskList& out);        // tls_audit.cc
void audit_redirects(const AuditInput& in, Probe& probe, RiskList& out);  // redirect_audit.cc
void audit_headers(const AuditInput& in, Probe& probe, RiskList& out);    // header_audit.cc
void audit_exposure(const AuditInput& in, Probe& probe, RiskList& out);   // exposure_audit.cc
void audit_cache(const AuditInput& in, Probe& probe, RiskList& out);      // cache_audit.cc
void audit_email_dns(const AuditInput& in, RiskList& out);                // email_dns_audit.cc
void audit_access(const AuditInput& in, Probe& probe, RiskList& out);     // access_audit.cc
void audit_auth(const AuditInput& in, Probe& probe, RiskList& out);       // auth_audit.cc
void audit_secrets(const AuditInput& in, Probe& probe, RiskList& out);    // secrets_audit.cc
void audit_latency(const AuditInput& in, Probe& probe, RiskList& out);    // latency_audit.cc

// The cookie jar of the first access-matrix session that logs in (private pages need one);
// empty when none does.
std::vector<std::string> first_session(const AuditInput& in, Probe& probe);

}  // namespace golive
