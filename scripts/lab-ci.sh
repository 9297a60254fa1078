#!/usr/bin/env bash
# CI entry of the network lab: installs its Debian packages, runs `npm run test:lab` (needs root)
# and prints the plain closing line CI reads. Exits with mocha's status.
set -uo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
bash scripts/lab-deps.sh >reports/lab-deps.log 2>&1 || { tail -20 reports/lab-deps.log; echo "lab: 0 passed, 1 failed"; exit 1; }
echo "lab packages installed in $(($(date +%s) - start)) s"
npx mocha --config .mocharc.lab.json 2>&1 | tee reports/mocha-lab.txt
rc=${PIPESTATUS[0]}
p=$(grep -oE '^ +[0-9]+ passing' reports/mocha-lab.txt | grep -oE '[0-9]+' || echo 0)
f=$(grep -oE '^ +[0-9]+ failing' reports/mocha-lab.txt | grep -oE '[0-9]+' || echo 0)
if [ "$rc" -ne 0 ] && [ "$f" = 0 ]; then f=1; fi
echo "lab: ${p} passed, ${f} failed"
echo "lab total $(($(date +%s) - start)) s"
exit "$rc"
