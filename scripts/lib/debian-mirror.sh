# Sourced by the fresh-Debian scripts: debian_mirror prints the Debian archive this machine's
# apt already uses (the first deb URI serving bookworm's main, from /etc/apt/sources.list
# and sources.list.d, one-line or deb822 format), so no mirror is written in the repository.
# DEBIAN_MIRROR overrides it.
debian_mirror() {
  if [ -n "${DEBIAN_MIRROR:-}" ]; then
    echo "$DEBIAN_MIRROR"
    return
  fi
  local uri
  uri=$(
    {
      cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
        awk '$1 == "deb" && / bookworm / && / main/ { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }'
      for f in /etc/apt/sources.list.d/*.sources; do
        [ -f "$f" ] || continue
        # deb822: one stanza a paragraph; the URIs of a stanza for bookworm with main.
        awk 'BEGIN { RS = ""; FS = "\n" }
             /(^|\n)Types:[^\n]*deb( |$|\n)/ && /(^|\n)Suites:[^\n]*bookworm( |\n|$)/ && /(^|\n)Components:[^\n]*main/ {
               for (i = 1; i <= NF; i++) if ($i ~ /^URIs:/) { split($i, u, " "); print u[2]; exit } }' "$f"
      done
    } | grep -v -- '-security' | head -1
  )
  if [ -z "$uri" ]; then
    echo "no Debian bookworm archive in /etc/apt/sources.list*: set DEBIAN_MIRROR" >&2
    return 1
  fi
  echo "$uri"
}
