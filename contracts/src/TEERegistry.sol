// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITEERegistry} from "./interfaces/Spec.sol";
import {Roles} from "./Roles.sol";

/// Devnet TEE registry: same events, selectors and getTEE layout as OpenGradient's TEERegistry.
/// Differences (spec/README.md "Devnet"): the attestation document is abi.encode(bytes pcr0, bytes pcr1, bytes pcr2)
/// and is not verified, and heartbeat signatures are not verified on chain (no RSA precompile here).
contract TEERegistry is ITEERegistry, Roles {
    bytes32 public constant TEE_OPERATOR_ROLE = keccak256("TEE_OPERATOR_ROLE");

    error TEETypeExists(uint8 typeId);
    error UnknownTEEType(uint8 typeId);
    error EmptyPublicKey();
    error PCRAlreadyApproved(bytes32 pcrHash, uint8 teeType);
    error PCRNotApproved(bytes32 pcrHash, uint8 teeType);
    error TEEAlreadyRegistered(bytes32 teeId);
    error UnknownTEE(bytes32 teeId);
    error NotTEEOwner(bytes32 teeId, address caller);
    error TEEAlreadyDisabled(bytes32 teeId);
    error TEEAlreadyEnabled(bytes32 teeId);
    error TEEIsDisabled(bytes32 teeId);

    mapping(uint8 typeId => string) public teeTypeNames;
    mapping(uint8 typeId => bool) public teeTypeExists;
    mapping(bytes32 pcrHash => mapping(uint8 teeType => bool)) public pcrApproved;
    mapping(bytes32 teeId => TEEInfo) private _tees;
    bytes32[] public teeIds;

    constructor() {
        _grant(TEE_OPERATOR_ROLE, msg.sender);
    }

    function addTEEType(uint8 typeId, string calldata name) external onlyRole(ADMIN_ROLE) {
        if (teeTypeExists[typeId]) revert TEETypeExists(typeId);
        teeTypeExists[typeId] = true;
        teeTypeNames[typeId] = name;
        emit TEETypeAdded(typeId, name);
    }

    function approvePCR(PCRMeasurements calldata pcrs, string calldata version, uint8 teeType)
        external
        onlyRole(ADMIN_ROLE)
    {
        if (!teeTypeExists[teeType]) revert UnknownTEEType(teeType);
        bytes32 pcrHash = keccak256(abi.encodePacked(pcrs.pcr0, pcrs.pcr1, pcrs.pcr2));
        if (pcrApproved[pcrHash][teeType]) revert PCRAlreadyApproved(pcrHash, teeType);
        pcrApproved[pcrHash][teeType] = true;
        emit PCRApproved(pcrHash, teeType, version);
    }

    function revokePCR(bytes32 pcrHash, uint8 teeType) external onlyRole(ADMIN_ROLE) {
        if (!pcrApproved[pcrHash][teeType]) revert PCRNotApproved(pcrHash, teeType);
        pcrApproved[pcrHash][teeType] = false;
        emit PCRRevoked(pcrHash, teeType);
    }

    function registerTEEWithAttestation(
        bytes calldata attestationDocument,
        bytes calldata signingPublicKey,
        bytes calldata tlsCertificate,
        address paymentAddress,
        string calldata endpoint,
        uint8 teeType
    ) external onlyRole(TEE_OPERATOR_ROLE) returns (bytes32 teeId) {
        if (!teeTypeExists[teeType]) revert UnknownTEEType(teeType);
        if (signingPublicKey.length == 0) revert EmptyPublicKey();
        (bytes memory pcr0, bytes memory pcr1, bytes memory pcr2) =
            abi.decode(attestationDocument, (bytes, bytes, bytes));
        bytes32 pcrHash = keccak256(abi.encodePacked(pcr0, pcr1, pcr2));
        if (!pcrApproved[pcrHash][teeType]) revert PCRNotApproved(pcrHash, teeType);
        teeId = keccak256(signingPublicKey);
        if (_tees[teeId].registeredAt != 0) revert TEEAlreadyRegistered(teeId);
        _tees[teeId] = TEEInfo({
            owner: msg.sender,
            paymentAddress: paymentAddress,
            endpoint: endpoint,
            publicKey: signingPublicKey,
            tlsCertificate: tlsCertificate,
            pcrHash: pcrHash,
            teeType: teeType,
            enabled: true,
            registeredAt: block.timestamp,
            lastHeartbeatAt: 0
        });
        teeIds.push(teeId);
        emit TEERegistered(teeId, msg.sender, teeType);
    }

    function disableTEE(bytes32 teeId) external {
        TEEInfo storage tee = _ownedTEE(teeId);
        if (!tee.enabled) revert TEEAlreadyDisabled(teeId);
        tee.enabled = false;
        emit TEEDisabled(teeId);
    }

    function enableTEE(bytes32 teeId) external {
        TEEInfo storage tee = _ownedTEE(teeId);
        if (tee.enabled) revert TEEAlreadyEnabled(teeId);
        tee.enabled = true;
        emit TEEEnabled(teeId);
    }

    /// Anyone may relay a heartbeat: the TEE's RSA-PSS signature over keccak256(teeId ++ timestamp) is its
    /// authentication. OpenGradient's registry verifies it with a precompile; the devnet only records it.
    function heartbeat(bytes32 teeId, uint256 timestamp, bytes calldata signature) external {
        TEEInfo storage tee = _existing(teeId);
        if (!tee.enabled) revert TEEIsDisabled(teeId);
        signature; // not verified on the devnet
        tee.lastHeartbeatAt = timestamp;
        emit HeartbeatReceived(teeId, timestamp);
    }

    function getTEEPublicKey(bytes32 teeId) external view returns (bytes memory) {
        return _existingView(teeId).publicKey;
    }

    function getTEE(bytes32 teeId) external view returns (TEEInfo memory) {
        return _existingView(teeId);
    }

    function teeCount() external view returns (uint256) {
        return teeIds.length;
    }

    function _existing(bytes32 teeId) private view returns (TEEInfo storage tee) {
        tee = _tees[teeId];
        if (tee.registeredAt == 0) revert UnknownTEE(teeId);
    }

    function _existingView(bytes32 teeId) private view returns (TEEInfo storage) {
        return _existing(teeId);
    }

    /// The TEE's owner or an admin may switch it on and off.
    function _ownedTEE(bytes32 teeId) private view returns (TEEInfo storage tee) {
        tee = _existing(teeId);
        if (tee.owner != msg.sender && !hasRole(ADMIN_ROLE, msg.sender)) revert NotTEEOwner(teeId, msg.sender);
    }
}
