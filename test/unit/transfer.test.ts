/**
 * Fetching the federated backup to the automation host: two restores that both find the local
 * artifact missing fetch it at the same time, and both must end with the proven file.
 */
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ZoneConfig } from "../../lib/model/federation";
import { fetchVerified } from "../../lib/run/transfer";
import { fakeFrontend, FakeTransport } from "../support/fake-frontend";

const CONTENT = '-- FEDERATED\nDROP TABLE IF EXISTS "logdb";\n'.repeat(200);
const DIGEST = crypto.createHash("sha256").update(CONTENT).digest("hex");
const zone = { id: 100, name: "S-EU-GE" } as ZoneConfig;

/** A master whose SFTP download writes the file in two halves, yielding in between (as a network transfer does). */
class SlowTransport extends FakeTransport {
  constructor(private readonly content = CONTENT) {
    super([[/^sha256sum /, { stdout: `${DIGEST}  /var/lib/one/backups/onefed/fed.sql\n` }]]);
  }
  override async download(_remote: string, local: string): Promise<void> {
    const fd = fs.openSync(local, "w");
    fs.writeSync(fd, this.content.slice(0, 1000));
    await new Promise((r) => setTimeout(r, 30));
    fs.writeSync(fd, this.content.slice(1000));
    fs.closeSync(fd);
  }
}

describe("fetchVerified", () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "onefed-fetch-"))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("lets two fetches of the same artifact run at once: each through its own partial file, both proven", async () => {
    const local = path.join(dir, "artifacts", "fed.sql");
    const fetch = () => fetchVerified(fakeFrontend(new SlowTransport()), "/var/lib/one/backups/onefed/fed.sql", local, "restore", zone);
    expect(await Promise.all([fetch(), fetch()])).toEqual([DIGEST, DIGEST]);
    expect(fs.readFileSync(local, "utf8")).toBe(CONTENT);
    expect(fs.statSync(local).mode & 0o777).toBe(0o600);
    expect(fs.readdirSync(path.dirname(local))).toEqual(["fed.sql"]);
  });

  it("refuses a copy whose sha256 differs and leaves nothing behind", async () => {
    const local = path.join(dir, "fed.sql");
    const broken = fetchVerified(fakeFrontend(new SlowTransport(CONTENT.slice(1))), "/var/lib/one/backups/onefed/fed.sql", local, "restore", zone);
    await expect(broken).rejects.toThrow(/expected the fetched copy of \/var\/lib\/one\/backups\/onefed\/fed\.sql to have sha256 [0-9a-f]{64}/);
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});
