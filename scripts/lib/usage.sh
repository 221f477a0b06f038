# Sourced by the npm scripts: `usage_or_run "<usage text>" "$@"` prints the text and exits 0 on
# -h/--help, exits 2 with it on any other argument, and returns when there are none.
usage_or_run() {
  local text="$1"
  shift
  case "${1:-}" in
    "") return 0 ;;
    -h | --help) printf '%s\n' "$text"; exit 0 ;;
    *) printf 'unexpected argument: %s\n\n%s\n' "$1" "$text" >&2; exit 2 ;;
  esac
}
