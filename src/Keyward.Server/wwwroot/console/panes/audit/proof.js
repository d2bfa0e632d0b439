// Checks an audit event in the browser, with WebCrypto only: its leaf hash recomputed from the event's own fields
// (RFC 8785 canonical JSON, as Keyward.Core's AuditCanonical writes it), its RFC 6962 audit path folded up to the
// root of the latest signed tree head (RFC 9162 §2.1.3.2), and that tree head's ES256 signature verified against the
// published audit key (its id checked: base64url(SHA-256(SubjectPublicKeyInfo))). docs/audit.md describes each step.
//
// What it proves: the event as the database holds it now is the event the log signed. An event edited in the database
// behind Keyward's back no longer hashes to its leaf, so it does not verify. It cannot catch a compromised server: this
// script, the key and the tree head all come from it. Independent checks are `keyward audit verify` on an export, or
// an outside monitor that keeps the tree heads it has seen.

const encoder = new TextEncoder();

/** Standard base64 to bytes. */
export function fromBase64(text) {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) {
    bytes[i] = binary.charCodeAt(i);
  }

  return bytes;
}

function toBase64Url(bytes) {
  let binary = '';
  for (const b of bytes) {
    binary += String.fromCharCode(b);
  }

  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function equal(a, b) {
  if (a.length !== b.length) {
    return false;
  }

  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    diff |= a[i] ^ b[i];
  }

  return diff === 0;
}

async function sha256(...parts) {
  const length = parts.reduce((n, p) => n + p.length, 0);
  const input = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    input.set(part, offset);
    offset += part.length;
  }

  return new Uint8Array(await crypto.subtle.digest('SHA-256', input));
}

// RFC 8785 §3.2.2.2: strings as ECMAScript's JSON.stringify writes them (which is what JCS specifies); null as null.
const jsonString = value => (value === null || value === undefined ? 'null' : JSON.stringify(String(value)));

/**
 * The canonical bytes of an event as GET /api/audit/events returns it: the nine members in RFC 8785 order (sorted by
 * UTF-16 code units, which is what Array.prototype.sort compares), details sorted the same way, no whitespace.
 */
export function canonicalEvent(event) {
  const details = event.details ?? {};
  const members = Object.keys(details).sort().map(k => `${jsonString(k)}:${jsonString(details[k])}`).join(',');
  const integer = n => {
    if (!Number.isSafeInteger(n)) {
      throw new RangeError(`${n} is not a whole number this check can read exactly`);
    }

    return String(n);
  };
  const text = `{"action":${jsonString(event.action)},"actor":${jsonString(event.actor)},"client":${jsonString(event.client)}`
    + `,"details":{${members}},"outcome":${jsonString(event.outcome)},"sequence":${integer(event.sequence)}`
    + `,"target":${jsonString(event.target)},"tenant":${jsonString(event.tenant)},"time":${integer(event.time)}}`;
  return encoder.encode(text);
}

/** RFC 6962 §2.1: a leaf hash, SHA-256(0x00 ‖ data). */
export const hashLeaf = data => sha256(Uint8Array.of(0x00), data);

/** RFC 6962 §2.1: an interior node, SHA-256(0x01 ‖ left ‖ right). */
export const hashChildren = (left, right) => sha256(Uint8Array.of(0x01), left, right);

/** The leaf hash of an event, recomputed from its fields. */
export const eventLeafHash = event => hashLeaf(canonicalEvent(event));

/**
 * RFC 9162 §2.1.3.2: whether leafHash is leaf index of the tree of size leaves whose root is root, given its audit
 * path. BigInt arithmetic, so indexes beyond 2^31 fold correctly.
 */
export async function verifyInclusion(index, size, leafHash, path, root) {
  let fn = BigInt(index);
  let sn = BigInt(size) - 1n;
  if (fn < 0n || fn > sn || leafHash.length !== 32 || root.length !== 32) {
    return false;
  }

  let r = leafHash;
  for (const p of path) {
    if (sn === 0n || p.length !== 32) {
      return false;
    }

    if ((fn & 1n) === 1n || fn === sn) {
      r = await hashChildren(p, r);
      while ((fn & 1n) === 0n && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = await hashChildren(r, p);
    }

    fn >>= 1n;
    sn >>= 1n;
  }

  return sn === 0n && equal(r, root);
}

/**
 * An ECDSA signature from DER (RFC 3279 Ecdsa-Sig-Value, what the tree heads carry) to the IEEE P1363 form WebCrypto
 * verifies (r ‖ s, each 32 bytes for P-256). Null when the DER is malformed.
 */
export function derToP1363(der, size = 32) {
  let at = 0;
  const readLength = () => {
    const first = der[at++];
    if (first === undefined || first === 0x80 || first > 0x81) {
      return -1;
    }

    return first === 0x81 ? der[at++] ?? -1 : first;
  };
  const readInteger = () => {
    if (der[at++] !== 0x02) {
      return null;
    }

    const length = readLength();
    if (length < 1 || at + length > der.length) {
      return null;
    }

    let value = der.subarray(at, at + length);
    at += length;
    while (value.length > 1 && value[0] === 0) {
      value = value.subarray(1);
    }

    return value.length > size ? null : value;
  };

  if (der[at++] !== 0x30 || readLength() !== der.length - at) {
    return null;
  }

  const r = readInteger();
  const s = r && readInteger();
  if (!r || !s || at !== der.length) {
    return null;
  }

  const out = new Uint8Array(2 * size);
  out.set(r, size - r.length);
  out.set(s, 2 * size - s.length);
  return out;
}

/** RFC 6962 §3.5 TreeHeadSignature: version 0, type 1 (tree_hash), timestamp and tree_size (uint64 BE), root hash. */
export function treeHeadInput(treeSize, timestamp, rootHash) {
  const input = new Uint8Array(50);
  const view = new DataView(input.buffer);
  input[0] = 0x00;
  input[1] = 0x01;
  view.setBigUint64(2, BigInt(timestamp));
  view.setBigUint64(10, BigInt(treeSize));
  input.set(rootHash, 18);
  return input;
}

/** The DER SubjectPublicKeyInfo inside a PEM public key. */
export function pemToSpki(pem) {
  const body = pem.replace(/-----(BEGIN|END) PUBLIC KEY-----/g, '').replace(/\s+/g, '');
  return fromBase64(body);
}

/** A key's id as Keyward names it: base64url(SHA-256(SubjectPublicKeyInfo DER)). */
export const keyIdOf = async spki => toBase64Url(await sha256(spki));

/**
 * Whether a tree head (as GET /api/audit/sth returns it) is signed by the key in spki: the key id must be the head's,
 * and the ES256 signature must verify over its TreeHeadSignature bytes. Returns { ok, reason }.
 */
export async function verifyTreeHead(head, spki) {
  const keyId = await keyIdOf(spki);
  if (keyId !== head.key_id) {
    return { ok: false, reason: `the tree head names key ${head.key_id}, the published key is ${keyId}` };
  }

  const signature = derToP1363(fromBase64(head.signature));
  if (!signature) {
    return { ok: false, reason: 'the tree head signature is not a DER ECDSA signature' };
  }

  const root = fromBase64(head.root_hash);
  if (root.length !== 32) {
    return { ok: false, reason: 'the tree head root hash is not 32 bytes' };
  }

  const key = await crypto.subtle.importKey('spki', spki, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify']);
  const ok = await crypto.subtle.verify({ name: 'ECDSA', hash: 'SHA-256' }, key, signature, treeHeadInput(head.tree_size, head.timestamp, root));
  return ok ? { ok: true, reason: `the tree head of ${head.tree_size} events is signed by key ${keyId}` } : { ok: false, reason: 'the tree head signature does not verify with the published key' };
}

/**
 * Checks one event against a signed tree head: { ok, reason }. head must already have passed verifyTreeHead; proof is
 * GET /api/audit/proof/inclusion's answer for this event in that head's tree.
 */
export async function verifyEvent(event, proof, head) {
  if (proof.sequence !== event.sequence || proof.tree_size !== head.tree_size) {
    return { ok: false, reason: 'the proof is for another event or another tree' };
  }

  const leaf = await eventLeafHash(event);
  if (!equal(leaf, fromBase64(proof.leaf_hash))) {
    return { ok: false, reason: 'the event’s content does not hash to the leaf the log recorded for it: it was changed after it was logged' };
  }

  const path = proof.audit_path.map(fromBase64);
  const ok = await verifyInclusion(event.sequence, head.tree_size, leaf, path, fromBase64(head.root_hash));
  return ok
    ? { ok: true, reason: `its hash is leaf ${event.sequence} of the signed tree of ${head.tree_size} events` }
    : { ok: false, reason: 'its audit path does not lead to the signed root: the stored tree was changed' };
}
