#!/usr/bin/env bash
# Regenerates schema/admin.graphql and schema/admin.meta.json from Shopify's introspection
# result as shipped in the npm package @shopify/dev-mcp. Usage (from the workspace root):
#   bash schema/refresh.sh [API_VERSION] [DEV_MCP_VERSION]
set -euo pipefail
version="${1:-2026-10}"
package="${2:-1.16.0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "@shopify/dev-mcp@$package" >/dev/null && tar xzf ./*.tgz)
source="$work/package/dist/data/admin_$version.json.gz"
[ -f "$source" ] || { echo "no admin_$version.json.gz in @shopify/dev-mcp@$package" >&2; exit 1; }
echo "source: @shopify/dev-mcp@$package dist/data/admin_$version.json.gz"
sha256sum "$source" | awk '{print "source sha256: " $1}'
cd "$root"
cargo run -q -p shopify-schema --example import -- "$source" "$version" schema
sha256sum schema/admin.graphql schema/admin.meta.json
