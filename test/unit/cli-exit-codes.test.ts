/**
 * The exit-code table (lib/model/exit-codes.ts), each code produced through `onefed`'s main():
 * done and not ready (3) from front-ends answered in-process by the sandbox's emulated commands (no
 * sshd, no SSH: the connector is replaced), could not check (1) from a closed port, an invalid
 * federation file (2), a stale plan (4), the federation's lock held by another run (5).
 */
import * as fs from "fs";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { main } from "../../lib/cli/onefed";
import { SandboxLayout } from "../../sandbox/layout";
import { ExitCode } from "../../lib/model/exit-codes";
import { zoneLabel } from "../../lib/model/federation";
import { OpenNebulaFrontend } from "../../lib/remote/opennebula/frontend";
import type { Transport } from "../../lib/remote/opennebula/remote-machine";
import { Connector, type MachineOpeners } from "../../lib/run/connector";
import { LEDGER_FORMAT, type LedgerLock } from "../../lib/model/ledger";
import * as operatorActions from "../../lib/run/operator-actions";
import { UnfreezeLockedError } from "../../lib/run/operator-actions";
import { LockHeldError } from "../../lib/run/ledger/federation-ledger";
import * as runStepModule from "../../lib/run/run-step";
import { buildStepContext } from "../../lib/run/step-context";
import { STEPS } from "../../lib/run/steps/catalog";
import * as applyPlanModule from "../../lib/terraform/review/apply-plan";
import { EngineRunError, StalePlanError } from "../../lib/terraform/errors";
import { setFrontendState } from "../../sandbox";
import { EmulatorSandbox, SLAVE_CA } from "../sandbox/emulator-harness";

async function onefed(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => void out.push(s), err: (s) => void err.push(s) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const fixtures = path.resolve(__dirname, "../fixtures");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-exit-codes-"));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Ports nothing listens on: bound once by us, then closed. */
async function closedPorts(n: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: n },
      () =>
        new Promise<net.Server>((resolve) => {
          const s = net.createServer().listen(0, "127.0.0.1", () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as net.AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

/** The seed federation with every front-end on 127.0.0.1 at a closed port: connections are refused at once. */
async function unreachableFederation(): Promise<string> {
  const ports = await closedPorts(3);
  let i = 0;
  const text = fs
    .readFileSync(path.join(fixtures, "federation.yaml"), "utf8")
    .replace(/frontends: \[ \{ host: 192\.168\.150\.\d+(, port: 22)? \} \]/g, () => `frontends: [ { host: 127.0.0.1, port: ${ports[i++]} } ]`)
    .replace("./id_ed25519_fixture", path.join(fixtures, "id_ed25519_fixture"))
    .replace("./known_hosts", path.join(fixtures, "known_hosts"));
  const file = path.join(work, "unreachable.yaml");
  fs.writeFileSync(file, text);
  return file;
}

describe("1: a step failed, or a check could not run", () => {
  let file: string;
  beforeAll(async () => (file = await unreachableFederation()));

  it("check cannot reach a front-end (connection refused) and says so, quickly", async () => {
    const started = Date.now();
    const r = await onefed("check", "--config", file);
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.out).toMatch(/COULD NOT CHECK/);
    expect(r.out).toMatch(/zone 101 \(S-US-CA\), front-end 127\.0\.0\.1:\d+ is unreachable over SSH: ECONNREFUSED/);
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("verify cannot reach a front-end: an SSH failure is a failure, not a verdict", async () => {
    const r = await onefed("verify", "--config", file);
    expect(r.code).toBe(ExitCode.Failed);
    expect(r.out).toMatch(/verify: 3 could not be checked \(of 3 zones\)/);
  });

  it("apply refuses a directory without a bundle, and a failed apply of a reviewed plan", async () => {
    expect(await onefed("apply", "--plan", work)).toMatchObject({
      code: ExitCode.Failed,
      err: expect.stringMatching(/PlanBundleError: .* is not a usable plan review \(no bundle.json\); no zone was touched/),
    });
    const spy = jest
      .spyOn(applyPlanModule, "applyReviewedPlan")
      .mockRejectedValue(
        new EngineRunError(
          "apply",
          { command: "terraform apply plan.tfplan", exitCode: 1 },
          "terraform apply of the reviewed plan failed (exit 1); zones may still be frozen",
        ),
      );
    try {
      expect(await onefed("apply", "--plan", work)).toMatchObject({
        code: ExitCode.Failed,
        err: expect.stringMatching(/^EngineRunError: terraform apply of the reviewed plan failed/),
      });
    } finally {
      spy.mockRestore();
    }
  });
});

describe("2: invalid federation file", () => {
  const broken = path.join(work, "broken.yaml");
  beforeAll(() =>
    fs.writeFileSync(broken, fs.readFileSync(path.join(fixtures, "federation.yaml"), "utf8").replace('toVersion: "7.0.0"', 'toVersion: "seven"')),
  );

  it.each([["check"], ["verify"], ["unfreeze"], ["synth"], ["step", "preflight", "--zone", "0"]])(
    "onefed %s refuses it before touching anything",
    async (...command) => {
      const r = await onefed(...command, "--config", broken);
      expect(r.code).toBe(ExitCode.Usage);
      expect(r.out).toBe("");
      expect(r.err).toMatch(
        /^ConfigError: .*broken\.yaml is not a valid federation file \(1 problem\); nothing was synthesized and no zone was touched:\n {2}- /,
      );
    },
  );

  it("and a missing one", async () => {
    expect(await onefed("check", "--config", path.join(work, "missing.yaml"))).toMatchObject({
      code: ExitCode.Usage,
      err: expect.stringMatching(/cannot read the file \(ENOENT\)/),
    });
  });
});

describe("0 and 3: the federation as it is, from front-ends answered in-process", () => {
  let sb: EmulatorSandbox;
  let config: string;
  let spies: jest.SpyInstance[] = [];
  beforeAll(() => {
    sb = EmulatorSandbox.create();
    config = path.join(sb.dir, "federation.yaml");
    // `sandbox up` writes known_hosts once sshd has its keys; here no sshd runs and none is read.
    fs.writeFileSync(path.join(sb.dir, "known_hosts"), "");
    // The sandbox's own emulated commands answer, as its sshd would: the code above the connection is the real one.
    const machines: MachineOpeners = {
      frontend: async (zone, index) => {
        const machine = `zone${zone.id}-server${index}`;
        const transport: Transport = {
          exec: async (command, stdin) => {
            // Plain tools (the checks' awk of the DB section) read the host's paths: point them at the front-end's own oned.conf.
            const r = sb.run(
              machine,
              command.split(" /etc/one/oned.conf").join(` ${new SandboxLayout(sb.dir).hostPath(machine, "/etc/one/oned.conf")}`),
              {},
              stdin,
            );
            return { host: machine, command, exitCode: r.code, signal: null, stdout: r.stdout, stderr: r.stderr, durationMs: 0 };
          },
          upload: () => Promise.reject(new Error("no upload in a read-only command")),
          download: () => Promise.reject(new Error("no download in a read-only command")),
        };
        return new OpenNebulaFrontend(
          transport,
          { host: zone.frontends[index].host, port: zone.frontends[index].port, zone: zoneLabel(zone) },
          zone.packages.manager,
        );
      },
      node: () => Promise.reject(new Error("the sandbox has no hypervisor hosts")),
    };
    spies = [
      jest.spyOn(Connector, "overSsh").mockImplementation(() => Connector.scripted(machines)),
      // The verify step itself, without the federation's ledger: the emulated front-ends run plain shell
      // commands on this machine's own paths, where the ledger must not be written.
      jest
        .spyOn(runStepModule, "runStep")
        .mockImplementation(({ config, step, zone, log }) =>
          STEPS[step].run(buildStepContext(config, zone, step, log ?? (() => undefined), Connector.scripted(machines))),
        ),
    ];
  });
  afterAll(() => {
    spies.forEach((s) => s.mockRestore());
    sb?.remove();
  });

  it("check says ready on the fresh sandbox (0)", async () => {
    const r = await onefed("check", "--config", config);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/: READY/);
    expect(r.code).toBe(ExitCode.Done);
  });

  it("check finds a front-end at another version (3)", async () => {
    setFrontendState(sb.dir, SLAVE_CA, { packageVersion: "6.8.0" });
    try {
      const r = await onefed("check", "--config", config);
      expect(r.out).toMatch(/NOT READY/);
      expect(r.out).toMatch(/zone 101 \(S-US-CA\), front-end .*: expected OpenNebula 6\.10\.0 \(federation\.fromVersion\), found 6\.8\.0/);
      expect(r.code).toBe(ExitCode.NotReady);
      expect(JSON.parse((await onefed("check", "--config", config, "--json")).out)).toMatchObject({
        ready: false,
        couldNotCheck: false,
        exitCode: ExitCode.NotReady,
      });
    } finally {
      setFrontendState(sb.dir, SLAVE_CA, { packageVersion: "6.10.0" });
    }
  });

  it("verify finds a federation that was not upgraded (3), naming what it found on each zone", async () => {
    const r = await onefed("verify", "--config", config);
    expect(r.out).toMatch(
      /zone 101 \(S-US-CA\): StepRefusal: verify refused on zone 101 \(S-US-CA\).*: expected OpenNebula 7\.0\.0.*but found installed 6\.10\.0/,
    );
    expect(r.out).toMatch(/^verify: 3 not as expected \(of 3 zones\)$/m);
    expect(r.code).toBe(ExitCode.NotReady);
  });
});

describe("4: the reviewed plan is stale, nothing touched", () => {
  it("is apply's exit code for a StalePlanError", async () => {
    const dir = path.join(work, "plan-review");
    const spy = jest
      .spyOn(applyPlanModule, "applyReviewedPlan")
      .mockRejectedValue(new StalePlanError(dir, ["the state changed (serial 3 at plan time, now serial 5)"]));
    try {
      const r = await onefed("apply", "--plan", dir);
      expect(r.code).toBe(ExitCode.StalePlan);
      expect(r.out).toBe("");
      expect(r.err).toMatch(
        /^StalePlanError: the plan in .*plan-review is stale and was not applied; no zone was touched\. Since it was reviewed, the state changed/,
      );
      expect(spy).toHaveBeenCalledWith(expect.objectContaining({ planDir: dir }));
    } finally {
      spy.mockRestore();
    }
  });
});

describe("5: another run holds the federation's lock, nothing changed", () => {
  it("onefed unfreeze (without --force)", async () => {
    const spy = jest.spyOn(operatorActions, "unfreezeByHand").mockImplementation(() => Promise.reject(new UnfreezeLockedError("seed", holder)));
    try {
      const r = await onefed("unfreeze", "--config", path.join(fixtures, "federation.yaml"));
      expect(r.code).toBe(ExitCode.Locked);
      expect(r.err).toMatch(/^UnfreezeLockedError: unfreeze refused: an upgrade of seed holds the federation lock: run run-7f3a .* `onefed unfreeze --force`/);
      expect(spy).toHaveBeenCalledWith(expect.objectContaining({ name: "seed" }), { force: false }, expect.any(Function));
    } finally {
      spy.mockRestore();
    }
  });

  const holder: LedgerLock = {
    kind: "lock",
    format: LEDGER_FORMAT,
    run_id: "run-7f3a",
    lineage: "3f2c",
    holder: "ci@automation-1",
    since: "2026-01-01T10:00:00Z",
    step: "upgrade",
    zone_id: 100,
    updated_at: "2026-01-01T10:20:00Z",
  };
  const config = path.join(fixtures, "federation.yaml");

  it.each([
    [["step", "stop", "--zone", "100"], /^LockHeldError: stop refused: the federation seed is being upgraded by another run: run run-7f3a/],
    [["verify"], /^verify: 3 locked by another run \(of 3 zones\)$/m],
  ])("onefed %j", async (command, message) => {
    const spy = jest.spyOn(runStepModule, "runStep").mockImplementation(({ step }) => Promise.reject(new LockHeldError("seed", holder, step)));
    try {
      const r = await onefed(...command, "--config", config);
      expect(r.code).toBe(ExitCode.Locked);
      expect(`${r.err}\n${r.out}`).toMatch(message);
    } finally {
      spy.mockRestore();
    }
  });
});
