import { Filetype } from '../../../generated/preview1/types.js';
import type { Filestat } from '../../../generated/preview1/types.js';
import type { FileStat, FileType } from '../../fs/types.js';

/** A filesystem's file type name as the preview1 `filetype` value. */
export const filetypeOf = (t: FileType): number => Filetype[t];

export function toFilestat(s: FileStat): Filestat {
  return {
    dev: s.dev,
    ino: s.ino,
    filetype: Filetype[s.filetype],
    nlink: s.nlink,
    size: s.size,
    atim: s.atim,
    mtim: s.mtim,
    ctim: s.ctim,
  };
}
