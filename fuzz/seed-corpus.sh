#!/bin/sh
# Seeds fuzz/corpus/engine/ with the chat texts of the project's test data.
# Each corpus file is one selector byte (the product on air, see
# fuzz_targets/engine.rs: 0 = none, b = product (b-1) % catalog.len())
# followed by the UTF-8 text of one message. Files are named by SHA-1 of
# their content, as libFuzzer names them, so re-running is idempotent.
# Texts longer than MAX_LEN-1 bytes (default 4096, as -max_len in README.md)
# are cut on a char boundary.
# Usage: fuzz/seed-corpus.sh   (from anywhere; needs python3)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
out="$here/corpus/engine"
mkdir -p "$out"
python3 - "$out" "$root"/tests/data/*-messages.jsonl "$root"/../shared/corpus/*.jsonl <<'PY'
import hashlib, json, os, sys

out, files = sys.argv[1], sys.argv[2:]
max_len = int(os.environ.get("MAX_LEN", "4096"))
written = seen = skipped = 0
for path in files:
    if not os.path.isfile(path):
        continue
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if not line:
                continue
            try:
                msg = json.loads(line)
            except (ValueError, RecursionError):
                skipped += 1  # hostile-messages.jsonl has malformed lines on purpose
                continue
            text = msg.get("text") if isinstance(msg, dict) else None
            if not isinstance(text, str):
                continue
            seen += 1
            # Messages read with a product on air get a nonzero selector,
            # spread over the catalog; the others get 0 (none on air).
            sel = 1 + seen % 255 if msg.get("current") else 0
            raw = text.encode("utf-8", "surrogatepass")
            # Keep within -max_len (default 4096), cut on a char boundary.
            if len(raw) + 1 > max_len:
                raw = raw[: max_len - 1].decode("utf-8", "ignore").encode("utf-8", "surrogatepass")
            data = bytes([sel]) + raw
            name = os.path.join(out, hashlib.sha1(data).hexdigest())
            if not os.path.exists(name):
                with open(name, "wb") as g:
                    g.write(data)
                written += 1
print(f"{seen} messages ({skipped} non-JSON lines skipped), {written} new corpus files in {out}")
PY
