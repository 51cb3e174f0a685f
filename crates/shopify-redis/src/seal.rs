//! Sealing the token at rest: AES-256-GCM with a key derived from the client secret.
//!
//! Whoever reads Redis (a dump, a replica, `MONITOR`) without the app's client secret
//! sees only ciphertext. The key is HKDF-SHA256 of the secret, bound to the app and shop,
//! and the Redis key name is the associated data, so a sealed value copied to another
//! key does not open.

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use hkdf::Hkdf;
use sha2::{Digest, Sha256};

const NONCE_BYTES: usize = 12;

/// Seals and opens values for one app on one shop.
pub(crate) struct Sealer {
    cipher: Aes256Gcm,
}

// The cipher holds key material: show nothing of it.
impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer([redacted])")
    }
}

impl Sealer {
    pub(crate) fn new(client_secret: &str, client_id: &str, shop: &str) -> Self {
        let hkdf =
            Hkdf::<Sha256>::new(Some(b"shopify-rs fleet token v1"), client_secret.as_bytes());
        let mut key = [0u8; 32];
        let info = format!("{client_id}\n{shop}");
        // 32 bytes is far below HKDF-SHA256's 8160-byte limit: this cannot fail.
        if hkdf.expand(info.as_bytes(), &mut key).is_err() {
            unreachable!("32 bytes is a valid HKDF-SHA256 output length");
        }
        Self {
            cipher: Aes256Gcm::new(&key.into()),
        }
    }

    /// `base64(nonce || ciphertext)`, bound to `aad`.
    pub(crate) fn seal(&self, plaintext: &[u8], aad: &[u8]) -> Option<String> {
        let mut nonce = [0u8; NONCE_BYTES];
        getrandom::fill(&mut nonce).ok()?;
        let sealed = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad,
                },
            )
            .ok()?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Some(STANDARD_NO_PAD.encode(out))
    }

    /// The plaintext, or `None` when the value was not sealed by this key for `aad`
    /// (another secret, a rotated secret, tampering).
    pub(crate) fn open(&self, sealed: &str, aad: &[u8]) -> Option<Vec<u8>> {
        let bytes = STANDARD_NO_PAD.decode(sealed).ok()?;
        if bytes.len() < NONCE_BYTES {
            return None;
        }
        let (nonce, ciphertext) = bytes.split_at(NONCE_BYTES);
        self.cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad,
                },
            )
            .ok()
    }
}

/// A short hex digest, for key names: identifies an app or shop without revealing
/// anything secret (the client id is public, the secret is never hashed into a name).
pub(crate) fn digest(parts: &[&str]) -> String {
    let mut hash = Sha256::new();
    for part in parts {
        hash.update(part.as_bytes());
        hash.update([0u8]);
    }
    hash.finalize()
        .iter()
        .take(12)
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_value_opens_only_with_the_same_secret_and_key_name() {
        let sealer = Sealer::new("secret", "client", "shop.myshopify.com");
        let sealed = sealer.seal(b"shpat_token", b"key-a").expect("sealed");
        assert!(!sealed.contains("shpat_token"));
        assert_eq!(
            sealer.open(&sealed, b"key-a").as_deref(),
            Some(&b"shpat_token"[..])
        );
        assert_eq!(sealer.open(&sealed, b"key-b"), None);
        let other = Sealer::new("other-secret", "client", "shop.myshopify.com");
        assert_eq!(other.open(&sealed, b"key-a"), None);
        assert_eq!(sealer.open("not base64 !", b"key-a"), None);
    }

    #[test]
    fn the_same_token_seals_differently_each_time() {
        let sealer = Sealer::new("secret", "client", "shop");
        assert_ne!(sealer.seal(b"t", b"k"), sealer.seal(b"t", b"k"));
    }

    #[test]
    fn debug_shows_no_key() {
        assert_eq!(
            format!("{:?}", Sealer::new("s", "c", "h")),
            "Sealer([redacted])"
        );
    }

    #[test]
    fn digests_are_short_and_stable() {
        assert_eq!(digest(&["a", "b"]).len(), 24);
        assert_eq!(digest(&["a", "b"]), digest(&["a", "b"]));
        assert_ne!(digest(&["a", "b"]), digest(&["ab", ""]));
    }
}
