// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

// The interface comes from OpenGradient's og-evm (a test fixture outside this repository, see compile.ts): this
// contract is ours, the interface is theirs, compiled from /work/shared/fixtures at test time.
import "og-evm/113ae07/precompiles/tee/ITEEVerifier.sol";

/// @title MockTEEVerifier - a stand-in for OpenGradient's TEE precompile (0x…0900) on anvil
/// @notice Installed at 0x0000000000000000000000000000000000000900 with anvil_setCode (the deployed bytecode of
///         an instance deployed normally, so `admin` - an immutable, part of the code - survives the copy while
///         storage at 0x…0900 starts empty).
///
///  - `verifyRSAPSS` verifies for real, as og-evm's precompiles/tee/precompile.go does with Go's crypto:
///    x509.ParsePKIXPublicKey (RSA only), key size 2048..8192 bits (256..1024 bytes), then
///    rsa.VerifyPSS(key, SHA-256, sha256(messageHash), signature, {SaltLength: 32}), i.e. EMSA-PSS-VERIFY of
///    RFC 8017 with MGF1-SHA-256. The RSA operation uses the modexp precompile (0x05), hashing the SHA-256
///    precompile (0x02). Stricter than Go in one way only: bytes after the exponent inside RSAPublicKey are
///    rejected (Go ignores them); Go's other rules are kept (DER minimal lengths and integers, NULL algorithm
///    parameters, no trailing data, positive odd modulus, odd exponent in [3, 2^31 - 1], |signature| = |modulus|,
///    signature < modulus, size limits 8 KiB for the key and 1 KiB for the signature).
///  - `verifyAttestation` does NOT check Nitro documents: it answers (true, pcrHash) for a document the admin
///    registered with `registerDocument`, (false, 0) otherwise (and for empty or oversized inputs, like the
///    real one). The real precompile also checks the AWS certificate chain and the binding of the signing key and
///    TLS certificate to the document's user_data; the mock leaves that to the indexer under test.
contract MockTEEVerifier is ITEEVerifier {
    // Limits of precompile.go.
    uint256 private constant MAX_ATTESTATION_SIZE = 16 * 1024;
    uint256 private constant MAX_CERTIFICATE_SIZE = 8 * 1024;
    uint256 private constant MAX_PUBLIC_KEY_SIZE = 8 * 1024;
    uint256 private constant MAX_SIGNATURE_SIZE = 1024;
    uint256 private constant MIN_RSA_KEY_BYTES = 256;
    uint256 private constant MAX_RSA_KEY_BYTES = 1024;
    uint256 private constant SALT_BYTES = 32;
    uint256 private constant HASH_BYTES = 32;

    /// @dev AlgorithmIdentifier of rsaEncryption: SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }.
    bytes15 private constant RSA_ALGORITHM_ID = 0x300d06092a864886f70d0101010500;

    /// @notice The only account that may register documents (the deployer of the original instance).
    address public immutable admin;

    /// @notice keccak256(attestation document) => the PCR hash verifyAttestation returns for it.
    mapping(bytes32 => bytes32) public pcrHashOfDocument;

    /// @dev Where the modulus and the exponent of an RSA key are in its DER bytes (without a sign byte).
    struct RsaKey {
        uint256 nOffset;
        uint256 nLength;
        uint256 eOffset;
        uint256 eLength;
    }

    error NotAdmin();
    error ZeroPcrHash();

    constructor() {
        admin = msg.sender;
    }

    /// @notice Makes verifyAttestation accept `attestationDocument`, returning `pcrHash` for it.
    function registerDocument(bytes calldata attestationDocument, bytes32 pcrHash) external {
        if (msg.sender != admin) revert NotAdmin();
        if (pcrHash == bytes32(0)) revert ZeroPcrHash();
        pcrHashOfDocument[keccak256(attestationDocument)] = pcrHash;
    }

    /// @notice Makes verifyAttestation reject `attestationDocument` again.
    function unregisterDocument(bytes calldata attestationDocument) external {
        if (msg.sender != admin) revert NotAdmin();
        delete pcrHashOfDocument[keccak256(attestationDocument)];
    }

    /// @inheritdoc ITEEVerifier
    function verifyAttestation(
        bytes calldata attestationDocument,
        bytes calldata signingPublicKey,
        bytes calldata tlsCertificate,
        bytes calldata rootCertificate
    ) external view returns (bool valid, bytes32 pcrHash) {
        if (
            attestationDocument.length == 0 ||
            attestationDocument.length > MAX_ATTESTATION_SIZE ||
            signingPublicKey.length == 0 ||
            signingPublicKey.length > MAX_PUBLIC_KEY_SIZE ||
            tlsCertificate.length == 0 ||
            tlsCertificate.length > MAX_CERTIFICATE_SIZE ||
            rootCertificate.length > MAX_CERTIFICATE_SIZE
        ) return (false, bytes32(0));
        pcrHash = pcrHashOfDocument[keccak256(attestationDocument)];
        valid = pcrHash != bytes32(0);
    }

    /// @inheritdoc ITEEVerifier
    function verifyRSAPSS(
        bytes calldata publicKeyDER,
        bytes32 messageHash,
        bytes calldata signature
    ) external view returns (bool valid) {
        if (publicKeyDER.length > MAX_PUBLIC_KEY_SIZE || signature.length > MAX_SIGNATURE_SIZE) return false;
        (bool ok, RsaKey memory key) = parseRsaSpki(publicKeyDER);
        if (!ok) return false;
        // Go: rsa.VerifyPSS rejects a signature that is not exactly the modulus' length, or not below it.
        if (signature.length != key.nLength) return false;
        if (!lessThan(signature, publicKeyDER[key.nOffset:key.nOffset + key.nLength])) return false;
        bytes memory em = rsaPublicOperation(publicKeyDER, key, signature);
        if (em.length != key.nLength) return false;
        // precompile.go: the message hash (keccak256) is hashed once more with SHA-256; that is the PSS mHash.
        uint256 emBits = modulusBits(publicKeyDER[key.nOffset:key.nOffset + key.nLength]) - 1;
        return emsaPssVerify(em, emBits, sha256(abi.encodePacked(messageHash)));
    }

    // ============ DER SubjectPublicKeyInfo ============

    /// @dev Offsets and lengths (leading sign byte removed) of the modulus and exponent of an RSA
    ///      SubjectPublicKeyInfo; ok false for anything else or an unacceptable key.
    function parseRsaSpki(bytes calldata der) internal pure returns (bool ok, RsaKey memory key) {
        // SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
        (bool good, uint256 content, uint256 end) = readElement(der, 0, der.length, 0x30);
        if (!good || end != der.length) return (false, key);
        if (content + 15 > end || bytes15(der[content:content + 15]) != RSA_ALGORITHM_ID) return (false, key);
        (good, content, end) = readElement(der, content + 15, end, 0x03);
        if (!good || end != der.length) return (false, key);
        // No unused bits: the key is whole bytes.
        if (content >= end || der[content] != 0x00) return (false, key);
        // RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }
        (good, content, end) = readElement(der, content + 1, end, 0x30);
        if (!good || end != der.length) return (false, key);
        uint256 next;
        (good, key.nOffset, next) = readElement(der, content, end, 0x02);
        if (!good) return (false, key);
        key.nLength = next - key.nOffset;
        (good, key.eOffset, next) = readElement(der, next, end, 0x02);
        if (!good || next != end) return (false, key);
        key.eLength = next - key.eOffset;
        (good, key.nOffset, key.nLength) = positiveInteger(der, key.nOffset, key.nLength);
        if (!good) return (false, key);
        (good, key.eOffset, key.eLength) = positiveInteger(der, key.eOffset, key.eLength);
        if (!good) return (false, key);
        // Key size (rsa.PublicKey.Size(), bytes) within [2048, 8192] bits; odd modulus (Go's bigmod).
        if (key.nLength < MIN_RSA_KEY_BYTES || key.nLength > MAX_RSA_KEY_BYTES) return (false, key);
        if (uint8(der[key.nOffset + key.nLength - 1]) & 1 == 0) return (false, key);
        // Exponent: Go parses it into an int, then requires 2 <= e <= 2^31 - 1 and e odd.
        if (key.eLength > 4) return (false, key);
        uint256 e = 0;
        for (uint256 i = 0; i < key.eLength; i++) e = (e << 8) | uint8(der[key.eOffset + i]);
        if (e < 3 || e > 0x7fffffff || e & 1 == 0) return (false, key);
        return (true, key);
    }

    /// @dev The DER element with tag `tag` at `pos` (which must end by `limit`): where its content starts and
    ///      ends. Lengths in short form or minimal long form of one or two bytes (8 KiB keys need no more).
    function readElement(
        bytes calldata der,
        uint256 pos,
        uint256 limit,
        uint8 tag
    ) internal pure returns (bool ok, uint256 content, uint256 end) {
        if (pos + 2 > limit || uint8(der[pos]) != tag) return (false, 0, 0);
        uint256 first = uint8(der[pos + 1]);
        uint256 length;
        if (first < 0x80) {
            length = first;
            content = pos + 2;
        } else if (first == 0x81) {
            if (pos + 3 > limit) return (false, 0, 0);
            length = uint8(der[pos + 2]);
            if (length < 0x80) return (false, 0, 0);
            content = pos + 3;
        } else if (first == 0x82) {
            if (pos + 4 > limit) return (false, 0, 0);
            length = (uint256(uint8(der[pos + 2])) << 8) | uint8(der[pos + 3]);
            if (length < 0x100) return (false, 0, 0);
            content = pos + 4;
        } else {
            return (false, 0, 0);
        }
        end = content + length;
        if (end > limit) return (false, 0, 0);
        ok = true;
    }

    /// @dev A DER INTEGER's content that is minimal and positive, without its leading 0x00 sign byte.
    function positiveInteger(
        bytes calldata der,
        uint256 offset,
        uint256 length
    ) internal pure returns (bool ok, uint256 valueOffset, uint256 valueLength) {
        if (length == 0) return (false, 0, 0);
        uint8 first = uint8(der[offset]);
        if (first & 0x80 != 0) return (false, 0, 0); // negative
        if (first == 0) {
            // Zero, or a sign byte that must be needed (next byte >= 0x80), else not minimal.
            if (length == 1 || uint8(der[offset + 1]) & 0x80 == 0) return (false, 0, 0);
            return (true, offset + 1, length - 1);
        }
        return (true, offset, length);
    }

    // ============ RSA ============

    /// @dev a < b for two big-endian numbers of the same length.
    function lessThan(bytes calldata a, bytes calldata b) internal pure returns (bool) {
        for (uint256 i = 0; i < a.length; i++) {
            if (a[i] != b[i]) return uint8(a[i]) < uint8(b[i]);
        }
        return false;
    }

    /// @dev Bit length of a modulus whose first byte is not zero.
    function modulusBits(bytes calldata modulus) internal pure returns (uint256 bits) {
        bits = modulus.length * 8;
        uint8 top = uint8(modulus[0]);
        while (top & 0x80 == 0) {
            top <<= 1;
            bits--;
        }
    }

    /// @dev signature^e mod n with the modexp precompile (0x05): as many bytes as the modulus.
    function rsaPublicOperation(
        bytes calldata der,
        RsaKey memory key,
        bytes calldata signature
    ) internal view returns (bytes memory result) {
        bytes memory input = abi.encodePacked(
            signature.length,
            key.eLength,
            key.nLength,
            signature,
            der[key.eOffset:key.eOffset + key.eLength],
            der[key.nOffset:key.nOffset + key.nLength]
        );
        result = new bytes(key.nLength);
        bool success;
        assembly {
            success := staticcall(gas(), 0x05, add(input, 0x20), mload(input), add(result, 0x20), mload(result))
        }
        if (!success) return new bytes(0);
    }

    /// @dev EMSA-PSS-VERIFY (RFC 8017 §9.1.2) with SHA-256, MGF1-SHA-256 and a 32-byte salt, over the encoded
    ///      message `m` as many bytes as the modulus (the RSA verification primitive's output), as Go's
    ///      rsa.VerifyPSS does it.
    function emsaPssVerify(bytes memory m, uint256 emBits, bytes32 mHash) internal view returns (bool) {
        uint256 emLen = (emBits + 7) / 8;
        // When the modulus has 8k + 1 bits, EM is one byte shorter than the modulus: the extra byte must be 0.
        uint256 start = m.length - emLen;
        if (start > 1 || (start == 1 && m[0] != 0)) return false;
        if (emLen < HASH_BYTES + SALT_BYTES + 2) return false;
        if (m[start + emLen - 1] != 0xbc) return false;
        uint256 dbLen = emLen - HASH_BYTES - 1;
        bytes32 h;
        uint256 maskedDb;
        assembly {
            maskedDb := add(add(m, 0x20), start)
            h := mload(add(maskedDb, dbLen))
        }
        uint8 bitMask = uint8(0xff) >> (8 * emLen - emBits);
        if (uint8(m[start]) & ~bitMask != 0) return false;
        // DB = maskedDB xor MGF1(H, dbLen), a word at a time (the last word's excess bytes are never read).
        bytes memory db = new bytes(((dbLen + 31) / 32) * 32);
        for (uint256 counter = 0; counter * 32 < dbLen; counter++) {
            bytes32 mask = sha256(abi.encodePacked(h, uint32(counter)));
            assembly {
                let at := mul(counter, 32)
                mstore(add(add(db, 0x20), at), xor(mload(add(maskedDb, at)), mask))
            }
        }
        db[0] = bytes1(uint8(db[0]) & bitMask);
        // DB = PS (zeros) || 0x01 || salt
        uint256 psLen = dbLen - SALT_BYTES - 1;
        for (uint256 i = 0; i < psLen; i++) {
            if (db[i] != 0) return false;
        }
        if (db[psLen] != 0x01) return false;
        bytes32 salt;
        assembly {
            salt := mload(add(add(db, 0x20), add(psLen, 1)))
        }
        return sha256(abi.encodePacked(bytes8(0), mHash, salt)) == h;
    }
}
