#!/usr/bin/env bash
# Build the artifacts and deploy the Oakvale stack (infra/README.md).
#
#   infra/deploy.sh [--dry-run] [--env dev|prod] [--region REGION] [--prefix NAME] [--image-tag TAG]
#                   [--skip-image] [--plan-only] [--build-only] [--auto-approve] [--dist DIR]
#
# Steps: 1 ingestion wheel, 2 Lambda package, 3 stage the Glue script, 4 terraform init + workspace,
# 5 terraform apply (uploads the Glue script, the wheel and the Lambda package as S3 objects and
# creates or updates everything), 6 dbt runner image to ECR, 7 outputs.
# --dry-run prints every command and runs none of them (no build, no AWS, no terraform).
# --build-only stops after step 3: the wheel and the Lambda package in --dist, nothing deployed.
# Any build host: the Lambda package and the dbt image are built for linux/amd64, where they run.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
INFRA="$REPO/infra"
PYTHON=${PYTHON:-$REPO/.venv/bin/python}
TERRAFORM=${TERRAFORM:-terraform}
AWS=${AWS_CLI:-aws}
DOCKER=${DOCKER:-docker}

DRY_RUN=0
ENVIRONMENT=dev
REGION=${AWS_REGION:-${AWS_DEFAULT_REGION:-us-east-1}}
PREFIX=oakvale
IMAGE_TAG=""
SKIP_IMAGE=0
PLAN_ONLY=0
BUILD_ONLY=0
AUTO_APPROVE=0
DIST="$REPO/dist"

# Packages the generator imports besides the ingestion wheel (boto3 comes with the Lambda runtime),
# fully pinned for the python3.11 runtime's glibc (manylinux2014).
LAMBDA_REQUIREMENTS="$INFRA/lambda-requirements.txt"

# Where the artifacts run: the Lambda (architectures = ["x86_64"]) and CodeBuild (LINUX_CONTAINER) are
# linux/amd64. The build host may be anything (an Apple Silicon laptop is linux/arm64 under Docker and
# darwin/arm64 outside it): wheels are fetched and the image is built for the target, never the host.
TARGET_PLATFORM=linux/amd64
HOST_PLATFORM="$(uname -s | tr '[:upper:]' '[:lower:]')/$(uname -m)"

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
die() { echo "deploy.sh: $*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --env) ENVIRONMENT=${2:?--env needs a value}; shift ;;
    --region) REGION=${2:?--region needs a value}; shift ;;
    --prefix) PREFIX=${2:?--prefix needs a value}; shift ;;
    --image-tag) IMAGE_TAG=${2:?--image-tag needs a value}; shift ;;
    --skip-image) SKIP_IMAGE=1 ;;
    --plan-only) PLAN_ONLY=1 ;;
    --build-only) BUILD_ONLY=1 ;;
    --auto-approve) AUTO_APPROVE=1 ;;
    --dist) DIST=${2:?--dist needs a value}; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
  shift
done

case "$ENVIRONMENT" in dev|prod) ;; *) die "--env must be dev or prod, not '$ENVIRONMENT'" ;; esac
[ -n "$IMAGE_TAG" ] || IMAGE_TAG=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo "manual")

VERSION=$(sed -nE 's/^version *= *"([^"]+)".*/\1/p' "$REPO/pyproject.toml" | head -n1)
WHEEL="$DIST/oakvale_ingestion-${VERSION}-py3-none-any.whl"
LAMBDA_BUILD="$DIST/lambda-build"
LAMBDA_ZIP="$DIST/lambda/generator.zip"
GLUE_SCRIPT="$REPO/glue_scripts/bronze_job.py"

TF_VARS=(
  -var "environment=$ENVIRONMENT"
  -var "aws_region=$REGION"
  -var "name_prefix=$PREFIX"
  -var "ingestion_wheel_path=$WHEEL"
  -var "lambda_zip_path=$LAMBDA_ZIP"
  -var "glue_script_path=$GLUE_SCRIPT"
  -var "dbt_image_tag=$IMAGE_TAG"
)

STEP=0
step() {
  STEP=$((STEP + 1))
  if [ "$DRY_RUN" = 1 ]; then echo "[dry-run] step $STEP/7: $*"; else echo "==> step $STEP/7: $*"; fi
}

# Print a command, then run it unless this is a dry run.
run() {
  printf '+'
  printf ' %q' "$@"
  printf '\n'
  [ "$DRY_RUN" = 1 ] || "$@"
}

# Same, for a command that needs a shell (pipes).
run_sh() {
  echo "+ $1"
  [ "$DRY_RUN" = 1 ] || bash -euo pipefail -c "$1"
}

tf() { run "$TERRAFORM" "-chdir=$INFRA" "$@"; }

echo "Oakvale deploy: env=$ENVIRONMENT region=$REGION prefix=$PREFIX image_tag=$IMAGE_TAG$([ "$DRY_RUN" = 1 ] && echo ' (dry run: nothing is executed)')"
echo "Build: host $HOST_PLATFORM, target $TARGET_PLATFORM"

step "build the ingestion wheel ($WHEEL)"
# From a copy of the package, so setuptools leaves no build/ or *.egg-info in the work tree.
WHEEL_SRC="$DIST/wheel-src"
run rm -rf "$WHEEL" "$WHEEL_SRC"
run mkdir -p "$WHEEL_SRC"
run cp -R "$REPO/pyproject.toml" "$REPO/ingestion" "$WHEEL_SRC/"
run "$PYTHON" -m pip wheel --quiet --no-deps -w "$DIST" "$WHEEL_SRC"
run rm -rf "$WHEEL_SRC"

step "build the generator Lambda package ($LAMBDA_ZIP)"
run rm -rf "$LAMBDA_BUILD"
run mkdir -p "$LAMBDA_BUILD" "$(dirname "$LAMBDA_ZIP")"
run "$PYTHON" -m pip install --quiet --no-deps --target "$LAMBDA_BUILD" "$WHEEL"
run "$PYTHON" -m pip install --quiet --no-deps --target "$LAMBDA_BUILD" \
  --platform manylinux2014_x86_64 --implementation cp --python-version 3.11 --only-binary=:all: \
  -r "$LAMBDA_REQUIREMENTS"
# Wheel tags, native libraries and pins against the Lambda's platform on any host; the handler is also
# imported where the host can load linux/x86_64 CPython 3.11 wheels (checks/lambda_package.py).
run "$PYTHON" "$INFRA/checks/lambda_package.py" --host "$HOST_PLATFORM" --requirements "$LAMBDA_REQUIREMENTS" \
  --handler ingestion.generator.lambda_handler "$LAMBDA_BUILD"
run "$PYTHON" -c 'import pathlib, sys, zipfile
src, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
    for path in sorted(src.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            zf.write(path, path.relative_to(src).as_posix())' "$LAMBDA_BUILD" "$LAMBDA_ZIP"

step "stage the Glue script (uploaded to the glue-scripts bucket by terraform apply, with the wheel and the Lambda package)"
if [ ! -f "$GLUE_SCRIPT" ]; then
  if [ "$DRY_RUN" = 1 ]; then echo "  note: $GLUE_SCRIPT does not exist yet"; else die "missing $GLUE_SCRIPT"; fi
fi
run test -f "$GLUE_SCRIPT"
run "$PYTHON" -c 'import ast, sys; ast.parse(open(sys.argv[1]).read(), sys.argv[1])' "$GLUE_SCRIPT"

if [ "$BUILD_ONLY" = 1 ]; then
  echo "build only: $WHEEL and $LAMBDA_ZIP are ready; stopping before terraform"
  exit 0
fi

step "terraform init and select the '$ENVIRONMENT' workspace"
tf init -input=false
tf workspace select -or-create=true "$ENVIRONMENT"

if [ "$PLAN_ONLY" = 1 ]; then
  step "terraform plan (--plan-only: nothing is changed)"
  tf plan -input=false "${TF_VARS[@]}"
  echo "plan only: stopping before the image push"
  exit 0
fi

step "terraform apply (uploads s3://<glue-scripts>/scripts/bronze_job.py, wheels/, lambda/; creates or updates the stack)"
APPLY=(apply -input=false)
[ "$AUTO_APPROVE" = 1 ] && APPLY+=(-auto-approve)
tf "${APPLY[@]}" "${TF_VARS[@]}"

step "build and push the dbt runner image ($IMAGE_TAG)"
if [ "$SKIP_IMAGE" = 1 ]; then
  echo "  skipped (--skip-image): the dbt step runs whatever image tag $IMAGE_TAG already is in ECR"
else
  if [ "$DRY_RUN" = 1 ]; then
    REPO_URL="ACCOUNT_ID.dkr.ecr.$REGION.amazonaws.com/$PREFIX-$ENVIRONMENT-dbt-runner" # the dbt_runner_repository_url output
  else
    REPO_URL=$("$TERRAFORM" "-chdir=$INFRA" output -raw dbt_runner_repository_url)
  fi
  IMAGE="$REPO_URL:$IMAGE_TAG"
  run_sh "$(printf '%q ecr get-login-password --region %q | %q login --username AWS --password-stdin %q' "$AWS" "$REGION" "$DOCKER" "${REPO_URL%%/*}")"
  # CodeBuild's LINUX_CONTAINER is x86_64: an image built for the host's arm64 fails there with
  # "exec format error". On an arm64 host Docker builds it under emulation.
  run "$DOCKER" build --platform "$TARGET_PLATFORM" -f "$INFRA/docker/dbt-runner/Dockerfile" -t "$IMAGE" "$REPO"
  # Tags are immutable: a tag already in the repository is not pushed again.
  run_sh "$(printf '%q ecr describe-images --region %q --repository-name %q --image-ids imageTag=%q >/dev/null 2>&1 || %q push %q' "$AWS" "$REGION" "${REPO_URL#*/}" "$IMAGE_TAG" "$DOCKER" "$IMAGE")"
fi

step "outputs"
tf output
echo "Run the pipeline now: aws stepfunctions start-execution --state-machine-arn \"\$(terraform -chdir=infra output -raw state_machine_arn)\""
