#!/usr/bin/env bash
# Upload the built portal (site/) to a web server's folder, sending only what changed.
#
#   deploy/rsync.sh 用户@服务器:/srv/zhenggai/site/      (or a local folder)
#
# A build writes every file anew, so modification times always differ; the same ledgers and as-of date give the
# same bytes, so rsync compares checksums (--checksum) and sends a file only when its content changed: after one
# problem's new progress entry, its page, the pages and data that list it, the search index's changed fragments
# and their .gz/.br copies. New files are put in place together at the end (--delay-updates) and files the build
# no longer writes are deleted after (--delete-after), so a reader meets the old site or the new one, not a mix.
# The server serves the .br and .gz copies as they are (deploy/nginx-site.conf).
set -euo pipefail
cd "$(dirname "$0")/.."
target="${1:?用法：deploy/rsync.sh 用户@服务器:/srv/zhenggai/site/（先运行 make site 生成 site/）}"
[ -f site/index.html ] || { echo "site/ 里没有门户：请先运行 make site。" >&2; exit 2; }
exec rsync --recursive --checksum --delete-after --delay-updates --chmod=D755,F644 --itemize-changes \
    --stats --human-readable site/ "$target"
