"""Check the generator Lambda package that deploy.sh built, for the Lambda's platform, on any build host.

The python3.11 Lambda runtime is linux/x86_64 on Amazon Linux 2 (glibc 2.26). The package passes when

- every installed distribution is a wheel for that runtime: pure Python, or CPython 3.11 (or abi3) for
  manylinux x86_64 with a glibc no newer than 2.26;
- every native library in it is an x86-64 ELF object;
- every pinned requirement (`--requirements`) is installed at its pinned version;
- the handler's module is in the package and defines or imports the handler;
- and, only where the build host can load the package (linux/x86_64 with CPython 3.11), the handler
  imports from the package. Elsewhere (an Apple Silicon laptop, say) the import is skipped, and the
  output says so: the static checks above are what such a host can prove.

    python infra/checks/lambda_package.py --host linux/x86_64 [--requirements FILE] [--handler MOD.FUNC] DIR
"""

from __future__ import annotations

import argparse
import ast
import importlib
import re
import sys
from pathlib import Path

RUNTIME_GLIBC = (2, 26)  # Amazon Linux 2, the python3.11 runtime
LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
ELF_MACHINE_X86_64 = 62
IMPORTABLE_HOSTS = {"linux/x86_64", "linux/amd64"}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def tag_fits(tag: str) -> bool:
    """Does one wheel tag (`interpreter-abi-platform`) run on CPython 3.11, linux x86_64, glibc 2.26?"""
    try:
        interpreter, abi, platform = tag.split("-")
    except ValueError:
        return False
    if platform != "any":
        match = re.fullmatch(r"(manylinux1|manylinux2010|manylinux2014|manylinux_(\d+)_(\d+))_x86_64", platform)
        if not match:
            return False
        glibc = LEGACY_MANYLINUX.get(match.group(1)) or (int(match.group(2)), int(match.group(3)))
        if glibc > RUNTIME_GLIBC:
            return False
    for python in interpreter.split("."):
        if python in ("py3", "py311", "cp311") and abi in ("none", "cp311", "abi3"):
            return True
        if abi == "abi3" and re.fullmatch(r"cp3(\d+)", python) and int(python[3:]) <= 11:
            return True
    return False


def wheel_problems(build: Path) -> list[str]:
    problems = []
    for wheel in sorted(build.glob("*.dist-info/WHEEL")):
        tags = [line.split(":", 1)[1].strip() for line in wheel.read_text().splitlines() if line.startswith("Tag:")]
        if not any(tag_fits(t) for t in tags):
            problems.append(f"{wheel.parent.name}: wheel tags {tags} do not run on the python3.11 Lambda (linux x86_64, glibc 2.26)")
    return problems


def elf_problems(build: Path) -> list[str]:
    problems = []
    for path in sorted(build.rglob("*")):
        if not path.is_file() or not (path.suffix == ".so" or ".so." in path.name):
            continue
        header = path.read_bytes()[:20]
        machine = int.from_bytes(header[18:20], "little") if len(header) == 20 else None
        if header[:4] != b"\x7fELF" or header[4] != 2 or header[5] != 1 or machine != ELF_MACHINE_X86_64:
            problems.append(f"{path.relative_to(build)}: not an x86-64 ELF object (e_machine {machine})")
    return problems


def requirement_problems(build: Path, requirements: Path) -> list[str]:
    installed = {}
    for dist_info in build.glob("*.dist-info"):
        name, _, version = dist_info.name.removesuffix(".dist-info").partition("-")
        installed[canonical(name)] = version
    problems = []
    for line in requirements.read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9][A-Za-z0-9_.-]*)==([^\s;#]+)", line.strip())
        if match and installed.get(canonical(match.group(1))) != match.group(2):
            found = installed.get(canonical(match.group(1)), "missing")
            problems.append(f"{match.group(1)}=={match.group(2)} is not in the package ({found})")
    return problems


def handler_problems(build: Path, handler: str) -> list[str]:
    module, _, function = handler.rpartition(".")
    base = build.joinpath(*module.split("."))
    source = next((p for p in (base / "__init__.py", base.with_suffix(".py")) if p.is_file()), None)
    if source is None:
        return [f"{module} is not in the package"]
    names = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.ImportFrom):
            names |= {a.asname or a.name for a in node.names}
    return [] if function in names else [f"{source.relative_to(build)} neither defines nor imports {function}"]


def import_handler(build: Path, handler: str) -> None:
    module, _, function = handler.rpartition(".")
    sys.path.insert(0, str(build))
    loaded = importlib.import_module(module)
    assert loaded.__file__ and loaded.__file__.startswith(str(build)), f"imported {loaded.__file__}, not the package"
    assert callable(getattr(loaded, function)), f"{handler} is not callable"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("build", type=Path)
    parser.add_argument("--host", required=True, help="the build host as <os>/<machine>, e.g. linux/x86_64, darwin/arm64")
    parser.add_argument("--requirements", type=Path)
    parser.add_argument("--handler", default="ingestion.generator.lambda_handler")
    args = parser.parse_args(argv)
    build = args.build.resolve()
    problems = wheel_problems(build) + elf_problems(build) + handler_problems(build, args.handler)
    if args.requirements:
        problems += requirement_problems(build, args.requirements)
    if problems:
        print("Lambda package check failed:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    if args.host.lower() in IMPORTABLE_HOSTS and sys.version_info[:2] == (3, 11):
        import_handler(build, args.handler)
        print(f"Lambda package: wheels and libraries fit linux/x86_64; {args.handler} imports")
    else:
        print(
            f"Lambda package: wheels and libraries fit linux/x86_64; import of {args.handler} skipped "
            f"(host {args.host}, Python {sys.version_info[0]}.{sys.version_info[1]} cannot load them)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
