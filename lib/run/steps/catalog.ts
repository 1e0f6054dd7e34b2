/** Every step's run-time half, by name (its facts are in model/steps.ts, its plan in synth/step-plans.ts). */
import { download } from "./download";
import { federatedBackup } from "./federated-backup";
import { federatedRestore } from "./federated-restore";
import { fedSync } from "./fed-sync";
import { freeze, unfreeze } from "./freeze";
import { hostsDisable, hostsEnable } from "./hosts";
import { nodesUpgrade } from "./nodes-upgrade";
import { preflight } from "./preflight";
import { replicate } from "./replicate";
import { safetyBackup } from "./safety-backup";
import { start } from "./start";
import { StepName } from "../../model/steps";
import { StepRun } from "../step";
import { stop } from "./stop";
import { upgrade } from "./upgrade";
import { verify } from "./verify";

export const STEPS: Readonly<Record<StepName, StepRun>> = {
  preflight,
  download,
  "hosts-disable": hostsDisable,
  freeze,
  sync: fedSync,
  stop,
  "safety-backup": safetyBackup,
  upgrade,
  replicate,
  backup: federatedBackup,
  restore: federatedRestore,
  start,
  nodes: nodesUpgrade,
  unfreeze,
  "hosts-enable": hostsEnable,
  verify,
};
