/** Every step, by name. The constructs read plans from here; the runner runs them. */
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
import { StepDefinition, StepName } from "../step";
import { stop } from "./stop";
import { upgrade } from "./upgrade";
import { verify } from "./verify";

export const STEPS: Readonly<Record<StepName, StepDefinition>> = {
  preflight,
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
