// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IInferenceSettlementRelay, ITEERegistry} from "./interfaces/Spec.sol";
import {Roles} from "./Roles.sol";

/// Devnet settlement relay: same events and selectors as OpenGradient's InferenceSettlementRelay.
/// It does not verify the TEE's RSA-PSS signature on chain (no precompile here) and accepts settlements for
/// TEE ids that are not registered, so the indexer's own checks have both cases to judge.
contract InferenceSettlementRelay is IInferenceSettlementRelay, Roles {
    bytes32 public constant SETTLER_ROLE = keccak256("SETTLER_ROLE");

    error EmptyBatch();

    ITEERegistry public immutable teeRegistry;
    uint256 public settlementCount;
    uint256 public batchCount;

    constructor(ITEERegistry registry) {
        teeRegistry = registry;
        _grant(SETTLER_ROLE, msg.sender);
    }

    function settleIndividual(
        bytes32 teeId,
        bytes32 inputHash,
        bytes32 outputHash,
        uint256 timestamp,
        address ethAddress,
        bytes calldata walrusBlobId,
        bytes calldata signature
    ) external onlyRole(SETTLER_ROLE) {
        settlementCount++;
        emit IndividualSettlement(teeId, ethAddress, inputHash, outputHash, timestamp, walrusBlobId, signature);
    }

    function batchSettle(bytes32 merkleRoot, uint256 batchSize, bytes calldata walrusBlobId)
        external
        onlyRole(SETTLER_ROLE)
    {
        if (batchSize == 0) revert EmptyBatch();
        batchCount++;
        emit BatchSettlement(merkleRoot, batchSize, walrusBlobId);
    }
}
