/**
 * The guest handed the host something unusable: memory out of bounds (`fault`), a misaligned pointer
 * or an out-of-range value (`inval`), or a string that is not UTF-8 (`ilseq`). Turned into that errno
 * by `errnoOf`, so the guest can report it; never a host failure.
 */
export class GuestError extends Error {
  constructor(
    readonly errnoName: 'fault' | 'inval' | 'ilseq',
    detail: string,
  ) {
    super(detail);
    this.name = 'GuestError';
  }
}
