import * as fs from "node:fs";
import * as path from "node:path";
import type { ProviderPin } from "./pins";

/**
 * Registry hostnames under which the mirror holds each provider. A bare `source = "null"` means
 * registry.terraform.io/hashicorp/null to terraform and registry.opentofu.org/hashicorp/null to
 * tofu, so the same binary is placed under both.
 */
export const REGISTRY_HOSTS: readonly string[] = ["registry.terraform.io", "registry.opentofu.org"];

/** The `os_arch` directory name terraform expects for a Node.js platform and arch. */
export function terraformPlatform(platform: NodeJS.Platform = process.platform, arch: string = process.arch): string {
  const os = platform === "win32" ? "windows" : platform;
  const cpu = arch === "x64" ? "amd64" : arch === "ia32" ? "386" : arch;
  return `${os}_${cpu}`;
}

/** Executable name of a provider in the unpacked layout, e.g. terraform-provider-null_v3.2.4_x5. */
export function providerExecutableName(pin: ProviderPin, platform = terraformPlatform()): string {
  const ext = platform.startsWith("windows_") ? ".exe" : "";
  return `terraform-provider-${pin.type}_v${pin.version}_x${pin.protocol}${ext}`;
}

/** Provider address as the CLI config names it, e.g. registry.terraform.io/hashicorp/null. */
export function providerAddress(host: string, pin: ProviderPin): string {
  return `${host}/${pin.namespace}/${pin.type}`;
}

/**
 * Where a provider executable lives in an unpacked filesystem mirror:
 * <mirror>/<host>/<namespace>/<type>/<version>/<os_arch>/terraform-provider-<type>_v<version>_x<protocol>
 */
export function mirrorExecutablePath(mirrorDir: string, host: string, pin: ProviderPin, platform = terraformPlatform()): string {
  return path.join(mirrorDir, host, pin.namespace, pin.type, pin.version, platform, providerExecutableName(pin, platform));
}

/** The executable's path under every registry host, in REGISTRY_HOSTS order. */
export function mirrorExecutablePaths(mirrorDir: string, pin: ProviderPin, platform = terraformPlatform()): string[] {
  return REGISTRY_HOSTS.map((host) => mirrorExecutablePath(mirrorDir, host, pin, platform));
}

/**
 * Places a built provider executable at every mirror path. Each path is filled through a
 * temporary name and a rename, so a present file is always complete; the copies after the first
 * are hard links (same directory tree), falling back to a copy where links are refused.
 */
export function installIntoMirror(builtBinary: string, destinations: readonly string[]): void {
  const [first, ...rest] = destinations;
  if (!first) return;
  const place = (dest: string, fill: (tmp: string) => void): void => {
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const tmp = `${dest}.tmp-${process.pid}`;
    fs.rmSync(tmp, { force: true });
    fill(tmp);
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, dest);
  };
  place(first, (tmp) => fs.copyFileSync(builtBinary, tmp));
  for (const dest of rest) {
    place(dest, (tmp) => {
      try {
        fs.linkSync(first, tmp);
      } catch {
        fs.copyFileSync(first, tmp);
      }
    });
  }
}
