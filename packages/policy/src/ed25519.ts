import * as ed from "@noble/ed25519";
import { sha512 } from "@noble/hashes/sha2.js";

// noble-ed25519 v3 ships without a SHA-512 so that it has no dependencies; the sync API needs one.
ed.hashes.sha512 = sha512;

/** Ed25519 with its hash configured: import it from here, never from @noble directly. */
export { ed };
