"""The files ``sfjwt-run init`` writes, as text (``str.format`` fields in braces)."""

PLAYBOOK = """\
name: Smoke — log in and read an Account

vars:
  api: v60.0

steps:
  - name: API versions are listed
    request: {method: GET, path: /services/data/}
    expect: {status: 200}

  - name: Find an account with a number
    query: SELECT Id, Name, AccountNumber FROM Account WHERE AccountNumber != null LIMIT 1
    expect:
      json:
        totalSize: {gte: 1}
    register: found

  - name: Read it by id
    request:
      path: /services/data/{{ api }}/sobjects/Account/{{ found.json.records[0].Id }}
      params: {fields: "Name,AccountNumber"}
    expect:
      status: 200
      json:
        Name: {equals: "{{ found.json.records[0].Name }}"}

  - name: API headroom
    request: {path: "/services/data/{{ api }}/limits"}
    expect:
      json:
        "DailyApiRequests.Remaining": {gte: 1000}
"""

INVENTORY = """\
orgs:
  {org}:
    login_url: "{{{{ env.SF_LOGIN_URL }}}}"
    client_id: "{{{{ env.SF_CLIENT_ID }}}}"
    username: "{{{{ env.SF_USERNAME }}}}"
    private_key: {key}
    certificate: {certificate}
"""

_VARIABLES = """\
# https://test.salesforce.com for a sandbox, https://login.salesforce.com for production
SF_LOGIN_URL={login_url}
# Setup → App Manager → your connected app → Manage Consumer Details → Consumer Key
SF_CLIENT_ID={client_id}
SF_USERNAME={username}
"""

ENV_EXAMPLE = """\
# Copy to .env (never commit it) or export these in your shell / CI secrets.
""" + _VARIABLES

ENV = """\
# This project's settings, read by sfjwt-run from the working directory.
# Never commit this file (.gitignore keeps it out); CI sets these as secrets instead.
""" + _VARIABLES

GITIGNORE = """\
# private keys and local secrets never belong in git
certs/*.key
*.key
.env
reports/
"""

VSCODE_EXTENSIONS = """\
{
  "recommendations": ["redhat.vscode-yaml"]
}
"""

CONSUMER_KEY_STEP = """\
  5. Copy the Consumer Key into SF_CLIENT_ID (.env.example → .env), and set
     SF_USERNAME to the integration user's username.
"""

IMPORTED_STEP = """\
  5. The consumer key, username and login URL came from the tutorial's .env
     (now in .env); the key and certificate are in certs/.
"""

CHECKLIST = """\
Salesforce Setup checklist (once per org):
  1. Integration user: Salesforce Integration licence, a profile cloned from
     "Salesforce API Only System Integrations", and a permission set granting the
     objects it needs (e.g. Read on Account and its fields).
  2. Setup → App Manager → New Connected App: Enable OAuth Settings, callback
     https://localhost, "Use digital signatures" with {certificate} uploaded.
  3. OAuth scopes: "Manage user data via APIs (api)" and
     "Perform requests at any time (refresh_token, offline_access)".
  4. Manage → Edit Policies → Permitted Users: "Admin approved users are
     pre-authorized"; then Manage Profiles (or Permission Sets) and add the
     integration user's.
{last_step}Then, in {directory}:
  sfjwt-run -i inventory.yml playbook.yml --syntax-check
  sfjwt-run -i inventory.yml playbook.yml --doctor
  sfjwt-run -i inventory.yml playbook.yml
"""
