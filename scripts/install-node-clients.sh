#!/bin/sh
# Installs the clients on Node that the embedded org's client tests drive, from the npm
# registry, into .clients/ (the tests look there; tests/node_clients.py): jsforce 3,
# Node.js 22 (the npm "node" package: the Salesforce CLI needs 22) and the Salesforce CLI
# with an `sf` that runs on that Node. Where npm is missing or the registry does not
# answer in time it says so and those tests are skipped. It never fails the command.
root="$(cd "$(dirname "$0")/.." && pwd)/.clients"
if [ -x "$root/bin/sf" ] && [ -d "$root/node_modules/jsforce" ]; then
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "install-node-clients: no npm here: the jsforce and Salesforce CLI tests will be skipped" >&2
    exit 0
fi
mkdir -p "$root/bin" && cd "$root" || exit 0
[ -f package.json ] || echo '{"private": true}' > package.json
if ! timeout 240 npm install --silent --no-audit --no-fund --fetch-timeout=30000 \
        --fetch-retries=1 jsforce@3 node@22 @salesforce/cli@2 >/dev/null 2>&1; then
    echo "install-node-clients: npm could not install the clients: their tests will be skipped" >&2
    exit 0
fi
cat > bin/sf <<SCRIPT
#!/bin/sh
exec "$root/node_modules/.bin/node" "$root/node_modules/@salesforce/cli/bin/run.js" "\$@"
SCRIPT
chmod +x bin/sf
ln -sf "$root/node_modules/.bin/node" bin/node
echo "install-node-clients: Node.js $("$root/bin/node" --version), jsforce and $("$root/bin/sf" --version 2>/dev/null | tail -1 | cut -d' ' -f1)" >&2
exit 0
