// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IAttestationRegistry} from "./interfaces/Spec.sol";
import {Roles} from "./Roles.sol";

/// Commitments, stake, challenges and slashing for inference nodes (node id = TEE id).
/// Rules from spec/contracts.sol: the first depositor is a node's operator; only it commits in the node's name and
/// withdraws, after an unlock delay at least as long as the challenge window and not while a challenge against
/// the node is open; a requested withdrawal stays slashable until it completes; a slash takes min(amount, stake);
/// commit/reveal/verify/expire follow the commit-reveal lifecycle.
contract AttestationRegistry is IAttestationRegistry, Roles {
    bytes32 public constant VERIFIER_ROLE = keccak256("VERIFIER_ROLE");
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");
    bytes32 public constant SLASHER_ROLE = keccak256("SLASHER_ROLE");

    error ZeroAmount();
    error NotOperator(bytes32 nodeId, address caller);
    error WithdrawalExceedsAvailable(bytes32 nodeId, uint256 requested, uint256 available);
    error UnknownWithdrawal(bytes32 nodeId, uint256 withdrawalId);
    error WithdrawalAlreadyCompleted(uint256 withdrawalId);
    error WithdrawalLocked(uint256 withdrawalId, uint64 unlockAt);
    error PaymentFailed(address to, uint256 amount);
    error ModelAlreadyRegistered(bytes32 modelId);
    error UnknownModel(bytes32 modelId);
    error ModelIsDeprecated(bytes32 modelId);
    error NotModelOwner(bytes32 modelId, address caller);
    error NoStake(bytes32 nodeId);
    error NeverStaked(bytes32 nodeId);
    error RequestIdUsed(bytes32 requestId);
    error UnknownInference(bytes32 requestId);
    error NotCommitter(bytes32 requestId, address caller);
    error AlreadyRevealed(bytes32 requestId);
    error InferenceExpired(bytes32 requestId);
    error NotRevealed(bytes32 requestId);
    error InvalidOutcome(Outcome outcome);
    error DeadlineNotPassed(bytes32 requestId, uint64 revealDeadline);
    error BondTooLow(uint256 sent, uint256 minimum);
    error ChallengeAlreadyOpen(bytes32 requestId, uint256 challengeId);
    error UnknownChallenge(uint256 challengeId);
    error ChallengeAlreadyResolved(uint256 challengeId);
    error WindowTooShort(uint64 withdrawalDelay, uint64 challengeWindow);
    error NotNodeOperator(bytes32 nodeId, address caller);
    error ChallengePending(bytes32 nodeId, uint256 openChallenges);

    struct Withdrawal {
        bytes32 nodeId;
        uint256 amount;
        uint64 unlockAt;
        bool completed;
    }

    struct Inference {
        bytes32 nodeId;
        bytes32 modelId;
        address committer;
        uint64 revealDeadline;
        bool revealed;
        bool expired;
        uint256 openChallengeId;
    }

    struct Model {
        address owner;
        Mode mode;
        bool deprecated;
    }

    struct Challenge {
        bytes32 requestId;
        address challenger;
        uint256 bond;
        uint64 deadline;
        bool resolved;
    }

    uint64 public revealWindow = 300;
    uint64 public challengeWindow = 3600;
    uint64 public withdrawalDelay = 3600;
    uint256 public minChallengeBond = 0.01 ether;
    uint256 public timeoutSlashAmount = 0.1 ether;
    uint256 public disputeSlashAmount = 0.5 ether;

    mapping(bytes32 nodeId => uint256) public stakeOf;
    mapping(bytes32 nodeId => uint256) public pendingWithdrawalsOf;
    mapping(bytes32 nodeId => address) public operatorOf;
    mapping(bytes32 nodeId => uint256) public openChallengesOf;
    mapping(uint256 withdrawalId => Withdrawal) public withdrawals;
    mapping(bytes32 modelId => Model) public models;
    mapping(bytes32 requestId => Inference) public inferences;
    mapping(uint256 challengeId => Challenge) public challenges;
    uint256 public withdrawalCount;
    uint256 public challengeCount;

    constructor() {
        _grant(VERIFIER_ROLE, msg.sender);
        _grant(ARBITER_ROLE, msg.sender);
        _grant(SLASHER_ROLE, msg.sender);
    }

    /// Windows are settable so a devnet can run hours of protocol time quickly; the unlock delay can never be
    /// shorter than the challenge window, so stake cannot leave before a dispute about it can end.
    function setParameters(
        uint64 revealWindow_,
        uint64 challengeWindow_,
        uint64 withdrawalDelay_,
        uint256 minChallengeBond_,
        uint256 timeoutSlashAmount_,
        uint256 disputeSlashAmount_
    ) external onlyRole(ADMIN_ROLE) {
        if (withdrawalDelay_ < challengeWindow_) revert WindowTooShort(withdrawalDelay_, challengeWindow_);
        revealWindow = revealWindow_;
        challengeWindow = challengeWindow_;
        withdrawalDelay = withdrawalDelay_;
        minChallengeBond = minChallengeBond_;
        timeoutSlashAmount = timeoutSlashAmount_;
        disputeSlashAmount = disputeSlashAmount_;
    }

    // ---- stake ----

    function deposit(bytes32 nodeId) external payable {
        if (msg.value == 0) revert ZeroAmount();
        if (operatorOf[nodeId] == address(0)) operatorOf[nodeId] = msg.sender;
        uint256 newTotal = stakeOf[nodeId] + msg.value;
        stakeOf[nodeId] = newTotal;
        emit StakeDeposited(nodeId, msg.sender, msg.value, newTotal);
    }

    function requestWithdrawal(bytes32 nodeId, uint256 amount) external returns (uint256 withdrawalId) {
        if (msg.sender != operatorOf[nodeId]) revert NotOperator(nodeId, msg.sender);
        if (amount == 0) revert ZeroAmount();
        uint256 stake = stakeOf[nodeId];
        uint256 pending = pendingWithdrawalsOf[nodeId];
        uint256 available = stake > pending ? stake - pending : 0;
        if (amount > available) revert WithdrawalExceedsAvailable(nodeId, amount, available);
        withdrawalId = ++withdrawalCount;
        uint64 unlockAt = uint64(block.timestamp) + withdrawalDelay;
        withdrawals[withdrawalId] = Withdrawal({nodeId: nodeId, amount: amount, unlockAt: unlockAt, completed: false});
        pendingWithdrawalsOf[nodeId] = pending + amount;
        emit WithdrawalRequested(nodeId, withdrawalId, amount, unlockAt);
    }

    function completeWithdrawal(bytes32 nodeId, uint256 withdrawalId) external {
        address operator = operatorOf[nodeId];
        if (msg.sender != operator) revert NotOperator(nodeId, msg.sender);
        Withdrawal storage w = withdrawals[withdrawalId];
        if (w.nodeId != nodeId || w.amount == 0) revert UnknownWithdrawal(nodeId, withdrawalId);
        if (w.completed) revert WithdrawalAlreadyCompleted(withdrawalId);
        if (block.timestamp < w.unlockAt) revert WithdrawalLocked(withdrawalId, w.unlockAt);
        // Stake under dispute stays until every open challenge against the node is resolved.
        if (openChallengesOf[nodeId] != 0) revert ChallengePending(nodeId, openChallengesOf[nodeId]);
        w.completed = true;
        uint256 stake = stakeOf[nodeId];
        uint256 paid = w.amount < stake ? w.amount : stake;
        stakeOf[nodeId] = stake - paid;
        pendingWithdrawalsOf[nodeId] -= w.amount;
        emit WithdrawalCompleted(nodeId, withdrawalId, paid);
        if (paid > 0) {
            (bool ok,) = operator.call{value: paid}("");
            if (!ok) revert PaymentFailed(operator, paid);
        }
    }

    // ---- models ----

    function registerModel(
        bytes32 modelId,
        Mode mode,
        bytes32 contentHash,
        string calldata blobId,
        string calldata name,
        string calldata version
    ) external {
        if (models[modelId].owner != address(0)) revert ModelAlreadyRegistered(modelId);
        models[modelId] = Model({owner: msg.sender, mode: mode, deprecated: false});
        emit ModelRegistered(modelId, msg.sender, mode, contentHash, blobId, name, version);
    }

    function deprecateModel(bytes32 modelId) external {
        Model storage m = models[modelId];
        if (m.owner == address(0)) revert UnknownModel(modelId);
        if (m.owner != msg.sender) revert NotModelOwner(modelId, msg.sender);
        if (m.deprecated) revert ModelIsDeprecated(modelId);
        m.deprecated = true;
        emit ModelDeprecated(modelId);
    }

    // ---- inference lifecycle ----

    function commit(bytes32 requestId, bytes32 nodeId, bytes32 modelId, bytes32 inputHash, bytes32 commitment)
        external
    {
        Model storage m = models[modelId];
        if (m.owner == address(0)) revert UnknownModel(modelId);
        if (m.deprecated) revert ModelIsDeprecated(modelId);
        if (stakeOf[nodeId] == 0) revert NoStake(nodeId);
        // Only the node's operator commits in its name: otherwise anyone could commit, never reveal, and have
        // the node slashed for the timeout.
        if (msg.sender != operatorOf[nodeId]) revert NotNodeOperator(nodeId, msg.sender);
        if (inferences[requestId].committer != address(0)) revert RequestIdUsed(requestId);
        uint64 deadline = uint64(block.timestamp) + revealWindow;
        inferences[requestId] = Inference({
            nodeId: nodeId,
            modelId: modelId,
            committer: msg.sender,
            revealDeadline: deadline,
            revealed: false,
            expired: false,
            openChallengeId: 0
        });
        emit InferenceCommitted(requestId, nodeId, modelId, m.mode, inputHash, commitment, deadline);
    }

    /// Only the committer reveals. The commitment is not checked here: the verifier and the indexer do that.
    function reveal(bytes32 requestId, bytes32 outputHash, bytes32 salt, bytes calldata proofRef) external {
        Inference storage inf = _inference(requestId);
        if (inf.committer != msg.sender) revert NotCommitter(requestId, msg.sender);
        if (inf.expired) revert InferenceExpired(requestId);
        if (inf.revealed) revert AlreadyRevealed(requestId);
        inf.revealed = true;
        emit InferenceRevealed(requestId, inf.nodeId, outputHash, salt, proofRef);
    }

    /// A verifier may re-judge a revealed inference (e.g. after a challenge); the latest verdict stands.
    function verify(bytes32 requestId, Outcome outcome) external onlyRole(VERIFIER_ROLE) {
        if (outcome == Outcome.EXPIRED) revert InvalidOutcome(outcome);
        Inference storage inf = _inference(requestId);
        if (!inf.revealed) revert NotRevealed(requestId);
        emit InferenceVerified(requestId, inf.nodeId, inf.modelId, outcome, msg.sender);
    }

    function expire(bytes32 requestId) external {
        Inference storage inf = _inference(requestId);
        if (inf.revealed) revert AlreadyRevealed(requestId);
        if (inf.expired) revert InferenceExpired(requestId);
        if (block.timestamp <= inf.revealDeadline) revert DeadlineNotPassed(requestId, inf.revealDeadline);
        inf.expired = true;
        emit InferenceVerified(requestId, inf.nodeId, inf.modelId, Outcome.EXPIRED, msg.sender);
        _slash(inf.nodeId, requestId, SlashReason.REVEAL_TIMEOUT, timeoutSlashAmount);
    }

    // ---- disputes and slashing ----

    function openChallenge(bytes32 requestId) external payable returns (uint256 challengeId) {
        Inference storage inf = _inference(requestId);
        if (!inf.revealed) revert NotRevealed(requestId);
        if (inf.openChallengeId != 0) revert ChallengeAlreadyOpen(requestId, inf.openChallengeId);
        if (msg.value < minChallengeBond) revert BondTooLow(msg.value, minChallengeBond);
        challengeId = ++challengeCount;
        uint64 deadline = uint64(block.timestamp) + challengeWindow;
        challenges[challengeId] =
            Challenge({requestId: requestId, challenger: msg.sender, bond: msg.value, deadline: deadline, resolved: false});
        inf.openChallengeId = challengeId;
        openChallengesOf[inf.nodeId]++;
        emit ChallengeOpened(challengeId, requestId, msg.sender, msg.value, deadline);
    }

    /// At fault: the node loses disputeSlashAmount (capped at its stake) and the challenger gets the bond back.
    /// Not at fault: the bond stays with the registry.
    function resolveChallenge(uint256 challengeId, bool nodeAtFault, bytes32 evidenceHash)
        external
        onlyRole(ARBITER_ROLE)
    {
        Challenge storage c = challenges[challengeId];
        if (c.challenger == address(0)) revert UnknownChallenge(challengeId);
        if (c.resolved) revert ChallengeAlreadyResolved(challengeId);
        c.resolved = true;
        Inference storage inf = inferences[c.requestId];
        inf.openChallengeId = 0;
        openChallengesOf[inf.nodeId]--;
        emit ChallengeResolved(challengeId, c.requestId, nodeAtFault, msg.sender, evidenceHash);
        if (nodeAtFault) {
            _slash(inf.nodeId, c.requestId, SlashReason.LOST_DISPUTE, disputeSlashAmount);
            (bool ok,) = c.challenger.call{value: c.bond}("");
            if (!ok) revert PaymentFailed(c.challenger, c.bond);
        }
    }

    function slash(bytes32 nodeId, bytes32 requestId, SlashReason reason, uint256 amount)
        external
        onlyRole(SLASHER_ROLE)
    {
        if (operatorOf[nodeId] == address(0)) revert NeverStaked(nodeId);
        _slash(nodeId, requestId, reason, amount);
    }

    function _slash(bytes32 nodeId, bytes32 requestId, SlashReason reason, uint256 amount) private {
        uint256 stake = stakeOf[nodeId];
        uint256 taken = amount < stake ? amount : stake;
        uint256 remaining = stake - taken;
        stakeOf[nodeId] = remaining;
        emit NodeSlashed(nodeId, requestId, reason, taken, remaining);
    }

    function _inference(bytes32 requestId) private view returns (Inference storage inf) {
        inf = inferences[requestId];
        if (inf.committer == address(0)) revert UnknownInference(requestId);
    }
}
