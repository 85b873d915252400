#!/usr/bin/env bash
# Makes a Rust toolchain that can build both the server and the wasm32 frontend available,
# then installs the WASM build tools. Idempotent: each step checks before it acts.
#
# Two paths:
#   * rustup can add wasm32-unknown-unknown (a normal machine with internet): use it.
#   * it cannot (a closed network): use Debian's rustc-web, build the wasm32 standard library
#     from its sources once, and expose it to rustup as the `system` toolchain.
# Sourced by scripts/dev.sh; exports RUSTUP_TOOLCHAIN when the fallback is in use.

WASM_TARGET=wasm32-unknown-unknown
TRUNK_VERSION=0.21.14
# wasm-opt from binaryen's npm package (compiled to WebAssembly, runs on Node): installs in
# seconds, where the wasm-opt crate compiles binaryen from source for ~17 minutes. Debian's
# binaryen (108) is too old: its -Oz output of current rustc wasm fails to load in Chromium.
BINARYEN_VERSION=132.0.0
TOOLS_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/tessera/tools

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

apt_install() {
    if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
        echo "error: need to install Debian packages ($*) but am not root and have no sudo" >&2
        return 1
    fi
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo=sudo
    if [ ! -f /tmp/.tessera-apt-updated ]; then
        $sudo apt-get update -qq && touch /tmp/.tessera-apt-updated
    fi
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# `grep >/dev/null`, not `grep -q`: under pipefail, rustup writing to a pipe grep has closed
# would make a present target look missing.
rustup_has_wasm() {
    command -v rustup >/dev/null && rustup target list --installed 2>/dev/null | grep -x "$WASM_TARGET" >/dev/null
}

# Builds wasm32's std with Debian's compiler and copies it into that compiler's sysroot.
# Keyed to the compiler's commit hash: a std built by another rustc does not load.
install_debian_wasm_std() {
    local sysroot_lib=/usr/lib/rustlib/$WASM_TARGET/lib
    local stamp=$sysroot_lib/.built-by
    local compiler
    compiler=$(/usr/bin/rustc -vV | sed -n 's/^commit-hash: //p')
    if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$compiler" ]; then
        return 0
    fi
    log "building the $WASM_TARGET standard library with Debian's rustc (once, ~1 min)"
    local scratch
    scratch=$(mktemp -d)
    mkdir -p "$scratch/src"
    cat >"$scratch/Cargo.toml" <<'TOML'
[package]
name = "wasm-std-seed"
version = "0.0.0"
edition = "2021"
[lib]
crate-type = ["cdylib"]
path = "src/lib.rs"
[profile.release]
panic = "abort"
TOML
    echo '#[no_mangle] pub extern "C" fn seed() -> u32 { 1 }' >"$scratch/src/lib.rs"
    (cd "$scratch" && RUSTC_BOOTSTRAP=1 RUSTC=/usr/bin/rustc CARGO_TARGET_DIR="$scratch/target" \
        RUSTUP_TOOLCHAIN= /usr/bin/cargo build -q --release \
        -Z build-std=std,panic_abort --target "$WASM_TARGET") || return 1
    mkdir -p "$sysroot_lib"
    rm -f "$sysroot_lib"/lib*.rlib
    find "$scratch/target/$WASM_TARGET/release/deps" -name 'lib*.rlib' ! -name 'libwasm_std_seed*' \
        -exec cp {} "$sysroot_lib/" \;
    echo "$compiler" >"$stamp"
    rm -rf "$scratch"
}

rustup_has_std_sources() {
    rustup component list --installed 2>/dev/null | grep '^rust-src' >/dev/null
}

ensure_toolchain() {
    if rustup_has_wasm && rustup_has_std_sources; then
        return 0
    fi
    if command -v rustup >/dev/null && timeout 120 rustup target add "$WASM_TARGET" >/dev/null 2>&1 &&
        timeout 120 rustup component add rust-src >/dev/null 2>&1; then
        log "added $WASM_TARGET and the standard library's sources with rustup"
        return 0
    fi
    log "rustup cannot provide $WASM_TARGET here; using Debian's Rust toolchain"
    if [ ! -x /usr/bin/rustc ] || [ ! -d /usr/lib/rustlib/src/rust ] || ! command -v rust-lld >/dev/null; then
        apt_install rustc-web cargo-web rust-web-src rust-web-llvm lld-22 || return 1
    fi
    install_debian_wasm_std || return 1
    if command -v rustup >/dev/null; then
        rustup toolchain list | grep -q '^system' || rustup toolchain link system /usr
        export RUSTUP_TOOLCHAIN=system
    fi
}

# How the WASM bundle is compiled for size, beyond the wasm-release profile: the standard
# library is rebuilt with the bundle's own settings (opt-level z, LTO) instead of linking the
# prebuilt one, and panics carry no file/line strings and `{:?}` prints nothing. Together about
# 5% of the bundle (brotli). These flags are unstable; RUSTC_BOOTSTRAP lets the stable compiler
# take them, the way the fuzz build does. Panics still reach the browser console, with their
# message; an unwrapped error's Debug detail is empty.
wasm_size_env() {
    export RUSTC_BOOTSTRAP=1
    export CARGO_UNSTABLE_BUILD_STD=std,panic_abort
    # Replaces build.rustflags for this target, so the shared --cfg is repeated here.
    export CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUSTFLAGS="--cfg erase_components -Zlocation-detail=none -Zfmt-debug=none"
}

# cargo install of a pinned version, skipped when `$bin --version` already mentions $reported.
ensure_cargo_tool() {
    local crate=$1 bin=$2 version=$3 reported=$4; shift 4
    if command -v "$bin" >/dev/null && "$bin" --version 2>/dev/null | grep -qF "$reported"; then
        return 0
    fi
    log "installing $crate $version (first time only; several minutes)"
    cargo install -q "$crate" --version "=$version" "$@"
}

locked_wasm_bindgen_version() {
    sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' "$1/Cargo.lock" | head -n1
}

ensure_wasm_opt() {
    local bin=$TOOLS_DIR/node_modules/.bin
    if ! "$bin/wasm-opt" --version 2>/dev/null | grep -qF "version ${BINARYEN_VERSION%%.*}"; then
        command -v npm >/dev/null || apt_install nodejs npm || return 1
        log "installing wasm-opt (binaryen $BINARYEN_VERSION, npm)"
        mkdir -p "$TOOLS_DIR"
        npm install --prefix "$TOOLS_DIR" --no-audit --no-fund --no-save --loglevel=error \
            "binaryen@$BINARYEN_VERSION" || return 1
    fi
    # Ahead of any other wasm-opt on PATH: Trunk.toml asks for exactly this version.
    export PATH="$bin:$PATH"
}

ensure_wasm_tools() {
    local repo=$1
    local bindgen
    bindgen=$(locked_wasm_bindgen_version "$repo")
    ensure_cargo_tool wasm-bindgen-cli wasm-bindgen "$bindgen" " $bindgen" || return 1
    ensure_cargo_tool trunk trunk "$TRUNK_VERSION" " $TRUNK_VERSION" --locked || return 1
    ensure_wasm_opt || return 1
}
