/** The discover run: sessions with pinned keys, the read, the draft; the CLI writes the files. */
import { DEFAULTS } from "../model/federation";
import { Deadline } from "../remote/ssh/deadline";
import { parseKnownHosts } from "../remote/ssh/known-hosts";
import { discoverFederation, DiscoverTarget } from "./discover";
import { DraftOptions, draftFederationFile, FederationDraft } from "./federation-draft";
import { FrontendSessions } from "./frontend-sessions";
import { HostKeyPinning } from "./host-key-pinning";

export interface RunDiscoverOptions {
  readonly master: DiscoverTarget;
  readonly user: string;
  /** Private key content (never logged). */
  readonly privateKey: Buffer;
  readonly privateKeyPath: string;
  /** known_hosts content whose entries are trusted ("" when none was given). */
  readonly knownHostsText: string;
  /** Its file, for messages. @default none given */
  readonly knownHostsPath?: string;
  readonly acceptNewHostKeys: boolean;
  /** The whole read's deadline. @default 300 s */
  readonly deadlineSeconds?: number;
  readonly log: (line: string) => void;
  readonly draft: Omit<DraftOptions, "readAt">;
}

export interface DiscoverResult {
  readonly draft: FederationDraft;
  /** known_hosts text: every key discover connected with. */
  readonly knownHosts: string;
  readonly zones: number;
  readonly frontends: number;
  readonly pinned: number;
}

export async function runDiscover(o: RunDiscoverOptions): Promise<DiscoverResult> {
  const pinning = new HostKeyPinning(parseKnownHosts(o.knownHostsText), o.acceptNewHostKeys, o.knownHostsPath, o.log);
  const sessions = new FrontendSessions(
    {
      user: o.user,
      privateKey: o.privateKey,
      privateKeyPath: o.privateKeyPath,
      connectTimeoutSeconds: DEFAULTS.connectTimeoutSeconds,
      keepaliveIntervalSeconds: DEFAULTS.keepaliveIntervalSeconds,
      deadline: new Deadline(o.deadlineSeconds ?? 300),
    },
    pinning,
  );
  try {
    const discovery = await discoverFederation(o.master, sessions);
    const draft = draftFederationFile(discovery, { ...o.draft, readAt: new Date().toISOString() });
    return {
      draft,
      knownHosts: pinning.renderKnownHosts(),
      zones: discovery.zones.length,
      frontends: discovery.zones.reduce((n, z) => n + z.frontends.length, 0),
      pinned: pinning.pinned().length,
    };
  } finally {
    await sessions.close();
  }
}
