#!/bin/sh
# Installs the Node clients that the emulator's client tests drive, from the npm registry,
# into .clients/: jsforce, Node.js 22 (the npm "node" package; the Salesforce CLI needs 22)
# and the Salesforce CLI, with an `sf` that runs on that Node. Then run the tests with:
#   PATH="$PWD/.clients/bin:$PATH" NODE_PATH="$PWD/.clients/node_modules" \
#   JSFORCE_DIR="$PWD/.clients/node_modules" .venv/bin/pytest -q tests/e2e -k "node or clients"
# Without npm it says so; the tests that need these clients are then skipped.
set -e
if ! command -v npm >/dev/null 2>&1; then
    echo "install-node-clients: no npm here: the jsforce and Salesforce CLI tests will be skipped" >&2
    exit 0
fi
root="$(cd "$(dirname "$0")/.." && pwd)/.clients"
mkdir -p "$root/bin"
cd "$root"
[ -f package.json ] || echo '{"private": true}' > package.json
npm install --silent --no-audit --no-fund jsforce@3 node@22 @salesforce/cli@2
cat > bin/sf <<SCRIPT
#!/bin/sh
exec "$root/node_modules/.bin/node" "$root/node_modules/@salesforce/cli/bin/run.js" "\$@"
SCRIPT
chmod +x bin/sf
ln -sf "$root/node_modules/.bin/node" bin/node
echo "install-node-clients: $("$root/bin/node" --version), $("$root/bin/sf" --version 2>/dev/null | tail -1)" >&2
