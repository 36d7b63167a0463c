# infra/: offline checks of the Terraform module (issue 7). Included by the top Makefile.
#   make infra-check        all of the offline checks of infra/, each a target of its own:
#     infra-checkov         checkov (own venv) on the Terraform and on the dbt runner Dockerfile
#     infra-schema          every resource, argument and block against the AWS provider's schema (from the
#                           provider's prebuilt CDKTF bindings on npm), a stand-in for `terraform validate`
#     infra-iam             every role policy (rendered with example ARNs) through parliament: unknown
#                           actions, resources that do not fit the action, risky patterns
#     infra-asl             the state machine definition against the States Language (asl-validator)
#     infra-fmt             terraform fmt -check (when terraform is installed)
#   make infra-checkov-lock re-resolve infra/requirements-checkov.txt (needs the registry)
#   make infra-lambda-lock  re-resolve infra/lambda-requirements.txt (the generator Lambda's packages)
# The property tests of the module (tests/infra) run with the rest of pytest.

CHECKOV_VENV  := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
CHECKOV_REQS  := infra/requirements-checkov.txt
CHECKOV_ENV   := CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE
TF_OFFLINE    := TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1
TOOLS_DIR     := .venv-infra-tools
ASL_STAMP     := $(TOOLS_DIR)/asl.installed
# @cdktf/provider-aws 21.22.1 = hashicorp/aws 6.25.0; the tarball is checked against this npm integrity.
PROVIDER_PKG       := @cdktf/provider-aws@21.22.1
PROVIDER_INTEGRITY := sha512-BuSHeaQFUL9l33pBzIMRT7cTQ69AM2mLtijjteCPhVQRmvuhuj9Lvfymf7knAMhYqAT6+Lrls9jiGVW/Us3zrQ==
PROVIDER_LIB       := $(TOOLS_DIR)/provider-aws/package/lib
PROVIDER_STAMP     := $(TOOLS_DIR)/provider-aws.installed

CHECKS += infra-check

.PHONY: infra-check infra-checkov infra-schema infra-iam infra-asl infra-fmt infra-checkov-lock infra-lambda-lock

infra-check: infra-checkov infra-schema infra-iam infra-asl infra-fmt

# checkov cannot share .venv: its bc-python-hcl2 installs into the same hcl2/ package as python-hcl2 8.x.
$(CHECKOV_STAMP): $(CHECKOV_REQS) | setup
	rm -rf $(CHECKOV_VENV)
	$(VENV)/bin/uv venv --quiet --python $(PY) $(CHECKOV_VENV)
	$(VENV)/bin/uv pip install --quiet --python $(CHECKOV_VENV)/bin/python -r $(CHECKOV_REQS)
	touch $@

# Offline: no update check, no policy download, no platform; settings in infra/.checkov.yaml.
infra-checkov: $(CHECKOV_STAMP)
	$(CHECKOV_ENV) $(CHECKOV_VENV)/bin/checkov --config-file infra/.checkov.yaml
	$(CHECKOV_ENV) $(CHECKOV_VENV)/bin/checkov -d infra/docker --framework dockerfile --skip-download --compact --quiet

infra-iam: $(CHECKOV_STAMP)
	$(PY) infra/checks/render_iam_policies.py --out $(TOOLS_DIR)/iam
	$(CHECKOV_VENV)/bin/python -W ignore -m parliament.cli --directory $(TOOLS_DIR)/iam --include_policy_extension json </dev/null
	@echo "parliament: no findings"

# Only lib/*/index.js and index.d.ts are kept (the schema as generated code); see infra/checks/provider_schema.py.
$(PROVIDER_STAMP):
	@command -v npm >/dev/null 2>&1 || { echo "npm is needed to fetch $(PROVIDER_PKG)" >&2; exit 1; }
	rm -rf $(TOOLS_DIR)/provider-aws && mkdir -p $(TOOLS_DIR)/provider-aws
	cd $(TOOLS_DIR)/provider-aws && npm pack $(PROVIDER_PKG) --silent --loglevel=error >/dev/null
	test "$$($(PY) -c 'import base64, glob, hashlib; print("sha512-" + base64.b64encode(hashlib.sha512(open(glob.glob("$(TOOLS_DIR)/provider-aws/*.tgz")[0], "rb").read()).digest()).decode())')" = "$(PROVIDER_INTEGRITY)"
	tar -xzf $(TOOLS_DIR)/provider-aws/*.tgz -C $(TOOLS_DIR)/provider-aws --wildcards 'package/lib/*/index.js' 'package/lib/*/index.d.ts'
	rm -f $(TOOLS_DIR)/provider-aws/*.tgz
	touch $@

infra-schema:
	@if command -v npm >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory $(PROVIDER_STAMP) && \
	  $(PY) infra/checks/provider_schema.py --provider-lib $(PROVIDER_LIB); \
	else \
	  echo "npm not installed: skipping the provider schema check"; \
	fi

# The state machine definition, rendered with example values, against the States Language schema.
$(ASL_STAMP): infra/checks/package.json infra/checks/package-lock.json
	rm -rf $(TOOLS_DIR)/asl && mkdir -p $(TOOLS_DIR)/asl
	cp infra/checks/package.json infra/checks/package-lock.json $(TOOLS_DIR)/asl/
	npm ci --prefix $(TOOLS_DIR)/asl --no-audit --no-fund --loglevel=error
	touch $@

infra-asl:
	@if command -v npm >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory $(ASL_STAMP) && \
	  $(PY) infra/checks/render_asl_example.py > $(TOOLS_DIR)/pipeline.asl.json && \
	  $(TOOLS_DIR)/asl/node_modules/.bin/asl-validator --json-path $(TOOLS_DIR)/pipeline.asl.json; \
	else \
	  echo "npm not installed: skipping the state machine (ASL) validation"; \
	fi

infra-fmt:
	@if command -v terraform >/dev/null 2>&1; then \
	  echo "terraform fmt -check -recursive infra"; \
	  $(TF_OFFLINE) terraform fmt -check -recursive -diff infra; \
	else \
	  echo "terraform not installed: skipping terraform fmt -check"; \
	fi

infra-checkov-lock: setup
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 infra/requirements-checkov.in -o $(CHECKOV_REQS) --no-header
	sed -i '1i # Full resolved set for .venv-checkov (from infra/requirements-checkov.in; re-resolve: make infra-checkov-lock).' $(CHECKOV_REQS)

# The python3.11 Lambda runtime is Amazon Linux 2 (glibc 2.26): resolve for manylinux2014 wheels.
infra-lambda-lock: setup
	$(VENV)/bin/uv pip compile --quiet --python-version 3.11 --python-platform x86_64-manylinux_2_17 infra/lambda-requirements.in -o infra/lambda-requirements.txt --no-header
	sed -i '1i # Full resolved set for the generator Lambda package (from infra/lambda-requirements.in; re-resolve: make infra-lambda-lock).' infra/lambda-requirements.txt
