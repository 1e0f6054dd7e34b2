/**
 * What kind of machine a sandbox sshd stands for — a front-end or a hypervisor node, on Debian
 * (apt) or the RHEL family (dnf / yum) — and which emulated tools it therefore has. Dependency-free:
 * the emulator reads it on every command.
 */

/** Front-end or hypervisor node. */
export type MachineKind = "frontend" | "node";

/** Package manager of a machine. */
export type MachineManager = "apt" | "dnf" | "yum";

const OPENNEBULA_CLI = ["onezone", "onehost", "onedb", "onecfg"];
const PACKAGE_TOOLS: Record<MachineManager, string[]> = { apt: ["apt-get", "dpkg-query"], dnf: ["rpm", "dnf", "yum"], yum: ["rpm", "yum"] };

/** The emulated tools such a machine has: the OpenNebula CLI on front-ends only, its package manager's tools. */
export function toolsOf(kind: MachineKind, manager: MachineManager): string[] {
  return [...(kind === "frontend" ? OPENNEBULA_CLI : []), "systemctl", ...PACKAGE_TOOLS[manager], "iptables"];
}

/** Profile suffix of the shim directory and of the front-end shell: "" for a Debian front-end (D/bin/emulated), else `node-apt`, `frontend-dnf`, … */
export function profileOf(kind: MachineKind, manager: MachineManager): string {
  return kind === "frontend" && manager === "apt" ? "" : `${kind}-${manager}`;
}

/** What the machine's shell prints for a command it does not have (/bin/sh = dash on Debian, bash on RHEL), exit 127. */
export function commandNotFound(manager: MachineManager, tool: string): string {
  return manager === "apt" ? `/bin/sh: 1: ${tool}: not found\n` : `bash: ${tool}: command not found\n`;
}
