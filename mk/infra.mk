# infra/: offline checks of the Terraform module (issue 7). Included by the top Makefile.
#   make infra-check        checkov (own venv) on the Terraform and the dbt runner Dockerfile,
#                           asl-validator on the state machine (when npm is installed),
#                           terraform fmt -check (when terraform is installed)
#   make infra-checkov-lock re-resolve infra/requirements-checkov.txt (needs the registry)
#   make infra-lambda-lock  re-resolve infra/lambda-requirements.txt (the generator Lambda's packages)
# The property tests of the module (tests/infra) run with the rest of pytest.

CHECKOV_VENV  := .venv-checkov
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed
CHECKOV_REQS  := infra/requirements-checkov.txt
CHECKOV_ENV   := CKV_SKIP_PACKAGE_UPDATE_CHECK=true BC_SKIP_MAPPING=TRUE
TF_OFFLINE    := TF_CLI_CONFIG_FILE=/dev/null CHECKPOINT_DISABLE=1
ASL_DIR       := .venv-asl
ASL_STAMP     := $(ASL_DIR)/.installed

CHECKS += infra-check

.PHONY: infra-check infra-checkov infra-asl infra-fmt infra-checkov-lock infra-lambda-lock

infra-check: infra-checkov infra-asl infra-fmt

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

# The state machine definition, rendered with example values, against the States Language schema.
$(ASL_STAMP): infra/asl/package.json infra/asl/package-lock.json
	rm -rf $(ASL_DIR) && mkdir -p $(ASL_DIR)
	cp infra/asl/package.json infra/asl/package-lock.json $(ASL_DIR)/
	npm ci --prefix $(ASL_DIR) --no-audit --no-fund --loglevel=error
	touch $@

infra-asl:
	@if command -v npm >/dev/null 2>&1; then \
	  $(MAKE) --no-print-directory $(ASL_STAMP) && \
	  $(PY) infra/asl/render_example.py > $(ASL_DIR)/pipeline.asl.json && \
	  $(ASL_DIR)/node_modules/.bin/asl-validator --json-path $(ASL_DIR)/pipeline.asl.json; \
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
