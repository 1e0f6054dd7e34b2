/** A wall-clock deadline shared by everything one step does on one front-end. */
export class Deadline {
  private readonly at: number;

  constructor(public readonly seconds: number) {
    this.at = Date.now() + seconds * 1000;
  }

  remainingMs(): number {
    return Math.max(0, this.at - Date.now());
  }

  expired(): boolean {
    return this.remainingMs() === 0;
  }
}
