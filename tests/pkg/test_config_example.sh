#!/bin/sh
# etc/mmserver.conf, the installed example: mmserver -n accepts it as shipped
# (every key commented) and with every key uncommented, and it shows every key
# mmserver knows (the list mmserver itself prints for an unknown key).
# Usage: test_config_example.sh MMSERVER EXAMPLE
set -eu
mmserver=$1 example=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail() { echo "test_config_example: FAIL: $*"; exit 1; }

"$mmserver" -n -c "$example" >"$tmp/out" 2>&1 || fail "as shipped: $(cat "$tmp/out")"
if grep -q '^[a-z]' "$example"; then fail "a key is not commented: $(grep '^[a-z]' "$example")"; fi
sed -n 's/^#\([a-z_]*[a-z_.0-9]* = .*\)/\1/p' "$example" >"$tmp/all.conf"
[ -s "$tmp/all.conf" ] || fail "no commented key = value line"
"$mmserver" -n -c "$tmp/all.conf" >"$tmp/out" 2>&1 || fail "uncommented: $(cat "$tmp/out")"

printf 'no_such_key = 1\n' >"$tmp/bad.conf"
if "$mmserver" -n -c "$tmp/bad.conf" >"$tmp/out" 2>&1; then fail "an unknown key was accepted"; fi
known=$(sed -n 's/.*unknown key (known: \(.*\)).*/\1/p' "$tmp/out" | tr -d ',')
[ -n "$known" ] || fail "no key list in: $(cat "$tmp/out")"
for k in $known; do
	case $k in
	*.NAME) pat="^#${k%.NAME}\.[a-z0-9]* = " ;;
	*) pat="^#$k = " ;;
	esac
	grep -q "$pat" "$example" || fail "key $k is not in $example"
done
echo "test_config_example: ok: $(wc -l <"$tmp/all.conf") keys, all known ones: $known"
