//! Opening the payloads of `private-encrypted-` channels: NaCl's secretbox (XSalsa20-Poly1305),
//! with the shared secret the authorization endpoint gave, both in base64 on the wire.

use alloc::vec::Vec;
use crypto_secretbox::aead::{Aead, KeyInit};
use crypto_secretbox::{Key, Nonce, XSalsa20Poly1305};

/// The size of a secretbox key.
pub const KEY_LENGTH: usize = 32;
/// The size of a secretbox nonce.
pub const NONCE_LENGTH: usize = 24;
/// The authentication tag in front of every box.
pub const TAG_LENGTH: usize = 16;

/// Decodes standard base64 (`A–Z a–z 0–9 + /`, `=` padding optional). `None` for anything else.
pub fn decode_base64(text: &str) -> Option<Vec<u8>> {
    fn sextet(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let bytes = text.trim_end_matches('=').as_bytes();
    if bytes.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len() * 3 / 4);
    for chunk in bytes.chunks(4) {
        let mut n = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            n |= sextet(c)? << (18 - 6 * i);
        }
        let produced = chunk.len() - 1;
        for i in 0..produced {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// A channel's shared secret, decoded; `None` unless it is 32 bytes of base64.
pub fn shared_secret(base64: &str) -> Option<[u8; KEY_LENGTH]> {
    decode_base64(base64)?.try_into().ok()
}

/// Why an encrypted payload could not be opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OpenError {
    /// Not `{nonce, ciphertext}` in base64 of the right lengths.
    Malformed,
    /// The box did not open with this key (a rotated secret, or tampering).
    WrongKey,
    /// The box opened, but what it holds is not UTF-8 text.
    NotText,
}

/// Opens a box: `nonce` and `ciphertext` in base64, as the server sends them.
pub fn open(key: &[u8; KEY_LENGTH], nonce: &str, ciphertext: &str) -> Result<Vec<u8>, OpenError> {
    let nonce = decode_base64(nonce).ok_or(OpenError::Malformed)?;
    let ciphertext = decode_base64(ciphertext).ok_or(OpenError::Malformed)?;
    if nonce.len() != NONCE_LENGTH || ciphertext.len() < TAG_LENGTH {
        return Err(OpenError::Malformed);
    }
    XSalsa20Poly1305::new(Key::from_slice(key))
        .decrypt(Nonce::from_slice(&nonce), ciphertext.as_slice())
        .map_err(|_| OpenError::WrongKey)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Made with tweetnacl (what pusher-js and the `pusher` server SDK use):
    // key = 0..32, nonce = 100..124, message = {"message":"héllo wörld"}.
    const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const NONCE: &str = "ZGVmZ2hpamtsbW5vcHFyc3R1dnd4eXp7";
    const BOX: &str = "iwlcDY14q0xyc4Fi3FT+0Hmb9KxJxa+O1d8Ztl9HCnRSxRjQJxA5d8IuPw==";

    #[test]
    fn opens_a_tweetnacl_box() {
        let key = shared_secret(KEY).unwrap();
        let plain = open(&key, NONCE, BOX).unwrap();
        assert_eq!(
            std::str::from_utf8(&plain).unwrap(),
            r#"{"message":"héllo wörld"}"#
        );
    }

    #[test]
    fn a_wrong_key_or_a_flipped_bit_does_not_open() {
        let mut key = shared_secret(KEY).unwrap();
        key[0] ^= 1;
        assert_eq!(open(&key, NONCE, BOX), Err(OpenError::WrongKey));
        let key = shared_secret(KEY).unwrap();
        let mut tampered = decode_base64(BOX).unwrap();
        tampered[20] ^= 1;
        let tampered = encode(&tampered);
        assert_eq!(open(&key, NONCE, &tampered), Err(OpenError::WrongKey));
    }

    #[test]
    fn malformed_parts_are_reported_as_such() {
        let key = shared_secret(KEY).unwrap();
        assert_eq!(open(&key, "not base64!", BOX), Err(OpenError::Malformed));
        assert_eq!(
            open(&key, "AAAA", BOX),
            Err(OpenError::Malformed),
            "short nonce"
        );
        assert_eq!(
            open(&key, NONCE, "AAAA"),
            Err(OpenError::Malformed),
            "no room for a tag"
        );
        assert!(shared_secret("AAAA").is_none(), "a key must be 32 bytes");
    }

    #[test]
    fn base64_round_trips_every_length() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = encode(&bytes);
            assert_eq!(decode_base64(&text).unwrap(), bytes, "{text}");
            assert_eq!(decode_base64(text.trim_end_matches('=')).unwrap(), bytes);
        }
        assert!(decode_base64("A").is_none());
        assert!(decode_base64("ab-_").is_none(), "not the URL-safe alphabet");
    }

    fn encode(bytes: &[u8]) -> std::string::String {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = std::string::String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk
                .iter()
                .enumerate()
                .fold(0u32, |n, (i, &b)| n | (b as u32) << (16 - 8 * i));
            for i in 0..4 {
                if i <= chunk.len() {
                    out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}
