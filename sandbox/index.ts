/**
 * The sandbox federation: one real sshd per front-end on its own loopback address, in its own
 * mount namespace, with emulated OpenNebula commands (see docs/sandbox.md). This module is the
 * public API; the CLI (`onefed sandbox …`) and the tests use only what is exported here.
 */
export { sandboxUp } from "./up";
export { sandboxStatus } from "./status";
export { sandboxDown } from "./down";
export { readCommandLog } from "./command-log";
export { readPasswordLeaks } from "./password-leaks";
export { readJumpForwards } from "./jump-host";
export type { JumpForward } from "./jump-host";
export type { PasswordLeak } from "./password-leaks";
export {
  advanceFederation,
  injectFailure,
  refreshKnownHosts,
  rekeyFrontend,
  setFrontendState,
  setRaftCommitLag,
  setRaftLeader,
  setRaftNextLeader,
  setRaftSplitBrain,
  setReplicationBlocked,
} from "./control";
export { migratorsFor, setCliCredential, setMigratorMissing, setOnedHung, setZoneEndpointPath } from "./situations";
export type { CliCredential } from "./situations";
export { diskFullOf, heldCommands, holdCommand, releaseCommand, setDiskFull, setSlowCommand, waitUntilHeld } from "./faults";
export type { HoldSelector } from "./faults";
export type { DiskFullMount } from "./disk-full";
export { prepareSandbox } from "./prepare";
export { DEFAULT_TIMING_SCALE, MAX_TIMING_SCALE, MIN_TIMING_SCALE, REALISTIC_TIMINGS, TIMING_PROFILES, paceSchedule, timingProblem } from "./timing-profile";
export type { CommandTiming, PacedCommand, PaceSchedule, SandboxTiming, TimingProfile } from "./timing-profile";
export type { PrepareOptions } from "./prepare";
export type { SandboxZoneSpec } from "./topology";
export { SandboxError, SandboxPortInUseError, SandboxPrerequisiteError } from "./errors";
export { ONEADMIN_CREDENTIAL, SANDBOX_DB_PASSWORD_ENV, SANDBOX_HOST_KEY_TYPES, SANDBOX_USER, frontendName, nodeHostName, nodeName } from "./contract";
export type { SandboxHostKeyType } from "./contract";
export type { UnitState } from "./frontend-state";
export type {
  CommandHold,
  CommandLogEntry,
  FailureInjection,
  HeldCommand,
  FrontendStatePatch,
  FrontendStatus,
  NodeStatus,
  RaftStatus,
  SandboxInfo,
  SandboxStatus,
  SandboxUpOptions,
  SandboxZoneSummary,
} from "./types";
export type { SandboxPackageManager } from "./registry";
