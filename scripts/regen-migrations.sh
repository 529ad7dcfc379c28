#!/usr/bin/env bash
# Regenerates the migrations from scratch (only while nothing is deployed): the generated schema
# migration, then the hand-written SQL kept in db/sql/*.sql as custom migrations, in name order.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf db/migrations
npx drizzle-kit generate --name init >/dev/null
for f in db/sql/*.sql; do
  name=$(basename "$f" .sql | sed 's/^[0-9]*_//')
  npx drizzle-kit generate --custom --name "$name" >/dev/null
  cp "$f" "$(ls db/migrations/*_"$name".sql)"
done
ls db/migrations
