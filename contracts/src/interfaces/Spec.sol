// SPDX-License-Identifier: MIT
// Copy of ../shared/spec/contracts.sol (contract spec v1). The contract tests compare it with the spec file.
// The three event sources the indexer reads, as Solidity interfaces (contract spec v1).
//
// ITEERegistry and IInferenceSettlementRelay are ABI-compatible with OpenGradient's own
// TEERegistry and InferenceSettlementRelay contracts (og-evm): same event signatures, same
// function selectors for the calls listed. Pointing the indexer at OpenGradient's deployments
// must work without code changes. The devnet versions in this repository implement these
// interfaces without the Nitro-attestation and RSA precompiles (see spec/README.md, "Devnet").
//
// IAttestationRegistry is this project's commitment / challenge / slashing contract. Node ids
// are the TEE ids of ITEERegistry: keccak256(signingPublicKey).
pragma solidity ^0.8.24;

interface ITEERegistry {
    struct PCRMeasurements { bytes pcr0; bytes pcr1; bytes pcr2; }
    // Same layout as OpenGradient's TEEInfo, so getTEE decodes identically on both.
    struct TEEInfo {
        address owner;
        address paymentAddress;
        string endpoint;
        bytes publicKey;
        bytes tlsCertificate;
        bytes32 pcrHash;
        uint8 teeType;
        bool enabled;
        uint256 registeredAt;
        uint256 lastHeartbeatAt;
    }

    event TEETypeAdded(uint8 indexed typeId, string name);
    event PCRApproved(bytes32 indexed pcrHash, uint8 indexed teeType, string version);
    event PCRRevoked(bytes32 indexed pcrHash, uint8 indexed teeType);
    // Older OpenGradient deployments emit a one-argument form, PCRRevoked(bytes32 indexed pcrHash),
    // and have no heartbeat. The indexer accepts both forms; the devnet emits the two-argument one.
    event TEERegistered(bytes32 indexed teeId, address indexed owner, uint8 teeType);
    event TEEDisabled(bytes32 indexed teeId);
    event TEEEnabled(bytes32 indexed teeId);
    event HeartbeatReceived(bytes32 indexed teeId, uint256 timestamp);

    function addTEEType(uint8 typeId, string calldata name) external;
    // pcrHash = keccak256(abi.encodePacked(pcr0, pcr1, pcr2))
    function approvePCR(PCRMeasurements calldata pcrs, string calldata version, uint8 teeType) external;
    function revokePCR(bytes32 pcrHash, uint8 teeType) external;
    // teeId = keccak256(signingPublicKey); signingPublicKey is a DER SubjectPublicKeyInfo RSA key (2048..8192 bits).
    // Devnet: attestationDocument is abi.encode(bytes pcr0, bytes pcr1, bytes pcr2) and is not verified.
    function registerTEEWithAttestation(
        bytes calldata attestationDocument,
        bytes calldata signingPublicKey,
        bytes calldata tlsCertificate,
        address paymentAddress,
        string calldata endpoint,
        uint8 teeType
    ) external returns (bytes32 teeId);
    function disableTEE(bytes32 teeId) external;
    function enableTEE(bytes32 teeId) external;
    // The TEE signs keccak256(abi.encodePacked(teeId, timestamp)) (RSA-PSS, see below). Devnet does not verify it.
    function heartbeat(bytes32 teeId, uint256 timestamp, bytes calldata signature) external;
    function getTEEPublicKey(bytes32 teeId) external view returns (bytes memory);   // reverts for an unknown teeId
    // Reverts for an unknown teeId. The indexer reads a new TEE's key, PCR hash, endpoint and payment address
    // with this call at the registration block (or decodes them from registerTEEWithAttestation calldata).
    function getTEE(bytes32 teeId) external view returns (TEEInfo memory);
}

interface IInferenceSettlementRelay {
    // The TEE signs keccak256(abi.encodePacked(inputHash, outputHash, timestamp)) with RSA-PSS:
    // SHA-256, MGF1(SHA-256), salt length 32; the signed message is that 32-byte hash
    // (so the RSA digest is sha256(keccakHash)). OpenGradient's relay verifies it on chain;
    // the devnet relay does not. The indexer verifies it independently in both cases.
    event IndividualSettlement(
        bytes32 indexed teeId,
        address indexed ethAddress,
        bytes32 inputHash,
        bytes32 outputHash,
        uint256 timestamp,
        bytes walrusBlobId,
        bytes signature
    );
    event BatchSettlement(bytes32 indexed merkleRoot, uint256 batchSize, bytes walrusBlobId);

    function settleIndividual(
        bytes32 teeId,
        bytes32 inputHash,
        bytes32 outputHash,
        uint256 timestamp,
        address ethAddress,
        bytes calldata walrusBlobId,
        bytes calldata signature
    ) external;
    function batchSettle(bytes32 merkleRoot, uint256 batchSize, bytes calldata walrusBlobId) external;
}

interface IAttestationRegistry {
    enum Mode { VANILLA, ZKML, TEE }            // same numbering as OpenGradient's SDK
    enum Outcome { VERIFIED, FAILED, EXPIRED }
    enum SlashReason { INVALID_PROOF, REVEAL_MISMATCH, REVEAL_TIMEOUT, LOST_DISPUTE, PCR_REVOKED, EQUIVOCATION }

    // Stake. The first depositor of a node becomes its operator; only the operator withdraws.
    // A node's stake = deposits - completed withdrawals - slashed amounts. A requested withdrawal stays part of
    // the stake (and slashable) until it completes; completion pays min(requested, stake at that moment), and
    // WithdrawalCompleted.amount is what was paid.
    event StakeDeposited(bytes32 indexed nodeId, address indexed from, uint256 amount, uint256 newTotal);
    event WithdrawalRequested(bytes32 indexed nodeId, uint256 indexed withdrawalId, uint256 amount, uint64 unlockAt);
    event WithdrawalCompleted(bytes32 indexed nodeId, uint256 indexed withdrawalId, uint256 amount);

    // Models. modelId is chosen by the owner (e.g. keccak256 of a Model Hub repo name); name and version are free text.
    event ModelRegistered(bytes32 indexed modelId, address indexed owner, Mode indexed mode, bytes32 contentHash, string blobId, string name, string version);
    event ModelDeprecated(bytes32 indexed modelId);

    // Inference lifecycle. commitment = keccak256(abi.encodePacked(outputHash, salt)).
    // mode is the model's mode; revealDeadline = commit block timestamp + revealWindow.
    event InferenceCommitted(bytes32 indexed requestId, bytes32 indexed nodeId, bytes32 indexed modelId, Mode mode, bytes32 inputHash, bytes32 commitment, uint64 revealDeadline);
    // reveal does not check the commitment on chain: the verifier and the indexer do.
    event InferenceRevealed(bytes32 indexed requestId, bytes32 indexed nodeId, bytes32 outputHash, bytes32 salt, bytes proofRef);
    event InferenceVerified(bytes32 indexed requestId, bytes32 indexed nodeId, bytes32 indexed modelId, Outcome outcome, address verifier);

    // Disputes and slashing. A slash takes min(requested amount, stake); NodeSlashed.amount is what was taken
    // (possibly 0) and remainingStake the stake after it.
    event ChallengeOpened(uint256 indexed challengeId, bytes32 indexed requestId, address indexed challenger, uint256 bond, uint64 deadline);
    event ChallengeResolved(uint256 indexed challengeId, bytes32 indexed requestId, bool indexed nodeAtFault, address resolver, bytes32 evidenceHash);
    event NodeSlashed(bytes32 indexed nodeId, bytes32 indexed requestId, SlashReason indexed reason, uint256 amount, uint256 remainingStake);

    function deposit(bytes32 nodeId) external payable;
    // reverts when amount exceeds stake minus the withdrawals already pending
    function requestWithdrawal(bytes32 nodeId, uint256 amount) external returns (uint256 withdrawalId);
    function completeWithdrawal(bytes32 nodeId, uint256 withdrawalId) external;   // after unlockAt
    function registerModel(bytes32 modelId, Mode mode, bytes32 contentHash, string calldata blobId, string calldata name, string calldata version) external;
    function deprecateModel(bytes32 modelId) external;                             // model owner only
    // commit reverts for an unknown or deprecated model, a node with zero stake, or a reused requestId.
    function commit(bytes32 requestId, bytes32 nodeId, bytes32 modelId, bytes32 inputHash, bytes32 commitment) external;
    // reveal is allowed after revealDeadline as long as the inference has not been expired; it reverts once expired
    // or if already revealed.
    function reveal(bytes32 requestId, bytes32 outputHash, bytes32 salt, bytes calldata proofRef) external;
    function verify(bytes32 requestId, Outcome outcome) external;                  // VERIFIER role; VERIFIED or FAILED
    function expire(bytes32 requestId) external;                                   // anyone, after revealDeadline with no reveal:
                                                                                   // emits InferenceVerified(EXPIRED) and NodeSlashed(REVEAL_TIMEOUT)
    function openChallenge(bytes32 requestId) external payable returns (uint256 challengeId);
    function resolveChallenge(uint256 challengeId, bool nodeAtFault, bytes32 evidenceHash) external; // ARBITER role; at fault: NodeSlashed(LOST_DISPUTE)
    function slash(bytes32 nodeId, bytes32 requestId, SlashReason reason, uint256 amount) external;  // SLASHER role; requestId may be 0;
                                                                                                     // reverts for a node that never had stake
}
