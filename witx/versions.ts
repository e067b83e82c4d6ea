import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The WASI versions wasi-kit generates bindings for. */
export type VersionId = 'preview1' | 'snapshot0' | 'ephemeral' | 'wasix' | 'wasix64';

export interface VersionSpec {
  readonly id: VersionId;
  /** Folder under the WITX root. */
  readonly folder: string;
  /** Files codegen starts from; each `(use ...)`s the rest. */
  readonly roots: readonly string[];
  /** WITX module name -> the import module name a guest uses. */
  readonly modules: Readonly<Record<string, string>>;
  /** Every input file (relative to `folder`) and its expected sha256, from the root's SOURCES.md. */
  readonly sha256: Readonly<Record<string, string>>;
  /**
   * For versions served through preview1's handlers: names this version spells differently from
   * preview1, as `type.member` -> preview1 member (`errno.access` -> `acces`).
   */
  readonly renames?: Readonly<Record<string, string>>;
  /** Functions whose memory format is not in their signature (bytes laid out as records), adapted by hand. */
  readonly handWritten?: readonly string[];
  /** Bytes of the builtin `usize` and of pointers: 4 for wasm32 (every version here), 8 for `wasix_64v1`. */
  readonly pointerSize: 4 | 8;
  /**
   * The version whose enum and flags members fill this version's `(typename hidden ...)` placeholders:
   * WASIX restates preview1's types with a single `$hidden` member and leaves their members to WASI.
   */
  readonly hiddenFrom?: VersionId;
  /**
   * The import module also carries preview1's functions, generated again at this version's pointer size
   * into `<id>-preview1/` (only when that size differs from preview1's: wasix_32v1 reuses preview1's own).
   */
  readonly preview1At?: string;
}

/** The name of the preview1 function a function of another version corresponds to. */
export function preview1Name(version: VersionId, module: string, func: string): string {
  return version === 'ephemeral' ? `${module.replace('wasi_ephemeral_', '')}_${func}` : func;
}

const EPHEMERAL_AREAS = ['args', 'clock', 'environ', 'fd', 'path', 'poll', 'proc', 'random', 'sched', 'sock'] as const;

export const VERSIONS: Readonly<Record<VersionId, VersionSpec>> = {
  preview1: {
    id: 'preview1',
    folder: 'preview1',
    roots: ['wasi_snapshot_preview1.witx'],
    modules: { wasi_snapshot_preview1: 'wasi_snapshot_preview1' },
    pointerSize: 4,
    sha256: {
      'typenames.witx': '980ef8a0f8d345f65d0c7ce07f01981174712ae0c6c44b3c250cbb2b0c752dc5',
      'wasi_snapshot_preview1.witx': '30e31a9b830d3fad998701fc9439a5506af4dbb8f01202854c8af46d436de679',
    },
  },
  snapshot0: {
    id: 'snapshot0',
    folder: 'snapshot0',
    roots: ['wasi_unstable.witx'],
    modules: { wasi_unstable: 'wasi_unstable' },
    pointerSize: 4,
    renames: {},
    handWritten: [],
    sha256: {
      'typenames.witx': 'cb92b0b6427e84040cc12bc016ae3aa45af72a19ecb9bf5fc6a9e84a623fbb0a',
      'wasi_unstable.witx': 'c341fc67eeb0cd21c410ff71080289516e0382b9598295181f72fdb70f6ea0cd',
    },
  },
  ephemeral: {
    id: 'ephemeral',
    folder: 'ephemeral',
    roots: EPHEMERAL_AREAS.map((a) => `wasi_ephemeral_${a}.witx`),
    modules: Object.fromEntries(EPHEMERAL_AREAS.map((a) => [`wasi_ephemeral_${a}`, `wasi_ephemeral_${a}`])),
    pointerSize: 4,
    renames: { 'errno.access': 'acces', 'oflags.create': 'creat', 'subscription_fd_readwrite.fd': 'file_descriptor' },
    // fd_readdir writes dirents (reordered in ephemeral) into a plain byte buffer.
    handWritten: ['wasi_ephemeral_fd.readdir'],
    sha256: {
      'typenames.witx': 'dfedee6d869acf5292c776aedfd144f9c138b805352ebbbec200882165275868',
      'wasi_ephemeral_args.witx': 'c1b1d92ca9067ba5128d33f2545682a29a35e23e462a246bf9ce9ed66bf4c026',
      'wasi_ephemeral_clock.witx': 'd733da9e151db967fe69979d1acc1ec6c3dc6a4137b7536cc45f9c956ef44271',
      'wasi_ephemeral_environ.witx': 'a72973b0a4ce259e79d32a0eb7fc4626e48ef959a51ad5e27da6a469c0073509',
      'wasi_ephemeral_fd.witx': '4dcd68997a811f2ef6a7037b2239eff582dddf3c0060e8d0118ed52748b598e7',
      'wasi_ephemeral_path.witx': 'efab3ea7808ea4d5de9e9822cbaab09f1f63c9414483f7b7c9838e43d907dbfc',
      'wasi_ephemeral_poll.witx': '41d358cb7cdf6c367d9b4410274d60098ade6ff0c765c02101e9653c78f69f7a',
      'wasi_ephemeral_proc.witx': '72b2462a0115201c308b01eea3e47d63f79cb4380242e2d204559ab3537c1fd9',
      'wasi_ephemeral_random.witx': 'cd3d2e597a55ba11f3e2afff9b8ce947594028885f30c671a9fa4237c1f0f388',
      'wasi_ephemeral_sched.witx': 'c06749978d0ec36858ada2f251e0904b290966ec2852e8ac5e26b24f27c0b9f3',
      'wasi_ephemeral_sock.witx': '0e1459420ce40554f083a53514456527d602380f895424a394f8f20947645a4d',
    },
  },
  // WASIX v1 for wasm32: the WITX module is `$wasix_module_name`, imported as `wasix_32v1` where `usize`
  // is 4 bytes. `wasix_64v1` (below) is the same files with `pointerSize: 8`.
  wasix: {
    id: 'wasix',
    folder: 'wasix',
    roots: ['wasix_v1.witx'],
    modules: { wasix_module_name: 'wasix_32v1' },
    pointerSize: 4,
    hiddenFrom: 'preview1',
    sha256: {
      'typenames.witx': '741e671464111feafc5654d0a6906637c95826b6d5aba8289d76ab69a399efa8',
      'wasix_v1.witx': '815da0bb599acd65ac5bfb42d79dfb15144a53042681722e5bfa240beae60aec',
    },
  },
  // WASIX v1 for wasm64 (Wasmer's `wasix_64v1`): pointers and `usize` are i64 and 8 bytes in memory. A
  // wasm64 guest imports preview1's functions from `wasix_64v1` too, at the same pointer size.
  wasix64: {
    id: 'wasix64',
    folder: 'wasix',
    roots: ['wasix_v1.witx'],
    modules: { wasix_module_name: 'wasix_64v1' },
    pointerSize: 8,
    hiddenFrom: 'preview1',
    preview1At: 'wasix_64v1',
    sha256: {
      'typenames.witx': '741e671464111feafc5654d0a6906637c95826b6d5aba8289d76ab69a399efa8',
      'wasix_v1.witx': '815da0bb599acd65ac5bfb42d79dfb15144a53042681722e5bfa240beae60aec',
    },
  },
};

export const VERSION_IDS = Object.keys(VERSIONS) as VersionId[];

/** A missing, unreadable or altered WITX input; the message says which file and what to do. */
export class WitxInputError extends Error {
  readonly code = 'ERR_WITX_INPUT';
  constructor(message: string) {
    super(message);
    this.name = 'WitxInputError';
  }
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** `WITX_DIR` if set, else `../shared/witx` beside the repository. */
export function witxRoot(env: Record<string, string | undefined> = process.env): string {
  const dir = env.WITX_DIR ? resolve(env.WITX_DIR) : resolve(repoRoot, '..', 'shared', 'witx');
  if (!existsSync(dir)) {
    throw new WitxInputError(
      `WITX root ${dir} does not exist: set WITX_DIR to a folder with one subfolder per version (preview1/, snapshot0/, ephemeral/), or place shared/ beside the repository`,
    );
  }
  return dir;
}

/** Checks every input of a version against its expected hash; returns absolute root paths. */
export function verifiedRoots(spec: VersionSpec, root: string): string[] {
  for (const [file, expected] of Object.entries(spec.sha256)) {
    const path = join(root, spec.folder, file);
    if (!existsSync(path)) {
      throw new WitxInputError(`${path}: missing WITX input of ${spec.id}; restore it from the source named in SOURCES.md`);
    }
    const actual = createHash('sha256').update(readFileSync(path)).digest('hex');
    if (actual !== expected) {
      throw new WitxInputError(
        `${path}: sha256 ${actual} differs from the expected ${expected}; if the spec changed on purpose, update the hash in witx/versions.ts and regenerate`,
      );
    }
  }
  return spec.roots.map((r) => join(root, spec.folder, r));
}
