/** A growable list of persistence pairs stored as typed arrays of their critical pixels. */
export class PairBuffer {
  birth: Int32Array;
  death: Int32Array;
  length = 0;

  constructor(capacity = 16) {
    this.birth = new Int32Array(Math.max(1, capacity));
    this.death = new Int32Array(Math.max(1, capacity));
  }

  /** Appends a pair (critical pixels of its birth and death cells); returns its index. */
  push(birthPixel: number, deathPixel: number): number {
    if (this.length === this.birth.length) {
      const birth = new Int32Array(2 * this.length);
      const death = new Int32Array(2 * this.length);
      birth.set(this.birth);
      death.set(this.death);
      this.birth = birth;
      this.death = death;
    }
    this.birth[this.length] = birthPixel;
    this.death[this.length] = deathPixel;
    return this.length++;
  }
}
