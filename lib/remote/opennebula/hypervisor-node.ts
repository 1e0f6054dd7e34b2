/** A hypervisor host's OpenNebula side: its node package and, on KVM, libvirt (docs/opennebula.md §2.1 step 12). */
import { systemctl } from "./commands";
import { Hypervisor, nodePackage } from "./packages";
import { LIBVIRT_UNIT } from "./services";
import { parseIsActive } from "./parsers";
import { RemoteMachine } from "./remote-machine";

export class HypervisorNode extends RemoteMachine {
  async nodeVersion(hypervisor: Hypervisor): Promise<string> {
    return this.packageVersion(nodePackage(hypervisor));
  }

  async restartLibvirt(): Promise<void> {
    await this.run(systemctl.restart([LIBVIRT_UNIT]));
  }

  async libvirtState(): Promise<string> {
    return parseIsActive([LIBVIRT_UNIT], (await this.run(systemctl.isActive([LIBVIRT_UNIT]))).stdout)[LIBVIRT_UNIT];
  }
}
