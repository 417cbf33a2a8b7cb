//! GitHub's secret encryption: a libsodium sealed box (X25519,
//! XSalsa20-Poly1305, an ephemeral key per value) to the repository's or
//! environment's public key, as GitHub documents for `PUT …/secrets/{name}`.

use crypto_box::aead::OsRng;
use crypto_box::PublicKey;

/// The public key's length: an X25519 key.
pub const KEY_BYTES: usize = 32;

/// `plaintext` sealed to `key`, for GitHub's `encrypted_value` (base64 of
/// this); `None` only for a message too long for the cipher.
pub fn seal(key: &[u8; KEY_BYTES], plaintext: &[u8]) -> Option<Vec<u8>> {
    PublicKey::from(*key).seal(&mut OsRng, plaintext).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crypto_box::SecretKey;

    #[test]
    fn the_holder_of_the_private_key_opens_it() {
        let secret = SecretKey::generate(&mut OsRng);
        let public = *secret.public_key().as_bytes();
        let sealed = seal(&public, b"ghp_value").unwrap();
        assert_eq!(
            sealed.len(),
            9 + 48,
            "ephemeral key (32) and tag (16) added"
        );
        assert_eq!(secret.unseal(&sealed).unwrap(), b"ghp_value");
        assert_ne!(
            seal(&public, b"ghp_value").unwrap(),
            sealed,
            "a fresh ephemeral key each time"
        );
    }
}
