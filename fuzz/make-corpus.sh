#!/usr/bin/env bash
# Regenerates the seed corpus under fuzz/corpus/<harness>/ from tests/vectors/webauthn (client data, attestation
# objects, authenticator data, COSE keys, CBOR) plus generated assertion and audit-export seeds. Idempotent: seeds are
# named by content hash; files AFL++ found and that were saved into the corpus (named afl-*) are left alone.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
dotnet build "$root/fuzz/Keyward.Fuzz" -c Release -v q --nologo
dotnet "$root/fuzz/Keyward.Fuzz/bin/Release/net10.0/Keyward.Fuzz.dll" seeds "$root/tests/vectors/webauthn" "$root/fuzz/corpus"
