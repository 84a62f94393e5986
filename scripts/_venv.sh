# shellcheck shell=bash
# Sourced by scripts/demo and scripts/test: the project's virtualenv in .venv, installed
# from pyproject.toml. A stamp in .venv remembers what was installed from which
# pyproject.toml, so an unchanged project is not reinstalled on every run.

venv_fail() {
  printf 'scripts/%s: %s\n' "${0##*/}" "$*" >&2
  exit 1
}

# Install apt packages when running as root; name what is missing otherwise.
apt_install() {
  if [ "$(id -u)" -ne 0 ]; then
    venv_fail "needs the Debian package(s) $*; install them (sudo apt-get install $*) and run again."
  fi
  if [ -z "${APT_UPDATED:-}" ]; then
    apt-get update -qq
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
}

# ensure_debs PKG...: install the Debian packages that are not installed yet.
ensure_debs() {
  local missing=() pkg
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" ||
      missing+=("$pkg")
  done
  [ "${#missing[@]}" -eq 0 ] || apt_install "${missing[@]}"
}

# Libraries the product itself needs: WeasyPrint (post-mortem PDFs) renders with Pango and
# embeds DejaVu fonts.
PRODUCT_DEBS=(libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)

# ensure_venv EXTRAS: EXTRAS is "" for the product alone or "dev" for the test tools too.
ensure_venv() {
  local extras=$1 python=${PYTHON:-python3} want stamp=.venv/.trustdesk-install
  if [ ! -x .venv/bin/python ]; then
    command -v "$python" >/dev/null || venv_fail "$python not found; trustdesk needs Python 3.11 or newer."
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
      || venv_fail "$("$python" --version 2>&1) is too old; trustdesk needs Python 3.11 or newer (set PYTHON=...)."
    echo "==> Creating the virtualenv in .venv"
    if ! "$python" -m venv .venv 2>/dev/null; then
      # Debian ships venv's pip bootstrap separately.
      rm -rf .venv
      apt_install python3-venv
      "$python" -m venv .venv
    fi
  fi
  want="$(sha256sum pyproject.toml | cut -d' ' -f1) ${extras:-base}"
  # An install with the dev extras also serves a run that needs only the product.
  if [ -f "$stamp" ] && { grep -qxF "$want" "$stamp" \
      || { [ -z "$extras" ] && grep -qxF "${want% *} dev" "$stamp"; }; }; then
    return 0
  fi
  echo "==> Installing trustdesk${extras:+ with its $extras tools} into .venv (pyproject.toml changed or first run)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".${extras:+[$extras]}" \
    || venv_fail "pip install failed (see above)."
  echo "$want" >"$stamp"
}
